"""The developer guide's import examples, run as a reader would: upload an endpoint file,
create the import job, poll GetImportJob until COMPLETED or FAILED, print the failures; and the
"Importing segments" example that defines a segment while registering.

Sources: awsdocs/amazon-pinpoint-developer-guide, doc-source/audience-define-import.md (the CSV
and JSON example files; the AWS CLI request with ``RegisterEndpoints=true``; the example
create and get responses; the Java ``ImportEndpoints`` loop: poll every 3 s until COMPLETED or
FAILED, then read ``getFailures()`` "if any exist") and doc-source/segments-importing.md
(``createImportSegment``: DefineSegment and RegisterEndpoints true, Format JSON, no
SegmentName). Example data is rewritten, not copied.
"""

from __future__ import annotations

import json
from typing import Any

from tests.scenarios.conftest import ROLE_ARN

# The guide's examples: a phone number without "+", ISO 3166 alpha-3 countries (CAN, USA).
CSV_FILE = (b"ChannelType,Address,Location.Country,Demographic.Platform,Demographic.Make,"
            b"User.UserId\n"
            b"SMS,12065550190,CAN,Android,LG,reader-1\n"
            b"APNS,0a1b2c3d4e5f60718293a4b5c6d7e8f9,USA,iOS,Apple,reader-2\n"
            b"EMAIL,riley.reader@example.com,USA,iOS,Apple,reader-2\n")
JSON_FILE = b"".join(json.dumps(line).encode() + b"\n" for line in [
    {"ChannelType": "SMS", "Address": "12065550190", "Location": {"Country": "CAN"},
     "Demographic": {"Platform": "Android", "Make": "LG"}, "User": {"UserId": "reader-1"}},
    {"ChannelType": "APNS", "Address": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
     "Location": {"Country": "USA"}, "Demographic": {"Platform": "iOS", "Make": "Apple"},
     "User": {"UserId": "reader-2"}},
    {"ChannelType": "EMAIL", "Address": "riley.reader@example.com",
     "Location": {"Country": "USA"}, "Demographic": {"Platform": "iOS", "Make": "Apple"},
     "User": {"UserId": "reader-2"}},
])


def import_endpoints(mock: Any, client: Any, project_id: str, s3_url: str, fmt: str
                     ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The Java example: create, poll every 3 seconds, collect the failures if any."""
    created = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "S3Url": s3_url, "RegisterEndpoints": True, "RoleArn": ROLE_ARN,
        "Format": fmt})["ImportJobResponse"]
    while True:
        job = client.get_import_job(ApplicationId=project_id,
                                    JobId=created["Id"])["ImportJobResponse"]
        if job["JobStatus"] in ("COMPLETED", "FAILED"):
            break
        mock.advance(3)  # TimeUnit.SECONDS.sleep(3)
    return created, job, list(job.get("Failures") or [])


def test_the_csv_and_json_examples_import_as_the_guide_shows(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """The mock answers in the shape of the guide's example responses: ``Definition`` with
    ``DefineSegment: false``, an ``ExternalId`` (the account id), ``RegisterEndpoints: true``;
    a COMPLETED job with one piece and three endpoints processed. Neither the phone number
    without "+" nor the alpha-3 countries of the guide's own files are refused."""
    for key, body, fmt in (("imports/endpoints.csv", CSV_FILE, "CSV"),
                           ("imports/endpoints.json", JSON_FILE, "JSON")):
        s3.put_object(Bucket="audience-drop", Key=key, Body=body)
        url = f"s3://audience-drop/{key}"
        created, job, failures = import_endpoints(pinpoint_imports, pinpoint_client, project_id,
                                                  url, fmt)
        assert created["JobStatus"] == "CREATED" and created["Type"] == "IMPORT"
        assert created["Definition"] == {"DefineSegment": False, "ExternalId": "123456789012",
                                         "Format": fmt, "RegisterEndpoints": True,
                                         "RoleArn": ROLE_ARN, "S3Url": url}
        assert {k: job[k] for k in ("CompletedPieces", "FailedPieces", "JobStatus",
                                    "TotalFailures", "TotalPieces", "TotalProcessed")} == {
            "CompletedPieces": 1, "FailedPieces": 0, "JobStatus": "COMPLETED",
            "TotalFailures": 0, "TotalPieces": 1, "TotalProcessed": 3}
        assert job["CompletionDate"] > job["CreationDate"]
        assert failures == []
    users = pinpoint_client.get_user_endpoints(ApplicationId=project_id, UserId="reader-2")
    items = users["EndpointsResponse"]["Item"]
    assert sorted(i["ChannelType"] for i in items) == ["APNS", "EMAIL"]
    assert {i["Location"]["Country"] for i in items} == {"USA"}


def test_importing_a_segment_without_a_name_defines_one(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """``createImportSegment`` sends DefineSegment and RegisterEndpoints but no SegmentName;
    the mock defines the segment (without ``Name``: what AWS named it is not documented)."""
    s3.put_object(Bucket="audience-drop", Key="segments/audience.json", Body=JSON_FILE)
    job = pinpoint_client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": True, "RegisterEndpoints": True, "RoleArn": ROLE_ARN,
        "Format": "JSON", "S3Url": "s3://audience-drop/segments/audience.json",
    })["ImportJobResponse"]
    segment = pinpoint_client.get_segment(ApplicationId=project_id,
                                          SegmentId=job["Definition"]["SegmentId"])
    body = segment["SegmentResponse"]
    assert (body["SegmentType"], body["ImportDefinition"]["Size"]) == ("IMPORT", 3)
    assert "Name" not in body
