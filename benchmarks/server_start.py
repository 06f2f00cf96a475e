"""Server start-up: seconds from starting ``python -m pinpoint_mock serve --port 0`` to its
first answered requests (wall clock; a new process each round).

Measured from the ``Popen`` call: when the URL is printed (listening), when a first Pinpoint
call served by the mock is answered (GetImportJobs, sent the moment the URL is known), and when
a first call served by moto's server application is answered (CreateApp, right after).

Target (issue 11): the first request answered within 2 s of start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import boto3
from botocore.config import Config as BotoConfig

from benchmarks._timing import Figure, Target, median

NAME = "server_start"


@dataclass(frozen=True)
class Config:
    rounds: int


FULL = Config(rounds=5)
QUICK = Config(rounds=2)
SMOKE = Config(rounds=1)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_start() -> tuple[float, float, float]:
    """(URL printed, first mock answer, first moto answer), seconds after the start."""
    port = _free_port()
    pinpoint = boto3.session.Session(aws_access_key_id="testing",
                                     aws_secret_access_key="testing").client(
        "pinpoint", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
        config=BotoConfig(retries={"total_max_attempts": 1}))  # made before the clock starts
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pinpoint_mock", "serve", "--port", str(port), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_environment())
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        listening = time.perf_counter() - started
        if "serving on" not in line:
            raise RuntimeError(f"serve did not start: {line!r}")
        try:
            pinpoint.get_import_jobs(ApplicationId="none")
        except pinpoint.exceptions.NotFoundException:
            pass
        first_mock = time.perf_counter() - started
        pinpoint.create_app(CreateApplicationRequest={"Name": "first"})
        first_moto = time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return listening, first_mock, first_moto


def run(config: Config = FULL) -> list[Figure]:
    samples = [one_start() for _ in range(config.rounds)]
    listening = median([s[0] for s in samples])
    first_mock = median([s[1] for s in samples])
    first_moto = median([s[2] for s in samples])
    return [
        Figure(NAME, "serve: first request (GetImportJobs, the mock's) answered, s after start",
               first_mock, f"listening after {listening:.2f} s, answered after "
               f"{first_mock:.2f} s ({config.rounds} starts)", Target("<=", 2.0)),
        Figure(NAME, "serve: first moto request (CreateApp) answered, s after start",
               first_moto, f"{first_moto:.2f} s", None),
    ]
