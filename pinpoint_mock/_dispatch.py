"""One intercepted request -> one response: routing, the backend call, the call log.

The mock's shared :class:`State` (backends per account and region, the clock offset, the call
log) lives here; :mod:`pinpoint_mock._mock` creates it and :mod:`pinpoint_mock._patch` calls
:meth:`State.answer` for every request while a mock is active.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

from pinpoint_mock import _apps, _moto
from pinpoint_mock._faults import Fault, FaultRegistry
from pinpoint_mock._routing import HttpResponse, encode_error, router
from pinpoint_mock.backend.errors import PinpointError
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
(:mod:`pinpoint_mock._apps`); every other Pinpoint operation is left to moto."""


@dataclass(frozen=True)
class Call:
    """One Pinpoint call (one HTTP attempt) the mock answered: an operation it serves, or any
    Pinpoint operation (moto's too) that a fault rule answered. Calls moto answers are not
    recorded.

    Attributes:
        operation: the operation name, e.g. ``"GetImportJob"``.
        params: the request members by model name (``ApplicationId``, ``PageSize``, ...).
        status: the HTTP status answered.
        request_id: the ``x-amzn-RequestId`` answered.
        fault: the :class:`~pinpoint_mock.Fault` that answered it, or None.
    """

    operation: str
    params: Mapping[str, Any]
    status: int
    request_id: str
    fault: Optional[Fault] = None


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

    def backends(self) -> list[Backend]:
        with self._lock:
            return [backend for key, backend in self._backends.items()
                    if self._apps[key].current()]

    def answer(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> Optional[HttpResponse]:
        """The response to one intercepted Pinpoint request (whatever its host: a client with
        its own ``endpoint_url`` is served too), or None when moto should answer it."""
        routes = router()
        operation = routes.operation_of(method, url)
        if operation is None:
            return None  # moto reports it as not implemented
        if self.faults.rules:
            faulted = self.faults.answer(routes, operation, method, url, headers, body)
            if faulted is not None:
                response, members, fault = faulted
                self.calls.append(Call(operation, members, response.status,
                                       response.headers["x-amzn-RequestId"], fault))
                return response
        method_name = SERVED_OPERATIONS.get(operation)
        app_method = _apps.APP_OPERATIONS.get(operation)
        if method_name is None and app_method is None:
            return None  # moto answers it
        params: dict[str, Any] = {}
        try:
            operation, params = routes.parse(method, url, headers, body)
            account = _moto.account_of(headers, self._accounts)
            host = urlsplit(url).hostname or ""
            backend = self.backend(account, _moto.region_of(host, headers))
            if method_name is not None:
                payload = getattr(backend, method_name)(**params)
            else:
                payload = getattr(_apps.AppCalls(backend), str(app_method))(**params)
        except PinpointError as error:
            response = encode_error(error)
        else:
            response = routes.encode(operation, payload)
        self.calls.append(
            Call(operation, params, response.status, response.headers["x-amzn-RequestId"])
        )
        return response

