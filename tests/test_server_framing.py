"""Every request the server reads, however malformed, gets an HTTP/1.1 response with a status
line and Pinpoint's JSON error, and changes nothing (docs/server.md, "Malformed requests").

The requests go over raw sockets (what no HTTP client library sends), to a server started in
the test. Sources: RFC 9112 (HTTP/1.1 message syntax), RFC 9110 (semantics), Python's
``http.server`` and werkzeug's ``WSGIRequestHandler`` (what they answered by themselves).
"""

from __future__ import annotations

import http.client
import io
import json
import socket
from typing import Iterator, Optional

import pytest
import requests

from pinpoint_mock import Fault, PinpointMockServer
from pinpoint_mock._chunked import PIECE, ChunkedBody, ChunkedBodyError
from tests.test_server import client


class Answer:
    """A response read off the wire: its raw bytes, the parsed status, headers and body."""

    def __init__(self, raw: bytes):
        self.raw = raw
        response = http.client.HTTPResponse(_Replay(raw))  # type: ignore[arg-type]
        response.begin()  # skips interim 100 Continue responses
        self.status = response.status
        self.header_lines = response.getheaders()
        self.headers = {name.lower(): value for name, value in self.header_lines}
        self.body = response.read()

    def names(self) -> list[str]:
        return [name.lower() for name, _ in self.header_lines]

    def error(self) -> tuple[int, str, str]:
        answer = json.loads(self.body)
        return self.status, self.headers.get("x-amzn-errortype", ""), answer.get(
            "Message", answer.get("message"))


class _Replay:
    def __init__(self, raw: bytes):
        self._raw = raw

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self._raw)


def exchange(server: PinpointMockServer, data: bytes, *, shut: bool = False) -> Answer:
    """Send ``data`` on one connection (``shut``: then shut the sending side) and read until
    the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    return Answer(raw)


def assert_nothing_stored(server: PinpointMockServer) -> None:
    assert server.mock.calls == []
    assert client("pinpoint", server.url).get_apps()["ApplicationsResponse"]["Item"] == []


def assert_well_formed(answer: Answer, status: int) -> None:
    """An HTTP/1.1 status line, JSON, Pinpoint's error headers, one Server and one Date, and
    the connection closed."""
    assert answer.raw.startswith(b"HTTP/1.1 %d " % status), answer.raw[:200]
    names = answer.names()
    assert names.count("server") == names.count("date") == 1
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["connection"] == "close"
    assert int(answer.headers["content-length"]) == len(answer.body)
    assert b"<html" not in answer.body.lower()
    document = json.loads(answer.body)
    assert set(document) == {"Message", "RequestID"}
    assert document["RequestID"] == answer.headers["x-amzn-requestid"]


CREATE = b'{"Name": "refused"}'

MALFORMED = [
    # (what is sent, status, x-amzn-ErrorType, the message's start)
    (b"HELLO\r\n\r\n", 400, "BadRequestException",
     "The request line 'HELLO' is not an HTTP request line"),
    (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, "HttpVersionNotSupportedException",
     "The HTTP version HTTP/9.9 is not supported"),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HttpVersionNotSupportedException",
     "The HTTP version HTTP/2.0 is not supported"),
    (b"GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505, "HttpVersionNotSupportedException",
     "The HTTP version HTTP/0.9 is not supported"),
    (b"GET /\r\n", 400, "BadRequestException",
     "The request line 'GET /' has no HTTP version (an HTTP/0.9 request"),
    (b"GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The HTTP version 'HTTP/1.x' is not HTTP/<digit>.<digit>"),
    (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The request method 'G(T' is not an HTTP method"),
    (b"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The request line 'GET / HTTP/1.1 x' is not an HTTP request line"),
    (b"GET  /v1/apps  HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The request line 'GET  /v1/apps  HTTP/1.1' is not an HTTP request line"),
    (b"GET\t/v1/apps\tHTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The request line 'GET\\t/v1/apps\\tHTTP/1.1' is not an HTTP request line"),
    (b"GET /v1/apps HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "BadRequestException",
     "The Host header 'a b' is not a host name with an optional port"),
    (b"GET /v1/apps HTTP/1.1\r\nHost: \xc3\xa9\r\n\r\n", 400, "BadRequestException",
     "The Host header"),
    (b"\r\n" * 9 + b"GET /v1/apps HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "More than 8 empty lines came before the request line"),
    (b"GET http://[::1/v1/apps HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequestException",
     "The request target 'http://[::1/v1/apps' is not a URL"),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "BadRequestException",
     "The request line is longer than 65,536 bytes"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431,
     "BadRequestException", "The request's header fields are too large"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(101))
     + b"\r\n", 431, "BadRequestException", "The request's header fields are too large"),
    (b"GET /v1/apps HTTP/1.1\r\n\r\n", 400, "BadRequestException",
     "The HTTP/1.1 request has no Host header"),
    (b"GET /v1/apps HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "BadRequestException",
     "The request has 2 Host headers"),
    (b"GET /v1/apps HTTP/1.1\r\nHost : x\r\n\r\n", 400, "BadRequestException",
     "The header line 'Host : x' is not a field"),
    (b"GET /v1/apps HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400, "BadRequestException",
     "The X-A header holds a NUL or a bare CR"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n" + CREATE, 400,
     "BadRequestException", "The Content-Length 'abc' is not a number of bytes"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: -19\r\n\r\n" + CREATE, 400,
     "BadRequestException", "The Content-Length '-19' is not a number of bytes"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: +19\r\n\r\n" + CREATE, 400,
     "BadRequestException", "The Content-Length '+19' is not a number of bytes"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 19\r\nContent-Length: 2\r\n\r\n"
     + CREATE, 400, "BadRequestException", "The request has Content-Lengths that differ (19, 2)"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 19, 2\r\n\r\n" + CREATE, 400,
     "BadRequestException", "The request has Content-Lengths that differ (19, 2)"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\nTransfer-Encoding: chunked"
     b"\r\n\r\n13\r\n" + CREATE + b"\r\n0\r\n\r\n", 400, "BadRequestException",
     "The request has both Content-Length and Transfer-Encoding"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
     400, "BadRequestException", "The Transfer-Encoding 'chunked, gzip' does not end with "
     "chunked"),
    (b"POST /v1/apps HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
     "BadRequestException", "The HTTP/1.0 request has a Transfer-Encoding"),
    (b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
     501, "NotImplementedException", "The transfer coding 'gzip' is not one this server "
     "decodes"),
]


@pytest.mark.parametrize("data, status, code, message", MALFORMED,
                         ids=[repr(case[0][:30]) for case in MALFORMED])
def test_a_malformed_request_gets_an_http_1_1_json_error_and_changes_nothing(
    pinpoint_server: PinpointMockServer, data: bytes, status: int, code: str, message: str,
) -> None:
    """Each was werkzeug's HTML page, an answer without a status line (http.server's answer to
    a line it took for HTTP/0.9), a dropped connection (an absolute-form target werkzeug could
    not split), a wait for a body that would never come (differing Content-Lengths), or served
    (no Host, two Hosts, both Content-Length and Transfer-Encoding). Sources: RFC 9112
    sections 2.2, 2.3, 3, 3.2, 5.1, 6.1, 6.3; RFC 9110 sections 5.5, 8.6, 15.6.6."""
    answer = exchange(pinpoint_server, data)
    assert_well_formed(answer, status)
    got_status, got_code, got_message = answer.error()
    assert (got_status, got_code) == (status, code)
    assert got_message.startswith(message), got_message
    assert_nothing_stored(pinpoint_server)


def test_a_malformed_request_to_the_control_plane_is_its_json_shape(
    pinpoint_server: PinpointMockServer,
) -> None:
    """The control plane's errors are ``{"message"}`` (docs/server.md), its refusals by the
    request handler too; the clock does not move."""
    before = pinpoint_server.mock.now()
    answer = exchange(pinpoint_server, b"POST /_pinpoint_mock/advance HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 16\r\nContent-Length: 17\r\n\r\n" + b'{"seconds": 60}')
    assert answer.raw.startswith(b"HTTP/1.1 400 ")
    assert json.loads(answer.body) == {"message": (
        "The request has Content-Lengths that differ (16, 17); send one Content-Length.")}
    assert pinpoint_server.mock.now() - before < 60  # not moved by 60 s


def test_empty_lines_before_the_request_line_are_ignored(
    pinpoint_server: PinpointMockServer,
) -> None:
    """RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request
    line (it dropped the connection without an answer)."""
    answer = exchange(pinpoint_server, b"\r\n\n\r\nGET /v1/apps HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (answer.status, json.loads(answer.body)) == (200, {"Item": []})


def test_an_http_1_0_request_without_host_is_served_in_http_1_1(
    pinpoint_server: PinpointMockServer,
) -> None:
    """Host is required of HTTP/1.1 requests only (RFC 9112 section 3.2)."""
    answer = exchange(pinpoint_server, b"GET /v1/apps HTTP/1.0\r\n\r\n")
    assert answer.raw.startswith(b"HTTP/1.1 200 ") and json.loads(answer.body) == {"Item": []}


def test_options_star_is_200_with_the_server_s_methods(
    pinpoint_server: PinpointMockServer,
) -> None:
    """RFC 9110 section 9.3.7: ``OPTIONS *`` asks about the server as a whole (a "ping"); it
    was moto's 403 with an empty text/html body. The mock's choice: 200, no body, ``Allow``
    with the methods some route answers (docs/server.md)."""
    answer = exchange(pinpoint_server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (answer.status, answer.body) == (200, b"")
    assert answer.headers["allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert pinpoint_server.mock.calls == []


@pytest.mark.parametrize("version, continues", [("HTTP/1.1", 1), ("HTTP/1.0", 0)])
def test_expect_100_continue_sent_twice_gets_one_interim_response(
    pinpoint_server: PinpointMockServer, version: str, continues: int,
) -> None:
    """One ``100 Continue`` however many times the expectation is sent, and none to HTTP/1.0
    (RFC 9110 section 10.1.1: "A server that receives a 100-continue expectation in an
    HTTP/1.0 request MUST ignore that expectation"); http.server and werkzeug each sent one,
    to HTTP/1.0 too."""
    answer = exchange(pinpoint_server, (
        f"POST /v1/apps {version}\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Expect: 100-continue\r\nExpect: 100-continue\r\nContent-Length: {len(CREATE)}\r\n\r\n"
    ).encode() + CREATE)
    assert answer.raw.count(b"100 Continue") == continues
    assert answer.status == 201 and json.loads(answer.body)["Name"] == "refused"


# -- chunked bodies ---------------------------------------------------------------------------

def _post_chunked(server: PinpointMockServer, chunks: bytes, path: str = "/v1/apps") -> Answer:
    return exchange(server, (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks)


@pytest.mark.parametrize("coding", ["chunked", "Chunked", "chunked,", " chunked , "])
def test_a_chunked_body_is_read_whatever_the_spelling_of_its_coding(
    pinpoint_server: PinpointMockServer, coding: str,
) -> None:
    """Transfer codings are case-insensitive, their list may hold empty items (RFC 9110
    sections 10.1.4 and 5.6.1); werkzeug 2.2 decoded only an exact "chunked" (it waited for
    a body that had come)."""
    answer = exchange(pinpoint_server, (
        f"POST /v1/apps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: {coding}\r\n\r\n"
        f"{len(CREATE):x}\r\n").encode() + CREATE + b"\r\n0\r\n\r\n")
    assert answer.status == 201 and json.loads(answer.body)["Name"] == "refused"


def test_chunk_extensions_and_trailers_are_ignored(pinpoint_server: PinpointMockServer) -> None:
    """RFC 9112 section 7.1.1 ("A recipient MUST ignore unrecognized chunk extensions") and
    7.1.2 (trailer fields); werkzeug's reader refused ``5;ext=1`` as an invalid chunk header.
    A bare LF ends a line too (section 2.2)."""
    answer = _post_chunked(pinpoint_server, b'5;ext=1\r\n{"Nam\r\nB ; a="b;c" ;x\r\ne": "chunk"'
                                            b'\r\n1\n}\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n')
    assert answer.status == 201, answer.raw
    assert json.loads(answer.body)["Name"] == "chunk"
    assert pinpoint_server.mock.calls[0].request == {"Name": "chunk"}


@pytest.mark.parametrize("chunks, reason", [
    (b"zz\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"-2\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"0x2\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"2 2\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"1" * 17 + b"\r\n{}\r\n0\r\n\r\n", "Invalid chunk header"),
    (b"2;" + b"x" * 5000 + b"\r\n{}\r\n0\r\n\r\n", "a chunk-size or trailer line longer than "
                                                   "4096 bytes"),
    (b"2\r\n{}xx\r\n0\r\n\r\n", "Missing chunk terminating newline"),
    (b"0\r\n" + b"X: 1\r\n" * 101 + b"\r\n", "more than 100 trailer lines"),
])
def test_a_malformed_chunk_is_400_and_changes_nothing(
    pinpoint_server: PinpointMockServer, chunks: bytes, reason: str,
) -> None:
    answer = _post_chunked(pinpoint_server, chunks)
    assert answer.error() == (400, "BadRequestException", (
        f"The request body cannot be read ({reason} in its chunked transfer coding); send "
        "well-formed chunks, or the body with a Content-Length."))
    assert_nothing_stored(pinpoint_server)


def test_a_chunked_body_that_ends_early_is_400(pinpoint_server: PinpointMockServer) -> None:
    answer = exchange(pinpoint_server, b"POST /v1/apps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:"
                      b" chunked\r\n\r\n40\r\n{\"Name\"", shut=True)
    assert answer.error()[:2] == (400, "BadRequestException")
    assert "the body ended inside a chunk" in answer.error()[2]
    assert_nothing_stored(pinpoint_server)


class _Recording(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: Optional[int] = -1) -> bytes:
        self.sizes.append(-1 if size is None else size)
        return super().read(size)


def test_a_chunk_is_read_at_most_64_kib_at_a_time() -> None:
    """werkzeug's DechunkedInput read a chunk's declared size at once (a declared 1 GiB chunk:
    one read of 1 GiB); the server's reader reads at most 64 KiB per read."""
    payload = b"x" * (3 * PIECE + 5)
    stream = _Recording(b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n")
    body = ChunkedBody(stream)
    assert body.read() == payload
    assert max(stream.sizes) <= PIECE
    huge = ChunkedBody(_Recording(b"40000000\r\n" + b"y" * 10))  # declares 1 GiB, sends 10
    with pytest.raises(ChunkedBodyError, match="the body ended inside a chunk"):
        huge.read(PIECE)


# -- size caps --------------------------------------------------------------------------------

def _chunks(size: int) -> Iterator[bytes]:
    yield b'{"Name": "'
    for _ in range(size // PIECE):
        yield b"x" * PIECE
    yield b'"}'


def test_a_chunked_body_over_7_mb_is_413_and_changes_nothing(
    pinpoint_server: PinpointMockServer,
) -> None:
    """Pinpoint's quota ("The maximum size of an invocation (request and response) payload is 7
    MB", developer guide) holds for a chunked body too: it was read whole into memory, however
    large. The client, still sending, reads the 413 (the server reads and drops the rest)."""
    answer = requests.post(f"{pinpoint_server.url}/v1/apps", data=_chunks(8 * 1024 * 1024),
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"], answer.json()["Message"]) == (
        413, "PayloadTooLargeException", "The request body is more than 7340032 bytes; Pinpoint "
        "accepts at most 7340032 (7 MB).")
    assert_nothing_stored(pinpoint_server)


def test_a_control_plane_body_over_7_mb_is_413(pinpoint_server: PinpointMockServer) -> None:
    before = pinpoint_server.mock.now()
    body = b'{"seconds": 60' + b" " * (7 * 1024 * 1024) + b"}"
    answer = requests.post(f"{pinpoint_server.url}/_pinpoint_mock/advance", data=body, timeout=30)
    assert (answer.status_code, answer.json()) == (413, {"message": (
        f"The request body is {len(body)} bytes; the control plane accepts at most 7340032 "
        "(7 MB).")})
    assert pinpoint_server.mock.now() - before < 60  # not moved by 60 s


def test_a_body_over_512_mib_to_moto_is_413_after_64_mib_are_read(
    pinpoint_server: PinpointMockServer,
) -> None:
    """An S3 upload declaring more than 512 MiB is refused before moto holds it in memory; the
    server reads (and drops) at most 64 MiB of it, answers, and closes the connection."""
    s3 = client("s3", pinpoint_server.url)
    s3.create_bucket(Bucket="audience")
    declared = 600 * 1024 * 1024
    head = (f"PUT /audience/big.csv HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n"
            "Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/"
            "aws4_request, SignedHeaders=host, Signature=0\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", pinpoint_server.port), timeout=30) as sock:
        sock.sendall(head)
        piece = b"x" * (1024 * 1024)
        for _ in range(64):
            sock.sendall(piece)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    answer = Answer(raw)
    assert_well_formed(answer, 413)
    assert answer.error() == (413, "PayloadTooLargeException", (
        f"The request body is {declared} bytes; pinpoint_mock's server accepts at most "
        "536870912 (512 MiB) for moto's services."))
    assert s3.list_objects_v2(Bucket="audience").get("KeyCount") == 0


def test_a_refused_request_s_body_is_read_before_the_answer(
    pinpoint_server: PinpointMockServer,
) -> None:
    """A request refused before any route reads its body (here a malformed Authorization, a
    403) is answered after its body is read and dropped, so that ``http.client``, still
    sending 7 MB, reads the answer rather than a broken pipe (Python 3.9's raised
    BrokenPipeError)."""
    connection = http.client.HTTPConnection("127.0.0.1", pinpoint_server.port, timeout=30)
    try:
        connection.request("PUT", "/v1/apps/a1/endpoints/e1", body=b"x" * (6 * 1024 * 1024),
                           headers={"Authorization": "Bearer nope"})
        response = connection.getresponse()
        status, code = response.status, response.getheader("x-amzn-ErrorType")
        response.read()
    finally:
        connection.close()
    assert (status, code) == (403, "IncompleteSignatureException")
    assert pinpoint_server.mock.calls == []


# -- server-owned headers ---------------------------------------------------------------------

def test_every_response_has_one_server_and_one_date(pinpoint_server: PinpointMockServer) -> None:
    """moto's responses carry their own ``Server: amazon.com``, which werkzeug sent beside its
    own: two Server headers (RFC 9110 section 10.2.4 defines one). The server's is kept."""
    s3 = client("s3", pinpoint_server.url)
    s3.create_bucket(Bucket="audience")
    signed = s3.list_buckets()["ResponseMetadata"]["HTTPHeaders"]
    assert signed["server"].startswith("Werkzeug/") and "," not in signed["server"]
    for target in (b"/v1/apps", b"/_pinpoint_mock/health", b"/v1/apps/nope"):
        answer = exchange(pinpoint_server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        names = answer.names()
        assert names.count("server") == names.count("date") == 1, answer.raw[:300]


@pytest.mark.parametrize("name", ["Date", "Server", "date", "Content-Length",
                                  "Transfer-Encoding", "Connection"])
def test_a_fault_cannot_set_a_header_the_server_owns(
    pinpoint_server: PinpointMockServer, name: str,
) -> None:
    """Through the Python API (ValueError) and the control plane (400 naming it); no rule is
    added."""
    with pytest.raises(ValueError, match=f"Fault headers cannot set {name!r}"):
        Fault("GetApps", 429, "TooManyRequestsException", "slow", headers={name: "x"})
    answer = requests.post(f"{pinpoint_server.url}/_pinpoint_mock/faults", timeout=10, json={
        "operation": "GetApps", "status": 429, "headers": {name: "x"}})
    assert answer.status_code == 400
    assert answer.json()["message"].startswith(f"Fault headers cannot set {name!r}")
    assert list(pinpoint_server.mock.faults) == []


# -- the control plane's bodies ---------------------------------------------------------------

@pytest.mark.parametrize("path, body, message", [
    ("/_pinpoint_mock/reset", b"{nope", "The request body is not JSON; POST "
     "/_pinpoint_mock/reset takes no body: send none (or {})."),
    ("/_pinpoint_mock/reset", b'{"all": true}', "POST /_pinpoint_mock/reset takes no fields; "
     "send no body (or {})."),
    ("/_pinpoint_mock/faults", b"{nope", "The request body is not JSON; send a JSON object, "
     'e.g. {"operation": "GetImportJob", "status": 429, "times": 2}.'),
    ("/_localstack/chaos/faults", b"{nope", "The request body is not JSON; send a JSON array, "
     'e.g. [{"service": "pinpoint", "operation": "GetImportJob", "error": {"statusCode": 429, '
     '"code": "TooManyRequestsException"}}].'),
    ("/_pinpoint_mock/jobs/a1/j1/fail", b"[1]", 'Send a JSON object, e.g. {"failures": '
     '["row 2: bad Address"], "region": "us-east-1"}.'),
])
def test_a_control_plane_400_shows_the_route_s_own_body(
    pinpoint_server: PinpointMockServer, path: str, body: bytes, message: str,
) -> None:
    """The example in a 400 was ``{"seconds": 60}`` (advance's body) on every route."""
    answer = requests.post(pinpoint_server.url + path, data=body, timeout=10)
    assert (answer.status_code, answer.json()) == (400, {"message": message})


def test_a_failure_message_over_1024_characters_is_400_and_the_job_runs_on(
    pinpoint_server: PinpointMockServer,
) -> None:
    """The mock's bound (docs/server.md): a failure message names a row and its problem."""
    s3 = client("s3", pinpoint_server.url)
    s3.create_bucket(Bucket="audience")
    s3.put_object(Bucket="audience", Key="in.csv", Body=b"ChannelType,Address\nEMAIL,a@b.c\n")
    pinpoint = client("pinpoint", pinpoint_server.url)
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    job_id = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/in.csv",
        "RoleArn": "arn:aws:iam::123456789012:role/r"})["ImportJobResponse"]["Id"]
    url = f"{pinpoint_server.url}/_pinpoint_mock/jobs/{app_id}/{job_id}/fail"
    answer = requests.post(url, json={"failures": ["ok", "x" * 1025]}, timeout=10)
    assert (answer.status_code, answer.json()["message"]) == (400, (
        'failures[1] has 1025 characters; a failure message has at most 1024, e.g. '
        '{"failures": ["row 2: bad Address"], "region": "us-east-1"}.'))
    status = pinpoint.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"]
    assert status["JobStatus"] == "CREATED"
    answer = requests.post(url, json={"failures": ["x" * 1024]}, timeout=10)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("target, message", [
    (b"http://[::1/v1/apps", "The request target 'http://[::1/v1/apps' is not a URL"),
    (b"http://h:abc/v1/apps", "The Host header 'h:abc' is not a host name"),
])
def test_a_target_werkzeug_cannot_split_is_400_on_a_server_that_logs_requests(
    pinpoint_imports: object, target: bytes, message: str, caplog: pytest.LogCaptureFixture,
) -> None:
    """With request logging on (``quiet=False``, ``pinpoint-mock serve``'s default), werkzeug's
    ``log_request`` raised ValueError on an authority it cannot split, after the 400 was
    chosen: the connection was dropped with no answer (found by an outside attacker). The
    request line is logged as sent."""
    with PinpointMockServer(pinpoint_imports, quiet=False) as server:  # type: ignore[arg-type]
        answer = exchange(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert_well_formed(answer, 400)
    assert answer.error()[2].startswith(message)
    # logged (werkzeug 2.2 writes the target without the port it cannot read, 3.x as sent)
    assert any(record.getMessage().endswith(" 400 -") for record in caplog.records)
    assert not any(record.exc_info for record in caplog.records)


def test_a_control_plane_body_short_of_its_content_length_is_400(
    pinpoint_server: PinpointMockServer,
) -> None:
    """As on Pinpoint's routes; it was a 500 that called itself a bug (werkzeug's
    ClientDisconnected, found by an outside attacker). The clock does not move."""
    before = pinpoint_server.mock.now()
    answer = exchange(pinpoint_server, b"POST /_pinpoint_mock/advance HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 50\r\n\r\n" + b'{"seconds": 60}', shut=True)
    assert answer.status == 400
    assert json.loads(answer.body)["message"].startswith(
        "The request body ended before its Content-Length")
    assert pinpoint_server.mock.now() - before < 60


@pytest.mark.parametrize("path", ["/_pinpoint_mock//health", "/_pinpoint_mock//faults",
                                  "/_pinpoint_mock/health//"])
def test_a_doubled_slash_on_a_control_route_is_404(
    pinpoint_server: PinpointMockServer, path: str,
) -> None:
    """werkzeug's routing offered a redirect to the merged path, which the control plane took
    for a bug (500, found by an outside attacker); a path is matched as sent."""
    response = requests.get(pinpoint_server.url + path, timeout=10)
    assert response.status_code == 404
    assert response.json()["message"].startswith(f"No control-plane route GET {path};")


def test_werkzeug_s_html_error_page_from_moto_is_a_json_error(
    pinpoint_server: PinpointMockServer,
) -> None:
    """An unsigned request no AWS service of moto's takes (TRACE /) got werkzeug's HTML 405
    page through moto's server application (found by an outside attacker); no AWS service
    answers HTML, so it is Pinpoint's JSON error with the status kept."""
    answer = exchange(pinpoint_server, b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 405
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amzn-errortype"] == "MethodNotAllowedException"
    assert answer.error()[2].startswith("moto's server answered 405")


def test_a_scope_naming_no_aws_service_is_400_naming_it(
    pinpoint_server: PinpointMockServer,
) -> None:
    """moto's server application cannot dispatch a service it does not know (a JSON 500 with
    moto's traceback logged, found by an outside attacker); in process it is an
    UnservedRequestError naming the service (docs/server.md)."""
    answer = exchange(pinpoint_server, (
        b"GET /things HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/"
        b"20261201/us-east-1/nosuchservice/aws4_request, SignedHeaders=host, Signature=0\r\n"
        b"\r\n"))
    assert_well_formed(answer, 400)
    assert answer.error()[2].startswith(
        "The request's credential scope names the service 'nosuchservice'")


@pytest.mark.parametrize("path, status", [(b"/v1/apps", 200), (b"/v1/apps/nope", 404)])
def test_an_http_1_0_request_is_answered_with_a_content_length_not_chunked(
    pinpoint_server: PinpointMockServer, path: bytes, status: int,
) -> None:
    """RFC 9112 section 6.1: no Transfer-Encoding to a request that is not HTTP/1.1; werkzeug's
    server answered a response without a length chunked whatever the request's version, and
    an HTTP/1.0 client read the chunk framing as the body (found by an outside attacker)."""
    answer = exchange(pinpoint_server, b"GET " + path + b" HTTP/1.0\r\nAuthorization: "
                      b"AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/mobiletargeting/"
                      b"aws4_request, SignedHeaders=host, Signature=0\r\n\r\n")
    assert answer.status == status
    assert "transfer-encoding" not in answer.headers
    assert int(answer.headers["content-length"]) == len(answer.body)
    json.loads(answer.body)
    assert answer.raw.endswith(answer.body)  # nothing after the body: no chunk framing
