"""The Pinpoint operations the mock serves, over a :class:`~pinpoint_mock.backend.store.Store`.

Each public method of :class:`Backend` is one operation of botocore's Pinpoint model: it takes
the operation's input members by their model names (``ApplicationId``, ``ImportJobRequest``,
``PageSize``, ...) and returns the operation's payload (``ImportJobResponse``,
``ImportJobsResponse``, ...) either as a dict or, for the hot listings, as ready JSON bytes.
Errors are raised as :class:`~pinpoint_mock.backend.errors.PinpointError`.
"""

from __future__ import annotations

import copy
import functools
import math
import uuid
from typing import Any, Callable, Mapping, NamedTuple, Optional, Protocol, TypeVar, Union

from pinpoint_mock.backend.endpoint_rules import (
    MAX_ENDPOINTS_PER_USER,
    attribute_names_of,
    check_definition,
    show,
)
from pinpoint_mock.backend.endpoint_table import Record, derived_endpoint_id
from pinpoint_mock.backend.errors import BadRequestError, NotFoundError
from pinpoint_mock.backend.exporter import Exporter, ObjectSink
from pinpoint_mock.backend.importer import (
    ImportResult,
    Piece,
    RegisterRows,
    SourceObject,
    run_import,
)
from pinpoint_mock.backend.lifecycle import view_at
from pinpoint_mock.backend.models import (
    Contribution,
    Endpoint,
    ImportJob,
    Job,
    Segment,
    cohort_of,
    iso8601,
    segment_arn,
)
from pinpoint_mock.backend.page_cache import CachedPage, PageCache, deadline_of
from pinpoint_mock.backend.progression import PROGRESSIONS as PROGRESSIONS
from pinpoint_mock.backend.progression import Progression
from pinpoint_mock.backend.progression import Settings as Settings
from pinpoint_mock.backend.segment_rules import check_write_segment_request
from pinpoint_mock.backend.store import Application, Listing, Store, whole_number
from pinpoint_mock.backend.tags import MemoryTags, TagStore
from pinpoint_mock.backend.validation import check_import_job_request, flag, parse_s3_url

Payload = Union[dict[str, Any], bytes]
"""An operation's payload: a dict to encode as JSON, or JSON bytes already encoded."""

J = TypeVar("J", bound=Job)


class ObjectSourceError(Exception):
    """The objects behind an ``S3Url`` cannot be listed (for example, no such bucket)."""


class ObjectSource(Protocol):
    """Where endpoint files come from (moto's S3 in the mock)."""

    def objects(self, bucket: str, prefix: str) -> list[SourceObject]:
        """The object named ``prefix`` if it exists, else every object under ``prefix``.

        Raises:
            ObjectSourceError: the bucket does not exist or cannot be read.
        """


class _NoSink:
    """The sink of a backend made without one: every bucket is missing."""

    def bucket_exists(self, bucket: str) -> bool:
        return False

    def put_objects(self, bucket: str, objects: Any) -> None:
        from pinpoint_mock.backend.exporter import ObjectSinkError

        raise ObjectSinkError(f"the bucket '{bucket}' does not exist (NoSuchBucket).")


class Backend:
    """The operations of one account and region.

    Args:
        store: the state.
        objects: reads endpoint files.
        clock: the mock's clock, POSIX seconds (wall clock plus the mock's offset).
        settings: progression, schedule and running-jobs limit.
        tags: where the tags of segments are kept (default: a :class:`MemoryTags`).
        sink: where export jobs write (None: nowhere, every export fails for its bucket).

    Attributes:
        progression: moves the jobs (reads, and ``advance_job``/``fail_job``/``complete_job``
            from a test).
        exporter: creates export jobs and writes their objects.
        pages: the last page read of each job listing, served again while none of its jobs
            can show anything else (see :mod:`pinpoint_mock.backend.page_cache`).
    """

    def __init__(
        self,
        store: Store,
        objects: ObjectSource,
        clock: Callable[[], float],
        settings: Settings,
        *,
        tags: Optional[TagStore] = None,
        sink: Optional[ObjectSink] = None,
    ):
        self.store = store
        self.tags: TagStore = tags if tags is not None else MemoryTags()
        self.objects = objects
        self.clock = clock
        self.settings = settings
        self.progression = Progression(store, clock, settings)
        self.exporter = Exporter(store, sink if sink is not None else _NoSink(), self.progression,
                                 clock)
        self.pages = PageCache()

    # -- import jobs -------------------------------------------------------------------------

    def create_import_job(self, ApplicationId: str, ImportJobRequest: Mapping[str, Any]) -> Payload:
        """CreateImportJob: read the file now, register its endpoints, create the job (and its
        segment, or a new version of the segment it refreshes), return it.

        Rules (docs/import-rules.md):

        * ``RegisterEndpoints`` absent registers the endpoints as ``true`` does; ``false``
          registers nothing. (AWS's samples import without the flag and then read or segment
          the endpoints: see the docs.)
        * ``SegmentId`` (with or without ``DefineSegment``) refreshes that IMPORT segment: a
          new version whose ``ImportDefinition`` describes this import; ``SegmentName`` then
          renames it. ``DefineSegment`` without ``SegmentId`` creates a segment (named
          ``SegmentName`` when given).
        * The job's ``Definition`` always has ``DefineSegment`` and ``RegisterEndpoints`` as
          booleans and ``ExternalId`` (the request's, else the account id), as the developer
          guide's example responses show.
        * A refused or failed request changes nothing: no job, no segment, no endpoint.

        Raises:
            NotFoundError: unknown application or ``SegmentId``.
            BadRequestError: a member of ``ImportJobRequest`` is wrong (see validation), or
                ``SegmentId`` names a DIMENSIONAL segment.
        """
        store = self.store
        app = store.application(ApplicationId)
        request = dict(ImportJobRequest or {})
        check_import_job_request(request)
        define = flag(request, "DefineSegment", False)
        register = flag(request, "RegisterEndpoints", True)
        with store.lock:
            target: Optional[Segment] = None
            if request.get("SegmentId"):
                target = store.segment(app, str(request["SegmentId"]))
                if target.segment_type != "IMPORT":
                    raise BadRequestError(
                        f"SegmentId '{target.id}' names a DIMENSIONAL segment; import jobs "
                        "can only import into an IMPORT segment."
                    )
            journal = _Journal(app)
            registered: list[str] = []
            try:
                result = self._run_import(app, request, register, journal, registered)
                now = self.clock()
                definition = import_job_definition(request, store.account_id)
                refresh: Optional[tuple[dict[str, Any], Contribution]] = None
                if target is not None or define:
                    reach = self._reach(app, result, registered)
                    if target is not None:
                        version = self._refreshed(target, request, reach, now)
                        refresh = (version, reach.contribution(int(version["Version"])))
                    else:
                        target = self._defined(app, request, reach, now)
                if target is not None:
                    definition["SegmentId"] = target.id
                job = ImportJob(
                    application_id=app.application_id,
                    id=uuid.uuid4().hex,
                    definition=definition,
                    result=result,
                    plan=self.progression.plan([piece.failed for piece in result.pieces], now),
                    created=now,
                    sequence=0,
                )
                encoded = job.encoded(view_at(job.plan, job.elapsed_seen))
            except BaseException:
                journal.undo()
                raise
            # Nothing below can fail: the segment (or its new version, with the endpoints an
            # export of it writes) and the job appear together.
            if refresh is not None and target is not None:
                target.versions.append(refresh[0])
                target.contributions.append(refresh[1])
            elif target is not None and target.id not in app.segments:
                store.add_segment(app, target)
            store.add_job(app, job)
            return encoded

    def get_import_job(self, ApplicationId: str, JobId: str) -> Payload:
        """GetImportJob. Raises NotFoundError for an unknown application or job."""
        app = self.store.application(ApplicationId)
        return self._job_bytes(self.store.job(app, JobId))

    def get_import_jobs(
        self, ApplicationId: str, PageSize: Optional[str] = None, Token: Optional[str] = None
    ) -> Payload:
        """GetImportJobs: every job of the application, oldest first, paged."""
        app = self.store.application(ApplicationId)
        return self._jobs_page(app.job_listing, ("GetImportJobs", ApplicationId), PageSize, Token)

    def get_segment_import_jobs(
        self,
        ApplicationId: str,
        SegmentId: str,
        PageSize: Optional[str] = None,
        Token: Optional[str] = None,
    ) -> Payload:
        """GetSegmentImportJobs: the jobs that imported into one segment, oldest first, paged.

        Raises:
            NotFoundError: unknown application or segment (also a deleted one).
        """
        store = self.store
        app = store.application(ApplicationId)
        listing = app.imports.by_segment.get(SegmentId)
        if listing is None or SegmentId not in app.segments:
            store.segment(app, SegmentId)  # NotFoundError for a segment that is not there
            listing = app.imports.of_segment(SegmentId)
        key = ("GetSegmentImportJobs", ApplicationId, SegmentId)
        return self._jobs_page(listing, key, PageSize, Token)

    # -- export jobs -------------------------------------------------------------------------

    def create_export_job(self, ApplicationId: str, ExportJobRequest: Mapping[str, Any]) -> Payload:
        """CreateExportJob (202): snapshot the audience now, create the job, return it; the
        objects are written when it completes (see :mod:`pinpoint_mock.backend.exporter`).

        Raises:
            NotFoundError: unknown application, ``SegmentId`` or ``SegmentVersion``.
            BadRequestError: a member of ``ExportJobRequest`` is wrong.
        """
        app = self.store.application(ApplicationId)
        job = self.exporter.create(app, dict(ExportJobRequest or {}))
        return job.encoded(view_at(job.plan, job.elapsed_seen))

    def get_export_job(self, ApplicationId: str, JobId: str) -> Payload:
        """GetExportJob. Raises NotFoundError for an unknown application or job."""
        app = self.store.application(ApplicationId)
        return self._job_bytes(self.store.export_job(app, JobId))

    def get_export_jobs(
        self, ApplicationId: str, PageSize: Optional[str] = None, Token: Optional[str] = None
    ) -> Payload:
        """GetExportJobs: every export job of the application, oldest first, paged."""
        app = self.store.application(ApplicationId)
        return self._jobs_page(app.exports.listing, ("GetExportJobs", ApplicationId), PageSize,
                               Token)

    def get_segment_export_jobs(
        self,
        ApplicationId: str,
        SegmentId: str,
        PageSize: Optional[str] = None,
        Token: Optional[str] = None,
    ) -> Payload:
        """GetSegmentExportJobs: the export jobs of one segment, oldest first, paged.

        Raises:
            NotFoundError: unknown application or segment (also a deleted one).
        """
        app = self.store.application(ApplicationId)
        self.store.segment(app, SegmentId)
        key = ("GetSegmentExportJobs", ApplicationId, SegmentId)
        return self._jobs_page(app.exports.of_segment(SegmentId), key, PageSize, Token)

    # -- segments ----------------------------------------------------------------------------

    def create_segment(
        self, ApplicationId: str, WriteSegmentRequest: Mapping[str, Any]
    ) -> Payload:
        """CreateSegment: a DIMENSIONAL segment, version 1, tagged with the request's ``tags``.

        Raises:
            BadRequestError / NotFoundError: see
                :func:`~pinpoint_mock.backend.segment_rules.check_write_segment_request`.
        """
        store = self.store
        app = store.application(ApplicationId)
        request = dict(WriteSegmentRequest or {})
        with store.lock:
            check_write_segment_request(request, self._segment_info(app))
            segment_id = uuid.uuid4().hex
            body: dict[str, Any] = {
                "ApplicationId": ApplicationId,
                "Arn": segment_arn(store.region, store.account_id, ApplicationId, segment_id),
                "CreationDate": iso8601(self.clock()),
                "Id": segment_id,
                "SegmentType": "DIMENSIONAL",
                "Version": 1,
            }
            body.update({k: request[k] for k in _SEGMENT_MEMBERS if request.get(k) is not None})
            segment = Segment(ApplicationId, segment_id, body["Arn"], "DIMENSIONAL", [body])
            if request.get("tags"):
                self.tags.add(segment.arn, request["tags"])
            store.add_segment(app, segment)
            return self._shown(segment, body)

    def get_segment(self, ApplicationId: str, SegmentId: str) -> Payload:
        """GetSegment: the current version."""
        app = self.store.application(ApplicationId)
        segment = self.store.segment(app, SegmentId)
        return self._shown(segment, segment.current)

    def get_segments(
        self, ApplicationId: str, PageSize: Optional[str] = None, Token: Optional[str] = None
    ) -> Payload:
        """GetSegments: every segment of the application, oldest first, paged."""
        app = self.store.application(ApplicationId)
        page = self.store.page(app.segment_listing, ("GetSegments", ApplicationId), PageSize, Token)
        return _listing_body([self._shown(s, s.current) for s in page.items], page.next_token)

    def update_segment(
        self, ApplicationId: str, SegmentId: str, WriteSegmentRequest: Mapping[str, Any]
    ) -> Payload:
        """UpdateSegment: a new version with the members given replaced.

        ``Dimensions`` and ``SegmentGroups`` are alternatives: giving one drops the other from
        the new version. ``tags`` are ignored ("As of 22-05-2023 tags has been deprecated for
        update operations. After this date any value in tags is not processed and an error
        code is not returned", botocore's ``WriteSegmentRequest.tags``): use TagResource.

        Raises:
            NotFoundError: unknown application or segment, or see
                :func:`~pinpoint_mock.backend.segment_rules.check_write_segment_request`.
            BadRequestError: see the same.
        """
        store = self.store
        app = store.application(ApplicationId)
        with store.lock:
            segment = store.segment(app, SegmentId)
            request = dict(WriteSegmentRequest or {})
            check_write_segment_request(request, self._segment_info(app))
            changes: dict[str, Any] = {
                k: request[k] for k in _SEGMENT_MEMBERS if request.get(k) is not None
            }
            body = _next_version(segment, changes, self.clock())
            for given, other in (("Dimensions", "SegmentGroups"), ("SegmentGroups", "Dimensions")):
                if given in changes:
                    body.pop(other, None)
            segment.versions.append(body)
            return self._shown(segment, body)

    def delete_segment(self, ApplicationId: str, SegmentId: str) -> Payload:
        """DeleteSegment: returns the deleted segment; its jobs stay readable by GetImportJob(s)
        and its tags are forgotten."""
        store = self.store
        app = store.application(ApplicationId)
        with store.lock:
            segment = store.segment(app, SegmentId)
            shown = self._shown(segment, segment.current)
            store.remove_segment(app, segment)
            self.tags.drop(segment.arn)
            return shown

    def get_segment_version(self, ApplicationId: str, SegmentId: str, Version: str) -> Payload:
        """GetSegmentVersion: one version, counted from 1.

        Raises:
            NotFoundError: unknown application, segment or version.
        """
        app = self.store.application(ApplicationId)
        segment = self.store.segment(app, SegmentId)
        versions = list(segment.versions)
        number = whole_number(Version)
        if number is None or not 1 <= number <= len(versions):
            raise NotFoundError(f"Version {show(Version)} of segment '{SegmentId}' not found.")
        return self._shown(segment, versions[number - 1])

    def get_segment_versions(
        self,
        ApplicationId: str,
        SegmentId: str,
        PageSize: Optional[str] = None,
        Token: Optional[str] = None,
    ) -> Payload:
        """GetSegmentVersions: every version, oldest first, paged."""
        app = self.store.application(ApplicationId)
        segment = self.store.segment(app, SegmentId)
        listing: Listing[dict[str, Any]] = Listing(lambda body: int(body["Version"]))
        for body in list(segment.versions):
            listing.append(body)
        key = ("GetSegmentVersions", ApplicationId, SegmentId)
        page = self.store.page(listing, key, PageSize, Token)
        return _listing_body([self._shown(segment, body) for body in page.items],
                             page.next_token)

    # -- endpoints ---------------------------------------------------------------------------

    def get_endpoint(self, ApplicationId: str, EndpointId: str) -> Payload:
        """GetEndpoint: an endpoint registered by an import, UpdateEndpoint or
        UpdateEndpointsBatch."""
        app = self.store.application(ApplicationId)
        return self._endpoint(app, EndpointId).response()

    def update_endpoint(
        self, ApplicationId: str, EndpointId: str, EndpointRequest: Mapping[str, Any]
    ) -> Payload:
        """UpdateEndpoint: create or update an endpoint (see :meth:`_register`); answers 202
        with a ``MessageBody``.

        The endpoint as it would be stored (the update merged into the endpoint) must follow
        the rules imports apply (:func:`~pinpoint_mock.backend.endpoint_rules.check_definition`:
        ChannelType, OptOut and EndpointStatus values, 50-character names, at most 50 values
        of at most 100 characters, 15 KB, 250 custom names per application) and its user may
        have at most 15 endpoints. ChannelType and Address are not required.

        Raises:
            BadRequestError: naming the member that breaks a rule; nothing is stored.
        """
        app = self.store.application(ApplicationId)
        request_id = uuid.uuid4().hex
        with self.store.lock:
            fields = copy.deepcopy(dict(EndpointRequest or {}))
            fields["Id"] = EndpointId
            refusal = self._update(app, fields, request_id, None)
            if refusal is not None:
                raise BadRequestError(f"{refusal[0].upper()}{refusal[1:]}.")
        return {"Message": "Accepted", "RequestID": request_id}

    def update_endpoints_batch(
        self, ApplicationId: str, EndpointBatchRequest: Mapping[str, Any]
    ) -> Payload:
        """UpdateEndpointsBatch: UpdateEndpoint for each of 1 to 100 items, all or nothing.

        Each item is an ``EndpointBatchItem`` whose ``Id`` names the endpoint; items are
        applied in order (a later item with the same Id updates what an earlier one made).
        "An array can contain a maximum of 100 items" (botocore's ``EndpointBatchRequest``).

        Raises:
            BadRequestError: no item, more than 100, an item without ``Id``, or an item that
                breaks a rule of :meth:`update_endpoint` (the message names ``Item[i]``);
                nothing of the batch is stored.
        """
        app = self.store.application(ApplicationId)
        items = (EndpointBatchRequest or {}).get("Item")
        if not isinstance(items, list) or not items:
            raise BadRequestError(
                "EndpointBatchRequest.Item must be a list of 1 to 100 endpoints."
            )
        if len(items) > MAX_BATCH_ITEMS:
            raise BadRequestError(
                f"EndpointBatchRequest.Item can contain a maximum of {MAX_BATCH_ITEMS} items, "
                f"got {len(items)}."
            )
        request_id = uuid.uuid4().hex
        with self.store.lock:
            journal = _Journal(app)
            try:
                for index, item in enumerate(items):
                    if not isinstance(item, Mapping) or not item.get("Id"):
                        raise BadRequestError(
                            f"Item[{index}].Id is required: it names the endpoint to create "
                            "or update."
                        )
                    fields = copy.deepcopy(dict(item))
                    refusal = self._update(app, fields, request_id, journal)
                    if refusal is not None:
                        raise BadRequestError(
                            f"Item[{index}] (Id {show(fields['Id'])}): {refusal}."
                        )
            except BaseException:
                journal.undo()
                raise
        return {"Message": "Accepted", "RequestID": request_id}

    def delete_endpoint(self, ApplicationId: str, EndpointId: str) -> Payload:
        """DeleteEndpoint: returns the deleted endpoint."""
        app = self.store.application(ApplicationId)
        with self.store.lock:
            endpoint = self._endpoint(app, EndpointId)
            self._unregister(app, endpoint)
        return endpoint.response()

    def get_user_endpoints(self, ApplicationId: str, UserId: str) -> Payload:
        """GetUserEndpoints: the endpoints of one user ID (404 when it has none), read under
        the lock so that a concurrent update never shows half a change."""
        app = self.store.application(ApplicationId)
        with self.store.lock:
            endpoints = self._user_endpoints(app, UserId)
            return {"Item": [endpoint.response() for endpoint in endpoints]}

    def delete_user_endpoints(self, ApplicationId: str, UserId: str) -> Payload:
        """DeleteUserEndpoints: removes and returns the endpoints of one user ID."""
        app = self.store.application(ApplicationId)
        with self.store.lock:
            endpoints = self._user_endpoints(app, UserId)
            for endpoint in endpoints:
                self._unregister(app, endpoint)
            return {"Item": [endpoint.response() for endpoint in endpoints]}

    # -- helpers -----------------------------------------------------------------------------

    def _job_bytes(self, job: Job) -> bytes:
        """The job as a read returns it now (a terminal job's bytes are reused as they are)."""
        return job.final or self.progression.read_bytes(job, self.clock())

    def _jobs_page(
        self,
        listing: Listing[J],
        key: tuple[str, ...],
        page_size: Optional[str],
        token: Optional[str],
    ) -> bytes:
        """One page of a job listing, encoded: each job as a read shows it now. Under the
        ``"time"`` progression a page whose jobs cannot have changed is served from
        :attr:`pages` (see :mod:`pinpoint_mock.backend.page_cache`)."""
        store = self.store
        size, after = store.page_start(key, page_size, token)
        now = self.clock()
        by_clock = self.settings.progression == "time"
        page = self.pages.by_listing.get(key) if by_clock else None  # PageCache.get, inline
        if page is None or not (page.revision == store.revision and now < page.deadline
                                and page.after == after and page.size == size):
            page = self._build_page(listing, key, after, size, now, by_clock)
        if page.body is not None:
            return page.body
        next_token = store.issue_token(key, page.last)
        return b'{"Item":[' + page.items + b'],"NextToken":"' + next_token.encode() + b'"}'

    def _build_page(
        self,
        listing: Listing[J],
        key: tuple[str, ...],
        after: int,
        size: int,
        now: float,
        cache: bool,
    ) -> CachedPage:
        """Read every job of the page (moving it as the progression says) and, with
        ``cache``, keep the page with the deadline of its jobs' views."""
        store = self.store
        read_bytes = self.progression.read_bytes
        with store.lock:  # nothing moves or replans a job while the page is put together
            jobs, more = listing.after(after, size)
            parts = []
            deadline = math.inf
            for job in jobs:
                data = job.final or read_bytes(job, now)
                parts.append(data)
                if data is job.final:
                    continue
                current = job.current
                if current is None or current[1] is not data:
                    deadline = -math.inf  # replanned while read: build it again next time
                else:
                    deadline = min(deadline, deadline_of(job.created, current[0]))
            items = b",".join(parts)
            more = more and bool(jobs)
            page = CachedPage(
                after=after,
                size=size,
                revision=store.revision,  # after this read's own moves
                deadline=deadline if cache else -math.inf,
                items=items,
                last=listing.sequence_of(jobs[-1]) if jobs else after,
                more=more,
                body=None if more else b'{"Item":[' + items + b"]}",
            )
            if cache:
                self.pages.put(key, page)
        return page

    def _run_import(
        self,
        app: Application,
        request: Mapping[str, Any],
        register: bool,
        journal: _Journal,
        registered: list[str],
    ) -> ImportResult:
        """Read the job's objects; with ``register``, register each definition that passes
        (recorded in ``journal``) and add its Id to ``registered``."""
        bucket, prefix = parse_s3_url(request["S3Url"])
        try:
            objects = self.objects.objects(bucket, prefix)
        except ObjectSourceError as error:
            message = f"{request['S3Url']}: {error}"
            result = ImportResult()
            result.pieces.append(Piece(key=prefix, processed=0, imported=0, readable=False))
            result.failures.append(message)  # no definition was read: TotalFailures stays 0
            return result
        on_endpoint: Optional[Callable[[dict[str, Any]], Optional[str]]] = None
        register_rows: Optional[RegisterRows] = None
        if register:
            now = self.clock()  # every endpoint of the job is changed at CreateImportJob
            stamp = (now, iso8601(now))
            on_endpoint = functools.partial(self._register, app, now=stamp, journal=journal,
                                            registered=registered)
            # new endpoints of CSV rows: stored as row records, straight from the reader
            register_rows = functools.partial(app.endpoints.row_sink, created=stamp[0],
                                              effective_date=stamp[1],
                                              created_ids=journal.created,
                                              registered=registered)
        return run_import(
            objects,
            str(request["Format"]),
            endpoint_exists=app.endpoints.__contains__,
            on_endpoint=on_endpoint,
            register_rows=register_rows,
            s3_url=str(request["S3Url"]),
            attribute_names=app.attribute_names,
        )

    def _import_definition(self, request: Mapping[str, Any], reach: _Reach) -> dict[str, Any]:
        """A segment's ``ImportDefinition`` for this import: every member botocore's
        ``SegmentImportResource`` requires (ExternalId, Format, RoleArn, S3Url, Size) and
        ``ChannelCounts``."""
        return {
            "ChannelCounts": dict(reach.channel_counts),
            "ExternalId": str(request.get("ExternalId") or self.store.account_id),
            "Format": request["Format"],
            "RoleArn": request["RoleArn"],
            "S3Url": request["S3Url"],
            "Size": reach.size,
        }

    def _defined(
        self, app: Application, request: Mapping[str, Any], reach: _Reach, now: float
    ) -> Segment:
        """The IMPORT segment a ``DefineSegment`` import creates (not added yet), holding this
        import's endpoints as version 1."""
        store = self.store
        segment_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "ApplicationId": app.application_id,
            "Arn": segment_arn(store.region, store.account_id, app.application_id, segment_id),
            "CreationDate": iso8601(now),
            "Id": segment_id,
            "ImportDefinition": self._import_definition(request, reach),
            "SegmentType": "IMPORT",
            "Version": 1,
        }
        if request.get("SegmentName"):
            body["Name"] = request["SegmentName"]
        return Segment(app.application_id, segment_id, body["Arn"], "IMPORT", [body],
                       contributions=[reach.contribution(1)])

    def _refreshed(
        self, segment: Segment, request: Mapping[str, Any], reach: _Reach, now: float
    ) -> dict[str, Any]:
        """The new version of an IMPORT segment that an import with ``SegmentId`` refreshes
        (not appended yet): its ``ImportDefinition`` is this import's (it holds this import's
        endpoints only); ``SegmentName`` renames it."""
        changes: dict[str, Any] = {"ImportDefinition": self._import_definition(request, reach)}
        if request.get("SegmentName"):
            changes["Name"] = request["SegmentName"]
        return _next_version(segment, changes, now)

    def _reach(self, app: Application, result: ImportResult, registered: list[str]) -> _Reach:
        """What an import puts in a segment: its Size, ChannelCounts and endpoints.

        A user-ID-only file reaches every endpoint its users already have; any other file
        reaches the endpoints it defined (``registered``: those it registered).
        """
        if not result.user_ids_only:
            return _Reach(result.imported, result.channel_counts, result.imported, registered,
                          None)
        counts: dict[str, int] = {}
        reached: dict[str, None] = {}
        for user_id in result.user_ids:
            for endpoint_id in app.endpoints_by_user.get(user_id):
                reached[endpoint_id] = None
        endpoints = app.endpoints
        for endpoint_id in reached:
            channel = endpoints[endpoint_id].channel_type
            if channel:
                counts[channel] = counts.get(channel, 0) + 1
        return _Reach(len(reached), counts, result.imported, registered, list(reached))

    def _shown(self, segment: Segment, body: Mapping[str, Any]) -> dict[str, Any]:
        """A ``SegmentResponse`` of ``segment`` (one of its versions) with its current tags
        (``{}`` when it has none)."""
        shown = dict(body)
        shown["tags"] = self.tags.tags(segment.arn)
        return shown

    def _segment_info(self, app: Application) -> Callable[[str], Optional[tuple[str, int]]]:
        def info(segment_id: str) -> Optional[tuple[str, int]]:
            segment = app.segments.get(segment_id)
            return None if segment is None else (segment.segment_type, len(segment.versions))

        return info

    def _update(
        self,
        app: Application,
        fields: dict[str, Any],
        request_id: str,
        journal: Optional[_Journal],
    ) -> Optional[str]:
        """UpdateEndpoint of ``fields`` (with its ``Id``): check the endpoint it would make,
        then register it and its custom names. None when done, else why not (nothing
        changed)."""
        endpoint_id = str(fields["Id"])
        existing = app.endpoints.get(endpoint_id)
        merged = _merged(existing.fields, fields) if existing is not None else dict(fields)
        reason = check_definition(merged, _always, app.attribute_names)
        if reason is None:
            reason = self._register(app, fields, request_id, journal=journal)
        if reason is None:
            app.attribute_names.update(attribute_names_of(fields))
        return reason

    def _register(
        self,
        app: Application,
        fields: dict[str, Any],
        request_id: Optional[str] = None,
        now: Optional[tuple[float, str]] = None,
        journal: Optional[_Journal] = None,
        registered: Optional[list[str]] = None,
    ) -> Optional[str]:
        """Create or update an endpoint from ``EndpointBatchItem``-shaped ``fields`` (kept, not
        copied).

        The Id is the given one, else derived from ChannelType and Address (stable). An update
        keeps what ``fields`` does not give: a field given replaces the endpoint's, and inside
        an object (Demographic, Location, User, Attributes, User.UserAttributes, Metrics) each
        member or name given replaces that one only ("If an update includes one or more values
        for a custom attribute, Amazon Pinpoint replaces (overwrites) any existing values",
        botocore's UpdateEndpoint). Unless given: ``EndpointStatus`` becomes ACTIVE ("Amazon
        Pinpoint automatically sets this value to ACTIVE when you create an endpoint or update
        an existing endpoint"), ``EffectiveDate`` the time of the change, ``RequestId``
        ``request_id`` (when given).

        ``now`` is the time of the change and its ISO 8601 form (default: the clock's now).
        ``registered``, when given, gets the endpoint's Id once it is registered. ``journal``,
        when given, records the change so that it can be undone. The endpoint is
        never absent from the application while it changes (a read without the lock sees the
        old fields or the new ones).

        Returns:
            None when registered, else why not: the user ID already has
            :data:`MAX_ENDPOINTS_PER_USER` other endpoints (quotas.md).
        """
        if now is None:
            seconds = self.clock()
            now = (seconds, iso8601(seconds))
        endpoint_id = str(fields.get("Id") or derived_endpoint_id(
            str(fields.get("ChannelType", "")), str(fields.get("Address", ""))))
        table = app.endpoints
        existing = table.get(endpoint_id)
        merged = _merged(existing.fields, fields) if existing is not None else dict(fields)
        user_id = (merged.get("User") or {}).get("UserId")
        if user_id:
            owned = app.endpoints_by_user.get(str(user_id))
            if endpoint_id not in owned and len(owned) >= MAX_ENDPOINTS_PER_USER:
                return (f"User.UserId {show(user_id)} may have at most "
                        f"{MAX_ENDPOINTS_PER_USER} endpoints and already has {len(owned)}")
        if "EndpointStatus" not in fields:
            merged["EndpointStatus"] = "ACTIVE"
        if "EffectiveDate" not in fields:
            merged["EffectiveDate"] = now[1]
        if request_id is not None and "RequestId" not in fields:
            merged["RequestId"] = request_id
        if journal is not None:
            journal.touch(endpoint_id, table.record(endpoint_id))
        if existing is not None:
            endpoint = Endpoint(app.application_id, endpoint_id, merged, existing.creation_date,
                                existing.cohort_id)
        else:
            endpoint = Endpoint(app.application_id, endpoint_id, merged, now[0],
                                cohort_of(endpoint_id))
        table.put(endpoint, existing)
        if registered is not None:
            registered.append(endpoint.id)
        return None

    def _unregister(self, app: Application, endpoint: Endpoint) -> None:
        app.endpoints.pop(endpoint.id)

    def _endpoint(self, app: Application, endpoint_id: str) -> Endpoint:
        endpoint = app.endpoints.get(endpoint_id)
        if endpoint is None:
            raise NotFoundError(
                f"Endpoint '{endpoint_id}' not found in application '{app.application_id}'."
            )
        return endpoint

    def _user_endpoints(self, app: Application, user_id: str) -> list[Endpoint]:
        ids = app.endpoints_by_user.get(user_id)
        if not ids:
            raise NotFoundError(
                f"User '{user_id}' has no endpoints in application '{app.application_id}'."
            )
        endpoints = app.endpoints
        return [endpoints[endpoint_id] for endpoint_id in ids]


MAX_BATCH_ITEMS = 100
"""Items of one UpdateEndpointsBatch ("An array can contain a maximum of 100 items",
botocore's ``EndpointBatchRequest.Item``)."""

_SEGMENT_MEMBERS = ("Dimensions", "Name", "SegmentGroups")
"""The ``WriteSegmentRequest`` members a segment version keeps (``tags`` live in the tag
store)."""


class _Reach(NamedTuple):
    """What one import puts in an IMPORT segment (the version it makes holds only that).

    Attributes:
        size: ``ImportDefinition.Size``: the endpoints reached.
        channel_counts: ``ImportDefinition.ChannelCounts``.
        imported: definitions the import imported.
        registered: the Ids it registered, in file order (empty with ``RegisterEndpoints``
            false).
        reached: for a user-ID file, the Ids of the endpoints its users have; else None.
    """

    size: int
    channel_counts: Mapping[str, int]
    imported: int
    registered: list[str]
    reached: Optional[list[str]]

    def contribution(self, version: int) -> Contribution:
        """The endpoints an export of segment version ``version`` writes: those a user-ID
        file reached, or those the import registered, or (nothing registered) only their
        number."""
        if self.reached is not None:
            return Contribution(version, tuple(self.reached))
        if self.registered or self.imported == 0:
            return Contribution(version, tuple(dict.fromkeys(self.registered)))
        return Contribution(version, (), self.imported)


def import_job_definition(request: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    """The ``Definition`` (``ImportJobResource``) a job shows for a checked ``ImportJobRequest``:
    ``DefineSegment`` and ``RegisterEndpoints`` as booleans (``RegisterEndpoints`` true when
    absent, as the import then registers), ``ExternalId`` the request's or ``account_id``
    (the developer guide's example responses show an account id for requests without one),
    ``Format``, ``RoleArn``, ``S3Url`` and ``SegmentName`` when given. The caller adds
    ``SegmentId``."""
    definition: dict[str, Any] = {
        "DefineSegment": flag(request, "DefineSegment", False),
        "ExternalId": str(request.get("ExternalId") or account_id),
        "Format": request["Format"],
        "RegisterEndpoints": flag(request, "RegisterEndpoints", True),
        "RoleArn": request["RoleArn"],
        "S3Url": request["S3Url"],
    }
    if request.get("SegmentName"):
        definition["SegmentName"] = request["SegmentName"]
    return definition


class _Journal:
    """What an operation changed in an application's endpoints and custom names, to undo it
    when the operation fails half-way (a refused or failed operation changes nothing).

    Attributes:
        created: Ids of the endpoints the operation created (the import's fast path appends
            to it directly).
        updated: ``(Id, record before the change)`` of the endpoints it changed.
    """

    def __init__(self, app: Application) -> None:
        self.app = app
        self.names = set(app.attribute_names)
        self.created: list[str] = []
        self.updated: list[tuple[str, Record]] = []

    def touch(self, endpoint_id: str, record: Optional[Record]) -> None:
        """Record the stored record of an endpoint about to change (None: it is about to be
        made)."""
        if record is None:
            self.created.append(endpoint_id)
        else:
            self.updated.append((endpoint_id, record))

    def undo(self) -> None:
        """Put back every endpoint and name as they were before the first change."""
        app = self.app
        table = app.endpoints
        for endpoint_id, record in reversed(self.updated):
            table.restore(endpoint_id, record)
        for endpoint_id in reversed(self.created):
            table.restore(endpoint_id, None)
        app.attribute_names.clear()
        app.attribute_names.update(self.names)


def _always(endpoint_id: str) -> bool:
    """UpdateEndpoint needs no ChannelType or Address: treat the endpoint as existing."""
    return True


def _next_version(segment: Segment, changes: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The body of ``segment``'s next version: its current one with ``changes`` (not appended)."""
    body = dict(segment.current)
    body.update(changes)
    body["Version"] = int(body["Version"]) + 1
    body["LastModifiedDate"] = iso8601(now)
    return body


def _merged(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` updated by ``update``: objects merge member by member, anything else is
    replaced. Neither argument is changed."""
    merged = dict(current)
    for key, value in update.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _merged(old, value)
        else:
            merged[key] = value
    return merged


def _listing_body(items: list[dict[str, Any]], next_token: Optional[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": items}
    if next_token is not None:
        body["NextToken"] = next_token
    return body
