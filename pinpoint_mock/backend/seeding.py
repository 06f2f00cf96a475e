"""Seed many import jobs straight into a backend, without HTTP and without reading files.

A test (or a benchmark) that needs an application holding thousands of jobs would otherwise
make thousands of CreateImportJob calls, each reading an S3 object. :func:`seed_import_jobs`
adds finished (or freshly created) jobs to a :class:`~pinpoint_mock.backend.operations.Backend`
directly: the records are the same :class:`~pinpoint_mock.backend.models.ImportJob` the
operations create, they are listed by GetImportJobs (and GetSegmentImportJobs when
``segment_id`` is given) in creation order after the jobs already there, and read by
GetImportJob like any other job.

What a seeded job is (*mock* choices; no file is read):

* Its ``Definition`` is ``{"DefineSegment": False, "ExternalId": <account id>, "Format",
  "RegisterEndpoints": False, "RoleArn", "S3Url"}`` plus ``SegmentId`` when given; its
  counts say that ``endpoints`` definitions were processed and imported, in
  ``ceil(endpoints / 100)`` pieces, with no failure.
* ``completed=True`` (the default): it was created ``plan.end`` seconds before the backend's
  clock and shows COMPLETED on every read, whatever the progression; it never ran alongside
  the jobs there now. ``completed=False``: it is created now and is planned and moved like a
  job made by CreateImportJob (so it counts towards a running-jobs limit, if one is set).
* ``segment_id`` must name an IMPORT segment of the application; the jobs are listed under it,
  but the segment itself (``Size``, ``ChannelCounts``, ``Version``) is left as it is, and no
  endpoint is registered.
* The seeded jobs of one call share one (read-only) import result, and the completed ones one
  plan, so that a hundred thousand jobs cost little memory; each has its own ``Definition``.

This module is pure Python: no botocore, moto or werkzeug.
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

from pinpoint_mock.backend.errors import BadRequestError
from pinpoint_mock.backend.importer import PIECE_SIZE, ImportResult, Piece
from pinpoint_mock.backend.lifecycle import Plan, plan_for
from pinpoint_mock.backend.models import ImportJob
from pinpoint_mock.backend.operations import Backend, import_job_definition
from pinpoint_mock.backend.validation import FORMATS, check_import_job_request

__all__ = ["seed_import_jobs"]

DEFAULT_SEED_URL = "s3://seeded-endpoints/endpoints.csv"
DEFAULT_SEED_ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"


def seed_import_jobs(
    backend: Backend,
    application_id: str,
    count: int,
    *,
    endpoints: int = PIECE_SIZE,
    segment_id: Optional[str] = None,
    completed: bool = True,
    s3_url: str = DEFAULT_SEED_URL,
    role_arn: str = DEFAULT_SEED_ROLE_ARN,
    fmt: str = "CSV",
) -> list[ImportJob]:
    """Add ``count`` import jobs to an application, oldest first, and return them.

    Args:
        backend: the backend of the application's account and region.
        application_id: an application that exists (moto's CreateApp made it).
        count: how many jobs (>= 0).
        endpoints: definitions each job processed and imported (>= 1).
        segment_id: an IMPORT segment of the application to list the jobs under, or None.
        completed: True for jobs that show COMPLETED; False for jobs created now.
        s3_url, role_arn, fmt: the ``Definition`` the jobs echo (validated as
            CreateImportJob validates them).

    Raises:
        ValueError: ``count`` < 0 or ``endpoints`` < 1.
        NotFoundError: unknown application or segment.
        BadRequestError: a bad ``s3_url``, ``role_arn`` or ``fmt``, or a DIMENSIONAL segment.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number >= 0, got {count!r}.")
    if isinstance(endpoints, bool) or not isinstance(endpoints, int) or endpoints < 1:
        raise ValueError(f"endpoints must be a whole number >= 1, got {endpoints!r}.")
    if fmt not in FORMATS:
        raise BadRequestError(f"Format must be CSV or JSON, got {fmt!r}.")
    request: dict[str, Any] = {
        "Format": fmt,
        "RegisterEndpoints": False,
        "RoleArn": role_arn,
        "S3Url": s3_url,
    }
    check_import_job_request(request)
    store = backend.store
    definition = import_job_definition(request, store.account_id)
    app = store.application(application_id)
    if segment_id is not None:
        segment = store.segment(app, segment_id)
        if segment.segment_type != "IMPORT":
            raise BadRequestError(
                f"SegmentId '{segment_id}' names a DIMENSIONAL segment; import jobs "
                "can only import into an IMPORT segment."
            )
        definition["SegmentId"] = segment_id

    key = s3_url.partition("://")[2].partition("/")[2]
    result = ImportResult(total_processed=endpoints, imported=endpoints)
    full, rest = divmod(endpoints, PIECE_SIZE)
    result.pieces = [Piece(key, PIECE_SIZE, PIECE_SIZE) for _ in range(full)]
    if rest:
        result.pieces.append(Piece(key, rest, rest))
    flags = [False] * len(result.pieces)
    now = backend.clock()

    def fresh() -> tuple[Plan, float, float]:
        """(plan, created, elapsed_seen) of the next job."""
        if completed:
            plan = plan_for(flags, backend.settings.schedule)
            return plan, now - plan.end, plan.end
        # planned as CreateImportJob plans a job (the running-jobs queue included)
        return backend.progression.plan(flags, now), now, 0.0

    shared = fresh() if completed else None

    jobs: list[ImportJob] = []
    with store.lock:
        for _ in range(count):
            plan, created, elapsed_seen = shared or fresh()
            job = ImportJob(
                application_id=app.application_id,
                id=uuid.uuid4().hex,
                definition=dict(definition),
                result=result,
                plan=plan,
                created=created,
                sequence=0,  # set by add_job
                elapsed_seen=elapsed_seen,
            )
            store.add_job(app, job)
            jobs.append(job)
    return jobs
