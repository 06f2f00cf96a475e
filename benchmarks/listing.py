"""Listing scale: GetImportJobs pages (PageSize 100) of an app holding 100 jobs and of one
holding 100,000, in alternating rounds inside one mock.

Both apps live in the same mock, seeded through :func:`pinpoint_mock.backend.seeding.
seed_import_jobs` (finished jobs, no HTTP). The last page of the large app is reached with a
``NextToken`` obtained once by paging through (tokens stay valid for the mock's life). For
the 100-job app the first page is also the last, so both large-app pages are compared with it.
No floor is toggled here, so the mock stays on for every round.

The mock runs with ``progression="manual"``, under which no listing page is served from the
page cache (:mod:`pinpoint_mock.backend.page_cache`): every read finds its page in the listing
and joins its jobs' bytes (finished jobs: a manual read moves nothing), the work that could
grow with the number of jobs. Under the default ``"time"`` a page read again is the bytes
already built (the path :mod:`benchmarks.per_call` measures).

Target (issue #7): each 100,000-job page costs <= 1.5 x the 100-job page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from benchmarks import _aws
from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_calls, time_once
from pinpoint_mock import mock_pinpoint_imports
from pinpoint_mock.backend.seeding import seed_import_jobs

NAME = "listing"
PAGE = 100


@dataclass(frozen=True)
class Config:
    small: int
    large: int
    rounds: int
    calls: int
    warmup: int = 10


FULL = Config(small=100, large=100_000, rounds=15, calls=100)
QUICK = Config(small=100, large=10_000, rounds=3, calls=30)
SMOKE = Config(small=100, large=1_000, rounds=1, calls=2, warmup=1)


def _token_before_last_page(pinpoint: Any, app_id: str, jobs: int) -> Optional[str]:
    """The NextToken after which exactly the last ``PAGE`` jobs remain (big pages first)."""
    token: Optional[str] = None
    listed = 0
    while listed < jobs - PAGE:
        size = 1000 if jobs - PAGE - listed >= 1000 else PAGE
        kwargs = {"Token": token} if token else {}
        body = pinpoint.get_import_jobs(ApplicationId=app_id, PageSize=str(size), **kwargs)
        token = body["ImportJobsResponse"]["NextToken"]
        listed += size
    return token


def run(config: Config = FULL) -> list[Figure]:
    pinpoint = _aws.client("pinpoint")
    with mock_pinpoint_imports(progression="manual") as mock:  # every read builds its page
        backend = _aws.backend_of(mock)
        small = _aws.create_app(pinpoint, "small")
        large = _aws.create_app(pinpoint, "large")
        seed_import_jobs(backend, small, config.small)
        seeding = time_once(lambda: seed_import_jobs(backend, large, config.large))
        last_token = _token_before_last_page(pinpoint, large, config.large)

        def page(app_id: str, token: Optional[str]) -> Callable[[], Any]:
            kwargs = {"Token": token} if token else {}

            def call() -> Any:
                return pinpoint.get_import_jobs(ApplicationId=app_id, PageSize=str(PAGE), **kwargs)

            return call

        def contender(call: Callable[[], Any], last: bool) -> Callable[[], float]:
            response = call()["ImportJobsResponse"]
            if len(response["Item"]) != PAGE or ("NextToken" in response) == last:
                raise RuntimeError(
                    f"the page measured is not the one intended: {len(response['Item'])} "
                    f"items, NextToken {'present' if 'NextToken' in response else 'absent'}."
                )

            def measure() -> float:
                time_calls(call, config.warmup)
                return time_calls(call, config.calls)

            return measure

        small_page = contender(page(small, None), last=config.small <= PAGE)
        large_first = contender(page(large, None), last=False)
        large_last = contender(page(large, last_token), last=True)
        t_small, t_first, t_last = alternate(config.rounds, [small_page, large_first, large_last])

    target = Target("<=", 1.5)
    return [
        Figure(
            NAME,
            f"GetImportJobs first page: {config.large:,} jobs / {config.small} jobs",
            median(ratios(t_first, t_small)),
            f"{ms(median(t_first))} vs {ms(median(t_small))}",
            target,
        ),
        Figure(
            NAME,
            f"GetImportJobs last page: {config.large:,} jobs / {config.small} jobs",
            median(ratios(t_last, t_small)),
            f"{ms(median(t_last))} vs {ms(median(t_small))}",
            target,
        ),
        Figure(
            NAME,
            f"seeding {config.large:,} jobs (seed_import_jobs), per job",
            seeding / config.large * 1e6,
            f"{ms(seeding)} in all (ratio column: µs per job)",
        ),
    ]
