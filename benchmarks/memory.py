"""Memory: tracemalloc's peak during the import of the throughput benchmark's file with
``RegisterEndpoints`` false, against the file's size.

The file's bytes are put in moto's S3 and a small import warms the path up before tracing
starts: the figure is the peak of the import itself (CreateImportJob, ``mock.advance``,
GetImportJob to COMPLETED), i.e. what the import allocates on top of what already exists.
The file must stream: decoding it whole, or holding its rows, would show here.

Target (issue #7): peak <= 0.05 x the file's size.
"""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass

from benchmarks import _aws
from benchmarks._timing import Figure, Target, median
from benchmarks.throughput import import_and_finish
from pinpoint_mock import mock_pinpoint_imports

NAME = "memory"


@dataclass(frozen=True)
class Config:
    rows: int
    rounds: int


FULL = Config(rows=250_000, rounds=3)
QUICK = Config(rows=25_000, rounds=1)
SMOKE = Config(rows=300, rounds=1)


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def run(config: Config = FULL) -> list[Figure]:
    data = _aws.endpoints_csv(config.rows)
    size = len(data)
    pinpoint = _aws.client("pinpoint")
    peaks: list[int] = []
    with mock_pinpoint_imports() as mock:
        s3 = _aws.client("s3")
        url = _aws.put_object(s3, "memory/endpoints.csv", data)
        del data
        warm = _aws.put_object(s3, "memory/warm-up.csv", _aws.endpoints_csv(200))
        app_id = _aws.create_app(pinpoint, "memory")
        import_and_finish(pinpoint, mock, app_id, warm, DefineSegment=True, SegmentName="warm",
                          RegisterEndpoints=False)
        for n in range(config.rounds):
            gc.collect()
            tracemalloc.start()
            try:
                job = import_and_finish(
                    pinpoint, mock, app_id, url,
                    DefineSegment=True, SegmentName=f"memory-{n}", RegisterEndpoints=False,
                )
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            if job["JobStatus"] != "COMPLETED" or job["TotalProcessed"] != config.rows:
                raise RuntimeError(f"the import ended {job['JobStatus']}.")
    peak = median(peaks)
    return [
        Figure(
            NAME,
            f"import of {config.rows:,} rows, RegisterEndpoints false: peak / file size",
            peak / size,
            f"peak {_mb(peak)}, file {_mb(size)}",
            Target("<=", 0.05),
        )
    ]
