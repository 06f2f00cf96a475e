"""``pinpoint-mock serve`` in a subprocess, as a user starts it, for the tests of real clients."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

SERVING = re.compile(r"serving on (http://\S+)")
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent/config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"}


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without any AWS set-up, plus fake credentials and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FAKE_AWS)
    env.update(extra)
    return env


@dataclass
class Served:
    """A running ``serve``: its URL and process."""

    url: str
    process: subprocess.Popen[str]
    first_line: str


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The next stdout line of ``process`` within ``timeout`` seconds ("" on EOF)."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        if not selector.select(timeout):
            raise TimeoutError(f"no output from serve within {timeout} s")
        return process.stdout.readline()
    finally:
        selector.close()


@contextmanager
def served(*args: str, env: Optional[dict[str, str]] = None,
           timeout: float = 60.0) -> Iterator[Served]:
    """``python -m pinpoint_mock serve --port 0 --quiet *args``, stopped with SIGTERM after."""
    command = [sys.executable, "-m", "pinpoint_mock", "serve", "--port", "0", "--quiet", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env or clean_environment())
    try:
        line = read_line(process, timeout)
        match = SERVING.search(line)
        if match is None:
            process.kill()
            _, err = process.communicate(timeout=10)
            raise AssertionError(f"serve did not start: {line!r} {err!r}")
        yield Served(match.group(1), process, line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()

