"""Import throughput: a generated CSV of 250,000 endpoints in moto's S3, imported with
DefineSegment, timed from CreateImportJob to the terminal status, against ``csv.DictReader``
iterating the same bytes, in alternating rounds inside one mock.

The file (:func:`benchmarks._aws.endpoints_csv`: 12 columns, quoted fields, a repeated
attribute column) is put in S3 once, untimed. A round of **ours** is CreateImportJob
(``DefineSegment``, a new segment each round, ``RegisterEndpoints`` false: nothing is kept),
``mock.advance`` past the job's end and GetImportJob, which must show COMPLETED with every row
processed. A round of the **baseline** is ``for row in csv.DictReader(TextIOWrapper(BytesIO(
data), "utf-8"))`` over the same bytes. A small import runs first to warm the path up.

Target (issue #7): our rows/second >= 1.0 x DictReader's, i.e. DictReader's time / ours >= 1.

The import that registers its endpoints (the default) is :mod:`benchmarks.registration`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from benchmarks import _aws
from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_once
from pinpoint_mock import mock_pinpoint_imports

NAME = "throughput"


@dataclass(frozen=True)
class Config:
    rows: int
    rounds: int


FULL = Config(rows=250_000, rounds=9)
QUICK = Config(rows=25_000, rounds=2)
SMOKE = Config(rows=300, rounds=1)


def import_and_finish(
    pinpoint: Any, mock: Any, app_id: str, url: str, **members: Any
) -> dict[str, Any]:
    """CreateImportJob, advance past the job's end, GetImportJob: the terminal response."""
    request = {"Format": "CSV", "S3Url": url, "RoleArn": _aws.ROLE_ARN, **members}
    created = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
    mock.advance(24 * 3600)
    job_id = created["ImportJobResponse"]["Id"]
    return dict(pinpoint.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"])


def dict_reader(data: bytes) -> int:
    """Rows ``csv.DictReader`` yields over ``data`` (decoded as the importer decodes it)."""
    count = 0
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    for _ in csv.DictReader(text):
        count += 1
    return count


class _Importer:
    """Times imports of one file in one started mock (the file and a warm-up put in S3)."""

    def __init__(self, mock: Any, pinpoint: Any, data: bytes, rows: int) -> None:
        self.mock, self.pinpoint, self.rows = mock, pinpoint, rows
        s3 = _aws.client("s3")
        self.url = _aws.put_object(s3, "throughput/endpoints.csv", data)
        warm = _aws.put_object(s3, "throughput/warm-up.csv", _aws.endpoints_csv(200))
        self.app_id = _aws.create_app(pinpoint, "throughput")
        import_and_finish(pinpoint, mock, self.app_id, warm, DefineSegment=True, SegmentName="w")
        self.segments = 0

    def time(self, **members: Any) -> float:
        """Seconds of one import, DefineSegment (a new segment) plus ``members``."""
        self.segments += 1
        result: dict[str, Any] = {}

        def job() -> None:
            result.update(
                import_and_finish(
                    self.pinpoint, self.mock, self.app_id, self.url,
                    DefineSegment=True, SegmentName=f"throughput-{self.segments}", **members,
                )
            )

        seconds = time_once(job)
        if result["JobStatus"] != "COMPLETED" or result["TotalProcessed"] != self.rows:
            raise RuntimeError(
                f"the import ended {result['JobStatus']} with "
                f"{result.get('TotalProcessed')} of {self.rows} rows processed."
            )
        return seconds


def run(config: Config = FULL) -> list[Figure]:
    data = _aws.endpoints_csv(config.rows)
    pinpoint = _aws.client("pinpoint")

    def baseline() -> float:
        rows: list[int] = []
        seconds = time_once(lambda: rows.append(dict_reader(data)))
        if rows != [config.rows]:
            raise RuntimeError(f"DictReader read {rows} rows, not {config.rows}.")
        return seconds

    with mock_pinpoint_imports() as mock:
        importer = _Importer(mock, pinpoint, data, config.rows)
        t_ours, t_base = alternate(
            config.rounds, [lambda: importer.time(RegisterEndpoints=False), baseline]
        )

    rate = config.rows / median(t_ours)
    base_rate = config.rows / median(t_base)
    return [
        Figure(
            NAME,
            f"import of {config.rows:,} rows ({len(data) / 1e6:.1f} MB): "
            "rows/s ours / DictReader",
            median(ratios(t_base, t_ours)),
            f"ours {rate:,.0f} rows/s ({ms(median(t_ours))}), "
            f"DictReader {base_rate:,.0f} rows/s ({ms(median(t_base))})",
            Target(">=", 1.0),
        ),
    ]
