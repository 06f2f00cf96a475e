"""The WSGI transport: one port that answers every AWS request, as served by the server.

:class:`MockApplication` is the WSGI application the server runs (werkzeug's threaded
server). Per request:

1. ``/_pinpoint_mock/...`` and ``/_localstack/chaos/faults`` go to the control plane
   (:mod:`pinpoint_mock._control`);
2. a Pinpoint request — signed for ``mobiletargeting`` (the SigV4 scope names the service
   whatever the host), to a ``pinpoint.<region>.amazonaws.com`` host, or unsigned on a path of
   Pinpoint's model (a browser's preflight) — is answered by the mock's one
   ``State.answer``; those it leaves (GetApplicationSettings, event streams, ...) go to moto,
   and are recorded in the call log as moto's;
3. everything else goes, untouched, to moto's own server application
   (``moto.moto_server.werkzeug_app.DomainDispatcherApplication``, the ``server`` extra), which
   serves the service its SigV4 scope names. Before moto answers, export jobs the clock has
   completed write their objects (``State.before_moto``), so an S3 listing sees them.

Every response carries the CORS headers a browser client needs to read an error
(``Access-Control-Expose-Headers: x-amzn-ErrorType, x-amzn-RequestId, ...``); Pinpoint
preflights are answered with the resource's methods and the headers the AWS SDKs send.

A request body is read only for Pinpoint requests, and put back (``wsgi.input``) before one is
handed to moto, which would otherwise wait for a body already read.
"""

from __future__ import annotations

import io
import warnings
from http import HTTPStatus
from typing import Any, Callable, Iterable, Mapping, Optional, cast
from urllib.parse import quote

from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_input_stream

from pinpoint_mock import _control, _transport
from pinpoint_mock._routing import HttpResponse, cors_headers, encode_error, router
from pinpoint_mock.backend.errors import PinpointError

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def moto_application() -> WsgiApp:
    """moto's own server application (every AWS service moto implements, by SigV4 scope).

    Raises:
        ImportError: moto's ``server`` extra (Flask) is not installed.
    """
    with warnings.catch_warnings():
        # Without Flask, moto warns before its ImportError; the caller says what to install.
        warnings.filterwarnings("ignore", message="When using MotoServer", category=UserWarning)
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def request_url(environ: Mapping[str, Any]) -> str:
    """The request's URL as the client sent it (raw path: percent-escapes kept)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not target:
        path = environ.get("PATH_INFO", "")
        target = quote(path.encode("latin-1").decode("utf-8", "replace"))
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
    return f"{scheme}://{host}{target}"


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _with_cors(headers: list[tuple[str, str]], request_headers: Mapping[str, Any],
               allow: Optional[str] = None) -> list[tuple[str, str]]:
    present = {name.lower() for name, _ in headers}
    extra = [(name, value) for name, value in cors_headers(request_headers, allow).items()
             if name.lower() not in present]
    return headers + extra


class MockApplication:
    """The server's WSGI application: control plane, the mock's Pinpoint, moto for the rest.

    Args:
        control: the control plane (a :class:`~pinpoint_mock._control.ControlPlane`).
        moto: moto's server application (:func:`moto_application`).
    """

    def __init__(self, control: WsgiApp, moto: WsgiApp):
        self.control = control
        self.moto = moto

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if _control.handles(environ.get("PATH_INFO", "")):
            return self.control(environ, start_response)
        headers = cast(Mapping[str, Any], EnvironHeaders(environ))
        url = request_url(environ)
        if self._is_pinpoint(environ["REQUEST_METHOD"], url, headers):
            return self._pinpoint(environ, start_response, url, headers)
        return self._moto(environ, start_response, headers)

    @staticmethod
    def _is_pinpoint(method: str, url: str, headers: Mapping[str, Any]) -> bool:
        if _transport.is_pinpoint_request(url, headers):
            return True
        # unsigned (a browser's preflight, or a hand-made call) on a path of Pinpoint's model;
        # no S3 bucket can be named "v1" (3 characters at least), the first segment of each
        return _transport.scope_of(headers) is None and bool(router().allowed_methods(url))

    def _pinpoint(self, environ: dict[str, Any], start_response: Callable[..., Any], url: str,
                  headers: Mapping[str, Any]) -> Any:
        method = environ["REQUEST_METHOD"]
        body = get_input_stream(environ).read() or None
        handler = _transport.handler()
        if handler is None:
            response: Optional[HttpResponse] = encode_error(PinpointError(
                "pinpoint_mock's server has no active mock; start it again.",
                code="ServiceUnavailableException", status=503))
        else:
            response = handler.answer(method, url, headers, body)
        if response is None:
            return self._pinpoint_by_moto(environ, start_response, url, headers, body)
        allow = response.headers.get("Allow") if method == "OPTIONS" else None
        start_response(_status_line(response.status),
                       _with_cors(list(response.headers.items()), headers, allow))
        return [] if method == "HEAD" else [response.body]

    def _pinpoint_by_moto(self, environ: dict[str, Any], start_response: Callable[..., Any],
                          url: str, headers: Mapping[str, Any], body: Optional[bytes]) -> Any:
        data = body or b""
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        captured: dict[str, Any] = {}

        def capture(status: str, response_headers: list[tuple[str, str]],
                    exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, response_headers
            return lambda chunk: None

        _transport.before_moto()
        result = self.moto(environ, capture)
        try:
            answered = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status = int(str(captured["status"]).split(" ", 1)[0])
        response_headers = list(captured["headers"])
        handler = _transport.handler()
        if handler is not None:
            handler.answered_by_moto(environ["REQUEST_METHOD"], url, headers, body,
                                     HttpResponse(status, dict(response_headers), answered))
        start_response(captured["status"], _with_cors(response_headers, headers))
        return [answered]

    def _moto(self, environ: dict[str, Any], start_response: Callable[..., Any],
              headers: Mapping[str, Any]) -> Any:
        def with_cors(status: str, response_headers: list[tuple[str, str]],
                      exc_info: Any = None) -> Any:
            return start_response(status, _with_cors(list(response_headers), headers),
                                  exc_info)

        _transport.before_moto()
        return self.moto(environ, with_cors)
