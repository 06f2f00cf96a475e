"""Requests botocore lets through but Pinpoint refuses: 400 with a message naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import BUCKET, ROLE_ARN

GOOD = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv",
        "RoleArn": ROLE_ARN}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Format": "XML"}, "Format must be CSV or JSON, got 'XML'."),
        ({"Format": "csv"}, "Format must be CSV or JSON, got 'csv'."),
        ({"S3Url": "https://bucket/key.csv"},
         "S3Url must be s3://bucket-name/key or s3://bucket-name/prefix/, "
         "got 'https://bucket/key.csv'."),
        ({"S3Url": "s3://bucket-only"},
         "S3Url must be s3://bucket-name/key or s3://bucket-name/prefix/, got 's3://bucket-only'."),
        ({"S3Url": "s3://UPPER/key.csv"},
         "S3Url names the bucket 'UPPER', which is not a valid S3 bucket name (3 to 63 "
         "lowercase letters, digits, dots and hyphens); got 's3://UPPER/key.csv'."),
        ({"S3Url": "s3:///key.csv"},
         "S3Url must be s3://bucket-name/key or s3://bucket-name/prefix/, got 's3:///key.csv'."),
        ({"RoleArn": "arn:aws:iam::123456789012:user/bob"},
         "RoleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/PinpointImport, "
         "got 'arn:aws:iam::123456789012:user/bob'."),
        ({"RoleArn": "role"},
         "RoleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/PinpointImport, "
         "got 'role'."),
        # a pattern's $ would let a trailing line break through (issue 14)
        ({"RoleArn": ROLE_ARN + "\n"},
         "RoleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/PinpointImport, "
         f"got {ROLE_ARN + chr(10)!r}."),
        ({"S3Url": "s3://audience\n/in.csv"},
         "S3Url names the bucket 'audience\\n', which is not a valid S3 bucket name (3 to 63 "
         "lowercase letters, digits, dots and hyphens); got 's3://audience\\n/in.csv'."),
    ],
)
def test_bad_import_job_requests_are_400_naming_the_field(
    pinpoint_client: Any, app_id: str, s3: Any, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.create_import_job(ApplicationId=app_id,
                                          ImportJobRequest={**GOOD, **change})
    assert caught.value.response["Error"]["Message"] == message
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_unknown_segment_id_is_404(pinpoint_client: Any, app_id: str, s3: Any) -> None:
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.create_import_job(ApplicationId=app_id,
                                          ImportJobRequest={**GOOD, "SegmentId": "f" * 32})
    assert caught.value.response["Error"]["Message"] == (
        f"Segment '{'f' * 32}' not found in application '{app_id}'."
    )


def test_unknown_application_is_404_application_not_found(pinpoint_client: Any, s3: Any) -> None:
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.create_import_job(ApplicationId="a" * 32, ImportJobRequest=GOOD)
    assert caught.value.response["Error"]["Message"] == "Application not found"


def test_a_refused_request_creates_no_job(pinpoint_client: Any, app_id: str, s3: Any) -> None:
    with pytest.raises(pinpoint_client.exceptions.BadRequestException):
        pinpoint_client.create_import_job(ApplicationId=app_id,
                                          ImportJobRequest={**GOOD, "Format": "XML"})
    jobs = pinpoint_client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
    assert jobs == []
