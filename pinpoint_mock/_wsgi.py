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

Before any route, :func:`pinpoint_mock._request_checks.refusal` refuses what neither the mock
nor moto could read (a request target that is no path, a malformed ``Host`` or
``Authorization``), a body over its route's cap is a 413 (7 MB for Pinpoint and the control
plane, 512 MiB for moto's services), and a chunked body is read whole (one that cannot be
decoded is refused); a refused request's unread body is read and dropped before the answer
(:func:`pinpoint_mock._request_checks.discard_unread`). ``OPTIONS *`` is a 200 with
``Allow``. What cannot even be framed as a request is the request handler's to refuse
(:mod:`pinpoint_mock._http_handler`). A refusal is
a JSON 4xx, Pinpoint's shape (``x-amzn-ErrorType``, ``{"Message", "RequestID"}``) or, on a
control route, ``{"message"}``. An exception of our own code is a JSON 500
(``InternalServerErrorException``) that says it is a pinpoint_mock bug; one raised by moto's
application, a 500 ``InternalFailure`` that says moto could not serve the request. Both are
logged with the traceback on the ``pinpoint_mock.server`` logger; neither is werkzeug's HTML
page.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import warnings
from http import HTTPStatus
from typing import Any, Callable, Iterable, Mapping, Optional, cast
from urllib.parse import parse_qs, quote

from werkzeug.datastructures import EnvironHeaders

from pinpoint_mock import _control, _request_checks, _transport
from pinpoint_mock._http_handler import CLOSE
from pinpoint_mock._routing import HttpResponse, cors_headers, encode_error, router
from pinpoint_mock.backend.errors import PinpointError

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger("pinpoint_mock.server")
"""Where the server logs an exception of its own code or of moto's (with the traceback)."""


SERVER_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
"""The ``Allow`` of ``OPTIONS *``: the methods Pinpoint's routes, moto's services (S3's HEAD)
and the control plane answer."""


class MotoFailedError(Exception):
    """moto's server application raised on a request (one moto cannot serve)."""


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
    """The request's URL as the client sent it (raw path: percent-escapes kept), any raw byte
    that is not printable ASCII (UTF-8 sent unescaped) percent-encoded, as a client that
    escapes it sends it: so both name the same member.

    WSGI gives the request target as a string of bytes-as-latin-1 (PEP 3333). werkzeug's
    server (``SERVER_SOFTWARE`` ``Werkzeug/...``) puts in ``REQUEST_URI`` and ``RAW_URI``
    the target that ``http.server`` decoded as latin-1, encoded again as UTF-8: its bytes are
    undone in that order. Another server's are the bytes themselves.
    """
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if target:
        if not target.isascii():
            target = _escaped(_target_bytes(target, str(environ.get("SERVER_SOFTWARE", ""))))
    else:
        path = environ.get("PATH_INFO", "")
        target = quote(path.encode("latin-1").decode("utf-8", "replace"))
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
    return f"{scheme}://{host}{target}"


def _target_bytes(target: str, server: str) -> bytes:
    """The bytes of a request target as the client sent them (see :func:`request_url`)."""
    data = target.encode("latin-1", "replace")
    if server.startswith("Werkzeug/"):
        try:
            return data.decode("utf-8").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):  # not what werkzeug makes: as given
            pass
    return data


def _escaped(data: bytes) -> str:
    """``data`` with every byte that is not printable ASCII percent-encoded (``%C3%A9``, upper
    case as botocore escapes); existing escapes and reserved characters are kept."""
    return "".join(chr(byte) if 0x20 < byte < 0x7F else f"%{byte:02X}" for byte in data)


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


_HTML_CODES = {404: "NotFoundException", 405: "MethodNotAllowedException"}
"""The ``x-amzn-ErrorType`` of a werkzeug error page moto answered, by status; other 4xx are
``BadRequestException``, 5xx ``InternalFailure``."""


def _is_html_error(status: str, response_headers: list[tuple[str, str]]) -> bool:
    """Whether moto answered with one of werkzeug's HTML error pages (a status of 400 or more
    and ``Content-Type: text/html``), which no AWS service sends."""
    if int(status.split(" ", 1)[0]) < 400:
        return False
    return any(name.lower() == "content-type" and value.lower().startswith("text/html")
               for name, value in response_headers)


def _name_the_service_for_moto(environ: dict[str, Any]) -> None:
    """Give a presigned request's ``X-Amz-Credential`` scope to moto as an ``Authorization``
    header: moto's server application names the service (and moto the account, by the access
    key) from that header only, and took a presigned Pinpoint request for S3's."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    credential = query.get("X-Amz-Credential", [""])[0]
    if credential.count("/") == 4:
        signature = query.get("X-Amz-Signature", ["0"])[0]
        environ["HTTP_AUTHORIZATION"] = (f"AWS4-HMAC-SHA256 Credential={credential}, "
                                         f"SignedHeaders=host, Signature={signature}")


def _started(app: WsgiApp, environ: dict[str, Any]
             ) -> tuple[str, list[tuple[str, str]], Iterable[bytes]]:
    """Call ``app`` with a ``start_response`` that keeps what it is given, for an answer the
    server changes before it sends it: ``(status line, headers, body iterable)``. A body
    that starts the response lazily (at its first item) is read whole first."""
    captured: dict[str, Any] = {}

    def capture(status: str, response_headers: list[tuple[str, str]],
                exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, list(response_headers)
        return lambda chunk: None

    result = app(environ, capture)
    if "status" not in captured:
        result = [_read_whole(result)]
    return captured["status"], captured["headers"], result


def _read_whole(result: Iterable[bytes]) -> bytes:
    """A WSGI body read to its end, and closed (PEP 3333: ``close()`` if it has one)."""
    try:
        return b"".join(result)
    finally:
        _close(result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _with_content_length(app: WsgiApp, environ: dict[str, Any],
                         start_response: Callable[..., Any]) -> Iterable[bytes]:
    """``app``'s response with its body read whole and a ``Content-Length``: for an HTTP/1.0
    request, which may not be answered chunked (RFC 9112 section 6.1: "A server MUST NOT send
    a response containing Transfer-Encoding unless the corresponding request indicates
    HTTP/1.1"), as werkzeug's server answers a response without a length (it decides by its
    own protocol version, HTTP/1.1)."""
    status, response_headers, result = _started(app, environ)
    body = _read_whole(result)
    headers = [(name, value) for name, value in response_headers
               if name.lower() != "transfer-encoding"]
    if environ.get("REQUEST_METHOD") != "HEAD" or not any(
            name.lower() == "content-length" for name, _ in headers):
        headers = [(name, value) for name, value in headers
                   if name.lower() != "content-length"] + [("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


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
        if environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
            return _with_content_length(self._answer, environ, start_response)
        return self._answer(environ, start_response)

    def _answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        control = _control.handles(environ.get("PATH_INFO", ""))
        try:
            refused = _request_checks.refusal(environ)
            if refused is not None and not (control and refused.status == 403):
                raise refused  # the control plane reads no signature
            method = environ["REQUEST_METHOD"]
            if environ.get("REQUEST_URI") == "*":  # OPTIONS * (refusal: for OPTIONS only)
                return self._server_options(environ, start_response)
            headers = cast(Mapping[str, Any], EnvironHeaders(environ))
            url = request_url(environ)
            pinpoint = not control and self._is_pinpoint(method, url, headers)
            cap, who = _request_checks.cap_of(control, pinpoint)
            refused = _request_checks.too_large(environ, cap, who)
            if refused is not None:
                raise refused
            _request_checks.buffer_chunked(environ, cap, who)
            if control:
                return self.control(environ, start_response)
            if pinpoint:
                return self._pinpoint(environ, start_response, url, headers)
            unknown = _transport.unknown_service(url, headers)
            if unknown is not None:
                raise _request_checks.RefusedRequestError(400, "BadRequestException", (
                    f"The request's credential scope names the service {unknown!r}, which is no "
                    "AWS service botocore knows, so neither the mock nor moto serves it; sign "
                    "it for the service it is for."))
            return self._moto(environ, start_response, headers)
        except _request_checks.RefusedRequestError as error:
            _request_checks.discard_unread(environ)
            return self._refuse(environ, start_response, control, error.status, error.code,
                                error.message)
        except MotoFailedError as error:
            environ[CLOSE] = True  # what moto left of the body is dropped while lingering
            cause = error.__cause__
            log.error("moto's server application failed on %s %s",
                      environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), exc_info=cause)
            return self._refuse(environ, start_response, control, 500, "InternalFailure", (
                f"moto's server application failed on this request ({type(cause).__name__}); "
                "moto cannot serve it (the server's log has moto's traceback)."),
                exc_info=sys.exc_info())
        except Exception as error:
            environ[CLOSE] = True
            log.error("pinpoint_mock's server failed on %s %s", environ.get("REQUEST_METHOD"),
                      environ.get("PATH_INFO"), exc_info=True)
            return self._refuse(environ, start_response, control, 500,
                                "InternalServerErrorException", (
                                    f"pinpoint_mock failed to answer this request "
                                    f"({type(error).__name__}); this is a bug in pinpoint_mock, "
                                    "please report it with the server's log."),
                                exc_info=sys.exc_info())

    @staticmethod
    def _refuse(environ: dict[str, Any], start_response: Callable[..., Any], control: bool,
                status: int, code: str, message: str, exc_info: Any = None) -> Any:
        """A JSON error: Pinpoint's shape (``x-amzn-ErrorType``, ``{Message, RequestID}``), or
        the control plane's ``{"message"}``."""
        response = encode_error(PinpointError(message, code=code, status=status))
        headers = dict(response.headers)
        body = response.body
        if control:
            body = json.dumps({"message": message}).encode()
        headers["Content-Length"] = str(len(body))
        request_headers = cast(Mapping[str, Any], EnvironHeaders(environ))
        start_response(_status_line(status), _with_cors(list(headers.items()), request_headers),
                       exc_info)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    @staticmethod
    def _server_options(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """``OPTIONS *``: the server as a whole (RFC 9110 section 9.3.7, "a 'ping' or
        'no-op'"): 200, no body, ``Allow`` with every method some route answers."""
        request_headers = cast(Mapping[str, Any], EnvironHeaders(environ))
        start_response("200 OK", _with_cors([("Allow", SERVER_METHODS), ("Content-Length", "0")],
                                            request_headers))
        return []

    @staticmethod
    def _is_pinpoint(method: str, url: str, headers: Mapping[str, Any]) -> bool:
        if _transport.is_pinpoint_request(url, headers):
            return True
        # unsigned (a browser's preflight, or a hand-made call) on a path of Pinpoint's model;
        # no S3 bucket can be named "v1" (3 characters at least), the first segment of each
        return _transport.scope_of(headers) is None and router().names_resource(url)

    def _pinpoint(self, environ: dict[str, Any], start_response: Callable[..., Any], url: str,
                  headers: Mapping[str, Any]) -> Any:
        method = environ["REQUEST_METHOD"]
        body = _request_checks.read_body(environ) or None
        handler = _transport.handler()
        if handler is None:
            response: Optional[HttpResponse] = encode_error(PinpointError(
                _control.STOPPED, code="ServiceUnavailableException", status=503))
        else:
            response = handler.answer(method, url, headers, body)
        if response is None:
            assert handler is not None
            return self._pinpoint_by_moto(environ, start_response, url, headers, body,
                                          handler.moto_body(method, url, headers, body))
        allow = response.headers.get("Allow") if method == "OPTIONS" else None
        start_response(_status_line(response.status),
                       _with_cors(list(response.headers.items()), headers, allow))
        return [] if method == "HEAD" else [response.body]

    def _pinpoint_by_moto(self, environ: dict[str, Any], start_response: Callable[..., Any],
                          url: str, headers: Mapping[str, Any], body: Optional[bytes],
                          kept: Optional[bytes]) -> Any:
        data = kept or b""
        if "HTTP_AUTHORIZATION" not in environ:
            _name_the_service_for_moto(environ)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        _transport.before_moto()
        try:
            status_line, response_headers, result = _started(self.moto, environ)
            answered = _read_whole(result)
        except Exception as error:
            raise MotoFailedError() from error
        status = int(status_line.split(" ", 1)[0])
        handler = _transport.handler()
        if handler is not None:
            handler.answered_by_moto(environ["REQUEST_METHOD"], url, headers, body,
                                     HttpResponse(status, dict(response_headers), answered))
        start_response(status_line, _with_cors(response_headers, headers))
        return [answered]

    def _moto(self, environ: dict[str, Any], start_response: Callable[..., Any],
              headers: Mapping[str, Any]) -> Any:
        _transport.before_moto()
        try:
            status, response_headers, result = _started(self.moto, environ)
        except Exception as error:
            raise MotoFailedError() from error
        if _is_html_error(status, response_headers):  # werkzeug's page, not an AWS service's
            _close(result)
            code = int(status.split(" ", 1)[0])
            return self._refuse(environ, start_response, False, code, _HTML_CODES.get(
                code, "BadRequestException" if code < 500 else "InternalFailure"), (
                f"moto's server answered {status} to {environ.get('REQUEST_METHOD')} "
                f"{environ.get('PATH_INFO')}: no AWS service it serves takes this request "
                "(sign it for a service, or send it to that service's host)."))
        start_response(status, _with_cors(response_headers, headers))
        return result
