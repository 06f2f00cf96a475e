"""AWS's reference architecture "Amazon S3 Triggered Endpoint Imports": a file lands in S3, a
Step Functions state machine starts an import that defines a segment named after the file,
then polls the job every 5 seconds until it is COMPLETED or FAILED and publishes the job.

Source: aws-samples/digital-user-engagement-reference-architectures,
cloudformation/Amazon_S3_triggered_import.yaml (ImportSegmentLambda, ImportSegmentStatusLambda,
the state machine's Wait / Choice states) and README.md ("This could be used in a nightly batch
process to update all Pinpoint Endpoints with the most recent data and preferences").
The handlers below paraphrase the Lambdas' calls; nothing else of theirs is used.
"""

from __future__ import annotations

import os
from typing import Any

from tests.scenarios.conftest import ROLE_ARN


def import_segment(client: Any, project_id: str, s3_url: str, file_format: str) -> dict[str, str]:
    """ImportSegmentLambda: DefineSegment with the file's name, no RegisterEndpoints, and the
    job's Id, SegmentId and ExternalId read from the create response."""
    response = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": True, "Format": file_format, "RoleArn": ROLE_ARN, "S3Url": s3_url,
        "SegmentName": os.path.basename(s3_url)})
    job = response["ImportJobResponse"]
    return {"ImportId": job["Id"], "SegmentId": job["Definition"]["SegmentId"],
            "ExternalId": job["Definition"]["ExternalId"]}


def import_status(client: Any, project_id: str, import_id: str) -> dict[str, Any]:
    """ImportSegmentStatusLambda: GetImportJob, the same three members plus the status."""
    job = client.get_import_job(ApplicationId=project_id, JobId=import_id)["ImportJobResponse"]
    return {"ImportId": job["Id"], "SegmentId": job["Definition"]["SegmentId"],
            "ExternalId": job["Definition"]["ExternalId"], "Status": job["JobStatus"],
            "ResponseFormatted": job}


def run_state_machine(mock: Any, client: Any, project_id: str, s3_url: str,
                      file_format: str = "CSV") -> tuple[str, dict[str, Any], int]:
    """ImportSegment -> (Wait 5 s -> ImportSegmentStatus -> Choice)*; returns the final state,
    the last status output and the number of polls."""
    state = import_segment(client, project_id, s3_url, file_format)
    polls = 0
    while True:
        mock.advance(5)  # the Wait state
        status = import_status(client, project_id, state["ImportId"])
        polls += 1
        if status["Status"] == "FAILED":
            return "ImportSegmentFailed", status, polls
        if status["Status"] == "COMPLETED":
            return "ImportSegmentSuccess", status, polls
        assert polls < 1000, "the job never finished"


def test_a_dropped_csv_file_becomes_a_segment_and_updates_the_endpoints(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """The success branch: the segment is named after the file, the job reports its counts,
    ExternalId is the account id (the request had none), and the imported endpoints are
    registered (the README's nightly "update all Pinpoint Endpoints")."""
    s3.put_object(Bucket="audience-drop", Key="import/nightly-2026-03-01.csv", Body=(
        b"ChannelType,Address,Id,User.UserId,Attributes.Preference\n"
        b"EMAIL,pat@example.com,pat-email,pat,weekly\n"
        b"SMS,+12065550111,pat-sms,pat,daily\n"
        b"EMAIL,sam@example.com,sam-email,sam,monthly\n"))
    url = "s3://audience-drop/import/nightly-2026-03-01.csv"
    final, status, polls = run_state_machine(pinpoint_imports, pinpoint_client, project_id, url)
    assert final == "ImportSegmentSuccess" and polls >= 2
    assert status["ExternalId"] == "123456789012"
    job = status["ResponseFormatted"]
    assert (job["TotalProcessed"], job["TotalFailures"], job["FailedPieces"]) == (3, 0, 0)
    segment = pinpoint_client.get_segment(ApplicationId=project_id,
                                          SegmentId=status["SegmentId"])["SegmentResponse"]
    assert (segment["Name"], segment["SegmentType"]) == ("nightly-2026-03-01.csv", "IMPORT")
    assert segment["ImportDefinition"]["Size"] == 3
    users = pinpoint_client.get_user_endpoints(ApplicationId=project_id, UserId="pat")
    assert [item["Id"] for item in users["EndpointsResponse"]["Item"]] == ["pat-email", "pat-sms"]


def test_a_file_of_bad_rows_ends_in_the_failure_branch(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """The failure branch: a JSON file none of whose lines imports makes the job FAILED, with
    the reasons in ``Failures`` for the notification."""
    s3.put_object(Bucket="audience-drop", Key="import/broken.json",
                  Body=b'{"ChannelType":"EMAIL"}\n{"Address":"+12065550112"}\n')
    final, status, _ = run_state_machine(pinpoint_imports, pinpoint_client, project_id,
                                         "s3://audience-drop/import/broken.json", "JSON")
    assert final == "ImportSegmentFailed"
    job = status["ResponseFormatted"]
    assert (job["TotalProcessed"], job["TotalFailures"], job["FailedPieces"]) == (2, 2, 1)
    assert job["Failures"] == [
        "s3://audience-drop/import/broken.json line 1: Address is required for a new endpoint "
        "(no Id).",
        "s3://audience-drop/import/broken.json line 2: ChannelType is required for a new "
        "endpoint (no Id).",
    ]
