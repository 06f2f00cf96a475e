"""Requests are routed by the model's URI templates on the raw path, and methods as spelt.

Source: botocore's Pinpoint model (``http.method``, ``http.requestUri``) and its serializer,
which percent-encodes every path member (``/`` as ``%2F``); HTTP methods are case-sensitive
(RFC 9110, section 9.1). A request meant for Pinpoint that matches no operation is answered
in process (404, or 405 for a method the path does not have), never sent to the network.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, Iterator

import boto3
import pytest

from tests.wire import error_of, unvalidated_client

ODD_IDS = ["a/b", "x/versions", "a?b=c", "a#b", "a b", "a%2Fb", "é/ü", "..", "a+b", "~!*'()"]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every DNS lookup or connect is recorded and refused; the test asserts none happened."""
    attempts: list[Any] = []

    def refuse(*args: Any, **_: Any) -> Any:
        attempts.append(args)
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts
    assert attempts == [], "a request left the process"


def _changing(client: Any, change: Callable[[Any], None]) -> None:
    client.meta.events.register("before-sign.pinpoint", lambda request, **_: change(request))


@pytest.mark.parametrize("endpoint_id", ODD_IDS)
def test_a_path_member_may_hold_any_character(
    pinpoint_client: Any, app_id: str, endpoint_id: str
) -> None:
    """Issue 14: a member holding ``/`` (sent as ``%2F``) was routed as another operation or
    matched nothing."""
    pinpoint_client.update_endpoint(
        ApplicationId=app_id, EndpointId=endpoint_id,
        EndpointRequest={"ChannelType": "EMAIL", "Address": "a@b.c",
                         "User": {"UserId": endpoint_id}})
    endpoint = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
    assert endpoint["EndpointResponse"]["Id"] == endpoint_id
    users = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId=endpoint_id)
    assert [e["Id"] for e in users["EndpointsResponse"]["Item"]] == [endpoint_id]
    pinpoint_client.delete_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
    assert error_of(lambda: pinpoint_client.get_endpoint(
        ApplicationId=app_id, EndpointId=endpoint_id))[:2] == (404, "NotFoundException")


def test_get_segment_of_an_id_ending_in_versions_is_not_get_segment_versions(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str
) -> None:
    segment = pinpoint_client.create_segment(ApplicationId=app_id,
                                             WriteSegmentRequest={"Name": "s"})
    segment_id = segment["SegmentResponse"]["Id"]
    status, code, message = error_of(lambda: pinpoint_client.get_segment(
        ApplicationId=app_id, SegmentId=f"{segment_id}/versions"))
    assert (status, code) == (404, "NotFoundException")
    assert message == f"Segment '{segment_id}/versions' not found in application '{app_id}'."
    assert pinpoint_imports.calls[-1].operation == "GetSegment"
    assert pinpoint_imports.calls[-1].params["SegmentId"] == f"{segment_id}/versions"


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("HEAD", "Method HEAD is not allowed on /v1/apps/{app}/jobs/import; this resource "
                 "allows GET, POST, OPTIONS."),
        ("get", "Method get is not allowed on /v1/apps/{app}/jobs/import; this resource allows "
                "GET, POST, OPTIONS (HTTP methods are case-sensitive: did you mean GET?)."),
        ("PATCH", "Method PATCH is not allowed on /v1/apps/{app}/jobs/import; this resource "
                  "allows GET, POST, OPTIONS."),
        ("BREW", "Method BREW is not allowed on /v1/apps/{app}/jobs/import; this resource "
                 "allows GET, POST, OPTIONS."),
        ("options", "Method options is not allowed on /v1/apps/{app}/jobs/import; this "
                    "resource allows GET, POST, OPTIONS."),
    ],
)
def test_a_method_the_path_does_not_have_is_405(
    pinpoint_imports: Any, app_id: str, method: str, message: str
) -> None:
    """Issue 14: HEAD and lower-case ``get`` on a served path were answered as GET."""
    client = unvalidated_client()
    _changing(client, lambda request: setattr(request, "method", method))
    status, code, text = error_of(lambda: client.get_import_jobs(ApplicationId=app_id))
    assert (status, code, text) == (405, "MethodNotAllowedException", message.format(app=app_id))
    assert [call.operation for call in pinpoint_imports.calls] == ["CreateApp"]  # not recorded


@pytest.mark.parametrize("endpoint_url", [None, "http://localhost:4566", "https://pinpoint.x.y"])
@pytest.mark.parametrize(
    "path", ["/v1/nothing", "/v1/apps//jobs/import", "/v1/apps/a/jobs/import/x/y", "/"]
)
def test_a_request_no_operation_matches_is_404_in_process(
    pinpoint_imports: Any, no_network: list[Any], endpoint_url: Any, path: str
) -> None:
    """Issue 14: with a custom ``endpoint_url``, a request the router could not match was
    handed to moto, which let botocore send it (a DNS lookup was attempted)."""
    client = unvalidated_client(endpoint_url=endpoint_url)

    def to_path(request: Any) -> None:
        scheme, rest = request.url.split("://", 1)
        request.url = f"{scheme}://{rest.split('/', 1)[0]}{path}"

    _changing(client, to_path)
    status, code, text = error_of(lambda: client.get_import_jobs(ApplicationId="a"))
    assert (status, code, text) == (404, "NotFoundException",
                                    f"No Pinpoint operation at GET {path}.")


@pytest.mark.parametrize("endpoint_url", ["https://pinpoint.x.y", "http://pinpoint.example.test:81",
                                          "http://localhost:4566"])
def test_a_custom_endpoint_url_takes_its_region_from_the_signature(
    pinpoint_imports: Any, no_network: list[Any], endpoint_url: str
) -> None:
    """Issue 14: a host ``pinpoint.<x>.<y>`` was read as region ``<x>`` (KeyError)."""
    app_id = boto3.client("pinpoint", region_name="eu-west-1").create_app(
        CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]["Id"]
    client = boto3.client("pinpoint", region_name="eu-west-1", endpoint_url=endpoint_url)
    assert client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"] == []
    other = boto3.client("pinpoint", region_name="us-east-1", endpoint_url=endpoint_url)
    assert error_of(lambda: other.get_import_jobs(ApplicationId=app_id))[:2] == (
        404, "NotFoundException")


@pytest.mark.parametrize("endpoint_url", [None, "http://localhost:4566"])
def test_a_region_pinpoint_does_not_run_in_is_403(
    pinpoint_imports: Any, no_network: list[Any], endpoint_url: Any
) -> None:
    """AWS refuses a signature scoped to a region the service is not in ("Credential should
    be scoped to a valid region"); moto has no Pinpoint backend there."""
    client = unvalidated_client(endpoint_url=endpoint_url, region="nowhere-1")
    status, code, text = error_of(lambda: client.get_import_jobs(ApplicationId="a"))
    assert (status, code) == (403, "ForbiddenException")
    assert text == ("Credential should be scoped to a valid region, not 'nowhere-1': Pinpoint "
                    "does not run there (give the client a region such as us-east-1).")
