"""``requests`` in process: Pinpoint's REST API called with ``requests`` (signed by botocore's
``SigV4Auth``) is answered exactly as a botocore request is, through moto's ``responses``."""

from __future__ import annotations

import gc
import http.server
import io
import json
import threading
import time
import weakref
from typing import Any, Iterator, Optional

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from moto.core.models import responses_mock

from pinpoint_mock import Fault, PinpointImportsMock, UnservedRequestError, mock_pinpoint_imports

REGION = "us-east-1"
PINPOINT = f"https://pinpoint.{REGION}.amazonaws.com"
ROLE_ARN = "arn:aws:iam::123456789012:role/Import"


def signed(method: str, url: str, body: Optional[dict[str, Any]] = None,
           service: str = "mobiletargeting") -> requests.Response:
    """A request signed as code calling Pinpoint's REST API directly signs it."""
    data = json.dumps(body).encode() if body is not None else None
    request = AWSRequest(method, url, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), service, REGION).add_auth(request)
    return requests.request(method, url, data=data, headers=dict(request.headers), timeout=5)


@pytest.fixture
def audience(pinpoint_imports: PinpointImportsMock) -> str:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="audience")
    s3.put_object(Bucket="audience", Key="in/a.csv",
                  Body=b"ChannelType,Address\nEMAIL,ana@example.com\nSMS,+15555550101\n")
    return "s3://audience/in/a.csv"


@pytest.mark.parametrize("base", [PINPOINT, "http://localhost:4566"])
def test_the_rest_api_through_requests_is_answered_as_botocore_s(
    base: str, audience: str, pinpoint_imports: PinpointImportsMock
) -> None:
    created = signed("POST", f"{base}/v1/apps", {"Name": "shop"})
    assert created.status_code == 201
    app_id = created.json()["Id"]
    settings = signed("PUT", f"{base}/v1/apps/{app_id}/settings",
                      {"CloudWatchMetricsEnabled": True})  # an operation moto serves
    assert (settings.status_code, settings.json()["ApplicationId"]) == (200, app_id)
    job = signed("POST", f"{base}/v1/apps/{app_id}/jobs/import",
                 {"Format": "CSV", "S3Url": audience, "RoleArn": ROLE_ARN})
    assert job.status_code == 201
    assert job.headers["x-amzn-RequestId"]
    job_id = job.json()["Id"]
    pinpoint_imports.advance(3600)
    by_requests = signed("GET", f"{base}/v1/apps/{app_id}/jobs/import/{job_id}")
    by_botocore = boto3.client("pinpoint", region_name=REGION).get_import_job(
        ApplicationId=app_id, JobId=job_id)["ImportJobResponse"]
    assert by_requests.status_code == 200
    assert by_requests.json()["JobStatus"] == "COMPLETED"
    assert by_requests.json()["TotalProcessed"] == 2
    assert by_requests.json()["CreationDate"] == by_botocore["CreationDate"]
    assert by_requests.json()["Definition"] == by_botocore["Definition"]
    assert [(c.operation, c.answered_by) for c in pinpoint_imports.calls] == [
        ("CreateApp", "mock"), ("UpdateApplicationSettings", "moto"), ("CreateImportJob", "mock"),
        ("GetImportJob", "mock"),
        ("GetImportJob", "mock")]


def test_errors_and_faults_are_the_mock_s(pinpoint_imports: PinpointImportsMock) -> None:
    app_id = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "shop"}).json()["Id"]
    missing = signed("GET", f"{PINPOINT}/v1/apps/{app_id}/jobs/import/nope")
    assert missing.status_code == 404
    assert missing.headers["x-amzn-ErrorType"] == "NotFoundException"
    pinpoint_imports.faults.add(Fault.throttle("GetImportJobs", times=1))
    throttled = signed("GET", f"{PINPOINT}/v1/apps/{app_id}/jobs/import")
    assert (throttled.status_code, throttled.headers["x-amzn-ErrorType"]) == (
        429, "TooManyRequestsException")
    assert signed("GET", f"{PINPOINT}/v1/apps/{app_id}/jobs/import").json() == {"Item": []}


def test_options_and_a_missing_method_are_answered_as_api_gateway_does(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    app_id = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "shop"}).json()["Id"]
    options = requests.options(f"{PINPOINT}/v1/apps/{app_id}/jobs/import", timeout=5)
    assert (options.status_code, options.headers["Allow"]) == (200, "GET, POST, OPTIONS")
    patched = signed("PATCH", f"{PINPOINT}/v1/apps/{app_id}/jobs/import", {})
    assert patched.status_code == 405
    assert patched.headers["x-amzn-ErrorType"] == "MethodNotAllowedException"
    assert patched.json()["Message"] == (
        f"Method PATCH is not allowed on /v1/apps/{app_id}/jobs/import; this resource allows "
        "GET, POST, OPTIONS.")


def test_other_signed_requests_to_another_host_are_moto_s(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    made = signed("PUT", "http://localhost:4566/from-requests", service="s3")
    assert made.status_code == 200
    assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"][0][
        "Name"] == "from-requests"
    with pytest.raises(UnservedRequestError, match=r"^pinpoint_mock: GET "
                       r"http://localhost:4566/devices was not sent"):
        signed("GET", "http://localhost:4566/devices", service="braket")


@pytest.fixture
def local_site() -> Iterator[str]:
    """An HTTP server on loopback that is not AWS (a test's own service)."""

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello from a local service")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_unsigned_requests_to_other_hosts_still_pass_through(
    local_site: str, pinpoint_imports: PinpointImportsMock
) -> None:
    assert requests.get(f"{local_site}/v1/apps", timeout=5).text == "hello from a local service"
    assert pinpoint_imports.calls == []


def ours() -> list[Any]:
    return [r for r in responses_mock.registered()
            if "pinpoint_mock" in getattr(r.url, "pattern", "")]


def test_the_callbacks_are_removed_when_the_last_mock_stops() -> None:
    from moto import mock_aws

    with mock_aws():
        with mock_pinpoint_imports():
            with mock_pinpoint_imports():
                pass
            assert len(ours()) == 7  # one per HTTP method
        assert ours() == []
        # moto answers Pinpoint's REST API again (its 404 for the import-job routes)
        app_id = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "x"}).json()["Id"]
        assert signed("GET", f"{PINPOINT}/v1/apps/{app_id}/jobs/import").status_code != 200


def test_the_callbacks_leave_with_moto_when_the_last_mock_stops_it() -> None:
    from moto import mock_aws

    with mock_pinpoint_imports():
        assert len(ours()) == 7
    assert ours() == []
    with mock_aws():
        assert ours() == []


def test_no_request_answered_by_the_callbacks_is_kept_after_the_stop() -> None:
    # What `responses` records on the mock's callbacks (each one's `calls`) goes with them
    # at the stop, so no test's requests outlive it.
    for _ in range(2):
        with mock_pinpoint_imports():
            response = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "kept?"})
            assert response.status_code == 201
            request = weakref.ref(response.request)
            del response
        gc.collect()
        assert request() is None


def test_a_request_in_flight_at_the_stop_is_not_kept_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The last mock stops while a request is in its fault's latency (the stop made by the
    # latency's time.sleep itself, so no real time passes): `responses` records the call on
    # the callback that answered it after the stop, which must not carry it into the next
    # mock. (moto's own `responses` mock records it too, until its next start, as it does
    # any request in flight at a stop of plain moto's: hence the next mock's start below.)
    mock = mock_pinpoint_imports(faults=[Fault.throttle("GetApps", latency=5.0)]).start()
    try:
        monkeypatch.setattr(time, "sleep", lambda seconds: mock.stop())
        response = signed("GET", f"{PINPOINT}/v1/apps")
        stopped_in_flight = not mock.active
    finally:
        monkeypatch.undo()
        if mock.active:  # the latency never came: stop it here, not in the next test
            mock.stop()
    assert response.status_code == 429 and stopped_in_flight
    request = weakref.ref(response.request)
    del response
    with mock_pinpoint_imports():
        gc.collect()
        assert request() is None


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "FOO", "BREW", "PROPFIND"])
@pytest.mark.parametrize("base", [PINPOINT, "https://example.com", "http://10.1.2.3:8080",
                                  "http://localhost:4566"])
def test_a_method_no_callback_has_is_answered_in_process(
    pinpoint_imports: PinpointImportsMock, base: str, method: str
) -> None:
    """The README: while a mock is active no request leaves the process. Issue 14: a
    Pinpoint request whose method ``responses`` has no callback for (moto registers seven)
    matched nothing and was passed through to the network (a DNS lookup). Answered as
    botocore's and the server's are: 405 MethodNotAllowedException naming the method on a
    Pinpoint path (API Gateway's answer to a method the resource lacks, as for PATCH), 404 on
    another; a request signed for ``mobiletargeting`` is Pinpoint's whatever its host (botocore's
    ``signingName``), as a client's ``endpoint_url``."""
    app_id = signed("POST", f"{base}/v1/apps", {"Name": "shop"}).json()["Id"]
    answered = signed(method, f"{base}/v1/apps/{app_id}/jobs/import")
    assert (answered.status_code, answered.headers["x-amzn-ErrorType"]) == (
        405, "MethodNotAllowedException")
    assert answered.json()["Message"].startswith(
        f"Method {method} is not allowed on /v1/apps/{app_id}/jobs/import; this resource "
        "allows GET, POST, OPTIONS")
    assert answered.headers["Allow"] == "GET, POST, OPTIONS"
    nothing = signed(method, f"{base}/v1/nothing")
    assert (nothing.status_code, nothing.json()["Message"]) == (
        404, f"No Pinpoint operation at {method} /v1/nothing.")
    if base == PINPOINT:  # Pinpoint's own host: unsigned too
        assert requests.request(method, f"{base}/v1/apps", timeout=5).status_code == 405
    assert [call.operation for call in pinpoint_imports.calls] == ["CreateApp"]


def test_a_signed_request_to_any_host_is_served_as_a_custom_endpoint_url_is(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    """The README: ``requests`` calls and clients with any ``endpoint_url`` are served in
    process. A request signed for Pinpoint (credential scope ``.../mobiletargeting/
    aws4_request``, botocore's ``signingName`` for Pinpoint) to a foreign host or an IP
    address is answered as botocore's with that ``endpoint_url``."""
    app_id = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "shop"}).json()["Id"]
    for base in ("https://example.com", "http://10.1.2.3", "https://[2001:db8::1]:8443"):
        listed = signed("GET", f"{base}/v1/apps/{app_id}/jobs/import")
        assert (listed.status_code, listed.json()) == (200, {"Item": []})


def test_an_unsigned_unknown_method_to_another_host_still_passes_through(
    local_site: str, pinpoint_imports: PinpointImportsMock
) -> None:
    """The guard takes only what the mock takes: a test's own local service still gets its
    requests, whatever the method (http.server answers a method it lacks with 501)."""
    assert requests.request("BREW", f"{local_site}/v1/apps", timeout=5).status_code == 501
    assert pinpoint_imports.calls == []


def test_the_pass_through_is_restored_when_the_last_mock_stops() -> None:
    """moto's pass-through (``responses_mock._real_send``) is the mock's guard only while a
    mock is active, and is given back by identity (also one set with moto's
    ``override_responses_real_send``)."""
    from moto.core.models import override_responses_real_send

    from pinpoint_mock._requests import _pass_through_owner

    owner = _pass_through_owner()  # the module's _real_send before responses 0.24
    before = owner._real_send
    with mock_pinpoint_imports():
        with mock_pinpoint_imports():
            assert owner._real_send is not before
        assert owner._real_send is not before
    assert owner._real_send is before
    if owner is not responses_mock:
        return  # moto's override sets an attribute these versions do not call
    user = __import__("responses").RequestsMock()
    override_responses_real_send(user)
    try:
        theirs = responses_mock._real_send
        with mock_pinpoint_imports():
            assert responses_mock._real_send is not theirs
        assert responses_mock._real_send is theirs
    finally:
        override_responses_real_send(None)


@pytest.mark.parametrize("host", ["pinpoint.eu-west-1.amazonaws.com.",
                                  "pinpoint.eu-west-1.amazonaws.com.:443",
                                  "pinpoint.eu-west-1.amazonaws.com:443"])
def test_pinpoint_s_host_with_a_trailing_dot_or_its_port_is_that_host(
    pinpoint_imports: PinpointImportsMock, host: str
) -> None:
    """A name ending in the root's dot is the same host to DNS (RFC 1034, section 3.1: an
    absolute name), and ``:443`` is https's default port (RFC 3986, section 6.2.3). Issue 14:
    ``requests.get("https://pinpoint.us-east-1.amazonaws.com./v1/apps")`` raised TypeError
    (moto's callback, reached with a host it does not match). Served as the host itself: its
    region, the mock's operations and moto's."""
    app_id = boto3.client("pinpoint", region_name="eu-west-1").create_app(
        CreateApplicationRequest={"Name": "eu"})["ApplicationResponse"]["Id"]
    app = requests.get(f"https://{host}/v1/apps/{app_id}", timeout=5)
    assert (app.status_code, app.json()["Id"]) == (200, app_id)
    jobs = requests.get(f"https://{host}/v1/apps/{app_id}/jobs/import", timeout=5)
    assert (jobs.status_code, jobs.json()) == (200, {"Item": []})
    settings = requests.get(f"https://{host}/v1/apps/{app_id}/settings", timeout=5)  # moto's
    assert (settings.status_code, settings.json()["ApplicationId"]) == (200, app_id)
    client = boto3.client("pinpoint", region_name="eu-west-1", endpoint_url=f"https://{host}")
    assert client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"] == []


@pytest.mark.parametrize("host", ["s3.amazonaws.com.", "s3.amazonaws.com:443",
                                  "s3.us-east-1.amazonaws.com.:443"])
def test_another_aws_host_with_a_trailing_dot_or_its_port_is_moto_s(
    pinpoint_imports: PinpointImportsMock, host: str
) -> None:
    """As for Pinpoint's host (RFC 1034, section 3.1; RFC 3986, section 6.2.3): moto answers
    the host as its patterns match it. Found with issue 14's trailing dot: moto's patterns
    match neither form, so ``requests`` raised TypeError and a boto3 S3 client with
    ``endpoint_url="https://s3.amazonaws.com:443"`` was sent to the network."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="audience")
    listed = requests.get(f"https://{host}/audience", timeout=5)
    assert listed.status_code == 200 and b"<Name>audience</Name>" in listed.content
    client = boto3.client("s3", region_name=REGION, endpoint_url=f"https://{host}")
    assert client.list_objects_v2(Bucket="audience")["KeyCount"] == 0


def _signed_headers(method: str, url: str, data: bytes) -> dict[str, str]:
    request = AWSRequest(method, url, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "mobiletargeting", REGION).add_auth(request)
    headers = dict(request.headers)
    headers.pop("Content-Length", None)  # requests sends a generator chunked
    return headers


def test_a_streamed_body_is_read(pinpoint_imports: PinpointImportsMock) -> None:
    """A generator body (``requests`` sends it with ``Transfer-Encoding: chunked``, RFC 9112
    section 7.1) and a file-like one are read as the bytes they hold, and recorded."""
    data = json.dumps({"Name": "streamed"}).encode()

    def chunks() -> Iterator[bytes]:
        yield data[:5]
        yield data[5:]

    url = f"{PINPOINT}/v1/apps"
    created = requests.post(url, data=chunks(), headers=_signed_headers("POST", url, data),
                            timeout=5)
    assert (created.status_code, created.json()["Name"]) == (201, "streamed")
    assert pinpoint_imports.calls[-1].request == {"Name": "streamed"}
    from_file = requests.post(url, data=io.BytesIO(data),
                              headers=_signed_headers("POST", url, data), timeout=5)
    assert (from_file.status_code, from_file.json()["Name"]) == (201, "streamed")


def test_a_streamed_body_over_7_mb_is_413_without_being_read_to_its_end(
        pinpoint_imports: PinpointImportsMock) -> None:
    """Beyond 7 MB a streamed body is refused as any other (developer guide quotas); the
    mock stops reading one byte past the bound, so an endless stream is refused too."""
    read = []

    def endless() -> Iterator[bytes]:
        while True:
            read.append(1)
            yield b" " * 65536

    url = f"{PINPOINT}/v1/apps"
    refused = requests.post(url, data=endless(), headers=_signed_headers("POST", url, b""),
                            timeout=5)
    assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (
        413, "PayloadTooLargeException")
    assert len(read) == 7 * 1024 * 1024 // 65536 + 1


def test_a_query_signed_pinpoint_request_to_any_host_is_served(
        pinpoint_imports: PinpointImportsMock) -> None:
    """A presigned URL (SigV4 in the query: ``X-Amz-Credential=KEY/DATE/REGION/
    mobiletargeting/aws4_request``, botocore's ``SigV4QueryAuth``) is Pinpoint's whatever its
    host, as a header-signed one is; it was sent to the network (a DNS lookup)."""
    app_id = signed("POST", f"{PINPOINT}/v1/apps", {"Name": "shop"}).json()["Id"]
    request = AWSRequest("GET", f"http://pinpoint.internal.test/v1/apps/{app_id}/jobs/import")
    SigV4QueryAuth(Credentials("testing", "testing"), "mobiletargeting", REGION).add_auth(request)
    assert "X-Amz-Credential=" in str(request.url)
    listed = requests.get(str(request.url), timeout=5)
    assert (listed.status_code, listed.json()) == (200, {"Item": []})
    assert pinpoint_imports.calls[-1].operation == "GetImportJobs"
    europe = AWSRequest("POST", "http://pinpoint.internal.test/v1/apps",
                        data=b'{"Name": "eu"}', headers={"Content-Type": "application/json"})
    SigV4QueryAuth(Credentials("testing", "testing"), "mobiletargeting",
                   "eu-west-1").add_auth(europe)
    created = requests.post(str(europe.url), data=b'{"Name": "eu"}',
                            headers={"Content-Type": "application/json"}, timeout=5)
    assert created.status_code == 201
    assert created.json()["Arn"].startswith("arn:aws:mobiletargeting:eu-west-1:")


def test_an_unreadable_aws4_authorization_is_refused_in_process(
        pinpoint_imports: PinpointImportsMock) -> None:
    """An ``AWS4-HMAC-SHA256`` Authorization header without a readable credential scope names
    no service: refused in process (UnservedRequestError), never sent."""
    with pytest.raises(UnservedRequestError, match="names no readable credential scope"):
        requests.get("http://pinpoint.internal.test/v1/apps",
                     headers={"Authorization": "AWS4-HMAC-SHA256 garbage"}, timeout=5)
    assert pinpoint_imports.calls == []


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_pinpoint_s_dual_stack_host_is_its_host_of_that_region(
        pinpoint_imports: PinpointImportsMock, region: str) -> None:
    """``pinpoint.<region>.api.aws`` is Pinpoint's dual-stack host (botocore's endpoint rules
    with ``UseDualStack``): served as ``pinpoint.<region>.amazonaws.com``, unsigned too."""
    created = requests.post(f"https://pinpoint.{region}.api.aws/v1/apps",
                            json={"Name": "dual"}, timeout=5)
    assert created.status_code == 201
    assert created.json()["Arn"].startswith(f"arn:aws:mobiletargeting:{region}:")
    client = boto3.client("pinpoint", region_name=region)
    assert client.get_app(ApplicationId=created.json()["Id"])["ApplicationResponse"][
        "Name"] == "dual"
    dual = boto3.client("pinpoint", region_name=region,
                        config=Config(use_dualstack_endpoint=True))
    assert dual.get_app(ApplicationId=created.json()["Id"])["ApplicationResponse"][
        "Name"] == "dual"


def test_an_s3_presigned_url_of_a_client_with_endpoint_url_is_moto_s(
        pinpoint_imports: PinpointImportsMock) -> None:
    """``generate_presigned_url`` of an S3 client with ``endpoint_url`` signs the query with
    Signature Version 2 (``AWSAccessKeyId``, ``Signature``, ``Expires``: botocore's
    ``HmacV1QueryAuth``), which only S3 uses: moto's S3 answers it, path-style; it was sent
    to the network."""
    s3 = boto3.client("s3", region_name=REGION, endpoint_url="http://s3.internal.test:4566")
    s3.create_bucket(Bucket="presigned")
    s3.put_object(Bucket="presigned", Key="in.csv", Body=b"ChannelType,Address\n")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "in.csv"})
    assert "AWSAccessKeyId=" in url
    got = requests.get(url, timeout=5)
    assert (got.status_code, got.content) == (200, b"ChannelType,Address\n")
