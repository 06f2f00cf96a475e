"""Server under load: 16 concurrent clients (threads, one boto3 client each, no retries) make
1,000 mixed calls each against ``python -m pinpoint_mock serve`` in another process; nothing
may be lost.

Mixed calls: CreateSegment, GetSegments, GetSegment, CreateImportJob, GetImportJobs,
GetImportJob, UpdateEndpoint, GetEndpoint (the mock's), GetApplicationSettings (moto's), with a
seeded 10 % 429 fault on GetImportJobs and GetSegments. Reconciled: the multiset of
(operation, status) the clients received equals the one ``GET /_pinpoint_mock/calls`` lists,
and every segment created is listed exactly once. Requests per second are given for information.

Target (issue 11): 0 calls lost or extra.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from benchmarks._timing import Figure, Target

NAME = "server_load"
ROLE_ARN = "arn:aws:iam::123456789012:role/Import"


@dataclass(frozen=True)
class Config:
    clients: int
    calls: int


FULL = Config(clients=16, calls=1000)
QUICK = Config(clients=8, calls=25)
SMOKE = Config(clients=2, calls=9)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    return env


def _client(service: str, url: str) -> Any:
    return boto3.session.Session(aws_access_key_id="testing",
                                 aws_secret_access_key="testing").client(
        service, region_name="us-east-1", endpoint_url=url,
        config=BotoConfig(retries={"mode": "standard", "total_max_attempts": 1},
                          max_pool_connections=4))


def _post(url: str, body: Any) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _calls(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_pinpoint_mock/calls", timeout=300) as response:
        calls: list[dict[str, Any]] = json.load(response)["calls"]
        return calls


def _work(url: str, app_id: str, index: int, count: int,
          seen: collections.Counter[tuple[str, int]], segments: list[str],
          lock: threading.Lock) -> None:
    pinpoint = _client("pinpoint", url)
    mine: dict[str, str] = {}
    local: collections.Counter[tuple[str, int]] = collections.Counter()
    made: list[str] = []

    def call(operation: str, action: Callable[..., Any], **params: Any) -> Any:
        try:
            answer = action(ApplicationId=app_id, **params)
        except ClientError as error:
            local[(operation, int(error.response["ResponseMetadata"]["HTTPStatusCode"]))] += 1
            return None
        local[(operation, int(answer["ResponseMetadata"]["HTTPStatusCode"]))] += 1
        return answer

    for k in range(count):
        step = k % 9
        if step == 0:
            answer = call("CreateSegment", pinpoint.create_segment,
                          WriteSegmentRequest={"Name": f"s-{index}-{k}"})
            if answer is not None:
                mine["segment"] = answer["SegmentResponse"]["Id"]
                made.append(mine["segment"])
        elif step == 1:
            call("GetSegments", pinpoint.get_segments, PageSize="5")
        elif step == 2:
            call("GetSegment", pinpoint.get_segment, SegmentId=mine.get("segment", "none"))
        elif step == 3:
            answer = call("CreateImportJob", pinpoint.create_import_job, ImportJobRequest={
                "Format": "CSV", "S3Url": "s3://load/a.csv", "RoleArn": ROLE_ARN,
                "RegisterEndpoints": False})
            if answer is not None:
                mine["job"] = answer["ImportJobResponse"]["Id"]
        elif step == 4:
            call("GetImportJobs", pinpoint.get_import_jobs, PageSize="5")
        elif step == 5:
            call("GetImportJob", pinpoint.get_import_job, JobId=mine.get("job", "none"))
        elif step == 6:
            mine["endpoint"] = f"e-{index}-{k}"
            call("UpdateEndpoint", pinpoint.update_endpoint, EndpointId=mine["endpoint"],
                 EndpointRequest={"ChannelType": "EMAIL",
                                  "Address": f"u{index}.{k}@example.com"})
        elif step == 7:
            call("GetEndpoint", pinpoint.get_endpoint, EndpointId=mine.get("endpoint", "none"))
        else:
            call("GetApplicationSettings", pinpoint.get_application_settings)
    with lock:
        seen.update(local)
        segments.extend(made)


def run(config: Config = FULL) -> list[Figure]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pinpoint_mock", "serve", "--port", "0", "--quiet",
         "--seed", "11"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=_environment())
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split("serving on ", 1)[1].strip()
        s3 = _client("s3", url)
        s3.create_bucket(Bucket="load")
        s3.put_object(Bucket="load", Key="a.csv", Body=b"ChannelType,Address\nEMAIL,a@x.io\n")
        pinpoint = _client("pinpoint", url)
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "load"})[
            "ApplicationResponse"]["Id"]
        for operation in ("GetImportJobs", "GetSegments"):
            _post(f"{url}/_pinpoint_mock/faults",
                  {"operation": operation, "status": 429, "probability": 0.1})
        before = len(_calls(url))
        seen: collections.Counter[tuple[str, int]] = collections.Counter()
        segments: list[str] = []
        lock = threading.Lock()
        threads = [threading.Thread(target=_work, args=(url, app_id, i, config.calls, seen,
                                                        segments, lock))
                   for i in range(config.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        recorded = collections.Counter(
            (c["operation"], int(c["status"])) for c in _calls(url)[before:])
        listed: list[str] = []
        token = None
        urllib.request.urlopen(urllib.request.Request(f"{url}/_pinpoint_mock/faults",
                                                      method="DELETE"), timeout=60).close()
        while True:
            extra = {"Token": token} if token else {}
            page = pinpoint.get_segments(ApplicationId=app_id, PageSize="200", **extra)
            listed += [s["Id"] for s in page["SegmentsResponse"]["Item"]]
            token = page["SegmentsResponse"].get("NextToken")
            if not token:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    made = sum(seen.values())
    mismatched = sum(((seen - recorded) + (recorded - seen)).values())
    faulted = sum(n for (_, status), n in seen.items() if status == 429)
    segments_ok = sorted(listed) == sorted(segments) and len(set(listed)) == len(listed)
    return [
        Figure(NAME, f"{config.clients} clients x {config.calls} mixed calls: calls lost or "
               "extra in /_pinpoint_mock/calls", float(mismatched + (0 if segments_ok else 1)),
               f"{made} calls made ({faulted} faulted 429), {sum(recorded.values())} recorded; "
               f"{len(segments)} segments created, {len(listed)} listed", Target("<=", 0)),
        Figure(NAME, "  requests per second over HTTP (all clients)", made / elapsed,
               f"{made} calls in {elapsed:.1f} s", None),
    ]
