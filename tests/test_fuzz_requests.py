"""Fuzzing every operation answered through boto3 (issue 14, item 5), with requests drawn from
botocore's shapes (tests/strategies.py), client-side validation off: the mock's operations
(import and export jobs, segments, endpoints, UpdateEndpointsBatch, the app calls) and those it
validates and then leaves to moto (application settings, event streams, tags).

Invariants, for every request:

- **no escape**: the call returns, or raises botocore's ClientError with an error code the
  operation's model lists (a modeled exception class), with that code's HTTP status;
- **parseable response**: botocore parses it, and its body conforms to the operation's output
  shape (or the error's shape), checked strictly with botocore's validator;
- **nothing stored on refusal**: after a 4xx, the application's jobs, segments (every
  version), endpoints, users and custom attribute names are exactly what they were, and so are
  moto's apps, the application's settings, event stream and tags;
- **what is stored reads back**: the listings and GetEndpoint / GetUserEndpoints of the ids
  involved answer and conform, after every request.

Run longer with ``pytest --hypothesis-profile=fuzz-long tests/test_fuzz_requests.py``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any, Iterator, Optional
from urllib.parse import quote, unquote

import boto3
import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from moto.pinpoint.models import pinpoint_backends

from pinpoint_mock._apps import APP_OPERATIONS
from pinpoint_mock._dispatch import SERVED_OPERATIONS, moto_operations
from tests.conftest import BUCKET, REGION, ROLE_ARN, SAMPLES
from tests.strategies import ODD_TEXT, ShapeChecker, members, recording_bodies
from tests.wire import raw_body, unvalidated_client

pytestmark = pytest.mark.pinpoint_imports(progression="manual")

MODEL = botocore.session.get_session().get_service_model("pinpoint")
ACCOUNT = "123456789012"
ENDPOINT_IDS = ["e1", "e2", "a/b", "x/versions", "é"]
USER_IDS = ["u1", "u2", "a/b"]
SAMPLE_URLS = [f"s3://{BUCKET}/samples/{name}" for name in (
    "endpoints-basic.csv", "endpoints-basic.json", "endpoints-with-bad-rows.csv",
    "user-ids-only.csv", "endpoint-updates-by-id.csv", "missing.csv", "")]
CHECKER = ShapeChecker()
SERVICE_ERRORS = list(MODEL.error_shapes)
MOTO_OPERATIONS = sorted(moto_operations())
ANSWERED = sorted({*SERVED_OPERATIONS, *APP_OPERATIONS, *MOTO_OPERATIONS})
"""Every operation a request is answered for (the rest are the unserved 405's)."""
KNOWN_GAPS: dict[str, str] = {}
"""Conformance problems another open issue fixes, each tolerated until that work lands
(``{problem: issue}``); none today."""
MOTO_GAPS = {
    "ApplicationSettingsResource.CloudWatchMetricsEnabled: unknown member":
        "moto's settings answer carries a member the model's output does not have",
    ".__type: unknown member": "moto's errors are {__type, message}, not {Message, RequestID}",
    ".message: unknown member": "moto's errors are {__type, message}, not {Message, RequestID}",
    "a body where the model has none": "moto answers TagResource and UntagResource with {}",
}
"""Conformance problems of moto's own answers (operations it serves), tolerated: members the
model does not have, which botocore ignores (``{problem prefix: why}``)."""

path_text = st.one_of(st.text(max_size=12), st.sampled_from(
    [t for t in ODD_TEXT if "\ud800" not in t]))
"""Path and query values botocore can send (it cannot encode a lone surrogate in a URL),
the empty string included (botocore's own validation sends an empty path member)."""
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


class Context:
    """One application with a bit of everything: an IMPORT and a DIMENSIONAL segment, a job,
    endpoints of two users."""

    def __init__(self, mock: Any, client: Any, app_id: str):
        self.mock, self.client, self.app_id = mock, client, app_id
        self.app_arn = f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}:apps/{app_id}"
        client.tag_resource(ResourceArn=self.app_arn, TagsModel={"tags": {"team": "growth"}})
        job = client.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": "CSV", "S3Url": SAMPLE_URLS[0], "RoleArn": ROLE_ARN,
            "DefineSegment": True, "SegmentName": "imported", "RegisterEndpoints": True,
        })["ImportJobResponse"]
        self.job_ids = [job["Id"]]
        dimensional = client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
            "Name": "dimensional"})["SegmentResponse"]["Id"]
        self.segment_ids = [job["Definition"]["SegmentId"], dimensional]
        for endpoint_id, user_id in (("e1", "u1"), ("e2", "u2")):
            client.update_endpoint(ApplicationId=app_id, EndpointId=endpoint_id,
                                   EndpointRequest={"ChannelType": "EMAIL",
                                                    "Address": f"{endpoint_id}@x.y",
                                                    "User": {"UserId": user_id}})
        self.hints = {
            "ApplicationId": st.just(app_id),
            "SegmentId": st.sampled_from(self.segment_ids),
            "JobId": st.sampled_from(self.job_ids),
            "EndpointId": st.sampled_from(ENDPOINT_IDS),
            "UserId": st.sampled_from(USER_IDS),
            "S3Url": st.sampled_from(SAMPLE_URLS),
            "RoleArn": st.just(ROLE_ARN),
            "PageSize": st.sampled_from(["1", "2", "1000", " 1", "1 ", "+1", "\t5"]),
            "Version": st.sampled_from(["1", "2", "1 ", " 1", "+1"]),
            "S3UrlPrefix": st.sampled_from([f"s3://{BUCKET}/exports/", f"s3://{BUCKET}",
                                            "s3://no-such-bucket/x/"]),
            "SegmentVersion": st.sampled_from([1, 2]),
            "ResourceArn": st.sampled_from([self.app_arn, f"{self.app_arn}/segments/x", "x"]),
            "TagKeys": st.lists(st.sampled_from(["team", "stage", ""]), max_size=3),
            "DestinationStreamArn": st.just(
                "arn:aws:kinesis:us-east-1:123456789012:stream/events"),
        }
        self.seen = recording_bodies(client)

    def request(
        self, operation: str, junk: bool, hints: Optional[dict[str, Any]] = None
    ) -> st.SearchStrategy[tuple[dict[str, Any], Optional[Any]]]:
        """``(path and query members, payload or None)`` of one request (``hints`` replace
        some of the context's)."""
        hints = {**self.hints, **(hints or {})}
        shape = MODEL.operation_model(operation).input_shape
        payload_name = shape.serialization.get("payload")
        wire: dict[str, Any] = {}
        for name in shape.members:
            if name == payload_name:
                continue
            value = path_text
            if shape.members[name].type_name == "list":
                value = st.lists(path_text, max_size=3)
            if name in hints:
                value = st.one_of(hints[name], hints[name], value)
            wire[name] = value
        required = {k: v for k, v in wire.items() if k in shape.required_members}
        optional = {k: v for k, v in wire.items() if k not in shape.required_members}
        members_drawn = st.fixed_dictionaries(required, optional=optional)
        if payload_name is None:
            return st.tuples(members_drawn, st.none())
        body = members(shape.members[payload_name], hints, junk=junk)
        return st.tuples(members_drawn, body)

    def state(self) -> Any:
        """Everything the mock keeps for the application (copied), to compare."""
        backend = self.mock._active_state().backend(ACCOUNT, REGION)
        app = backend.store.application(self.app_id)
        moto = pinpoint_backends[ACCOUNT][REGION]
        moto_app = moto.apps[self.app_id]
        stream = moto_app.event_stream
        return (
            {app_id: app.name for app_id, app in moto.apps.items()},
            moto.tagger.get_tag_dict_for_resource(self.app_arn),
            copy.deepcopy(moto_app.settings.settings),
            None if stream is None else (stream.stream_arn, stream.role_arn),
            sorted(app.jobs), [job.id for job in app.job_listing],
            {sid: copy.deepcopy(seg.versions) for sid, seg in app.segments.items()},
            [seg.id for seg in app.segment_listing],
            {eid: copy.deepcopy(ep.fields) for eid, ep in app.endpoints.items()},
            {uid: list(ids) for uid, ids in app.endpoints_by_user.items()},
            sorted(app.attribute_names),
        )

    def read_back(self, endpoint_ids: list[str], user_ids: list[str]) -> None:
        """Reads of everything involved answer (botocore parses them; bodies are checked by
        the recorder)."""
        client, app = self.client, self.app_id
        client.get_import_jobs(ApplicationId=app, PageSize="1000")
        for segment in client.get_segments(ApplicationId=app, PageSize="1000")[
                "SegmentsResponse"]["Item"]:
            client.get_segment_versions(ApplicationId=app, SegmentId=segment["Id"],
                                        PageSize="1000")
        for endpoint_id in dict.fromkeys(endpoint_ids):
            _modeled_or_ok(functools.partial(client.get_endpoint, ApplicationId=app,
                                             EndpointId=endpoint_id), "GetEndpoint")
        for user_id in dict.fromkeys(user_ids):
            _modeled_or_ok(functools.partial(client.get_user_endpoints, ApplicationId=app,
                                             UserId=user_id), "GetUserEndpoints")

    def read_back_apps(self) -> None:
        """Reads of the apps and of what moto keeps for the application answer."""
        client, app = self.client, self.app_id
        client.get_apps(PageSize="1000")
        client.get_app(ApplicationId=app)
        client.get_application_settings(ApplicationId=app)
        client.list_tags_for_resource(ResourceArn=self.app_arn)
        _modeled_or_ok(functools.partial(client.get_event_stream, ApplicationId=app),
                       "GetEventStream")


def _modeled_or_ok(call: Any, operation: str) -> Optional[ClientError]:
    """Run ``call``: None on success, the ClientError if modeled; anything else fails."""
    try:
        call()
    except ClientError as error:
        code = error.response["Error"]["Code"]
        model = MODEL.operation_model(operation)
        # an operation that lists no errors (TagResource, UntagResource) may answer any of
        # the service's (a 400 for a missing member)
        modeled = {shape.name: shape.metadata["error"]["httpStatusCode"]
                   for shape in model.error_shapes or SERVICE_ERRORS}
        assert code in modeled, f"{operation}: unmodeled error {code}: {error}"
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert status == modeled[code], f"{operation}: {code} with status {status}"
        return error
    return None


def _check_bodies(seen: list[Any]) -> None:
    for operation, status, headers, body in seen:
        model = MODEL.operation_model(operation)
        if status < 300:
            shape = model.output_shape
        else:
            code = next((v for k, v in headers.items() if k.lower() == "x-amzn-errortype"),
                        None)
            shape = MODEL.shape_for(str(code))
        problems = [p for p in CHECKER.problems(body, shape)
                    if not any(p.endswith(gap) for gap in KNOWN_GAPS)
                    and not (operation in MOTO_OPERATIONS
                             and any(p.startswith(gap) for gap in MOTO_GAPS))]
        assert problems == [], f"{operation} {status}: {problems} in {body[:300]!r}"
    seen.clear()


def _check_routing_rules(operation: str, wire: dict[str, Any], error: Optional[ClientError]
                         ) -> None:
    """The rules of routing and paging that a request's path and query decide: an empty path
    member is a 400 naming the first one, in the template's order (docs/requests.md); a
    PageSize or Version that is not ASCII digits alone is never answered with a success."""
    model = MODEL.operation_model(operation)
    labels = re.findall(r"\{([^}+]+)\+?\}", model.http["requestUri"].split("?")[0])
    by_wire = {member.serialization.get("name", name): name
               for name, member in model.input_shape.members.items()}
    empty = [by_wire[label] for label in labels if wire.get(by_wire[label]) == ""]
    if empty:
        assert error is not None and (error.response["Error"]["Code"],
                                      error.response["Error"]["Message"]) == (
            "BadRequestException", f"{empty[0]} must not be empty."), (operation, wire)
    for name in ("PageSize", "Version"):
        value = wire.get(name)
        if isinstance(value, str) and not WHOLE_NUMBER.fullmatch(value):
            assert error is not None, f"{operation}: {name} {value!r} accepted"


@functools.cache
def _client(service: str) -> Any:
    """One client per service for every test of this module (creating one reads botocore's
    model: a tenth of a second each): clients made before a mock starts are served too."""
    if service == "s3":
        return boto3.client("s3", region_name=REGION)
    return unvalidated_client()


@pytest.fixture
def context(pinpoint_imports: Any) -> Iterator[Context]:
    """The application of :class:`Context`, with the samples in S3 (as the ``s3`` fixture)."""
    s3 = _client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".csv", ".json"):
            s3.put_object(Bucket=BUCKET, Key=f"samples/{path.name}", Body=path.read_bytes())
    client = _client("pinpoint")
    app_id = client.create_app(CreateApplicationRequest={"Name": "tests"})[
        "ApplicationResponse"]["Id"]
    context = Context(pinpoint_imports, client, app_id)
    yield context
    context.seen.stop()


@pytest.mark.parametrize("operation", ANSWERED)
@given(data=st.data())
def test_fuzzed_requests_are_answered_as_modeled(
    context: Context, operation: str, data: st.DataObject
) -> None:
    client, seen = context.client, context.seen
    hints: dict[str, Any] = {}
    if operation == "DeleteApp":  # an app of its own, so that the context's stays
        spare = client.create_app(CreateApplicationRequest={"Name": "spare"})
        hints["ApplicationId"] = st.just(spare["ApplicationResponse"]["Id"])
    seen.clear()
    junk = data.draw(st.booleans(), label="junk")
    wire, payload = data.draw(context.request(operation, junk, hints), label="request")
    method = botocore.xform_name(operation)
    before = context.state()
    calls_before = len(context.mock.calls)

    def call() -> Any:
        if payload is None:
            return getattr(client, method)(**wire)
        payload_member = MODEL.operation_model(operation).input_shape.serialization["payload"]
        with raw_body(client, json.dumps(payload).encode()):
            return getattr(client, method)(**wire, **{payload_member: {}})

    error = _modeled_or_ok(call, operation)
    recorded = [c.operation for c in context.mock.calls[calls_before:]]
    assert set(recorded) <= {operation}, f"{operation} answered as {recorded}"
    _check_routing_rules(operation, wire, error)
    after = context.state()
    if error is not None and error.response["ResponseMetadata"]["HTTPStatusCode"] < 500:
        assert after == before, f"{operation} refused but changed the state"
    if after != before:  # what was stored reads back (unchanged data was read back before)
        if operation in SERVED_OPERATIONS:
            context.read_back(["e1", str(wire.get("EndpointId", "e2"))],
                              ["u1", str(wire.get("UserId", "u2"))])
        else:
            context.read_back_apps()
    _check_bodies(seen)


@given(body=st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(lambda v: json.dumps(v).encode(), st.dictionaries(
        st.sampled_from(["Format", "S3Url", "RoleArn", "DefineSegment", "SegmentName",
                         "RegisterEndpoints", "ChannelType", "Address", "User", "Location",
                         "Attributes", "Metrics", "Dimensions", "SegmentGroups", "Name"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                  st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                      st.integers(), max_size=2)),
        max_size=5)),
    st.sampled_from([b"[" * 5000, b'{"a":' * 3000, b"{}" * 2, b"\xef\xbb\xbf{}", b"nul\x00",
                     b'{"Metrics": {"m": 1e400}}', b'{"Address": NaN}', b"\r\n{}\r\n"]),
))
@pytest.mark.parametrize("operation", ["CreateImportJob", "CreateSegment", "UpdateSegment",
                                       "UpdateEndpoint"])
def test_fuzzed_raw_bodies_are_answered_as_modeled(
    context: Context, operation: str, body: bytes
) -> None:
    client, seen = context.client, context.seen
    seen.clear()
    method = botocore.xform_name(operation)
    shape = MODEL.operation_model(operation).input_shape
    wire = {"ApplicationId": context.app_id, "SegmentId": context.segment_ids[0],
            "EndpointId": "e1"}
    wire = {k: v for k, v in wire.items() if k in shape.members}
    before = context.state()
    with raw_body(client, body):
        error = _modeled_or_ok(lambda: getattr(client, method)(
            **wire, **{shape.serialization["payload"]: {}}), operation)
    after = context.state()
    if error is not None:
        assert after == before, f"{operation} refused but changed the state"
    if after != before:
        context.read_back(["e1"], ["u1"])
    _check_bodies(seen)


# -- the wire: any method, any host form, any path of the model -----------------------------

PINPOINT_HOSTS = [f"pinpoint.{REGION}.amazonaws.com", f"pinpoint.{REGION}.amazonaws.com.",
                  f"pinpoint.{REGION}.amazonaws.com:443", f"pinpoint.{REGION}.amazonaws.com.:443"]
FOREIGN_HOSTS = ["example.com", "10.1.2.3:8080", "localhost:4566", "[2001:db8::1]"]
OPERATIONS = sorted(MODEL.operation_names)
methods = st.one_of(
    st.sampled_from(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
                     "CONNECT"]),
    st.from_regex(r"[A-Z][A-Z0-9_-]{0,9}", fullmatch=True),
)
"""HTTP methods (``requests`` upper-cases what it is given)."""


@st.composite
def wire_requests(draw: Any, app_id: str) -> tuple[str, str]:
    """``(method, path)``: the path of one of the model's operations' URI template, each
    label the app's id, another value (percent-encoded, as botocore encodes it) or empty,
    sometimes with a trailing ``/`` or a ``//``; the method mostly the operation's own."""
    operation = MODEL.operation_model(draw(st.one_of(
        st.sampled_from(ANSWERED), st.sampled_from(ANSWERED), st.sampled_from(OPERATIONS)),
        label="operation"))
    method = draw(st.one_of(st.just(operation.http["method"]), st.just(operation.http["method"]),
                            methods), label="method")
    template = operation.http["requestUri"].split("?")[0]

    def label(match: re.Match[str]) -> str:
        value = draw(st.one_of(st.just(app_id), st.sampled_from(["", "x", "e1", "a/b", "é"]),
                               st.text(max_size=6)), label=match.group(1))
        return quote(value, safe="")

    path = re.sub(r"\{([^}]+)\}", label, template)
    tail = draw(st.sampled_from(["", "", "/", "//"]), label="tail")
    return method, path + tail


def _answered_operation_path(call: Any) -> str:
    """The path of the operation a recorded call was answered as, from its template and the
    call's members (each segment decoded, to compare with what was sent)."""
    model = MODEL.operation_model(call.operation)
    by_wire = {member.serialization.get("name", name): name
               for name, member in model.input_shape.members.items()}
    return re.sub(r"\{([^}+]+)\+?\}", lambda m: quote(str(call.params[by_wire[m.group(1)]]),
                                                      safe=""),
                  model.http["requestUri"].split("?")[0])


def _segments(path: str) -> list[str]:
    return [unquote(segment) for segment in path.split("/")]


@pytest.mark.parametrize("transport", ["requests", "server"])
@given(data=st.data())
def test_fuzzed_methods_hosts_and_paths_on_the_wire_are_answered_in_process(
    context: Context, transport: str, data: st.DataObject, request: pytest.FixtureRequest,
) -> None:
    """Issue 14 (no request leaves the process; every bad input a modeled 4xx): requests
    with any method, to Pinpoint's host in any form (trailing dot, port) signed or not, or
    signed for ``mobiletargeting`` to any host, on any path of the model's templates (labels
    empty or not, trailing ``/``, ``//``), through ``requests`` in process or over HTTP to the
    server. Invariants: an answer (the suite's network guard fails any lookup or connect off
    loopback), a modeled error (``x-amzn-ErrorType`` an error shape of the model, with its
    status) or a success, no body for HEAD, a JSON body otherwise; a success is the operation
    whose template the path fills (never another one)."""
    if transport == "server":
        server = request.getfixturevalue("fuzz_server")
        base, signed = server.url, True
    else:
        host = data.draw(st.sampled_from(PINPOINT_HOSTS + FOREIGN_HOSTS), label="host")
        base = f"{'http' if host.startswith(('localhost', '10.')) else 'https'}://{host}"
        signed = host in FOREIGN_HOSTS or data.draw(st.booleans(), label="signed")
    method, path = data.draw(wire_requests(context.app_id), label="request")
    body = data.draw(st.sampled_from([None, b"{}", b'{"Name": "n"}', b"[]"]), label="body")
    url = base + path
    headers = {"Content-Type": "application/json"}
    if signed:
        signing = AWSRequest(method, url, data=body, headers=headers)
        SigV4Auth(Credentials("testing", "testing"), "mobiletargeting", REGION).add_auth(signing)
        headers = dict(signing.headers)
    calls_before = len(context.mock.calls)
    response = requests.request(method, url, data=body, headers=headers, timeout=10)
    status = response.status_code
    new = context.mock.calls[calls_before:]
    assert len(new) <= 1, (method, url, [call.operation for call in new])
    for call in new:  # recorded as the operation whose template the path fills
        assert MODEL.operation_model(call.operation).http["method"] == method, (
            method, url, call.operation)
        assert _segments(_answered_operation_path(call)) == _segments(path), (
            method, url, "answered as", call.operation, call.params)
    if method == "HEAD":
        assert response.content == b""
    if status < 300 and method == "OPTIONS":  # the methods, as the API reference lists them
        assert (status, new) == (200, []) and response.headers["Allow"].endswith("OPTIONS")
    elif status < 300:
        assert len(new) == 1, (method, url, status)
        if method != "HEAD" and response.content:
            response.json()
    elif response.headers.get("x-amzn-ErrorType") is None:
        # an error of an operation moto answered, in moto's own form
        assert new and new[-1].answered_by == "moto", (method, url, status)
    else:
        code = response.headers["x-amzn-ErrorType"]
        shape = MODEL.shape_for(code.split(":")[0])
        assert shape.metadata["error"]["httpStatusCode"] == status, (method, url, code)
        if method != "HEAD":  # moto's own errors are {__type, message} (MOTO_GAPS)
            by_moto = bool(new) and new[-1].answered_by == "moto"
            assert ("message" if by_moto else "Message") in response.json()


@pytest.fixture
def fuzz_server(context: Context) -> Iterator[Any]:
    """The server of the context's mock (one per test, shared by its examples)."""
    from pinpoint_mock import PinpointMockServer

    with PinpointMockServer(context.mock) as server:
        yield server
