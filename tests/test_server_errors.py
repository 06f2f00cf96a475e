"""What the server answers a request it cannot serve: a body it cannot read is a 400 on every
route, a fault rule fires as made, and an exception of pinpoint_mock's own code is a logged JSON
500 — never werkzeug's HTML page (docs/server.md, "Bad input")."""

from __future__ import annotations

import http.client
import json
import logging
from typing import Any, Iterator, Optional

import boto3
import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from pinpoint_mock import Fault, PinpointImportsMock, PinpointMockServer, _transport
from tests.test_server import REGION, client

BAD_CHUNKS = b"zz\r\n{}\r\n0\r\n\r\n"
"""A chunked body whose first chunk size is not hexadecimal."""


def raw(server: PinpointMockServer, method: str, path: str, body: bytes,
        headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """``http.client`` sends ``body`` as given: with ``Transfer-Encoding`` set it adds no
    ``Content-Length`` and no chunk framing of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("method, path, control", [
    ("POST", "/v1/apps", False),  # a Pinpoint route (CreateApp)
    ("POST", "/v1/apps/a1/segments", False),
    ("PUT", "/audience/in/a.csv", False),  # an S3 route of moto
    ("POST", "/_pinpoint_mock/advance", True),  # the control plane
    ("POST", "/_localstack/chaos/faults", True),
])
def test_a_malformed_chunked_body_is_400_on_every_route(
    pinpoint_server: PinpointMockServer, method: str, path: str, control: bool,
) -> None:
    """A chunked body werkzeug cannot decode (its DechunkedInput raises OSError "Invalid chunk
    header") is a 400 before any route reads it: Pinpoint's BadRequestException (JSON body and
    x-amzn-ErrorType) on Pinpoint's and moto's routes, the control plane's {"message"} on its
    own; nothing is stored and nothing is recorded. It was werkzeug's HTML 500. Source: issue
    14; RFC 7230 section 4.1 (chunk-size is hexadecimal)."""
    status, headers, body = raw(pinpoint_server, method, path, BAD_CHUNKS, {
        "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    message = ("The request body cannot be read (Invalid chunk header in its chunked transfer "
               "coding); send well-formed chunks, or the body with a Content-Length.")
    assert (status, headers["Content-Type"], headers["x-amzn-ErrorType"]) == (
        400, "application/json", "BadRequestException")
    answer = json.loads(body)
    if control:
        assert answer == {"message": message}
    else:
        assert answer == {"Message": message, "RequestID": headers["x-amzn-RequestId"]}
    assert pinpoint_server.mock.calls == []
    pinpoint = client("pinpoint", pinpoint_server.url)
    assert pinpoint.get_apps()["ApplicationsResponse"]["Item"] == []
    assert client("s3", pinpoint_server.url).list_buckets()["Buckets"] == []


def test_a_body_shorter_than_its_content_length_is_400(
    pinpoint_server: PinpointMockServer,
) -> None:
    """A body that ends (the client shuts its side) before its Content-Length is a 400 that
    says so (werkzeug's ClientDisconnected), not a 500. Source: RFC 7230 section 3.3.3 (an
    incomplete message)."""
    import socket

    with socket.create_connection(("127.0.0.1", pinpoint_server.port), timeout=10) as sock:
        sock.sendall(b'POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"Na')
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"x-amzn-ErrorType: BadRequestException" in head
    assert json.loads(body)["Message"] == (
        "The request body ended before its Content-Length; send the whole body, or a "
        "Content-Length that counts its bytes.")


def _chunks(data: bytes) -> Iterator[bytes]:
    """A generator body: ``requests`` sends it chunked (no Content-Length)."""
    yield data[:5]
    yield data[5:]


def test_a_well_formed_chunked_body_reaches_every_route(
    pinpoint_server: PinpointMockServer,
) -> None:
    """A chunked body is read once and handed on as a Content-Length one: the mock's Pinpoint
    routes, moto's S3 and the control plane each read it whole. Source: RFC 7230 section
    4.1.3 (a recipient decodes the chunked coding)."""
    url = pinpoint_server.url
    created = requests.post(f"{url}/v1/apps", data=_chunks(b'{"Name": "chunked"}'),
                            headers={"Content-Type": "application/json"}, timeout=10)
    assert created.status_code == 201 and created.json()["Name"] == "chunked"
    assert pinpoint_server.mock.calls[0].request == {"Name": "chunked"}
    moved = requests.post(f"{url}/_pinpoint_mock/advance", data=_chunks(b'{"seconds": 60}'),
                          timeout=10)
    assert moved.status_code == 200 and "now" in moved.json()

    s3 = client("s3", url)
    s3.create_bucket(Bucket="audience")
    target = f"{url}/audience/in/a.csv"
    signed = AWSRequest("PUT", target, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    S3SigV4Auth(Credentials("testing", "testing"), "s3", REGION).add_auth(signed)
    put = requests.put(target, data=_chunks(b"ChannelType,Address\n"),
                       headers=dict(signed.headers), timeout=10)
    assert put.status_code == 200, put.text
    got = s3.get_object(Bucket="audience", Key="in/a.csv")["Body"].read()
    assert got == b"ChannelType,Address\n"


def test_a_fault_rule_fires_over_http_exactly_as_made(pinpoint_server: PinpointMockServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule at the widest the fault rules allow (50 headers, an 8 KB latin-1 value with inner
    spaces and tabs, a 128-character code, an hour of latency) is sent by werkzeug as given and
    read back by boto3; an id with characters outside ASCII is escaped in x-pinpoint-mock-fault
    (it killed the server thread: http.server encodes header lines as latin-1). Source:
    docs/faults.md; RFC 7230 section 3.2."""
    from pinpoint_mock import _faults

    waited: list[float] = []
    monkeypatch.setattr(_faults, "_sleep", waited.append)
    headers = {f"x-extra-{i}": "v" for i in range(49)}
    headers["x-wide"] = "caf\xe9 \t" + "\xff" * 8185
    code = "Throttling.Too_Many-" + "x" * 108
    mock = pinpoint_server.mock
    mock.faults.add(Fault("GetApps", 429, code, "slow", latency=3600, headers=headers))
    mock.faults.add(Fault.not_found("GetApp", application_id="\u4e2d\u6587"))
    pinpoint = client("pinpoint", pinpoint_server.url)
    with pytest.raises(ClientError) as raised:
        pinpoint.get_apps()
    answered = raised.value.response
    assert (answered["Error"]["Code"], waited) == (code, [3600.0])
    assert answered["ResponseMetadata"]["HTTPHeaders"]["x-wide"] == headers["x-wide"]
    with pytest.raises(pinpoint.exceptions.NotFoundException) as missing:
        pinpoint.get_app(ApplicationId="\u4e2d\u6587")
    assert missing.value.response["ResponseMetadata"]["HTTPHeaders"][
        "x-pinpoint-mock-fault"] == (
            "404 NotFoundException on GetApp (application_id='\\u4e2d\\u6587')")


class _Broken:
    """A handler whose every answer fails as a bug of pinpoint_mock would."""

    def answer(self, *args: Any) -> Optional[Any]:
        raise ZeroDivisionError("a bug")


def test_an_exception_of_our_own_code_is_a_logged_json_500(
    pinpoint_server: PinpointMockServer, pinpoint_imports: PinpointImportsMock,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    """An exception pinpoint_mock's code did not expect is answered, on a Pinpoint route, as
    Pinpoint's InternalServerErrorException (boto3 raises its modeled class) and, on a control
    route, as {"message"} with status 500 — each message saying it is a pinpoint_mock bug — and
    logged with its traceback on the pinpoint_mock.server logger; never werkzeug's HTML 500.
    Source: the brief of issue 14 ("no route of the server may answer werkzeug's HTML 500
    page")."""
    from pinpoint_mock import _control

    message = ("pinpoint_mock failed to answer this request (ZeroDivisionError); this is a bug "
               "in pinpoint_mock, please report it with the server's log.")
    caplog.set_level(logging.ERROR, logger="pinpoint_mock.server")
    monkeypatch.setattr(_transport, "handler", lambda: _Broken())
    pinpoint = client("pinpoint", pinpoint_server.url)
    with pytest.raises(pinpoint.exceptions.InternalServerErrorException) as raised:
        pinpoint.get_apps()
    assert raised.value.response["Error"]["Message"] == message
    monkeypatch.setattr(_control.ControlPlane, "_health", _Broken.answer)
    health = requests.get(f"{pinpoint_server.url}/_pinpoint_mock/health", timeout=10)
    assert (health.status_code, health.headers["Content-Type"], health.json()) == (
        500, "application/json", {"message": message})
    logged = [r for r in caplog.records if r.name == "pinpoint_mock.server"]
    assert [r.getMessage() for r in logged] == [
        "pinpoint_mock's server failed on GET /v1/apps",
        "pinpoint_mock's server failed on GET /_pinpoint_mock/health"]
    assert all(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in logged)


@pytest.mark.parametrize("host", ["[::1", "localhost:99999", "localhost:port", "a/b", "a?b"])
def test_a_host_header_that_is_no_host_is_400(pinpoint_server: PinpointMockServer,
                                              host: str) -> None:
    """A Host header that is no ``host[:port]`` (an unclosed IPv6 bracket, a port that is not
    a number up to 65535, a path or query in it) is a 400 BadRequestException naming it; it
    raised ValueError in pinpoint_mock's routing (urlsplit). Source: RFC 7230 section 5.4
    ("a server MUST respond with a 400 ... to any request message that ... contains ... a Host
    header field with an invalid field-value")."""
    status, headers, body = raw(pinpoint_server, "GET", "/v1/apps", b"", {"Host": host})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert json.loads(body)["Message"] == (
        f"The Host header {host!r} is not a host name with an optional port; send e.g. Host: "
        "localhost:4566.")


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256 Credential=x/2020/zz/mobiletargeting/aws4_request",  # a date of 4 digits
    "AWS4-HMAC-SHA256 Credential=",
    "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x",
    "\xff\xfe",
    "Bearer abc",
])
def test_an_authorization_that_is_no_aws_signature_is_403(
    pinpoint_server: PinpointMockServer, authorization: str,
) -> None:
    """An Authorization header that is no AWS signature (SigV4, SigV4a or S3's SigV2) is a 403
    IncompleteSignatureException, on Pinpoint's routes and on moto's; moto's dispatcher, which
    reads the service and region from it, raised IndexError, KeyError or AttributeError. The
    control plane reads no signature. Source: the AWS General Reference's common errors
    (IncompleteSignature: "The request signature does not conform to AWS standards")."""
    hint = ("send an AWS signature, e.g. AWS4-HMAC-SHA256 Credential=<key>/<YYYYMMDD>/<region>/"
            "<service>/aws4_request, SignedHeaders=..., Signature=... (what every AWS SDK "
            "sends), or no Authorization header.")
    for path in ("/v1/apps", "/v1/apps/a1/settings", "/audience"):
        answer = requests.get(pinpoint_server.url + path, timeout=10,
                              headers={"Authorization": authorization})
        assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (
            403, "IncompleteSignatureException"), path
        message = answer.json()["Message"]
        assert message.startswith("The Authorization header ") and message.endswith(hint)
    health = requests.get(f"{pinpoint_server.url}/_pinpoint_mock/health", timeout=10,
                          headers={"Authorization": authorization})
    assert health.status_code == 200


@pytest.mark.parametrize("method, target, message", [
    ("POST", "*", "The request target '*' is for OPTIONS only; send 'POST' to a path that "
                  "starts with '/'."),
    ("POST", "v1/apps", "The request target 'v1/apps' is not a path; send a path that starts "
                        "with '/', e.g. /v1/apps."),
    ("GET", "http:///v1/apps", "The request target 'http:///v1/apps' is not a URL; send a "
                               "path that starts with '/', e.g. /v1/apps."),
])
def test_a_request_target_that_is_no_path_is_400(
    pinpoint_server: PinpointMockServer, method: str, target: str, message: str,
) -> None:
    """A request target is a path (origin-form), a URL (the absolute-form a client sends a
    proxy) or ``*`` for OPTIONS; anything else is a 400 BadRequestException (moto's S3 raised
    on ``POST *``). Source: RFC 7230 section 5.3."""
    status, headers, body = raw(pinpoint_server, method, target, b"{}", {})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")
    assert json.loads(body)["Message"] == message


def test_an_absolute_form_target_is_served_as_its_path_on_its_host(
    pinpoint_server: PinpointMockServer,
) -> None:
    """The absolute-form (``POST http://pinpoint.us-east-1.amazonaws.com/v1/apps``, what a client
    sends to a proxy) is served as its path, its authority taking the place of the Host header.
    Source: RFC 7230 sections 5.3.2 ("a server MUST accept the absolute-form") and 5.4."""
    status, _, body = raw(pinpoint_server, "POST",
                          "http://pinpoint.eu-west-1.amazonaws.com/v1/apps",
                          b'{"Name": "via a proxy"}', {"Content-Type": "application/json",
                                                      "Host": "elsewhere.example"})
    assert (status, json.loads(body)["Name"]) == (201, "via a proxy")
    [call] = pinpoint_server.mock.calls
    assert (call.operation, call.status) == ("CreateApp", 201)
    europe = boto3_client_in("eu-west-1", pinpoint_server.url)
    assert [a["Name"] for a in europe.get_apps()["ApplicationsResponse"]["Item"]] == [
        "via a proxy"]


def boto3_client_in(region: str, url: str) -> Any:
    return boto3.client("pinpoint", region_name=region, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_an_exception_of_moto_s_application_is_a_logged_json_500_naming_moto(
    pinpoint_server: PinpointMockServer, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An exception moto's server application raises (a request moto cannot serve: its S3 raised
    KeyError on a POST to a bucket without a query) is a JSON 500 InternalFailure that names
    moto, not pinpoint_mock, logged with moto's traceback; never werkzeug's HTML 500. Source:
    docs/server.md ("Requests it cannot serve")."""
    from moto.moto_server import werkzeug_app

    def fails(self: Any, environ: Any, start_response: Any) -> Any:
        raise KeyError("key")

    caplog.set_level(logging.ERROR, logger="pinpoint_mock.server")
    monkeypatch.setattr(werkzeug_app.DomainDispatcherApplication, "__call__", fails)
    signed = AWSRequest("GET", f"{pinpoint_server.url}/", headers={
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    S3SigV4Auth(Credentials("testing", "testing"), "s3", REGION).add_auth(signed)
    answer = requests.get(f"{pinpoint_server.url}/", headers=dict(signed.headers), timeout=10)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (500, "InternalFailure")
    assert answer.json()["Message"] == (
        "moto's server application failed on this request (KeyError); moto cannot serve it "
        "(the server's log has moto's traceback).")
    [logged] = [r for r in caplog.records if r.name == "pinpoint_mock.server"]
    assert logged.getMessage() == "moto's server application failed on GET /"
    assert logged.exc_info is not None and logged.exc_info[0] is KeyError
