"""One intercepted request -> one response: routing, the backend call, the call log.

The mock's shared :class:`State` (backends per account and region, the clock offset, the call
log) lives here; :mod:`pinpoint_mock._mock` creates it and :mod:`pinpoint_mock._transport`'s
transports call :meth:`State.answer` for every Pinpoint request while a mock is active, and
:meth:`State.answered_by_moto` for those moto answered.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pinpoint_mock import _apps, _moto
from pinpoint_mock._faults import Fault, FaultRegistry
from pinpoint_mock._routing import (
    HttpResponse,
    LabelError,
    Resolved,
    Router,
    encode_error,
    method_not_allowed,
    options_response,
    router,
)
from pinpoint_mock._validation import RequestValidator
from pinpoint_mock.backend.errors import BadRequestError, MethodNotAllowedError, PinpointError
from pinpoint_mock.backend.operations import Backend, Settings
from pinpoint_mock.backend.store import Store

SERVED_OPERATIONS: Mapping[str, str] = {
    "CreateImportJob": "create_import_job",
    "GetImportJob": "get_import_job",
    "GetImportJobs": "get_import_jobs",
    "GetSegmentImportJobs": "get_segment_import_jobs",
    "CreateExportJob": "create_export_job",
    "GetExportJob": "get_export_job",
    "GetExportJobs": "get_export_jobs",
    "GetSegmentExportJobs": "get_segment_export_jobs",
    "CreateSegment": "create_segment",
    "GetSegment": "get_segment",
    "GetSegments": "get_segments",
    "UpdateSegment": "update_segment",
    "DeleteSegment": "delete_segment",
    "GetSegmentVersion": "get_segment_version",
    "GetSegmentVersions": "get_segment_versions",
    "GetEndpoint": "get_endpoint",
    "UpdateEndpoint": "update_endpoint",
    "UpdateEndpointsBatch": "update_endpoints_batch",
    "DeleteEndpoint": "delete_endpoint",
    "GetUserEndpoints": "get_user_endpoints",
    "DeleteUserEndpoints": "delete_user_endpoints",
}
"""The Pinpoint operations the mock answers, with the :class:`Backend` method of each. The app
calls CreateApp, GetApp, GetApps and DeleteApp are answered too, over moto's apps
(:mod:`pinpoint_mock._apps`); the others moto serves (:func:`moto_operations`: application
settings, event streams, tags) are left to moto; every other one is answered with
:func:`unserved_error`."""


@functools.lru_cache(maxsize=1)
def moto_operations() -> frozenset[str]:
    """The Pinpoint operations moto answers (computed from moto's routes, see
    :func:`pinpoint_mock._moto.served_operations`), less those the mock serves itself."""
    return _moto.served_operations(router().sample_paths()) - frozenset(
        [*SERVED_OPERATIONS, *_apps.APP_OPERATIONS])


def unserved_error(operation: str, routes: Router) -> MethodNotAllowedError:
    """The answer to a Pinpoint operation that neither the mock nor moto serves (campaigns,
    journeys, PutEvents, ...): 405 ``MethodNotAllowedException``, whose message names the
    operation and lists what is served.

    405 because the request is well-formed and names a real operation that this service
    (the mock) does not allow; of Pinpoint's modeled errors it is the one that no code under
    test expects from these operations (a 400 or 404 could pass a test that expects one for
    another reason), and botocore does not retry it.
    """
    route = routes.routes[operation]
    return MethodNotAllowedError(
        f"pinpoint_mock does not serve {operation} ({route.method} {route.template}). It "
        "serves import and export jobs, segments, endpoints and apps: "
        f"{', '.join(sorted([*SERVED_OPERATIONS, *_apps.APP_OPERATIONS]))}; moto serves "
        f"{', '.join(sorted(moto_operations()))}."
    )


MOCK = "mock"
MOTO = "moto"


def _required(routes: Router, operation: str) -> list[str]:
    """The required members of an operation's input (botocore's model)."""
    shape = routes.service_model.operation_model(operation).input_shape
    return [] if shape is None else list(shape.required_members)


def _check_required_body(routes: Router, resolved: Resolved) -> None:
    """For a request without a body: refuse it when its operation's payload member (the
    member that is the whole body) is required in botocore's model (``EndpointRequest`` of
    UpdateEndpoint, ``WriteSegmentRequest`` of CreateSegment, ...): the body a client sends
    for it is a JSON object, ``{}`` at least.

    Raises:
        BadRequestError: naming the payload member.
    """
    payload = resolved.route.payload
    if payload is not None and payload in _required(routes, resolved.route.operation):
        raise BadRequestError(
            f"{payload} is required: the request has no body (a JSON object; {{}} "
            "for none of its members).")


@dataclass(frozen=True)
class Call:
    """One Pinpoint call (one HTTP attempt): an operation the mock serves, any Pinpoint
    operation (moto's too) that a fault rule answered, or a Pinpoint operation moto answered
    (GetApplicationSettings, event streams, tags, ...), whatever the transport (botocore,
    aiobotocore, ``requests``, the server).

    Attributes:
        operation: the operation name, e.g. ``"GetImportJob"`` (``""`` for a request that
            names no operation of botocore's Pinpoint model).
        params: the request members by model name (``ApplicationId``, ``PageSize``, ...).
        status: the HTTP status answered.
        request_id: the ``x-amzn-RequestId`` answered (``""`` if moto sent none).
        fault: the :class:`~pinpoint_mock.Fault` that answered it, or None.
        answered_by: ``"mock"`` (the mock, or one of its fault rules) or ``"moto"``.
        request_body: the request body as sent (None: no body).
        response_body: the response body as answered.

    :attr:`request` and :attr:`response` are those bodies parsed (JSON).
    """

    operation: str
    params: Mapping[str, Any]
    status: int
    request_id: str
    fault: Optional[Fault] = None
    answered_by: str = MOCK
    request_body: Optional[bytes] = field(default=None, repr=False)
    response_body: bytes = field(default=b"", repr=False)

    @functools.cached_property
    def request(self) -> Any:
        """The request body parsed as JSON (e.g. ``{"Format": "CSV", ...}`` for
        CreateImportJob: the payload member's object); None when the call sent no body; the
        bytes themselves when they are not JSON."""
        return _parsed(self.request_body)

    @functools.cached_property
    def response(self) -> Any:
        """The response body parsed as JSON (e.g. ``{"Item": [...]}`` for GetImportJobs,
        ``{"Message": ..., "RequestID": ...}`` for an error); None for an empty body; the
        bytes themselves when they are not JSON."""
        return _parsed(self.response_body)


def _call(
    operation: str,
    params: Mapping[str, Any],
    status: int,
    request_id: str,
    fault: Optional[Fault],
    answered_by: str,
    request_body: Optional[bytes],
    response_body: bytes,
) -> Call:
    """The :class:`Call` that ``Call(...)`` makes of these arguments, made without the frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field: a sixth of every call's
    own cost). Every field is set, as the constructor sets it."""
    call = object.__new__(Call)
    object.__setattr__(call, "__dict__", {
        "operation": operation, "params": params, "status": status, "request_id": request_id,
        "fault": fault, "answered_by": answered_by, "request_body": request_body,
        "response_body": response_body,
    })
    return call


def _parsed(body: Optional[bytes]) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body


@functools.lru_cache(maxsize=1)
def _shared_validator() -> RequestValidator:
    """The checks of Pinpoint's operations, built once per operation for every mock (they
    depend on botocore's model only)."""
    return RequestValidator(router().service_model)


@dataclass
class State:
    """What the active mocks share: backends, the clock offset, the call log, the fault rules.

    Attributes:
        settings: progression and schedule, followed by every backend.
        offset: seconds added to the wall clock (``mock.advance``).
        calls: the calls answered, oldest first.
        faults: the fault rules, checked before anything else answers a Pinpoint request.
    """

    settings: Settings
    offset: float = 0.0
    calls: list[Call] = field(default_factory=list)
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    _backends: dict[tuple[str, str], Backend] = field(default_factory=dict)
    _apps: dict[tuple[str, str], _moto.MotoApps] = field(default_factory=dict)
    _accounts: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _validator: RequestValidator = field(default_factory=_shared_validator)

    def now(self) -> float:
        """The mock's clock: ``time.time()`` (which freezegun and time-machine move) + offset."""
        return time.time() + self.offset

    def backend(self, account_id: str, region: str) -> Backend:
        """The backend of one account and region, created on first use, and created afresh
        after moto resets its backends (``/moto-api/reset``, ``MockAWS.reset``): the mock's
        data resets with moto's."""
        key = (account_id, region)
        backend = self._backends.get(key)
        if backend is None or not self._apps[key].current():
            with self._lock:
                backend = self._backends.get(key)
                if backend is None or not self._apps[key].current():
                    if backend is not None:  # moto reset: what we knew of accounts goes too
                        self._accounts.clear()
                    apps = self._apps[key] = _moto.MotoApps(account_id, region)
                    store = Store(account_id, region, apps)
                    backend = Backend(
                        store, _moto.MotoS3Objects(account_id), self.now, self.settings,
                        tags=_moto.MotoTags(account_id, region),
                        sink=_moto.MotoS3Writer(account_id),
                    )
                    self._backends[key] = backend
        return backend

    def existing_backend(self, account_id: str, region: str) -> Optional[Backend]:
        """The backend of one account and region if a request has made it (and moto has not
        reset since), else None; unlike :meth:`backend`, creates nothing, so that a
        job-control call that finds nothing leaves the regions "served" as they were.

        Raises:
            ForbiddenError: ``region`` is not one moto offers Pinpoint in.
        """
        key = (account_id, region)
        with self._lock:
            backend = self._backends.get(key)
            if backend is not None and self._apps[key].current():
                return backend
        _moto.MotoApps(account_id, region)  # raises for a region Pinpoint does not run in
        return None

    def backends(self) -> list[Backend]:
        with self._lock:
            return [backend for key, backend in self._backends.items()
                    if self._apps[key].current()]

    def answer(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> Optional[HttpResponse]:
        """The response to one intercepted Pinpoint request (whatever its host: a client with
        its own ``endpoint_url`` is served too), or None when moto should answer it (an
        operation moto serves).

        ``url`` is the URL as sent, its path still percent-encoded. A request that matches no
        operation of the model is a 404 ``NotFoundException`` (405 for a method no operation
        on that path has), answered here and not recorded; one that matches an operation's
        path only with an empty member is a 400 naming it
        (:class:`~pinpoint_mock._routing.EmptyLabelError`), or with one whose bytes are not UTF-8
        (:class:`~pinpoint_mock._routing.UndecodableLabelError`), recorded as that operation's; an
        operation neither the mock nor moto serves is :func:`unserved_error`, recorded. The
        members of every operation answered, the mock's and moto's, are validated
        (:mod:`pinpoint_mock._validation`) before the backend (or moto) runs: a request moto
        would answer that is not valid is refused here (400, recorded as the mock's), so that
        moto neither crashes on it nor stores it.
        """
        routes = router()
        try:
            resolved = routes.resolve(method, url)
        except MethodNotAllowedError as error:
            return self._unrouted(routes, method, url, error)
        except LabelError as error:  # an operation's path with an empty or undecodable member
            response = encode_error(error)
            self.calls.append(_call(error.operation, error.members, response.status,
                                    response.headers["x-amzn-RequestId"], None, MOCK, body,
                                    response.body))
            return response
        except PinpointError as error:  # a path that is no Pinpoint resource
            return encode_error(error)
        operation = resolved.route.operation
        if self.faults.rules:
            faulted = self.faults.answer(routes, operation, method, url, headers, body)
            if faulted is not None:
                response, members, fault = faulted
                self.calls.append(_call(operation, members, response.status,
                                        response.headers["x-amzn-RequestId"], fault,
                                        MOCK, body, response.body))
                return response
        method_name = SERVED_OPERATIONS.get(operation)
        app_method = None if method_name is not None else _apps.APP_OPERATIONS.get(operation)
        if method_name is None and app_method is None:
            if operation in moto_operations():
                return self._refused_for_moto(routes, resolved, url, headers, body)
            return self._unserved(routes, operation, method, url, headers, body)
        params: dict[str, Any] = {}
        try:
            if not body:
                _check_required_body(routes, resolved)
            params = routes.members(resolved, headers, body)
            self._validator.check(operation, params)
            query = url.partition("?")[2]
            account = _moto.account_of(headers, self._accounts, query)
            backend = self.backend(account, _moto.region_of(resolved.host, headers, query))
            if method_name is not None:
                payload = getattr(backend, method_name)(**params)
            else:
                payload = getattr(_apps.AppCalls(backend), str(app_method))(**params)
        except PinpointError as error:
            return self._record_refusal(resolved, params, body, error)
        response = routes.encode(operation, payload)
        self.calls.append(_call(operation, params, response.status,
                                response.headers["x-amzn-RequestId"], None, MOCK, body,
                                response.body))
        return response

    def _record_refusal(
        self, resolved: Resolved, params: Mapping[str, Any], body: Optional[bytes],
        error: PinpointError,
    ) -> HttpResponse:
        """The error response to a request of ``resolved``'s operation, recorded in the call
        log as the mock's, with ``params`` (the members read), or the members of the path and
        query when none could be read (an unreadable body)."""
        response = encode_error(error)
        self.calls.append(_call(resolved.route.operation,
                                dict(params) if params else dict(resolved.members),
                                response.status, response.headers["x-amzn-RequestId"], None,
                                MOCK, body, response.body))
        return response

    def _refused_for_moto(
        self, routes: Router, resolved: Resolved, url: str, headers: Mapping[str, Any],
        body: Optional[bytes],
    ) -> Optional[HttpResponse]:
        """None when moto may answer this request of an operation it serves; else the error
        (recorded): members that are not valid, a region Pinpoint does not run in, or a
        request moto would fail on (:func:`pinpoint_mock._moto.moto_refusal`), or one without
        the body its model requires (moto's handlers read an absent body as JSON, and fail)."""
        operation = resolved.route.operation
        params: dict[str, Any] = {}
        try:
            if not body:
                _check_required_body(routes, resolved)
            params = routes.members(resolved, headers, body)
            self._validator.check(operation, params)
            query = url.partition("?")[2]
            account = _moto.account_of(headers, self._accounts, query)
            region = _moto.region_of(resolved.host, headers, query)
            self.backend(account, region)
            refusal = _moto.moto_refusal(operation, account, region, params)
            if refusal is not None:
                raise refusal
        except PinpointError as error:
            return self._record_refusal(resolved, params, body, error)
        return None

    def _unserved(
        self, routes: Router, operation: str, method: str, url: str,
        headers: Mapping[str, Any], body: Optional[bytes],
    ) -> HttpResponse:
        resolved = routes.resolve(method, url)
        try:
            params = routes.members(resolved, headers, body)
        except PinpointError:  # an unreadable body: the members of the path and query
            params = dict(resolved.members)
        response = encode_error(unserved_error(operation, routes))
        self.calls.append(_call(operation, params, response.status,
                                response.headers["x-amzn-RequestId"], None, MOCK, body,
                                response.body))
        return response

    @staticmethod
    def _unrouted(
        routes: Router, method: str, url: str, error: MethodNotAllowedError
    ) -> HttpResponse:
        """A method no operation on this Pinpoint resource has: OPTIONS is 200 with ``Allow``
        (the API reference lists OPTIONS on every resource), any other (``HEAD``, ``PATCH``,
        ``get``) the 405 MethodNotAllowedException of :meth:`Router.match`, with ``Allow``."""
        allowed = routes.allowed_methods(url)
        if method == "OPTIONS":
            return options_response(allowed)
        return method_not_allowed(error, allowed)

    def moto_body(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> Optional[bytes]:
        """The body moto is given for a request of an operation it answers (``answer``
        returned None for it, so it is valid): its payload member re-encoded without the
        members botocore's model does not know, which the validator drops, so that moto
        neither stores nor echoes them (the mock's own operations drop them too); ``body``
        itself when there is nothing to drop."""
        routes = router()
        try:
            resolved = routes.resolve(method, url)
            payload = resolved.route.payload
            if not body or payload is None:
                return body
            params = routes.members(resolved, headers, body)
            sent = json.dumps(params[payload], sort_keys=True)
            self._validator.check(resolved.route.operation, params)
        except (PinpointError, ValueError, RecursionError):  # not what answer() leaves to moto
            return body
        kept = json.dumps(params[payload], sort_keys=True)
        return body if kept == sent else json.dumps(params[payload]).encode()

    def before_moto(self) -> None:
        """Write the objects of every export job that the clock has completed by now (under
        the ``"time"`` progression; the others move only at reads and steps, which write
        them). Every transport calls it before moto answers a request, so that S3 shows them
        as soon as the job has completed."""
        for backend in self.backends():
            backend.exporter.settle_due()

    def answered_by_moto(
        self,
        method: str,
        url: str,
        headers: Mapping[str, Any],
        body: Optional[bytes],
        response: HttpResponse,
        operation: Optional[str] = None,
    ) -> None:
        """Record a Pinpoint call moto answered (``answered_by="moto"``) in the call log."""
        routes = router()
        params: dict[str, Any] = {}
        try:
            found, params = routes.parse(method, url, headers, body)
        except PinpointError:  # an unreadable body: the operation of the path, if any
            try:
                found = routes.resolve(method, url).route.operation
            except PinpointError:
                found = ""
        request_id = ""
        for name, value in response.headers.items():
            if name.lower() in ("x-amzn-requestid", "x-amz-request-id"):
                request_id = str(value)
                break
        self.calls.append(_call(operation or found, params, response.status, request_id, None,
                                MOTO, body, response.body))

    def reset(self) -> None:
        """Forget every piece of the mock's data (applications' jobs, segments, endpoints in
        every account and region) and the call log; settings, clock offset and fault rules
        stay. moto's data is reset by the caller (``PinpointImportsMock.reset``)."""
        with self._lock:
            self._backends.clear()
            self.calls.clear()

