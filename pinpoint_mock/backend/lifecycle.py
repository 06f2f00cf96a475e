"""Import-job lifecycle: which status a job shows at a given point of its own timeline.

Status is never stored: it is computed when read, by :func:`view_at`, from the job's
:class:`Plan` (stage boundaries fixed at creation) and the number of seconds elapsed on the job's
own timeline. The mock's progression modes only decide how that elapsed time is obtained (the
clock, the number of reads, ...); this module is a pure function of its inputs.

Happy path: CREATED -> INITIALIZING -> PROCESSING -> COMPLETING -> COMPLETED.
Failure path (a piece failed): CREATED -> INITIALIZING -> PROCESSING -> FAILING -> FAILED.
The statuses are botocore's ``JobStatus`` enum.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass
from typing import Sequence


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


@dataclass(frozen=True)
class Schedule:
    """How long each stage of an import job lasts, in seconds of the mock's clock.

    The default completes a job of up to 1,000 endpoints (10 pieces) in 30 seconds:
    1 + 4 + 10 x 2 + 5. AWS publishes no durations; these are the mock's choice.

    Attributes:
        created: seconds in CREATED.
        initializing: seconds in INITIALIZING.
        per_piece: seconds of PROCESSING per piece (``TotalPieces`` x ``per_piece`` in all).
        completing: seconds in COMPLETING, or in FAILING on the failure path.
    """

    created: float = 1.0
    initializing: float = 4.0
    per_piece: float = 2.0
    completing: float = 5.0

    def __post_init__(self) -> None:
        for name in ("created", "initializing", "per_piece", "completing"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"Schedule.{name} must be a number of seconds >= 0, got {value!r}."
                )


@dataclass(frozen=True)
class View:
    """What a job shows at one instant: the fields of ``ImportJobResponse`` that change.

    Attributes:
        stage: index of the stage in the plan (0 = CREATED); views with equal ``key``
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


@dataclass(frozen=True)
class Plan:
    """The stage boundaries of one job, fixed at creation.

    Attributes:
        statuses: the status of each stage, in order.
        starts: the offset, in seconds after creation, at which each stage starts.
        failed_before: ``failed_before[k]`` is how many of the first ``k`` pieces fail
            (a prefix sum, so a read costs the same for 1 piece or 2,500).
        per_piece: seconds of PROCESSING per piece.
    """

    statuses: tuple[JobStatus, ...]
    starts: tuple[float, ...]
    failed_before: tuple[int, ...]
    per_piece: float

    @property
    def total_pieces(self) -> int:
        return len(self.failed_before) - 1

    @property
    def end(self) -> float:
        """Offset in seconds at which the job reaches its terminal status."""
        return self.starts[-1]

    @property
    def last_stage(self) -> int:
        return len(self.statuses) - 1


def plan_for(piece_failed: Sequence[bool], schedule: Schedule) -> Plan:
    """Build the plan of a job whose pieces fail as ``piece_failed`` says (one bool a piece)."""
    failed = any(piece_failed)
    processing = schedule.per_piece * len(piece_failed)
    statuses = (
        JobStatus.CREATED,
        JobStatus.INITIALIZING,
        JobStatus.PROCESSING,
        JobStatus.FAILING if failed else JobStatus.COMPLETING,
        JobStatus.FAILED if failed else JobStatus.COMPLETED,
    )
    t1 = schedule.created
    t2 = t1 + schedule.initializing
    t3 = t2 + processing
    t4 = t3 + schedule.completing
    failed_before = [0]
    for piece in piece_failed:
        failed_before.append(failed_before[-1] + bool(piece))
    return Plan(statuses, (0.0, t1, t2, t3, t4), tuple(failed_before), schedule.per_piece)


def view_at(plan: Plan, elapsed: float) -> View:
    """The job's view ``elapsed`` seconds after its creation (negative counts as 0).

    Pieces are processed in order during PROCESSING, one every ``plan.per_piece`` seconds, so
    ``CompletedPieces`` rises piece by piece; once PROCESSING ends every piece is counted.
    """
    stage = max(0, bisect.bisect_right(plan.starts, elapsed) - 1)
    status = plan.statuses[stage]
    total = plan.total_pieces
    if status is JobStatus.PROCESSING:
        done = int((elapsed - plan.starts[stage]) // plan.per_piece) if plan.per_piece else total
        done = min(done, total)
    elif stage > 2:
        done = total
    else:
        done = 0
    failed = plan.failed_before[done]
    return View(stage, status, done - failed, failed)


def stage_start(plan: Plan, stage: int) -> float:
    """Offset in seconds at which ``stage`` starts (clamped to the last stage)."""
    return plan.starts[min(max(stage, 0), plan.last_stage)]
