"""The shared measuring kit: alternating rounds, medians, figures with targets, the machine.

Every benchmark measures two or more *contenders* (ours, a floor, moto, a baseline) in the
same process, in rounds: each round runs every contender once, in an order that rotates from
round to round, so that slow drifts of a noisy machine (frequency scaling, a neighbour's job)
hit every contender alike. A figure is the median over rounds of a per-round *ratio*, never a
single absolute time.

Time is wall time (``time.perf_counter``, what issue 13's targets are stated in) unless
:func:`use_clock` says ``"cpu"``: the process's CPU time (``time.process_time``), which on a
shared machine leaves out the slices in which other processes ran (every measured path but the
server's is single-threaded and CPU-bound). Either way a figure is a ratio of two contenders
timed in the same round, so a slow drift of the machine hits both.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import statistics
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Callable, Optional, Sequence

CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
"""The clocks a run may measure with: the process's CPU time, or wall time."""
_clock: Callable[[], float] = time.perf_counter


def use_clock(name: str) -> None:
    """Measure with ``"wall"`` (the default) or ``"cpu"`` time from now on."""
    global _clock
    if name not in CLOCKS:
        raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {name!r}.")
    _clock = CLOCKS[name]


def clock_name() -> str:
    return next(name for name, clock in CLOCKS.items() if clock is _clock)


Contender = Callable[[], float]
"""One measurement: runs (with its own untimed set-up) and returns the seconds it measured."""


@dataclass(frozen=True)
class Target:
    """A bound a figure must meet: ``value <= bound`` (``op="<="``) or ``value >= bound``."""

    op: str
    bound: float

    def __post_init__(self) -> None:
        if self.op not in ("<=", ">="):
            raise ValueError(f"Target.op must be '<=' or '>=', got {self.op!r}.")

    def met(self, value: float) -> bool:
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def __str__(self) -> str:
        return f"{self.op} {self.bound:g}"


@dataclass(frozen=True)
class Figure:
    """One line of the table.

    Attributes:
        benchmark: the benchmark's name (``per_call``, ``listing``, ...).
        name: what is compared, e.g. ``"GetSegmentImportJobs (20 jobs): ours / floor"``.
        ratio: the median per-round ratio (or, for memory, peak / file size).
        measured: the medians behind the ratio, in words (``"ours 0.61 ms, floor 0.57 ms"``).
        target: the bound the ratio must meet, or None for a figure given for information.
    """

    benchmark: str
    name: str
    ratio: float
    measured: str
    target: Optional[Target] = None

    @property
    def passed(self) -> Optional[bool]:
        """True / False against the target; None without one."""
        if self.target is None:
            return None
        return math.isfinite(self.ratio) and self.target.met(self.ratio)


def alternate(rounds: int, contenders: Sequence[Contender]) -> list[list[float]]:
    """Run ``rounds`` rounds of every contender; return the samples of each, in round order.

    Round ``r`` starts with contender ``r mod n`` and goes on in order (a rotation), so each
    contender runs first, second, ... equally often.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}.")
    count = len(contenders)
    samples: list[list[float]] = [[] for _ in contenders]
    for r in range(rounds):
        for k in range(count):
            index = (r + k) % count
            samples[index].append(contenders[index]())
    return samples


def ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Per-round ratios ``numerator[r] / denominator[r]``."""
    return [a / b if b else math.inf for a, b in zip(numerator, denominator)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def time_calls(call: Callable[[], object], count: int) -> float:
    """Seconds per call of ``count`` calls in a row.

    A full collection runs first, untimed, so that every timed block starts alike: with
    botocore's and moto's models loaded, a full collection takes ~0.1 s, and the objects the
    untimed set-up of a contender leaves (a mock's start, seeded jobs) would otherwise trigger
    one inside whichever block comes next, about once a round (+20 % on a block of 0.5 s),
    putting one contender's garbage into another's figure. gc stays on, since the collections
    a call's own garbage causes are part of its cost.
    """
    gc.collect()
    clock = _clock
    start = clock()
    for _ in range(count):
        call()
    return (clock() - start) / count


def bracketed_blocks(
    floor: Callable[[], object], ours: Callable[[], object], calls: int, pairs: int
) -> tuple[list[float], list[float]]:
    """Time ``pairs`` blocks of ``ours`` each between two blocks of ``floor``: F O F O ... O F.

    Every block is ``calls`` calls in a row; returns the seconds per call of each block,
    ``(floor blocks, ours blocks)``: ``pairs + 1`` floor blocks and ``pairs`` of ours, in the
    order they ran. Block ``k`` of ours ran between floor blocks ``k`` and ``k + 1``
    (:func:`bracketed_ratios`). Short blocks that alternate put a shared machine's load
    changes (a neighbour's job starting, a slice lost to another process) on both contenders
    within tens of milliseconds, and a load spike spoils only the one or two blocks it hits,
    which the median over many blocks discards.

    Before each block the young generations are collected (``gc.collect(1)``, some 10 µs,
    untimed), so that each block starts with the same allocator state whatever ran before
    it; gc stays on during the block, since the collections a call's own garbage causes are
    part of its cost. (A full collection, ~0.1 s with the models loaded, runs once before
    the first block.)
    """
    if calls < 1 or pairs < 1:
        raise ValueError(f"calls and pairs must be >= 1, got {calls} and {pairs}.")
    clock = _clock
    collect = gc.collect

    def block(call: Callable[[], object]) -> float:
        collect(1)
        start = clock()
        for _ in range(calls):
            call()
        return (clock() - start) / calls

    collect()
    floors = [block(floor)]
    ours_blocks = []
    for _ in range(pairs):
        ours_blocks.append(block(ours))
        floors.append(block(floor))
    return floors, ours_blocks


def bracketed_ratios(ours: Sequence[float], floors: Sequence[float]) -> list[float]:
    """Per block of ours, ``ours[k]`` over the mean of the floor blocks either side of it
    (``floors[k]``, ``floors[k + 1]``): a drift of the machine that is linear over the three
    blocks cancels."""
    return [o / ((floors[k] + floors[k + 1]) / 2) for k, o in enumerate(ours)]


def bracketed_differences(ours: Sequence[float], floors: Sequence[float]) -> list[float]:
    """Per block of ours, ``ours[k]`` minus the mean of the floor blocks either side of it."""
    return [o - (floors[k] + floors[k + 1]) / 2 for k, o in enumerate(ours)]


def paired_calls(first: Callable[[], object], second: Callable[[], object], pairs: int
                 ) -> tuple[list[float], list[float]]:
    """Seconds of each of ``pairs`` calls of ``first`` and of ``second``, taken in turn and
    each timed alone (the order within a pair alternates, ``first`` leading the first pair):
    for two contenders that are mostly the same allocation-heavy work, whose garbage
    collections then fall on either alike. Returns ``(first's, second's)``, pair by pair, for
    :func:`ratios`. No collection runs between calls: a call's collections are its cost."""
    if pairs < 1:
        raise ValueError(f"pairs must be >= 1, got {pairs}.")
    clock = _clock
    timed: tuple[list[float], list[float]] = ([], [])
    contenders = ((first, timed[0]), (second, timed[1]))
    for p in range(pairs):
        for call, seconds in (contenders if p % 2 == 0 else contenders[::-1]):
            start = clock()
            call()
            seconds.append(clock() - start)
    return timed


def time_once(action: Callable[[], object]) -> float:
    """Seconds of one ``action()`` (after a full collection)."""
    gc.collect()
    clock = _clock
    start = clock()
    action()
    return clock() - start


def ms(seconds: float) -> str:
    """``0.612 ms`` / ``12.3 ms`` / ``1.84 s``: three significant digits."""
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    value = seconds * 1000
    return f"{value:.3g} ms" if value >= 0.1 else f"{value * 1000:.3g} µs"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def machine_line() -> str:
    """One line naming the machine and the versions that the figures depend on."""
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()} {platform.machine()}, "
        f"{_cpu_model()} ({os.cpu_count()} cores), "
        f"boto3 {_version('boto3')}, botocore {_version('botocore')}, moto {_version('moto')}"
    )
