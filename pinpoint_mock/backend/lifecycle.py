"""Import-job lifecycle: which status a job shows at a given point of its own timeline.

Status is never stored: it is computed when read, by :func:`view_at`, from the job's
:class:`Plan` (stage boundaries fixed at creation) and the number of seconds elapsed on the job's
own timeline. The mock's progression modes only decide how that elapsed time is obtained (the
clock, the number of reads, ...; see :mod:`pinpoint_mock.backend.progression`); this module is a
pure function of its inputs.

Happy path: CREATED -> INITIALIZING -> PROCESSING -> COMPLETING -> COMPLETED.
Failure path (a piece failed): CREATED -> INITIALIZING -> PROCESSING -> FAILING -> FAILED.
A job queued behind the running-jobs limit starts with a PENDING_JOB stage. A forced outcome
(:func:`forced_plan`) keeps the stages already entered and replaces the rest with the closing
stage (COMPLETING or FAILING) and the terminal status. A stage of 0 seconds is never shown.
The statuses are botocore's ``JobStatus`` enum.
"""

from __future__ import annotations

import bisect
import enum
import math
import sys
from dataclasses import dataclass
from typing import Sequence

from pinpoint_mock.backend.echo import echo


class JobStatus(str, enum.Enum):
    """botocore's ``JobStatus`` enum (``pinpoint/2016-12-01/service-2.json``), all nine values."""

    CREATED = "CREATED"
    PREPARING_FOR_INITIALIZATION = "PREPARING_FOR_INITIALIZATION"
    INITIALIZING = "INITIALIZING"
    PROCESSING = "PROCESSING"
    PENDING_JOB = "PENDING_JOB"
    COMPLETING = "COMPLETING"
    COMPLETED = "COMPLETED"
    FAILING = "FAILING"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value

    @property
    def terminal(self) -> bool:
        """True for COMPLETED and FAILED, the statuses a job never leaves."""
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


_BEFORE_PROCESSING = frozenset(
    {
        JobStatus.PENDING_JOB,
        JobStatus.CREATED,
        JobStatus.PREPARING_FOR_INITIALIZATION,
        JobStatus.INITIALIZING,
    }
)
"""Statuses in which no piece has been processed yet."""

_SCHEDULE_FIELDS = ("created", "initializing", "processing", "per_piece", "completing")


@dataclass(frozen=True)
class Schedule:
    """How long each stage of an import job lasts, in seconds of the mock's clock.

    PROCESSING lasts ``processing + per_piece x TotalPieces`` seconds, so it grows with the
    size of the file (100 endpoint definitions a piece); its pieces complete one by one, evenly
    spread over it. The default completes a job of up to 1,000 endpoints (10 pieces) in
    30 seconds: 1 + 4 + (0 + 10 x 2) + 5. AWS publishes no durations; these are the mock's.

    Durations are used by the ``"time"`` progression (and for ``CompletionDate``); the
    ``"per_read"`` and ``"manual"`` progressions move one stage at a time whatever they are.

    Attributes:
        created: seconds in CREATED.
        initializing: seconds in INITIALIZING.
        processing: fixed seconds of PROCESSING, whatever the number of pieces.
        per_piece: seconds of PROCESSING added by each piece.
        completing: seconds in COMPLETING, or in FAILING on the failure path (also the length
            of the closing stage of a forced outcome).

    Raises:
        ValueError: a duration is not a finite number >= 0 (one sentence naming it).
    """

    created: float = 1.0
    initializing: float = 4.0
    per_piece: float = 2.0
    completing: float = 5.0
    processing: float = 0.0

    def __post_init__(self) -> None:
        for name in _SCHEDULE_FIELDS:
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value <= sys.float_info.max  # NaN, inf and 10**400 are out
            ):
                raise ValueError(
                    f"Schedule.{name} must be a finite number of seconds >= 0, got {echo(value)}."
                )

    def processing_seconds(self, pieces: int) -> float:
        """Seconds of PROCESSING for a job of ``pieces`` pieces.

        Raises:
            ValueError: ``pieces`` is not a whole number >= 0.
        """
        if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
            raise ValueError(f"pieces must be a whole number of pieces >= 0 (a job's "
                             f"TotalPieces), got {echo(pieces)}.")
        return self.processing + self.per_piece * pieces

    def duration(self, pieces: int) -> float:
        """Seconds from creation to the terminal status for a job of ``pieces`` pieces (not
        counting a PENDING_JOB wait).

        Raises:
            ValueError: ``pieces`` is not a whole number >= 0.
        """
        return self.created + self.initializing + self.processing_seconds(pieces) + self.completing


@dataclass(frozen=True)
class View:
    """What a job shows at one instant: the fields of ``ImportJobResponse`` that change.

    Attributes:
        stage: index of the stage in the plan; views of one plan with equal ``key``
            serialize alike.
        status: the ``JobStatus``.
        completed_pieces: ``CompletedPieces``, pieces processed successfully so far.
        failed_pieces: ``FailedPieces``, pieces that failed so far.
    """

    stage: int
    status: JobStatus
    completed_pieces: int
    failed_pieces: int

    @property
    def key(self) -> tuple[int, int, int]:
        """A hashable identity: two reads with the same key return the same bytes."""
        return (self.stage, self.completed_pieces, self.failed_pieces)

    @property
    def counts_known(self) -> bool:
        """True once PROCESSING is over (closing or terminal status): ``TotalProcessed``,
        ``TotalFailures`` and ``Failures`` are shown from then on."""
        return self.status not in _BEFORE_PROCESSING and self.status is not JobStatus.PROCESSING


@dataclass(frozen=True)
class Plan:
    """The stage boundaries of one job, fixed at creation (replaced by a forced outcome).

    Attributes:
        statuses: the status of each stage, in order; the last one is terminal.
        starts: the offset, in seconds after creation, at which each stage starts
            (non-decreasing; a stage whose start equals the next one's is never shown).
        failed_before: ``failed_before[k]`` is how many of the first ``k`` pieces fail
            (a prefix sum, so a read costs the same for 1 piece or 2,500).
        per_piece: seconds between two pieces completing during PROCESSING (0: all at once).
    """

    statuses: tuple[JobStatus, ...]
    starts: tuple[float, ...]
    failed_before: tuple[int, ...]
    per_piece: float

    @property
    def total_pieces(self) -> int:
        """``TotalPieces``."""
        return len(self.failed_before) - 1

    @property
    def end(self) -> float:
        """Offset in seconds at which the job reaches its terminal status."""
        return self.starts[-1]

    @property
    def last_stage(self) -> int:
        """Index of the terminal stage."""
        return len(self.statuses) - 1

    @property
    def run_start(self) -> float:
        """Offset in seconds at which the job leaves PENDING_JOB (0 when it never queued): from
        then until :attr:`end` it counts as a running job."""
        return self.starts[1] if self.statuses[0] is JobStatus.PENDING_JOB else 0.0


def plan_for(piece_failed: Sequence[bool], schedule: Schedule, pending: float = 0.0) -> Plan:
    """Build the plan of a job whose pieces fail as ``piece_failed`` says (one bool a piece).

    ``pending`` > 0 adds a first PENDING_JOB stage of that many seconds (the job waits for a
    running slot); every other stage then starts ``pending`` seconds later.
    """
    failed = any(piece_failed)
    pieces = len(piece_failed)
    processing = schedule.processing_seconds(pieces)
    statuses = [
        JobStatus.CREATED,
        JobStatus.INITIALIZING,
        JobStatus.PROCESSING,
        JobStatus.FAILING if failed else JobStatus.COMPLETING,
        JobStatus.FAILED if failed else JobStatus.COMPLETED,
    ]
    lengths = [schedule.created, schedule.initializing, processing, schedule.completing]
    if pending > 0:
        statuses.insert(0, JobStatus.PENDING_JOB)
        lengths.insert(0, float(pending))
    starts = [0.0]
    for length in lengths:
        starts.append(starts[-1] + length)
    return Plan(
        tuple(statuses), tuple(starts), _prefix_sums(piece_failed),
        processing / pieces if pieces else 0.0,
    )


def view_at(plan: Plan, elapsed: float) -> View:
    """The job's view ``elapsed`` seconds after its creation (negative counts as 0).

    Pieces are processed in order during PROCESSING, one every ``plan.per_piece`` seconds, so
    ``CompletedPieces`` rises piece by piece; once PROCESSING ends every piece is counted.
    """
    elapsed = max(elapsed, 0.0)
    stage = bisect.bisect_right(plan.starts, elapsed) - 1
    status = plan.statuses[stage]
    total = plan.total_pieces
    if status is JobStatus.PROCESSING:
        done = _pieces_done(plan, stage, elapsed)
    elif status in _BEFORE_PROCESSING:
        done = 0
    else:
        done = total
    failed = plan.failed_before[done]
    return View(stage, status, done - failed, failed)


def view_until(plan: Plan, elapsed: float) -> float:
    """Offset in seconds up to which :func:`view_at` shows the same view as at ``elapsed``:
    the next stage's start, or during PROCESSING the next piece's end (inf once terminal)."""
    elapsed = max(elapsed, 0.0)
    stage = bisect.bisect_right(plan.starts, elapsed) - 1
    if stage >= plan.last_stage:
        return math.inf
    until = plan.starts[stage + 1]
    if plan.statuses[stage] is JobStatus.PROCESSING and plan.per_piece > 0:
        done = _pieces_done(plan, stage, elapsed)
        if done < plan.total_pieces:
            until = min(until, _piece_end(plan, stage, done + 1))
    return until


def _piece_end(plan: Plan, stage: int, piece: int) -> float:
    """Offset at which the ``piece``-th piece (from 1) of PROCESSING stage ``stage`` is done."""
    return plan.starts[stage] + piece * plan.per_piece


def _pieces_done(plan: Plan, stage: int, elapsed: float) -> int:
    """Pieces done at ``elapsed`` in PROCESSING stage ``stage``: those whose
    :func:`_piece_end` is at most ``elapsed`` (the same float expression
    :func:`view_until` uses, so the two never disagree by a rounding)."""
    total = plan.total_pieces
    if plan.per_piece <= 0:
        return total
    done = min(max(int((elapsed - plan.starts[stage]) // plan.per_piece), 0), total)
    while done < total and _piece_end(plan, stage, done + 1) <= elapsed:
        done += 1
    while done > 0 and _piece_end(plan, stage, done) > elapsed:
        done -= 1
    return done


def next_stage_start(plan: Plan, elapsed: float) -> float:
    """Offset in seconds of the first stage shown after the one shown at ``elapsed`` (the
    terminal stage stays where it is): where a one-stage step moves the job."""
    stage = view_at(plan, elapsed).stage
    return plan.starts[stage + 1] if stage < plan.last_stage else elapsed


def forced_plan(plan: Plan, elapsed: float, *, failed: bool, cut: float, closing: float) -> Plan:
    """The plan of a job forced, at ``elapsed``, to end COMPLETED (``failed=False``) or FAILED.

    The stages up to the one shown at ``elapsed`` are kept; that stage ends at ``cut``
    (``>= elapsed``); the closing stage (COMPLETING or FAILING) follows for ``closing`` seconds,
    then the terminal status. Pieces already counted at ``elapsed`` keep their outcome, every
    other piece completes (``failed=False``) or fails; a forced failure fails at least one
    piece. When the job is already in the requested closing stage the plan is returned as is.

    Raises:
        ValueError: the job is terminal at ``elapsed``, or already in the other closing stage.
    """
    view = view_at(plan, elapsed)
    wanted = JobStatus.FAILING if failed else JobStatus.COMPLETING
    if view.status is wanted:
        return plan
    if view.status.terminal or view.status in (JobStatus.COMPLETING, JobStatus.FAILING):
        raise ValueError(f"a {view.status.value} job cannot be forced to {wanted.value}.")
    total = plan.total_pieces
    done = view.completed_pieces + view.failed_pieces
    flags = [plan.failed_before[i + 1] > plan.failed_before[i] for i in range(done)]
    flags += [failed] * (total - done)
    if failed and flags and not any(flags):
        flags[-1] = True  # every piece was already counted: the last one is what failed
    kept = view.stage + 1
    cut = max(cut, elapsed, plan.starts[view.stage])
    statuses = plan.statuses[:kept] + (wanted, JobStatus.FAILED if failed else JobStatus.COMPLETED)
    starts = plan.starts[:kept] + (cut, cut + closing)
    return Plan(statuses, starts, _prefix_sums(flags), plan.per_piece)


def delayed_plan(plan: Plan, pending: float) -> Plan:
    """``plan`` with its PENDING_JOB stage lasting ``pending`` seconds instead (every later stage
    moves with it); a plan without a PENDING_JOB stage is returned as is."""
    if plan.statuses[0] is not JobStatus.PENDING_JOB:
        return plan
    shift = max(pending, 0.0) - plan.starts[1]
    return Plan(
        plan.statuses,
        (0.0,) + tuple(start + shift for start in plan.starts[1:]),
        plan.failed_before,
        plan.per_piece,
    )


def work_start(plan: Plan) -> float:
    """Offset in seconds at which the job starts its work: the start of its first stage that is
    not one of PENDING_JOB, CREATED, PREPARING_FOR_INITIALIZATION or INITIALIZING (PROCESSING,
    or the closing stage of a job forced before it processed)."""
    for status, start in zip(plan.statuses, plan.starts):
        if status not in _BEFORE_PROCESSING:
            return start
    return plan.end


def failing_plan(plan: Plan, *, closing: bool = True) -> Plan:
    """``plan`` ending FAILED instead of COMPLETED, with every piece failed and the same stage
    starts: COMPLETED becomes FAILED and, when ``closing``, COMPLETING becomes FAILING (without
    it, a COMPLETING stage already shown stays: the job goes from COMPLETING to FAILED).

    For an export job that cannot write its objects (:mod:`pinpoint_mock.backend.exporter`);
    the caller replaces the plan before any piece of PROCESSING was shown, or once the job
    reached its terminal stage.
    """
    swap = {JobStatus.COMPLETED: JobStatus.FAILED}
    if closing:
        swap[JobStatus.COMPLETING] = JobStatus.FAILING
    statuses = tuple(swap.get(status, status) for status in plan.statuses)
    failed_before = tuple(range(plan.total_pieces + 1))
    return Plan(statuses, plan.starts, failed_before, plan.per_piece)


def _prefix_sums(piece_failed: Sequence[bool]) -> tuple[int, ...]:
    sums = [0]
    for piece in piece_failed:
        sums.append(sums[-1] + bool(piece))
    return tuple(sums)
