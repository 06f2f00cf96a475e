"""Job lifecycle control through boto3: the four progressions, the schedule, forced outcomes
(fail_job / complete_job / advance_job), the running-jobs queue and the README's polling recipes.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import boto3
import pytest
from freezegun import freeze_time

from pinpoint_mock import (
    AmbiguousJobError,
    JobNotFoundError,
    JobStatus,
    PinpointImportsMock,
    Schedule,
    mock_pinpoint_imports,
)

SAMPLES = Path(__file__).resolve().parent.parent / "pinpoint_mock" / "samples"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
BUCKET = "lifecycle-files"
REGION = "us-east-1"
T0 = "2026-03-01T10:00:00.000Z"
GOOD = "endpoints-basic.csv"  # 10 endpoints, 1 piece: COMPLETED
BAD = "endpoints-missing-address-column.csv"  # every row fails: FAILED
MODES = ["time", "per_read", "manual", "immediate"]


class Jobs:
    """One started mock (clock frozen at T0) with a bucket of samples and an application."""

    def __init__(self, mock: PinpointImportsMock, frozen: Any, region: str = REGION) -> None:
        self.mock = mock
        self.frozen = frozen
        self.client = boto3.client("pinpoint", region_name=region)
        s3 = self.s3 = boto3.client("s3", region_name=REGION)
        if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket=BUCKET)
            for path in SAMPLES.glob("*.csv"):
                s3.put_object(Bucket=BUCKET, Key=path.name, Body=path.read_bytes())
        self.app_id = self.new_app()

    def new_app(self) -> str:
        response = self.client.create_app(CreateApplicationRequest={"Name": "lifecycle"})
        return str(response["ApplicationResponse"]["Id"])

    def rows(self, count: int) -> str:
        """A file of ``count`` good endpoints (a piece is 100 of them)."""
        body = "ChannelType,Address\n" + "".join(f"EMAIL,u{i}@example.com\n" for i in range(count))
        self.s3.put_object(Bucket=BUCKET, Key=f"rows-{count}.csv", Body=body.encode())
        return f"rows-{count}.csv"

    def create(self, source: str = GOOD, app_id: Optional[str] = None, **members: Any) -> Any:
        request = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/{source}", "RoleArn": ROLE_ARN}
        request.update(members)
        return self.client.create_import_job(ApplicationId=app_id or self.app_id,
                                             ImportJobRequest=request)["ImportJobResponse"]

    def read(self, job: Any) -> Any:
        return self.client.get_import_job(ApplicationId=job["ApplicationId"],
                                          JobId=job["Id"])["ImportJobResponse"]

    def status(self, job: Any) -> str:
        return str(self.read(job)["JobStatus"])

    def fail(self, job: Any, failures: Any = None) -> None:
        self.mock.fail_job(job["ApplicationId"], job["Id"], failures)

    def complete(self, job: Any) -> None:
        self.mock.complete_job(job["ApplicationId"], job["Id"])

    def advance_job(self, job: Any) -> JobStatus:
        return self.mock.advance_job(job["ApplicationId"], job["Id"])


def european_job() -> tuple[Any, str, Any]:
    """A client in eu-west-1, an application there, and a job of it (file from us-east-1's S3)."""
    europe = boto3.client("pinpoint", region_name="eu-west-1")
    app_id = europe.create_app(CreateApplicationRequest={"Name": "eu"})["ApplicationResponse"]["Id"]
    request = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/{GOOD}", "RoleArn": ROLE_ARN}
    job = europe.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
    return europe, str(app_id), job["ImportJobResponse"]


@pytest.fixture
def start() -> Iterator[Callable[..., Jobs]]:
    """``start(**options)`` -> :class:`Jobs` inside ``mock_pinpoint_imports(**options)``."""
    with contextlib.ExitStack() as stack:

        def start(**options: Any) -> Jobs:
            frozen = stack.enter_context(freeze_time(T0))
            mock = stack.enter_context(mock_pinpoint_imports(**options))
            return Jobs(mock, frozen)

        yield start


def drive(jobs: Jobs, mode: str, job: Any) -> list[str]:
    """Move ``job`` to its end the way a test of ``mode`` would; the statuses seen, in order,
    starting with the create response's (and one more read after the end)."""
    seen = [str(job["JobStatus"])]
    if mode == "time":
        for seconds in (1, 4, 2, 5, 100):  # the default schedule's stages for one piece
            jobs.mock.advance(seconds)
            seen.append(jobs.status(job))
    elif mode == "manual":
        seen.append(jobs.status(job))  # a read does not move it
        while not JobStatus(seen[-1]).terminal:
            moved = jobs.advance_job(job)
            seen.append(jobs.status(job))
            assert moved == seen[-1]
        seen.append(jobs.status(job))
    else:
        while not JobStatus(seen[-1]).terminal:
            seen.append(jobs.status(job))
        seen.append(jobs.status(job))
    return seen


HAPPY = ["CREATED", "INITIALIZING", "PROCESSING", "COMPLETING", "COMPLETED", "COMPLETED"]
FAILURE = ["CREATED", "INITIALIZING", "PROCESSING", "FAILING", "FAILED", "FAILED"]
PATHS = {
    ("time", GOOD): HAPPY,
    ("time", BAD): FAILURE,
    ("per_read", GOOD): HAPPY,
    ("per_read", BAD): FAILURE,
    ("manual", GOOD): ["CREATED", *HAPPY],
    ("manual", BAD): ["CREATED", *FAILURE],
    ("immediate", GOOD): ["CREATED", "COMPLETED", "COMPLETED"],
    ("immediate", BAD): ["CREATED", "FAILED", "FAILED"],
}


@pytest.mark.parametrize(("mode", "source"), list(PATHS), ids=[f"{m}-{s[:13]}" for m, s in PATHS])
def test_every_progression_walks_its_full_path(
    start: Callable[..., Jobs], mode: str, source: str
) -> None:
    jobs = start(progression=mode)
    assert drive(jobs, mode, jobs.create(source)) == PATHS[(mode, source)]


def test_bad_progression_is_one_sentence_listing_the_valid_ones() -> None:
    with pytest.raises(ValueError) as error:
        mock_pinpoint_imports(progression="fast")
    assert str(error.value) == (
        "progression must be one of 'time', 'per_read', 'manual', 'immediate'; got 'fast'."
    )


# -- per_read, immediate: what a read counts as, and the dates --------------------------------


def test_per_read_moves_only_the_jobs_a_read_returns(start: Callable[..., Jobs]) -> None:
    jobs = start(progression="per_read")
    first = jobs.create(DefineSegment=True, SegmentName="first")
    second = jobs.create()
    listed = jobs.client.get_import_jobs(ApplicationId=jobs.app_id)["ImportJobsResponse"]
    assert [j["JobStatus"] for j in listed["Item"]] == ["INITIALIZING", "INITIALIZING"]
    by_segment = jobs.client.get_segment_import_jobs(
        ApplicationId=jobs.app_id, SegmentId=first["Definition"]["SegmentId"])
    assert [j["JobStatus"] for j in by_segment["ImportJobsResponse"]["Item"]] == ["PROCESSING"]
    page = jobs.client.get_import_jobs(ApplicationId=jobs.app_id, PageSize="1")
    assert [j["JobStatus"] for j in page["ImportJobsResponse"]["Item"]] == ["COMPLETING"]
    assert jobs.status(second) == "PROCESSING"  # not on that page: it moved once since
    assert jobs.status(first) == "COMPLETED"


def test_per_read_counts_appear_after_processing_and_completion_is_the_last_read(
    start: Callable[..., Jobs],
) -> None:
    jobs = start(progression="per_read")
    job = jobs.create(jobs.rows(300))
    reads = []
    for _ in range(4):
        jobs.frozen.tick(60)
        reads.append(jobs.read(job))
    processing, completing, completed = reads[1], reads[2], reads[3]
    assert (processing["JobStatus"], processing["CompletedPieces"]) == ("PROCESSING", 0)
    assert "TotalProcessed" not in processing and "CompletionDate" not in completing
    assert (completing["CompletedPieces"], completing["TotalProcessed"]) == (3, 300)
    assert completed["CompletionDate"] == "2026-03-01T10:04:00.000Z"
    assert completed["CreationDate"] == T0


def test_immediate_ends_at_the_first_read_which_dates_the_completion(
    start: Callable[..., Jobs],
) -> None:
    jobs = start(progression="immediate")
    job = jobs.create()
    assert job["JobStatus"] == "CREATED" and "CompletionDate" not in job
    jobs.frozen.tick(10)
    done = jobs.read(job)
    assert (done["JobStatus"], done["CompletionDate"]) == ("COMPLETED", "2026-03-01T10:00:10.000Z")
    assert done["TotalProcessed"] == 10 and done["CompletedPieces"] == 1


# -- the schedule ------------------------------------------------------------------------------


def test_schedule_sets_each_stage_and_processing_grows_with_pieces(
    start: Callable[..., Jobs],
) -> None:
    schedule = Schedule(created=2, initializing=3, processing=4, per_piece=1, completing=6)
    jobs = start(schedule=schedule)
    job = jobs.create(jobs.rows(300))  # 3 pieces: PROCESSING lasts 4 + 3 x 1 = 7 s, from 5 to 12
    seen = []
    for _ in range(20):
        body = jobs.read(job)
        seen.append((body["JobStatus"], body["CompletedPieces"]))
        jobs.mock.advance(1)
    assert seen == [("CREATED", 0)] * 2 + [("INITIALIZING", 0)] * 3 + [
        ("PROCESSING", 0), ("PROCESSING", 0), ("PROCESSING", 0), ("PROCESSING", 1),
        ("PROCESSING", 1), ("PROCESSING", 2), ("PROCESSING", 2)] + [("COMPLETING", 3)] * 6 + [
        ("COMPLETED", 3)] * 2
    assert jobs.read(job)["CompletionDate"] == "2026-03-01T10:00:18.000Z"
    assert schedule.duration(3) == 18


def test_schedule_must_be_a_schedule() -> None:
    with pytest.raises(ValueError) as error:
        mock_pinpoint_imports(schedule={"created": 1})  # type: ignore[call-overload]
    assert str(error.value) == (
        "schedule must be a pinpoint_mock.Schedule, e.g. Schedule(per_piece=1.0); "
        "got {'created': 1}."
    )


# -- forced outcomes ---------------------------------------------------------------------------

FORCED = {  # the statuses after the force: reads (time: after 0 s and 5 s), or steps (manual)
    "time": ["FAILING", "FAILED"],
    "per_read": ["FAILING", "FAILED"],
    "manual": ["CREATED", "FAILING", "FAILED"],
    "immediate": ["FAILED"],
}


def finish_forced(jobs: Jobs, mode: str, job: Any) -> list[str]:
    """The statuses a job forced at creation shows until its end (see FORCED)."""
    if mode == "time":
        first = jobs.status(job)
        jobs.mock.advance(5)
        return [first, jobs.status(job)]
    if mode == "manual":
        return [jobs.status(job), str(jobs.advance_job(job)), str(jobs.advance_job(job))]
    seen = [jobs.status(job)]
    while not JobStatus(seen[-1]).terminal:
        seen.append(jobs.status(job))
    return seen


@pytest.mark.parametrize("mode", MODES)
def test_fail_job_moves_through_failing_to_failed_in_every_mode(
    start: Callable[..., Jobs], mode: str
) -> None:
    jobs = start(progression=mode)
    job = jobs.create(GOOD)
    jobs.fail(job, ["Simulated outage"])
    assert finish_forced(jobs, mode, job) == FORCED[mode]
    done = jobs.read(job)
    assert done["Failures"] == ["Simulated outage"]
    assert (done["FailedPieces"], done["CompletedPieces"], done["TotalPieces"]) == (1, 0, 1)
    assert (done["TotalProcessed"], done["TotalFailures"]) == (10, 0)  # the file's counts
    assert "CompletionDate" in done


@pytest.mark.parametrize("mode", MODES)
def test_complete_job_moves_through_completing_to_completed_in_every_mode(
    start: Callable[..., Jobs], mode: str
) -> None:
    jobs = start(progression=mode)
    job = jobs.create(BAD)
    jobs.complete(job)
    expected = [status.replace("FAIL", "COMPLET") for status in FORCED[mode]]
    assert finish_forced(jobs, mode, job) == expected
    done = jobs.read(job)
    assert (done["JobStatus"], done["FailedPieces"], done["CompletedPieces"]) == ("COMPLETED", 0, 1)
    assert done["TotalFailures"] == 2 and len(done["Failures"]) == 2  # the file's own


def test_fail_job_midway_keeps_the_pieces_already_processed(start: Callable[..., Jobs]) -> None:
    jobs = start()
    job = jobs.create(jobs.rows(300))  # PROCESSING from 5 s to 11 s, a piece every 2 s
    jobs.mock.advance(8)
    assert (jobs.read(job)["JobStatus"], jobs.read(job)["CompletedPieces"]) == ("PROCESSING", 1)
    jobs.fail(job)
    failing = jobs.read(job)
    assert (failing["JobStatus"], failing["CompletedPieces"], failing["FailedPieces"]) == (
        "FAILING", 1, 2)
    assert failing["Failures"] == [
        "The import job was failed on purpose by the test (fail_job)."]
    jobs.mock.advance(4.9)
    assert jobs.status(job) == "FAILING"
    jobs.mock.advance(0.1)
    assert jobs.read(job)["CompletionDate"] == "2026-03-01T10:00:13.000Z"


def test_a_forced_outcome_never_serves_stale_bytes(start: Callable[..., Jobs]) -> None:
    jobs = start(progression="manual")
    job = jobs.create(BAD)
    for _ in range(3):
        jobs.advance_job(job)
    failing = jobs.read(job)  # encoded and cached for this view
    assert failing["JobStatus"] == "FAILING" and len(failing["Failures"]) == 2
    jobs.fail(job, ["Replaced"])
    assert jobs.read(job)["Failures"] == ["Replaced"]
    listed = jobs.client.get_import_jobs(ApplicationId=jobs.app_id)["ImportJobsResponse"]
    assert listed["Item"][0]["Failures"] == ["Replaced"]


def test_complete_job_leaves_a_completing_job_as_it_is(start: Callable[..., Jobs]) -> None:
    jobs = start(progression="per_read")
    job = jobs.create()
    while jobs.status(job) != "COMPLETING":
        pass
    jobs.complete(job)
    assert jobs.status(job) == "COMPLETED"


def test_advance_job_under_time_waits_for_the_clock_after_the_step(
    start: Callable[..., Jobs],
) -> None:
    jobs = start()
    job = jobs.create()
    assert jobs.advance_job(job) is JobStatus.INITIALIZING
    jobs.mock.advance(4.9)
    assert jobs.status(job) == "INITIALIZING"
    jobs.mock.advance(0.1)
    assert jobs.status(job) == "PROCESSING"
    assert [jobs.advance_job(job), jobs.advance_job(job)] == ["COMPLETING", "COMPLETED"]
    assert jobs.read(job)["CompletionDate"] == "2026-03-01T10:00:05.000Z"  # when it was ended


# -- refusals ----------------------------------------------------------------------------------


def test_a_terminal_job_is_refused_by_every_control(start: Callable[..., Jobs]) -> None:
    jobs = start(progression="immediate")
    job = jobs.create()
    assert jobs.status(job) == "COMPLETED"
    name = job["Id"]
    with pytest.raises(ValueError) as error:
        jobs.fail(job)
    assert str(error.value) == (
        f"Import job '{name}' is already COMPLETED; fail_job() only changes a job that has "
        "not ended.")
    with pytest.raises(ValueError, match=r"already COMPLETED; complete_job\(\) only changes"):
        jobs.complete(job)
    with pytest.raises(ValueError, match=r"already COMPLETED; advance_job\(\) only moves"):
        jobs.advance_job(job)


def test_the_other_outcome_is_refused_once_the_closing_stage_began(
    start: Callable[..., Jobs],
) -> None:
    jobs = start(progression="per_read")
    good, bad = jobs.create(GOOD), jobs.create(BAD)
    for _ in range(3):
        jobs.client.get_import_jobs(ApplicationId=jobs.app_id)
    with pytest.raises(ValueError) as error:
        jobs.fail(good)
    assert str(error.value) == (
        f"Import job '{good['Id']}' is already COMPLETING; fail_job() cannot change the "
        "outcome of a job that has processed all its pieces.")
    with pytest.raises(ValueError, match=r"already FAILING; complete_job\(\) cannot change"):
        jobs.complete(bad)


def test_unknown_application_or_job_is_a_job_not_found_error(start: Callable[..., Jobs]) -> None:
    jobs = start()
    job = jobs.create()
    with pytest.raises(JobNotFoundError) as error:
        jobs.mock.fail_job("nope", job["Id"])
    assert isinstance(error.value, LookupError)
    assert str(error.value) == (
        "No Pinpoint application 'nope' in any region the mock has served (account "
        "123456789012: us-east-1); pass the Id that create_app returned.")
    with pytest.raises(JobNotFoundError) as error:
        jobs.mock.complete_job(jobs.app_id, "nope")
    assert str(error.value) == (
        f"No import or export job 'nope' in application '{jobs.app_id}' (account "
        "123456789012, region us-east-1); pass the Id that create_import_job or "
        "create_export_job returned.")
    with pytest.raises(JobNotFoundError) as error:
        jobs.mock.advance_job(jobs.app_id, job["Id"], region="eu-west-1")
    assert str(error.value) == (
        f"No Pinpoint application '{jobs.app_id}' in account 123456789012, region eu-west-1; "
        "pass the Id that create_app returned, and region=/account_id= if the job is elsewhere.")
    assert jobs.status(job) == "CREATED"  # a refused call changes nothing

@pytest.mark.parametrize("failures", [[], "boom", ["ok", 3], ["bad \ud800 text"]])
def test_failures_must_be_a_non_empty_list_of_strings(
    start: Callable[..., Jobs], failures: Any
) -> None:
    jobs = start()
    job = jobs.create()
    with pytest.raises(ValueError, match="failures must be a"):
        jobs.fail(job, failures)
    assert jobs.status(job) == "CREATED"


def test_controls_need_a_started_mock() -> None:
    mock = mock_pinpoint_imports()
    with pytest.raises(RuntimeError, match="not started"):
        mock.fail_job("app", "job")


def test_the_job_is_found_in_whatever_region_holds_it(start: Callable[..., Jobs]) -> None:
    jobs = start()
    jobs.create()  # us-east-1 has a backend too
    europe, app_id, job = european_job()
    jobs.mock.fail_job(app_id, job["Id"])
    read = europe.get_import_job(ApplicationId=app_id, JobId=job["Id"])["ImportJobResponse"]
    assert read["JobStatus"] == "FAILING"


def test_a_region_moto_does_not_know_is_named_not_a_key_error(
        start: Callable[..., Jobs]) -> None:
    jobs = start()
    _, app_id, job = european_job()
    for region in ("us-east1", "US-EAST-1", "", "mars-1"):
        for control in (jobs.mock.advance_job, jobs.mock.fail_job, jobs.mock.complete_job,
                        jobs.mock.job_status):
            with pytest.raises(JobNotFoundError,
                               match=f"^{region!r} is not a region moto offers Pinpoint in"):
                control(app_id, job["Id"], region=region)
    assert jobs.mock.job_status(app_id, job["Id"]) == "CREATED"


def test_ids_of_the_wrong_type_are_named(start: Callable[..., Jobs]) -> None:
    jobs = start()
    _, app_id, job = european_job()
    with pytest.raises(TypeError, match="^Job control takes job_id as a string .*got dict"):
        jobs.mock.advance_job(app_id, {"Id": job["Id"]})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="application_id as a string .*got NoneType"):
        jobs.mock.fail_job(None, job["Id"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="region as a string .*got int"):
        jobs.mock.complete_job(app_id, job["Id"], region=1)  # type: ignore[arg-type]


def test_region_and_account_narrow_the_search(start: Callable[..., Jobs]) -> None:
    jobs = start()
    europe, app_id, job = european_job()
    with pytest.raises(JobNotFoundError, match="in account 123456789012, region us-east-1;"):
        jobs.mock.fail_job(app_id, job["Id"], region="us-east-1")
    with pytest.raises(JobNotFoundError, match=r"no region of account '111111111111' \(it has "
                       r"served account 123456789012: eu-west-1"):
        jobs.mock.fail_job(app_id, job["Id"], account_id="111111111111")
    with pytest.raises(JobNotFoundError, match="account 111111111111, region eu-west-1"):
        jobs.mock.fail_job(app_id, job["Id"], region="eu-west-1", account_id="111111111111")
    jobs.mock.complete_job(app_id, job["Id"], account_id="123456789012")
    read = europe.get_import_job(ApplicationId=app_id, JobId=job["Id"])["ImportJobResponse"]
    assert read["JobStatus"] == "COMPLETING"


def test_the_same_ids_in_two_regions_must_be_told_apart(
    start: Callable[..., Jobs], monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto's ids repeat when its random generator is seeded (moto-api/seed): the same
    # application Id in two regions, and here the same job Id as well.
    from moto.moto_api._internal import mock_random

    jobs = start()
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=7))
    made = []
    for region in ("us-east-1", "eu-west-1"):
        mock_random.seed(42)
        client = boto3.client("pinpoint", region_name=region)
        app_id = client.create_app(CreateApplicationRequest={"Name": "twin"})[
            "ApplicationResponse"]["Id"]
        request = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/{GOOD}", "RoleArn": ROLE_ARN}
        job = client.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
        made.append((client, app_id, job["ImportJobResponse"]["Id"]))
    (_, app_id, job_id), (europe, app_id_eu, job_id_eu) = made
    assert (app_id, job_id) == (app_id_eu, job_id_eu)
    with pytest.raises(AmbiguousJobError) as error:
        jobs.mock.fail_job(app_id, job_id)
    assert isinstance(error.value, LookupError)
    assert str(error.value) == (
        f"Import job '{job_id}' of application '{app_id}' is in 2 regions of account "
        "123456789012, eu-west-1 and us-east-1; pass region= to say which.")
    jobs.mock.fail_job(app_id, job_id, region="eu-west-1")
    read = europe.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"]
    assert read["JobStatus"] == "FAILING"


# -- PENDING_JOB: the running-jobs limit ----------------------------------------------------------


def test_no_limit_by_default(start: Callable[..., Jobs]) -> None:
    jobs = start()
    assert {jobs.create()["JobStatus"] for _ in range(12)} == {"CREATED"}


def test_a_job_beyond_the_limit_waits_until_a_running_one_ends(start: Callable[..., Jobs]) -> None:
    jobs = start(max_running_jobs=2)
    first, second, third = jobs.create(), jobs.create(), jobs.create()
    assert [first["JobStatus"], second["JobStatus"], third["JobStatus"]] == [
        "CREATED", "CREATED", "PENDING_JOB"]
    assert third["CreationDate"] == T0
    jobs.mock.advance(11.9)
    assert [jobs.status(j) for j in (first, second, third)] == [
        "COMPLETING", "COMPLETING", "PENDING_JOB"]
    jobs.mock.advance(0.1)
    assert [jobs.status(j) for j in (first, third)] == ["COMPLETED", "CREATED"]
    jobs.mock.advance(12)
    done = jobs.read(third)
    assert (done["JobStatus"], done["CompletionDate"]) == ("COMPLETED", "2026-03-01T10:00:24.000Z")


def test_aws_quota_of_ten_running_jobs(start: Callable[..., Jobs]) -> None:
    jobs = start(max_running_jobs=10)
    created = [jobs.create()["JobStatus"] for _ in range(11)]
    assert created == ["CREATED"] * 10 + ["PENDING_JOB"]


def test_queued_jobs_start_in_creation_order(start: Callable[..., Jobs]) -> None:
    jobs = start(max_running_jobs=1)
    long = jobs.create(jobs.rows(1000))  # 30 s
    short, last = jobs.create(), jobs.create()  # 12 s each, after it, one at a time
    jobs.mock.advance(30)
    assert [jobs.status(j) for j in (long, short, last)] == ["COMPLETED", "CREATED", "PENDING_JOB"]
    jobs.mock.advance(12)
    assert [jobs.status(j) for j in (short, last)] == ["COMPLETED", "CREATED"]


def test_every_application_of_the_account_and_region_shares_the_limit(
    start: Callable[..., Jobs],
) -> None:
    jobs = start(max_running_jobs=1)
    jobs.create()
    assert jobs.create(app_id=jobs.new_app())["JobStatus"] == "PENDING_JOB"
    assert european_job()[2]["JobStatus"] == "CREATED"


def test_ending_a_running_job_early_starts_the_queued_one_sooner(
    start: Callable[..., Jobs],
) -> None:
    jobs = start(max_running_jobs=1)
    first, second = jobs.create(), jobs.create()
    jobs.mock.advance(2)
    jobs.complete(first)  # COMPLETING from 2 s to 7 s instead of 7 s to 12 s
    with pytest.raises(ValueError) as error:
        jobs.advance_job(second)
    assert str(error.value) == (
        f"Import job '{second['Id']}' waits in PENDING_JOB for one of the 1 running import "
        "jobs to end (max_running_jobs=1); end one with advance_job(), complete_job() or "
        "fail_job(), or move the clock.")
    jobs.mock.advance(4.9)
    assert [jobs.status(first), jobs.status(second)] == ["COMPLETING", "PENDING_JOB"]
    jobs.mock.advance(0.1)
    assert [jobs.status(first), jobs.status(second)] == ["COMPLETED", "CREATED"]
    assert jobs.advance_job(second) == "INITIALIZING"


def test_a_queued_job_can_be_failed_without_waiting(start: Callable[..., Jobs]) -> None:
    jobs = start(max_running_jobs=1)
    first, second = jobs.create(), jobs.create()
    jobs.fail(second, ["Cancelled"])
    assert [jobs.status(first), jobs.status(second)] == ["CREATED", "FAILING"]
    jobs.mock.advance(5)
    assert [jobs.status(first), jobs.status(second)] == ["PROCESSING", "FAILED"]


ENDERS: dict[str, Callable[[Jobs, Any], Any]] = {
    "per_read": lambda jobs, job: jobs.status(job),
    "manual": lambda jobs, job: jobs.advance_job(job),
    "immediate": lambda jobs, job: jobs.status(job),
}


@pytest.mark.parametrize("mode", list(ENDERS))
def test_without_a_clock_a_queued_job_starts_once_a_running_one_shows_its_end(
    start: Callable[..., Jobs], mode: str
) -> None:
    jobs = start(progression=mode, max_running_jobs=1)
    first, second = jobs.create(), jobs.create()
    assert second["JobStatus"] == "PENDING_JOB"
    assert jobs.status(second) == "PENDING_JOB"
    if mode == "manual":
        with pytest.raises(ValueError, match="waits in PENDING_JOB"):
            jobs.advance_job(second)
    while not JobStatus(jobs.status(first)).terminal:
        ENDERS[mode](jobs, first)
    after = jobs.advance_job(second) if mode == "manual" else jobs.status(second)
    assert after == {"per_read": "CREATED", "manual": "CREATED", "immediate": "COMPLETED"}[mode]


@pytest.mark.parametrize("bad", [0, True, "10"])
def test_max_running_jobs_is_validated(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"^max_running_jobs must be None \(no limit\) or a whole"):
        mock_pinpoint_imports(max_running_jobs=bad)


# -- the README's polling recipes ---------------------------------------------------------------


def wait_for_import(client: Any, app_id: str, job_id: str, interval: float = 5.0) -> Any:
    """Code under test: polls until the job ends, sleeping between polls."""
    while True:
        job = client.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"]
        if job["JobStatus"] in ("COMPLETED", "FAILED"):
            return job
        time.sleep(interval)


def test_recipe_per_read_with_sleep_patched_out(
    start: Callable[..., Jobs], monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = start(progression="per_read")
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    job = jobs.create()
    assert wait_for_import(jobs.client, jobs.app_id, job["Id"])["JobStatus"] == "COMPLETED"
    assert slept == [5.0, 5.0, 5.0]  # INITIALIZING, PROCESSING, COMPLETING, then COMPLETED


def test_recipe_sleep_advances_the_mock_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with mock_pinpoint_imports() as mock:
        jobs = Jobs(mock, None)
        monkeypatch.setattr(time, "sleep", mock.advance)
        job = jobs.create()
        done = wait_for_import(jobs.client, jobs.app_id, job["Id"])
    assert done["JobStatus"] == "COMPLETED"


def test_recipe_sleep_ticks_freezegun(monkeypatch: pytest.MonkeyPatch) -> None:
    with freeze_time(T0) as frozen, mock_pinpoint_imports():
        jobs = Jobs(None, frozen)  # type: ignore[arg-type]
        monkeypatch.setattr(time, "sleep", frozen.tick)
        job = jobs.create()
        done = wait_for_import(jobs.client, jobs.app_id, job["Id"])
        assert time.strftime("%H:%M:%S", time.gmtime()) == "10:00:15"  # three 5 s sleeps
    # "time": CompletionDate is the scheduled instant, not the poll that saw it
    assert (done["JobStatus"], done["CompletionDate"]) == ("COMPLETED", "2026-03-01T10:00:12.000Z")


@pytest.mark.parametrize("control", ["advance_job", "fail_job", "complete_job", "job_status"])
def test_a_refused_control_of_an_unserved_region_changes_nothing(
        start: Callable[..., Jobs], control: str) -> None:
    """A refused request changes nothing (issue 14): a job control naming a region the mock
    has served no request in found nothing, yet added that region to the "served regions"
    that later messages list (found by an outside attacker)."""
    jobs = start()
    job = jobs.create()
    with pytest.raises(JobNotFoundError, match="in account 123456789012, region ap-south-1;"):
        getattr(jobs.mock, control)(jobs.app_id, job["Id"], region="ap-south-1")
    with pytest.raises(JobNotFoundError) as error:
        jobs.mock.advance_job("nope", job["Id"])
    assert "(account 123456789012: us-east-1)" in str(error.value)
    assert jobs.status(job) == "CREATED"
