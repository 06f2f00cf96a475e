"""Server mode: requests/s of GetSegmentImportJobs (a page of 20 jobs) over HTTP from one boto3
client, against moto's own server answering GetApps (20 apps) to the same client.

Target (issue 13): ours >= 1.0 x moto's server. It needs the mock's server (issue 11): until
that has landed this benchmark is skipped with a note.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Optional

from benchmarks._timing import Figure

NAME = "server_mode"


@dataclass(frozen=True)
class Config:
    rounds: int
    calls: int


FULL = Config(rounds=9, calls=300)
QUICK = Config(rounds=2, calls=50)
SMOKE = Config(rounds=1, calls=2)


def unavailable() -> Optional[str]:
    """Why this benchmark cannot run here, or None."""
    if importlib.util.find_spec("pinpoint_mock._server") is None:
        return "the mock's server (issue 11) has not landed yet"
    return None


def run(config: Config = FULL) -> list[Figure]:
    raise RuntimeError(unavailable() or "server_mode is not written yet")
