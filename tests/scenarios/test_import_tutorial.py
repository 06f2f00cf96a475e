"""The developer guide's tutorial "Setting up an endpoint import process": incoming spreadsheets
are split into parts, each part is rewritten into Pinpoint's columns under
``processed/<name>/``, and when every part is there one import job imports the folder into a
new segment, unless an import job already used that folder.

Source: awsdocs/amazon-pinpoint-developer-guide at commit 64bafba (the tutorial was removed
later), doc-source/tutorials-importing-data-lambda-function-import-job.md (``check_import_jobs``
lists the jobs and compares ``Definition.S3Url``; ``create_import_job`` imports
``s3://bucket/processed/<name>`` with DefineSegment and RegisterEndpoints) and
doc-source/tutorials-importing-data-lambda-function-process-incoming.md (the output header,
and ``check_endpoint_exists``: GetEndpoint on the address used as Id, keeping the existing
endpoint's ``User.UserId``). Paraphrased; nothing is copied.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from tests.scenarios.conftest import ROLE_ARN

HEADER = ["ChannelType", "Address", "Id", "User.UserAttributes.City",
          "User.UserAttributes.Region", "User.UserAttributes.PostalCode", "Location.Country",
          "User.UserAttributes.FirstName", "User.UserAttributes.LastName",
          "User.UserAttributes.LeadSource", "User.UserId"]


def endpoint_user(client: Any, project_id: str, address: str) -> str | None:
    """check_endpoint_exists: the UserId of the endpoint whose Id is this address, if any."""
    try:
        response = client.get_endpoint(ApplicationId=project_id, EndpointId=address)
    except client.exceptions.NotFoundException:
        return None
    return str(response["EndpointResponse"]["User"]["UserId"])


def process_part(client: Any, project_id: str, rows: list[dict[str, str]]) -> bytes:
    """The processing function: one output row per address, a user ID shared by a person's
    rows (reused from Pinpoint when the address is already an endpoint)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        user_id = str(uuid.uuid4())
        for channel, address in (("EMAIL", row.get("email")), ("SMS", row.get("phone"))):
            if not address:
                continue
            user_id = endpoint_user(client, project_id, address) or user_id
            writer.writerow([channel, address, address, row["city"], row["region"],
                             row["postal"], row["country"], row["first"], row["last"],
                             "Web", user_id])
    return out.getvalue().encode()


def already_imported(client: Any, project_id: str, s3_url: str) -> bool:
    """check_import_jobs: any job whose Definition.S3Url is this folder."""
    items = client.get_import_jobs(ApplicationId=project_id)["ImportJobsResponse"]["Item"]
    return s3_url in [item["Definition"]["S3Url"] for item in items]


def create_job(client: Any, project_id: str, s3_url: str) -> dict[str, Any]:
    """create_import_job: the segment is named after the folder (the URL's fifth part)."""
    response = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": True, "Format": "CSV", "RegisterEndpoints": True, "RoleArn": ROLE_ARN,
        "S3Url": s3_url, "SegmentName": s3_url.split("/")[4]})
    return dict(response["ImportJobResponse"])


def on_processed_file(mock: Any, client: Any, s3: Any, project_id: str, key: str
                      ) -> dict[str, Any] | None:
    """The import function for one S3 event: import the folder once all parts are there."""
    folder = key.rsplit("/", 1)[0]
    parts = int(key.split("__of")[1].split("_processed")[0])
    if s3.list_objects_v2(Bucket="audience-drop", Prefix=folder)["KeyCount"] != parts:
        return None
    s3_url = f"s3://audience-drop/{folder}"
    if already_imported(client, project_id, s3_url):
        return None
    return create_job(client, project_id, s3_url)


def person(first: str, email: str, phone: str) -> dict[str, str]:
    return {"first": first, "last": "Example", "email": email, "phone": phone,
            "city": "Seattle", "region": "WA", "postal": "98101", "country": "US"}


def test_two_parts_make_one_segment_and_a_second_event_makes_no_second_job(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """Both parts are imported by one job over the folder (a prefix without a trailing slash,
    as the tutorial builds it); the job's ``Definition.S3Url`` is the URL as sent, so the
    duplicate check of the second event finds it."""
    people = [person("Ana", "ana@example.com", "+12065550101"),
              person("Bo", "bo@example.com", ""), person("Cy", "", "+12065550103")]
    keys = ["processed/contacts/contacts__part1__of2_processed.csv",
            "processed/contacts/contacts__part2__of2_processed.csv"]
    s3.put_object(Bucket="audience-drop", Key=keys[0],
                  Body=process_part(pinpoint_client, project_id, people[:2]))
    assert on_processed_file(pinpoint_imports, pinpoint_client, s3, project_id, keys[0]) is None
    s3.put_object(Bucket="audience-drop", Key=keys[1],
                  Body=process_part(pinpoint_client, project_id, people[2:]))
    job = on_processed_file(pinpoint_imports, pinpoint_client, s3, project_id, keys[1])
    assert job is not None and job["JobStatus"] == "CREATED"
    assert job["Definition"]["S3Url"] == "s3://audience-drop/processed/contacts"
    assert on_processed_file(pinpoint_imports, pinpoint_client, s3, project_id, keys[1]) is None
    pinpoint_imports.advance(3600)
    done = pinpoint_client.get_import_job(ApplicationId=project_id, JobId=job["Id"])
    assert (done["ImportJobResponse"]["JobStatus"], done["ImportJobResponse"]["TotalPieces"],
            done["ImportJobResponse"]["TotalProcessed"]) == ("COMPLETED", 2, 4)
    segment = pinpoint_client.get_segment(ApplicationId=project_id,
                                          SegmentId=job["Definition"]["SegmentId"])
    assert segment["SegmentResponse"]["Name"] == "contacts"
    assert segment["SegmentResponse"]["ImportDefinition"]["ChannelCounts"] == {"EMAIL": 2,
                                                                                "SMS": 2}


def test_a_later_spreadsheet_reuses_the_user_ids_of_known_addresses(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """The processing step looks each address up with GetEndpoint: the endpoints an earlier
    import registered are found, so a returning customer keeps one user ID."""
    first = "processed/week1/week1__part1__of1_processed.csv"
    s3.put_object(Bucket="audience-drop", Key=first, Body=process_part(
        pinpoint_client, project_id, [person("Ana", "ana@example.com", "+12065550101")]))
    on_processed_file(pinpoint_imports, pinpoint_client, s3, project_id, first)
    pinpoint_imports.advance(3600)
    user_id = endpoint_user(pinpoint_client, project_id, "ana@example.com")
    assert user_id is not None
    second = "processed/week2/week2__part1__of1_processed.csv"
    s3.put_object(Bucket="audience-drop", Key=second, Body=process_part(
        pinpoint_client, project_id, [person("Ana", "ana@example.com", "+12065550199")]))
    job = on_processed_file(pinpoint_imports, pinpoint_client, s3, project_id, second)
    assert job is not None
    pinpoint_imports.advance(3600)
    endpoints = pinpoint_client.get_user_endpoints(ApplicationId=project_id, UserId=user_id)
    assert sorted(e["Address"] for e in endpoints["EndpointsResponse"]["Item"]) == [
        "+12065550101", "+12065550199", "ana@example.com"]
