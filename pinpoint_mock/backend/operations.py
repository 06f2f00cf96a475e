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
import hashlib
import uuid
from typing import Any, Callable, Mapping, Optional, Protocol, Union

from pinpoint_mock.backend.endpoint_rules import MAX_ENDPOINTS_PER_USER, attribute_names_of, show
from pinpoint_mock.backend.errors import BadRequestError, NotFoundError
from pinpoint_mock.backend.importer import ImportResult, Piece, SourceObject, run_import
from pinpoint_mock.backend.lifecycle import view_at
from pinpoint_mock.backend.models import Endpoint, ImportJob, Segment, iso8601, segment_arn
from pinpoint_mock.backend.progression import PROGRESSIONS as PROGRESSIONS
from pinpoint_mock.backend.progression import Progression
from pinpoint_mock.backend.progression import Settings as Settings
from pinpoint_mock.backend.store import Application, Listing, Store
from pinpoint_mock.backend.validation import check_import_job_request, parse_s3_url

Payload = Union[dict[str, Any], bytes]
"""An operation's payload: a dict to encode as JSON, or JSON bytes already encoded."""


class ObjectSourceError(Exception):
    """The objects behind an ``S3Url`` cannot be listed (for example, no such bucket)."""


class ObjectSource(Protocol):
    """Where endpoint files come from (moto's S3 in the mock)."""

    def objects(self, bucket: str, prefix: str) -> list[SourceObject]:
        """The object named ``prefix`` if it exists, else every object under ``prefix``.

        Raises:
            ObjectSourceError: the bucket does not exist or cannot be read.
        """


class Backend:
    """The operations of one account and region.

    Args:
        store: the state.
        objects: reads endpoint files.
        clock: the mock's clock, POSIX seconds (wall clock plus the mock's offset).
        settings: progression, schedule and running-jobs limit.

    Attributes:
        progression: moves the jobs (reads, and ``advance_job``/``fail_job``/``complete_job``
            from a test).
    """

    def __init__(
        self,
        store: Store,
        objects: ObjectSource,
        clock: Callable[[], float],
        settings: Settings,
    ):
        self.store = store
        self.objects = objects
        self.clock = clock
        self.settings = settings
        self.progression = Progression(store, clock, settings)

    # -- import jobs -------------------------------------------------------------------------

    def create_import_job(self, ApplicationId: str, ImportJobRequest: Mapping[str, Any]) -> Payload:
        """CreateImportJob: read the file now, create the job (and its segment), return it.

        Raises:
            NotFoundError: unknown application or ``SegmentId``.
            BadRequestError: a member of ``ImportJobRequest`` is wrong (see validation), or
                ``SegmentId`` names a DIMENSIONAL segment.
        """
        store = self.store
        app = store.application(ApplicationId)
        request = dict(ImportJobRequest or {})
        check_import_job_request(request)
        with store.lock:
            target: Optional[Segment] = None
            if request.get("SegmentId"):
                target = store.segment(app, str(request["SegmentId"]))
                if target.segment_type != "IMPORT":
                    raise BadRequestError(
                        f"SegmentId '{target.id}' names a DIMENSIONAL segment; import jobs "
                        "can only import into an IMPORT segment."
                    )
            result = self._run_import(app, request)
            now = self.clock()
            if request.get("DefineSegment"):
                target = self._define_segment(app, request, result, now)
            elif target is not None:
                self._extend_segment(app, target, result, now)
            definition: dict[str, Any] = {
                k: request[k]
                for k in (
                    "DefineSegment", "ExternalId", "Format", "RegisterEndpoints",
                    "RoleArn", "S3Url", "SegmentName",
                )
                if k in request
            }
            if target is not None:
                definition["SegmentId"] = target.id
            job = ImportJob(
                application_id=app.application_id,
                id=uuid.uuid4().hex,
                definition=definition,
                result=result,
                plan=self.progression.plan([piece.failed for piece in result.pieces], now),
                created=now,
                sequence=store.next_sequence(),
            )
            store.add_job(app, job)
            return job.encoded(view_at(job.plan, job.elapsed_seen))

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
        app = self.store.application(ApplicationId)
        self.store.segment(app, SegmentId)
        listing = app.jobs_by_segment.get(SegmentId) or Listing(lambda job: job.sequence)
        key = ("GetSegmentImportJobs", ApplicationId, SegmentId)
        return self._jobs_page(listing, key, PageSize, Token)

    # -- segments ----------------------------------------------------------------------------

    def create_segment(
        self, ApplicationId: str, WriteSegmentRequest: Mapping[str, Any]
    ) -> Payload:
        """CreateSegment: a DIMENSIONAL segment, version 1."""
        store = self.store
        app = store.application(ApplicationId)
        request = dict(WriteSegmentRequest or {})
        segment_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "ApplicationId": ApplicationId,
            "Arn": segment_arn(store.region, store.account_id, ApplicationId, segment_id),
            "CreationDate": iso8601(self.clock()),
            "Id": segment_id,
            "SegmentType": "DIMENSIONAL",
            "Version": 1,
        }
        body.update(
            {k: request[k] for k in ("Dimensions", "Name", "SegmentGroups") if k in request}
        )
        if "tags" in request:
            body["tags"] = dict(request["tags"])
        segment = Segment(ApplicationId, segment_id, body["Arn"], "DIMENSIONAL", [body],
                          store.next_sequence())
        store.add_segment(app, segment)
        return body

    def get_segment(self, ApplicationId: str, SegmentId: str) -> Payload:
        """GetSegment: the current version."""
        app = self.store.application(ApplicationId)
        return self.store.segment(app, SegmentId).current

    def get_segments(
        self, ApplicationId: str, PageSize: Optional[str] = None, Token: Optional[str] = None
    ) -> Payload:
        """GetSegments: every segment of the application, oldest first, paged."""
        app = self.store.application(ApplicationId)
        page = self.store.page(app.segment_listing, ("GetSegments", ApplicationId), PageSize, Token)
        return _listing_body([segment.current for segment in page.items], page.next_token)

    def update_segment(
        self, ApplicationId: str, SegmentId: str, WriteSegmentRequest: Mapping[str, Any]
    ) -> Payload:
        """UpdateSegment: a new version with the members given replaced."""
        store = self.store
        app = store.application(ApplicationId)
        with store.lock:
            segment = store.segment(app, SegmentId)
            request = dict(WriteSegmentRequest or {})
            changes: dict[str, Any] = {
                k: request[k] for k in ("Dimensions", "Name", "SegmentGroups", "tags")
                if k in request
            }
            return self._new_version(segment, changes, self.clock())

    def delete_segment(self, ApplicationId: str, SegmentId: str) -> Payload:
        """DeleteSegment: returns the deleted segment; its jobs stay readable by GetImportJob(s)."""
        store = self.store
        app = store.application(ApplicationId)
        with store.lock:
            segment = store.segment(app, SegmentId)
            store.remove_segment(app, segment)
            return segment.current

    def get_segment_version(self, ApplicationId: str, SegmentId: str, Version: str) -> Payload:
        """GetSegmentVersion: one version, counted from 1.

        Raises:
            NotFoundError: unknown application, segment or version.
        """
        app = self.store.application(ApplicationId)
        segment = self.store.segment(app, SegmentId)
        if not str(Version).isdigit() or not 1 <= int(Version) <= len(segment.versions):
            raise NotFoundError(f"Version '{Version}' of segment '{SegmentId}' not found.")
        return segment.versions[int(Version) - 1]

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
        for body in segment.versions:
            listing.append(body)
        key = ("GetSegmentVersions", ApplicationId, SegmentId)
        page = self.store.page(listing, key, PageSize, Token)
        return _listing_body(page.items, page.next_token)

    # -- endpoints ---------------------------------------------------------------------------

    def get_endpoint(self, ApplicationId: str, EndpointId: str) -> Payload:
        """GetEndpoint: an endpoint registered by an import or by UpdateEndpoint."""
        app = self.store.application(ApplicationId)
        return self._endpoint(app, EndpointId).response()

    def update_endpoint(
        self, ApplicationId: str, EndpointId: str, EndpointRequest: Mapping[str, Any]
    ) -> Payload:
        """UpdateEndpoint: create or update an endpoint (see :meth:`_register`); answers 202
        with a ``MessageBody``.

        Raises:
            BadRequestError: the endpoint would be the 16th of its user ID.
        """
        app = self.store.application(ApplicationId)
        request_id = uuid.uuid4().hex
        with self.store.lock:
            fields = copy.deepcopy(dict(EndpointRequest or {}))
            fields["Id"] = EndpointId
            refusal = self._register(app, fields, request_id)
            if refusal is not None:
                raise BadRequestError(f"{refusal[0].upper()}{refusal[1:]}.")
            app.attribute_names.update(attribute_names_of(fields))
        return {"Message": "Accepted", "RequestID": request_id}

    def delete_endpoint(self, ApplicationId: str, EndpointId: str) -> Payload:
        """DeleteEndpoint: returns the deleted endpoint."""
        app = self.store.application(ApplicationId)
        with self.store.lock:
            endpoint = self._endpoint(app, EndpointId)
            self._unregister(app, endpoint)
        return endpoint.response()

    def get_user_endpoints(self, ApplicationId: str, UserId: str) -> Payload:
        """GetUserEndpoints: the endpoints of one user ID (404 when it has none)."""
        app = self.store.application(ApplicationId)
        return {"Item": [endpoint.response() for endpoint in self._user_endpoints(app, UserId)]}

    def delete_user_endpoints(self, ApplicationId: str, UserId: str) -> Payload:
        """DeleteUserEndpoints: removes and returns the endpoints of one user ID."""
        app = self.store.application(ApplicationId)
        with self.store.lock:
            endpoints = self._user_endpoints(app, UserId)
            for endpoint in endpoints:
                self._unregister(app, endpoint)
        return {"Item": [endpoint.response() for endpoint in endpoints]}

    # -- helpers -----------------------------------------------------------------------------

    def _job_bytes(self, job: ImportJob) -> bytes:
        """The job as a read returns it now (a terminal job's bytes are reused as they are)."""
        return job.final or self.progression.read_bytes(job, self.clock())

    def _jobs_page(
        self,
        listing: Listing[ImportJob],
        key: tuple[str, ...],
        page_size: Optional[str],
        token: Optional[str],
    ) -> bytes:
        page = self.store.page(listing, key, page_size, token)
        read_bytes, now = self.progression.read_bytes, self.clock()
        body = b'{"Item":[' + b",".join([job.final or read_bytes(job, now) for job in page.items])
        if page.next_token is not None:
            body += b'],"NextToken":"' + page.next_token.encode() + b'"}'
        else:
            body += b"]}"
        return body

    def _run_import(self, app: Application, request: Mapping[str, Any]) -> ImportResult:
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
        if request.get("RegisterEndpoints"):
            now = self.clock()  # every endpoint of the job is changed at CreateImportJob
            on_endpoint = functools.partial(self._register, app, now=(now, iso8601(now)))
        return run_import(
            objects,
            str(request["Format"]),
            endpoint_exists=app.endpoints.__contains__,
            on_endpoint=on_endpoint,
            s3_url=str(request["S3Url"]),
            attribute_names=app.attribute_names,
        )

    def _define_segment(
        self, app: Application, request: Mapping[str, Any], result: ImportResult, now: float
    ) -> Segment:
        store = self.store
        segment_id = uuid.uuid4().hex
        size, channel_counts = self._reach(app, result)
        definition: dict[str, Any] = {
            "ChannelCounts": channel_counts,
            "Format": request["Format"],
            "RoleArn": request["RoleArn"],
            "S3Url": request["S3Url"],
            "Size": size,
        }
        if "ExternalId" in request:
            definition["ExternalId"] = request["ExternalId"]
        body: dict[str, Any] = {
            "ApplicationId": app.application_id,
            "Arn": segment_arn(store.region, store.account_id, app.application_id, segment_id),
            "CreationDate": iso8601(now),
            "Id": segment_id,
            "ImportDefinition": definition,
            "Name": request["SegmentName"],
            "SegmentType": "IMPORT",
            "Version": 1,
        }
        segment = Segment(app.application_id, segment_id, body["Arn"], "IMPORT", [body],
                          store.next_sequence())
        store.add_segment(app, segment)
        return segment

    def _extend_segment(
        self, app: Application, segment: Segment, result: ImportResult, now: float
    ) -> None:
        size, channel_counts = self._reach(app, result)
        definition = dict(segment.current.get("ImportDefinition") or {})
        counts = dict(definition.get("ChannelCounts") or {})
        for channel, count in channel_counts.items():
            counts[channel] = counts.get(channel, 0) + count
        definition["ChannelCounts"] = counts
        definition["Size"] = int(definition.get("Size") or 0) + size
        self._new_version(segment, {"ImportDefinition": definition}, now)

    def _reach(self, app: Application, result: ImportResult) -> tuple[int, dict[str, int]]:
        """Size and ChannelCounts of what an import adds to a segment.

        A user-ID-only file reaches every endpoint its users already have; any other file
        reaches the endpoints it defined.
        """
        if not result.user_ids_only:
            return result.imported, dict(result.channel_counts)
        counts: dict[str, int] = {}
        reached: dict[str, None] = {}
        for user_id in result.user_ids:
            for endpoint_id in app.endpoints_by_user.get(user_id, {}):
                reached[endpoint_id] = None
        for endpoint_id in reached:
            channel = app.endpoints[endpoint_id].channel_type
            if channel:
                counts[channel] = counts.get(channel, 0) + 1
        return len(reached), counts

    def _new_version(self, segment: Segment, changes: Mapping[str, Any], now: float) -> Payload:
        body = dict(segment.current)
        body.update(changes)
        body["Version"] = int(body["Version"]) + 1
        body["LastModifiedDate"] = iso8601(now)
        segment.versions.append(body)
        return body

    def _register(
        self,
        app: Application,
        fields: dict[str, Any],
        request_id: Optional[str] = None,
        now: Optional[tuple[float, str]] = None,
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

        Returns:
            None when registered, else why not: the user ID already has
            :data:`MAX_ENDPOINTS_PER_USER` other endpoints (quotas.md).
        """
        if now is None:
            seconds = self.clock()
            now = (seconds, iso8601(seconds))
        endpoint_id = str(fields.get("Id") or _derived_endpoint_id(fields))
        existing = app.endpoints.get(endpoint_id)
        merged = _merged(existing.fields, fields) if existing is not None else dict(fields)
        user_id = (merged.get("User") or {}).get("UserId")
        if user_id:
            owned = app.endpoints_by_user.get(str(user_id), {})
            if endpoint_id not in owned and len(owned) >= MAX_ENDPOINTS_PER_USER:
                return (f"User.UserId {show(user_id)} may have at most "
                        f"{MAX_ENDPOINTS_PER_USER} endpoints and already has {len(owned)}")
        if "EndpointStatus" not in fields:
            merged["EndpointStatus"] = "ACTIVE"
        if "EffectiveDate" not in fields:
            merged["EffectiveDate"] = now[1]
        if request_id is not None and "RequestId" not in fields:
            merged["RequestId"] = request_id
        if existing is not None:
            self._unregister(app, existing)
            existing.fields = merged
            endpoint = existing
        else:
            endpoint = Endpoint(
                application_id=app.application_id,
                id=endpoint_id,
                fields=merged,
                creation_date=now[0],
                cohort_id=str(int(hashlib.sha1(endpoint_id.encode()).hexdigest(), 16) % 100),
            )
        app.endpoints[endpoint.id] = endpoint
        if endpoint.user_id:
            app.endpoints_by_user.setdefault(endpoint.user_id, {})[endpoint.id] = None
        return None

    def _unregister(self, app: Application, endpoint: Endpoint) -> None:
        app.endpoints.pop(endpoint.id, None)
        if endpoint.user_id:
            users = app.endpoints_by_user.get(endpoint.user_id, {})
            users.pop(endpoint.id, None)
            if not users:
                app.endpoints_by_user.pop(endpoint.user_id, None)

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
        return [app.endpoints[endpoint_id] for endpoint_id in ids]


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


def _derived_endpoint_id(fields: Mapping[str, Any]) -> str:
    """A stable Id for a definition without one: from its ChannelType and Address."""
    seed = f"{fields.get('ChannelType', '')}:{fields.get('Address', '')}"
    return hashlib.sha1(seed.encode()).hexdigest()[:32]


def _listing_body(items: list[dict[str, Any]], next_token: Optional[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": items}
    if next_token is not None:
        body["NextToken"] = next_token
    return body
