"""Per call: GetSegmentImportJobs (a page of 20 jobs) against its floor, in each of the three
states a test sees, and moto's GetApps (20 apps) against its own floor.

Contenders (wall clock, ``perf_counter``, each timed in blocks of calls back to back):

* **ours, CREATED** (just created) — ``mock_pinpoint_imports`` started, 20 jobs imported into
  one segment through boto3 (the ordinary path), then GetSegmentImportJobs at once, with no
  clock move: what a test that starts an import and polls at once pays. The schedule's CREATED
  stage lasts an hour here so that every read of a session shows CREATED (the default's lasts
  one second of the real clock, which a session on a loaded machine may outlast).
* **ours, PROCESSING** — the same with a schedule that keeps the jobs in PROCESSING (a piece a
  day) and the clock moved a minute (what a test polling a listing pays). Every read checks
  the clock against the page's jobs; the page's bytes are built again only when one of its
  jobs would show another view (:mod:`pinpoint_mock.backend.page_cache`).
* **ours, COMPLETED** — the same with the clock moved an hour, past the jobs' end.
* **floor** (one per state) — a boto3 client whose ``before-send`` handler returns the bytes
  and headers ``ours`` returned in that session, for the same URL: botocore's own cost of the
  call (serialising, signing, events, parsing) with nothing deciding the answer. moto's
  ``before-send`` handler (which every client created after ``import moto`` carries, and
  which the mock's transport wraps) is unregistered from this client, so that nothing of
  moto's or the mock's runs on its calls although the mock is active (checked: the mock's
  call log grows by the mocked calls alone).
* **moto** — ``mock_aws`` started, 20 apps created, then GetApps; **moto floor** — the floor
  client answering GetApps with the bytes moto returned.
* **moto via ours** (information) — GetApps under ``mock_pinpoint_imports``, which serves it
  over moto's apps (in the model's shape, paged): its cost against moto's own answer.

Method, made to stand a shared, loaded machine: a *session* starts the mock (or ``mock_aws``),
seeds its data (untimed), warms both contenders up, then times short blocks that alternate,
``F O F O ... O F`` (``pairs`` blocks of ``calls`` calls of ours, each between two floor
blocks: :func:`benchmarks._timing.bracketed_blocks`; tens of milliseconds a block), and
stops. Sessions of the three states and of moto run in an order that rotates. Each block of
ours gives one ratio, its time over the mean of the two floor blocks either side of it (a
drift linear over the three blocks cancels), and one overhead, its time less that mean; a
figure is the median over every block of every session. A load spike (a neighbour's job, a
lost time slice) spoils the one or two blocks it hits, which the median discards, where a
block of a quarter of a second would carry it into a whole round's ratio. gc stays on in
every block (the collections a call's own garbage causes are part of its cost); the young
generations are collected before each block, alike for both contenders.

Targets (issue 13, target 1), for each state: ours <= 1.05 x floor (median of the per-block
ratios); (ours - floor) <= 0.05 x (moto - moto floor) (the median per-block overhead of ours
over the median per-block overhead of moto).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

from moto import mock_aws

from benchmarks import _aws
from benchmarks._timing import (
    Figure,
    Target,
    bracketed_blocks,
    bracketed_differences,
    bracketed_ratios,
    median,
    ms,
    ratios,
    time_calls,
)
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
    """``sessions`` sessions per state (and of moto), each of ``pairs`` blocks of the mocked
    call between floor blocks (F O F O ... O F), ``calls`` calls a block, after ``warmup``
    untimed calls of each."""

    sessions: int
    pairs: int
    calls: int
    warmup: int = 20


FULL = Config(sessions=6, pairs=20, calls=25)
QUICK = Config(sessions=1, pairs=4, calls=10)
SMOKE = Config(sessions=1, pairs=1, calls=2, warmup=1)


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


@dataclass
class _Blocks:
    """The blocks of one contender pair over every session: seconds per call, per block."""

    floors: list[list[float]] = field(default_factory=list)  # per session, pairs + 1
    ours: list[list[float]] = field(default_factory=list)  # per session, pairs

    def add(self, blocks: tuple[list[float], list[float]]) -> None:
        self.floors.append(blocks[0])
        self.ours.append(blocks[1])

    def ratios(self) -> list[float]:
        return [r for f, o in zip(self.floors, self.ours) for r in bracketed_ratios(o, f)]

    def differences(self) -> list[float]:
        return [d for f, o in zip(self.floors, self.ours) for d in bracketed_differences(o, f)]

    def median_ours(self) -> float:
        return median([t for blocks in self.ours for t in blocks])

    def median_floor(self) -> float:
        return median([t for blocks in self.floors for t in blocks])


def run(config: Config = FULL) -> list[Figure]:
    pinpoint = _aws.client("pinpoint")  # served by whichever mock is active
    calls, warmup, pairs = config.calls, config.warmup, config.pairs

    def blocks(floor: Callable[[], Any], ours: Callable[[], Any]) -> tuple[list[float],
                                                                          list[float]]:
        time_calls(floor, warmup)
        time_calls(ours, warmup)
        return bracketed_blocks(floor, ours, calls, pairs)

    results: dict[str, _Blocks] = {state: _Blocks() for state in _STATES}
    moto_blocks = _Blocks()
    via: list[float] = []
    via_moto: list[float] = []

    def state_session(state: str) -> None:
        # The floor client answers with the bytes this session's mocked call returned, for
        # the same URL; moto's handler is off it, so nothing of the mock runs on its calls.
        floor = _aws.floor_client("pinpoint")
        with _mock(state) as mock:
            ids = _prepare(mock, pinpoint, state)
            ours = _listing(pinpoint, *ids)
            response = _aws.capture(pinpoint, "GetSegmentImportJobs", ours)
            shown = response.body.count(f'"JobStatus":"{state}"'.encode())
            if shown != JOBS:
                raise RuntimeError(
                    f"GetSegmentImportJobs showed {shown} jobs {state}, not {JOBS}.")
            _aws.add_floor(floor, "GetSegmentImportJobs", response)
            answered = len(mock.calls)
            floor_call = _listing(floor, *ids)
            session = blocks(floor_call, ours)
            mocked = warmup + calls * pairs  # the calls of ours the mock answered
            if len(mock.calls) - answered != mocked:
                raise RuntimeError("The mock answered a floor call (or missed one of ours).")
            last = mock.calls[-1].response_body.count(f'"JobStatus":"{state}"'.encode())
            if last != JOBS:
                raise RuntimeError(f"The last read showed {last} jobs {state}, not {JOBS}.")
        results[state].add(session)

    def moto_session() -> None:
        floor = _aws.floor_client("pinpoint")
        with mock_aws():
            _seed_apps(pinpoint)
            _aws.add_floor(floor, "GetApps",
                           _aws.capture(pinpoint, "GetApps", pinpoint.get_apps))
            moto_blocks.add(blocks(floor.get_apps, pinpoint.get_apps))
            via_moto.append(time_calls(pinpoint.get_apps, calls))
        with mock_pinpoint_imports():
            _seed_apps(pinpoint)
            time_calls(pinpoint.get_apps, warmup)
            via.append(time_calls(pinpoint.get_apps, calls))

    sessions: list[Callable[[], None]] = [moto_session]
    sessions += [functools.partial(state_session, state) for state in _STATES]
    for n in range(config.sessions):  # the order rotates from session to session
        for k in range(len(sessions)):
            sessions[(n + k) % len(sessions)]()

    moto_overhead = median(moto_blocks.differences())
    figures = []
    for state, found in results.items():
        t_ours, t_floor = found.median_ours(), found.median_floor()
        overhead = median(found.differences())
        figures += [
            Figure(
                NAME,
                f"GetSegmentImportJobs, page of {JOBS} jobs {state}: ours / floor",
                median(found.ratios()),
                f"ours {ms(t_ours)}, floor {ms(t_floor)}",
                RATIO_TARGET,
            ),
            Figure(
                NAME,
                f"  overhead, jobs {state}: (ours - floor) / (moto - moto floor)",
                overhead / moto_overhead,
                f"ours +{ms(overhead)}, moto +{ms(moto_overhead)}",
                SHARE_TARGET,
            ),
        ]
    figures += [
        Figure(
            NAME,
            f"moto GetApps, {APPS} apps: moto / moto floor",
            median(moto_blocks.ratios()),
            f"moto {ms(moto_blocks.median_ours())}, floor {ms(moto_blocks.median_floor())}",
        ),
        Figure(
            NAME,
            "GetApps served by our mock (over moto's apps) / moto's under mock_aws alone",
            median(ratios(via, via_moto)),
            f"via ours {ms(median(via))}, mock_aws {ms(median(via_moto))}",
        ),
    ]
    return figures
