"""Job control from a test: ``advance_job``, ``fail_job`` and ``complete_job`` on the mock.

:class:`JobControl` is a base class of :class:`pinpoint_mock.PinpointImportsMock`; its methods
find the job in the mock's shared state (account and region as moto resolves them by default)
and delegate to :class:`pinpoint_mock.backend.progression.Progression`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Optional

from moto.core.models import DEFAULT_ACCOUNT_ID

from pinpoint_mock.backend.errors import NotFoundError
from pinpoint_mock.backend.lifecycle import JobStatus
from pinpoint_mock.backend.models import ImportJob
from pinpoint_mock.backend.progression import Progression

if TYPE_CHECKING:
    from pinpoint_mock._dispatch import State

DEFAULT_REGION = "us-east-1"
"""The region job-control calls look in unless given ``region=``."""


def default_account() -> str:
    """moto's account for requests that name none: ``MOTO_ACCOUNT_ID`` or 123456789012."""
    return os.environ.get("MOTO_ACCOUNT_ID") or str(DEFAULT_ACCOUNT_ID)


class JobControl:
    """Methods that move one import job on purpose, in every progression."""

    def _active_state(self) -> State:
        raise NotImplementedError  # PinpointImportsMock provides it

    def advance_job(
        self,
        application_id: str,
        job_id: str,
        *,
        region: str = DEFAULT_REGION,
        account_id: Optional[str] = None,
    ) -> JobStatus:
        """Move one import job to its next stage now (the ``"manual"`` progression's only
        mover; it works in every progression).

        Under ``"time"`` the job stays in the stage it was moved to until the clock reaches
        that stage's scheduled end. A 0-second stage is skipped.

        Args:
            application_id: the ``ApplicationId`` the job was created in.
            job_id: the ``Id`` of ``ImportJobResponse``.
            region: the job's region (default ``"us-east-1"``).
            account_id: the job's account (default moto's: ``MOTO_ACCOUNT_ID`` or
                ``"123456789012"``).

        Returns:
            The status the job shows now.

        Raises:
            LookupError: no such application or job in that account and region.
            ValueError: the job is already COMPLETED or FAILED, or it waits in PENDING_JOB
                while ``max_running_jobs`` jobs are running.
            RuntimeError: the mock is not started.
        """
        progression, job = self._find_job(application_id, job_id, region, account_id)
        return progression.advance(job).status

    def fail_job(
        self,
        application_id: str,
        job_id: str,
        failures: Optional[Iterable[str]] = None,
        *,
        region: str = DEFAULT_REGION,
        account_id: Optional[str] = None,
    ) -> None:
        """Make one import job fail: it moves through FAILING to FAILED.

        The closing stage comes right after the stage the job shows now: under ``"time"`` it
        starts now and lasts ``Schedule.completing`` seconds; under ``"per_read"`` and
        ``"manual"`` the next read (or ``advance_job``) shows FAILING and the one after FAILED;
        under ``"immediate"`` the next read shows FAILED. Pieces already counted keep their
        outcome and every other piece fails (``FailedPieces`` >= 1); ``Failures`` becomes
        ``failures``; ``TotalProcessed`` and ``TotalFailures`` stay those of the file.

        Args:
            application_id: the ``ApplicationId`` the job was created in.
            job_id: the ``Id`` of ``ImportJobResponse``.
            failures: the ``Failures`` messages (at most 100 are kept); None: one default
                message (or the job's own, when it is FAILING already).
            region: the job's region (default ``"us-east-1"``).
            account_id: the job's account (default moto's).

        Raises:
            LookupError: no such application or job in that account and region.
            ValueError: the job is already COMPLETED, FAILED or COMPLETING, or ``failures``
                is empty or not a list of strings.
            RuntimeError: the mock is not started.
        """
        progression, job = self._find_job(application_id, job_id, region, account_id)
        progression.force(job, failed=True, failures=failures)

    def complete_job(
        self,
        application_id: str,
        job_id: str,
        *,
        region: str = DEFAULT_REGION,
        account_id: Optional[str] = None,
    ) -> None:
        """Make one import job complete: it moves through COMPLETING to COMPLETED.

        Timing as for :meth:`fail_job`. Pieces already counted keep their outcome and every
        other piece completes; ``TotalProcessed``, ``TotalFailures`` and ``Failures`` stay
        those of the file. A job already COMPLETING is left as it is.

        Raises:
            LookupError: no such application or job in that account and region.
            ValueError: the job is already COMPLETED, FAILED or FAILING.
            RuntimeError: the mock is not started.
        """
        progression, job = self._find_job(application_id, job_id, region, account_id)
        progression.force(job, failed=False, failures=None)

    def _find_job(
        self, application_id: str, job_id: str, region: str, account_id: Optional[str]
    ) -> tuple[Progression, ImportJob]:
        state = self._active_state()
        account = account_id if account_id is not None else default_account()
        where = f"account {account}, region {region}"
        try:
            backend = state.backend(account, region)
            app = backend.store.application(application_id)
        except (NotFoundError, KeyError):
            raise LookupError(
                f"No Pinpoint application {application_id!r} in {where}; pass the Id that "
                "create_app returned, and region=/account_id= if the job is elsewhere."
            ) from None
        job = app.jobs.get(job_id)
        if job is None:
            raise LookupError(
                f"No import job {job_id!r} in application {application_id!r} ({where}); "
                "pass the Id that create_import_job returned."
            )
        return backend.progression, job
