"""``python -m benchmarks [--quick] [--only NAME ...]``: run, print the table, exit 1 on a miss.

Exit status: 0 when every figure with a target meets it, 1 when one misses, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from types import ModuleType
from typing import Optional, Sequence

from benchmarks import BENCHMARKS
from benchmarks._timing import CLOCKS, Figure, clock_name, machine_line, use_clock


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"benchmarks.{name}")


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table (ratio, target, verdict, the medians behind them)."""
    lines = [
        "| Benchmark | Figure | Ratio | Target | Result | Measured (medians) |",
        "|---|---|---:|---|---|---|",
    ]
    for figure in figures:
        verdict = {True: "met", False: "**MISSED**", None: "info"}[figure.passed]
        target = str(figure.target) if figure.target else "—"
        lines.append(
            f"| {figure.benchmark} | {figure.name} | {figure.ratio:.3g} | {target} | "
            f"{verdict} | {figure.measured} |"
        )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="pinpoint_mock benchmarks (issues #7 and 13): ratios to floors and baselines, "
        "medians of alternating rounds.",
    )
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="fewer rounds and smaller files: a fast smoke run, not figures to publish "
        "(exits 0 whatever the ratios)",
    )
    parser.add_argument(
        "--clock", choices=list(CLOCKS), default="wall",
        help="time measured: wall time (default: perf_counter, as the targets are stated) "
        "or the process's CPU time (less sensitive to a shared machine)",
    )
    args = parser.parse_args(argv)
    use_clock(args.clock)
    names = [name for name in BENCHMARKS if not args.only or name in args.only]
    figures: list[Figure] = []
    started = time.perf_counter()
    skipped: list[str] = []
    for name in names:
        module = _module(name)
        reason = module.unavailable() if hasattr(module, "unavailable") else None
        if reason is not None:
            print(f"skipping {name}: {reason}", file=sys.stderr, flush=True)
            skipped.append(f"{name}: skipped, {reason}")
            continue
        config = module.QUICK if args.quick else module.FULL
        print(f"running {name} {config} ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        figures.extend(module.run(config))
        print(f"  {name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr, flush=True)
    mode = "quick" if args.quick else "full"
    print(
        f"pinpoint_mock benchmarks ({mode}, {clock_name()} time, medians of alternating "
        f"rounds; run took {time.perf_counter() - started:.0f} s)"
    )
    print(f"Machine: {machine_line()}")
    print()
    print(table(figures))
    for line in skipped:
        print(f"\n{line}")
    missed = [f for f in figures if f.passed is False]
    targets = [f for f in figures if f.target is not None]
    print()
    print(f"{len(targets) - len(missed)} of {len(targets)} targets met.")
    if args.quick:
        # Small files and few rounds: the memory ratio, for one, is dominated by fixed costs.
        print("Quick run: a smoke test of the harness; targets are checked only by a full run.")
        return 0
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
