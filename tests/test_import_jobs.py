"""CreateImportJob / GetImportJob through a real boto3 client: the samples' outcomes."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest

from tests.conftest import BUCKET, ROLE_ARN, SAMPLES, finish

CreateJob = Callable[..., dict[str, Any]]

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_import_job_answers_201_with_the_job_in_created(
    pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    response = pinpoint_client.create_import_job(
        ApplicationId=app_id,
        ImportJobRequest={"Format": "CSV", "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv",
                          "RoleArn": ROLE_ARN, "ExternalId": "ext-1"},
    )
    job = response["ImportJobResponse"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert job["JobStatus"] == "CREATED"
    assert job["ApplicationId"] == app_id
    assert re.fullmatch(r"[0-9a-f]{32}", job["Id"])
    assert job["Type"] == "IMPORT"
    assert ISO.match(job["CreationDate"])
    assert "CompletionDate" not in job
    # DefineSegment and RegisterEndpoints are always there, as booleans (issue 10 item 1)
    assert job["Definition"] == {
        "DefineSegment": False, "ExternalId": "ext-1", "Format": "CSV",
        "RegisterEndpoints": True, "RoleArn": ROLE_ARN,
        "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv",
    }


@pytest.mark.parametrize(
    ("sample", "processed", "failures", "status", "failed_pieces"),
    [
        ("endpoints-basic.csv", 10, 0, "COMPLETED", 0),
        ("endpoints-basic.json", 10, 0, "COMPLETED", 0),
        ("endpoints-with-bad-rows.csv", 7, 5, "COMPLETED", 0),
        ("endpoints-missing-address-column.csv", 2, 2, "FAILED", 1),
    ],
)
def test_samples_end_as_documented(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob,
    sample: str, processed: int, failures: int, status: str, failed_pieces: int,
) -> None:
    job = create_job(sample)
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert done["JobStatus"] == status
    assert done["TotalProcessed"] == processed
    assert done["TotalFailures"] == failures
    assert len(done["Failures"]) == failures
    assert done["FailedPieces"] == failed_pieces
    assert done["TotalPieces"] == 1
    assert done["CompletedPieces"] == 1 - failed_pieces
    assert ISO.match(done["CompletionDate"])
    assert done["CompletionDate"] > done["CreationDate"]


def test_bad_rows_are_reported_with_file_line_and_reason(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    job = create_job("endpoints-with-bad-rows.csv")
    failures = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])["Failures"]
    url = f"s3://{BUCKET}/samples/endpoints-with-bad-rows.csv"
    prefix = re.compile(re.escape(url) + r" line (\d+): ")
    assert [prefix.match(f).group(1) for f in failures] == ["3", "4", "5", "6", "7"]  # type: ignore[union-attr]
    assert "Address" in failures[0]
    assert "PIGEON" in failures[1]
    assert "Metrics.Visits" in failures[2]
    assert "100" in failures[3]
    assert "ChannelType" in failures[4]


def test_define_segment_creates_an_import_segment_with_channel_counts(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    job = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="basic",
                     ExternalId="ext-9")
    segment_id = job["Definition"]["SegmentId"]
    segment = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    body = segment["SegmentResponse"]
    assert body["SegmentType"] == "IMPORT"
    assert body["Name"] == "basic"
    assert body["Version"] == 1
    assert body["Arn"] == (
        f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{app_id}/segments/{segment_id}"
    )
    assert body["ImportDefinition"] == {
        "ChannelCounts": {"EMAIL": 5, "SMS": 3, "APNS": 1, "GCM": 1},
        "ExternalId": "ext-9",
        "Format": "CSV",
        "RoleArn": ROLE_ARN,
        "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv",
        "Size": 10,
    }


def test_json_sample_defines_the_same_segment_as_csv(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    job = create_job("endpoints-basic.json", DefineSegment=True, SegmentName="json")
    body = pinpoint_client.get_segment(
        ApplicationId=app_id, SegmentId=job["Definition"]["SegmentId"]
    )["SegmentResponse"]
    assert body["ImportDefinition"]["ChannelCounts"] == {"EMAIL": 5, "SMS": 3, "APNS": 1,
                                                         "GCM": 1}
    assert body["ImportDefinition"]["Size"] == 10
    assert body["ImportDefinition"]["Format"] == "JSON"


def test_user_id_file_builds_a_segment_of_the_users_registered_endpoints(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    create_job("endpoints-basic.csv", RegisterEndpoints=True)
    job = create_job("user-ids-only.csv", DefineSegment=True, SegmentName="users-1-4")
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert done["JobStatus"] == "COMPLETED"
    assert done["TotalProcessed"] == 4
    segment = pinpoint_client.get_segment(
        ApplicationId=app_id, SegmentId=job["Definition"]["SegmentId"]
    )["SegmentResponse"]
    # users 1-4 own ana (EMAIL), ben (SMS), chen (EMAIL), dana (SMS)
    assert segment["ImportDefinition"]["Size"] == 4
    assert segment["ImportDefinition"]["ChannelCounts"] == {"EMAIL": 2, "SMS": 2}


def test_updates_by_id_need_registered_endpoints(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    alone = create_job("endpoint-updates-by-id.csv")
    assert finish(pinpoint_imports, pinpoint_client, app_id, alone["Id"])["JobStatus"] == "FAILED"
    create_job("endpoints-basic.csv", RegisterEndpoints=True)
    # the basic sample has no Ids: register the two endpoints the update file names
    for endpoint_id, address in (("ep-email-0001", "a@example.com"), ("ep-sms-0002", "+1555")):
        pinpoint_client.update_endpoint(
            ApplicationId=app_id, EndpointId=endpoint_id,
            EndpointRequest={"ChannelType": "EMAIL", "Address": address},
        )
    job = create_job("endpoint-updates-by-id.csv", RegisterEndpoints=True)
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert (done["JobStatus"], done["TotalProcessed"], done["TotalFailures"]) == ("COMPLETED", 2, 0)
    endpoint = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="ep-email-0001")
    assert endpoint["EndpointResponse"]["Attributes"] == {"Plan": ["platinum"]}
    assert endpoint["EndpointResponse"]["Metrics"] == {"Visits": 11.0}


def test_import_into_an_existing_segment_lists_the_job_under_it(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    first = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="grow")
    segment_id = first["Definition"]["SegmentId"]
    second = create_job("endpoints-with-bad-rows.csv", SegmentId=segment_id)
    assert second["Definition"]["SegmentId"] == segment_id
    listed = pinpoint_client.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)
    assert [job["Id"] for job in listed["ImportJobsResponse"]["Item"]] == [first["Id"],
                                                                           second["Id"]]
    segment = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    body = segment["SegmentResponse"]
    # the second import refreshes the segment: version 2 holds what it imported
    assert body["Version"] == 2
    assert body["ImportDefinition"]["Size"] == 2
    assert body["ImportDefinition"]["ChannelCounts"] == {"EMAIL": 1, "SMS": 1}
    assert body["ImportDefinition"]["S3Url"].endswith("endpoints-with-bad-rows.csv")


def test_import_into_a_dimensional_segment_is_refused(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    segment = pinpoint_client.create_segment(
        ApplicationId=app_id, WriteSegmentRequest={"Name": "dimensional"}
    )["SegmentResponse"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        create_job("endpoints-basic.csv", SegmentId=segment["Id"])
    assert caught.value.response["Error"]["Message"] == (
        f"SegmentId '{segment['Id']}' names a DIMENSIONAL segment; import jobs can only import "
        "into an IMPORT segment."
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("s3://no-such-bucket/x.csv", "the bucket 'no-such-bucket' does not exist (NoSuchBucket)."),
        (f"s3://{BUCKET}/samples/missing.csv",
         f"s3://{BUCKET}/samples/missing.csv: the object does not exist (NoSuchKey), and no "
         "object's key starts with it."),
    ],
)
def test_missing_bucket_or_key_ends_the_job_failed(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob,
    url: str, reason: str,
) -> None:
    """The message says what is missing (issue 10 item 7: a key ending in .csv that does not
    exist used to be told "CSV objects end in .csv"); S3's own names for the two cases,
    NoSuchBucket and NoSuchKey, are quoted. Which failure AWS reported is not documented: the
    job ends FAILED (mock rule, docs/import-rules.md "Failed jobs")."""
    job = create_job(url)
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert done["JobStatus"] == "FAILED"
    assert done["FailedPieces"] == 1
    assert len(done["Failures"]) == 1
    assert reason in done["Failures"][0]


def test_prefix_reads_every_object_of_the_format_including_subfolders(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any, create_job: CreateJob
) -> None:
    data = (SAMPLES / "endpoints-basic.csv").read_bytes()
    s3.put_object(Bucket=BUCKET, Key="batch/a.csv", Body=data)
    s3.put_object(Bucket=BUCKET, Key="batch/deeper/b.csv", Body=data)
    s3.put_object(Bucket=BUCKET, Key="batch/c.json", Body=(SAMPLES / "endpoints-basic.json")
                  .read_bytes())
    job = create_job(f"s3://{BUCKET}/batch/")
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert (done["JobStatus"], done["TotalProcessed"], done["TotalPieces"]) == ("COMPLETED", 20, 2)


def test_unknown_application_and_job_are_404(
    pinpoint_client: Any, app_id: str
) -> None:
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_import_job(ApplicationId="0" * 32, JobId="1" * 32)
    assert caught.value.response["Error"]["Message"] == "Application not found"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_import_job(ApplicationId=app_id, JobId="1" * 32)
    assert caught.value.response["Error"]["Message"] == (
        f"Import job '{'1' * 32}' not found in application '{app_id}'."
    )
    assert caught.value.response["ResponseMetadata"]["RequestId"]


def test_an_app_deleted_through_moto_takes_its_jobs_with_it(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    job = create_job("endpoints-basic.csv")
    pinpoint_client.delete_app(ApplicationId=app_id)
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_import_job(ApplicationId=app_id, JobId=job["Id"])
    assert caught.value.response["Error"]["Message"] == "Application not found"
