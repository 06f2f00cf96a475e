"""The backend's records: segments, import and export jobs, and registered endpoints.

Each record renders itself in the shape botocore's Pinpoint model gives its response
(``SegmentResponse``, ``ImportJobResponse``, ``ExportJobResponse``, ``EndpointResponse``); the
HTTP layer only encodes.
Times are POSIX seconds (floats) on the mock's clock; :func:`iso8601` renders them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Protocol, Sized

from pinpoint_mock.backend.export_output import ExportResult
from pinpoint_mock.backend.importer import ImportResult
from pinpoint_mock.backend.lifecycle import Plan, View

LATEST_DATE = 253402300799.999
"""POSIX seconds of ``9999-12-31T23:59:59.999Z``, the last date a four-digit year can show."""
EARLIEST_DATE = -62135596800.0
"""POSIX seconds of ``0001-01-01T00:00:00.000Z``."""


def iso8601(seconds: float) -> str:
    """Render POSIX ``seconds`` as Pinpoint does: ``2018-05-24T21:26:33.995Z`` (UTC, milliseconds).

    Computed from UTC whatever the local time zone (``time.gmtime`` of an explicit value).
    Any number renders (*mock*): a date past :data:`LATEST_DATE` (a very long schedule, a
    far clock) shows as ``9999-12-31T23:59:59.999Z``, one before year 1 as
    ``0001-01-01T00:00:00.000Z``, so every date stays one that ISO 8601 parsers (and
    ``datetime.fromisoformat``) read.
    """
    if not EARLIEST_DATE <= seconds <= LATEST_DATE:  # NaN included
        seconds = EARLIEST_DATE if seconds < EARLIEST_DATE else LATEST_DATE
    millis = int(round(seconds * 1000))
    whole, ms = divmod(millis, 1000)
    utc = time.gmtime(whole)
    if utc.tm_year >= 1000:
        return time.strftime("%Y-%m-%dT%H:%M:%S", utc) + f".{ms:03d}Z"
    year, month, day, hour, minute, second = utc[:6]  # %Y does not pad to four digits
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}Z"


def segment_arn(region: str, account_id: str, application_id: str, segment_id: str) -> str:
    """``arn:aws:mobiletargeting:{region}:{account}:apps/{app}/segments/{segment}``."""
    return (
        f"arn:aws:mobiletargeting:{region}:{account_id}:apps/{application_id}"
        f"/segments/{segment_id}"
    )


@dataclass(frozen=True)
class Contribution:
    """The endpoints of the import that made version ``version`` of an IMPORT segment: what
    that version holds (an import into a segment refreshes it; a later version that UpdateSegment
    makes holds the same).

    Attributes:
        version: the segment version the import made.
        endpoint_ids: the Ids of the endpoints it reached that were registered (in file order,
            once each): those an export of the segment can write.
        unrecorded: endpoints it imported without registering them (``RegisterEndpoints``
            false): the mock keeps no copy of them, so an export can only count them.
    """

    version: int
    endpoint_ids: tuple[str, ...]
    unrecorded: int = 0


@dataclass
class Segment:
    """A segment of one application: DIMENSIONAL (CreateSegment) or IMPORT (an import job).

    ``versions`` holds the ``SegmentResponse`` of every version, oldest first, for
    GetSegmentVersion(s); the last one is the current segment. ``contributions`` holds, for an
    IMPORT segment, the endpoints of each import that made a version (what an export of that
    version reaches), oldest first.
    """

    application_id: str
    id: str
    arn: str
    segment_type: str
    versions: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        """The current ``SegmentResponse``."""
        return self.versions[-1]

    @property
    def name(self) -> Optional[str]:
        name = self.current.get("Name")
        return str(name) if name is not None else None


class JobResult(Protocol):
    """The counts a job's response shows (:class:`~pinpoint_mock.backend.importer.ImportResult`
    for imports, :class:`~pinpoint_mock.backend.export_output.ExportResult` for exports)."""

    total_processed: int
    total_failures: int
    failures: list[str]

    @property
    def pieces(self) -> Sized: ...


@dataclass
class Job:
    """One import or export job: what was asked, what it found, and its plan.

    ``ImportJobResponse`` and ``ExportJobResponse`` have the same members (botocore's model);
    they differ in ``Type`` (:attr:`kind`) and in the ``Definition`` echoed. Subclasses:
    :class:`ImportJob`, :class:`ExportJob`.

    Attributes:
        definition: the ``ImportJobResource`` / ``ExportJobResource`` echoed in ``Definition``.
        result: the job's counts and failures (found once, at creation).
        plan: the stage boundaries (see :mod:`pinpoint_mock.backend.lifecycle`).
        created: creation time, POSIX seconds.
        sequence: creation order within the store; listings page by it.
        elapsed_seen: the furthest point of its timeline any read has shown, in seconds, so
            that a clock moved backwards never makes the job regress.
        completion: POSIX seconds at which the terminal status was first shown, when a step
            (not the clock) got it there; None: ``created + plan.end``.
    """

    kind: ClassVar[str] = "IMPORT"
    """``Type`` in the response: ``"IMPORT"`` or ``"EXPORT"``."""
    noun: ClassVar[str] = "Import job"
    """How messages name the job (``"Import job 'abc'"``)."""

    application_id: str
    id: str
    definition: dict[str, Any]
    result: JobResult
    plan: Plan
    created: float
    sequence: int
    elapsed_seen: float = 0.0
    completion: Optional[float] = None
    final: Optional[bytes] = field(default=None, repr=False)
    """The encoded terminal view, once a read has reached it: it never changes again."""
    current: Optional[tuple[float, bytes]] = field(default=None, repr=False)
    """Under the ``"time"`` progression, ``(until, bytes)``: what every read shows while the
    job's position stays below ``until`` seconds (set and dropped with the plan's lock held)."""
    _encoded: dict[tuple[int, int, int], bytes] = field(default_factory=dict, repr=False)

    @property
    def segment_id(self) -> Optional[str]:
        value = self.definition.get("SegmentId")
        return str(value) if value is not None else None

    def response(self, view: View) -> dict[str, Any]:
        """The ``ImportJobResponse`` / ``ExportJobResponse`` this job shows in ``view``."""
        result = self.result
        body: dict[str, Any] = {
            "ApplicationId": self.application_id,
            "CompletedPieces": view.completed_pieces,
            "CreationDate": iso8601(self.created),
            "Definition": self.definition,
            "FailedPieces": view.failed_pieces,
            "Id": self.id,
            "JobStatus": view.status.value,
            "TotalPieces": len(result.pieces),
            "Type": self.kind,
        }
        if view.counts_known:
            # Counts are known once PROCESSING is over.
            body["TotalProcessed"] = result.total_processed
            body["TotalFailures"] = result.total_failures
            body["Failures"] = list(result.failures)
        if view.status.terminal:
            end = self.completion if self.completion is not None else self.created + self.plan.end
            body["CompletionDate"] = iso8601(end)
        return body

    def encoded(self, view: View) -> bytes:
        """``response(view)`` as JSON bytes, computed once per distinct view of one plan."""
        cache = self._encoded
        data = cache.get(view.key)
        if data is None:
            data = json.dumps(self.response(view), separators=(",", ":")).encode()
            cache[view.key] = data
            if view.status.terminal and cache is self._encoded:
                self.final = data
        return data

    def replan(self, plan: Plan, result: Optional[JobResult] = None) -> None:
        """Replace the plan (and the result) after a forced outcome or a queue change, dropping
        every cached encoding: the same view key may now mean other bytes. A read still
        encoding with the old plan writes into the dropped cache, never into the new one."""
        self.plan = plan
        if result is not None:
            self.result = result
        self._encoded = {}
        self.final = None
        self.current = None


def cohort_of(endpoint_id: str) -> str:
    """An endpoint's ``CohortId``: ``"0"`` to ``"99"``, stable for its Id (*mock*: from a SHA-1 of
    the Id; AWS documents the cohorts, 0 to 99, not how an endpoint is assigned to one)."""
    return str(int.from_bytes(hashlib.sha1(endpoint_id.encode()).digest(), "big") % 100)


_creation_text = functools.lru_cache(maxsize=1024)(iso8601)
""":func:`iso8601` of an endpoint's creation date: the endpoints of one import share it, and
an export renders it for each of them."""


@dataclass
class ImportJob(Job):
    """An import job (``Type`` IMPORT); ``result`` is what the import read at creation."""

    result: ImportResult


@dataclass
class ExportJob(Job):
    """An export job (``Type`` EXPORT): its pieces are rendered at CreateExportJob and written
    to S3 when the job reaches COMPLETED (see :mod:`pinpoint_mock.backend.exporter`).

    Attributes:
        checked: True once the bucket was checked, when the job's position reached PROCESSING.
        settled: True once the job's outcome is decided for good (written, or failed): nothing
            more happens to it when it moves.
    """

    kind: ClassVar[str] = "EXPORT"
    noun: ClassVar[str] = "Export job"

    result: ExportResult
    checked: bool = False
    settled: bool = False


@dataclass
class Endpoint:
    """A registered endpoint: its ``EndpointRequest`` fields plus the ones Pinpoint adds.

    The application's :class:`~pinpoint_mock.backend.endpoint_table.EndpointTable` keeps an
    encoded record per endpoint and builds one of these on each read: changing it changes
    nothing stored (the backend stores a changed endpoint with ``EndpointTable.put``).

    Attributes:
        fields: the ``EndpointBatchItem``-shaped fields registered (``Id`` among them when the
            definition gave one), with ``EndpointStatus`` and ``EffectiveDate``.
        creation_date: POSIX seconds of its first registration.
        cohort_id: see :func:`cohort_of`.
    """

    application_id: str
    id: str
    fields: dict[str, Any]
    creation_date: float
    cohort_id: str

    @property
    def user_id(self) -> Optional[str]:
        user = self.fields.get("User") or {}
        value = user.get("UserId")
        return str(value) if value else None

    @property
    def channel_type(self) -> Optional[str]:
        value = self.fields.get("ChannelType")
        return str(value) if value else None

    def response(self) -> dict[str, Any]:
        """The ``EndpointResponse`` shape."""
        body = {k: v for k, v in self.fields.items() if k != "Id"}
        body.setdefault("EndpointStatus", "ACTIVE")
        body.setdefault("OptOut", "NONE")
        body.update(
            ApplicationId=self.application_id,
            Id=self.id,
            CohortId=self.cohort_id,
            CreationDate=_creation_text(self.creation_date),
        )
        return body
