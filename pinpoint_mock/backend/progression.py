"""How import and export jobs move along their plans: the four progressions, one-stage steps,
forced outcomes and the running-jobs queue.

A job's position is ``Job.elapsed_seen``, seconds on its own timeline; what it shows is
``view_at(job.plan, position)``. The position only grows, so status never goes backwards.
Whenever a job's position grows, the hook registered for its kind (:attr:`Progression.hooks`)
runs, with the store's lock held, before the job's view is computed: an export job writes its
objects there (:mod:`pinpoint_mock.backend.exporter`).

* ``"time"``: a read moves the position to ``clock - created`` (the clock is ``time.time()``
  plus ``mock.advance``); ``CompletionDate`` is the scheduled instant of the terminal status.
* ``"per_read"``: each read that returns the job moves it to its next stage first.
* ``"manual"``: reads never move it; only :meth:`Progression.advance` does.
* ``"immediate"``: a read moves it to its terminal status.

Outside ``"time"``, ``CompletionDate`` is the clock when the terminal status was first shown.
Every mode also obeys :meth:`Progression.advance` (one stage now) and
:meth:`Progression.force` (COMPLETED or FAILED, through the closing stage).

The running-jobs limit (``max_running_jobs``) is applied per kind: import jobs queue behind
import jobs and export jobs behind export jobs, each kind with that many slots (AWS's quota,
"Active import jobs: 10 per account", counts import jobs only, and AWS publishes none for
exports).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from pinpoint_mock.backend.importer import MAX_REPORTED_FAILURES
from pinpoint_mock.backend.lifecycle import (
    JobStatus,
    Plan,
    Schedule,
    View,
    delayed_plan,
    forced_plan,
    next_stage_start,
    plan_for,
    view_at,
    view_until,
)
from pinpoint_mock.backend.models import ImportJob, Job
from pinpoint_mock.backend.queueing import queued_start
from pinpoint_mock.backend.store import Store

PROGRESSIONS = ("time", "per_read", "manual", "immediate")
"""How a job moves through its statuses (see the README's lifecycle section)."""

_FAILED_ON_PURPOSE = "The {kind} job was failed on purpose by the test (fail_job)."
DEFAULT_FAILURE = _FAILED_ON_PURPOSE.format(kind="import")
"""The ``Failures`` entry of an import job failed by :meth:`Progression.force` without
messages (an export job's says "The export job ...")."""

_STEPPED_PENDING = 1.0
"""Nominal length of PENDING_JOB outside ``"time"``: there a queued job leaves it when a slot is
free at a step, whatever the clock says."""


class JobStateError(ValueError):
    """``advance_job`` / ``fail_job`` / ``complete_job`` refused by the job's current status.

    Raised for a job already COMPLETED or FAILED, ``fail_job`` on a COMPLETING job,
    ``complete_job`` on a FAILING one (the outcome is decided once every piece is processed),
    and ``advance_job`` on a job waiting in PENDING_JOB while ``max_running_jobs`` jobs run.
    A ``ValueError``; the message is one sentence naming the job, its status and the way out.
    Exported as ``pinpoint_mock.JobStateError``.
    """


@dataclass
class Settings:
    """Options of the mock that the operations follow.

    Attributes:
        progression: one of :data:`PROGRESSIONS`.
        schedule: stage durations (used by the ``"time"`` progression and forced outcomes).
        max_running_jobs: jobs of one kind (import, export) that may run at once per account
            and region before new ones of that kind wait in PENDING_JOB; None: no limit.
    """

    progression: str = "time"
    schedule: Schedule = Schedule()
    max_running_jobs: Optional[int] = None


class Progression:
    """Moves the jobs of one store along their plans, following ``settings``.

    Args:
        store: the jobs (and the lock guarding their positions).
        clock: the mock's clock, POSIX seconds.
        settings: progression, schedule and running-jobs limit (read at each call).
    """

    def __init__(self, store: Store, clock: Callable[[], float], settings: Settings):
        self.store = store
        self.clock = clock
        self.settings = settings
        self.hooks: dict[str, Callable[[Job], None]] = {}
        """Per job kind (``"EXPORT"``): called with a job whenever its position grows (the
        store's lock held); it may replan the job."""

    # -- creation and reads ------------------------------------------------------------------

    def plan(self, piece_failed: list[bool], now: float, kind: str = ImportJob.kind) -> Plan:
        """The plan of a job of ``kind`` created at ``now`` (POSIX seconds), with a PENDING_JOB
        stage when ``max_running_jobs`` jobs of that kind are running."""
        settings = self.settings
        pending = 0.0
        limit = settings.max_running_jobs
        if limit is not None:
            if settings.progression == "time":
                intervals, queued_until = self._intervals(self.store.jobs(kind), now)
                pending = queued_start(intervals, max(now, queued_until), limit) - now
            elif not self._slot_free(None, limit, kind):
                pending = _STEPPED_PENDING
        return plan_for(piece_failed, settings.schedule, pending)

    def read(self, job: Job) -> View:
        """What a read (GetImportJob / GetExportJob, or a listing that returns the job) shows
        now, after moving the job as the progression says."""
        progression = self.settings.progression
        if progression == "time":
            return self._move(job, self.clock() - job.created, by_clock=True)
        if progression == "per_read":
            target = next_stage_start(job.plan, job.elapsed_seen)
        elif progression == "immediate":
            target = job.plan.end
        else:
            target = job.elapsed_seen
        return self._move(job, target, by_clock=False)

    def read_bytes(self, job: Job, now: float) -> bytes:
        """:meth:`read` as the encoded job response, at clock ``now`` (POSIX seconds).

        Under ``"time"`` the bytes of a view are kept with the job until its position reaches
        the point where the view may change (next stage, or next piece): a read in between
        costs two comparisons, however many jobs a page holds.
        """
        if self.settings.progression != "time":
            return job.encoded(self.read(job))
        elapsed = now - job.created
        current = job.current
        if current is not None and elapsed < current[0] and job.elapsed_seen < current[0]:
            return current[1]
        plan = job.plan
        data = job.encoded(self._move(job, elapsed, by_clock=True))
        with self.store.lock:
            if job.plan is plan:  # not replanned meanwhile (replan drops `current` under the lock)
                job.current = (view_until(plan, job.elapsed_seen), data)
        return data

    def status(self, job: Job) -> JobStatus:
        """The status ``job`` shows now, without moving it (a read under ``"per_read"``
        would move it)."""
        with self.store.lock:
            return view_at(job.plan, self._position(job)).status

    # -- control from a test -----------------------------------------------------------------

    def advance(self, job: Job) -> View:
        """Move ``job`` to its next stage now, in any progression; returns what it shows then.

        Under ``"time"`` the job then stays in that stage until the clock reaches the stage's
        scheduled end (it never waits for the clock to catch up to a stage it already shows).

        Raises:
            JobStateError: the job is terminal, or waits in PENDING_JOB while
                ``max_running_jobs`` jobs are running.
        """
        with self.store.lock:
            position = self._position(job)
            view = view_at(job.plan, position)
            if view.status.terminal:
                raise JobStateError(
                    f"{job.noun} '{job.id}' is already {view.status.value}; advance_job() only "
                    "moves a job that has not ended."
                )
            target = next_stage_start(job.plan, position)
            if self._waits(job, position, target):
                limit = self.settings.max_running_jobs
                raise JobStateError(
                    f"{job.noun} '{job.id}' waits in PENDING_JOB for one of the {limit} running "
                    f"{job.kind.lower()} jobs to end (max_running_jobs={limit}); end one with "
                    "advance_job(), complete_job() or fail_job(), or move the clock."
                )
            self._reach(job, position)
            view = self._move(job, target, by_clock=False)
            self._requeue(job.kind)
            return view

    def force(self, job: Job, *, failed: bool, failures: Optional[Iterable[str]]) -> None:
        """Make ``job`` end FAILED (``failed=True``) or COMPLETED, through FAILING/COMPLETING.

        The stage the job shows now is its last before the closing stage: under ``"time"``
        the closing stage starts now and lasts ``schedule.completing`` seconds; under
        ``"per_read"``/``"manual"`` the next read/step shows it and the one after the terminal
        status; under ``"immediate"`` the next read shows the terminal status. Pieces already
        counted keep their outcome; the others complete, or fail (``FailedPieces`` >= 1).
        ``TotalProcessed`` and ``TotalFailures`` stay those of the file (read at creation).

        Args:
            failures: for ``failed=True``, the ``Failures`` messages (at most 100 are kept);
                None: keep the job's own if it was failing already, else one default message.

        Raises:
            JobStateError: the job is terminal, or already FAILING (for ``failed=False``) or
                COMPLETING (for ``failed=True``).
            ValueError: ``failures`` is empty, holds something other than strings, or holds a
                lone surrogate (not UTF-8 encodable).
        """
        messages = _checked_failures(failures) if failed else None
        with self.store.lock:
            position = self._position(job)
            plan = job.plan
            view = view_at(plan, position)
            wanted = "fail_job()" if failed else "complete_job()"
            if view.status.terminal:
                raise JobStateError(
                    f"{job.noun} '{job.id}' is already {view.status.value}; {wanted} only "
                    "changes a job that has not ended."
                )
            other = JobStatus.COMPLETING if failed else JobStatus.FAILING
            if view.status is other:
                raise JobStateError(
                    f"{job.noun} '{job.id}' is already {other.value}; {wanted} cannot change "
                    "the outcome of a job that has processed all its pieces."
                )
            stepped = self.settings.progression in ("per_read", "manual")
            cut = plan.starts[view.stage + 1] if stepped else position
            new_plan = forced_plan(
                plan, position, failed=failed, cut=cut, closing=self.settings.schedule.completing
            )
            result = job.result
            if messages is None and failed and view.status is not JobStatus.FAILING:
                messages = [_FAILED_ON_PURPOSE.format(kind=job.kind.lower())]
            if messages is not None:
                result = dataclasses.replace(result, failures=messages)  # type: ignore[type-var]
            job.replan(new_plan, result)
            self._reach(job, position)
            self._requeue(job.kind)

    # -- internals ---------------------------------------------------------------------------

    def _position(self, job: Job) -> float:
        """Where the job is on its timeline now, without moving it."""
        if self.settings.progression == "time":
            return max(job.elapsed_seen, self.clock() - job.created)
        return job.elapsed_seen

    def _reach(self, job: Job, position: float) -> None:
        """Set the job's position to ``position`` (the caller holds the lock and knows it is not
        behind), then run its kind's hook; cached listing pages are stale from then on."""
        job.elapsed_seen = position
        hook = self.hooks.get(job.kind)
        if hook is not None:
            hook(job)
        self.store.changed()

    def _move(self, job: Job, target: float, *, by_clock: bool) -> View:
        """Move the job forward to ``target`` (never back); a queued job moved by a step waits
        while no slot is free."""
        seen = job.elapsed_seen
        if target <= seen:
            return view_at(job.plan, seen)
        with self.store.lock:
            if not by_clock and self._waits(job, job.elapsed_seen, target):
                return view_at(job.plan, job.elapsed_seen)
            self._reach(job, max(job.elapsed_seen, target))
            view = view_at(job.plan, job.elapsed_seen)
            if view.status.terminal and job.completion is None and not by_clock:
                job.completion = max(job.created, self.clock())
            return view

    def _waits(self, job: Job, position: float, target: float) -> bool:
        """True when a step from ``position`` to ``target`` would start a queued job while no
        slot is free (a forced job never waits)."""
        plan = job.plan
        limit = self.settings.max_running_jobs
        if limit is None or plan.statuses[0] is not JobStatus.PENDING_JOB:
            return False
        if plan.statuses[1] is not JobStatus.CREATED or not position < plan.run_start <= target:
            return False
        if self.settings.progression == "time":
            return True  # the position is at least the clock's: the clock still queues it
        return not self._slot_free(job, limit, job.kind)

    def _slot_free(self, job: Optional[Job], limit: int, kind: str) -> bool:
        """Outside ``"time"``: fewer than ``limit`` jobs of ``kind`` show a running status and
        no job of that kind created before ``job`` (before any, for None) still waits in
        PENDING_JOB."""
        running = 0
        ahead = True
        for other in self.store.jobs(kind):
            if other is job:
                ahead = False
                continue
            status = view_at(other.plan, other.elapsed_seen).status
            if status is JobStatus.PENDING_JOB:
                if ahead and other.plan.statuses[1] is JobStatus.CREATED:
                    return False
            elif not status.terminal:
                running += 1
        return running < limit

    def _intervals(
        self, jobs: Iterable[Job], now: float
    ) -> tuple[list[tuple[float, float]], float]:
        """Under ``"time"``: each job's running interval on the clock, and the latest start of
        a job still queued at ``now`` (-inf if none), which a new job may not start before."""
        intervals: list[tuple[float, float]] = []
        queued_until = -math.inf
        for job in jobs:
            start, end = _running_interval(job)
            intervals.append((start, end))
            if job.plan.statuses[0] is JobStatus.PENDING_JOB and start > now:
                queued_until = max(queued_until, start)
        return intervals, queued_until

    def _requeue(self, kind: str) -> None:
        """Under ``"time"`` with a limit: after a job of ``kind`` ended earlier than planned,
        start the still-queued jobs of that kind earlier (in creation order, never later than
        planned, never before now)."""
        limit = self.settings.max_running_jobs
        if limit is None or self.settings.progression != "time":
            return
        now = self.clock()
        earlier: list[Job] = []
        for job in self.store.jobs(kind):
            plan = job.plan
            if (
                plan.statuses[0] is JobStatus.PENDING_JOB
                and plan.statuses[1] is JobStatus.CREATED
                and self._position(job) < plan.run_start
            ):
                intervals, queued_until = self._intervals(earlier, now)
                at = max(now, job.created, queued_until)
                start = min(job.created + plan.run_start, queued_start(intervals, at, limit))
                if start < job.created + plan.run_start:
                    job.replan(delayed_plan(plan, start - job.created))
                    self.store.changed()
            earlier.append(job)


def _running_interval(job: Job) -> tuple[float, float]:
    """``(start, end)`` on the clock in POSIX seconds: from leaving PENDING_JOB to the terminal
    status (shown early by a step, or as scheduled)."""
    start = job.created + job.plan.run_start
    end = job.created + job.plan.end
    if job.completion is not None:
        end = min(end, job.completion)
    return start, max(start, end)


def _checked_failures(failures: Optional[Iterable[str]]) -> Optional[list[str]]:
    if failures is None:
        return None
    if isinstance(failures, str):
        raise ValueError(
            f"failures must be a list of messages, not one string; got {failures!r}."
        )
    messages = list(failures)
    if not messages or not all(isinstance(message, str) for message in messages):
        raise ValueError(
            "failures must be a non-empty list of message strings (or None for the default "
            f"message), got {messages!r}."
        )
    for message in messages:
        if not _is_unicode_text(message):
            raise ValueError(
                "failures must be a list of valid Unicode text (no lone surrogate, which UTF-8 "
                f"cannot encode and so no client could read); got {message!r}."
            )
    return messages[:MAX_REPORTED_FAILURES]


def _is_unicode_text(text: str) -> bool:
    """True when ``text`` encodes as strict UTF-8, i.e. holds no lone surrogate (U+D800 to
    U+DFFF alone): the Unicode Standard section 3.9 (D76, Unicode scalar values) and RFC 3629
    section 3 forbid encoding one, so a JSON body holding one could not reach a client."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
