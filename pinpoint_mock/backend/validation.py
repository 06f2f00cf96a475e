"""Server-side checks of request members that botocore does not validate on the client.

botocore checks only required members and types; Pinpoint itself answers the rest with
400 BadRequestException. Each message names the member and says what is expected.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from pinpoint_mock.backend.errors import BadRequestError

FORMATS = ("CSV", "JSON")
"""botocore's ``Format`` enum."""

_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.*)$", re.S)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@/\-]{1,512}$")


def parse_s3_url(value: Any) -> tuple[str, str]:
    """Split ``s3://bucket/key-or-prefix`` into ``(bucket, key)``; the key may be empty.

    Raises:
        BadRequestError: ``S3Url`` is not of that form (bucket names follow S3's rules).
    """
    match = _S3_URL.match(value) if isinstance(value, str) else None
    if match is None:
        raise BadRequestError(
            f"S3Url must be s3://bucket-name/key or s3://bucket-name/prefix/, got {value!r}."
        )
    bucket = match.group("bucket")
    if not _BUCKET.fullmatch(bucket):
        raise BadRequestError(
            f"S3Url names the bucket {bucket!r}, which is not a valid S3 bucket name "
            "(3 to 63 lowercase letters, digits, dots and hyphens); got "
            f"{value!r}."
        )
    return bucket, match.group("key")


def check_import_job_request(request: Mapping[str, Any]) -> None:
    """Validate an ``ImportJobRequest`` body (required members are checked by botocore too).

    ``DefineSegment`` and ``SegmentId`` may come together (the import refreshes that segment),
    and ``DefineSegment`` needs no ``SegmentName``: see
    :meth:`~pinpoint_mock.backend.operations.Backend.create_import_job`.

    Raises:
        BadRequestError: naming the first member that is wrong.
    """
    for member in ("Format", "S3Url", "RoleArn"):
        if request.get(member) in (None, ""):
            raise BadRequestError(f"{member} is required in ImportJobRequest.")
    if request["Format"] not in FORMATS:
        raise BadRequestError(f"Format must be CSV or JSON, got {request['Format']!r}.")
    parse_s3_url(request["S3Url"])
    role_arn = request["RoleArn"]
    if not isinstance(role_arn, str) or not _ROLE_ARN.fullmatch(role_arn):
        raise BadRequestError(
            "RoleArn must be an IAM role ARN such as "
            f"arn:aws:iam::123456789012:role/PinpointImport, got {role_arn!r}."
        )
    for member in ("DefineSegment", "RegisterEndpoints"):
        value = request.get(member)
        if value is not None and not isinstance(value, bool):
            raise BadRequestError(f"{member} must be true or false, got {value!r}.")
    for member in ("ExternalId", "SegmentId", "SegmentName"):
        value = request.get(member)
        if value is not None and not isinstance(value, str):
            raise BadRequestError(f"{member} must be a string, got {value!r}.")


def flag(request: Mapping[str, Any], member: str, default: bool) -> bool:
    """The boolean ``member`` of a checked request, ``default`` when it is absent (or null)."""
    value = request.get(member)
    return default if value is None else bool(value)
