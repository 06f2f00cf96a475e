"""An AWS solutions architect's test of import patterns: eight import jobs started at once, one
per file, each polled every second until COMPLETED; and one job over a prefix holding the eight
files. Neither sends RegisterEndpoints.

Source: Ryanjlowe/pinpoint-import-testing, pinpoint-chunk-segment-importer.js (``import_chunk``:
CreateImportJob with DefineSegment and the file name as SegmentName, then GetImportJob every
second until ``JobStatus === 'COMPLETED'``; it never checks FAILED), README.md (the three
tests) and split0.csv (its columns: Id, ChannelType, Address, Attributes.PreferredChannel,
User.UserId, User.UserAttributes.FirstName). Paraphrased; the files are generated.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3

from tests.scenarios.conftest import REGION, ROLE_ARN

ROWS = 250  # per file; the original has about 9,400


def split_file(part: int) -> bytes:
    lines = [b"Id,ChannelType,Address,Attributes.PreferredChannel,User.UserId,"
             b"User.UserAttributes.FirstName"]
    for n in range(part * ROWS, (part + 1) * ROWS):
        lines.append(b"endpoint%d,EMAIL,person%d@example.com,Yes,%d,%s"
                     % (n, n, n, b"Jane" if n % 2 else b"Joe"))
    return b"\n".join(lines) + b"\n"


def import_chunk(mock: Any, project_id: str, s3_url: str, name: str, lock: threading.Lock
                 ) -> dict[str, Any]:
    """import_chunk: one client per call, as each Lambda promise makes its calls."""
    client = boto3.client("pinpoint", region_name=REGION)
    created = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "DefineSegment": True, "S3Url": s3_url,
        "SegmentName": name})["ImportJobResponse"]
    for _ in range(100_000):
        job = client.get_import_job(ApplicationId=project_id,
                                    JobId=created["Id"])["ImportJobResponse"]
        if job["JobStatus"] == "COMPLETED":
            return dict(job)
        assert job["JobStatus"] != "FAILED", job["Failures"]
        with lock:
            mock.advance(1)  # setInterval(..., 1000)
    raise AssertionError("the job never completed")


def test_eight_parallel_jobs_and_one_prefix_job_import_every_endpoint(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """Test 2 (eight jobs at once) and test 3 (one job over the prefix ``test``, given without
    a trailing slash): every job completes, each segment holds its file, the prefix job reads
    all eight files, and the endpoints are registered (no RegisterEndpoints was sent)."""
    for part in range(8):
        body = split_file(part)
        s3.put_object(Bucket="audience-drop", Key=f"split{part}.csv", Body=body)
        s3.put_object(Bucket="audience-drop", Key=f"test/split{part}.csv", Body=body)
    results: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(part: int) -> None:
        try:
            name = f"split{part}.csv"
            results[name] = import_chunk(pinpoint_imports, project_id,
                                         f"s3://audience-drop/{name}", name, lock)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(part,)) for part in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [f"split{part}.csv" for part in range(8)]
    for name, job in results.items():
        assert (job["TotalProcessed"], job["TotalFailures"], job["TotalPieces"]) == (ROWS, 0, 3)
        segment = pinpoint_client.get_segment(ApplicationId=project_id,
                                              SegmentId=job["Definition"]["SegmentId"])
        assert (segment["SegmentResponse"]["Name"],
                segment["SegmentResponse"]["ImportDefinition"]["Size"]) == (name, ROWS)
    prefix = import_chunk(pinpoint_imports, project_id, "s3://audience-drop/test", "test", lock)
    assert (prefix["TotalProcessed"], prefix["TotalPieces"]) == (8 * ROWS, 8 * 3)
    last = pinpoint_client.get_endpoint(ApplicationId=project_id,
                                        EndpointId=f"endpoint{8 * ROWS - 1}")["EndpointResponse"]
    assert last["User"] == {"UserId": str(8 * ROWS - 1),
                            "UserAttributes": {"FirstName": ["Jane"]}}
    assert last["Attributes"] == {"PreferredChannel": ["Yes"]}
