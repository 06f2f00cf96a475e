"""Job status over the clock: freezegun, time-machine, mock.advance; dates in UTC."""

from __future__ import annotations

import os
import time
from typing import Any, Callable

import time_machine
from freezegun import freeze_time

CreateJob = Callable[..., dict[str, Any]]


def _status(client: Any, app_id: str, job_id: str) -> dict[str, Any]:
    return dict(client.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"])


def test_status_moves_through_the_happy_path_with_mock_advance(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    with freeze_time("2026-03-01T10:00:00Z"):
        job = create_job("endpoints-basic.csv")
        seen = [job["JobStatus"]]
        for _ in range(40):
            pinpoint_imports.advance(1)
            status = _status(pinpoint_client, app_id, job["Id"])["JobStatus"]
            if status != seen[-1]:
                seen.append(status)
    assert seen == ["CREATED", "INITIALIZING", "PROCESSING", "COMPLETING", "COMPLETED"]


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


def test_time_machine_drives_the_job(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    with time_machine.travel("2026-05-01T08:00:00Z", tick=False) as traveller:
        job = create_job("endpoints-basic.csv")
        traveller.shift(6)
        assert _status(pinpoint_client, app_id, job["Id"])["JobStatus"] == "PROCESSING"
        traveller.shift(60)
        assert _status(pinpoint_client, app_id, job["Id"])["JobStatus"] == "COMPLETED"


def test_travelling_back_before_creation_neither_crashes_nor_regresses(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    with freeze_time("2026-03-01T10:00:00Z") as frozen:
        job = create_job("endpoints-basic.csv")
        frozen.tick(30)
        assert _status(pinpoint_client, app_id, job["Id"])["JobStatus"] == "COMPLETED"
        frozen.move_to("2025-01-01T00:00:00Z")
        assert _status(pinpoint_client, app_id, job["Id"])["JobStatus"] == "COMPLETED"


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


def test_dates_are_utc_whatever_the_local_time_zone(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/Sao_Paulo"
    time.tzset()
    try:
        with freeze_time("2026-03-01T23:30:00.250Z"):
            job = create_job("endpoints-basic.csv")
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert job["CreationDate"] == "2026-03-01T23:30:00.250Z"
