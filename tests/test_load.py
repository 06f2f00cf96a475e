"""Load: 32 threads share one boto3 client and make mixed calls with seeded faults on.

Afterwards every resource a thread created (segments, import jobs and the segments they
define, endpoints) is listed exactly once, and what was deleted is not; ``mock.calls`` holds
exactly the HTTP attempts botocore made (``1 + RetryAttempts`` per call), per operation, and
the fault rules fired exactly for the attempts answered with their errors; no call raised
anything but the modeled errors of the faults.

The size is ``--load-calls`` calls per thread: 40 by default (about 1,300 calls, a few seconds
on 2 cores), ``--load-calls=1000`` for the issue's 32,000.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pinpoint_mock import Fault, PinpointImportsMock
from tests.conftest import BUCKET, REGION, ROLE_ARN, SAMPLES

THREADS = 32
FAULTS = [Fault.throttle("*", probability=0.05), Fault.internal("*", probability=0.02)]
MODELED = {429: "TooManyRequestsException", 500: "InternalServerErrorException"}
"""What the fault rules answer: the only errors a call may end with."""
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 3}, max_pool_connections=64)


@dataclass
class Worker:
    """One thread's calls and what it created and deleted."""

    number: int
    client: Any
    app_id: str
    rng: random.Random
    attempts: Counter[str] = field(default_factory=Counter)
    faulted: int = 0
    failures: list[str] = field(default_factory=list)
    segments: set[str] = field(default_factory=set)
    deleted_segments: set[str] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)
    endpoints: dict[str, str] = field(default_factory=dict)  # endpoint id -> user id
    deleted_endpoints: set[str] = field(default_factory=set)

    def call(self, operation: str, **params: Any) -> Optional[dict[str, Any]]:
        """The response, or None when the call ended with a fault's error (counted)."""
        method = getattr(self.client, _snake(operation))
        try:
            response: dict[str, Any] = method(**params)
        except ClientError as error:
            metadata = error.response["ResponseMetadata"]
            status = metadata["HTTPStatusCode"]
            self._count(operation, metadata, failed_too=True)
            if MODELED.get(status) != error.response["Error"]["Code"]:
                self.failures.append(f"{operation}: {error}")
            return None
        except Exception as error:  # noqa: BLE001 - every other escape fails the test
            self.failures.append(f"{operation}: {type(error).__name__}: {error}")
            return None
        self._count(operation, response["ResponseMetadata"], failed_too=False)
        return response

    def _count(self, operation: str, metadata: dict[str, Any], failed_too: bool) -> None:
        retries = metadata.get("RetryAttempts", 0)
        self.attempts[operation] += 1 + retries
        self.faulted += retries + failed_too  # standard mode retries only the faults' 429/500

    def step(self, n: int) -> None:
        choice = self.rng.random()
        mine = sorted(self.segments - self.deleted_segments)
        alive = sorted(set(self.endpoints) - self.deleted_endpoints)
        if choice < 0.15 or not mine:
            response = self.call("CreateSegment", ApplicationId=self.app_id,
                                 WriteSegmentRequest={"Name": f"t{self.number}-{n}"})
            if response is not None:
                self.segments.add(response["SegmentResponse"]["Id"])
        elif choice < 0.25:
            self.call("GetSegment", ApplicationId=self.app_id, SegmentId=self.rng.choice(mine))
        elif choice < 0.30:
            segment_id = self.rng.choice(mine)
            if self.call("DeleteSegment", ApplicationId=self.app_id, SegmentId=segment_id):
                self.deleted_segments.add(segment_id)
        elif choice < 0.38:
            self.call("GetSegments", ApplicationId=self.app_id, PageSize="20")
        elif choice < 0.55 or not alive:
            endpoint_id = f"t{self.number}-e{n}"
            user_id = f"user-{self.number}-{n // 10}"  # at most 10 (the quota is 15)
            if self.call("UpdateEndpoint", ApplicationId=self.app_id, EndpointId=endpoint_id,
                         EndpointRequest={"ChannelType": "EMAIL",
                                          "Address": f"{endpoint_id}@example.com",
                                          "User": {"UserId": user_id}}):
                self.endpoints[endpoint_id] = user_id
        elif choice < 0.65:
            self.call("GetEndpoint", ApplicationId=self.app_id, EndpointId=self.rng.choice(alive))
        elif choice < 0.72:
            user_id = self.endpoints[self.rng.choice(alive)]
            self.call("GetUserEndpoints", ApplicationId=self.app_id, UserId=user_id)
        elif choice < 0.76:
            endpoint_id = self.rng.choice(alive)
            if self.call("DeleteEndpoint", ApplicationId=self.app_id, EndpointId=endpoint_id):
                self.deleted_endpoints.add(endpoint_id)
        elif choice < 0.84:
            response = self.call("CreateImportJob", ApplicationId=self.app_id, ImportJobRequest={
                "Format": "CSV", "S3Url": f"s3://{BUCKET}/load/endpoints-basic.csv",
                "RoleArn": ROLE_ARN, "DefineSegment": True,
                "SegmentName": f"import-{self.number}-{n}", "RegisterEndpoints": False})
            if response is not None:
                job = response["ImportJobResponse"]
                self.jobs.add(job["Id"])
                self.segments.add(job["Definition"]["SegmentId"])
        elif choice < 0.92 and self.jobs:
            self.call("GetImportJob", ApplicationId=self.app_id,
                      JobId=self.rng.choice(sorted(self.jobs)))
        else:
            self.call("GetImportJobs", ApplicationId=self.app_id, PageSize="25")


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _pages(call: Callable[..., dict[str, Any]], key: str, **params: Any) -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        extra = {"Token": token} if token else {}
        body = call(PageSize="100", **params, **extra)[key]
        ids += [item["Id"] for item in body["Item"]]
        token = body.get("NextToken")
        if not token:
            return ids


@pytest.mark.pinpoint_imports(faults=FAULTS, seed=14)
def test_32_threads_of_mixed_calls_with_faults_keep_every_listing_and_the_call_log_exact(
    pinpoint_imports: PinpointImportsMock, aws_credentials: None,
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    calls_per_thread = int(request.config.getoption("--load-calls"))
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # botocore's retry back-off
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="load/endpoints-basic.csv",
                  Body=(SAMPLES / "endpoints-basic.csv").read_bytes())
    client = boto3.client("pinpoint", region_name=REGION, config=RETRIES)
    app_id = None
    while app_id is None:  # CreateApp is moto's, but the "*" rules may answer it too
        try:
            app_id = client.create_app(CreateApplicationRequest={"Name": "load"})[
                "ApplicationResponse"]["Id"]
        except ClientError:
            pass
    workers = [Worker(n, client, app_id, random.Random(n)) for n in range(THREADS)]
    before = len(pinpoint_imports.calls)
    fired_before = sum(rule.fired for rule in pinpoint_imports.faults)
    start = threading.Barrier(THREADS)

    def work(worker: Worker) -> None:
        start.wait()
        for n in range(calls_per_thread):
            worker.step(n)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [failure for worker in workers for failure in worker.failures] == []
    calls = pinpoint_imports.calls[before:]
    attempts = sum((worker.attempts for worker in workers), Counter())
    assert Counter(call.operation for call in calls) == attempts
    faulted = sum(worker.faulted for worker in workers)
    assert sum(call.fault is not None for call in calls) == faulted
    assert sum(rule.fired for rule in pinpoint_imports.faults) - fired_before == faulted
    assert 0 < faulted < sum(attempts.values()) // 5  # the faults did fire, and not always

    pinpoint_imports.faults.clear()
    jobs = _pages(client.get_import_jobs, "ImportJobsResponse", ApplicationId=app_id)
    assert len(jobs) == len(set(jobs)) and set(jobs) == set().union(*(w.jobs for w in workers))
    expected: dict[str, set[str]] = {}
    for worker in workers:
        for endpoint_id, user_id in worker.endpoints.items():
            if endpoint_id not in worker.deleted_endpoints:
                expected.setdefault(user_id, set()).add(endpoint_id)
    users = {user for worker in workers for user in worker.endpoints.values()}
    for user_id in sorted(users):
        try:
            items = client.get_user_endpoints(ApplicationId=app_id, UserId=user_id)[
                "EndpointsResponse"]["Item"]
        except client.exceptions.NotFoundException:
            items = []
        listed = [item["Id"] for item in items]
        assert len(listed) == len(set(listed)) and set(listed) == expected.get(user_id, set())

    segments = _pages(client.get_segments, "SegmentsResponse", ApplicationId=app_id)
    alive = set().union(*(w.segments - w.deleted_segments for w in workers))
    assert len(segments) == len(set(segments))
    assert set(segments) == alive
