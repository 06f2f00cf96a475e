"""Canaries: fail loudly when a botocore or moto internal this library relies on moves.

Each test names the module that relies on the internal.
"""

from __future__ import annotations

import inspect
import re

import botocore.handlers
import moto
import pytest
from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint
from moto.core import botocore_stubber, models


def test_moto_registers_its_stubber_as_a_builtin_before_send_handler() -> None:
    # _botocore wraps BotocoreStubber.__call__, reached through this registration.
    assert ("before-send", models.botocore_stubber) in botocore.handlers.BUILTIN_HANDLERS
    assert isinstance(models.botocore_stubber, botocore_stubber.BotocoreStubber)
    params = list(inspect.signature(botocore_stubber.BotocoreStubber.__call__).parameters)
    assert params[:3] == ["self", "event_name", "request"]


def test_botocore_emits_before_send_with_the_operation_and_then_calls_send() -> None:
    # _botocore relies on the event name before-send.<service-id>.<Operation> and on _send
    # being reached only when no handler answered.
    source = inspect.getsource(Endpoint._do_get_response)
    assert 'f"before-send.{service_id}.{operation_model.name}"' in source
    assert "first_non_none_response(responses)" in source
    assert "self._send(request)" in source
    assert list(inspect.signature(Endpoint._send).parameters) == ["self", "request"]


def test_aws_response_keeps_the_body_in_content() -> None:
    # _botocore.to_aws_response fills _content so botocore never streams the raw body.
    response = AWSResponse("https://x", 200, {"a": "b"}, raw=None)
    response._content = b"{}"
    assert response.content == b"{}"
    assert response.headers["A"] == "b"


def test_moto_s3_keys_have_a_lock_and_a_value_buffer() -> None:
    # _moto._ChunkedReader reads FakeKey._value_buffer under FakeKey.lock in chunks.
    from moto.s3.models import FakeKey

    key = FakeKey("k", b"abc", account_id="123456789012", region_name="us-east-1")
    with key.lock:
        key._value_buffer.seek(1)
        assert key._value_buffer.read(2) == b"bc"


def test_moto_pinpoint_and_s3_backends_are_where_we_look() -> None:
    # _moto.MotoApps and MotoS3Objects.
    from moto.pinpoint.models import pinpoint_backends
    from moto.s3.models import s3_backends

    assert isinstance(pinpoint_backends["123456789012"]["us-east-1"].apps, dict)
    assert isinstance(s3_backends["123456789012"]["aws"].buckets, dict)


def test_moto_s3_put_object_takes_bucket_key_and_value() -> None:
    # _moto.MotoS3Writer writes an export job's objects with put_object(bucket_name=,
    # key_name=, value=) and reads moto's MissingBucket for a bucket that does not exist.
    from moto import mock_aws
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    with mock_aws():
        backend = s3_backends["123456789012"]["aws"]
        backend.create_bucket("canary-bucket", "us-east-1")
        key = backend.put_object(bucket_name="canary-bucket", key_name="a/b.gz", value=b"xy")
        assert key.size == 2 and backend.buckets["canary-bucket"].keys["a/b.gz"] is key
        with pytest.raises(MissingBucket):
            backend.put_object(bucket_name="no-such-bucket", key_name="k", value=b"")


def test_a_moto_reset_gives_each_pinpoint_backend_a_new_app_table() -> None:
    # _moto.MotoApps.current: a reset (BackendDict.reset, what /moto-api/reset and
    # MockAWS.reset call) re-runs the backend's __init__, so its `apps` is a new dict.
    from moto.core.base_backend import BackendDict
    from moto.pinpoint.models import pinpoint_backends

    with moto.mock_aws():
        backend = pinpoint_backends["123456789012"]["us-east-1"]
        apps = backend.apps
        BackendDict.reset()
        assert backend.apps is not apps
        assert pinpoint_backends["123456789012"]["us-east-1"].apps is not apps


def test_moto_counts_its_scopes_and_fakes_two_variables() -> None:
    # _mock._start_moto / _stop_moto: the variables mock_aws fakes, and its scope count.
    assert set(moto.mock_aws()._fake_creds) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    before = models.MockAWS._nested_count
    with moto.mock_aws():
        assert models.MockAWS._nested_count == before + 1
    assert models.MockAWS._nested_count == before


def test_moto_answers_with_a_plain_aws_response_over_a_bytes_io() -> None:
    # _botocore._in_process re-wraps exactly this (awaitable content, async-readable raw).
    from io import BytesIO

    source = inspect.getsource(botocore_stubber.BotocoreStubber.__call__)
    assert "AWSResponse(request.url, status, headers, MockRawResponse(body))" in source
    raw = botocore_stubber.MockRawResponse(b"abc")
    assert isinstance(raw, BytesIO) and b"".join(raw.stream()) == b"abc"


def test_aiobotocore_endpoint_emits_before_send_then_awaits_send() -> None:
    # _botocore: aiobotocore clients reach moto's handler (wrapped) through the same event, and
    # _aiobotocore._aio_send replaces AioEndpoint._send for clients created before `import moto`.
    endpoint = pytest.importorskip("aiobotocore.endpoint")
    source = inspect.getsource(endpoint.AioEndpoint._do_get_response)
    assert 'f"before-send.{service_id}.{operation_model.name}"' in source
    assert "first_non_none_response(responses)" in source
    assert "await self._send(request)" in source
    assert "_send" in vars(endpoint.AioEndpoint)
    assert inspect.iscoroutinefunction(endpoint.AioEndpoint._send)
    assert list(inspect.signature(endpoint.AioEndpoint._send).parameters) == ["self", "request"]


def test_aiobotocore_awaits_content_and_reads_streams_through_raw_content() -> None:
    # _botocore._Body.__await__, _InProcessResponse.content and _AsyncReader (raw.content.read).
    endpoint = pytest.importorskip("aiobotocore.endpoint")
    response = pytest.importorskip("aiobotocore.response")
    source = inspect.getsource(endpoint.convert_to_response_dict)
    assert "await http_response.content" in source
    assert "AioStreamingBody(http_response.raw, length)" in source
    read = inspect.getsource(response.AioStreamingBody.read)
    assert "await self._raw_stream.content.read(" in read
    assert "self._raw_stream.content.at_eof()" in inspect.getsource(
        response.AioStreamingBody.readable)


def test_aiobotocore_awaits_handler_answers_and_sends_async_upload_bodies() -> None:
    # _botocore._stubber_call returns a coroutine for a request with an async body (only
    # aiobotocore sends those, e.g. its aws-chunked S3 upload wrapper), which its emitter awaits.
    hooks = pytest.importorskip("aiobotocore.hooks")
    httpchecksum = pytest.importorskip("aiobotocore.httpchecksum")
    assert "await resolve_awaitable(handler(**kwargs))" in inspect.getsource(
        hooks.AioHierarchicalEmitter._emit)
    assert inspect.iscoroutinefunction(httpchecksum.AioAwsChunkedWrapper.read)


def test_moto_pinpoint_backend_creates_and_deletes_apps_as_apps_uses_it() -> None:
    # _apps.AppCalls: create_app(name=, tags=), delete_app(application_id=), apps (a dict in
    # creation order), App.application_id / .arn / .name / .created (POSIX seconds).
    from moto.pinpoint.models import PinpointBackend

    backend = PinpointBackend("us-east-1", "123456789012")
    first = backend.create_app(name="a", tags={"k": "v"})
    second = backend.create_app(name="b", tags={})
    assert list(backend.apps) == [first.application_id, second.application_id]
    assert (first.name, isinstance(first.created, float)) == ("a", True)
    assert first.arn.endswith(f":apps/{first.application_id}")
    assert backend.delete_app(application_id=first.application_id) is first
    assert list(backend.apps) == [second.application_id]


def test_moto_pinpoint_tagger_keeps_tags_for_any_arn() -> None:
    # _moto.MotoTags (the tags of apps and segments): get_tag_dict_for_resource,
    # tag_resource(arn, convert_dict_to_tags_input(...)), delete_all_tags_for_resource.
    from moto.pinpoint.models import PinpointBackend

    tagger = PinpointBackend("us-east-1", "123456789012").tagger
    arn = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/a/segments/s"
    tagger.tag_resource(arn, tagger.convert_dict_to_tags_input({"k": "v"}))
    assert tagger.get_tag_dict_for_resource(arn) == {"k": "v"}
    tagger.delete_all_tags_for_resource(arn)
    assert tagger.get_tag_dict_for_resource(arn) == {}


def test_moto_answers_unmatched_aws_urls_as_not_implemented_and_other_hosts_not_at_all() -> None:
    # _botocore.moto_answer and _requests._moto: None means "no URL of moto's matched" (then the
    # URL is rebuilt from the SigV4 scope), the bare 404 "Not yet implemented" means moto has
    # no such service (then UnservedRequestError names the URL).
    from botocore.awsrequest import AWSPreparedRequest

    stubber = botocore_stubber.BotocoreStubber()
    aws = AWSPreparedRequest("GET", "https://braket.us-east-1.amazonaws.com/devices", {}, None,
                             False)
    assert stubber.process_request(aws) == (404, {}, "Not yet implemented")
    other = AWSPreparedRequest("GET", "http://localhost:4566/devices", {}, None, False)
    assert stubber.process_request(other) is None


def test_moto_drives_responses_with_a_registry_preferring_plain_callback_responses() -> None:
    # _requests adds plain responses.CallbackResponse objects to moto's responses_mock, which
    # its CustomRegistry prefers over its own callbacks, and asks moto through the callback
    # moto registers (process_request, with an AWSPreparedRequest).
    import responses
    from moto.core import responses_custom_registry

    assert isinstance(models.responses_mock, responses.RequestsMock)
    find = inspect.getsource(responses_custom_registry.CustomRegistry.find)
    assert re.search(r"if type\(match\) (is|==) responses\.CallbackResponse:", find)
    assert "responses_mock.add(" in inspect.getsource(models.MockAWS._enable_patching)
    assert "reset_responses_mock(responses_mock)" in inspect.getsource(models.MockAWS.reset)
    params = inspect.signature(botocore_stubber.BotocoreStubber.process_request)
    assert list(params.parameters) == ["self", "request"]
    assert "match" in inspect.signature(responses.CallbackResponse.__init__).parameters or (
        "match" in inspect.signature(responses.BaseResponse.__init__).parameters)


def test_moto_s_registry_keeps_its_callbacks_per_method_in_registered() -> None:
    # _requests._remove takes the mock's callbacks out of CustomRegistry._registered (a dict
    # of lists by method) by identity: moto 5.0.23 (the floor) has no CustomRegistry.remove.
    from moto.core import responses_custom_registry

    registry = responses_custom_registry.CustomRegistry()
    assert isinstance(registry._registered, dict)
    assert "self._registered[response.method].append(response)" in inspect.getsource(
        responses_custom_registry.CustomRegistry.add)
    assert callable(models.responses_mock.get_registry)


def test_moto_api_reset_route_calls_moto_api_backend_reset() -> None:
    # PinpointImportsMock.reset calls the method moto's POST /moto-api/reset calls.
    from moto.moto_api._internal.models import moto_api_backend
    from moto.moto_api._internal.responses import MotoAPIResponse

    assert "moto_api_backend.reset()" in inspect.getsource(MotoAPIResponse.reset_response)
    assert callable(moto_api_backend.reset)


def test_moto_server_application_serves_by_signature_scope() -> None:
    # _wsgi.moto_application and _server: moto's own server application and request handler.
    werkzeug_app = pytest.importorskip("moto.moto_server.werkzeug_app")
    from werkzeug.serving import WSGIRequestHandler

    app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    assert callable(app)
    # (moto 5.0.23, the floor, has none: _server then uses werkzeug's own handler)
    assert issubclass(getattr(werkzeug_app, "MotoRequestHandler", WSGIRequestHandler),
                      WSGIRequestHandler)
    assert werkzeug_app.SIGNING_ALIASES["mobiletargeting"] == "pinpoint"
    source = inspect.getsource(werkzeug_app.DomainDispatcherApplication.infer_service_region_host)
    assert 'environ.get("HTTP_AUTHORIZATION")' in source


def test_werkzeug_serves_an_already_bound_socket_and_keeps_the_raw_uri() -> None:
    # _server binds the socket itself (a port in use is one sentence, not werkzeug's exit) and
    # _wsgi.request_url reads the raw path werkzeug's dev server keeps in REQUEST_URI.
    from werkzeug import serving

    assert "fd" in inspect.signature(serving.make_server).parameters
    assert callable(serving.select_address_family)
    assert '"REQUEST_URI"' in inspect.getsource(serving.WSGIRequestHandler.make_environ)


def test_werkzeug_dechunks_a_body_marks_it_terminated_and_raises_os_error_on_bad_framing(
) -> None:
    # _wsgi reads a chunked body first (wsgi.input_terminated, set by werkzeug's dev server
    # with its DechunkedInput) and answers werkzeug's OSError on a bad chunk header as a 400.
    import io

    from werkzeug import serving

    assert '"wsgi.input_terminated"' in inspect.getsource(
        serving.WSGIRequestHandler.make_environ)
    assert serving.DechunkedInput(io.BytesIO(b"3\r\nabc\r\n0\r\n\r\n")).read() == b"abc"
    with pytest.raises(OSError, match="Invalid chunk header"):
        serving.DechunkedInput(io.BytesIO(b"zz\r\n{}\r\n0\r\n\r\n")).read()


def test_botocore_headers_dict_keeps_its_headers_by_header_key() -> None:
    # _botocore reads Authorization and x-moto-account-id from HeadersDict._dict with
    # _HeaderKey keys made once.
    from botocore.awsrequest import HeadersDict, _HeaderKey

    headers = HeadersDict({"Authorization": b"AWS4-HMAC-SHA256 Credential=k/..."})
    assert type(headers._dict) is dict
    assert headers._dict.get(_HeaderKey("authorization")) == headers["AUTHORIZATION"]
    assert headers._dict.get(_HeaderKey("x-moto-account-id")) is None


def test_os_environ_keeps_its_variables_in_data_under_encoded_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # _moto.moto_account_variable reads MOTO_ACCOUNT_ID from os.environ._data.
    import os

    from pinpoint_mock import _moto

    key = os.environ.encodekey("MOTO_ACCOUNT_ID")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    assert os.environ.decodevalue(os.environ._data[key]) == "111122223333"
    assert _moto.moto_account_variable() == "111122223333"
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert key not in os.environ._data and _moto.moto_account_variable() is None
    monkeypatch.setattr(os, "environ", {"MOTO_ACCOUNT_ID": "444455556666"})
    assert _moto.moto_account_variable() == "444455556666"  # a replaced environ is followed


def test_responses_passes_an_unmatched_request_through_real_send() -> None:
    # _requests guards moto's pass-through: responses calls self._real_send(adapter, request,
    # **kwargs) for an unmatched request a pass-through prefix allows, and answers a matched
    # one with adapter.build_response(request, match.get_response(request)); moto's registry
    # looks only at the callbacks of the request's method.
    import responses
    from moto.core import responses_custom_registry

    # (responses before 0.24 calls the module's _real_send, from 0.24 the mock's own)
    source = inspect.getsource(responses.RequestsMock._on_request)
    owner = "self." if hasattr(models.responses_mock, "_real_send") else ""
    assert f"return {owner}_real_send(adapter, request, **kwargs)" in source
    assert "adapter.build_response(" in source and "match.get_response(request)" in source
    assert "responses_mock._real_send =" in inspect.getsource(
        models.override_responses_real_send)
    assert "self._registered[request.method]" in inspect.getsource(
        responses_custom_registry.CustomRegistry.find)


def test_moto_matches_aws_hosts_without_a_trailing_dot_or_a_port() -> None:
    # _transport.moto_url gives moto an AWS host without a trailing dot or a port (moto's
    # patterns match neither; moto_url asks under the plain host).
    from botocore.awsrequest import AWSPreparedRequest
    from moto import mock_aws

    def status(url: str) -> object:
        answer = models.botocore_stubber.process_request(
            AWSPreparedRequest("GET", url, {}, None, False))
        return None if answer is None else answer[0]

    with mock_aws():
        assert status("https://s3.amazonaws.com/") == 200
        assert status("https://s3.amazonaws.com./") is None
        assert status("https://s3.amazonaws.com:443/") is None


def test_moto_last_stop_resets_its_responses_registry() -> None:
    # _mock stops moto before removing the requests transport's callbacks (performance only).
    assert "self.reset()" in inspect.getsource(models.MockAWS._disable_patching)


def test_botocore_param_validator_walks_shapes_through_overridable_methods() -> None:
    # _validation.WireValidator subclasses ParamValidator: it calls _validate(params, shape,
    # errors, name), overrides _validate_<type>(param, shape, errors, name) and receives
    # errors.report(name, reason, **details) with "missing required field"/required_name.
    from botocore.model import ShapeResolver
    from botocore.validate import ParamValidator

    for name in ("_validate", "_validate_structure", "_validate_string", "_validate_map",
                 "_validate_list", "_validate_integer", "_validate_double", "_validate_boolean"):
        parameters = list(inspect.signature(getattr(ParamValidator, name)).parameters)
        assert parameters[2:] == ["shape", "errors", "name"], name
    shape = ShapeResolver({
        "S": {"type": "structure", "required": ["A"], "members": {
            "A": {"shape": "Str"}, "M": {"shape": "Map"}}},
        "Str": {"type": "string"},
        "Map": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
    }).get_shape_by_name("S")
    reports: list[tuple[str, str, dict[str, object]]] = []

    class Errors:
        def report(self, name: str, reason: str, **details: object) -> None:
            reports.append((name, reason, details))

    seen: list[str] = []

    class Spy(ParamValidator):  # type: ignore[misc]
        def _validate_string(self, param: object, *args: object) -> None:
            seen.append(str(param))

    Spy()._validate({"M": {"k": "v"}}, shape, Errors(), "")
    assert reports[0][:2] == ("", "missing required field")
    assert reports[0][2]["required_name"] == "A"
    assert seen == ["k", "v"]  # map keys and values go through _validate_string


def test_served_request_bodies_are_the_python_params_botocore_validates() -> None:
    # _validation checks the JSON body as botocore's params: no served input member is renamed
    # on the wire (locationName) and only JSON types occur (no timestamp, blob, document).
    import botocore.session
    from botocore.model import Shape

    from pinpoint_mock._apps import APP_OPERATIONS
    from pinpoint_mock._dispatch import SERVED_OPERATIONS, moto_operations

    model = botocore.session.get_session().get_service_model("pinpoint")
    seen: set[str] = set()

    def walk(shape: Shape, top: bool) -> None:
        type_name = shape.type_name
        assert type_name in ("structure", "list", "map", "string", "boolean", "integer",
                             "double"), shape
        if type_name == "structure":
            if shape.name in seen:
                return
            seen.add(shape.name)
            assert not shape.is_document_type
            for member_name, member in shape.members.items():
                location = member.serialization.get("location")
                if not (top and location):
                    assert member.serialization.get("name", member_name) == member_name
                walk(member, False)
        elif type_name == "list":
            walk(shape.member, False)
        elif type_name == "map":
            walk(shape.key, False)
            walk(shape.value, False)

    for operation in [*SERVED_OPERATIONS, *APP_OPERATIONS, *sorted(moto_operations())]:
        walk(model.operation_model(operation).input_shape, True)


def test_moto_apps_have_no_event_stream_until_one_is_put() -> None:
    # _moto.moto_refusal reads App.event_stream (None until PutEventStream) to refuse the
    # DeleteEventStream moto's handler would fail on (it calls to_json on what is None).
    from moto.pinpoint.models import App
    from moto.pinpoint.responses import PinpointResponse

    app = App("123456789012", "us-east-1", "a")
    assert app.event_stream is None
    assert app.delete_event_stream() is None
    assert "event_stream.to_json()" in inspect.getsource(PinpointResponse.delete_event_stream)


def test_moto_pinpoint_routes_and_handler_methods_are_where_we_look() -> None:
    # _moto.served_operations reads the Pinpoint backend's urls, PinpointResponse's methods
    # and moto's name conversion, as moto's BotocoreStubber and BaseResponse.call_action do.
    from moto.core import responses
    from moto.core.utils import camelcase_to_underscores, method_names_from_class
    from moto.pinpoint.models import pinpoint_backends
    from moto.pinpoint.responses import PinpointResponse

    urls = pinpoint_backends["123456789012"]["us-east-1"].urls
    assert any("/v1/apps" in url for url in urls)
    assert camelcase_to_underscores("GetApplicationSettings") == "get_application_settings"
    assert "get_apps" in method_names_from_class(PinpointResponse)
    source = inspect.getsource(responses.BaseResponse.call_action)
    assert "camelcase_to_underscores(self._get_action())" in source
    assert "method_names_from_class(self.__class__)" in source
