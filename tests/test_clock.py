"""Clock rules through boto3, for freezegun and time-machine alike (one parametrized matrix),
and without any time library (``mock.advance``): status follows ``time.time()`` plus the mock's
offset, never goes backwards, survives travelling back and leaving a frozen block, and dates are
UTC whatever the local zone. Nothing here sleeps on the real clock."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Optional, Protocol
from zoneinfo import ZoneInfo

import pytest
import time_machine
from freezegun import freeze_time

from pinpoint_mock import Schedule

CreateJob = Callable[..., dict[str, Any]]
T = datetime(2026, 3, 1, 10, 0, 0, tzinfo=timezone.utc)
ISO_T = "2026-03-01T10:00:00.000Z"


class Clock(Protocol):
    """What a test does with a time library: move by seconds, or jump to an instant."""

    def shift(self, seconds: float) -> None: ...

    def move_to(self, when: datetime) -> None: ...


class _Freezegun:
    def __init__(self, frozen: Any) -> None:
        self.frozen = frozen

    def shift(self, seconds: float) -> None:
        self.frozen.tick(seconds)

    def move_to(self, when: datetime) -> None:
        self.frozen.move_to(when)


class _TimeMachine:
    def __init__(self, traveller: Any) -> None:
        self.traveller = traveller

    def shift(self, seconds: float) -> None:
        self.traveller.shift(seconds)

    def move_to(self, when: datetime) -> None:
        self.traveller.move_to(when)


@contextlib.contextmanager
def freezegun_at(when: datetime) -> Iterator[Clock]:
    with freeze_time(when) as frozen:
        yield _Freezegun(frozen)


@contextlib.contextmanager
def time_machine_at(when: datetime) -> Iterator[Clock]:
    with time_machine.travel(when, tick=False) as traveller:
        yield _TimeMachine(traveller)


LIBRARIES: dict[str, Callable[[datetime], contextlib.AbstractContextManager[Clock]]] = {
    "freezegun": freezegun_at,
    "time-machine": time_machine_at,
}


@pytest.fixture(params=list(LIBRARIES))
def frozen_at(request: pytest.FixtureRequest) -> Callable[[datetime], Any]:
    """``with frozen_at(instant) as clock:`` under freezegun, then under time-machine."""
    return LIBRARIES[request.param]


@pytest.fixture
def read(pinpoint_client: Any, app_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def read(job: dict[str, Any]) -> dict[str, Any]:
        response = pinpoint_client.get_import_job(ApplicationId=app_id, JobId=job["Id"])
        return dict(response["ImportJobResponse"])

    return read


Read = Callable[[dict[str, Any]], dict[str, Any]]


@contextlib.contextmanager
def local_zone(name: Optional[str]) -> Iterator[None]:
    """Set the process's local time zone (``TZ``), restored afterwards."""
    old = os.environ.get("TZ")
    if name is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


# -- the clock drives the status -----------------------------------------------------------------


def test_status_follows_the_frozen_clock_stage_by_stage(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    with frozen_at(T) as clock:
        job = create_job("endpoints-basic.csv")
        seen = [job["JobStatus"]]
        for seconds in (0.999, 0.001, 3.999, 0.001, 2, 4.999, 0.001):
            clock.shift(seconds)
            seen.append(read(job)["JobStatus"])
        done = read(job)
    assert seen == ["CREATED", "CREATED", "INITIALIZING", "INITIALIZING", "PROCESSING",
                    "COMPLETING", "COMPLETING", "COMPLETED"]
    assert (done["CreationDate"], done["CompletionDate"]) == (ISO_T, "2026-03-01T10:00:12.000Z")


def test_move_to_jumps_to_the_stage_of_that_instant(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    with frozen_at(T) as clock:
        job = create_job("endpoints-basic.csv")
        clock.move_to(T + timedelta(seconds=6))
        assert read(job)["JobStatus"] == "PROCESSING"
        clock.move_to(T + timedelta(days=3))
        assert read(job)["JobStatus"] == "COMPLETED"


def test_mock_advance_adds_to_the_frozen_clock(
    frozen_at: Callable[[datetime], Any], pinpoint_imports: Any, create_job: CreateJob,
    read: Read,
) -> None:
    with frozen_at(T) as clock:
        job = create_job("endpoints-basic.csv")
        clock.shift(3)
        pinpoint_imports.advance(2)
        assert read(job)["JobStatus"] == "PROCESSING"  # 3 + 2 = 5 s
        assert pinpoint_imports.now() == T.timestamp() + 5


def test_without_a_time_library_mock_advance_moves_the_job(
    pinpoint_imports: Any, create_job: CreateJob, read: Read
) -> None:
    job = create_job("endpoints-basic.csv")  # the real clock: only milliseconds pass below
    seen = [job["JobStatus"]]
    for seconds in (2.5, 3.5, 2.5, 100):
        pinpoint_imports.advance(seconds=seconds)
        seen.append(read(job)["JobStatus"])
    assert seen == ["CREATED", "INITIALIZING", "PROCESSING", "COMPLETING", "COMPLETED"]
    done = read(job)
    created = datetime.strptime(done["CreationDate"], "%Y-%m-%dT%H:%M:%S.%fZ")
    completed = datetime.strptime(done["CompletionDate"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs((completed - created).total_seconds() - 12) <= 0.001


def test_freezegun_tick_true_runs_from_the_frozen_instant(
    pinpoint_imports: Any, create_job: CreateJob, read: Read
) -> None:
    with freeze_time(T, tick=True):
        job = create_job("endpoints-basic.csv")
        assert read(job)["JobStatus"] == "CREATED"
        pinpoint_imports.advance(60)
        done = read(job)
    assert done["JobStatus"] == "COMPLETED"
    assert done["CreationDate"].startswith("2026-03-01T10:00:00.")


def test_status_is_not_computed_from_time_monotonic(
    monkeypatch: pytest.MonkeyPatch, create_job: CreateJob, read: Read
) -> None:
    # time-machine leaves time.monotonic alone, so it can be skewed here on purpose.
    real_monotonic = time.monotonic
    with time_machine.travel(T, tick=False) as traveller:
        job = create_job("endpoints-basic.csv")
        monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + 86_400.0)
        assert read(job)["JobStatus"] == "CREATED"  # a day of monotonic time: no move
        monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() - 86_400.0)
        traveller.shift(6)
        assert read(job)["JobStatus"] == "PROCESSING"  # six seconds of time.time(): moved


# -- travelling back, leaving a frozen block, several freezes ------------------------------------


def test_travelling_back_before_creation_keeps_what_was_shown(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    with frozen_at(T) as clock:
        job = create_job("s3://audience-files/samples/endpoints-basic.csv")
        clock.shift(6)
        shown = read(job)
        clock.move_to(T - timedelta(days=400))
        assert read(job) == shown  # same status, same counts: nothing regresses
        clock.move_to(T + timedelta(seconds=7))
        assert read(job)["JobStatus"] == "COMPLETING"


def test_travelling_back_before_any_read_shows_the_first_stage(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    with frozen_at(T) as clock:
        job = create_job("endpoints-basic.csv")
        clock.move_to(T - timedelta(hours=1))
        assert read(job)["JobStatus"] == "CREATED"
        clock.move_to(T + timedelta(seconds=1))
        assert read(job)["JobStatus"] == "INITIALIZING"


def test_leaving_a_freeze_in_the_future_neither_crashes_nor_regresses(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    future = datetime(2100, 1, 1, tzinfo=timezone.utc)
    with frozen_at(future) as clock:
        job = create_job("endpoints-basic.csv")
        clock.shift(2)
        assert read(job)["JobStatus"] == "INITIALIZING"
    again = read(job)  # real time is now decades before the job's creation
    assert again["JobStatus"] == "INITIALIZING" and "CompletionDate" not in again


def test_leaving_a_freeze_in_the_past_finds_the_job_ended_on_schedule(
    frozen_at: Callable[[datetime], Any], create_job: CreateJob, read: Read
) -> None:
    with frozen_at(datetime(2001, 5, 4, 3, 2, 1, tzinfo=timezone.utc)):
        job = create_job("endpoints-basic.csv")
        assert read(job)["JobStatus"] == "CREATED"
    done = read(job)  # real time is now decades after the job's creation
    assert (done["JobStatus"], done["CompletionDate"]) == ("COMPLETED", "2001-05-04T03:02:13.000Z")


@pytest.mark.parametrize("reader", list(LIBRARIES))
def test_a_job_created_under_one_freeze_is_read_under_another(
    frozen_at: Callable[[datetime], Any], reader: str, create_job: CreateJob, read: Read
) -> None:
    with frozen_at(T):
        job = create_job("endpoints-basic.csv")
    with LIBRARIES[reader](T + timedelta(seconds=6)):
        assert read(job)["JobStatus"] == "PROCESSING"
    with LIBRARIES[reader](T + timedelta(seconds=2)):
        assert read(job)["JobStatus"] == "PROCESSING"  # an earlier freeze: no regression
    with frozen_at(T + timedelta(minutes=5)):
        assert read(job)["JobStatus"] == "COMPLETED"


# -- local time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham"])
def test_a_non_utc_local_zone_changes_neither_timing_nor_dates(
    frozen_at: Callable[[datetime], Any], zone: str, create_job: CreateJob, read: Read
) -> None:
    with local_zone(zone), frozen_at(T) as clock:
        job = create_job("endpoints-basic.csv")
        clock.shift(1)
        assert read(job)["JobStatus"] == "INITIALIZING"
        clock.shift(11)
        done = read(job)
    assert (done["CreationDate"], done["CompletionDate"]) == (ISO_T, "2026-03-01T10:00:12.000Z")


def test_freezegun_tz_offset_does_not_shift_dates(create_job: CreateJob, read: Read) -> None:
    with freeze_time("2026-03-01 10:00:00", tz_offset=-3) as frozen:
        job = create_job("endpoints-basic.csv")
        frozen.tick(5)
        assert read(job)["JobStatus"] == "PROCESSING"
    assert job["CreationDate"] == ISO_T


def test_time_machine_travel_to_a_zoned_instant_uses_its_utc_time(
    create_job: CreateJob, read: Read
) -> None:
    sao_paulo = datetime(2026, 3, 1, 7, 0, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # 10:00Z
    with time_machine.travel(sao_paulo, tick=False) as traveller:
        assert time.localtime().tm_hour == 7  # time-machine set TZ for the block
        job = create_job("endpoints-basic.csv")
        traveller.shift(12)
        done = read(job)
    assert (job["CreationDate"], done["CompletionDate"]) == (ISO_T, "2026-03-01T10:00:12.000Z")


# -- the end of the calendar ---------------------------------------------------------------------

LAST = "9999-12-31T23:59:59.999Z"


def test_advancing_past_year_9999_is_refused_and_the_clock_stays(
    pinpoint_imports: Any, create_job: CreateJob, read: Read
) -> None:
    with freeze_time(T):
        job = create_job("endpoints-basic.csv")
        room = 253402300799.999 - T.timestamp()
        with pytest.raises(ValueError) as caught:
            pinpoint_imports.advance(1e18)
        assert str(caught.value) == (
            "advance(1e+18) would take the mock's clock past 9999-12-31T23:59:59.999Z, the last "
            f"date Pinpoint's dates can show; advance by at most {room:.3f} seconds."
        )
        assert pinpoint_imports.now() == T.timestamp()
        assert read(job)["CreationDate"] == ISO_T
        pinpoint_imports.advance(room)  # exactly to the last date: allowed
        done = read(job)
        with pytest.raises(ValueError, match="at most 0.000 seconds"):
            pinpoint_imports.advance(1)
        later = create_job("endpoints-basic.csv")
    assert (done["JobStatus"], done["CompletionDate"]) == ("COMPLETED", "2026-03-01T10:00:12.000Z")
    assert later["CreationDate"] == LAST
    datetime.fromisoformat(later["CreationDate"].replace("Z", "+00:00"))


@pytest.mark.pinpoint_imports(schedule=Schedule(created=1e300))
def test_a_job_at_the_end_of_the_calendar_reads_and_never_escapes(
    pinpoint_imports: Any, create_job: CreateJob, read: Read
) -> None:
    with freeze_time("9999-12-31T23:59:50Z"):
        job = create_job("endpoints-basic.csv")
        pinpoint_imports.advance(9.999)
        shown = read(job)
    assert (shown["JobStatus"], shown["CreationDate"]) == ("CREATED", "9999-12-31T23:59:50.000Z")


@pytest.mark.parametrize(("seconds", "shown"), [
    (1e308, "1e+308"),  # * 1000 is inf: round() raised OverflowError
    (2.0 ** 1023, "8.98846567431158e+307"),
    (10 ** 400, "a whole number of about 401 digits"),  # no float holds it
    (10 ** 5000, "a whole number of about 5,001 digits"),  # repr() refuses past 4,300 digits
], ids=["1e308", "2**1023", "10**400", "10**5000"])
def test_an_advance_of_any_size_is_the_documented_value_error(
    pinpoint_imports: Any, create_job: CreateJob, read: Read, seconds: float, shown: str,
) -> None:
    """``mock.advance(seconds)`` past the last date is the documented one-sentence ValueError
    for every size of number, and the clock is unchanged: 1e308 and 10**400 raised
    OverflowError. Source: ``PinpointImportsMock.advance``'s docstring; issue 14."""
    with freeze_time(T):
        job = create_job("endpoints-basic.csv")
        with pytest.raises(ValueError) as caught:
            pinpoint_imports.advance(seconds)
        assert str(caught.value) == (
            f"advance({shown}) would take the mock's clock past 9999-12-31T23:59:59.999Z, the "
            "last date Pinpoint's dates can show; advance by at most "
            f"{253402300799.999 - T.timestamp():.3f} seconds.")
        assert pinpoint_imports.now() == T.timestamp()
        assert read(job)["JobStatus"] == "CREATED"
    with pytest.raises(ValueError, match=r"^advance\(\) takes a finite number of seconds >= 0, "
                                         r"got a negative whole number of about 5,001 digits\.$"):
        pinpoint_imports.advance(-10 ** 5000)


@pytest.mark.parametrize("value", [10 ** 400, float("inf"), float("nan"), -1e-9],
                         ids=["10**400", "inf", "nan", "negative"])
def test_a_schedule_duration_no_float_holds_is_a_value_error(value: float) -> None:
    """A ``Schedule`` duration is a finite number of seconds >= 0; 10**400 (no float holds it)
    raised OverflowError from ``math.isfinite``. Source: ``Schedule``'s docstring."""
    with pytest.raises(ValueError, match=r"^Schedule\.per_piece must be a finite number of "
                                         r"seconds >= 0, got "):
        Schedule(per_piece=value)
