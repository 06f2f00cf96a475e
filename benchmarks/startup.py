"""Start-up: ``with mock_pinpoint_imports(): pass`` against ``with mock_aws(): pass``, in
alternating rounds (each round times ``enters`` enter/exit pairs back to back).

Target (issue 13, kept from issue #7's 1.2): ours <= 1.05 x mock_aws.
"""

from __future__ import annotations

from dataclasses import dataclass

from moto import mock_aws

from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_calls
from pinpoint_mock import mock_pinpoint_imports

NAME = "startup"


@dataclass(frozen=True)
class Config:
    rounds: int
    enters: int


FULL = Config(rounds=61, enters=20)
"""A block of 20 enters (some 0.1 s) moves +-10 % with a shared machine's load; the mock's own
work is some 2 % of a start (60-90 us of 2-5 ms), so the median needs about 60 rounds to be
stable to +-0.01 (15 rounds gave 0.98-1.07 on the same commit)."""
QUICK = Config(rounds=5, enters=5)
SMOKE = Config(rounds=1, enters=1)


def _ours() -> None:
    with mock_pinpoint_imports():
        pass


def _moto() -> None:
    with mock_aws():
        pass


def run(config: Config = FULL) -> list[Figure]:
    _ours()
    _moto()
    t_ours, t_moto = alternate(
        config.rounds,
        [lambda: time_calls(_ours, config.enters), lambda: time_calls(_moto, config.enters)],
    )
    return [
        Figure(
            NAME,
            "with mock_pinpoint_imports(): pass / with mock_aws(): pass",
            median(ratios(t_ours, t_moto)),
            f"ours {ms(median(t_ours))}, mock_aws {ms(median(t_moto))}",
            Target("<=", 1.05),
        )
    ]
