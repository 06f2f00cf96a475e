"""One client shared by 16 threads: every job is created once and listed once."""

from __future__ import annotations

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
