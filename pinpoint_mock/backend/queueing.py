"""The running-jobs limit: when a job queued in PENDING_JOB may start (a pure function).

AWS documents a quota of 10 running import jobs per account but not what a job beyond it shows;
the mock's rule (off by default, ``max_running_jobs``): a job counts as running from the end of
its PENDING_JOB stage (or from its creation, if it never queued) until its terminal status. A job
created while ``limit`` jobs are running waits in PENDING_JOB until fewer are, in creation order
(a job never starts before one created earlier). Under the ``"time"`` progression that instant is
computed from the running jobs' end times, so status stays a pure function of the clock.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence


def check_limit(limit: Optional[int]) -> Optional[int]:
    """Validate ``max_running_jobs``: None (no limit) or a whole number >= 1.

    Raises:
        ValueError: one sentence naming the option and the value received.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(
            "max_running_jobs must be None (no limit) or a whole number >= 1 "
            f"(AWS's quota is 10), got {limit!r}."
        )
    return limit


def queued_start(running: Iterable[tuple[float, float]], at: float, limit: int) -> float:
    """The earliest instant ``>= at`` at which fewer than ``limit`` jobs run.

    Args:
        running: the ``(start, end)`` interval of each job created earlier, in seconds on the
            mock's clock; a job runs at ``t`` when ``start <= t < end``.
        at: the earliest instant the new job may start: its creation time, or later (the
            caller passes the latest start of the jobs created before it, to keep their order).
        limit: ``max_running_jobs`` (>= 1).

    Returns:
        ``at`` itself when a slot is free then, else the end time of a running job.
    """
    intervals: Sequence[tuple[float, float]] = [
        (start, end) for start, end in running if end > at
    ]
    for instant in sorted({at, *(end for _, end in intervals)}):
        if sum(1 for start, end in intervals if start <= instant < end) < limit:
            return instant
    return at  # unreachable: after the last end nothing runs
