"""Per-(account, region) state: segments, import and export jobs and endpoints of each
application.

Listings page in creation order, oldest first: a page's ``NextToken`` remembers the sequence
number of the last item it returned, so items created between two pages are never skipped or
repeated (they appear on a later page). Tokens are opaque, issued by this store only, and tied
to one listing; any other token is a 400.
"""

from __future__ import annotations

import bisect
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, Optional, Sequence, TypeVar

from pinpoint_mock.backend.endpoint_rules import show
from pinpoint_mock.backend.endpoint_table import EndpointTable, UserIndex
from pinpoint_mock.backend.errors import BadRequestError, NotFoundError
from pinpoint_mock.backend.models import ExportJob, ImportJob, Job, Segment

DEFAULT_PAGE_SIZE = 100
"""Items per page when ``PageSize`` is absent (AWS documents no default; the mock's choice)."""

MAX_PAGE_SIZE = 1000
"""The largest ``PageSize`` accepted; a larger one is a 400 (AWS documents no maximum)."""

T = TypeVar("T")
J = TypeVar("J", bound=Job)


def parse_page_size(value: Optional[str]) -> int:
    """Validate ``PageSize`` (a string on the wire): an integer from 1 to :data:`MAX_PAGE_SIZE`.

    Raises:
        BadRequestError: naming ``PageSize`` and the value received.
    """
    if value is None:
        return DEFAULT_PAGE_SIZE
    number = whole_number(value)
    if number is None or not 1 <= number <= MAX_PAGE_SIZE:
        raise BadRequestError(
            f"PageSize must be a whole number from 1 to {MAX_PAGE_SIZE}, got {show(value)}."
        )
    return number


_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(value: object) -> Optional[int]:
    """The number a string of ASCII digits only (at most 18) spells, else None (``"²"``,
    ``"1e3"``, ``"-1"``, ``"+1"``, ``" 1"``, ``"1\\n"``, 5,000 digits, a non-string): nothing
    around the digits, though ``int()`` would strip whitespace (docs/requests.md)."""
    if not isinstance(value, str):
        return None
    return int(value) if _WHOLE_NUMBER.fullmatch(value) else None


@dataclass
class Page(Generic[T]):
    """One page of a listing: its items and the token of the next page (None on the last)."""

    items: list[T]
    next_token: Optional[str]


class Listing(Generic[T]):
    """Items kept in creation order, addressable by their sequence number.

    ``sequence_of`` gives an item's sequence number; sequence numbers only grow.
    """

    def __init__(self, sequence_of: Callable[[T], int]):
        self._items: list[T] = []
        self._sequences: list[int] = []
        self.sequence_of = sequence_of

    def append(self, item: T) -> None:
        self._items.append(item)
        self._sequences.append(self.sequence_of(item))

    def remove(self, item: T) -> None:
        """Remove ``item`` (found by its sequence number; nothing happens if it is absent)."""
        index = bisect.bisect_left(self._sequences, self.sequence_of(item))
        if index < len(self._items) and self._items[index] is item:
            del self._items[index]
            del self._sequences[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def after(self, sequence: int, count: int) -> tuple[list[T], bool]:
        """Up to ``count`` items created after ``sequence``, and whether more remain."""
        start = bisect.bisect_right(self._sequences, sequence)
        items = self._items[start : start + count]
        return items, start + count < len(self._items)


@dataclass
class JobTable(Generic[J]):
    """The jobs of one kind (import or export) of one application.

    Attributes:
        by_id: every job by its Id (GetImportJob / GetExportJob).
        listing: every job, oldest first (GetImportJobs / GetExportJobs).
        by_segment: per ``SegmentId``, the jobs of that segment, oldest first
            (GetSegmentImportJobs / GetSegmentExportJobs).
    """

    by_id: dict[str, J] = field(default_factory=dict)
    listing: Listing[J] = field(default_factory=lambda: Listing(_sequence))
    by_segment: dict[str, Listing[J]] = field(default_factory=dict)

    def add(self, job: J) -> None:
        self.by_id[job.id] = job
        self.listing.append(job)
        if job.segment_id is not None:
            self.by_segment.setdefault(job.segment_id, Listing(_sequence)).append(job)

    def of_segment(self, segment_id: str) -> Listing[J]:
        """The jobs of one segment (an empty listing if none)."""
        listing = self.by_segment.get(segment_id)
        return Listing(_sequence) if listing is None else listing


@dataclass
class Application:
    """The mock's state for one Pinpoint application (the app itself is moto's).

    ``endpoints`` holds the registered endpoints (see
    :mod:`~pinpoint_mock.backend.endpoint_table`); ``endpoints_by_user`` is its user index.
    ``compact`` False keeps the endpoints as objects (the reference representation).
    """

    application_id: str
    compact: bool = True
    segments: dict[str, Segment] = field(default_factory=dict)
    segment_listing: Listing[Segment] = field(default_factory=lambda: Listing(_sequence))
    imports: JobTable[ImportJob] = field(default_factory=JobTable)
    exports: JobTable[ExportJob] = field(default_factory=JobTable)
    attribute_names: set[str] = field(default_factory=set)
    """Custom names the app has (``Attributes.Plan``, ``Metrics.Visits``, ...): 250 at most."""
    endpoints: EndpointTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.endpoints = EndpointTable(self.application_id, self.compact)

    @property
    def endpoints_by_user(self) -> UserIndex:
        """Each user's endpoint Ids, oldest first."""
        return self.endpoints.users

    @property
    def jobs(self) -> dict[str, ImportJob]:
        """The import jobs by Id (``imports.by_id``)."""
        return self.imports.by_id

    @property
    def job_listing(self) -> Listing[ImportJob]:
        """The import jobs, oldest first (``imports.listing``)."""
        return self.imports.listing

    @property
    def jobs_by_segment(self) -> dict[str, Listing[ImportJob]]:
        """The import jobs of each segment (``imports.by_segment``)."""
        return self.imports.by_segment

    def table(self, kind: str) -> JobTable[Any]:
        """The jobs of ``kind`` (``"IMPORT"`` or ``"EXPORT"``)."""
        return self.exports if kind == ExportJob.kind else self.imports


def _sequence(item: Job | Segment) -> int:
    return item.sequence


class Store:
    """All the mock's Pinpoint state of one account in one region.

    ``app_exists`` answers whether an application exists (moto owns applications). Every
    method may be called from several threads; callers hold :attr:`lock` around a
    read-modify-write of several records. ``compact_endpoints`` False keeps each registered
    endpoint as an object instead of an encoded record (the reference representation, for
    tests; see :mod:`~pinpoint_mock.backend.endpoint_table`).
    """

    def __init__(
        self,
        account_id: str,
        region: str,
        app_exists: Callable[[str], bool],
        compact_endpoints: bool = True,
    ):
        self.account_id = account_id
        self.compact_endpoints = compact_endpoints
        self.region = region
        self.lock = threading.RLock()
        self._app_exists = app_exists
        self._applications: dict[str, Application] = {}
        self._sequence = 0
        self._tokens: dict[str, tuple[tuple[str, ...], int]] = {}
        self._jobs: dict[str, list[Job]] = {ImportJob.kind: [], ExportJob.kind: []}
        self._apps_seen: dict[str, tuple[int, float]] = {}
        self.unsettled_exports: list[ExportJob] = []
        """Export jobs whose outcome is not decided yet (written or failed), oldest first."""
        self.revision = 0
        """Grows (under :attr:`lock`, see :meth:`changed`) whenever what a job listing shows
        may change otherwise than by the clock: a job added, a job's position moved, a job
        replanned. Cached listing pages are valid for one revision only."""

    def changed(self) -> None:
        """Note that a job was added, moved or replanned (the caller holds :attr:`lock`): every
        cached listing page is stale from now on."""
        self.revision += 1

    def next_sequence(self) -> int:
        """A number greater than every one handed out before (creation order)."""
        with self.lock:
            self._sequence += 1
            return self._sequence

    def application(self, application_id: str) -> Application:
        """The state of an existing application.

        Raises:
            NotFoundError: "Application not found", as Pinpoint answers.
        """
        if not self._app_exists(application_id):
            # moto deleted the app (or never had it): forget what the mock kept for it.
            self._applications.pop(application_id, None)
            raise NotFoundError("Application not found")
        app = self._applications.get(application_id)
        if app is None:
            with self.lock:
                app = self._applications.setdefault(
                    application_id, Application(application_id, self.compact_endpoints)
                )
        return app

    def app_seen(self, application_id: str, created: Optional[float] = None) -> tuple[int, float]:
        """``(sequence, creation time)`` of an application, remembered the first time it is
        seen (with ``created``, POSIX seconds): GetApps lists apps in this order."""
        with self.lock:
            seen = self._apps_seen.get(application_id)
            if seen is None:
                seen = (self.next_sequence(), float(created or 0.0))
                self._apps_seen[application_id] = seen
            return seen

    def forget_app(self, application_id: str) -> None:
        """Drop what the mock kept for a deleted application."""
        with self.lock:
            self._apps_seen.pop(application_id, None)
            self._applications.pop(application_id, None)

    def segment(self, app: Application, segment_id: str) -> Segment:
        """A segment of ``app``.

        Raises:
            NotFoundError: naming the segment and the application.
        """
        segment = app.segments.get(segment_id)
        if segment is None:
            raise NotFoundError(
                f"Segment '{segment_id}' not found in application '{app.application_id}'."
            )
        return segment

    def job(self, app: Application, job_id: str) -> ImportJob:
        """An import job of ``app``.

        Raises:
            NotFoundError: naming the job and the application.
        """
        job = app.imports.by_id.get(job_id)
        if job is None:
            raise NotFoundError(
                f"Import job '{job_id}' not found in application '{app.application_id}'."
            )
        return job

    def export_job(self, app: Application, job_id: str) -> ExportJob:
        """An export job of ``app``.

        Raises:
            NotFoundError: naming the job and the application.
        """
        job = app.exports.by_id.get(job_id)
        if job is None:
            raise NotFoundError(
                f"Export job '{job_id}' not found in application '{app.application_id}'."
            )
        return job

    def jobs(self, kind: str = ImportJob.kind) -> list[Job]:
        """Every job of ``kind`` (``"IMPORT"``, the default, or ``"EXPORT"``) of every
        application of this store, oldest first (a copy): the jobs that share one
        running-jobs limit (imports and exports queue apart)."""
        with self.lock:
            return list(self._jobs[kind])

    def add_job(self, app: Application, job: Job) -> None:
        """Add an import or export job (by its kind) to ``app``'s table and to the store,
        listed last: its ``sequence`` is set here, under the lock, so that listings stay in
        creation order whatever the threads."""
        with self.lock:
            job.sequence = self.next_sequence()
            self._jobs[job.kind].append(job)
            self.changed()
            app.table(job.kind).add(job)
            if isinstance(job, ExportJob) and not job.settled:
                self.unsettled_exports.append(job)

    def add_segment(self, app: Application, segment: Segment) -> None:
        """List ``segment`` last: its ``sequence`` is set here, under the lock (see
        :meth:`add_job`)."""
        with self.lock:
            segment.sequence = self.next_sequence()
            app.segments[segment.id] = segment
            app.segment_listing.append(segment)

    def remove_segment(self, app: Application, segment: Segment) -> None:
        with self.lock:
            app.segments.pop(segment.id, None)
            app.segment_listing.remove(segment)

    def page(
        self,
        listing: Listing[T],
        listing_key: Sequence[str],
        page_size: Optional[str],
        token: Optional[str],
    ) -> Page[T]:
        """One page of ``listing``, after the position ``token`` names.

        ``listing_key`` identifies the listing (operation, application, segment); a token is
        valid only for the listing that issued it.

        Raises:
            BadRequestError: a bad ``PageSize``, or a ``Token`` this store did not issue for
                this listing.
        """
        key = tuple(listing_key)
        size, after = self.page_start(key, page_size, token)
        with self.lock:
            items, more = listing.after(after, size)
            next_token = None
            if more and items:
                next_token = self.issue_token(key, listing.sequence_of(items[-1]))
        return Page(items, next_token)

    def page_start(
        self, listing_key: tuple[str, ...], page_size: Optional[str], token: Optional[str]
    ) -> tuple[int, int]:
        """``(size, after)`` of the page a request asks for: its ``PageSize`` (see
        :func:`parse_page_size`) and the sequence number its ``Token`` names (0: the first
        page).

        Raises:
            BadRequestError: as :meth:`page`.
        """
        size = parse_page_size(page_size)
        if token is None:
            return size, 0
        issued = self._tokens.get(token)
        if issued is None:
            raise BadRequestError(
                f"Token {show(token)} is not a NextToken this API returned; "
                "pass the NextToken of the previous page."
            )
        if issued[0] != listing_key:
            raise BadRequestError(
                f"Token {show(token)} belongs to another listing; pass the NextToken "
                "returned by this operation for this application."
            )
        return size, issued[1]

    def issue_token(self, listing_key: tuple[str, ...], sequence: int) -> str:
        """A new ``NextToken`` of ``listing_key``, naming the page after ``sequence``."""
        token = secrets.token_urlsafe(24)
        self._tokens[token] = (listing_key, sequence)
        return token
