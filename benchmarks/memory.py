"""Memory of imports, measured with tracemalloc against the size of the imported file.

* **Not registering** (``RegisterEndpoints`` false): the peak during the import of the
  throughput benchmark's file. The file must stream: decoding it whole, or holding its rows,
  would show here. Target (issue #7): peak <= 0.05 x the file's size.
* **Registering** (the default), for the throughput benchmark's file
  (:func:`benchmarks._aws.endpoints_csv`, 12 columns) and for a file of many short columns
  (:func:`benchmarks._aws.short_columns_csv`, 45 columns, 40 of one or two characters): what
  the mock still holds once the import is over (tracemalloc's current size after
  ``gc.collect()``: the endpoints, their users' index, the job and the segment) and the peak
  during the import. Targets (issue 13): held <= 3.0 x the file's size, peak <= 4.0 x, and
  held per endpoint at 250,000 rows <= 1.1 x held per endpoint at 25,000.

Each measurement starts from the same state: the file's bytes already in moto's S3, an import
of a small file done before (the path warmed up), a new application, then ``gc.collect()``
and ``tracemalloc.start()``; CreateImportJob, ``mock.advance``, GetImportJob to COMPLETED.
The application is deleted afterwards. Memory does not depend on the machine's load: a
registering import is measured once per file (``rounds`` for the one that does not register).
"""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable

from benchmarks import _aws
from benchmarks._timing import Figure, Target, median
from benchmarks.throughput import import_and_finish
from pinpoint_mock import mock_pinpoint_imports

NAME = "memory"


@dataclass(frozen=True)
class Config:
    rows: int
    small: int
    rounds: int


FULL = Config(rows=250_000, small=25_000, rounds=3)
QUICK = Config(rows=10_000, small=1_000, rounds=1)
SMOKE = Config(rows=300, small=30, rounds=1)


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


class _Traced:
    """Imports in one started mock, each into a new application, traced."""

    def __init__(self, mock: Any) -> None:
        self.mock = mock
        self.pinpoint = _aws.client("pinpoint")
        self.s3 = _aws.client("s3")
        self.apps = 0
        warm = _aws.put_object(self.s3, "memory/warm-up.csv", _aws.endpoints_csv(200))
        for register in (False, True):
            self.measure(warm, 200, register)

    def put(self, key: str, make: Callable[[int], bytes], rows: int) -> tuple[str, int]:
        """Put the file of ``rows`` rows in S3 (its bytes are not kept here); URL and size."""
        data = make(rows)
        return _aws.put_object(self.s3, f"memory/{key}", data), len(data)

    def measure(self, url: str, rows: int, register: bool) -> tuple[int, int]:
        """``(held, peak)`` in bytes of one import of ``url`` into a new application."""
        self.apps += 1
        app_id = _aws.create_app(self.pinpoint, f"memory-{self.apps}")
        gc.collect()
        tracemalloc.start()
        try:
            job = import_and_finish(self.pinpoint, self.mock, app_id, url, DefineSegment=True,
                                    SegmentName="memory", RegisterEndpoints=register)
            peak = tracemalloc.get_traced_memory()[1]
            gc.collect()
            held = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        self.pinpoint.delete_app(ApplicationId=app_id)
        if (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"]) != (
            "COMPLETED", rows, 0
        ):
            raise RuntimeError(f"the import ended {job['JobStatus']} with "
                               f"{job.get('TotalFailures')} failures.")
        return held, peak


def run(config: Config = FULL) -> list[Figure]:
    figures: list[Figure] = []
    with mock_pinpoint_imports() as mock:
        traced = _Traced(mock)
        url, size = traced.put("endpoints.csv", _aws.endpoints_csv, config.rows)
        peaks = [traced.measure(url, config.rows, False)[1] for _ in range(config.rounds)]
        peak = median(peaks)
        figures.append(Figure(
            NAME,
            f"import of {config.rows:,} rows, RegisterEndpoints false: peak / file size",
            peak / size, f"peak {_mb(peak)}, file {_mb(size)}", Target("<=", 0.05)))

        per_endpoint: dict[str, float] = {}
        files = (("endpoints", _aws.endpoints_csv, "12 columns"),
                 ("short-columns", _aws.short_columns_csv, "45 short columns"))
        for key, make, shape in files:
            url, size = traced.put(f"{key}.csv", make, config.rows)
            held, peak = traced.measure(url, config.rows, True)
            label = f"import of {config.rows:,} rows ({shape}), registering"
            figures += [
                Figure(NAME, f"{label}: held after / file size", held / size,
                       f"held {_mb(held)} ({held / config.rows:.0f} B per endpoint), "
                       f"file {_mb(size)}", Target("<=", 3.0)),
                Figure(NAME, "  peak during / file size", peak / size,
                       f"peak {_mb(peak)}, file {_mb(size)}", Target("<=", 4.0)),
            ]
            per_endpoint[key] = held / config.rows
        small_url, _ = traced.put("small.csv", _aws.endpoints_csv, config.small)
        small_held = traced.measure(small_url, config.small, True)[0] / config.small
    figures.append(Figure(
        NAME,
        f"  held per endpoint: {config.rows:,} rows / {config.small:,} rows (12 columns)",
        per_endpoint["endpoints"] / small_held,
        f"{per_endpoint['endpoints']:.0f} B vs {small_held:.0f} B", Target("<=", 1.1)))
    return figures
