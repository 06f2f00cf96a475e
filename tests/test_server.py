"""The server object (``PinpointMockServer``): one port over real HTTP, in a thread, sharing its
state with the test's mock; API Gateway's HTTP behaviour (OPTIONS, CORS, 405)."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from typing import Any, Optional

import boto3
import pytest
from botocore.config import Config

from pinpoint_mock import (
    Fault,
    MockServerError,
    PinpointImportsMock,
    PinpointMockServer,
    mock_pinpoint_imports,
)

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/Import"
CSV = b"ChannelType,Address,User.UserId\nEMAIL,ana@example.com,u1\nSMS,+15555550101,u2\n"


def client(service: str, url: str, attempts: int = 1) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard",
                                               "total_max_attempts": attempts}))


def http(method: str, url: str, body: Optional[Any] = None,
         headers: Optional[dict[str, str]] = None) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else (body if isinstance(body, bytes) else
                                      json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def served_by_http(response: Any) -> bool:
    """True when botocore received the response over HTTP from werkzeug's server."""
    return str(response["ResponseMetadata"]["HTTPHeaders"].get("server", "")).startswith(
        "Werkzeug")


def test_a_server_shares_the_state_of_the_test_s_mock(
    pinpoint_imports: PinpointImportsMock, pinpoint_server: PinpointMockServer
) -> None:
    assert pinpoint_server.mock is pinpoint_imports
    # made in process (no endpoint_url) ...
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="audience")
    app_id = boto3.client("pinpoint", region_name=REGION).create_app(
        CreateApplicationRequest={"Name": "shop"})["ApplicationResponse"]["Id"]
    # ... read and extended over HTTP (the server's URL is reached over loopback)
    s3 = client("s3", pinpoint_server.url)
    put = s3.put_object(Bucket="audience", Key="in/a.csv", Body=CSV)
    assert served_by_http(put)
    pinpoint = client("pinpoint", pinpoint_server.url)
    created = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/in/a.csv", "RoleArn": ROLE_ARN,
        "DefineSegment": True, "SegmentName": "newsletter"})
    assert served_by_http(created)
    pinpoint_imports.advance(60)
    job = pinpoint.get_import_job(ApplicationId=app_id,
                                  JobId=created["ImportJobResponse"]["Id"])["ImportJobResponse"]
    assert (job["JobStatus"], job["TotalProcessed"]) == ("COMPLETED", 2)
    # ... and seen in process again
    assert [c.operation for c in pinpoint_imports.calls] == [
        "CreateApp", "CreateImportJob", "GetImportJob"]
    assert [c.answered_by for c in pinpoint_imports.calls] == ["mock", "mock", "mock"]


def test_a_server_without_a_mock_starts_and_stops_its_own() -> None:
    with PinpointMockServer() as server:
        assert server.mock.active
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.port > 0
        pinpoint = client("pinpoint", server.url)
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
            "ApplicationResponse"]["Id"]
        assert pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"][
            "Item"] == []
        mock = server.mock
    assert not mock.active and not server.running


def test_without_a_mock_the_server_serves_the_active_one() -> None:
    with mock_pinpoint_imports(progression="immediate") as mock, PinpointMockServer() as server:
        assert server.mock is mock
    assert not mock.active


def test_a_mock_that_is_not_started_is_started_and_stopped_by_the_server() -> None:
    mock = mock_pinpoint_imports(progression="immediate")
    server = PinpointMockServer(mock).start()
    try:
        assert mock.active
    finally:
        server.stop()
    assert not mock.active


def test_the_port_in_use_and_misuse_are_one_sentence_each() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MockServerError) as raised:
            PinpointMockServer(port=port).start()
        assert str(raised.value) == (
            f"Port {port} on 127.0.0.1 is already in use; stop what listens there, or pass "
            "another port (0 picks a free one).")
    server = PinpointMockServer()
    with pytest.raises(MockServerError, match=r"^This PinpointMockServer is not started; "):
        _ = server.url
    with pytest.raises(MockServerError, match=r"^stop\(\) was called on a PinpointMockServer "):
        server.stop()
    with server, pytest.raises(MockServerError, match=r"already started"):
        server.start()
    with pytest.raises(ValueError, match=r"^port must be a whole number from 0 to 65535"):
        PinpointMockServer(port=70000)


@pytest.mark.parametrize("arguments, error, message", [
    ({"port": 10 ** 5000}, ValueError, "port must be a whole number from 0 to 65535; got a "
                                       "whole number of about 5,001 digits."),
    ({"host": 5}, ValueError, "host must be a host name or address, e.g. '127.0.0.1' or "
                              "'0.0.0.0' (every interface); got 5."),
    ({"host": "a\x00b"}, ValueError, "host must be a host name or address, e.g. '127.0.0.1' or "
                                     "'0.0.0.0' (every interface); got 'a\\x00b'."),
    ({"quiet": "yes"}, ValueError, "quiet must be True or False; got 'yes'."),
    ({"host": "\u4e2d" * 70}, MockServerError, "Cannot listen on '" + "\u4e2d" * 56 + "... port "
                                              "0 (*); pass another host or port."),
])
def test_a_server_argument_it_cannot_use_is_one_sentence(
    arguments: dict[str, Any], error: type[Exception], message: str,
) -> None:
    """``PinpointMockServer``'s arguments are checked before it binds (host a string, quiet a
    bool), and a host the system cannot bind is a MockServerError naming it in a few words (a
    non-string host raised AttributeError, a NUL TypeError, a 5,001-digit port a ValueError
    about the message itself). Source: the project's rule "misuse of our own API raises one
    sentence that says how to fix it"."""
    with pytest.raises(error) as raised:
        PinpointMockServer(**arguments).start()
    start, _, end = message.partition("*")  # the system's reason, as Python words it
    assert str(raised.value).startswith(start) and str(raised.value).endswith(end)


def test_concurrent_clients_lose_nothing(pinpoint_server: PinpointMockServer) -> None:
    url = pinpoint_server.url
    pinpoint = client("pinpoint", url)
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    rule = pinpoint_server.mock.faults.add(Fault.internal("GetSegments", probability=0.3))
    errors: list[BaseException] = []
    counts = {"ok": 0, "faulted": 0}
    lock = threading.Lock()

    def work() -> None:
        mine = client("pinpoint", url)
        try:
            for index in range(10):
                try:
                    if index % 2:
                        mine.create_segment(ApplicationId=app_id,
                                            WriteSegmentRequest={"Name": f"s{index}"})
                    else:
                        mine.get_segments(ApplicationId=app_id)
                    outcome = "ok"
                except mine.exceptions.InternalServerErrorException:
                    outcome = "faulted"
                with lock:
                    counts[outcome] += 1
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    status, _, body = http("GET", f"{url}/_pinpoint_mock/calls")
    calls = json.loads(body)["calls"][1:]  # [0] is CreateApp
    assert status == 200 and len(calls) == 80 == counts["ok"] + counts["faulted"]
    assert sum(c["fault"] is not None for c in calls) == counts["faulted"] == rule.fired
    assert len({c["request_id"] for c in calls}) == 80
    rule.remove()
    listed = pinpoint.get_segments(ApplicationId=app_id, PageSize="100")
    assert len(listed["SegmentsResponse"]["Item"]) == 40


def test_options_on_every_served_resource_is_200_with_allow(
    pinpoint_server: PinpointMockServer,
) -> None:
    base = pinpoint_server.url
    for path, allow in [
        ("/v1/apps/a1/jobs/import", "GET, POST, OPTIONS"),
        ("/v1/apps/a1/jobs/import/j1", "GET, OPTIONS"),
        ("/v1/apps/a1/segments/s1/jobs/import", "GET, OPTIONS"),
        ("/v1/apps/a1/segments/s1", "GET, PUT, DELETE, OPTIONS"),
        ("/v1/apps/a1/endpoints/e1", "GET, PUT, DELETE, OPTIONS"),
        ("/v1/apps", "GET, POST, OPTIONS"),
    ]:
        status, headers, body = http("OPTIONS", base + path)
        assert (status, headers["Allow"], body) == (200, allow, b""), path


def test_a_method_a_resource_does_not_have_is_405(pinpoint_server: PinpointMockServer) -> None:
    status, headers, body = http("PATCH", f"{pinpoint_server.url}/v1/apps/a1/jobs/import", {})
    assert status == 405
    assert headers["x-amzn-ErrorType"] == "MethodNotAllowedException"
    assert headers["Allow"] == "GET, POST, OPTIONS"
    assert json.loads(body)["Message"] == (
        "Method PATCH is not allowed on /v1/apps/a1/jobs/import; this resource allows GET, "
        "POST, OPTIONS.")
    pinpoint = client("pinpoint", pinpoint_server.url)
    pinpoint.meta.events.register("before-sign.pinpoint.GetImportJobs",
                                  lambda request, **_: setattr(request, "method", "PUT"))
    with pytest.raises(pinpoint.exceptions.MethodNotAllowedException):
        pinpoint.get_import_jobs(ApplicationId="a1")


def test_cors_preflight_and_exposed_error_headers(pinpoint_server: PinpointMockServer) -> None:
    origin = {"Origin": "http://localhost:3000"}
    status, headers, _ = http("OPTIONS", f"{pinpoint_server.url}/v1/apps/a1/jobs/import",
                              headers={**origin, "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers":
                                       "authorization,content-type,x-amz-date,"
                                       "x-amz-security-token,x-amz-user-agent,"
                                       "amz-sdk-invocation-id,amz-sdk-request,x-not-aws"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == (
        "authorization, content-type, x-amz-date, x-amz-security-token, x-amz-user-agent, "
        "amz-sdk-invocation-id, amz-sdk-request")
    # an error a browser client must be able to read
    pinpoint = client("pinpoint", pinpoint_server.url)
    pinpoint.meta.events.register("before-send.pinpoint.GetImportJob",
                                  lambda request, **_: request.headers.__setitem__(
                                      "Origin", "http://localhost:3000"))
    with pytest.raises(pinpoint.exceptions.NotFoundException) as raised:
        pinpoint.get_import_job(ApplicationId="missing", JobId="j1")
    received = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
    exposed = received["access-control-expose-headers"]
    assert "x-amzn-ErrorType" in exposed and "x-amzn-RequestId" in exposed
    assert received["access-control-allow-origin"] == "http://localhost:3000"
    # moto's answers (here S3) expose them too
    s3 = client("s3", pinpoint_server.url)
    listed = s3.list_buckets()
    assert "x-amzn-RequestId" in listed["ResponseMetadata"]["HTTPHeaders"][
        "access-control-expose-headers"]


def test_a_pinpoint_body_read_by_the_server_reaches_moto_intact(
    pinpoint_server: PinpointMockServer,
) -> None:
    pinpoint = client("pinpoint", pinpoint_server.url)
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "über shop"})[
        "ApplicationResponse"]["Id"]
    limits = {"Daily": 3, "MaximumDuration": 60, "MessagesPerSecond": 50, "Total": 9}
    updated = pinpoint.update_application_settings(  # an operation moto serves, with a body
        ApplicationId=app_id, WriteApplicationSettingsRequest={"Limits": limits})
    assert updated["ResponseMetadata"]["HTTPHeaders"]["server"].startswith("Werkzeug")
    got = pinpoint.get_application_settings(ApplicationId=app_id)
    assert got["ApplicationSettingsResource"]["Limits"] == limits
    create, update, get = pinpoint_server.mock.calls
    assert (create.answered_by, create.request) == ("mock", {"Name": "über shop"})
    assert (update.operation, update.answered_by, update.request) == (
        "UpdateApplicationSettings", "moto", {"Limits": limits})
    assert update.response["ApplicationId"] == app_id
    assert (get.operation, get.answered_by, get.status) == ("GetApplicationSettings", "moto", 200)


def test_an_export_s_objects_are_listed_over_http_once_the_clock_completes_it(
    pinpoint_server: PinpointMockServer,
) -> None:
    s3 = client("s3", pinpoint_server.url)
    s3.create_bucket(Bucket="audience")
    s3.put_object(Bucket="audience", Key="in/a.csv", Body=CSV)
    pinpoint = client("pinpoint", pinpoint_server.url)
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/in/a.csv", "RoleArn": ROLE_ARN})
    assert http("POST", f"{pinpoint_server.url}/_pinpoint_mock/advance", {"seconds": 60})[0] == 200
    job = pinpoint.create_export_job(ApplicationId=app_id, ExportJobRequest={
        "S3UrlPrefix": "s3://audience/exports/", "RoleArn": ROLE_ARN})["ExportJobResponse"]
    assert s3.list_objects_v2(Bucket="audience", Prefix="exports/")["KeyCount"] == 0
    assert http("POST", f"{pinpoint_server.url}/_pinpoint_mock/advance", {"seconds": 60})[0] == 200
    # no read of the job in between: the S3 listing, served by moto, sees the objects at once
    listed = s3.list_objects_v2(Bucket="audience", Prefix="exports/")
    assert [item["Key"] for item in listed["Contents"]] == [f"exports/{job['Id']}/part-00000.gz"]
