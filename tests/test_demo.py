"""``python -m pinpoint_mock demo``: runs the whole story and checks every sample's outcome."""

from __future__ import annotations

import io
import subprocess
import sys

from pinpoint_mock import _patch
from pinpoint_mock._demo import run_demo


def test_the_demo_matches_every_documented_outcome_and_cleans_up() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0, out.getvalue()
    text = out.getvalue()
    assert "Every outcome matches the samples' documented values." in text
    assert "EMAIL 5 SMS 3 APNS 1 GCM 1" in text
    assert "MISMATCH" not in text
    assert not _patch.installed()


def test_the_demo_command_exits_zero() -> None:
    result = subprocess.run([sys.executable, "-m", "pinpoint_mock", "demo"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "endpoint-updates-by-id.csv" in result.stdout
