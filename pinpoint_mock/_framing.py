"""What the server refuses in a request's first line and header fields, before werkzeug makes
an environ of them: the HTTP/1.1 framing rules of RFC 9112.

:func:`request_line_problem` and :func:`header_problem` return a :class:`Problem` (status,
error code, one sentence that says the fix) or None; the server's request handler
(:mod:`pinpoint_mock._http_handler`) answers a problem as Pinpoint's JSON error and closes the
connection, as RFC 9112 section 6.3 asks of a server that cannot frame a request.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import NamedTuple, Optional
from urllib.parse import urlsplit

from pinpoint_mock.backend.echo import echo

MAX_EMPTY_LINES = 8
"""Empty lines ignored before a request line (RFC 9112 section 2.2: "a server that is
expecting to receive and parse a request-line SHOULD ignore at least one empty line (CRLF)
received prior to the request-line"); more is a 400."""
MAX_LENGTH_DIGITS = 18
"""Digits of a ``Content-Length`` read as a number; a longer one is larger than any cap (and
than what ``int()`` reads quickly)."""

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""RFC 9110 section 5.6.2 ``token``: a method and a field name."""
_VERSION = re.compile(r"HTTP/([0-9])\.([0-9])")
"""RFC 9112 section 2.3: ``HTTP-version = "HTTP" "/" DIGIT "." DIGIT`` (case-sensitive)."""
_DIGITS = re.compile(r"[0-9]+")


class Problem(NamedTuple):
    """A request the server refuses: ``status``, the ``x-amzn-ErrorType`` ``code``, and the
    ``message`` (one sentence that says the fix)."""

    status: int
    code: str
    message: str


def bad(message: str) -> Problem:
    """A 400 ``BadRequestException``."""
    return Problem(400, "BadRequestException", message)


def request_line_problem(line: str) -> Optional[Problem]:
    """Why ``line`` (the request line as latin-1 text, without its CRLF) is no HTTP/1.x
    request line, or None.

    RFC 9112 section 3: ``request-line = method SP request-target SP HTTP-version``; an
    invalid request line is a 400 (section 3). A line without a version (HTTP/0.9's ``GET
    /``) is one: the server answers in HTTP/1.1, never a bare HTTP/0.9 body. A version other
    than 1.x is a 505 ``HttpVersionNotSupportedException`` (RFC 9110 section 15.6.6).
    """
    words = line.split()
    example = "e.g. GET /v1/apps HTTP/1.1"
    if not words:
        return bad(f"More than {MAX_EMPTY_LINES} empty lines came before the request line; "
                   f"send the request line first, {example}.")
    if len(words) == 2 and _TOKEN.fullmatch(words[0]):
        return bad(f"The request line {echo(line)} has no HTTP version (an HTTP/0.9 request, "
                   f"which this server does not answer); send method, target and version, "
                   f"{example}.")
    if len(words) != 3 or line != " ".join(words):  # one SP between, none around
        return bad(f"The request line {echo(line)} is not an HTTP request line; send method, "
                   f"target and version separated by spaces, {example}.")
    method, _, version = words
    if not _TOKEN.fullmatch(method):
        return bad(f"The request method {echo(method)} is not an HTTP method (a token of "
                   f"letters, digits or !#$%&'*+-.^_`|~); send e.g. GET or POST.")
    match = _VERSION.fullmatch(version)
    if match is None:
        return bad(f"The HTTP version {echo(version)} is not HTTP/<digit>.<digit>; send "
                   f"HTTP/1.1.")
    if match.group(1) != "1":
        return Problem(505, "HttpVersionNotSupportedException", (
            f"The HTTP version {version} is not supported; this server speaks HTTP/1.0 and "
            "HTTP/1.1: send HTTP/1.1."))
    return None


def target_problem(target: str) -> Optional[Problem]:
    """Why the request target cannot be split into its parts (``urlsplit`` raises on an
    absolute-form target with an unclosed IPv6 bracket, ``http://[::1/v1/apps``), or None."""
    try:
        urlsplit(target)
    except ValueError:
        return bad(f"The request target {echo(target)} is not a URL; send a path that starts "
                   "with '/', e.g. /v1/apps.")
    return None


def header_problem(headers: Message, version: str) -> Optional[Problem]:
    """Why the header fields of an ``HTTP/1.x`` request (``version``) cannot frame it, or None.

    - a line that is no field (whitespace before the colon: RFC 9112 section 5.1, "A server
      MUST reject ... with a response status code of 400"; ``http.client`` dropped it and every
      field after it), a field name that is not a token, or a value holding NUL or a bare CR
      (RFC 9110 sections 5.1 and 5.5);
    - no ``Host`` in an HTTP/1.1 request, or several ``Host`` fields (RFC 9112 section 3.2:
      "A server MUST respond with a 400");
    - a ``Content-Length`` that is not digits, or several that differ (RFC 9112 section 6.3,
      item 5; identical repeats are one, RFC 9110 section 8.6);
    - ``Transfer-Encoding`` beside ``Content-Length`` (RFC 9112 section 6.1: a server MAY
      reject it, and must close the connection either way: it is refused), in an HTTP/1.0
      request (section 6.1: its framing "MUST" be treated as faulty), a transfer coding
      list whose last coding is not ``chunked`` (section 6.3, item 4: 400), or a coding other
      than ``chunked``, which the server does not decode (section 6.1: 501
      ``NotImplementedException``).
    """
    payload = headers.get_payload()
    if headers.defects or payload:  # http.client stops reading fields at a line it cannot read
        first = str(payload).splitlines()[0] if payload else ""
        return bad(f"The header line {echo(first)} is not a field (a name, a colon right after "
                   "it, a value); send e.g. Content-Type: application/json.")
    for name in headers.keys():
        if not _TOKEN.fullmatch(name):
            return bad(f"The header name {echo(name)} is not a field name (a token, no space "
                       "before the colon); send e.g. Content-Type: application/json.")
    for name, value in headers.items():
        text = value.replace("\r\n", "")
        if "\x00" in text or "\r" in text:
            return bad(f"The {name} header holds a NUL or a bare CR; send a value of visible "
                       "characters, spaces and tabs.")
    hosts = headers.get_all("Host") or []
    if len(hosts) > 1:
        return bad(f"The request has {len(hosts)} Host headers; send exactly one, e.g. Host: "
                   "localhost:4566.")
    if not hosts and version == "HTTP/1.1":
        return bad("The HTTP/1.1 request has no Host header; send one, e.g. Host: "
                   "localhost:4566 (RFC 9112 section 3.2).")
    lengths = [part.strip(" \t") for value in headers.get_all("Content-Length") or []
               for part in value.split(",")]
    for length in lengths:
        if not _DIGITS.fullmatch(length):
            return bad(f"The Content-Length {echo(length)} is not a number of bytes; send the "
                       "body's length in decimal digits, e.g. Content-Length: 42.")
    if len({length.lstrip("0") for length in lengths}) > 1:
        return bad(f"The request has Content-Lengths that differ ({', '.join(lengths)}); send "
                   "one Content-Length.")
    codings = [part.strip(" \t").lower() for value in headers.get_all("Transfer-Encoding") or []
               for part in value.split(",") if part.strip(" \t")]
    if headers.get_all("Transfer-Encoding") is None:
        return None
    if lengths:
        return bad("The request has both Content-Length and Transfer-Encoding; send one of "
                   "them (RFC 9112 section 6.1).")
    if version != "HTTP/1.1":
        return bad(f"The {version} request has a Transfer-Encoding, which HTTP/1.0 does not "
                   "have; send HTTP/1.1, or the body with a Content-Length (RFC 9112 section "
                   "6.1).")
    if not codings or codings[-1] != "chunked":
        return bad(f"The Transfer-Encoding {echo(', '.join(codings))} does not end with "
                   "chunked, so the body's end cannot be found; send Transfer-Encoding: chunked "
                   "or a Content-Length.")
    if codings != ["chunked"]:
        return Problem(501, "NotImplementedException", (
            f"The transfer coding {echo(', '.join(codings[:-1]))} is not one this server "
            "decodes; send the body with Transfer-Encoding: chunked alone, or a "
            "Content-Length."))
    return None


def content_length(value: Optional[str]) -> Optional[int]:
    """A ``Content-Length`` as checked by :func:`header_problem` (digits, possibly a list of one
    repeated number) as a number; one of more than :data:`MAX_LENGTH_DIGITS` digits is
    ``10**MAX_LENGTH_DIGITS``; None for no (or an empty) header."""
    if not value:
        return None
    first = value.split(",", 1)[0].strip(" \t")
    if not _DIGITS.fullmatch(first):
        return None
    digits = first.lstrip("0") or "0"
    return 10 ** MAX_LENGTH_DIGITS if len(digits) > MAX_LENGTH_DIGITS else int(digits)
