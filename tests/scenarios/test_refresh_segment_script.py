"""A Lambda that refreshes an imported segment: one CreateImportJob with DefineSegment,
RegisterEndpoints and the SegmentId of the segment to refresh, and no SegmentName.

Source: vicmusa/Scripts, awspinpoint/update_segment.py (independent code). AWS documents the
same refresh for its reference architectures: "create a static import segment from these
results that is updated daily" (aws-samples/digital-user-engagement-reference-architectures,
README.md, "Advanced Segmentation with S3"). Paraphrased.
"""

from __future__ import annotations

from typing import Any

from tests.scenarios.conftest import ROLE_ARN


def refresh(client: Any, project_id: str, segment_id: str) -> dict[str, Any]:
    response = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": True, "Format": "CSV", "RegisterEndpoints": True, "RoleArn": ROLE_ARN,
        "S3Url": "s3://audience-drop/final_contact_list.csv", "SegmentId": segment_id})
    return dict(response["ImportJobResponse"])


def test_the_refresh_makes_a_new_version_of_the_same_segment(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    s3.put_object(Bucket="audience-drop", Key="contacts.csv",
                  Body=b"ChannelType,Address\nSMS,+12065550120\nSMS,+12065550121\n")
    first = pinpoint_client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": True, "Format": "CSV", "RoleArn": ROLE_ARN, "SegmentName": "contacts",
        "S3Url": "s3://audience-drop/contacts.csv"})["ImportJobResponse"]
    segment_id = first["Definition"]["SegmentId"]
    s3.put_object(Bucket="audience-drop", Key="final_contact_list.csv",
                  Body=b"ChannelType,Address\nSMS,+12065550120\nSMS,+12065550122\n"
                       b"EMAIL,new@example.com\n")
    job = refresh(pinpoint_client, project_id, segment_id)
    assert job["Definition"]["SegmentId"] == segment_id
    pinpoint_imports.advance(3600)
    done = pinpoint_client.get_import_job(ApplicationId=project_id, JobId=job["Id"])
    assert done["ImportJobResponse"]["JobStatus"] == "COMPLETED"
    segment = pinpoint_client.get_segment(ApplicationId=project_id,
                                          SegmentId=segment_id)["SegmentResponse"]
    assert (segment["Version"], segment["Name"]) == (2, "contacts")
    assert segment["ImportDefinition"]["Size"] == 3
    assert segment["ImportDefinition"]["ChannelCounts"] == {"SMS": 2, "EMAIL": 1}
