"""Mock lifetimes: mocks started and stopped in any order, and moto's reset while active.

Whatever order nested mocks stop in, the environment comes back as it was (moto's fake
credentials do not stay in ``os.environ``) and the options in force are those of the mock
started last among the ones still active. A reset of moto while a mock is active (moto's
``/moto-api/reset``) resets the mock's data with moto's.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, Optional

import boto3
import pytest
import requests
from freezegun import freeze_time

from pinpoint_mock import Schedule, mock_pinpoint_imports
from tests.conftest import BUCKET, REGION, ROLE_ARN, SAMPLES

CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
STOP_ORDERS = list(itertools.permutations(range(3)))


def _environment() -> dict[str, Optional[str]]:
    return {name: os.environ.get(name) for name in CREDENTIALS}


@pytest.mark.parametrize("order", STOP_ORDERS, ids=lambda order: "-".join(map(str, order)))
@pytest.mark.parametrize("key", [None, "AKIAMINE"], ids=["unset", "set"])
def test_any_stop_order_gives_the_environment_back(
    order: tuple[int, ...], key: Optional[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if key is None:
        monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    else:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    before = _environment()
    mocks = [mock_pinpoint_imports().start() for _ in range(3)]
    assert os.environ["AWS_ACCESS_KEY_ID"] != key  # moto's fake credentials while active
    for index in order:
        mocks[index].stop()
    assert _environment() == before


def test_two_mocks_stopped_in_start_order_leave_no_fake_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    first = mock_pinpoint_imports().start()
    second = mock_pinpoint_imports().start()
    first.stop()
    assert os.environ.get("AWS_ACCESS_KEY_ID")  # the second one still serves
    second.stop()
    assert _environment() == {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


def test_a_moto_scope_of_the_users_own_keeps_its_credentials_after_ours_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto import mock_aws

    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        faked = _environment()
        with mock_pinpoint_imports():
            pass
        assert _environment() == faked
    assert _environment() == {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


@pytest.mark.parametrize("order", STOP_ORDERS, ids=lambda order: "-".join(map(str, order)))
def test_the_options_in_force_are_those_of_the_last_started_active_mock(
    order: tuple[int, ...],
) -> None:
    progressions = ("time", "per_read", "manual")
    mocks = [
        mock_pinpoint_imports(progression=progression, schedule=Schedule(per_piece=index + 1.0),
                              max_running_jobs=index + 1).start()
        for index, progression in enumerate(progressions)
    ]
    state = mocks[0]._active_state()
    active = [0, 1, 2]
    for index in order[:-1]:
        mocks[index].stop()
        active.remove(index)
        last = max(active)
        assert (state.settings.progression, state.settings.schedule.per_piece,
                state.settings.max_running_jobs) == (progressions[last], last + 1.0, last + 1)
    mocks[order[-1]].stop()


def _job_status_under_the_active_mock() -> str:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="in.csv",
                  Body=(SAMPLES / "endpoints-basic.csv").read_bytes())
    client = boto3.client("pinpoint", region_name=REGION)
    app_id = client.create_app(CreateApplicationRequest={"Name": "a"})["ApplicationResponse"]["Id"]
    job = client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": f"s3://{BUCKET}/in.csv", "RoleArn": ROLE_ARN})
    read = client.get_import_job(ApplicationId=app_id, JobId=job["ImportJobResponse"]["Id"])
    return str(read["ImportJobResponse"]["JobStatus"])


def test_a_mock_started_in_between_keeps_its_progression_when_the_others_stop_in_start_order(
    aws_credentials: None,
) -> None:
    outer = mock_pinpoint_imports(progression="manual").start()
    middle = mock_pinpoint_imports(progression="per_read").start()
    inner = mock_pinpoint_imports(progression="immediate").start()
    try:
        outer.stop()
        middle.stop()
        assert _job_status_under_the_active_mock() == "COMPLETED"  # immediate: the first read
    finally:
        inner.stop()


def _moto_reset() -> None:
    """moto's documented reset, as a test (or a client of the server) calls it."""
    response = requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=5)
    assert response.status_code == 200


@pytest.mark.pinpoint_imports(max_running_jobs=1)
def test_a_moto_reset_while_active_resets_the_mocks_data_with_motos(
    pinpoint_client: Any,
) -> None:
    with freeze_time("2026-03-01T10:00:00Z"):
        assert _job_status_under_the_active_mock() == "CREATED"
        apps = pinpoint_client.get_apps()["ApplicationsResponse"]["Item"]
        assert len(apps) == 1
        _moto_reset()
        assert pinpoint_client.get_apps()["ApplicationsResponse"]["Item"] == []
        with pytest.raises(pinpoint_client.exceptions.NotFoundException):
            pinpoint_client.get_import_jobs(ApplicationId=apps[0]["Id"])
        # A new app is known to the mock (it asked a stale app table before), and the job
        # that ran before the reset no longer holds the only running slot.
        assert _job_status_under_the_active_mock() == "CREATED"
