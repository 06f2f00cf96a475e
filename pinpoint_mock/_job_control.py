"""Job control from a test: ``advance_job``, ``fail_job`` and ``complete_job`` on the mock.

:class:`JobControl` is a base class of :class:`pinpoint_mock.PinpointImportsMock`; its methods
find the import or export job in the mock's shared state — in whatever account and region
holds it, unless told ``region=`` / ``account_id=`` — and delegate to
:class:`pinpoint_mock.backend.progression.Progression`. Job Ids are unique across both kinds.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Optional

from moto.core.models import DEFAULT_ACCOUNT_ID

from pinpoint_mock.backend.errors import ForbiddenError, NotFoundError
from pinpoint_mock.backend.lifecycle import JobStatus
from pinpoint_mock.backend.models import ExportJob, Job
from pinpoint_mock.backend.progression import JobStateError, Progression

if TYPE_CHECKING:
    from pinpoint_mock._dispatch import State
    from pinpoint_mock.backend.operations import Backend



def default_account() -> str:
    """moto's account for requests that name none: ``MOTO_ACCOUNT_ID`` or 123456789012."""
    return os.environ.get("MOTO_ACCOUNT_ID") or str(DEFAULT_ACCOUNT_ID)


class JobNotFoundError(LookupError):
    """``advance_job`` / ``fail_job`` / ``complete_job`` found no such import or export job.

    Raised when no account and region the mock has served holds the application (or, with
    ``region=`` / ``account_id=``, not that one), or the application holds no job of that Id.
    The message names where it looked. Fix: pass the ``Id`` of ``ApplicationResponse`` and of
    ``ImportJobResponse`` / ``ExportJobResponse`` as the client returned them (and the right
    ``region=``, if given).
    """


class AmbiguousJobError(LookupError):
    """``advance_job`` / ``fail_job`` / ``complete_job`` without ``region=`` found the same
    application and job Ids in two or more regions (or accounts), which happens when moto's
    ids are seeded. The message names them; fix: pass ``region=`` (and ``account_id=``).
    """


class JobControl:
    """Methods that move one import or export job on purpose, in every progression."""

    def _active_state(self) -> State:
        raise NotImplementedError  # PinpointImportsMock provides it

    def advance_job(
        self,
        application_id: str,
        job_id: str,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> JobStatus:
        """Move one import or export job to its next stage now (the ``"manual"`` progression's
        only mover; it works in every progression).

        Under ``"time"`` the job stays in the stage it was moved to until the clock reaches
        that stage's scheduled end. A 0-second stage is skipped.

        Args:
            application_id: the ``ApplicationId`` the job was created in.
            job_id: the ``Id`` of ``ImportJobResponse`` or ``ExportJobResponse``.
            region: the job's region; None (default): whichever region holds it.
            account_id: the job's account; None (default): whichever account holds it.

        Returns:
            The status the job shows now.

        Raises:
            JobNotFoundError: no such application or job, or ``region=`` is not a region moto
                offers Pinpoint in (a ``LookupError``).
            TypeError: an Id, ``region`` or ``account_id`` is not a string.
            AmbiguousJobError: without ``region=``, two regions (or accounts) hold these Ids.
            JobStateError: the job is already COMPLETED or FAILED, or it waits in PENDING_JOB
                while ``max_running_jobs`` jobs are running (a ``ValueError``).
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
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """Make one import or export job fail: it moves through FAILING to FAILED (an export
        job then writes nothing).

        The closing stage comes right after the stage the job shows now: under ``"time"`` it
        starts now and lasts ``Schedule.completing`` seconds; under ``"per_read"`` and
        ``"manual"`` the next read (or ``advance_job``) shows FAILING and the one after FAILED;
        under ``"immediate"`` the next read shows FAILED. Pieces already counted keep their
        outcome and every other piece fails (``FailedPieces`` >= 1); ``Failures`` becomes
        ``failures``; ``TotalProcessed`` and ``TotalFailures`` stay those of the file.

        Args:
            application_id: the ``ApplicationId`` the job was created in.
            job_id: the ``Id`` of ``ImportJobResponse`` or ``ExportJobResponse``.
            failures: the ``Failures`` messages (at most 100 are kept); None: one default
                message (or the job's own, when it is FAILING already).
            region: the job's region; None (default): whichever region holds it.
            account_id: the job's account; None (default): whichever account holds it.

        Raises:
            JobNotFoundError: no such application or job, or ``region=`` is not a region moto
                offers Pinpoint in (a ``LookupError``).
            TypeError: an Id, ``region`` or ``account_id`` is not a string.
            AmbiguousJobError: without ``region=``, two regions (or accounts) hold these Ids.
            JobStateError: the job is already COMPLETED, FAILED or COMPLETING (a
                ``ValueError``).
            ValueError: ``failures`` is empty, not a list of strings, or holds a lone surrogate.
            RuntimeError: the mock is not started.
        """
        progression, job = self._find_job(application_id, job_id, region, account_id)
        progression.force(job, failed=True, failures=failures)

    def complete_job(
        self,
        application_id: str,
        job_id: str,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """Make one import or export job complete: it moves through COMPLETING to COMPLETED.

        Timing as for :meth:`fail_job`. Pieces already counted keep their outcome and every
        other piece completes; ``TotalProcessed``, ``TotalFailures`` and ``Failures`` stay
        those of the file. A job already COMPLETING is left as it is. An export job still
        needs its bucket: without it, it ends FAILED all the same (see the export rules).

        Raises:
            JobNotFoundError: no such application or job, or ``region=`` is not a region moto
                offers Pinpoint in (a ``LookupError``).
            TypeError: an Id, ``region`` or ``account_id`` is not a string.
            AmbiguousJobError: without ``region=``, two regions (or accounts) hold these Ids.
            JobStateError: the job is already COMPLETED, FAILED or FAILING, or it is an export
                whose segment the mock refused to evaluate (it has nothing to write) (a
                ``ValueError``).
            RuntimeError: the mock is not started.
        """
        progression, job = self._find_job(application_id, job_id, region, account_id)
        if isinstance(job, ExportJob) and job.result.refusal is not None:
            raise JobStateError(
                f"Export job '{job.id}' cannot complete: the mock refused its segment, so it "
                "has nothing to write (its Failures say why); export a segment whose criteria "
                "the mock evaluates, or use fail_job()."
            )
        progression.force(job, failed=False, failures=None)

    def job_status(
        self,
        application_id: str,
        job_id: str,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> JobStatus:
        """The status one import or export job shows now, without moving it (unlike a read
        under ``"per_read"``). Arguments and errors as for :meth:`advance_job`."""
        progression, job = self._find_job(application_id, job_id, region, account_id)
        return progression.status(job)

    def _find_job(
        self,
        application_id: str,
        job_id: str,
        region: Optional[str],
        account_id: Optional[str],
    ) -> tuple[Progression, Job]:
        _check_arguments(application_id, job_id, region, account_id)
        state = self._active_state()
        if region is not None:
            account = account_id if account_id is not None else default_account()
            try:  # looked up, not created: a call that finds nothing changes nothing
                existing = state.existing_backend(account, region)
            except (KeyError, ForbiddenError):  # moto has no Pinpoint backend for that name
                raise JobNotFoundError(
                    f"{region!r} is not a region moto offers Pinpoint in; pass region= as "
                    "the client's region_name (e.g. 'us-east-1'), or leave it out to search "
                    "every region."
                ) from None
            if existing is None:
                raise JobNotFoundError(
                    f"No Pinpoint application {application_id!r} in account {account}, region "
                    f"{region}; pass the Id that create_app returned, and region=/account_id= "
                    "if the job is elsewhere."
                )
            backends = [existing]
        else:
            served = state.backends()
            backends = [b for b in served
                        if account_id is None or b.store.account_id == account_id]
            if not backends and served:
                raise JobNotFoundError(
                    f"The mock has served no region of account {account_id!r} (it has served "
                    f"{_regions_by_account(served)}); pass the account_id the job was "
                    "created in, or leave it out."
                )
        apps, found = [], []
        for backend in backends:
            try:
                app = backend.store.application(application_id)
            except (NotFoundError, KeyError):  # KeyError: a region moto does not know
                continue
            apps.append(backend)
            job: Optional[Job] = app.imports.by_id.get(job_id) or app.exports.by_id.get(job_id)
            if job is not None:
                found.append((backend, job))
        if len(found) == 1:
            backend, job = found[0]
            return backend.progression, job
        if found:
            stores = [backend.store for backend, _ in found]
            accounts = sorted({store.account_id for store in stores})
            if len(accounts) == 1:
                regions = " and ".join(sorted(store.region for store in stores))
                places = f"{len(stores)} regions of account {accounts[0]}, {regions}"
                fix = "region="
            else:
                places = " and ".join(sorted(_where(backend) for backend, _ in found))
                fix = "region= and account_id="
            raise AmbiguousJobError(
                f"{found[0][1].noun} {job_id!r} of application {application_id!r} is in {places}; "
                f"pass {fix} to say which."
            )
        if apps:
            raise JobNotFoundError(
                f"No import or export job {job_id!r} in application {application_id!r} "
                f"({' or '.join(_where(backend) for backend in apps)}); pass the Id that "
                "create_import_job or create_export_job returned."
            )
        if region is not None:
            raise JobNotFoundError(
                f"No Pinpoint application {application_id!r} in {_where(backends[0])}; pass "
                "the Id that create_app returned, and region=/account_id= if the job is "
                "elsewhere."
            )
        raise JobNotFoundError(
            f"No Pinpoint application {application_id!r} in any region the mock has served "
            f"({_regions_by_account(backends)}); pass the Id that create_app returned."
        )


def _check_arguments(application_id: object, job_id: object, region: object,
                     account_id: object) -> None:
    for name, value, optional in (("application_id", application_id, False),
                                  ("job_id", job_id, False), ("region", region, True),
                                  ("account_id", account_id, True)):
        if not isinstance(value, str) and not (optional and value is None):
            raise TypeError(
                f"Job control takes {name} as a string (the Id or name the client used); got "
                f"{type(value).__name__}."
            )


def _where(backend: Backend) -> str:
    return f"account {backend.store.account_id}, region {backend.store.region}"


def _regions_by_account(backends: list[Backend]) -> str:
    regions: dict[str, list[str]] = {}
    for backend in backends:
        regions.setdefault(backend.store.account_id, []).append(backend.store.region)
    if not regions:
        return "none since the mock started or its data was last reset"
    return "; ".join(f"account {account}: {', '.join(sorted(names))}"
                     for account, names in sorted(regions.items()))
