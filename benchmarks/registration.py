"""Import with registration (the default): rows/s against ``csv.DictReader``, and how that
rate scales from 25,000 to 250,000 rows, in alternating rounds inside one mock.

The files are :func:`benchmarks._aws.endpoints_csv` of 250,000 and of 25,000 rows (the smaller
is the first tenth of the larger), put in moto's S3 once, untimed. An import is timed from
CreateImportJob (``RegisterEndpoints`` omitted, so every endpoint is registered and kept
readable; ``DefineSegment``) through ``mock.advance`` past the job's end to GetImportJob, which
must show COMPLETED with every row imported, into an application of its own created before and
deleted after (untimed), so that every import registers new endpoints. Each round times:

* **ours, large**: one import of the 250,000-row file;
* **ours, small**: ten imports of the 25,000-row file in a row (each into its own
  application): the same rows in all and about the same time as the large one, so that a
  drift of the shared machine weighs on both alike;
* **baseline** (one for each): ``csv.DictReader`` iterating the same bytes as many times.

A small import runs first to warm the path up.

Targets (issue 13): at 250,000 rows, our rows/s >= 0.5 x DictReader's; rows/s importing
250,000 rows >= 0.9 x rows/s importing 25,000 (each round: t(ten small) / t(large)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from benchmarks import _aws
from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_once
from benchmarks.throughput import dict_reader, import_and_finish
from pinpoint_mock import mock_pinpoint_imports

NAME = "registration"


@dataclass(frozen=True)
class Config:
    rows: int
    small: int
    rounds: int


FULL = Config(rows=250_000, small=25_000, rounds=7)
QUICK = Config(rows=25_000, small=2_500, rounds=2)
SMOKE = Config(rows=300, small=30, rounds=1)


class _Registering:
    """Times registering imports of the files in one started mock, a new application each."""

    def __init__(self, mock: Any, pinpoint: Any) -> None:
        self.mock, self.pinpoint = mock, pinpoint
        self.s3 = _aws.client("s3")
        self.apps = 0
        warm = _aws.put_object(self.s3, "registration/warm-up.csv", _aws.endpoints_csv(200))
        self.time(warm, 200)

    def put(self, key: str, data: bytes) -> str:
        return _aws.put_object(self.s3, f"registration/{key}", data)

    def time(self, url: str, rows: int, times: int = 1) -> float:
        """Seconds of ``times`` imports of ``url`` in a row, each into a new application."""
        apps = []
        for _ in range(times):
            self.apps += 1
            apps.append(_aws.create_app(self.pinpoint, f"registration-{self.apps}"))
        results: list[dict[str, Any]] = []

        def jobs() -> None:
            for app_id in apps:
                results.append(import_and_finish(self.pinpoint, self.mock, app_id, url,
                                                 DefineSegment=True, SegmentName="registered"))

        seconds = time_once(jobs)
        for app_id in apps:
            self.pinpoint.delete_app(ApplicationId=app_id)
        for result in results:
            if (result["JobStatus"], result["TotalProcessed"], result["TotalFailures"]) != (
                "COMPLETED", rows, 0
            ) or result["Definition"]["RegisterEndpoints"] is not True:
                raise RuntimeError(
                    f"the import ended {result['JobStatus']} with "
                    f"{result.get('TotalProcessed')} of {rows} rows processed and "
                    f"{result.get('TotalFailures')} failures."
                )
        return seconds


def _baseline(data: bytes, rows: int, times: int = 1) -> Callable[[], float]:
    def measure() -> float:
        counted: list[int] = []

        def read() -> None:
            for _ in range(times):
                counted.append(dict_reader(data))

        seconds = time_once(read)
        if counted != [rows] * times:
            raise RuntimeError(f"DictReader read {counted} rows, not {rows}.")
        return seconds

    return measure


def run(config: Config = FULL) -> list[Figure]:
    large = _aws.endpoints_csv(config.rows)
    small = _aws.endpoints_csv(config.small)
    pinpoint = _aws.client("pinpoint")
    times = max(1, round(config.rows / config.small))
    with mock_pinpoint_imports() as mock:
        importer = _Registering(mock, pinpoint)
        large_url = importer.put("large.csv", large)
        small_url = importer.put("small.csv", small)
        t_large, t_base, t_smalls, t_small_bases = alternate(config.rounds, [
            lambda: importer.time(large_url, config.rows),
            _baseline(large, config.rows),
            lambda: importer.time(small_url, config.small, times),
            _baseline(small, config.small, times),
        ])
    scale = config.rows / (config.small * times)
    scaling = [scale * s / g for s, g in zip(t_smalls, t_large)]
    t_small = [t / times for t in t_smalls]
    return [
        Figure(
            NAME,
            f"import of {config.rows:,} rows ({len(large) / 1e6:.1f} MB), registering: "
            "rows/s ours / DictReader",
            median(ratios(t_base, t_large)),
            f"ours {config.rows / median(t_large):,.0f} rows/s ({ms(median(t_large))}), "
            f"DictReader {config.rows / median(t_base):,.0f} rows/s ({ms(median(t_base))})",
            Target(">=", 0.5),
        ),
        Figure(
            NAME,
            f"  the same at {config.small:,} rows: rows/s ours / DictReader",
            median(ratios(t_small_bases, t_smalls)),
            f"ours {config.small / median(t_small):,.0f} rows/s ({ms(median(t_small))}), "
            f"DictReader {config.small * times / median(t_small_bases):,.0f} rows/s "
            f"({times} imports in a row)",
        ),
        Figure(
            NAME,
            f"  scaling: rows/s at {config.rows:,} / rows/s at {config.small:,}",
            median(scaling),
            f"per-round spread {min(scaling):.3g}-{max(scaling):.3g}",
            Target(">=", 0.9),
        ),
    ]
