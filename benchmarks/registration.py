"""Import with registration (the default): rows/s against ``csv.DictReader``, and how that
rate scales from 25,000 to 250,000 rows, in alternating rounds inside one mock.

The files are :func:`benchmarks._aws.endpoints_csv` of 250,000 and of 25,000 rows (the smaller
is the first tenth of the larger), put in moto's S3 once, untimed. A round of **ours** creates
an application, then times CreateImportJob (``RegisterEndpoints`` omitted, so every endpoint
is registered and kept readable; ``DefineSegment``), ``mock.advance`` past the job's end and
GetImportJob, which must show COMPLETED with every row imported; the application is deleted
afterwards, untimed, so that every round registers new endpoints. A round of the
**baseline** iterates ``csv.DictReader`` over the same bytes. A small import warms the path up
first.

Targets (issue 13): at 250,000 rows, our rows/s >= 0.5 x DictReader's; rows/s at 250,000 >=
0.9 x rows/s at 25,000 (each round: 10 x t(25,000) / t(250,000)).
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


FULL = Config(rows=250_000, small=25_000, rounds=5)
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

    def time(self, url: str, rows: int) -> float:
        self.apps += 1
        app_id = _aws.create_app(self.pinpoint, f"registration-{self.apps}")
        result: dict[str, Any] = {}

        def job() -> None:
            result.update(import_and_finish(self.pinpoint, self.mock, app_id, url,
                                            DefineSegment=True, SegmentName="registered"))

        seconds = time_once(job)
        self.pinpoint.delete_app(ApplicationId=app_id)
        if (result["JobStatus"], result["TotalProcessed"], result["TotalFailures"]) != (
            "COMPLETED", rows, 0
        ) or result["Definition"]["RegisterEndpoints"] is not True:
            raise RuntimeError(
                f"the import ended {result['JobStatus']} with {result.get('TotalProcessed')} "
                f"of {rows} rows processed and {result.get('TotalFailures')} failures."
            )
        return seconds


def _baseline(data: bytes, rows: int) -> Callable[[], float]:
    def measure() -> float:
        counted: list[int] = []
        seconds = time_once(lambda: counted.append(dict_reader(data)))
        if counted != [rows]:
            raise RuntimeError(f"DictReader read {counted} rows, not {rows}.")
        return seconds

    return measure


def run(config: Config = FULL) -> list[Figure]:
    large = _aws.endpoints_csv(config.rows)
    small = _aws.endpoints_csv(config.small)
    pinpoint = _aws.client("pinpoint")
    with mock_pinpoint_imports() as mock:
        importer = _Registering(mock, pinpoint)
        large_url = importer.put("large.csv", large)
        small_url = importer.put("small.csv", small)
        t_large, t_base, t_small, t_small_base = alternate(config.rounds, [
            lambda: importer.time(large_url, config.rows),
            _baseline(large, config.rows),
            lambda: importer.time(small_url, config.small),
            _baseline(small, config.small),
        ])
    scale = config.rows / config.small
    scaling = [scale * s / g for s, g in zip(t_small, t_large)]
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
            median(ratios(t_small_base, t_small)),
            f"ours {config.small / median(t_small):,.0f} rows/s ({ms(median(t_small))}), "
            f"DictReader {config.small / median(t_small_base):,.0f} rows/s",
        ),
        Figure(
            NAME,
            f"  scaling: rows/s at {config.rows:,} / rows/s at {config.small:,}",
            median(scaling),
            f"per-round spread {min(scaling):.3g}-{max(scaling):.3g}",
            Target(">=", 0.9),
        ),
    ]
