"""Per call: GetSegmentImportJobs (a page of 20 jobs) against its floor, and moto's GetApps
(20 apps) against its own floor, in alternating rounds.

Contenders, each a round of ``calls`` calls timed back to back:

* **ours** — ``mock_pinpoint_imports`` started, 20 jobs imported into one segment through
  boto3 (the ordinary path), the clock advanced past their end, then GetSegmentImportJobs.
* **floor** — a client created while no mock is active, whose ``before-send`` handler returns
  the bytes and headers ``ours`` returned.
* **moto** — ``mock_aws`` started, 20 apps created, then GetApps.
* **moto floor** — the floor client answering GetApps with the bytes moto returned.
* **moto via ours** (information) — GetApps under ``mock_pinpoint_imports``: what the mock's
  wrapper of moto's handler adds to a call it does not serve.

Why the mock is started and stopped in every round rather than kept on while the floor is
timed: the floor must run with nothing patched — while a mock is active the wrapper of moto's
``before-send`` handler runs on the floor client's requests too (every client created after
``import moto`` carries it), which would put part of the mock's cost into the floor. The
mock's data does not survive its stop, so each round seeds its own (untimed) and warms up.

Targets (issue #7): ours <= 1.10 x floor; (ours - floor) <= 0.10 x (moto - moto floor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from moto import mock_aws

from benchmarks import _aws
from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_calls
from pinpoint_mock import mock_pinpoint_imports

NAME = "per_call"
JOBS = 20
APPS = 20
_SMALL_CSV = b"ChannelType,Address\nEMAIL,ana@example.com\nSMS,+15555550101\n"


@dataclass(frozen=True)
class Config:
    rounds: int
    calls: int
    warmup: int = 20


FULL = Config(rounds=15, calls=300)
QUICK = Config(rounds=3, calls=100)
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


def run(config: Config = FULL) -> list[Figure]:
    pinpoint = _aws.client("pinpoint")  # served by whichever mock is active
    floor = _aws.client("pinpoint")  # created with no mock active; answered by its handlers
    calls, warmup = config.calls, config.warmup

    def ours_call(client: Any, app_id: str, segment_id: str) -> Callable[[], Any]:
        def call() -> Any:
            return client.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)

        return call

    def ours_setup() -> Callable[[], Any]:
        return ours_call(pinpoint, *_seed_jobs(pinpoint, _aws.client("s3")))

    # Capture the bytes the floors return: one mocked call of each.
    with mock_pinpoint_imports() as mock:
        ids = _seed_jobs(pinpoint, _aws.client("s3"))
        call = ours_call(pinpoint, *ids)
        mock.advance(3600)
        ours_response = _aws.capture(pinpoint, "GetSegmentImportJobs", call)
    with mock_aws():
        _seed_apps(pinpoint)
        moto_response = _aws.capture(pinpoint, "GetApps", pinpoint.get_apps)
    items = ours_response.body.count(b'"JobStatus":"COMPLETED"')
    if items != JOBS:
        raise RuntimeError(f"GetSegmentImportJobs returned {items} completed jobs, not {JOBS}.")
    _aws.add_floor(floor, "GetSegmentImportJobs", ours_response)
    _aws.add_floor(floor, "GetApps", moto_response)
    floor_ours = ours_call(floor, *ids)  # the same URL as ours

    def ours() -> float:
        with mock_pinpoint_imports() as mock:
            call = ours_setup()
            mock.advance(3600)
            time_calls(call, warmup)
            return time_calls(call, calls)

    def ours_floor() -> float:
        time_calls(floor_ours, warmup)
        return time_calls(floor_ours, calls)

    def moto() -> float:
        with mock_aws():
            _seed_apps(pinpoint)
            time_calls(pinpoint.get_apps, warmup)
            return time_calls(pinpoint.get_apps, calls)

    def moto_floor() -> float:
        time_calls(floor.get_apps, warmup)
        return time_calls(floor.get_apps, calls)

    def moto_via_ours() -> float:
        with mock_pinpoint_imports():
            _seed_apps(pinpoint)
            time_calls(pinpoint.get_apps, warmup)
            return time_calls(pinpoint.get_apps, calls)

    t_ours, t_floor, t_moto, t_mfloor, t_via = alternate(
        config.rounds, [ours, ours_floor, moto, moto_floor, moto_via_ours]
    )
    overhead_share = [
        (o - f) / (m - mf) for o, f, m, mf in zip(t_ours, t_floor, t_moto, t_mfloor)
    ]
    return [
        Figure(
            NAME,
            f"GetSegmentImportJobs, page of {JOBS} jobs: ours / floor",
            median(ratios(t_ours, t_floor)),
            f"ours {ms(median(t_ours))}, floor {ms(median(t_floor))}",
            Target("<=", 1.10),
        ),
        Figure(
            NAME,
            "our overhead / moto's overhead (ours - floor) / (moto - moto floor)",
            median(overhead_share),
            f"ours +{ms(median(t_ours) - median(t_floor))}, "
            f"moto +{ms(median(t_moto) - median(t_mfloor))}",
            Target("<=", 0.10),
        ),
        Figure(
            NAME,
            f"moto GetApps, {APPS} apps: moto / moto floor",
            median(ratios(t_moto, t_mfloor)),
            f"moto {ms(median(t_moto))}, floor {ms(median(t_mfloor))}",
        ),
        Figure(
            NAME,
            "moto GetApps passed through our mock / under mock_aws alone",
            median(ratios(t_via, t_moto)),
            f"via ours {ms(median(t_via))}, mock_aws {ms(median(t_moto))}",
        ),
    ]
