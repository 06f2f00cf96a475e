"""Start-up: ``with mock_pinpoint_imports(): pass`` against ``with mock_aws(): pass``, one of
each in turn (a *pair*), each timed alone; the figure is the median over the pairs of ours /
mock_aws in the same pair.

Why one at a time, not blocks: the mock's own work is some 2 to 3 % of a start (50 to 100 µs
of 2 to 5 ms, almost all of it moto's 1,300 ``responses`` callbacks and the garbage
collections they set off), while a block of 20 starts (some 0.1 s) moves +-15 % with a shared
machine's load, so a median of 15 block rounds moved 0.98-1.07 on one commit. Worse, a full
collection before each block (as :func:`~benchmarks._timing.time_calls` does) lines the
blocks up with the oldest generation's threshold: with the heap other benchmarks leave, one
full collection (20-40 ms) falls in about every 20 starts, and a contender that reaches it
at start 19 rather than 21 pays it in every block: the figure became 1.05-1.07 in a full run
against 1.01-1.03 alone. Both contenders are the same allocation-heavy work of moto's, so
taking them in turn puts its collections on either alike, and the median of 1,200 pairs
leaves out the few starts a full collection or a neighbour's burst lands in (four runs, alone
and after ``per_call``: 1.035-1.044; 1.04-1.06 when the machine was busier). The order within
a pair alternates.

Target (issue 13, kept from issue #7's 1.2): ours <= 1.05 x mock_aws.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from moto import mock_aws

from benchmarks._timing import Figure, Target, median, ms, paired_calls, ratios
from pinpoint_mock import mock_pinpoint_imports

NAME = "startup"


@dataclass(frozen=True)
class Config:
    pairs: int
    warmup: int = 20


FULL = Config(pairs=1200)
QUICK = Config(pairs=40, warmup=5)
SMOKE = Config(pairs=2, warmup=1)


def _ours() -> None:
    with mock_pinpoint_imports():
        pass


def _moto() -> None:
    with mock_aws():
        pass


def run(config: Config = FULL) -> list[Figure]:
    for _ in range(config.warmup):
        _ours()
        _moto()
    gc.collect()
    t_ours, t_moto = paired_calls(_ours, _moto, config.pairs)
    return [
        Figure(
            NAME,
            "with mock_pinpoint_imports(): pass / with mock_aws(): pass",
            median(ratios(t_ours, t_moto)),
            f"ours {ms(median(t_ours))}, mock_aws {ms(median(t_moto))} ({config.pairs} pairs)",
            Target("<=", 1.05),
        )
    ]
