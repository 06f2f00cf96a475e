"""Segments and imports through boto3: refreshing an IMPORT segment, its version history, the
DIMENSIONAL refusal, and what DeleteSegment leaves of its jobs."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from tests.conftest import BUCKET, ROLE_ARN, finish

CreateJob = Callable[..., dict[str, Any]]

TWO_EMAILS = b"ChannelType,Address\nEMAIL,a@x\nEMAIL,b@x\n"
ONE_SMS_ONE_BAD = b"ChannelType,Address\nSMS,+1\nSMS,\n"


@pytest.fixture
def put(s3: Any) -> Callable[[str, bytes], str]:
    def put_object(key: str, body: bytes) -> str:
        s3.put_object(Bucket=BUCKET, Key=f"segments/{key}", Body=body)
        return f"s3://{BUCKET}/segments/{key}"

    return put_object


def test_imports_into_an_import_segment_refresh_it_and_keep_every_version(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob,
    put: Callable[[str, bytes], str],
) -> None:
    """Each import with SegmentId makes a new version that holds what that import brought
    (AWS Solutions' predictive segmentation keeps "an Amazon Pinpoint segment, updated daily"
    by importing each day's file into its SegmentId:
    awslabs/predictive-segmentation-using-amazon-pinpoint-and-amazon-sagemaker, README.md and
    source/10-import-segment-lambda/index.js); every version stays readable."""
    first = create_job(put("one.csv", TWO_EMAILS), DefineSegment=True, SegmentName="grow",
                       ExternalId="ext-1")
    segment_id = first["Definition"]["SegmentId"]
    pinpoint_imports.advance(10)
    second = create_job(put("two.csv", ONE_SMS_ONE_BAD), SegmentId=segment_id)
    pinpoint_imports.advance(10)
    third = create_job(put("three.json", b'{"ChannelType":"PUSH","Address":"t"}\n'),
                       SegmentId=segment_id)
    assert second["Definition"]["SegmentId"] == third["Definition"]["SegmentId"] == segment_id
    current = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    body = current["SegmentResponse"]
    assert body["Version"] == 3
    assert body["Name"] == "grow"
    assert body["ImportDefinition"] == {
        "ChannelCounts": {"PUSH": 1}, "ExternalId": "123456789012", "Format": "JSON",
        "RoleArn": ROLE_ARN, "S3Url": f"s3://{BUCKET}/segments/three.json", "Size": 1,
    }
    assert body["LastModifiedDate"] > body["CreationDate"]
    sizes = []
    for version in ("1", "2", "3"):
        response = pinpoint_client.get_segment_version(ApplicationId=app_id,
                                                       SegmentId=segment_id, Version=version)
        definition = response["SegmentResponse"]["ImportDefinition"]
        sizes.append((response["SegmentResponse"]["Version"], definition["Size"],
                      definition["ExternalId"]))
    assert sizes == [(1, 2, "ext-1"), (2, 1, "123456789012"), (3, 1, "123456789012")]
    versions = pinpoint_client.get_segment_versions(ApplicationId=app_id, SegmentId=segment_id)
    assert [v["Version"] for v in versions["SegmentsResponse"]["Item"]] == [1, 2, 3]
    assert "LastModifiedDate" not in versions["SegmentsResponse"]["Item"][0]
    jobs = pinpoint_client.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)
    assert [j["Id"] for j in jobs["ImportJobsResponse"]["Item"]] == [
        first["Id"], second["Id"], third["Id"]
    ]
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_segment_version(ApplicationId=app_id, SegmentId=segment_id,
                                            Version="4")
    assert caught.value.response["Error"]["Message"] == (
        f"Version '4' of segment '{segment_id}' not found."
    )


def test_a_failed_import_still_adds_a_version(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob,
    put: Callable[[str, bytes], str],
) -> None:
    """The version is made at CreateImportJob, whatever the job's outcome (mock rule, as for
    the segment of DefineSegment): it holds what imported, here nothing."""
    first = create_job(put("ok.csv", TWO_EMAILS), DefineSegment=True, SegmentName="s")
    segment_id = first["Definition"]["SegmentId"]
    bad = create_job(put("bad.csv", b"ChannelType,Address\nSMS,\n"), SegmentId=segment_id)
    assert finish(pinpoint_imports, pinpoint_client, app_id, bad["Id"])["JobStatus"] == "FAILED"
    body = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    assert (body["SegmentResponse"]["Version"],
            body["SegmentResponse"]["ImportDefinition"]["Size"]) == (2, 0)


def test_a_segment_id_naming_a_dimensional_segment_is_a_400(
    pinpoint_client: Any, app_id: str, create_job: CreateJob, put: Callable[[str, bytes], str]
) -> None:
    segment = pinpoint_client.create_segment(ApplicationId=app_id,
                                             WriteSegmentRequest={"Name": "dims"})
    segment_id = segment["SegmentResponse"]["Id"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        create_job(put("d.csv", TWO_EMAILS), SegmentId=segment_id)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"]["Message"] == (
        f"SegmentId '{segment_id}' names a DIMENSIONAL segment; import jobs can only import "
        "into an IMPORT segment."
    )
    listed = pinpoint_client.get_import_jobs(ApplicationId=app_id)
    assert listed["ImportJobsResponse"]["Item"] == []
    again = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    assert again["SegmentResponse"]["Version"] == 1


def test_delete_segment_keeps_its_jobs_readable_but_not_listable_under_it(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob,
    put: Callable[[str, bytes], str],
) -> None:
    job = create_job(put("del.csv", TWO_EMAILS), DefineSegment=True, SegmentName="gone")
    segment_id = job["Definition"]["SegmentId"]
    deleted = pinpoint_client.delete_segment(ApplicationId=app_id, SegmentId=segment_id)
    assert deleted["SegmentResponse"]["Id"] == segment_id
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["Id"])
    assert (done["JobStatus"], done["Definition"]["SegmentId"]) == ("COMPLETED", segment_id)
    listed = pinpoint_client.get_import_jobs(ApplicationId=app_id)
    assert [j["Id"] for j in listed["ImportJobsResponse"]["Item"]] == [job["Id"]]
    message = f"Segment '{segment_id}' not found in application '{app_id}'."
    for call in (
        lambda: pinpoint_client.get_segment_import_jobs(ApplicationId=app_id,
                                                        SegmentId=segment_id),
        lambda: pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id),
        lambda: create_job(put("more.csv", TWO_EMAILS), SegmentId=segment_id),
    ):
        with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == message
