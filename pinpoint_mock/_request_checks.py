"""What the server refuses before any route reads a request: what neither the mock nor moto
could read.

:func:`refusal` is asked once per request by :class:`~pinpoint_mock._wsgi.MockApplication`
and names, as a :class:`RefusedRequestError` (status, error code, one sentence), the first of:

- a request target that is not a path (RFC 7230 section 5.3: the origin-form ``/...``, the
  absolute-form ``http://host/...`` a proxy sends, the asterisk-form ``*`` for OPTIONS only):
  400 ``BadRequestException``;
- a ``Host`` header that is no ``host[:port]`` (an unclosed IPv6 bracket, a port that is not a
  number from 0 to 65535; RFC 7230 section 5.4): 400 ``BadRequestException``;
- an ``Authorization`` header that is no AWS signature — one of SigV4 (``AWS4-HMAC-SHA256
  Credential=KEY/YYYYMMDD/REGION/SERVICE/aws4_request, ...``), SigV4a (``AWS4-ECDSA-P256-SHA256
  Credential=KEY/YYYYMMDD/SERVICE/aws4_request, ...``) or S3's SigV2 (``AWS KEY:SIGNATURE``):
  403 ``IncompleteSignatureException``, the code AWS's services answer a malformed signature
  with (the AWS General Reference's common errors); moto's dispatcher, which reads the service
  and region from it, raised on such headers;
- a body werkzeug cannot read (:func:`read_body`): 400 ``BadRequestException``;
- a body over its route's cap (:func:`cap_of`, :func:`too_large`): 413
  ``PayloadTooLargeException``.

A chunked body is read here (:func:`buffer_chunked`, at most 64 KiB at a time) and put back as
a ``Content-Length`` one, so that every route, moto's included, reads it as if it had been sent
so. Before any refusal is answered, the body no route read is read and dropped
(:func:`discard_unread`), up to :data:`DISCARD_CEILING`.
"""

from __future__ import annotations

import io
import re
from typing import Any, Optional
from urllib.parse import SplitResult, urlsplit

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_input_stream

from pinpoint_mock._chunked import PIECE, ChunkedBody
from pinpoint_mock._framing import MAX_LENGTH_DIGITS, content_length
from pinpoint_mock._http_handler import CLOSE, LINGER_SECONDS
from pinpoint_mock._routing import MAX_PAYLOAD_BYTES
from pinpoint_mock.backend.echo import echo

MAX_MOTO_BODY = 512 * 1024 * 1024
"""The largest body the server hands to moto's services (512 MiB: an S3 upload; S3 itself takes
up to 5 GiB in one PUT, which moto would hold in memory); a larger one is a 413."""
DISCARD_CEILING = 64 * 1024 * 1024
"""The most bytes of a refused request's body the server reads (and drops) before it answers,
so that the client, still sending, reads the answer rather than a broken pipe; past it the
server answers and closes."""
_READ = "pinpoint_mock.body_read"
"""The environ key set once the body has been read (or is being read) by the server."""


class RefusedRequestError(Exception):
    """A request refused before any route: answered ``status`` with ``code`` and ``message``
    (one sentence that says the fix)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _bad(message: str) -> RefusedRequestError:
    return RefusedRequestError(400, "BadRequestException", message)


_SIGNATURES = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=[^/,\s]+/\d{8}/[^/,\s]+/[^/,\s]+/aws4_request\s*(,.*)?"
    r"|AWS4-ECDSA-P256-SHA256\s+Credential=[^/,\s]+/\d{8}/[^/,\s]+/aws4_request\s*(,.*)?"
    r"|AWS\s+[^:\s]+:\S+\s*", re.DOTALL)
"""The ``Authorization`` headers AWS's services read (and moto's dispatcher can parse)."""

_ABSOLUTE = re.compile(r"https?://", re.IGNORECASE)
"""The absolute-form of a request target (what a client sends to a proxy)."""

_SIGNATURE_HINT = (
    "send an AWS signature, e.g. AWS4-HMAC-SHA256 Credential=<key>/<YYYYMMDD>/<region>/"
    "<service>/aws4_request, SignedHeaders=..., Signature=... (what every AWS SDK sends), or "
    "no Authorization header")


def refusal(environ: dict[str, Any]) -> Optional[RefusedRequestError]:
    """Why the server refuses this request before any route, or None (see the module). An
    absolute-form target is made origin-form first, its authority the ``Host`` (RFC 7230
    section 5.4: a Host header beside it is ignored)."""
    method = environ.get("REQUEST_METHOD", "")
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    if _ABSOLUTE.match(target):
        try:
            parts: Optional[SplitResult] = urlsplit(target)
        except ValueError:  # an unclosed IPv6 bracket
            parts = None
        if parts is None or not parts.netloc:
            return _bad(f"The request target {echo(target)} is not a URL; send a path that "
                        "starts with '/', e.g. /v1/apps.")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        environ["REQUEST_URI"] = environ["RAW_URI"] = target
        environ["HTTP_HOST"] = parts.netloc
    if target == "*":
        if method != "OPTIONS":
            return _bad(f"The request target '*' is for OPTIONS only; send {echo(method)} to a "
                        "path that starts with '/'.")
    elif target and not target.startswith("/"):
        return _bad(f"The request target {echo(target)} is not a path; send a path that "
                    "starts with '/', e.g. /v1/apps.")
    host = environ.get("HTTP_HOST")
    if host and not _is_host(host):
        return _bad(f"The Host header {echo(host)} is not a host name with an optional port; "
                    "send e.g. Host: localhost:4566.")
    authorization = environ.get("HTTP_AUTHORIZATION")
    if authorization is not None and not _SIGNATURES.fullmatch(authorization):
        return RefusedRequestError(403, "IncompleteSignatureException", (
            f"The Authorization header {echo(authorization)} is not an AWS signature; "
            f"{_SIGNATURE_HINT}."))
    return None


_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(?::[0-9]*)?")
"""RFC 3986 section 3.2.2's host (an IP literal in brackets, or a reg-name: unreserved
characters, percent-encodings, sub-delims), then an optional port (RFC 9110 section 7.2)."""


def _is_host(host: str) -> bool:
    if not _HOST.fullmatch(host):  # a space, a non-ASCII byte: urlsplit would take them
        return False
    try:
        parts = urlsplit(f"http://{host}/")
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return False
    return parts.netloc == host and bool(parts.hostname)


def too_large(environ: dict[str, Any], cap: int, who: str) -> Optional[RefusedRequestError]:
    """A 413 ``PayloadTooLargeException`` for a ``Content-Length`` over ``cap`` bytes (``who``
    names what accepts at most ``cap``, e.g. ``"Pinpoint accepts at most 7340032 (7 MB)"``),
    or None."""
    declared = content_length(environ.get("CONTENT_LENGTH"))
    if declared is None or declared <= cap:
        return None
    size = (str(declared) if declared < 10 ** MAX_LENGTH_DIGITS
            else f"more than {10 ** MAX_LENGTH_DIGITS}")
    return RefusedRequestError(413, "PayloadTooLargeException",
                               f"The request body is {size} bytes; {who}.")


def cap_of(control: bool, pinpoint: bool) -> tuple[int, str]:
    """The largest body of a route, and the phrase that says so: 7 MB for Pinpoint's and the
    control plane's (Pinpoint's request payload quota), 512 MiB for moto's services."""
    if pinpoint:
        return MAX_PAYLOAD_BYTES, f"Pinpoint accepts at most {MAX_PAYLOAD_BYTES} (7 MB)"
    if control:
        return MAX_PAYLOAD_BYTES, (f"the control plane accepts at most {MAX_PAYLOAD_BYTES} "
                                   "(7 MB)")
    return MAX_MOTO_BODY, (f"pinpoint_mock's server accepts at most {MAX_MOTO_BODY} (512 MiB) "
                           "for moto's services")


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body (a chunked one was buffered by :func:`buffer_chunked`).

    Raises:
        RefusedRequestError: the body cannot be read: a chunk header or terminator that cannot
            be decoded (``OSError`` from :class:`~pinpoint_mock._chunked.ChunkedBody`), or a
            body shorter than its ``Content-Length`` (``ClientDisconnected``).
    """
    environ[_READ] = True
    try:
        return get_input_stream(environ).read()
    except ClientDisconnected:
        raise _bad("The request body ended before its Content-Length; send the whole body, or "
                   "a Content-Length that counts its bytes.") from None
    except OSError as error:
        raise _chunk_error(error) from None


def _chunk_error(error: OSError) -> RefusedRequestError:
    return _bad(f"The request body cannot be read ({error} in its chunked transfer coding); "
                "send well-formed chunks, or the body with a Content-Length.")


def _is_chunked(environ: dict[str, Any]) -> bool:
    return bool(environ.get("wsgi.input_terminated")) or "chunked" in environ.get(
        "HTTP_TRANSFER_ENCODING", "").lower()


def buffer_chunked(environ: dict[str, Any], cap: int, who: str) -> None:
    """Read a chunked body now, in pieces of at most 64 KiB, and put it back as a
    ``Content-Length`` one.

    Raises:
        RefusedRequestError: the body cannot be read (:func:`read_body`), or it is longer than
            ``cap`` bytes (a 413 whose message ends with ``who``).
    """
    if not _is_chunked(environ):
        return
    environ[_READ] = True
    stream = environ["wsgi.input"]
    pieces: list[bytes] = []
    size = 0
    try:
        while piece := stream.read(PIECE):
            size += len(piece)
            if size > cap:
                environ[_READ] = False  # the rest is dropped by discard_unread
                raise RefusedRequestError(413, "PayloadTooLargeException",
                                          f"The request body is more than {cap} bytes; {who}.")
            pieces.append(piece)
    except OSError as error:
        environ[CLOSE] = True
        raise _chunk_error(error) from None
    data = b"".join(pieces)
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False


def discard_unread(environ: dict[str, Any]) -> None:
    """Before a refusal is answered: read and drop the body no route read (at most
    :data:`DISCARD_CEILING` bytes), so that a client still sending it reads the answer; when
    it is not read to its end (or the client sends nothing for ``LINGER_SECONDS``), the
    server closes the connection gracefully (lingering)."""
    if environ.get(_READ):
        return
    environ[_READ] = True
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    connection = environ.get("werkzeug.socket")
    if connection is not None:  # a client that sends no more is not waited for
        connection.settimeout(LINGER_SECONDS)
    try:
        _discard(environ, stream)
    except OSError:  # timed out, reset, or malformed chunks: the rest cannot be read
        environ[CLOSE] = True


def _discard(environ: dict[str, Any], stream: Any) -> None:
    if _is_chunked(environ):
        if not isinstance(stream, ChunkedBody):  # not the server's reader: not read here
            environ[CLOSE] = True
            return
        _drop(stream, DISCARD_CEILING, environ)
        return
    declared = content_length(environ.get("CONTENT_LENGTH")) or 0
    left = min(declared, DISCARD_CEILING)
    while left > 0:
        piece = stream.read(min(left, PIECE))
        if not piece:
            break
        left -= len(piece)
    if declared > DISCARD_CEILING:
        environ[CLOSE] = True


def _drop(stream: Any, most: int, environ: dict[str, Any]) -> None:
    """Read and drop at most ``most`` more bytes of a chunked body; the connection closes
    (lingering) when it does not end within them."""
    while most > 0:
        piece = stream.read(min(most, PIECE))
        if not piece:
            return
        most -= len(piece)
    environ[CLOSE] = True
