"""Cached listing pages (pinpoint_mock.backend.page_cache) through boto3: a page served again
never shows a status, a count or a job that a read made now would not show.

Every check compares a listing with what GetImportJob (never cached) shows for each job at the
same instant, and checks that the cache was used where it should be: a page served again is
the very bytes object recorded for the previous call (``mock.calls[...].response_body``).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from freezegun import freeze_time

from pinpoint_mock import Fault, PinpointImportsMock, Schedule, mock_pinpoint_imports

ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
BUCKET = "listing-cache"
T0 = "2026-03-01T10:00:00.000Z"
ROWS = b"ChannelType,Address\n" + b"".join(b"EMAIL,u%d@example.com\n" % n for n in range(250))
"""250 endpoints: 3 pieces, so that PROCESSING shows CompletedPieces growing."""


class Listed:
    """A started mock (clock frozen at T0) with an application and an IMPORT segment."""

    def __init__(self, mock: PinpointImportsMock, frozen: Any) -> None:
        self.mock = mock
        self.frozen = frozen
        self.client = boto3.client("pinpoint", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="rows.csv", Body=ROWS)
        s3.put_object(Bucket=BUCKET, Key="bad.csv", Body=b"ChannelType,Address\nEMAIL,\n")
        self.app_id = self.client.create_app(
            CreateApplicationRequest={"Name": "cache"})["ApplicationResponse"]["Id"]
        self.jobs: list[Any] = []
        self.segment_id = str(self.create(DefineSegment=True, SegmentName="s")["Definition"][
            "SegmentId"])

    def create(self, key: str = "rows.csv", **members: Any) -> Any:
        request = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/{key}", "RoleArn": ROLE_ARN,
                   **members}
        if "DefineSegment" not in members:
            request["SegmentId"] = self.segment_id
        job = self.client.create_import_job(ApplicationId=self.app_id,
                                            ImportJobRequest=request)["ImportJobResponse"]
        self.jobs.append(job)
        return job

    def listing(self, **members: Any) -> list[Any]:
        return list(self.client.get_segment_import_jobs(
            ApplicationId=self.app_id, SegmentId=self.segment_id, **members)[
            "ImportJobsResponse"]["Item"])

    def each_read(self) -> list[Any]:
        """Every job as GetImportJob shows it now (the uncached path), oldest first."""
        return [self.client.get_import_job(ApplicationId=self.app_id, JobId=job["Id"])[
            "ImportJobResponse"] for job in self.jobs]

    def check(self) -> list[Any]:
        """List twice and read each job: the same jobs, statuses and counts everywhere, the
        second listing served from the cache (the same bytes object). Returns the listing."""
        first = self.listing()
        again = self.listing()
        assert self.mock.calls[-1].response_body is self.mock.calls[-2].response_body
        assert first == again == self.each_read()
        assert self.listing() == first
        return first

    def statuses(self) -> list[str]:
        return [job["JobStatus"] for job in self.check()]


@pytest.fixture
def start() -> Iterator[Callable[..., Listed]]:
    with contextlib.ExitStack() as stack:

        def start(**options: Any) -> Listed:
            frozen = stack.enter_context(freeze_time(T0))
            return Listed(stack.enter_context(mock_pinpoint_imports(**options)), frozen)

        yield start


def test_a_polled_page_follows_the_clock_stage_by_stage_and_piece_by_piece(
    start: Callable[..., Listed],
) -> None:
    listed = start()  # 3 pieces: 1 + 4 + 3 x 2 + 5 seconds
    assert listed.statuses() == ["CREATED"]
    seen = []
    for _ in range(34):  # to 17 s
        listed.mock.advance(0.5)
        job = listed.check()[0]
        seen.append((job["JobStatus"], job["CompletedPieces"], job.get("TotalProcessed")))
    assert seen[:2] == [("CREATED", 0, None), ("INITIALIZING", 0, None)]
    assert ("PROCESSING", 0, None) in seen and ("PROCESSING", 2, None) in seen
    assert ("COMPLETING", 3, 250) in seen and seen[-1] == ("COMPLETED", 3, 250)
    order = ["CREATED", "INITIALIZING", "PROCESSING", "COMPLETING", "COMPLETED"]
    progress = [(order.index(status), pieces) for status, pieces, _ in seen]
    assert progress == sorted(progress)  # never back


def test_the_instant_a_stage_ends_is_shown_by_the_page(start: Callable[..., Listed]) -> None:
    listed = start()
    assert listed.statuses() == ["CREATED"]
    listed.frozen.tick(0.999)
    assert listed.statuses() == ["CREATED"]
    listed.frozen.tick(0.001)  # exactly the end of CREATED (1 s)
    assert listed.statuses() == ["INITIALIZING"]


def test_a_clock_moved_back_never_shows_an_earlier_status(start: Callable[..., Listed]) -> None:
    listed = start()
    listed.mock.advance(6)
    assert listed.statuses() == ["PROCESSING"]
    listed.frozen.move_to("2026-03-01T09:00:00Z")
    assert listed.statuses() == ["PROCESSING"]


def test_advance_job_fail_job_and_complete_job_show_at_once(start: Callable[..., Listed]) -> None:
    listed = start()
    second = listed.create()
    third = listed.create()
    assert listed.statuses() == ["CREATED"] * 3
    listed.mock.advance_job(listed.app_id, second["Id"])  # a step: no clock move
    assert listed.statuses() == ["CREATED", "INITIALIZING", "CREATED"]
    listed.mock.fail_job(listed.app_id, third["Id"], ["broken on purpose"])
    assert listed.statuses() == ["CREATED", "INITIALIZING", "FAILING"]
    listed.mock.complete_job(listed.app_id, listed.jobs[0]["Id"])
    assert listed.statuses() == ["COMPLETING", "INITIALIZING", "FAILING"]
    listed.mock.advance(60)
    done = listed.check()
    assert [job["JobStatus"] for job in done] == ["COMPLETED", "COMPLETED", "FAILED"]
    assert done[2]["Failures"] == ["broken on purpose"]
    assert [job["TotalProcessed"] for job in done] == [250, 250, 250]


def test_a_new_job_is_listed_at_once_also_after_every_job_ended(
    start: Callable[..., Listed],
) -> None:
    listed = start()
    listed.mock.advance(3600)
    assert listed.statuses() == ["COMPLETED"]  # every job terminal: the page never expires
    listed.create("bad.csv")
    assert listed.statuses() == ["COMPLETED", "CREATED"]
    listed.mock.advance(3600)
    failed = listed.check()[1]
    assert (failed["JobStatus"], failed["TotalFailures"]) == ("FAILED", 1)


def test_pages_with_a_next_token_keep_issuing_tokens_that_work(
    start: Callable[..., Listed],
) -> None:
    listed = start()
    listed.create()
    listed.create()
    first = listed.client.get_segment_import_jobs(
        ApplicationId=listed.app_id, SegmentId=listed.segment_id, PageSize="2")
    again = listed.client.get_segment_import_jobs(
        ApplicationId=listed.app_id, SegmentId=listed.segment_id, PageSize="2")
    tokens = [page["ImportJobsResponse"]["NextToken"] for page in (first, again)]
    assert tokens[0] != tokens[1]
    assert first["ImportJobsResponse"]["Item"] == again["ImportJobsResponse"]["Item"]
    for token in tokens:
        rest = listed.listing(PageSize="2", Token=token)
        assert [job["Id"] for job in rest] == [listed.jobs[2]["Id"]]
    listed.mock.advance(2)
    assert [job["JobStatus"] for job in listed.listing(PageSize="2", Token=tokens[0])] == [
        "INITIALIZING"]


def test_a_fault_answers_before_the_cache_and_leaves_it_correct(
    start: Callable[..., Listed],
) -> None:
    listed = start()
    assert listed.statuses() == ["CREATED"]
    listed.mock.faults.add(Fault.internal("GetSegmentImportJobs", times=1))
    client = boto3.client("pinpoint", region_name="us-east-1",
                          config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as error:
        client.get_segment_import_jobs(ApplicationId=listed.app_id, SegmentId=listed.segment_id)
    assert error.value.response["Error"]["Code"] == "InternalServerErrorException"
    listed.mock.advance(2)
    assert listed.statuses() == ["INITIALIZING"]


def test_a_reset_forgets_the_cached_pages(start: Callable[..., Listed]) -> None:
    listed = start()
    assert listed.statuses() == ["CREATED"]
    listed.mock.reset()
    app_id = listed.client.create_app(
        CreateApplicationRequest={"Name": "again"})["ApplicationResponse"]["Id"]
    assert listed.client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"][
        "Item"] == []
    with pytest.raises(ClientError) as error:
        listed.listing()
    assert error.value.response["Error"]["Code"] == "NotFoundException"


def test_the_other_progressions_move_the_jobs_on_every_read(
    start: Callable[..., Listed],
) -> None:
    listed = start(progression="per_read")  # the create response showed CREATED
    assert [job["JobStatus"] for job in listed.listing()] == ["INITIALIZING"]
    assert [job["JobStatus"] for job in listed.listing()] == ["PROCESSING"]
    assert listed.mock.calls[-1].response_body != listed.mock.calls[-2].response_body
    with mock_pinpoint_imports(progression="time"):  # the innermost mock's options rule
        assert [job["JobStatus"] for job in listed.listing()] == ["PROCESSING"]
        assert listed.listing() == listed.listing()
    assert [job["JobStatus"] for job in listed.listing()] == ["COMPLETING"]


def test_a_queued_job_started_early_by_complete_job_shows_it(
    start: Callable[..., Listed],
) -> None:
    listed = start(max_running_jobs=1, schedule=Schedule(per_piece=60))
    second = listed.create()
    assert listed.statuses() == ["CREATED", "PENDING_JOB"]
    listed.mock.complete_job(listed.app_id, listed.jobs[0]["Id"])
    listed.mock.advance(5)  # COMPLETING is 5 s: the first job has ended, the second starts
    assert listed.statuses() == ["COMPLETED", "CREATED"]
    assert listed.mock.job_status(listed.app_id, second["Id"]) == "CREATED"


def test_export_jobs_listed_from_the_cache_still_write_their_objects(
    start: Callable[..., Listed],
) -> None:
    listed = start()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="exports")
    request = {"RoleArn": ROLE_ARN, "S3UrlPrefix": "s3://exports/out/"}
    job = listed.client.create_export_job(ApplicationId=listed.app_id,
                                          ExportJobRequest=request)["ExportJobResponse"]

    def exports() -> list[Any]:
        return list(listed.client.get_export_jobs(ApplicationId=listed.app_id)[
            "ExportJobsResponse"]["Item"])

    assert [item["JobStatus"] for item in exports()] == ["CREATED"]
    assert exports() == exports()
    listed.mock.advance(3600)
    done = exports()
    assert [item["JobStatus"] for item in done] == ["COMPLETED"]
    assert done == [listed.client.get_export_job(ApplicationId=listed.app_id, JobId=job["Id"])[
        "ExportJobResponse"]]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="exports")["Contents"]]
    assert keys and all(key.startswith(f"out/{job['Id']}/") for key in keys)
