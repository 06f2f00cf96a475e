"""What public Pinpoint code relies on (issue 10 items 1-3), through boto3: the job's
``Definition`` as AWS returns it, registration when ``RegisterEndpoints`` is omitted, and
refreshing an imported segment by ``SegmentId``."""

from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config

from tests.conftest import BUCKET, ROLE_ARN, finish

CreateJob = Callable[..., dict[str, Any]]
ACCOUNT = "123456789012"  # moto's default account
BASIC = f"s3://{BUCKET}/samples/endpoints-basic.csv"


def test_every_job_response_has_external_id_and_both_flags(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    """The developer guide's example responses (awsdocs/amazon-pinpoint-developer-guide,
    doc-source/audience-define-import.md) show ``"DefineSegment": false`` and an account id
    in ``ExternalId`` for a request that sent neither; AWS's reference architectures read
    ``Definition.ExternalId`` from the create and get responses
    (aws-samples/digital-user-engagement-reference-architectures,
    cloudformation/Amazon_S3_triggered_import.yaml)."""
    created = create_job("endpoints-basic.csv")
    expected = {"DefineSegment": False, "ExternalId": ACCOUNT, "Format": "CSV",
                "RegisterEndpoints": True, "RoleArn": ROLE_ARN, "S3Url": BASIC}
    assert created["Definition"] == expected
    got = pinpoint_client.get_import_job(ApplicationId=app_id, JobId=created["Id"])
    assert got["ImportJobResponse"]["Definition"] == expected
    listed = pinpoint_client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]
    assert [job["Definition"] for job in listed["Item"]] == [expected]
    explicit = create_job("endpoints-basic.csv", ExternalId="ext-9", RegisterEndpoints=False,
                          DefineSegment=True, SegmentName="named")
    assert {k: explicit["Definition"][k] for k in
            ("DefineSegment", "ExternalId", "RegisterEndpoints", "SegmentName")} == {
        "DefineSegment": True, "ExternalId": "ext-9", "RegisterEndpoints": False,
        "SegmentName": "named"}
    done = finish(pinpoint_imports, pinpoint_client, app_id, explicit["Id"])
    assert done["Definition"] == explicit["Definition"]


def test_a_segments_import_definition_has_every_member_the_model_requires(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    """botocore's ``SegmentImportResource`` requires ExternalId, Format, RoleArn, S3Url and
    Size."""
    job = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="s")
    segment = pinpoint_client.get_segment(ApplicationId=app_id,
                                          SegmentId=job["Definition"]["SegmentId"])
    definition = segment["SegmentResponse"]["ImportDefinition"]
    assert definition == {
        "ChannelCounts": {"APNS": 1, "EMAIL": 5, "GCM": 1, "SMS": 3}, "ExternalId": ACCOUNT,
        "Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": BASIC, "Size": 10,
    }


def test_an_import_without_register_endpoints_registers_them(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    """``RegisterEndpoints`` omitted registers as ``true`` does: AWS's import tutorial and
    reference code import without the flag and then read the endpoints or update them by Id
    (awsdocs/amazon-pinpoint-developer-guide at 64bafba,
    doc-source/tutorials-importing-data-lambda-function-process-incoming.md calls GetEndpoint
    on endpoints an earlier import made; Ryanjlowe/amazon-pinpoint-datalake-segmentation,
    template.yaml imports ``Id,Attributes.*`` update files with neither flag "to keep data in
    Amazon Pinpoint up-to-date")."""
    s3.put_object(Bucket=BUCKET, Key="reg/first.csv",
                  Body=b"Id,ChannelType,Address,User.UserId,Attributes.Plan\n"
                       b"e1,EMAIL,a@example.com,u1,gold\ne2,SMS,+15550100,u1,free\n")
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": f"s3://{BUCKET}/reg/first.csv"})
    assert job["ImportJobResponse"]["Definition"]["RegisterEndpoints"] is True
    finish(pinpoint_imports, pinpoint_client, app_id, job["ImportJobResponse"]["Id"])
    endpoint = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="e1")
    assert endpoint["EndpointResponse"]["Attributes"] == {"Plan": ["gold"]}
    users = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u1")
    assert [i["Id"] for i in users["EndpointsResponse"]["Item"]] == ["e1", "e2"]
    # an update file of Ids only, as the data-lake pattern imports, now finds them
    s3.put_object(Bucket=BUCKET, Key="reg/update.csv", Body=b"Id,Attributes.Plan\ne2,gold\n")
    update = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": f"s3://{BUCKET}/reg/update.csv",
        "DefineSegment": False})
    done = finish(pinpoint_imports, pinpoint_client, app_id, update["ImportJobResponse"]["Id"])
    assert (done["JobStatus"], done["TotalFailures"]) == ("COMPLETED", 0)
    e2 = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="e2")["EndpointResponse"]
    assert (e2["Attributes"], e2["ChannelType"]) == ({"Plan": ["gold"]}, "SMS")


def test_segment_id_with_define_segment_refreshes_and_renames_the_segment(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    """``SegmentId`` with ``DefineSegment: true`` is accepted: the import makes a new version
    of that segment, and ``SegmentName`` renames it. Public code sends exactly this to refresh
    an imported segment (vicmusa/Scripts, awspinpoint/update_segment.py:
    DefineSegment, RegisterEndpoints and SegmentId together); botocore's
    ``ImportJobRequest.SegmentId``: "The identifier for the segment to update or add the
    imported endpoint definitions to"."""
    first = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="weekly")
    segment_id = first["Definition"]["SegmentId"]
    pinpoint_imports.advance(60)
    again = create_job("endpoints-basic.json", DefineSegment=True, SegmentId=segment_id)
    assert (again["Definition"]["SegmentId"], again["Definition"]["DefineSegment"]) == (
        segment_id, True)
    body = pinpoint_client.get_segment(ApplicationId=app_id,
                                       SegmentId=segment_id)["SegmentResponse"]
    assert (body["Version"], body["Name"], body["ImportDefinition"]["Format"]) == (
        2, "weekly", "JSON")
    renamed = create_job("endpoints-basic.csv", DefineSegment=True, SegmentId=segment_id,
                         SegmentName="weekly-2")
    assert renamed["Definition"]["SegmentName"] == "weekly-2"
    body = pinpoint_client.get_segment(ApplicationId=app_id,
                                       SegmentId=segment_id)["SegmentResponse"]
    assert (body["Version"], body["Name"]) == (3, "weekly-2")
    segments = pinpoint_client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"]
    assert [s["Id"] for s in segments] == [segment_id]  # no second segment was made
    jobs = pinpoint_client.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)
    assert len(jobs["ImportJobsResponse"]["Item"]) == 3


def test_refreshing_a_dimensional_segment_stays_a_400(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    """Import jobs import into IMPORT segments only (mock rule, kept by issue 10 item 3); the
    refused request creates no job and no version."""
    segment = pinpoint_client.create_segment(ApplicationId=app_id,
                                             WriteSegmentRequest={"Name": "dims"})
    segment_id = segment["SegmentResponse"]["Id"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        create_job("endpoints-basic.csv", DefineSegment=True, SegmentId=segment_id,
                   SegmentName="x")
    assert "names a DIMENSIONAL segment" in caught.value.response["Error"]["Message"]
    assert pinpoint_client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"][
        "Item"] == []
    again = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=segment_id)
    assert (again["SegmentResponse"]["Version"], again["SegmentResponse"]["Name"]) == (1, "dims")


def test_define_segment_without_a_name_creates_an_unnamed_segment(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    """AWS's own example imports a segment with DefineSegment and RegisterEndpoints but no
    SegmentName (awsdocs/amazon-pinpoint-developer-guide, doc-source/segments-importing.md,
    ``createImportSegment``); botocore's model does not require it. The mock makes the
    segment without ``Name`` (AWS's naming is unknown; ``Name`` is not required in
    ``SegmentResponse``)."""
    job = create_job("endpoints-basic.json", DefineSegment=True, RegisterEndpoints=True)
    assert "SegmentName" not in job["Definition"]
    segment = pinpoint_client.get_segment(ApplicationId=app_id,
                                          SegmentId=job["Definition"]["SegmentId"])
    assert "Name" not in segment["SegmentResponse"]
    assert segment["SegmentResponse"]["ImportDefinition"]["Size"] == 10


@pytest.mark.parametrize("member", ["DefineSegment", "RegisterEndpoints"])
def test_a_flag_that_is_not_a_boolean_is_a_400_and_changes_nothing(
    pinpoint_client: Any, app_id: str, create_job: CreateJob, member: str
) -> None:
    """``DefineSegment: "false"`` must not define a segment (issue 14): the member is a
    boolean in botocore's model."""
    loose = boto3.client("pinpoint", region_name="us-east-1",
                         config=Config(parameter_validation=False))
    with pytest.raises(loose.exceptions.BadRequestException) as caught:
        loose.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": BASIC, member: "false",
            "SegmentName": "s"})
    assert caught.value.response["Error"]["Message"] == (
        f"{member} must be true or false, got 'false'.")
    assert pinpoint_client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"] == []
    assert pinpoint_client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"][
        "Item"] == []
