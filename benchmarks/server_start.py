"""Server start-up: seconds from starting ``python -m pinpoint_mock serve`` to its first
answered requests (a new process each round).

Measured from the ``Popen`` call: when the URL is printed (listening), when a first Pinpoint
call served by the mock is answered (GetImportJobs, sent the moment the URL is known), and when
a first call served by moto's server application is answered (UpdateApplicationSettings of a
new app, right after). With the
harness's default wall clock, the figure is the wall time since ``Popen``; with ``--clock cpu``,
the CPU time the server process had used when its first answer arrived (``/proc/<pid>/stat``:
what start-up costs, whatever else the shared machine runs). Both are printed.

Target (issue 11): the first request answered within 2 s of start.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import boto3
from botocore.config import Config as BotoConfig

from benchmarks._timing import Figure, Target, clock_name, median

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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux), or NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start() -> tuple[float, float, float, float]:
    """(URL printed, first mock answer, first moto answer) in wall seconds after the start,
    and the server's CPU seconds at its first answer."""
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
        cpu = _cpu_seconds(process.pid)
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "first"})[
            "ApplicationResponse"]["Id"]
        pinpoint.update_application_settings(ApplicationId=app_id,
                                             WriteApplicationSettingsRequest={})
        first_moto = time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return listening, first_mock, first_moto, cpu


def run(config: Config = FULL) -> list[Figure]:
    samples = [one_start() for _ in range(config.rounds)]
    listening = median([s[0] for s in samples])
    first_mock = median([s[1] for s in samples])
    first_moto = median([s[2] for s in samples])
    cpu = median([s[3] for s in samples])
    by_cpu = clock_name() == "cpu" and math.isfinite(cpu)
    return [
        Figure(NAME, "serve: first request (GetImportJobs, the mock's) answered, s after "
               f"start ({'server CPU' if by_cpu else 'wall'})", cpu if by_cpu else first_mock,
               f"server CPU {cpu:.2f} s; wall: listening after {listening:.2f} s, answered "
               f"after {first_mock:.2f} s ({config.rounds} starts)", Target("<=", 2.0)),
        Figure(NAME, "serve: first moto request (Pinpoint settings) answered, wall s after start",
               first_moto, f"{first_moto:.2f} s", None),
    ]
