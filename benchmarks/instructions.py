"""Instructions per call of GetSegmentImportJobs (20 jobs), ours against its floor, counted by
``valgrind --tool=callgrind``: a reading of ``per_call``'s difference that no load changes.

``python -m benchmarks.instructions [STATE] [CALLS]`` runs this module three times under
callgrind (``PYTHONHASHSEED=0``, so that the three processes do the same set-up work): the
set-up alone (the mock started, the 20 jobs seeded in ``STATE``, 20 calls of each contender),
then the same followed by ``CALLS`` calls of ours, then by ``CALLS`` calls of the floor (the
client and bytes of :mod:`benchmarks.per_call`). Per call: (run - set-up) / ``CALLS``. It prints
both and their ratio. Under callgrind a call is some 50 times slower: 300 calls and the
set-up take about five minutes.

Instructions are not time: the mock's code runs with colder caches inside a call than in a
loop of its own, and a wall-clock ratio also holds cache misses and the machine's load. It is
a supplementary figure (docs/benchmarks.md), not one of issue 13's targets.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Callable

STATES = ("CREATED", "PROCESSING", "COMPLETED")


def contenders(state: str) -> tuple[Callable[[], Any], Callable[[], Any], Any]:
    """``(ours, floor, mock)`` of ``state`` as :mod:`benchmarks.per_call` times them; the
    mock is started (stop it when done)."""
    from benchmarks import _aws
    from benchmarks import per_call as pc

    pinpoint = _aws.client("pinpoint")
    floor = _aws.floor_client("pinpoint")
    mock = pc._mock(state).start()
    ids = pc._prepare(mock, pinpoint, state)
    ours = pc._listing(pinpoint, *ids)
    _aws.add_floor(floor, "GetSegmentImportJobs",
                   _aws.capture(pinpoint, "GetSegmentImportJobs", ours))
    return ours, pc._listing(floor, *ids), mock


def run_calls(state: str, which: str, calls: int) -> None:
    """The measured process: set up ``state``, warm both up, then ``calls`` calls of
    ``which`` (``"ours"``, ``"floor"``, or ``"none"`` for the set-up alone)."""
    ours, floor, mock = contenders(state)
    try:
        for _ in range(20):
            ours()
            floor()
        call = {"ours": ours, "floor": floor, "none": None}[which]
        for _ in range(calls if call is not None else 0):
            call()
    finally:
        mock.stop()


def _count(state: str, which: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             "-m", "benchmarks.instructions", "--inner", state, which, str(calls)],
            env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inner"]:
        run_calls(argv[1], argv[2], int(argv[3]))
        return 0
    state = argv[0] if argv else "COMPLETED"
    calls = int(argv[1]) if len(argv) > 1 else 300
    if state not in STATES or calls < 1:
        print(f"usage: python -m benchmarks.instructions [{'|'.join(STATES)}] [CALLS >= 1]",
              file=sys.stderr)
        return 2
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    base = _count(state, "none", 0)
    ours = (_count(state, "ours", calls) - base) / calls
    floor = (_count(state, "floor", calls) - base) / calls
    print(f"GetSegmentImportJobs, 20 jobs {state}, instructions per call: ours {ours:,.0f}, "
          f"floor {floor:,.0f}, ours / floor {ours / floor:.4f}, "
          f"ours - floor {ours - floor:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
