"""The server's request handler: every request it reads, however malformed, gets an HTTP/1.1
response with a status line and a JSON body.

:func:`hardened` subclasses the handler the server runs (moto's ``MotoRequestHandler``, or
werkzeug's ``WSGIRequestHandler`` where moto has none), itself a ``http.server``
``BaseHTTPRequestHandler``. What it changes:

- ``send_error`` (what ``http.server`` answers by itself: 414 for a request line over 64 KiB,
  431 for a header line over 64 KiB or more than 100 headers, 400 for a request line it
  cannot read) sends Pinpoint's JSON error (``x-amzn-ErrorType``, ``{"Message",
  "RequestID"}``) instead of an HTML page, always with an HTTP/1.1 status line (for a line it
  took for HTTP/0.9, ``http.server`` sent no status line at all), and closes the connection;
- the request line and header fields are checked first (:mod:`pinpoint_mock._framing`):
  empty lines before the request line are ignored (RFC 9112 section 2.2), and a line or
  fields that cannot frame a request are a 400 (505 for an HTTP version other than 1.x, 501
  for a transfer coding it does not decode);
- ``Expect: 100-continue`` (however many times it is sent) gets one ``100 Continue``, to an
  HTTP/1.1 request only (RFC 9110 section 10.1.1); ``http.server`` and werkzeug each sent one;
- a chunked body is read by :class:`~pinpoint_mock._chunked.ChunkedBody` (bounded), not by
  werkzeug's ``DechunkedInput``;
- ``Server`` and ``Date`` are sent once, the handler's (werkzeug's ``Werkzeug/<version>
  Python/<version>``): an application's own (moto's ``Server: amazon.com``) is dropped, where
  ``http.server`` sent both;
- after a refusal whose body was not read, the connection is closed gracefully ("lingering":
  the response is sent, the sending side shut, and what the client still sends read and
  dropped for up to :data:`LINGER_SECONDS`, at most :data:`LINGER_BYTES`), so that the
  client reads the response rather than a connection reset (RFC 9112 section 9.6).
"""

from __future__ import annotations

import json
import socket
from http import HTTPStatus
from typing import Any, Optional

from pinpoint_mock import _control, _framing
from pinpoint_mock._chunked import ChunkedBody
from pinpoint_mock._routing import CORS_EXPOSED_HEADERS, encode_error
from pinpoint_mock.backend.errors import PinpointError

LINGER_SECONDS = 2.0
"""How long a refused request's connection waits for the client to stop sending."""
LINGER_BYTES = 64 * 1024 * 1024
"""The most bytes read and dropped while lingering (64 MiB)."""
CLOSE = "pinpoint_mock.close"
"""The environ key the application sets to True when it answered without reading the whole
body: the handler then lingers before it closes."""

_CODES = {400: "BadRequestException", 413: "PayloadTooLargeException",
          414: "BadRequestException", 431: "BadRequestException",
          501: "NotImplementedException", 505: "HttpVersionNotSupportedException"}
"""The ``x-amzn-ErrorType`` of what the handler refuses: Pinpoint's modeled
``BadRequestException`` for the 4xx (so that an SDK raises its modeled exception), with the
HTTP status kept; 501 and 505 have no Pinpoint counterpart."""
_CONTROL_CHARS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
"""Escapes for a logged request line (as werkzeug's ``log_request`` escapes a path)."""
_MESSAGES = {
    414: ("The request line is longer than 65,536 bytes; send a shorter URL (a long query "
          "belongs in the body)."),
    431: ("The request's header fields are too large (a header line over 65,536 bytes, or "
          "more than 100 header lines); send fewer or shorter headers."),
}


def hardened(base: Any) -> Any:
    """A subclass of the request handler class ``base`` (see the module)."""

    class HardenedHandler(base):  # type: ignore[misc]
        raw_requestline: bytes
        _sent_names: Optional[set[str]] = None
        _linger = False

        # -- the request line and header fields ---------------------------------------------

        def parse_request(self) -> bool:
            self._linger = False
            self.command = None  # as http.server's parse_request sets them before it reads
            self.request_version = self.default_request_version
            for _ in range(_framing.MAX_EMPTY_LINES):
                if self.raw_requestline not in (b"\r\n", b"\n"):
                    break
                self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:  # the client closed after empty lines
                self.close_connection = True
                return False
            line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            self.requestline = line
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return False
            if not self.raw_requestline.endswith(b"\n"):  # the client closed mid-line
                return self._refuse(_framing.bad(
                    "The request line ended without CRLF; send a whole request line, e.g. GET "
                    "/v1/apps HTTP/1.1."))
            problem = _framing.request_line_problem(line)
            if problem is not None:
                return self._refuse(problem)
            if not super().parse_request():
                return False
            problem = (_framing.target_problem(self.path)
                       or _framing.header_problem(self.headers, self.request_version))
            if problem is not None:
                return self._refuse(problem)
            expect = [part.strip(" \t").lower() for value in self.headers.get_all("Expect") or []
                      for part in value.split(",")]
            del self.headers["Expect"]  # werkzeug's run_wsgi would send a second 100 Continue
            if "100-continue" in expect and self.request_version == "HTTP/1.1":
                self.send_response_only(100)
                self.end_headers()
            return True

        def handle_expect_100(self) -> bool:
            return True  # answered in parse_request, once, after the framing checks

        def _refuse(self, problem: _framing.Problem) -> bool:
            self.send_error(problem.status, problem.message)
            return False

        def send_error(self, code: int, message: Optional[str] = None,
                       explain: Optional[str] = None) -> None:
            """Pinpoint's JSON error, an HTTP/1.1 status line, ``Connection: close``."""
            if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
                self.request_version = "HTTP/1.1"  # else http.server sends no status line
            self.close_connection = True
            self._linger = True
            text = _MESSAGES.get(code) if code in _MESSAGES else None
            if text is None:
                text = message or HTTPStatus(code).phrase
                if not text.endswith("."):
                    text += "."
            self.log_error("code %d, message %s", code, text)
            error = encode_error(PinpointError(
                text, code=_CODES.get(code, "BadRequestException"), status=code))
            body = error.body
            if _control.handles(_path(getattr(self, "path", ""))):
                body = json.dumps({"message": text}).encode()
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = ""
            self.send_response(code, phrase)
            for name, value in error.headers.items():
                self.send_header(name, value)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", ", ".join(CORS_EXPOSED_HEADERS))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        # -- the environ and the body --------------------------------------------------------

        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            if self.headers.get("Transfer-Encoding") is not None:  # chunked (header_problem)
                # werkzeug's DechunkedInput replaced (werkzeug 2.2 did not even see "chunked,")
                environ["wsgi.input"] = ChunkedBody(self.rfile)
                environ["wsgi.input_terminated"] = True
                environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            length = _framing.content_length(environ.get("CONTENT_LENGTH"))
            if length is not None and length < 10 ** _framing.MAX_LENGTH_DIGITS:
                environ["CONTENT_LENGTH"] = str(length)  # one number for "42, 042, 42"
            return environ

        def run_wsgi(self) -> None:
            self.environ = None
            try:
                super().run_wsgi()
            except ValueError as error:  # make_environ: a target werkzeug cannot split
                if getattr(self, "environ", None) is not None:
                    raise
                self.send_error(400, f"The request target cannot be read ({error}); send a "
                                "path that starts with '/', e.g. /v1/apps")
                return
            environ = getattr(self, "environ", None)
            if environ is not None and environ.get(CLOSE):
                self.close_connection = True
                self._linger = True

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            try:
                super().log_request(code, size)
            except ValueError:  # werkzeug's uri_to_iri: an authority it cannot split
                self.log("info", '"%s" %s %s', self.requestline.translate(_CONTROL_CHARS),
                         code, size)

        # -- Server and Date once ------------------------------------------------------------

        def send_response(self, code: int, message: Optional[str] = None) -> None:
            self._sent_names = set()
            super().send_response(code, message)  # the status line, Server and Date

        def send_header(self, keyword: str, value: str) -> None:
            names = self._sent_names
            if names is not None:
                folded = keyword.lower()
                if folded in ("server", "date") and folded in names:
                    return  # the application's (moto's Server: amazon.com) after the handler's
                names.add(folded)
            super().send_header(keyword, value)

        def end_headers(self) -> None:
            self._sent_names = None
            super().end_headers()

        # -- closing -------------------------------------------------------------------------

        def finish(self) -> None:
            super().finish()
            if self._linger:
                _linger(self.connection)

    HardenedHandler.__name__ = HardenedHandler.__qualname__ = f"Hardened{base.__name__}"
    return HardenedHandler


def _path(target: str) -> str:
    """The path of a request target (origin- or absolute-form), for choosing the error shape."""
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return target.split("?", 1)[0]


def _linger(connection: socket.socket) -> None:
    """Shut the sending side, then read and drop what the client still sends (see the
    module)."""
    try:
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(LINGER_SECONDS)
        dropped = 0
        while dropped < LINGER_BYTES:
            data = connection.recv(65536)
            if not data:
                break
            dropped += len(data)
    except OSError:  # reset, timed out, or already closed
        pass
