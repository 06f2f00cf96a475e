"""Per call: GetSegmentImportJobs (a page of 20 jobs) against its floor, in each of the three
states a test sees, and moto's GetApps (20 apps) against its own floor, in alternating rounds.

Contenders, each a block of ``calls`` calls timed back to back (wall clock, ``perf_counter``):

* **ours, CREATED** (just created) — ``mock_pinpoint_imports`` started, 20 jobs imported into
  one segment through boto3 (the ordinary path), then GetSegmentImportJobs at once, with no
  clock move: what a test that starts an import and polls at once pays. The schedule's CREATED
  stage lasts an hour here so that every read of the block shows CREATED (the default's lasts
  one second of the real clock, which a block of calls on a loaded machine may outlast).
* **ours, PROCESSING** — the same with a schedule that keeps the jobs in PROCESSING (a piece a
  day) and the clock moved a minute: every read moves each job along the clock and picks its
  view (what a test polling a listing pays).
* **ours, COMPLETED** — the same with the clock moved an hour, past the jobs' end.
* **floor** (one per state) — a client created while no mock is active, whose ``before-send``
  handler returns the bytes and headers ``ours`` returned in that state.
* **moto** — ``mock_aws`` started, 20 apps created, then GetApps.
* **moto floor** — the floor client answering GetApps with the bytes moto returned.
* **moto via ours** (information) — GetApps under ``mock_pinpoint_imports``, which serves it
  over moto's apps (in the model's shape, paged): its cost against moto's own answer.

Each contender runs in a block of its own: interleaving ours call by call with moto's
allocation-heavy calls would put moto's garbage collection into our figure.

Why the mock is started and stopped in every round rather than kept on while the floor is
timed: the floor must run with nothing patched — while a mock is active the wrapper of moto's
``before-send`` handler runs on the floor client's requests too (every client created after
``import moto`` carries it), which would put part of the mock's cost into the floor. The
mock's data does not survive its stop, so each round seeds its own (untimed) and warms up.

Targets (issue 13, target 1), for each state: ours <= 1.05 x floor; (ours - floor) <= 0.05 x
(moto - moto floor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from moto import mock_aws

from benchmarks import _aws
from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_calls
from pinpoint_mock import PinpointImportsMock, Schedule, mock_pinpoint_imports

NAME = "per_call"
JOBS = 20
APPS = 20
_SMALL_CSV = b"ChannelType,Address\nEMAIL,ana@example.com\nSMS,+15555550101\n"
_STATES: dict[str, tuple[Schedule, float]] = {
    # state: (schedule, seconds to advance after the jobs are created)
    "CREATED": (Schedule(created=3600.0), 0.0),
    "PROCESSING": (Schedule(per_piece=86_400.0), 60.0),
    "COMPLETED": (Schedule(), 3600.0),
}
RATIO_TARGET = Target("<=", 1.05)
"""ours / floor, in each state (issue 13, target 1)."""
SHARE_TARGET = Target("<=", 0.05)
"""(ours - floor) / (moto - moto floor), in each state (issue 13, target 1)."""


@dataclass(frozen=True)
class Config:
    rounds: int
    calls: int
    warmup: int = 20


FULL = Config(rounds=15, calls=250)
QUICK = Config(rounds=2, calls=50)
SMOKE = Config(rounds=1, calls=2, warmup=1)


def _seed_jobs(pinpoint: Any, s3: Any) -> tuple[str, str]:
    """An app with one IMPORT segment that ``JOBS`` import jobs imported into."""
    url = _aws.put_object(s3, "per-call/endpoints.csv", _SMALL_CSV)
    app_id = _aws.create_app(pinpoint, "per-call")
    request = {"Format": "CSV", "S3Url": url, "RoleArn": _aws.ROLE_ARN}
    first = pinpoint.create_import_job(
        ApplicationId=app_id,
        ImportJobRequest={**request, "DefineSegment": True, "SegmentName": "per-call"},
    )["ImportJobResponse"]
    segment_id = first["Definition"]["SegmentId"]
    for _ in range(JOBS - 1):
        pinpoint.create_import_job(
            ApplicationId=app_id, ImportJobRequest={**request, "SegmentId": segment_id}
        )
    return app_id, segment_id


def _seed_apps(pinpoint: Any) -> None:
    for n in range(APPS):
        _aws.create_app(pinpoint, f"app-{n}")


def _listing(client: Any, app_id: str, segment_id: str) -> Callable[[], Any]:
    def call() -> Any:
        return client.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)

    return call


def _mock(state: str) -> PinpointImportsMock:
    return mock_pinpoint_imports(schedule=_STATES[state][0])


def _prepare(mock: PinpointImportsMock, pinpoint: Any, state: str) -> tuple[str, str]:
    """Seed the jobs and move the clock until they show ``state``."""
    ids = _seed_jobs(pinpoint, _aws.client("s3"))
    seconds = _STATES[state][1]
    if seconds:
        mock.advance(seconds)
    return ids


def run(config: Config = FULL) -> list[Figure]:
    pinpoint = _aws.client("pinpoint")  # served by whichever mock is active
    floor = _aws.client("pinpoint")  # created with no mock active; answered by its handlers
    calls, warmup = config.calls, config.warmup

    def timed(call: Callable[[], Any]) -> float:
        time_calls(call, warmup)
        return time_calls(call, calls)

    def ours(state: str) -> Callable[[], float]:
        def measure() -> float:
            with _mock(state) as mock:
                return timed(_listing(pinpoint, *_prepare(mock, pinpoint, state)))

        return measure

    def ours_floor(state: str) -> Callable[[], float]:
        # The floor answers with the bytes a mocked call returned, for the same URL; it needs
        # its own client per state because its handler is registered per operation.
        client = _aws.client("pinpoint")
        with _mock(state) as mock:
            ids = _prepare(mock, pinpoint, state)
            response = _aws.capture(pinpoint, "GetSegmentImportJobs", _listing(pinpoint, *ids))
        shown = response.body.count(f'"JobStatus":"{state}"'.encode())
        if shown != JOBS:
            raise RuntimeError(f"GetSegmentImportJobs showed {shown} jobs {state}, not {JOBS}.")
        _aws.add_floor(client, "GetSegmentImportJobs", response)
        call = _listing(client, *ids)
        return lambda: timed(call)

    with mock_aws():
        _seed_apps(pinpoint)
        _aws.add_floor(floor, "GetApps", _aws.capture(pinpoint, "GetApps", pinpoint.get_apps))

    def moto() -> float:
        with mock_aws():
            _seed_apps(pinpoint)
            return timed(pinpoint.get_apps)

    def moto_via_ours() -> float:
        with mock_pinpoint_imports():
            _seed_apps(pinpoint)
            return timed(pinpoint.get_apps)

    states = list(_STATES)
    contenders = [moto, lambda: timed(floor.get_apps), moto_via_ours]
    for state in states:
        contenders += [ours(state), ours_floor(state)]
    t_moto, t_mfloor, t_via, *t_states = alternate(config.rounds, contenders)

    figures = []
    for n, state in enumerate(states):
        t_ours, t_floor = t_states[2 * n], t_states[2 * n + 1]
        share = [(o - f) / (m - mf) for o, f, m, mf in zip(t_ours, t_floor, t_moto, t_mfloor)]
        figures += [
            Figure(
                NAME,
                f"GetSegmentImportJobs, page of {JOBS} jobs {state}: ours / floor",
                median(ratios(t_ours, t_floor)),
                f"ours {ms(median(t_ours))}, floor {ms(median(t_floor))}",
                RATIO_TARGET,
            ),
            Figure(
                NAME,
                f"  overhead, jobs {state}: (ours - floor) / (moto - moto floor)",
                median(share),
                f"ours +{ms(median(t_ours) - median(t_floor))}, "
                f"moto +{ms(median(t_moto) - median(t_mfloor))}",
                SHARE_TARGET,
            ),
        ]
    figures += [
        Figure(
            NAME,
            f"moto GetApps, {APPS} apps: moto / moto floor",
            median(ratios(t_moto, t_mfloor)),
            f"moto {ms(median(t_moto))}, floor {ms(median(t_mfloor))}",
        ),
        Figure(
            NAME,
            "GetApps served by our mock (over moto's apps) / moto's under mock_aws alone",
            median(ratios(t_via, t_moto)),
            f"via ours {ms(median(t_via))}, mock_aws {ms(median(t_moto))}",
        ),
    ]
    return figures
