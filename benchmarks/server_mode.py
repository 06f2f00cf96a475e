"""Server mode: requests/s of GetSegmentImportJobs (a page of 20 jobs) over HTTP from one boto3
client, against moto's own server answering GetApps (20 apps) to the same kind of client.

Both servers are started the same way, as a process of their own on a free loopback port:
``python -m pinpoint_mock serve --port <p> --quiet`` and ``python -m moto.server -p <p>``.
Ours holds 20 import jobs of one IMPORT segment, COMPLETED (the control plane's clock moved an
hour); moto's holds 20 apps. Each contender is one block of ``calls`` calls timed back to back
on a warm connection, in alternating rounds; the figure is the median per-round ratio of
requests per second (ours / moto's).

Target (issue 13): ours >= 1.0 x moto's server.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

import boto3
from botocore.config import Config as BotoConfig

from benchmarks._timing import Figure, Target, alternate, median, ms, ratios, time_calls
from benchmarks.server_start import _environment, _free_port

NAME = "server_mode"
JOBS = 20
APPS = 20
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"


@dataclass(frozen=True)
class Config:
    rounds: int
    calls: int
    warmup: int = 20


FULL = Config(rounds=9, calls=300)
QUICK = Config(rounds=2, calls=50)
SMOKE = Config(rounds=1, calls=2, warmup=1)


def _client(service: str, url: str) -> Any:
    return boto3.session.Session(aws_access_key_id="testing",
                                 aws_secret_access_key="testing").client(
        service, region_name="us-east-1", endpoint_url=url,
        config=BotoConfig(retries={"mode": "standard", "total_max_attempts": 1}))


def _start(command: list[str], port: int) -> subprocess.Popen[bytes]:
    """Start a server process and wait (up to 60 s) until its port accepts connections."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=_environment())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(command)} exited with status {process.returncode}.")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{' '.join(command)} did not listen on port {port} within 60 s.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _seed_ours(url: str) -> Callable[[], Any]:
    """20 COMPLETED import jobs of one segment; returns the listing call."""
    s3, pinpoint = _client("s3", url), _client("pinpoint", url)
    s3.create_bucket(Bucket="server-mode")
    s3.put_object(Bucket="server-mode", Key="in.csv",
                  Body=b"ChannelType,Address\nEMAIL,ana@example.com\nSMS,+15555550101\n")
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "server-mode"})[
        "ApplicationResponse"]["Id"]
    request = {"Format": "CSV", "S3Url": "s3://server-mode/in.csv", "RoleArn": ROLE_ARN}
    first = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        **request, "DefineSegment": True, "SegmentName": "server-mode"})["ImportJobResponse"]
    segment_id = first["Definition"]["SegmentId"]
    for _ in range(JOBS - 1):
        pinpoint.create_import_job(ApplicationId=app_id,
                                   ImportJobRequest={**request, "SegmentId": segment_id})
    advance = urllib.request.Request(f"{url}/_pinpoint_mock/advance", method="POST",
                                     data=json.dumps({"seconds": 3600}).encode())
    urllib.request.urlopen(advance, timeout=60).close()
    items = pinpoint.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)[
        "ImportJobsResponse"]["Item"]
    if [item["JobStatus"] for item in items] != ["COMPLETED"] * JOBS:
        raise RuntimeError(f"the server listed {[item['JobStatus'] for item in items]}.")
    return lambda: pinpoint.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id)


def _seed_moto(url: str) -> Callable[[], Any]:
    """20 apps in moto's server; returns the GetApps call."""
    pinpoint = _client("pinpoint", url)
    for n in range(APPS):
        pinpoint.create_app(CreateApplicationRequest={"Name": f"app-{n}"})
    if len(pinpoint.get_apps()["ApplicationsResponse"]["Item"]) != APPS:
        raise RuntimeError("moto's server did not list the 20 apps.")
    return pinpoint.get_apps


def run(config: Config = FULL) -> list[Figure]:
    ours_port, moto_port = _free_port(), _free_port()
    servers = [
        _start([sys.executable, "-m", "pinpoint_mock", "serve", "--port", str(ours_port),
                "--quiet"], ours_port),
    ]
    try:
        servers.append(_start([sys.executable, "-m", "moto.server", "-p", str(moto_port)],
                              moto_port))
        ours_call = _seed_ours(f"http://127.0.0.1:{ours_port}")
        moto_call = _seed_moto(f"http://127.0.0.1:{moto_port}")

        def timed(call: Callable[[], Any]) -> Callable[[], float]:
            def measure() -> float:
                time_calls(call, config.warmup)
                return time_calls(call, config.calls)

            return measure

        ours, moto = alternate(config.rounds, [timed(ours_call), timed(moto_call)])
    finally:
        for server in servers:
            _stop(server)
    # requests/s ours / moto's = moto's seconds per call / ours
    ratio = median(ratios(moto, ours))
    return [
        Figure(NAME, f"GetSegmentImportJobs ({JOBS} jobs) over HTTP: requests/s, ours / "
               f"moto's server GetApps ({APPS} apps)", ratio,
               f"ours {ms(median(ours))}, moto {ms(median(moto))} per call "
               f"({1 / median(ours):.0f} vs {1 / median(moto):.0f} requests/s)",
               Target(">=", 1.0)),
    ]
