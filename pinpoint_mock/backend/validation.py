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

# Matched whole (fullmatch): a trailing newline is not part of a valid value.
_S3_URL = re.compile(r"s3://(?P<bucket>[^/]+)/(?P<key>.*)", re.S)
_S3_URL_PREFIX = re.compile(r"s3://(?P<bucket>[^/]+)(?:/(?P<prefix>.*))?", re.S)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_ROLE_ARN = re.compile(r"arn:aws[a-z\-]*:iam::[0-9]{12}:role/[\w+=,.@/\-]{1,512}", re.A)


def parse_s3_url(value: Any) -> tuple[str, str]:
    """Split ``s3://bucket/key-or-prefix`` into ``(bucket, key)``; the key may be empty.

    Raises:
        BadRequestError: ``S3Url`` is not of that form (bucket names follow S3's rules).
    """
    match = _S3_URL.fullmatch(value) if isinstance(value, str) else None
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


def parse_s3_url_prefix(value: Any) -> tuple[str, str]:
    """Split an export's ``S3UrlPrefix`` into ``(bucket, folder)``.

    ``s3://bucket-name/folder-name/`` is the documented form (botocore's
    ``ExportJobRequest.S3UrlPrefix``); AWS's own examples also send it without the final slash
    (``s3://bucket-name/prefix``, developer guide ``audience-data-export.md``). The prefix is a
    folder either way: ``folder`` is empty (the bucket's root) or ends in ``/``.

    Raises:
        BadRequestError: not ``s3://`` and a valid bucket name, or a prefix with an empty
            folder name (``//``).
    """
    match = _S3_URL_PREFIX.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadRequestError(
            "S3UrlPrefix must be s3://bucket-name/folder-name/ (the folder is optional), "
            f"got {value!r}."
        )
    bucket = match.group("bucket")
    if not _BUCKET.fullmatch(bucket):
        raise BadRequestError(
            f"S3UrlPrefix names the bucket {bucket!r}, which is not a valid S3 bucket name "
            f"(3 to 63 lowercase letters, digits, dots and hyphens); got {value!r}."
        )
    folder = match.group("prefix") or ""
    if folder and not folder.endswith("/"):
        folder += "/"
    if "//" in "/" + folder:
        raise BadRequestError(
            f"S3UrlPrefix has an empty folder name (two slashes in a row), got {value!r}."
        )
    return bucket, folder


def check_export_job_request(request: Mapping[str, Any]) -> None:
    """Validate an ``ExportJobRequest`` body: ``RoleArn`` and ``S3UrlPrefix`` (required by
    botocore's model), ``SegmentVersion`` a whole number >= 1 given with a ``SegmentId``.
    Whether the segment and its version exist is checked by the caller (404).

    Raises:
        BadRequestError: naming the first member that is wrong.
    """
    for member in ("S3UrlPrefix", "RoleArn"):
        if request.get(member) in (None, ""):
            raise BadRequestError(f"{member} is required in ExportJobRequest.")
    parse_s3_url_prefix(request["S3UrlPrefix"])
    role_arn = request["RoleArn"]
    if not isinstance(role_arn, str) or not _ROLE_ARN.fullmatch(role_arn):
        raise BadRequestError(
            "RoleArn must be an IAM role ARN such as "
            f"arn:aws:iam::123456789012:role/PinpointExport, got {role_arn!r}."
        )
    segment_id = request.get("SegmentId")
    if segment_id is not None and (not isinstance(segment_id, str) or not segment_id):
        raise BadRequestError(f"SegmentId must be a segment's Id, got {segment_id!r}.")
    version = request.get("SegmentVersion")
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise BadRequestError(
                f"SegmentVersion must be a whole number >= 1, got {version!r}."
            )
        if segment_id is None:
            raise BadRequestError(
                "SegmentVersion needs a SegmentId: give the segment whose version to export."
            )
