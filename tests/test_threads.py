"""One client shared by 16 threads: every job is created once and listed once."""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

CreateJob = Callable[..., dict[str, Any]]


def test_sixteen_threads_creating_ten_jobs_each_give_160_distinct_listed_jobs(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    created: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            for _ in range(10):
                job_id = create_job("endpoints-basic.csv")["Id"]
                with lock:
                    created.append(job_id)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    listed: list[str] = []
    token = None
    while True:
        extra = {"Token": token} if token else {}
        body = pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize="37", **extra)
        listed += [job["Id"] for job in body["ImportJobsResponse"]["Item"]]
        token = body["ImportJobsResponse"].get("NextToken")
        if token is None:
            break
    assert len(set(created)) == 160
    assert sorted(listed) == sorted(created)
    assert len(listed) == 160


def run_threads(work: Callable[[int], None], count: int) -> list[BaseException]:
    """Run ``work(0)`` ... ``work(count - 1)`` in threads that switch every microsecond (so
    that races show up), and return what they raised."""
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            work(n)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_get_user_endpoints_never_sees_half_an_update(
    pinpoint_client: Any, app_id: str
) -> None:
    """GetUserEndpoints reads under the lock (issue 14: it raised KeyError or "dictionary
    changed size during iteration" while UpdateEndpoint moved endpoints between users): four
    writers move endpoints between two users while four readers list them; every read answers
    200 or 404 (a user left with none), never an exception, and lists each endpoint once."""

    def work(n: int) -> None:
        if n % 2 == 0:
            for i in range(150):
                pinpoint_client.update_endpoint(
                    ApplicationId=app_id, EndpointId=f"e{n}-{i % 3}",
                    EndpointRequest={"ChannelType": "SMS", "Address": f"+1{n}{i % 3}",
                                     "User": {"UserId": f"u{i % 2}"}})
        else:
            for i in range(150):
                try:
                    items = pinpoint_client.get_user_endpoints(
                        ApplicationId=app_id, UserId=f"u{i % 2}")["EndpointsResponse"]["Item"]
                except pinpoint_client.exceptions.NotFoundException:
                    continue
                ids = [item["Id"] for item in items]
                assert len(ids) == len(set(ids)) <= 15

    assert run_threads(work, 8) == []


def test_concurrent_create_segment_pages_and_delete_agree(
    pinpoint_client: Any, app_id: str
) -> None:
    """Concurrent CreateSegment calls list in creation order, so paging and DeleteSegment
    agree (issue 14: a deleted segment stayed listed): 8 threads create 20 segments each and
    delete every third one they made; the listing then holds exactly the others, once."""
    kept: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(20):
            segment = pinpoint_client.create_segment(
                ApplicationId=app_id, WriteSegmentRequest={"Name": f"t{n}-{i}"})
            segment_id = segment["SegmentResponse"]["Id"]
            if i % 3 == 0:
                pinpoint_client.delete_segment(ApplicationId=app_id, SegmentId=segment_id)
            else:
                with lock:
                    kept.append(segment_id)

    assert run_threads(work, 8) == []
    listed: list[str] = []
    dates: list[str] = []
    token = None
    while True:
        extra = {"Token": token} if token else {}
        body = pinpoint_client.get_segments(ApplicationId=app_id, PageSize="9", **extra)
        listed += [s["Id"] for s in body["SegmentsResponse"]["Item"]]
        dates += [s["CreationDate"] for s in body["SegmentsResponse"]["Item"]]
        token = body["SegmentsResponse"].get("NextToken")
        if token is None:
            break
    assert sorted(listed) == sorted(kept) and len(listed) == len(kept) == 8 * 13
    assert dates == sorted(dates)
