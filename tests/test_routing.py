"""Requests are routed by the model's URI templates on the raw path, and methods as spelt.

Source: botocore's Pinpoint model (``http.method``, ``http.requestUri``) and its serializer,
which percent-encodes every path member (``/`` as ``%2F``); HTTP methods are case-sensitive
(RFC 9110, section 9.1). A request meant for Pinpoint that matches no operation is answered
in process (404, or 405 for a method the path does not have), never sent to the network.
"""

from __future__ import annotations

import re
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
    "path", ["/v1/nothing", "/v1/apps/a/jobs", "/v1/apps/a/jobs/import/x/y", "/", "/v1/nothing/"]
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


# -- empty path members --------------------------------------------------------------------

EMPTY_MEMBER_CALLS = [
    ("get_app", {"ApplicationId": ""}, "ApplicationId"),
    ("delete_app", {"ApplicationId": ""}, "ApplicationId"),
    ("get_segments", {"ApplicationId": ""}, "ApplicationId"),
    ("get_application_settings", {"ApplicationId": ""}, "ApplicationId"),  # moto's
    ("get_event_stream", {"ApplicationId": ""}, "ApplicationId"),  # moto's
    ("list_tags_for_resource", {"ResourceArn": ""}, "ResourceArn"),  # moto's
    ("get_campaigns", {"ApplicationId": ""}, "ApplicationId"),  # served by neither
    ("get_segment", {"SegmentId": ""}, "SegmentId"),
    ("delete_segment", {"SegmentId": ""}, "SegmentId"),
    ("update_segment", {"SegmentId": "", "WriteSegmentRequest": {"Name": "x"}}, "SegmentId"),
    ("get_segment_versions", {"SegmentId": ""}, "SegmentId"),
    ("get_segment_version", {"SegmentId": "{segment}", "Version": ""}, "Version"),
    ("get_segment_import_jobs", {"SegmentId": ""}, "SegmentId"),
    ("get_segment_export_jobs", {"SegmentId": ""}, "SegmentId"),
    ("get_import_job", {"JobId": ""}, "JobId"),
    ("get_export_job", {"JobId": ""}, "JobId"),
    ("get_endpoint", {"EndpointId": ""}, "EndpointId"),
    ("delete_endpoint", {"EndpointId": ""}, "EndpointId"),
    ("update_endpoint", {"EndpointId": "", "EndpointRequest": {
        "ChannelType": "EMAIL", "Address": "a@x.com"}}, "EndpointId"),
    ("get_user_endpoints", {"UserId": ""}, "UserId"),
    ("delete_user_endpoints", {"UserId": ""}, "UserId"),
]


def _state(client: Any, app_id: str, segment_id: str) -> Any:
    return (
        [app["Id"] for app in client.get_apps()["ApplicationsResponse"]["Item"]],
        [s["Id"] for s in client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"]],
        [v["Version"] for v in client.get_segment_versions(
            ApplicationId=app_id, SegmentId=segment_id)["SegmentsResponse"]["Item"]],
        client.get_user_endpoints(ApplicationId=app_id, UserId="u1")["EndpointsResponse"],
    )


@pytest.mark.parametrize(("method", "members", "empty"), EMPTY_MEMBER_CALLS,
                         ids=[f"{call[0]}-{call[2]}" for call in EMPTY_MEMBER_CALLS])
def test_an_empty_path_member_is_400_naming_it_not_another_operation(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, method: str,
    members: dict[str, Any], empty: str,
) -> None:
    """AWS unknown: rule chosen, documented in docs/requests.md (Routing). botocore's own
    validation sends an empty path member (its model gives these members no ``min``), as
    ``.../segments/`` or ``/v1/apps//...``: that is the operation called with an empty member,
    a 400 naming it, recorded as that operation; not the listing the path's prefix names
    (issue 14: ``get_segment(SegmentId="")`` was answered 200 as GetSegments), and nothing
    changes."""
    segment_id = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "vip"})["SegmentResponse"]["Id"]
    pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="e1", EndpointRequest={
        "ChannelType": "EMAIL", "Address": "a@b.c", "User": {"UserId": "u1"}})
    before = _state(pinpoint_client, app_id, segment_id)
    operation = pinpoint_client.meta.method_to_api_mapping[method]
    accepted = pinpoint_client.meta.service_model.operation_model(operation).input_shape.members
    kwargs = {name: segment_id if value == "{segment}" else value
              for name, value in {"ApplicationId": app_id, **members}.items()
              if name in accepted}
    assert error_of(lambda: getattr(pinpoint_client, method)(**kwargs)) == (
        400, "BadRequestException", f"{empty} must not be empty.")
    call = pinpoint_imports.calls[-1]
    assert (call.operation, call.status, call.params[empty]) == (operation, 400, "")
    assert _state(pinpoint_client, app_id, segment_id) == before


def test_an_update_endpoint_with_an_empty_id_stores_nothing_whatever_its_body(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str
) -> None:
    """Issue 14: ``update_endpoint(EndpointId="")`` (PUT ``.../endpoints/``) was dispatched as
    UpdateEndpointsBatch, and with an ``Item`` body swapped in stored endpoint ``smuggled``.
    AWS unknown: rule chosen, documented in docs/requests.md (Routing)."""
    def smuggle(request: Any, **_: Any) -> None:
        request.data = b'{"Item":[{"Id":"smuggled","ChannelType":"EMAIL","Address":"z@x.com"}]}'

    pinpoint_client.meta.events.register("before-sign.pinpoint.UpdateEndpoint", smuggle)
    assert error_of(lambda: pinpoint_client.update_endpoint(
        ApplicationId=app_id, EndpointId="", EndpointRequest={})) == (
        400, "BadRequestException", "EndpointId must not be empty.")
    assert pinpoint_imports.calls[-1].operation == "UpdateEndpoint"
    assert error_of(lambda: pinpoint_client.get_endpoint(
        ApplicationId=app_id, EndpointId="smuggled"))[:2] == (404, "NotFoundException")


EMPTY_APPLICATION_ID = (400, "BadRequestException", "ApplicationId must not be empty.")


@pytest.mark.parametrize("endpoint_url", [None, "http://localhost:4566"])
@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/v1/apps//jobs/import", EMPTY_APPLICATION_ID),
        ("/v1/apps//jobs/import/", EMPTY_APPLICATION_ID),
        ("/v1/apps/a/jobs/import/", (400, "BadRequestException", "JobId must not be empty.")),
        ("/v1/apps/", EMPTY_APPLICATION_ID),
        ("/v1/apps//", (404, "NotFoundException", "No Pinpoint operation at GET /v1/apps//.")),
        ("/v1/apps/a/jobs/import//", (404, "NotFoundException",
                                      "No Pinpoint operation at GET /v1/apps/a/jobs/import//.")),
        ("/v1/apps/a/segments/s/versions/", (400, "BadRequestException",
                                             "Version must not be empty.")),
    ],
)
def test_a_trailing_or_double_slash_is_an_empty_member_or_no_operation(
    pinpoint_imports: Any, no_network: list[Any], endpoint_url: Any, path: str,
    answer: tuple[int, str, str],
) -> None:
    """A trailing ``/`` or a ``//`` leaves a label empty: a 400 naming the member when the path
    matches an operation's template only that way, else the 404 of a path no operation has
    (AWS unknown: rule chosen, documented in docs/requests.md). Answered in process whatever
    the ``endpoint_url``."""
    client = unvalidated_client(endpoint_url=endpoint_url)

    def to_path(request: Any) -> None:
        scheme, rest = request.url.split("://", 1)
        request.url = f"{scheme}://{rest.split('/', 1)[0]}{path}"

    _changing(client, to_path)
    assert error_of(lambda: client.get_import_jobs(ApplicationId="a")) == answer


def test_every_operation_s_template_with_an_empty_member_names_it() -> None:
    """Every operation of botocore's Pinpoint model (``http.requestUri``), each of its path
    members left empty in turn (the others ``x``), and all of them at once: the router names
    that operation and the first empty member, in the template's order, never another
    operation."""
    from pinpoint_mock._routing import EmptyLabelError, router

    routes = router()
    checked = 0
    for name, route in routes.routes.items():
        template = route.template.split("?")[0]
        labels = re.findall(r"\{([^}]+)\}", template)
        for empty in [*([label] for label in labels), labels if len(labels) > 1 else []]:
            if not empty:
                continue
            path = template
            for label in labels:
                path = path.replace("{" + label + "}", "" if label in empty else "x")
            with pytest.raises(EmptyLabelError) as caught:
                routes.match(route.method, path)
            member = route.uri[empty[0].replace("-", "_")]
            assert (caught.value.operation, caught.value.message) == (
                name, f"{member} must not be empty."), path
            checked += 1
    assert checked > 150
