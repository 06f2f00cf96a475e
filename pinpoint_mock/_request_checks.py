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
- a body werkzeug cannot read (:func:`read_body`): 400 ``BadRequestException``.

A chunked body is read here (:func:`buffer_chunked`) and put back as a ``Content-Length`` one,
so that every route, moto's included, reads it as if it had been sent so.
"""

from __future__ import annotations

import io
import re
from typing import Any, Optional
from urllib.parse import SplitResult, urlsplit

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_input_stream

from pinpoint_mock.backend.echo import echo


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


def _is_host(host: str) -> bool:
    try:
        parts = urlsplit(f"http://{host}/")
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return False
    return parts.netloc == host and bool(parts.hostname)


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body (de-chunked by werkzeug's server when it was chunked).

    Raises:
        RefusedRequestError: werkzeug could not read it: a chunk header or terminator it cannot
            decode (``OSError`` from ``werkzeug.serving.DechunkedInput``), or a body shorter
            than its ``Content-Length`` (``ClientDisconnected``).
    """
    try:
        return get_input_stream(environ).read()
    except ClientDisconnected:
        raise _bad("The request body ended before its Content-Length; send the whole body, or "
                   "a Content-Length that counts its bytes.") from None
    except OSError as error:
        raise _bad(f"The request body cannot be read ({error} in its chunked transfer coding); "
                   "send well-formed chunks, or the body with a Content-Length.") from None


def buffer_chunked(environ: dict[str, Any]) -> None:
    """Read a chunked body now and put it back as a ``Content-Length`` one.

    Raises:
        RefusedRequestError: the body cannot be read (:func:`read_body`).
    """
    if not environ.get("wsgi.input_terminated") and "chunked" not in environ.get(
            "HTTP_TRANSFER_ENCODING", "").lower():
        return
    data = read_body(environ)
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False
