"""Export jobs: CreateExportJob's snapshot, and the objects written when the job completes.

Pure Python: S3 is reached through an :class:`ObjectSink` (moto's S3 in the mock,
:class:`pinpoint_mock._moto.MotoS3Writer`). Sources: the Developer Guide
(``audience-data-export.md``: "When the job status value is COMPLETED, you can get your
exported endpoints from your Amazon S3 bucket"; its example responses) and botocore's
``ExportJobRequest`` / ``ExportJobResponse``; *mock* marks the mock's choices.

* At CreateExportJob the audience (:mod:`pinpoint_mock.backend.audience`) is read and rendered
  at once into compressed pieces (:mod:`pinpoint_mock.backend.export_output`): the export is a
  snapshot of the endpoints at creation (*mock*), and its counts are fixed then.
* The job moves like an import job (same progressions, ``Schedule``, forced outcomes and
  running-jobs limit, counted apart from imports). Two moments of its timeline act on S3; they
  happen when the mock first sees the job there (a read, a step, or any request moto answers
  in process, S3's included), whatever the progression:

  1. when the job reaches PROCESSING (its work start): the bucket must exist, else the job's
     plan turns to FAILING and FAILED (every piece failed, ``TotalFailures`` =
     ``TotalProcessed``, a message naming the bucket);
  2. when the job reaches its terminal stage planned as COMPLETED: every object is written at
     once, so none is visible before (*mock*: AWS publishes nothing about partial files). If
     the bucket is gone by then, nothing is written and the job shows FAILED instead of
     COMPLETED (the only path where FAILED follows COMPLETING), with a message naming it.

* Object names (*mock*): ``{folder}{JobId}/part-{n:05d}.gz``, ``n`` from 0 in piece order, where
  ``folder`` is the ``S3UrlPrefix``'s folder (a final ``/`` added if missing). The job Id makes
  them unique per job. AWS documents only that the files end in ``.gz`` under the prefix.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Callable, Mapping, Optional, Protocol, Sequence

from pinpoint_mock.backend.audience import UnevaluableError, select
from pinpoint_mock.backend.errors import NotFoundError
from pinpoint_mock.backend.export_output import ExportPiece, ExportResult, render_pieces
from pinpoint_mock.backend.import_result import MAX_REPORTED_FAILURES
from pinpoint_mock.backend.lifecycle import JobStatus, failing_plan, work_start
from pinpoint_mock.backend.models import ExportJob, Job, Segment
from pinpoint_mock.backend.progression import Progression
from pinpoint_mock.backend.store import Application, Store
from pinpoint_mock.backend.validation import check_export_job_request, parse_s3_url_prefix

__all__ = ["Exporter", "ObjectSink", "ObjectSinkError", "object_keys"]


class ObjectSinkError(Exception):
    """Objects cannot be written: the bucket does not exist (the message says so)."""


class ObjectSink(Protocol):
    """Where export jobs write their objects (moto's S3 in the mock)."""

    def bucket_exists(self, bucket: str) -> bool:
        """True when ``bucket`` exists."""

    def put_objects(self, bucket: str, objects: Sequence[tuple[str, bytes]]) -> None:
        """Write every ``(key, data)`` object into ``bucket``.

        Raises:
            ObjectSinkError: the bucket does not exist (nothing is written).
        """


def object_keys(folder: str, job_id: str, pieces: int) -> list[str]:
    """The keys of an export job's objects: ``{folder}{job_id}/part-00000.gz``, ..."""
    return [f"{folder}{job_id}/part-{n:05d}.gz" for n in range(pieces)]


MAX_S3_KEY_BYTES = 1024
"""S3's longest object key, in bytes of UTF-8 (Amazon S3 User Guide, "Naming Amazon S3
objects": "The object key name ... can be up to 1,024 bytes long"); an export whose keys
would be longer fails, as S3 refuses such a PutObject (``KeyTooLongError``)."""

_DEFINITION_MEMBERS = ("RoleArn", "S3UrlPrefix", "SegmentId", "SegmentVersion")


class Exporter:
    """Creates export jobs and writes their objects as they move.

    Args:
        store: the state; export jobs are added to it.
        sink: writes objects.
        progression: plans and moves the jobs; :meth:`settle` is registered as its hook for
            export jobs.
        clock: the mock's clock, POSIX seconds.
    """

    def __init__(self, store: Store, sink: ObjectSink, progression: Progression,
                 clock: Callable[[], float]) -> None:
        self.store = store
        self.sink = sink
        self.progression = progression
        self.clock = clock
        progression.hooks[ExportJob.kind] = self.settle

    def create(self, app: Application, request: Mapping[str, Any]) -> ExportJob:
        """The job of an ``ExportJobRequest``, its audience rendered, added to the store.

        Raises:
            BadRequestError: a member is wrong (see ``check_export_job_request``).
            NotFoundError: ``SegmentId`` or ``SegmentVersion`` does not exist.
        """
        check_export_job_request(request)
        store = self.store
        with store.lock:
            segment: Optional[Segment] = None
            version = request.get("SegmentVersion")
            if request.get("SegmentId") is not None:
                segment = store.segment(app, str(request["SegmentId"]))
                if version is not None and not 1 <= version <= len(segment.versions):
                    raise NotFoundError(
                        f"Version '{version}' of segment '{segment.id}' not found."
                    )
            result = self._snapshot(app, segment, version)
            now = self.clock()
            flags = [result.refusal is not None] * len(result.pieces)
            job = ExportJob(
                application_id=app.application_id,
                id=uuid.uuid4().hex,
                definition={k: request[k] for k in _DEFINITION_MEMBERS if k in request},
                result=result,
                plan=self.progression.plan(flags, now, ExportJob.kind),
                created=now,
                sequence=0,  # set by add_job
            )
            store.add_job(app, job)
            self.settle(job)  # zero-second stages may put its work start at creation
            return job

    def _snapshot(self, app: Application, segment: Optional[Segment],
                  version: Optional[int]) -> ExportResult:
        try:
            audience = select(app, segment, version)
        except UnevaluableError as reason:
            label = "the application's endpoints" if segment is None else (
                f"segment '{segment.id}'")
            refusal = (f"The mock cannot export {label}: {reason}. Rather than export another "
                       "audience, the export job failed; see the mock's export rules for the "
                       "criteria it evaluates.")
            return ExportResult(failures=[refusal], pieces=[ExportPiece(0, b"")],
                                refusal=refusal)
        pieces = render_pieces(audience.bodies)
        exported = sum(piece.count for piece in pieces)
        return ExportResult(
            total_processed=exported + audience.unexportable,
            total_failures=audience.unexportable,
            failures=audience.messages[:MAX_REPORTED_FAILURES],
            pieces=pieces,
        )

    # -- as the job moves --------------------------------------------------------------------

    def settle(self, job: Job) -> None:
        """Check the bucket at the job's work start and write its objects at its end (see the
        module); called with the store's lock held whenever the job's position grows."""
        if not isinstance(job, ExportJob) or job.settled:
            return
        position = job.elapsed_seen
        bucket, folder = parse_s3_url_prefix(job.definition["S3UrlPrefix"])
        if not job.checked and position >= work_start(job.plan):
            job.checked = True
            if job.plan.statuses[-1] is JobStatus.COMPLETED and not self.sink.bucket_exists(
                bucket
            ):
                self._fail(job, f"{job.definition['S3UrlPrefix']}: the bucket '{bucket}' does "
                                "not exist (NoSuchBucket), so no endpoint was exported.",
                           closing=True)
        if position < job.plan.end:
            return
        if job.plan.statuses[-1] is JobStatus.COMPLETED:
            pieces = job.result.pieces
            keys = object_keys(folder, job.id, len(pieces))
            longest = max((len(key.encode("utf-8")) for key in keys), default=0)
            try:
                if longest > MAX_S3_KEY_BYTES:
                    self._fail(job, f"{job.definition['S3UrlPrefix']}: the objects' keys would "
                                    f"be {longest} bytes, and S3 keys are at most "
                                    f"{MAX_S3_KEY_BYTES} (KeyTooLongError), so no endpoint was "
                                    "exported; use a shorter S3UrlPrefix.", closing=False)
                else:
                    self.sink.put_objects(bucket, [(key, piece.data)
                                                   for key, piece in zip(keys, pieces)])
            except ObjectSinkError:
                self._fail(job, f"{job.definition['S3UrlPrefix']}: the bucket '{bucket}' no "
                                "longer existed when the export job completed (NoSuchBucket), "
                                "so no endpoint was exported.", closing=False)
        job.settled = True
        job.result.drop_data()
        try:
            self.store.unsettled_exports.remove(job)
        except ValueError:
            pass

    def _fail(self, job: ExportJob, message: str, *, closing: bool) -> None:
        result = job.result
        failed = dataclasses.replace(
            result,
            total_failures=result.total_processed,
            failures=[message, *result.failures][:MAX_REPORTED_FAILURES],
        )
        job.replan(failing_plan(job.plan, closing=closing), failed)
        self.store.changed()

    def settle_due(self) -> None:
        """Under the ``"time"`` progression, move every unsettled export job to where the
        clock puts it, so that objects due by now are written (called before S3 is read)."""
        store = self.store
        if not store.unsettled_exports or self.progression.settings.progression != "time":
            return
        with store.lock:
            for job in list(store.unsettled_exports):
                self.progression.read(job)
