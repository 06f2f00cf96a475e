"""``python -m pinpoint_mock demo``: what it prints (first line, width, the file it names), that
the file it names is a test file pytest passes, and that the user's AWS set-up cannot break it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pinpoint_mock import _demo, _transport, demo_scenario
from pinpoint_mock._demo import FIRST_LINE, WIDTH, run_demo

pytest_plugins = ("pytester",)


def demo_output() -> tuple[int, list[str]]:
    out = io.StringIO()
    status = run_demo(out)
    return status, out.getvalue().splitlines()


def test_the_demo_says_what_it_does_fits_100_columns_and_names_its_code() -> None:
    before = dict(os.environ)
    status, lines = demo_output()
    assert status == 0, "\n".join(lines)
    assert lines[0] == FIRST_LINE
    assert lines[0].startswith("This demo imports") and "mocked Amazon Pinpoint" in lines[0]
    path = Path(lines[-1].strip())
    assert lines[-1] == f"  {demo_scenario.__file__}" and path.name == "demo_scenario.py"
    assert path.is_file() and "def test_" in path.read_text("utf-8")
    assert lines[-2].startswith("The code that did this is a test file")
    assert all(len(line) <= WIDTH for line in lines[:-1]), max(lines[:-1], key=len)
    assert "All 6 checks passed." in lines
    assert "  endpoints-basic.csv                   COMPLETED         10      0  EMAIL 5 SMS 3 " \
           "APNS 1 GCM 1" in lines
    assert not _transport.installed()
    assert dict(os.environ) == before


def test_the_demo_titles_each_test_with_its_docstring() -> None:
    _, lines = demo_output()
    titles = [line for line in lines if line[:1].isdigit() and ". " in line]
    assert titles == [f"{n}. {test.__doc__.strip().splitlines()[0]}"  # type: ignore[union-attr]
                      for n, test in enumerate(_demo.scenario_tests(), 1)]
    assert len(titles) == 6


def test_a_failed_check_is_reported_and_the_demo_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        """A check that fails."""
        raise AssertionError("endpoints-basic.csv: got FAILED, documented COMPLETED")

    monkeypatch.setattr(demo_scenario, "test_every_sample_ends_as_documented", broken)
    status, lines = demo_output()
    assert status == 1
    assert "  FAILED: broken" in lines
    assert "  AssertionError: endpoints-basic.csv: got FAILED, documented COMPLETED" in lines
    assert "1 of 6 checks failed: broken." in lines


@pytest.mark.parametrize("environment", [
    {"AWS_PROFILE": "pinpoint-mock-no-such-profile"},
    {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
     "AWS_DEFAULT_PROFILE": "nobody", "AWS_CONFIG_FILE": "/nonexistent/config",
     "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING", "AWS_CA_BUNDLE": "/nonexistent/ca.pem",
     "AWS_RETRY_MODE": "adaptive"},
], ids=["missing-profile", "endpoint-urls-and-more"])
def test_the_demo_command_ignores_the_users_aws_set_up(environment: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "pinpoint_mock", "demo"],
                            capture_output=True, text=True, timeout=180,
                            env={**os.environ, **environment})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == FIRST_LINE
    assert "All 6 checks passed." in result.stdout


def test_the_scenario_is_a_test_file_pytest_passes(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--pyargs", "pinpoint_mock.demo_scenario",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
