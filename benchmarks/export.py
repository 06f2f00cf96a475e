"""Memory of an export job: tracemalloc's peak while 100,000 registered endpoints are exported,
against the size of the file that imported them and against that import's own peak.

The endpoints are registered by an import of the import benchmarks' CSV file
(``RegisterEndpoints`` true). Traced: the import (CreateImportJob to COMPLETED), then the export
(CreateExportJob, which reads and compresses the audience; ``mock.advance``; the S3 listing that
writes the objects; GetExportJob to COMPLETED). The export must stream: it holds one piece
(1,000 endpoints) of JSON lines at a time and the compressed pieces until they are written, so
its peak is a small share of the file's size, and of what the import of the same endpoints
needs.

Target (issue 12, within issue 13's bound for an import's peak): export peak <= 4.0 x the size
of the imported file.
"""

from __future__ import annotations

import gc
import gzip
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from benchmarks import _aws
from benchmarks._timing import Figure, Target, median
from benchmarks.throughput import import_and_finish
from pinpoint_mock import mock_pinpoint_imports

NAME = "export"
OUT_BUCKET = "benchmark-exports"
EXPORT_ROLE = "arn:aws:iam::123456789012:role/PinpointExport"

T = TypeVar("T")


@dataclass(frozen=True)
class Config:
    endpoints: int
    rounds: int


FULL = Config(endpoints=100_000, rounds=3)
QUICK = Config(endpoints=3_000, rounds=1)
SMOKE = Config(endpoints=300, rounds=1)


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def _traced(call: Callable[[], T]) -> tuple[T, int, float]:
    """``call()``'s result, tracemalloc's peak during it (bytes) and its wall time (s)."""
    gc.collect()
    tracemalloc.start()
    begun = time.perf_counter()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - begun
    finally:
        tracemalloc.stop()


def _export(pinpoint: Any, s3: Any, mock: Any, app_id: str, n: int) -> dict[str, Any]:
    created = pinpoint.create_export_job(ApplicationId=app_id, ExportJobRequest={
        "S3UrlPrefix": f"s3://{OUT_BUCKET}/round-{n}/", "RoleArn": EXPORT_ROLE})
    mock.advance(24 * 3600)
    s3.list_objects_v2(Bucket=OUT_BUCKET, Prefix=f"round-{n}/")  # the objects are put here
    job_id = created["ExportJobResponse"]["Id"]
    return dict(pinpoint.get_export_job(ApplicationId=app_id, JobId=job_id)["ExportJobResponse"])


def _output_sizes(s3: Any, prefix: str) -> tuple[int, int]:
    """(gzip bytes, JSON-lines bytes) of the objects under ``prefix``."""
    packed = unpacked = 0
    for item in s3.list_objects_v2(Bucket=OUT_BUCKET, Prefix=prefix)["Contents"]:
        data = s3.get_object(Bucket=OUT_BUCKET, Key=item["Key"])["Body"].read()
        packed += len(data)
        unpacked += len(gzip.decompress(data))
    return packed, unpacked


def run(config: Config = FULL) -> list[Figure]:
    data = _aws.endpoints_csv(config.endpoints)
    size = len(data)
    pinpoint = _aws.client("pinpoint")
    export_peaks: list[int] = []
    export_times: list[float] = []
    with mock_pinpoint_imports() as mock:
        s3 = _aws.client("s3")
        url = _aws.put_object(s3, "export/endpoints.csv", data)
        del data
        s3.create_bucket(Bucket=OUT_BUCKET)
        app_id = _aws.create_app(pinpoint, "export")
        warm = _aws.create_app(pinpoint, "warm-up")
        small = _aws.put_object(s3, "export/warm-up.csv", _aws.endpoints_csv(200))
        import_and_finish(pinpoint, mock, warm, small, RegisterEndpoints=True)
        _export(pinpoint, s3, mock, warm, -1)
        job, import_peak, _ = _traced(
            lambda: import_and_finish(pinpoint, mock, app_id, url, RegisterEndpoints=True))
        if job["JobStatus"] != "COMPLETED" or job["TotalProcessed"] != config.endpoints:
            raise RuntimeError(f"the import ended {job['JobStatus']}.")
        for n in range(config.rounds):
            job, peak, seconds = _traced(lambda n=n: _export(pinpoint, s3, mock, app_id, n))
            if job["JobStatus"] != "COMPLETED" or job["TotalProcessed"] != config.endpoints:
                raise RuntimeError(f"the export ended {job['JobStatus']}.")
            export_peaks.append(peak)
            export_times.append(seconds)
        packed, unpacked = _output_sizes(s3, "round-0/")
    peak = median(export_peaks)
    label = f"export of {config.endpoints:,} endpoints"
    return [
        Figure(NAME, f"{label}: peak / size of the file that imported them", peak / size,
               f"peak {_mb(peak)}, file {_mb(size)}", Target("<=", 4.0)),
        Figure(NAME, "  export peak / peak of that import (RegisterEndpoints true)",
               peak / import_peak, f"export {_mb(peak)}, import {_mb(import_peak)}"),
        Figure(NAME, "  written: gzip bytes / JSON-lines bytes", packed / unpacked,
               f"{_mb(packed)} gzip of {_mb(unpacked)} JSON lines, export "
               f"{median(export_times):.2f} s (traced)"),
    ]
