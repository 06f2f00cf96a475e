"""Reading objects of awkward shapes: time linear in the object's size, memory bounded.

Each shape is an object made to be hard on a line reader: only blank lines (under a key
without extension, so the format is told from its first byte that is not blank), one blank
line of spaces before the header, whitespace-only lines between the header and the one row,
and one very long line after the header. Each is imported by the backend's
:func:`~pinpoint_mock.backend.importer.run_import` (the importer itself, from an in-memory
stream, no boto3 or moto: they add the same per-call cost to every size) at a small and at a
4 times larger size, in alternating rounds.

Figures: for each shape, ``time(4 x size) / (4 x time(size))``, 1 for a linear reader (4 for
a quadratic one); target <= 1.5. And the largest tracemalloc peak of one import of the larger
size, over the shapes, in units of the longest line read (1 MiB); target <= 4: memory does
not grow with the object. Before the linear reader (issue 14) a 50 MB blank object took 67 s
and a 32 MB single-line CSV 4.4 s (16 MB: 0.2 s), holding twice the object in memory.
"""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import dataclass
from typing import Callable

from benchmarks._timing import Figure, Target, alternate, median, ms, time_once
from pinpoint_mock.backend.importer import SourceObject, run_import
from pinpoint_mock.backend.object_text import MAX_LINE_BYTES

NAME = "reading"

HEADER = b"ChannelType,Address\n"
ROW = b"EMAIL,reader@example.com\n"


@dataclass(frozen=True)
class Config:
    size: int
    """Bytes of the smaller object of each shape (the larger one is 4 times as big)."""
    rounds: int


FULL = Config(size=8 << 20, rounds=3)
QUICK = Config(size=1 << 20, rounds=1)
SMOKE = Config(size=64 << 10, rounds=1)


def _blank_lines(size: int) -> bytes:
    return b"\n" * size


def _long_blank_line(size: int) -> bytes:
    return b" " * size + b"\n" + HEADER + ROW


def _whitespace_lines(size: int) -> bytes:
    return HEADER + (b" " * 63 + b"\n") * (size // 64) + ROW


def _long_line(size: int) -> bytes:
    return HEADER + ROW + b"a" * size


SHAPES: dict[str, tuple[str, str, Callable[[int], bytes], int]] = {
    "only blank lines, key without extension": ("blank", "CSV", _blank_lines, 0),
    "one blank line of spaces, then header and row": ("spaces.csv", "CSV", _long_blank_line, 1),
    "whitespace-only lines between header and row": ("between.csv", "CSV", _whitespace_lines, 1),
    "one long line after header and row": ("long.csv", "CSV", _long_line, 1),
}
"""name: (key, format, the object of a size, the definitions it must import)."""


def _import(key: str, fmt: str, data: bytes, imported: int) -> None:
    source = SourceObject(key=key, bucket="benchmark", size=len(data),
                          open=lambda: io.BufferedReader(io.BytesIO(data), 1 << 16))
    result = run_import([source], fmt)
    if result.imported != imported:
        raise RuntimeError(f"{key}: {result.imported} definitions imported, not {imported} "
                           f"({result.failures[:1]}).")


def _timer(key: str, fmt: str, data: bytes, imported: int) -> Callable[[], float]:
    return lambda: time_once(lambda: _import(key, fmt, data, imported))


def _peak(key: str, fmt: str, data: bytes, imported: int) -> int:
    tracemalloc.start()
    try:
        _import(key, fmt, data, imported)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(config: Config = FULL) -> list[Figure]:
    figures: list[Figure] = []
    peaks: dict[str, int] = {}
    for name, (key, fmt, make, imported) in SHAPES.items():
        large = make(4 * config.size)
        t_small, t_large = alternate(config.rounds, [
            _timer(key, fmt, make(config.size), imported), _timer(key, fmt, large, imported),
        ])
        growth = [big / (4 * little) if little else 1.0 for big, little in zip(t_large, t_small)]
        figures.append(Figure(
            NAME,
            f"{name}: time(4 x {config.size >> 10:,} KiB) / (4 x time({config.size >> 10:,} KiB))",
            median(growth),
            f"{ms(median(t_small))} vs {ms(median(t_large))}",
            Target("<=", 1.5),
        ))
        peaks[name] = _peak(key, fmt, large, imported)
        del large
    worst = max(peaks, key=peaks.__getitem__)
    figures.append(Figure(
        NAME,
        f"peak memory of one import of {4 * config.size >> 20:,} MiB, worst shape / 1 MiB line",
        peaks[worst] / MAX_LINE_BYTES,
        f"{peaks[worst] / 1e6:.2f} MB ({worst})",
        Target("<=", 4.0),
    ))
    return figures
