"""The lifecycle model without boto3: Schedule, plan_for, view_at, steps, forced plans, the
running-jobs queue, and Progression over a bare Store with a hand-driven clock."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pinpoint_mock.backend.importer import ImportResult, Piece
from pinpoint_mock.backend.lifecycle import (
    JobStatus,
    Plan,
    Schedule,
    delayed_plan,
    forced_plan,
    next_stage_start,
    plan_for,
    view_at,
)
from pinpoint_mock.backend.models import ImportJob, iso8601
from pinpoint_mock.backend.progression import (
    DEFAULT_FAILURE,
    JobStateError,
    Progression,
    Settings,
)
from pinpoint_mock.backend.queueing import check_limit, queued_start
from pinpoint_mock.backend.store import Store

S = JobStatus
HAPPY = [S.CREATED, S.INITIALIZING, S.PROCESSING, S.COMPLETING, S.COMPLETED]
FAILURE = [S.CREATED, S.INITIALIZING, S.PROCESSING, S.FAILING, S.FAILED]


def statuses_over(plan: Plan, until: float, step: float = 0.25) -> list[JobStatus]:
    """The distinct statuses shown while elapsed goes from -1 to ``until``, in order."""
    seen: list[JobStatus] = []
    for i in range(int((until + 1) / step) + 1):
        status = view_at(plan, -1 + i * step).status
        if not seen or seen[-1] is not status:
            seen.append(status)
    return seen


def steps(plan: Plan) -> list[JobStatus]:
    """The statuses one-stage steps show from creation to the end."""
    elapsed = 0.0
    shown = [view_at(plan, elapsed).status]
    while not shown[-1].terminal:
        elapsed = next_stage_start(plan, elapsed)
        shown.append(view_at(plan, elapsed).status)
    return shown


# -- Schedule ------------------------------------------------------------------------------


def test_default_schedule_matches_the_readme_table() -> None:
    schedule = Schedule()
    assert (schedule.created, schedule.initializing, schedule.processing, schedule.per_piece,
            schedule.completing) == (1.0, 4.0, 0.0, 2.0, 5.0)
    assert schedule.duration(10) == 30.0  # "up to 1,000 endpoints completes in 30 s"
    assert schedule.duration(1) == 12.0


def test_processing_has_a_fixed_part_and_a_per_piece_part() -> None:
    schedule = Schedule(processing=10, per_piece=0.5)
    assert schedule.processing_seconds(4) == 12.0
    plan = plan_for([False] * 4, schedule)
    assert plan.starts == (0.0, 1.0, 5.0, 17.0, 22.0)
    assert plan.per_piece == 3.0  # pieces complete evenly over the 12 s of PROCESSING


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, True, "2", None])
@pytest.mark.parametrize("name", ["created", "initializing", "processing", "per_piece",
                                  "completing"])
def test_schedule_refuses_anything_but_finite_seconds(name: str, bad: Any) -> None:
    with pytest.raises(ValueError) as error:
        Schedule(**{name: bad})
    assert str(error.value) == (
        f"Schedule.{name} must be a finite number of seconds >= 0, got {bad!r}."
    )


def test_schedule_is_immutable_and_positional_arguments_keep_their_meaning() -> None:
    schedule = Schedule(2, 3, 4, 5)
    assert (schedule.created, schedule.initializing, schedule.per_piece,
            schedule.completing) == (2, 3, 4, 5)
    with pytest.raises(AttributeError):
        schedule.created = 9  # type: ignore[misc]


# -- plan_for and view_at -----------------------------------------------------------------


def test_happy_and_failure_paths_over_time() -> None:
    assert statuses_over(plan_for([False, False], Schedule()), 40) == HAPPY
    assert statuses_over(plan_for([False, True], Schedule()), 40) == FAILURE


def test_stage_boundaries_are_inclusive_at_their_start() -> None:
    plan = plan_for([False], Schedule())  # 0 CREATED, 1 INITIALIZING, 5 PROCESSING, 7, 12
    shown = {t: view_at(plan, t).status for t in (0, 0.999, 1, 4.999, 5, 7, 11.999, 12, 1e9)}
    assert shown == {0: S.CREATED, 0.999: S.CREATED, 1: S.INITIALIZING, 4.999: S.INITIALIZING,
                     5: S.PROCESSING, 7: S.COMPLETING, 11.999: S.COMPLETING, 12: S.COMPLETED,
                     1e9: S.COMPLETED}


def test_negative_elapsed_shows_the_first_stage() -> None:
    assert view_at(plan_for([False], Schedule()), -3600).status is S.CREATED


def test_pieces_are_counted_one_by_one_during_processing_and_all_after() -> None:
    plan = plan_for([False, True, False], Schedule())  # PROCESSING from 5 to 11
    counts = [(view_at(plan, t).completed_pieces, view_at(plan, t).failed_pieces)
              for t in (4, 5, 6.9, 7, 9, 10.9, 11)]
    assert counts == [(0, 0), (0, 0), (0, 0), (1, 0), (1, 1), (1, 1), (2, 1)]


def test_counts_are_known_from_the_closing_stage_on() -> None:
    plan = plan_for([False], Schedule())
    known = {view_at(plan, t).status: view_at(plan, t).counts_known for t in (0, 1, 5, 7, 12)}
    assert known == {S.CREATED: False, S.INITIALIZING: False, S.PROCESSING: False,
                     S.COMPLETING: True, S.COMPLETED: True}


def test_a_zero_second_stage_is_never_shown() -> None:
    plan = plan_for([False], Schedule(created=0, completing=0))
    assert statuses_over(plan, 20) == [S.INITIALIZING, S.PROCESSING, S.COMPLETED]
    assert steps(plan) == [S.INITIALIZING, S.PROCESSING, S.COMPLETED]


def test_a_pending_stage_delays_every_other_stage() -> None:
    plan = plan_for([False], Schedule(), pending=30)
    assert plan.statuses[0] is S.PENDING_JOB and plan.run_start == 30.0
    assert plan.starts == (0.0, 30.0, 31.0, 35.0, 37.0, 42.0)
    assert statuses_over(plan, 50) == [S.PENDING_JOB] + HAPPY
    assert delayed_plan(plan, 10).starts == (0.0, 10.0, 11.0, 15.0, 17.0, 22.0)
    assert delayed_plan(plan_for([False], Schedule()), 10) == plan_for([False], Schedule())


def test_one_stage_steps_walk_every_stage() -> None:
    assert steps(plan_for([False] * 25, Schedule())) == HAPPY
    assert steps(plan_for([True], Schedule(), pending=1)) == [S.PENDING_JOB] + FAILURE
    plan = plan_for([False], Schedule())
    assert next_stage_start(plan, 99.0) == 99.0  # terminal: a step does not move it


# -- forced plans --------------------------------------------------------------------------


def test_forced_failure_from_created_fails_every_piece_and_keeps_what_was_shown() -> None:
    plan = plan_for([False, False], Schedule())
    forced = forced_plan(plan, 0.5, failed=True, cut=0.5, closing=5)
    assert forced.statuses == (S.CREATED, S.FAILING, S.FAILED)
    assert forced.starts == (0.0, 0.5, 5.5)
    assert view_at(forced, 0.4).status is S.CREATED
    end = view_at(forced, 6)
    assert (end.status, end.completed_pieces, end.failed_pieces) == (S.FAILED, 0, 2)


def test_forced_failure_during_processing_keeps_the_pieces_already_counted() -> None:
    plan = plan_for([False] * 10, Schedule())  # PROCESSING from 5, one piece every 2 s
    before = view_at(plan, 11)
    assert (before.completed_pieces, before.failed_pieces) == (3, 0)
    forced = forced_plan(plan, 11, failed=True, cut=11, closing=5)
    closing = view_at(forced, 11)
    assert (closing.status, closing.completed_pieces, closing.failed_pieces) == (S.FAILING, 3, 7)


def test_forced_completion_keeps_failed_pieces_and_completes_the_rest() -> None:
    plan = plan_for([True, False, True], Schedule())
    forced = forced_plan(plan, 7.5, failed=False, cut=7.5, closing=5)
    assert view_at(plan, 7.5).failed_pieces == 1  # the first piece failed before the force
    end = view_at(forced, 100)
    assert (end.status, end.completed_pieces, end.failed_pieces) == (S.COMPLETED, 2, 1)


def test_a_forced_failure_fails_one_piece_even_when_all_were_counted() -> None:
    plan = Plan((S.CREATED, S.PROCESSING, S.COMPLETING, S.COMPLETED), (0.0, 1.0, 2.0, 3.0),
                (0, 0, 0), per_piece=0.0)  # PROCESSING with every piece already counted
    forced = forced_plan(plan, 1.5, failed=True, cut=1.5, closing=1)
    assert (view_at(forced, 9).completed_pieces, view_at(forced, 9).failed_pieces) == (1, 1)


def test_a_cut_later_than_now_keeps_the_current_stage_until_then() -> None:
    plan = plan_for([False], Schedule())
    forced = forced_plan(plan, 1.0, failed=False, cut=5.0, closing=5)
    assert [view_at(forced, t).status for t in (1, 4.9, 5, 10)] == [
        S.INITIALIZING, S.INITIALIZING, S.COMPLETING, S.COMPLETED]


def test_forcing_the_closing_stage_already_entered_changes_nothing() -> None:
    plan = plan_for([True], Schedule())
    assert forced_plan(plan, 8, failed=True, cut=8, closing=5) is plan


@pytest.mark.parametrize(("pieces", "at", "failed", "message"), [
    ([False], 12, True, "a COMPLETED job cannot be forced to FAILING."),
    ([True], 12, False, "a FAILED job cannot be forced to COMPLETING."),
    ([False], 8, True, "a COMPLETING job cannot be forced to FAILING."),
    ([True], 8, False, "a FAILING job cannot be forced to COMPLETING."),
])
def test_forcing_an_ended_or_decided_job_is_refused(
    pieces: list[bool], at: float, failed: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        forced_plan(plan_for(pieces, Schedule()), at, failed=failed, cut=at, closing=5)


# -- the running-jobs queue ----------------------------------------------------------------


def test_queued_start_is_now_when_a_slot_is_free() -> None:
    assert queued_start([(0, 10), (5, 20)], 8, limit=3) == 8
    assert queued_start([(0, 10), (0, 5)], 8, limit=1) == 10
    assert queued_start([], 8, limit=1) == 8


def test_queued_start_waits_for_the_earliest_end_that_frees_a_slot() -> None:
    running = [(0, 30), (0, 12), (0, 20)]
    assert queued_start(running, 1, limit=3) == 12
    assert queued_start(running, 1, limit=2) == 20
    assert queued_start(running, 1, limit=1) == 30


def test_queued_start_counts_a_queued_job_only_from_its_start() -> None:
    # A waits until 30 (B runs 0-30); C, created at 1, waits for A's slot too.
    assert queued_start([(0, 30), (30, 60)], 1, limit=1) == 60


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_max_running_jobs_must_be_a_whole_number_of_at_least_one(bad: Any) -> None:
    with pytest.raises(ValueError) as error:
        check_limit(bad)
    assert str(error.value) == (
        "max_running_jobs must be None (no limit) or a whole number >= 1 (AWS's quota is 10), "
        f"got {bad!r}."
    )
    assert check_limit(None) is None and check_limit(10) == 10


# -- Progression over a bare store ---------------------------------------------------------


class World:
    """A store with one application, a clock driven by hand, and a Progression."""

    def __init__(self, progression: str = "time", limit: int | None = None) -> None:
        self.now = 1_000.0
        self.store = Store("123456789012", "us-east-1", lambda app_id: True)
        self.app = self.store.application("app")
        self.settings = Settings(progression, Schedule(), limit)
        self.moves = Progression(self.store, lambda: self.now, self.settings)

    def create(self, failed: tuple[bool, ...] = (False,)) -> ImportJob:
        result = ImportResult(pieces=[Piece("k", 1, 0 if bad else 1) for bad in failed])
        job = ImportJob("app", f"job{len(self.store.jobs())}", {}, result,
                        self.moves.plan(list(failed), self.now), self.now,
                        self.store.next_sequence())
        self.store.add_job(self.app, job)
        return job

    def shown(self, job: ImportJob) -> JobStatus:
        return view_at(job.plan, job.elapsed_seen).status

    def read(self, job: ImportJob) -> JobStatus:
        return self.moves.read(job).status


@pytest.mark.parametrize(("progression", "reads"), [
    ("per_read", [S.INITIALIZING, S.PROCESSING, S.COMPLETING, S.COMPLETED, S.COMPLETED]),
    ("manual", [S.CREATED] * 5),
    ("immediate", [S.COMPLETED] * 5),
])
def test_each_read_moves_the_job_as_the_progression_says(
    progression: str, reads: list[JobStatus]
) -> None:
    world = World(progression)
    job = world.create()
    assert world.shown(job) is S.CREATED
    assert [world.read(job) for _ in range(5)] == reads


def test_time_reads_follow_the_clock_and_never_go_back() -> None:
    world = World("time")
    job = world.create()
    shown = []
    for delta in (0, 1, 5, -100, 7, 12, -1e6):
        world.now = 1_000.0 + delta
        shown.append(world.read(job))
    assert shown == [S.CREATED, S.INITIALIZING, S.PROCESSING, S.PROCESSING, S.COMPLETING,
                     S.COMPLETED, S.COMPLETED]
    assert job.completion is None  # CompletionDate is the scheduled instant


def test_a_step_records_when_it_ended_the_job() -> None:
    world = World("manual")
    job = world.create()
    for _ in range(4):
        world.now += 60
        world.moves.advance(job)
    assert world.shown(job) is S.COMPLETED and job.completion == 1_240.0
    with pytest.raises(JobStateError, match="already COMPLETED; advance_job"):
        world.moves.advance(job)


def test_force_replaces_result_and_drops_cached_bytes() -> None:
    world = World("manual")
    job = world.create()
    before = job.encoded(view_at(job.plan, 0))
    world.moves.force(job, failed=True, failures=None)
    assert job.final is None and job._encoded == {}
    assert job.result.failures == [DEFAULT_FAILURE]
    after = job.encoded(world.moves.advance(job))
    assert b'"JobStatus":"FAILING"' in after and before != after


def test_time_queue_starts_the_waiting_job_when_the_running_one_ends() -> None:
    world = World("time", limit=1)
    first, second = world.create(), world.create()
    assert second.plan.statuses[0] is S.PENDING_JOB and second.plan.run_start == 12.0
    world.now += 2
    world.moves.force(first, failed=False, failures=None)  # now ends at +7, not +12
    assert second.plan.run_start == 7.0
    world.now += 4.9
    assert (world.read(first), world.read(second)) == (S.COMPLETING, S.PENDING_JOB)
    world.now += 0.1
    assert (world.read(first), world.read(second)) == (S.COMPLETED, S.CREATED)


def test_stepped_queue_waits_for_a_shown_end_and_keeps_creation_order() -> None:
    world = World("per_read", limit=1)
    first, second, third = world.create(), world.create(), world.create()
    assert [world.shown(j) for j in (first, second, third)] == [S.CREATED, S.PENDING_JOB,
                                                              S.PENDING_JOB]
    assert (world.read(third), world.read(second)) == (S.PENDING_JOB, S.PENDING_JOB)
    while not world.read(first).terminal:
        pass
    assert (world.read(third), world.read(second), world.read(third)) == (
        S.PENDING_JOB, S.CREATED, S.PENDING_JOB)


@pytest.mark.parametrize("per_piece", [0.0, 0.1, 2.0])
def test_view_until_bounds_the_span_of_one_view(per_piece: float) -> None:
    from pinpoint_mock.backend.lifecycle import view_until

    plan = plan_for([False, True, False, False], Schedule(per_piece=per_piece))
    elapsed = 0.0
    while elapsed < plan.end + 1:
        until = view_until(plan, elapsed)
        view = view_at(plan, elapsed)
        probes = [elapsed, (elapsed + until) / 2] if until != float("inf") else [elapsed, 1e9]
        assert [view_at(plan, probe) for probe in probes] == [view, view]
        if until == float("inf"):
            assert view.status.terminal
            break
        assert view_at(plan, until) != view
        elapsed = until


@pytest.mark.parametrize(("seconds", "shown"), [
    (1527197193.995, "2018-05-24T21:26:33.995Z"),
    (0.0004, "1970-01-01T00:00:00.000Z"),
    (-30610224000.001, "0999-12-31T23:59:59.999Z"),  # four digits below year 1000 too
    (253402300799.999, "9999-12-31T23:59:59.999Z"),
    (253402300800.0, "9999-12-31T23:59:59.999Z"),  # past the calendar: its last date
    (1e18, "9999-12-31T23:59:59.999Z"),
    (math.inf, "9999-12-31T23:59:59.999Z"),
    (math.nan, "9999-12-31T23:59:59.999Z"),
    (-1e18, "0001-01-01T00:00:00.000Z"),
])
def test_every_number_renders_as_a_date_iso_8601_parsers_read(seconds: float, shown: str) -> None:
    assert iso8601(seconds) == shown


@pytest.mark.parametrize("pieces", [None, -1, 1.5, True, "3"])
def test_a_duration_of_a_number_of_pieces_that_is_none_is_refused(pieces: object) -> None:
    """``Schedule.duration`` / ``processing_seconds`` of -1 or 1.5 pieces answered 8.0 and 13.0,
    of None a TypeError of Python's (found by an outside attacker)."""
    with pytest.raises(ValueError, match=r"^pieces must be a whole number of pieces >= 0"):
        Schedule().duration(pieces)  # type: ignore[arg-type]
    assert Schedule().duration(0) == 10.0
