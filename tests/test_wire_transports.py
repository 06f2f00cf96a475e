"""Routing, validation and unserved operations are the same in every transport.

The cases of tests/test_routing.py, tests/test_request_validation.py and
tests/test_unserved_operations.py go through botocore; here the same raw requests (SigV4-signed
for ``mobiletargeting``, as code calling Pinpoint's REST API directly signs them) go through
``requests`` (answered in process, on Pinpoint's host and on a LocalStack-style
``endpoint_url``) and over HTTP to the server (``PinpointMockServer``), whose raw request
target (``REQUEST_URI``) is routed as sent. Sources: botocore's Pinpoint model (routes,
shapes), RFC 9110 (methods are case-sensitive; a response to HEAD has no body).
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote, urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pinpoint_mock import PinpointImportsMock, PinpointMockServer

REGION = "us-east-1"
Send = Callable[..., tuple[int, dict[str, str], bytes]]
"""``send(method, path, body=None)`` -> ``(status, headers (lower-case names), body)``."""


def _signed_headers(method: str, url: str, body: Optional[bytes]) -> dict[str, str]:
    request = AWSRequest(method, url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "mobiletargeting", REGION).add_auth(request)
    return dict(request.headers)


def _by_requests(base: str) -> Send:
    def send(method: str, path: str, body: Optional[bytes] = None) -> Any:
        url = base + path
        response = requests.request(method, url, data=body, timeout=10,
                                    headers=_signed_headers(method, url, body))
        return (response.status_code, {k.lower(): v for k, v in response.headers.items()},
                response.content)

    return send


def _by_http(base: str) -> Send:
    parts = urlsplit(base)

    def send(method: str, path: str, body: Optional[bytes] = None) -> Any:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            connection.request(method, path, body=body,
                               headers=_signed_headers(method, base + path, body))
            response = connection.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read())
        finally:
            connection.close()

    return send


@pytest.fixture(params=["requests", "requests-endpoint-url", "server"])
def send(request: pytest.FixtureRequest, pinpoint_imports: PinpointImportsMock) -> Iterator[Send]:
    if request.param == "server":
        with PinpointMockServer(pinpoint_imports) as server:
            yield _by_http(server.url)
        return
    base = (f"https://pinpoint.{REGION}.amazonaws.com" if request.param == "requests"
            else "http://localhost:4566")
    yield _by_requests(base)


@pytest.fixture
def app(send: Send) -> str:
    status, _, body = send("POST", "/v1/apps", json.dumps({"Name": "wire"}).encode())
    assert status == 201
    return str(json.loads(body)["Id"])


def _error(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, str, str]:
    status, headers, body = answer
    return status, headers.get("x-amzn-errortype", ""), json.loads(body)["Message"]


def test_a_path_member_holding_a_slash_is_that_member(send: Send, app: str) -> None:
    """Issue 14: a member holding ``/`` (sent as ``%2F``) was another route."""
    endpoint = json.dumps({"ChannelType": "EMAIL", "Address": "a@b.c"}).encode()
    assert send("PUT", f"/v1/apps/{app}/endpoints/a%2Fversions", endpoint)[0] == 202
    status, _, body = send("GET", f"/v1/apps/{app}/endpoints/a%2Fversions")
    assert (status, json.loads(body)["Id"]) == (200, "a/versions")
    status, _, body = send("POST", f"/v1/apps/{app}/segments", b'{"Name": "s"}')
    segment = json.loads(body)["Id"]
    assert _error(send("GET", f"/v1/apps/{app}/segments/{segment}%2Fversions")) == (
        404, "NotFoundException", f"Segment '{segment}/versions' not found in application "
        f"'{app}'.")


def test_head_and_a_method_no_operation_has_are_405_with_allow(send: Send, app: str) -> None:
    """Issue 14: HEAD on a served path was answered as GET. A response to HEAD has no body."""
    status, headers, body = send("HEAD", f"/v1/apps/{app}/jobs/import")
    assert (status, headers["x-amzn-errortype"], headers["allow"], body) == (
        405, "MethodNotAllowedException", "GET, POST, OPTIONS", b"")
    assert _error(send("PATCH", f"/v1/apps/{app}/jobs/import", b"{}")) == (
        405, "MethodNotAllowedException", f"Method PATCH is not allowed on /v1/apps/{app}/jobs/"
        "import; this resource allows GET, POST, OPTIONS.")
    status, headers, body = send("OPTIONS", f"/v1/apps/{app}/jobs/import")
    assert (status, headers["allow"], body) == (200, "GET, POST, OPTIONS", b"")


def test_a_lower_case_method_is_not_get_over_http(pinpoint_imports: PinpointImportsMock) -> None:
    """RFC 9110, section 9.1: methods are case-sensitive (``requests`` upper-cases them, so
    only a raw HTTP client sends ``get``)."""
    with PinpointMockServer(pinpoint_imports) as server:
        status, _, body = _by_http(server.url)("get", "/v1/apps")
    assert (status, json.loads(body)["Message"]) == (
        405, "Method get is not allowed on /v1/apps; this resource allows GET, POST, OPTIONS "
        "(HTTP methods are case-sensitive: did you mean GET?).")


@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/apps//", "/v1/nothing/", "/"])
def test_a_pinpoint_request_no_operation_matches_is_404(send: Send, path: str) -> None:
    """Issue 14: such a request was handed to moto (its bare 404, or a network send)."""
    assert _error(send("GET", path)) == (
        404, "NotFoundException", f"No Pinpoint operation at GET {path}.")


@pytest.mark.parametrize(
    ("method", "path", "body", "operation", "member"),
    [
        ("GET", "/v1/apps/{app}/segments/", None, "GetSegment", "SegmentId"),
        ("GET", "/v1/apps//segments", None, "GetSegments", "ApplicationId"),
        ("GET", "/v1/apps/", None, "GetApp", "ApplicationId"),
        ("DELETE", "/v1/apps/", None, "DeleteApp", "ApplicationId"),
        ("GET", "/v1/apps//settings", None, "GetApplicationSettings", "ApplicationId"),
        ("GET", "/v1/apps/{app}/jobs/import/", None, "GetImportJob", "JobId"),
        ("GET", "/v1/apps/{app}/segments/s/versions/", None, "GetSegmentVersion", "Version"),
        ("PUT", "/v1/apps/{app}/endpoints/",
         b'{"Item":[{"Id":"e1","ChannelType":"EMAIL","Address":"z@x.com"}]}',
         "UpdateEndpoint", "EndpointId"),
        ("POST", "/v1/apps//segments", b'{"Name": "s"}', "CreateSegment", "ApplicationId"),
    ],
)
def test_a_path_with_an_empty_member_is_400_naming_it_in_every_transport(
    send: Send, app: str, pinpoint_imports: PinpointImportsMock, method: str, path: str,
    body: Optional[bytes], operation: str, member: str,
) -> None:
    """AWS unknown: rule chosen, documented in docs/requests.md (Routing): a path that
    matches an operation's URI template (botocore's model) only with an empty label is that
    operation with an empty member, a 400 naming it, recorded as it; nothing is stored (issue
    14: ``.../endpoints/`` with an ``Item`` body was UpdateEndpointsBatch and stored it)."""
    assert _error(send(method, path.format(app=app), body)) == (
        400, "BadRequestException", f"{member} must not be empty.")
    call = pinpoint_imports.calls[-1]
    assert (call.operation, call.status, call.params[member]) == (operation, 400, "")
    assert send("GET", f"/v1/apps/{app}/endpoints/e1")[0] == 404
    assert json.loads(send("GET", f"/v1/apps/{app}/segments")[2]) == {"Item": []}
    assert [a["Id"] for a in json.loads(send("GET", "/v1/apps")[2])["Item"]] == [app]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "FOO", "PROPFIND"])
def test_a_method_no_operation_has_is_405_naming_it_in_every_transport(
    send: Send, app: str, method: str
) -> None:
    """Issue 14: through ``requests`` such a method matched no ``responses`` callback and was
    sent to the network. 405 MethodNotAllowedException naming the method, with ``Allow``
    (the resource's methods in botocore's model), as for PATCH."""
    status, headers, body = send(method, f"/v1/apps/{app}/jobs/import")
    assert (status, headers["x-amzn-errortype"], headers["allow"]) == (
        405, "MethodNotAllowedException", "GET, POST, OPTIONS")
    assert json.loads(body)["Message"] == (
        f"Method {method} is not allowed on /v1/apps/{app}/jobs/import; this resource allows "
        "GET, POST, OPTIONS.")


def test_an_unserved_operation_is_405_naming_it_and_recorded(
    send: Send, app: str, pinpoint_imports: PinpointImportsMock
) -> None:
    """Issue 10, item 6."""
    status, code, message = _error(send("GET", f"/v1/apps/{app}/campaigns"))
    assert (status, code) == (405, "MethodNotAllowedException")
    assert message.startswith("pinpoint_mock does not serve GetCampaigns (GET /v1/apps/"
                              "{application-id}/campaigns). It serves import and export jobs")
    call = pinpoint_imports.calls[-1]
    assert (call.operation, call.status, call.params) == (
        "GetCampaigns", 405, {"ApplicationId": app})


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("PUT", "/v1/apps/{app}/endpoints/e1", b'{"User": "abc"}',
         (400, "BadRequestException", "User must be an object, got 'abc'.")),
        ("PUT", "/v1/apps/{app}/endpoints", b'{"Item": [{"Id": "x", "OptOut": "SOME"}]}',
         (400, "BadRequestException", "Item[0] (Id 'x'): OptOut must be ALL or NONE, got "
          "'SOME'.")),
        ("POST", "/v1/apps/{app}/jobs/import", b'{"a":' * 5000,
         (400, "BadRequestException", "The request body is nested too deeply to be read.")),
        ("POST", "/v1/apps/{app}/jobs/import", b"\xff\xfe{}",
         (400, "BadRequestException", "The request body is not valid JSON: it is not UTF-8 "
          "text (byte 0).")),
        ("POST", "/v1/apps/{app}/jobs/export", b'{"S3UrlPrefix": 5, "RoleArn": "r"}',
         (400, "BadRequestException", "S3UrlPrefix must be a string, got 5.")),
        ("GET", "/v1/apps/{app}/jobs/import?page-size=%C2%B2", None,
         (400, "BadRequestException", "PageSize must be a whole number from 1 to 1000, got "
          "'\u00b2'.")),
        ("POST", "/v1/apps", b'{"Name": "x", "tags": []}',
         (400, "BadRequestException", "tags must be an object, got [].")),
        ("PUT", "/v1/apps/{app}/settings", b'{"CloudWatchMetricsEnabled": "yes"}',
         (400, "BadRequestException", "CloudWatchMetricsEnabled must be true or false, got "
          "'yes'.")),
    ],
    ids=["endpoint", "batch", "nested", "not-utf-8", "export", "page-size", "app", "moto-s"],
)
def test_a_bad_request_is_400_naming_the_member(
    send: Send, app: str, method: str, path: str, body: Optional[bytes],
    expected: tuple[int, str, str],
) -> None:
    assert _error(send(method, path.format(app=app), body)) == expected
    assert send("GET", f"/v1/apps/{app}/endpoints/e1")[0] == 404  # nothing stored
    status, _, listed = send("GET", "/v1/apps")
    assert [a["Id"] for a in json.loads(listed)["Item"]] == [app]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        # operations moto answers
        ("PUT", "/v1/apps/{app}/settings", "WriteApplicationSettingsRequest"),
        ("POST", "/v1/apps/{app}/eventstream", "WriteEventStream"),
        ("POST", "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aus-east-1%3A123456789012%3Aapps%2F{app}",
         "TagsModel"),
        # operations the mock serves
        ("PUT", "/v1/apps/{app}/endpoints/e1", "EndpointRequest"),
        ("PUT", "/v1/apps/{app}/endpoints", "EndpointBatchRequest"),
        ("POST", "/v1/apps/{app}/segments", "WriteSegmentRequest"),
        ("POST", "/v1/apps/{app}/jobs/import", "ImportJobRequest"),
        ("POST", "/v1/apps/{app}/jobs/export", "ExportJobRequest"),
        ("POST", "/v1/apps", "CreateApplicationRequest"),
    ],
)
def test_an_operation_without_its_required_body_is_400(
    send: Send, app: str, pinpoint_imports: PinpointImportsMock, method: str, path: str,
    payload: str,
) -> None:
    """botocore's model makes the payload of these operations required (botocore always
    sends it, ``{}`` at least). Found by fuzzing the wire for moto's operations: without a
    body moto's handler read it as JSON and failed (a JSONDecodeError out of ``requests``, a
    500 from the server); found by a fresh attacker for the mock's: UpdateEndpoint without a
    body was 202 and stored an endpoint, CreateSegment 201. 400 naming the payload member,
    recorded as the mock's with the members of the path, nothing changed."""
    assert _error(send(method, path.format(app=app))) == (
        400, "BadRequestException",
        f"{payload} is required: the request has no body (a JSON object; {{}} for none of its "
        "members).")
    call = pinpoint_imports.calls[-1]
    assert (call.status, call.answered_by) == (400, "mock")
    if path.startswith("/v1/apps/{app}"):
        assert call.params["ApplicationId"] == app
    status, _, body = send("GET", f"/v1/apps/{app}/settings")
    assert (status, json.loads(body)["CloudWatchMetricsEnabled"]) == (200, False)
    assert send("GET", f"/v1/apps/{app}/endpoints/e1")[0] == 404
    for listing in (f"/v1/apps/{app}/segments", f"/v1/apps/{app}/jobs/import",
                    f"/v1/apps/{app}/jobs/export"):
        status, _, body = send("GET", listing)
        assert (status, json.loads(body)["Item"]) == (200, [])
    status, _, listed = send("GET", "/v1/apps")
    assert [a["Id"] for a in json.loads(listed)["Item"]] == [app]


def test_members_the_model_does_not_know_are_not_stored_by_moto_either(
    send: Send, app: str
) -> None:
    """docs/requests.md (Unknown members: ignored, and not stored), for the operations moto
    answers too: moto stored the body as sent (found by fuzzing: ``{"CampaignHook": {"":
    null}}`` came back in every later GetApplicationSettings)."""
    body = json.dumps({"CloudWatchMetricsEnabled": True, "Colour": "red",
                       "CampaignHook": {"": None, "Mode": "FILTER", "x": 1}}).encode()
    status, _, answered = send("PUT", f"/v1/apps/{app}/settings", body)
    assert status == 200
    for document in (json.loads(answered),
                     json.loads(send("GET", f"/v1/apps/{app}/settings")[2])):
        assert document["CloudWatchMetricsEnabled"] is True
        assert "Colour" not in document and document["CampaignHook"] == {"Mode": "FILTER"}


def test_a_body_over_7_mb_is_413(send: Send, app: str) -> None:
    body = json.dumps({"Address": "x" * (7 * 1024 * 1024)}).encode()
    assert _error(send("PUT", f"/v1/apps/{app}/endpoints/e1", body)) == (
        413, "PayloadTooLargeException",
        f"The request body is {len(body)} bytes; Pinpoint accepts at most 7340032 (7 MB).")


def _raw_get(url: str, target: bytes) -> tuple[int, bytes]:
    """GET ``target`` (bytes as they go on the wire: http.client would refuse non-ASCII) over
    one connection to the server at ``url``; ``(status, body)``."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + parts.netloc.encode()
                     + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunked(body)
    return int(head.split(b" ", 2)[1]), body


def _unchunked(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, body = out + rest[:size], rest[size + 2:]
    return out


@pytest.mark.parametrize("endpoint_id", ["é", "é ü/ß", "日本", "🙂"])
def test_raw_utf_8_in_the_path_is_the_member_a_percent_encoded_one_is(
    pinpoint_imports: PinpointImportsMock, endpoint_id: str
) -> None:
    """A client that sends a path's UTF-8 bytes as they are (RFC 3987 IRIs; curl and many
    HTTP libraries do) names the same member as one that percent-encodes them (botocore; RFC
    3986, section 2.5: characters are UTF-8, then percent-encoded). Issue 14: WSGI gives the
    target as latin-1-decoded bytes (werkzeug's twice over), so such an Id came out as
    mojibake (``Ã\x83Â©`` for ``é``)."""
    with PinpointMockServer(pinpoint_imports) as server:
        import boto3

        client = boto3.client("pinpoint", region_name=REGION, endpoint_url=server.url)
        app_id = client.create_app(CreateApplicationRequest={"Name": "raw"})[
            "ApplicationResponse"]["Id"]
        client.update_endpoint(ApplicationId=app_id, EndpointId=endpoint_id, EndpointRequest={
            "ChannelType": "EMAIL", "Address": "a@b.c"})
        raw = endpoint_id.replace(" ", "%20").replace("/", "%2F").encode()
        status, body = _raw_get(server.url, f"/v1/apps/{app_id}/endpoints/".encode() + raw)
        assert (status, json.loads(body)["Id"]) == (200, endpoint_id)
        status, body = _raw_get(server.url, f"/v1/apps/{app_id}/endpoints/".encode()
                                + quote(endpoint_id, safe="").encode())
        assert (status, json.loads(body)["Id"]) == (200, endpoint_id)
        assert [call.params.get("EndpointId") for call in pinpoint_imports.calls[-2:]] == [
            endpoint_id, endpoint_id]


def test_a_server_other_than_werkzeug_gives_the_target_s_bytes_as_latin_1() -> None:
    """PEP 3333: environ strings are bytes as latin-1; only werkzeug's server (its
    ``SERVER_SOFTWARE``) encodes the target once more, so only its is undone twice."""
    from pinpoint_mock._wsgi import request_url

    raw = "/v1/apps/a/endpoints/é%2Fx".encode()
    plain = {"HTTP_HOST": "h", "RAW_URI": raw.decode("latin-1"), "SERVER_SOFTWARE": "gunicorn"}
    werkzeug = {"HTTP_HOST": "h", "REQUEST_URI": raw.decode("latin-1").encode().decode(
        "latin-1"), "SERVER_SOFTWARE": "Werkzeug/3.1.3 Python/3.11"}
    for environ in (plain, werkzeug):
        assert request_url(environ) == "http://h/v1/apps/a/endpoints/%C3%A9%2Fx"


def test_an_unsigned_request_with_an_empty_member_is_pinpoint_s_on_the_server(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    """The server takes an unsigned request on a path of Pinpoint's model (a browser's, a
    hand-made call) as Pinpoint's; a path of the model with an empty label is one too (it
    is not handed to moto's S3)."""
    with PinpointMockServer(pinpoint_imports) as server:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            connection.request("GET", "/v1/apps/")
            response = connection.getresponse()
            answer = (response.status, response.getheader("x-amzn-ErrorType"),
                      json.loads(response.read())["Message"])
        finally:
            connection.close()
    assert answer == (400, "BadRequestException", "ApplicationId must not be empty.")


def _served_path_members() -> list[tuple[str, str, str, str]]:
    """``(operation, method, path, member)``: every path member of every operation the mock
    or moto answers, as ``%FF`` in a path whose other members are ``m1``."""
    from pinpoint_mock._apps import APP_OPERATIONS
    from pinpoint_mock._dispatch import SERVED_OPERATIONS, moto_operations
    from pinpoint_mock._routing import _TEMPLATE_VARIABLE, router

    cases = []
    for operation in sorted({*SERVED_OPERATIONS, *APP_OPERATIONS, *moto_operations()}):
        route = router().routes[operation]
        template = route.template.split("?", 1)[0]
        for variable in _TEMPLATE_VARIABLE.findall(template):
            member = route.uri[variable.rstrip("+").replace("-", "_")]
            path = template.replace("{" + variable + "}", "%FF")
            cases.append((operation, route.method, _TEMPLATE_VARIABLE.sub("m1", path), member))
    return cases


@pytest.mark.parametrize(("operation", "method", "path", "member"), _served_path_members())
def test_a_path_member_that_is_not_utf_8_is_400_naming_it(
    send: Send, pinpoint_imports: PinpointImportsMock, operation: str, method: str, path: str,
    member: str,
) -> None:
    """A path member's percent-decoded bytes must be UTF-8 (RFC 3986, section 2.5; the
    model's members are strings). Found by an outside attacker: ``%FF`` was decoded with a
    replacement character, so ``/endpoints/%FF`` and ``/endpoints/%FE`` were one endpoint.
    400 naming the member, recorded as the operation's, nothing changed."""
    body = b"{}" if method in ("POST", "PUT") else None
    assert _error(send(method, path, body)) == (
        400, "BadRequestException",
        f"{member} must be UTF-8 text once percent-decoded; %FF is not (byte 0).")
    call = pinpoint_imports.calls[-1]
    assert (call.operation, call.status, call.params[member]) == (operation, 400, "%FF")
    assert _error(send("GET", "/v1/apps/m1"))[0] == 404  # no application was made


def test_two_undecodable_endpoint_ids_are_not_one_endpoint(send: Send, app: str) -> None:
    put = send("PUT", f"/v1/apps/{app}/endpoints/%FF",
               json.dumps({"ChannelType": "EMAIL", "Address": "ana@example.com"}).encode())
    assert _error(put)[:2] == (400, "BadRequestException")
    assert _error(send("GET", f"/v1/apps/{app}/endpoints/%FE"))[2] == (
        "EndpointId must be UTF-8 text once percent-decoded; %FE is not (byte 0).")
    assert _error(send("GET", f"/v1/apps/{app}/endpoints/%EF%BF%BD"))[0] == 404  # U+FFFD


def test_a_query_member_that_is_not_utf_8_is_400_naming_it(send: Send, app: str) -> None:
    assert _error(send("GET", f"/v1/apps/{app}/segments?token=ok%C3")) == (
        400, "BadRequestException",
        "Token must be UTF-8 text once percent-decoded; ok%C3 is not.")


@pytest.fixture(params=["requests-endpoint-url", "server"])
def custom_base(request: pytest.FixtureRequest,
                pinpoint_imports: PinpointImportsMock) -> Iterator[str]:
    """The base URL of a host that is not Pinpoint's: in process (``requests``) or the server."""
    if request.param == "server":
        with PinpointMockServer(pinpoint_imports) as server:
            yield server.url
        return
    yield "http://localhost:4566"


def _presigned(method: str, url: str, region: str) -> str:
    from botocore.auth import SigV4QueryAuth

    request = AWSRequest(method, url)
    SigV4QueryAuth(Credentials("testing", "testing"), "mobiletargeting", region).add_auth(request)
    return str(request.url)


def test_a_presigned_url_is_answered_in_its_query_scope_s_region(
    custom_base: str, pinpoint_imports: PinpointImportsMock
) -> None:
    """The region of a request to a host that is not Pinpoint's is its signature's
    (docs/requests.md), for a presigned URL its ``X-Amz-Credential`` scope's. Found by an
    outside attacker: over the server a presigned URL scoped to ``xx-fake-9`` was served
    (200, in us-east-1, as one scoped to eu-west-1 was), while a header signed for it is a
    403 ForbiddenException, as AWS answers a scope of a region it does not know."""
    data = b'{"Name": "eu"}'
    created = requests.post(_presigned("POST", f"{custom_base}/v1/apps", "eu-west-1"),
                            data=data, timeout=10)
    assert created.status_code == 201
    assert created.json()["Arn"].startswith("arn:aws:mobiletargeting:eu-west-1:")
    refused = requests.post(_presigned("POST", f"{custom_base}/v1/apps", "xx-fake-9"),
                            data=data, timeout=10)
    assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (
        403, "ForbiddenException")
    assert refused.json()["Message"].startswith(
        "Credential should be scoped to a valid region, not 'xx-fake-9'")
    listed = requests.get(_presigned("GET", f"{custom_base}/v1/apps", "us-east-1"), timeout=10)
    assert listed.json()["Item"] == []  # nothing was made in us-east-1


def test_a_presigned_url_to_an_operation_moto_serves_is_moto_s_pinpoint(
    custom_base: str, pinpoint_imports: PinpointImportsMock
) -> None:
    """GetApplicationSettings is moto's: a presigned URL for it, with no Authorization header to
    name the service, reaches moto's Pinpoint in the scope's region (over the server, moto's
    dispatcher took the host for S3's and answered NoSuchBucket)."""
    created = requests.post(_presigned("POST", f"{custom_base}/v1/apps", "eu-west-1"),
                            data=b'{"Name": "eu"}', timeout=10)
    app = created.json()["Id"]
    settings = requests.get(_presigned("GET", f"{custom_base}/v1/apps/{app}/settings",
                                       "eu-west-1"), timeout=10)
    assert settings.status_code == 200, settings.text
    assert settings.json()["ApplicationId"] == app


def _sigv4a(service: str, region_set: Optional[str]) -> dict[str, str]:
    """Headers of a Signature Version 4A request (``AWS4-ECDSA-P256-SHA256``: its scope has
    no region; ``X-Amz-Region-Set`` lists where it is valid). The signature is not checked."""
    headers = {"Authorization": (
        f"AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20261201/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ab"),
        "X-Amz-Date": "20261201T000000Z", "Content-Type": "application/json"}
    if region_set is not None:
        headers["X-Amz-Region-Set"] = region_set
    return headers


@pytest.mark.parametrize("service", ["mobiletargeting", "pinpoint"])
@pytest.mark.parametrize(("region_set", "region"), [
    ("eu-west-1", "eu-west-1"), ("*", "us-east-1"), ("us-east-1,eu-west-1", "us-east-1"),
    (None, "us-east-1")])
def test_a_sigv4a_request_is_pinpoint_s_in_its_single_region(
    custom_base: str, pinpoint_imports: PinpointImportsMock, service: str,
    region_set: Optional[str], region: str,
) -> None:
    """docs/requests.md (SigV4A). Found by an outside attacker: the scope
    ``KEY/DATE/SERVICE/aws4_request`` was read as SigV4's, its service taken for a region
    (403 "not 'pinpoint'" over the server; in process it named no service and was refused).
    Served as Pinpoint in the one region of ``X-Amz-Region-Set``, else us-east-1 (the host
    names none)."""
    created = requests.post(f"{custom_base}/v1/apps", data=b'{"Name": "a"}', timeout=10,
                            headers=_sigv4a(service, region_set))
    assert created.status_code == 201, created.text
    assert created.json()["Arn"].startswith(f"arn:aws:mobiletargeting:{region}:")
    assert pinpoint_imports.calls[-1].operation == "CreateApp"
    jobs = requests.get(f"{custom_base}/v1/apps/{created.json()['Id']}/jobs/import",
                        timeout=10, headers=_sigv4a(service, region_set))
    assert (jobs.status_code, jobs.json()) == (200, {"Item": []})


def test_a_sigv4a_request_to_pinpoint_s_host_is_in_the_host_s_region(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    """As for SigV4, Pinpoint's own host names the region (docs/requests.md)."""
    created = requests.post("https://pinpoint.eu-west-1.amazonaws.com/v1/apps", timeout=10,
                            data=b'{"Name": "a"}', headers=_sigv4a("mobiletargeting", "ap-south-1"))
    assert created.json()["Arn"].startswith("arn:aws:mobiletargeting:eu-west-1:")
