"""Job status over the clock on the default schedule: dates, completion time, pieces.

The clock-library matrix is in test_clock.py, the progressions in test_progression.py.
"""

from __future__ import annotations

from typing import Any, Callable

from freezegun import freeze_time

CreateJob = Callable[..., dict[str, Any]]


def _status(client: Any, app_id: str, job_id: str) -> dict[str, Any]:
    return dict(client.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"])


def test_freezegun_tick_and_move_to_drive_the_job(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    with freeze_time("2026-03-01T10:00:00Z") as frozen:
        job = create_job("endpoints-basic.csv")
        assert job["CreationDate"] == "2026-03-01T10:00:00.000Z"
        frozen.tick(2)
        assert _status(pinpoint_client, app_id, job["Id"])["JobStatus"] == "INITIALIZING"
        frozen.move_to("2026-03-01T10:01:00Z")
        done = _status(pinpoint_client, app_id, job["Id"])
    assert done["JobStatus"] == "COMPLETED"
    assert done["CompletionDate"] == "2026-03-01T10:00:12.000Z"


def test_a_job_of_1000_endpoints_completes_within_60_seconds(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any, create_job: CreateJob
) -> None:
    rows = "".join(f"EMAIL,user{i}@example.com\n" for i in range(1000))
    s3.put_object(Bucket="audience-files", Key="big/1000.csv",
                  Body=("ChannelType,Address\n" + rows).encode())
    with freeze_time("2026-03-01T10:00:00Z") as frozen:
        job = create_job("s3://audience-files/big/1000.csv")
        frozen.tick(60)
        done = _status(pinpoint_client, app_id, job["Id"])
    assert (done["JobStatus"], done["TotalProcessed"], done["CompletedPieces"]) == (
        "COMPLETED", 1000, done["TotalPieces"])


def test_completed_pieces_grow_during_processing(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any, create_job: CreateJob
) -> None:
    rows = "".join(f"SMS,+1555000{i:04d}\n" for i in range(300))
    s3.put_object(Bucket="audience-files", Key="big/300.csv",
                  Body=("ChannelType,Address\n" + rows).encode())
    with freeze_time("2026-03-01T10:00:00Z") as frozen:
        job = create_job("s3://audience-files/big/300.csv")
        pieces = []
        for _ in range(14):
            frozen.tick(1)
            body = _status(pinpoint_client, app_id, job["Id"])
            if body["JobStatus"] == "PROCESSING":
                pieces.append(body["CompletedPieces"])
    assert job["TotalPieces"] == 3
    assert pieces == sorted(pieces) and pieces[0] == 0 and pieces[-1] == 2


