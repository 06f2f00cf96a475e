"""Every member the mock reads is checked against botocore's model before the backend runs.

A bad value is a 400 BadRequestException whose message names the member and says what was
wrong; nothing is stored; what is accepted reads back through botocore's parser. Cases from
issue 14 (found by fuzzing the mock through boto3 with client-side validation off) and their
relatives. Source of every rule: botocore's ``pinpoint/2016-12-01/service-2.json`` (types,
``required``, ``enum``) and the documentation of its members ("Valid values are: ...").
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pinpoint_mock import mock_pinpoint_imports
from tests.conftest import BUCKET, ROLE_ARN
from tests.wire import error_of, raw_body, send, unvalidated_client

GOOD_JOB = {"Format": "CSV", "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv",
            "RoleArn": ROLE_ARN}


@pytest.fixture
def raw(pinpoint_imports: Any) -> Any:
    """A Pinpoint client without botocore's parameter validation, served by the mock."""
    return unvalidated_client()


def _jobs(client: Any, app_id: str) -> list[Any]:
    return list(client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"])


def _segments(client: Any, app_id: str) -> list[Any]:
    return list(client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DefineSegment": "false", "SegmentName": "s"},
         "DefineSegment must be true or false, got 'false'."),
        ({"RegisterEndpoints": "no"}, "RegisterEndpoints must be true or false, got 'no'."),
        ({"RegisterEndpoints": 0}, "RegisterEndpoints must be true or false, got 0."),
        ({"Format": 1}, "Format must be a string, got 1."),
        ({"S3Url": ["s3://a/b"]}, "S3Url must be a string, got [\"s3://a/b\"]."),
        ({"ExternalId": {"a": 1}}, "ExternalId must be a string, got {\"a\": 1}."),
        ({"Format": "XML"}, "Format must be CSV or JSON, got 'XML'."),
    ],
)
def test_import_job_members_of_the_wrong_type_are_400_naming_them(
    raw: Any, app_id: str, s3: Any, change: dict[str, Any], message: str
) -> None:
    """Issue 14: ``DefineSegment: "false"`` defined a segment, ``RegisterEndpoints: "no"``
    registered; botocore's ImportJobRequest types them ``boolean``."""
    status, code, text = error_of(lambda: send(
        raw, "create_import_job", {**GOOD_JOB, **change}, ApplicationId=app_id))
    assert (status, code, text) == (400, "BadRequestException", message)
    assert _jobs(raw, app_id) == [] and _segments(raw, app_id) == []


def test_required_members_missing_from_the_wire_are_named(raw: Any, app_id: str) -> None:
    status, code, text = error_of(lambda: raw.create_import_job(
        ApplicationId=app_id, ImportJobRequest={"Format": "CSV", "RoleArn": ROLE_ARN}))
    assert (status, code, text) == (400, "BadRequestException", "S3Url is required.")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"User": "abc"}, "User must be an object, got 'abc'."),
        ({"Attributes": 5}, "Attributes must be an object, got 5."),
        ({"Attributes": {"Plan": "gold"}}, "Attributes.Plan must be a list, got 'gold'."),
        ({"Attributes": {"Plan": [1]}}, "Attributes.Plan[0] must be a string, got 1."),
        ({"Location": [1]}, "Location must be an object, got [1]."),
        ({"Location": {"Latitude": "41.1"}}, "Location.Latitude must be a number, got '41.1'."),
        ({"Location": {"Latitude": True}}, "Location.Latitude must be a number, got true."),
        ({"Metrics": {"Visits": None}}, "Metrics.Visits must be a number, got null."),
        ({"User": {"UserAttributes": {"Name": "Ana"}}},
         "User.UserAttributes.Name must be a list, got 'Ana'."),
        ({"ChannelType": "PIGEON"},
         "ChannelType must be one of ADM, APNS, APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, "
         "BAIDU, CUSTOM, EMAIL, GCM, IN_APP, PUSH, SMS, VOICE, got 'PIGEON'."),
        ({"OptOut": "SOME"}, "OptOut must be ALL or NONE, got 'SOME'."),
        ({"EndpointStatus": "active"}, "EndpointStatus must be ACTIVE or INACTIVE, got 'active'."),
        ({"Address": "a@b", "ChannelType": "EMAIL", "User": "u", "OptOut": "x"},
         "User must be an object, got 'u' (1 more problem in this request)."),
    ],
)
def test_endpoint_members_of_the_wrong_type_are_400_and_nothing_is_stored(
    raw: Any, app_id: str, request_: dict[str, Any], message: str
) -> None:
    """Issue 14: ``"User": "abc"`` and ``"Attributes": 5`` escaped as AttributeError or
    TypeError; ``"Location": [1]`` was stored and broke every later GetEndpoint."""
    status, code, text = error_of(lambda: send(
        raw, "update_endpoint", request_, ApplicationId=app_id, EndpointId="e1"))
    assert (status, code, text) == (400, "BadRequestException", message)
    status, code, _ = error_of(lambda: raw.get_endpoint(ApplicationId=app_id, EndpointId="e1"))
    assert (status, code) == (404, "NotFoundException")


def test_a_refused_update_leaves_the_endpoint_as_it_was(raw: Any, app_id: str) -> None:
    raw.update_endpoint(ApplicationId=app_id, EndpointId="e1",
                        EndpointRequest={"ChannelType": "EMAIL", "Address": "a@b.c",
                                         "Location": {"Country": "PT"}})
    before = raw.get_endpoint(ApplicationId=app_id, EndpointId="e1")["EndpointResponse"]
    error_of(lambda: send(raw, "update_endpoint", {"Location": [1]}, ApplicationId=app_id,
                          EndpointId="e1"))
    after = raw.get_endpoint(ApplicationId=app_id, EndpointId="e1")["EndpointResponse"]
    assert after == before


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"Name": "s", "SegmentGroups": []}, "SegmentGroups must be an object, got []."),
        ({"Name": 5}, "Name must be a string, got 5."),
        ({"Name": "s", "Dimensions": {"Demographic": {"Platform": {"Values": "iOS"}}}},
         "Dimensions.Demographic.Platform.Values must be a list, got 'iOS'."),
        ({"Name": "s", "Dimensions": {"Demographic": {"Platform": {}}}},
         "Dimensions.Demographic.Platform.Values is required."),
        ({"Name": "s", "Dimensions": {"Behavior": {"Recency": {"Duration": "DAY_1",
                                                               "RecencyType": "ACTIVE"}}}},
         "Dimensions.Behavior.Recency.Duration must be one of DAY_14, DAY_30, DAY_7, HR_24, "
         "got 'DAY_1'."),
        ({"Name": "s", "Dimensions": {"Metrics": {"Visits": {"ComparisonOperator": "MORE",
                                                             "Value": 1}}}},
         "Dimensions.Metrics.Visits.ComparisonOperator must be one of GREATER_THAN, LESS_THAN, "
         "GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, EQUAL, got 'MORE'."),
        ({"Name": "s", "SegmentGroups": {"Groups": [{"SourceSegments": [
            {"Id": "x", "Version": True}]}]}},
         "SegmentGroups.Groups[0].SourceSegments[0] (Id 'x'): Version must be an integer, "
         "got true."),
        ({"Name": "s", "SegmentGroups": {"Groups": [{"SourceSegments": [
            {"Id": "x", "Version": 2**31}]}]}},
         "SegmentGroups.Groups[0].SourceSegments[0] (Id 'x'): Version must be an integer from "
         "-2147483648 to 2147483647, got 2147483648."),
        ({"Name": "s", "tags": {"team": 1}}, "tags.team must be a string, got 1."),
        ({"Name": "s", "Dimensions": {"Attributes": {"\ud800": {"Values": []}}}},
         "Dimensions.Attributes (key: \\ud800) must be valid Unicode text, got '\\ud800' "
         "(it holds a lone surrogate)."),
        ({"Name": "s", "Dimensions": {"Attributes": {"a\nb": {"Values": "x"}}}},
         "Dimensions.Attributes.a\\nb.Values must be a list, got 'x'."),
    ],
)
def test_segment_members_of_the_wrong_type_are_400_and_nothing_is_stored(
    raw: Any, app_id: str, request_: dict[str, Any], message: str
) -> None:
    """Issue 14: ``"SegmentGroups": []`` escaped; types, required members and enums of
    WriteSegmentRequest (and ComparisonOperator's documented values) are checked."""
    status, code, text = error_of(lambda: send(
        raw, "create_segment", request_, ApplicationId=app_id))
    assert (status, code, text) == (400, "BadRequestException", message)
    assert _segments(raw, app_id) == []


def test_unknown_members_are_ignored_and_not_stored(raw: Any, app_id: str) -> None:
    """A JSON service built on the model ignores members it does not know; the mock keeps
    none of them (they would come back in GetEndpoint, even over modeled members)."""
    send(raw, "update_endpoint", {
        "ChannelType": "EMAIL", "Address": "a@b.c", "CohortId": [1], "Surprise": {"x": 1},
        "Location": {"Country": "PT", "Planet": "Earth"}}, ApplicationId=app_id, EndpointId="e1")
    endpoint = raw.get_endpoint(ApplicationId=app_id, EndpointId="e1")["EndpointResponse"]
    assert "Surprise" not in endpoint and endpoint["Location"] == {"Country": "PT"}
    assert isinstance(endpoint["CohortId"], str)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "The request body is nested too deeply to be read."),
        (b'{"Location": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001,
         "The request body is nested too deeply to be read."),
        (b'{"Attributes": {"a": ' + b"[" * 500 + b"]" * 500 + b"}}",
         "Attributes.a[0] must be a string, got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...."),
    ],
    ids=["array", "object", "list-in-a-map"],
)
def test_a_deeply_nested_body_is_400(raw: Any, app_id: str, body: bytes, message: str) -> None:
    """Issue 14: a body nested a few thousand levels escaped as RecursionError."""
    with raw_body(raw, body):
        status, code, text = error_of(lambda: raw.update_endpoint(
            ApplicationId=app_id, EndpointId="e1", EndpointRequest={}))
    assert (status, code, text) == (400, "BadRequestException", message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"Location": {"Latitude": NaN}}',
         "The request body is not valid JSON: NaN is not a JSON number."),
        (b'{"Location": {"Latitude": Infinity}}',
         "The request body is not valid JSON: Infinity is not a JSON number."),
        (b'{"Location": {"Latitude": 1e999}}',
         "Location.Latitude must be a finite number, got Infinity."),
        (b'{"Location": {"Latitude": 0.' + b"1" * 5000 + b'e999}}',
         "Location.Latitude must be a finite number, got Infinity."),
        (b'{"Metrics": {"m": 1' + b"0" * 5000 + b"}}",
         "The request body is not valid JSON: an integer has more than 400 digits."),
        # an integer of at most 400 digits past a double's range is infinite as a double
        # (found by an outside attacker: stored, then every GetEndpoint raised OverflowError)
        (b'{"Metrics": {"m": 1' + b"0" * 399 + b"}}",
         "Metrics.m must be a finite number, got 1" + "0" * 36 + "...."),
        (b'{"Location": {"Latitude": -1' + b"0" * 309 + b"}}",
         "Location.Latitude must be a finite number, got -1" + "0" * 35 + "...."),
        (b'{"Address": "\\ud800"}',
         "Address must be valid Unicode text, got '\\ud800' (it holds a lone surrogate)."),
        ('{"Address": "x"}'.encode("utf-16"),
         "The request body is not valid JSON: it is not UTF-8 text (byte 0)."),
        (b'{"Address": "\xed\xa0\x80"}',
         "The request body is not valid JSON: it is not UTF-8 text (byte 13)."),
        (b'{"Address": "\xff"}',
         "The request body is not valid JSON: it is not UTF-8 text (byte 13)."),
        (b"[]", "The request body must be a JSON object."),
        (b'"x"', "The request body must be a JSON object."),
        (b"{", "The request body is not valid JSON: Expecting property name enclosed in "
         "double quotes at character 1."),
    ],
)
def test_bodies_that_cannot_be_stored_and_sent_back_are_400(
    raw: Any, app_id: str, body: bytes, message: str
) -> None:
    with raw_body(raw, body):
        status, code, text = error_of(lambda: raw.update_endpoint(
            ApplicationId=app_id, EndpointId="e1", EndpointRequest={}))
    assert (status, code, text) == (400, "BadRequestException", message)
    status, _, _ = error_of(lambda: raw.get_endpoint(ApplicationId=app_id, EndpointId="e1"))
    assert status == 404


def test_a_byte_order_mark_before_the_body_is_ignored(raw: Any, app_id: str) -> None:
    """RFC 8259, section 8.1: a parser "MAY ignore the presence of a byte order mark"."""
    with raw_body(raw, b'\xef\xbb\xbf{"ChannelType": "EMAIL", "Address": "a@b.c"}'):
        raw.update_endpoint(ApplicationId=app_id, EndpointId="e1", EndpointRequest={})
    endpoint = raw.get_endpoint(ApplicationId=app_id, EndpointId="e1")["EndpointResponse"]
    assert endpoint["Address"] == "a@b.c"


@pytest.mark.parametrize("body", [b"[]", b"{", b"\xff"])
def test_a_call_whose_body_is_unreadable_is_recorded_with_its_path_members(
    pinpoint_imports: Any, raw: Any, app_id: str, body: bytes
) -> None:
    """``mock.calls`` names what a refused call was for: a body that is no JSON object is a
    400, recorded with the members of its path and query (found by fuzzing: ``params`` was
    empty), for the mock's operations and moto's."""
    with raw_body(raw, body):
        error_of(lambda: raw.create_export_job(ApplicationId=app_id, ExportJobRequest={}))
        assert pinpoint_imports.calls[-1].params == {"ApplicationId": app_id}
        error_of(lambda: raw.update_application_settings(
            ApplicationId=app_id, WriteApplicationSettingsRequest={}))
        assert pinpoint_imports.calls[-1].params == {"ApplicationId": app_id}


def test_unknown_members_are_not_stored_by_moto_s_operations_either(
    pinpoint_imports: Any, raw: Any, app_id: str
) -> None:
    """docs/requests.md (Unknown members: ignored, and not stored; a JSON service built on
    botocore's model ignores them), for UpdateApplicationSettings, which moto answers: moto
    stored the body as sent."""
    body = json.dumps({"CampaignHook": {"": None, "Mode": "DELIVERY"}, "Extra": 1}).encode()
    with raw_body(raw, body):
        raw.update_application_settings(ApplicationId=app_id,
                                        WriteApplicationSettingsRequest={})
    raw.get_application_settings(ApplicationId=app_id)
    call = pinpoint_imports.calls[-1]  # the body moto answered, as sent
    assert (call.operation, call.answered_by) == ("GetApplicationSettings", "moto")
    assert "Extra" not in call.response and call.response["CampaignHook"] == {"Mode": "DELIVERY"}


def test_a_body_over_7_mb_is_413(raw: Any, app_id: str) -> None:
    """Developer guide, quotas.md: "The maximum size of an invocation (request and response)
    payload is 7 MB"."""
    body = json.dumps({"Address": "x" * (7 * 1024 * 1024)}).encode()
    with raw_body(raw, body):
        status, code, text = error_of(lambda: raw.update_endpoint(
            ApplicationId=app_id, EndpointId="e1", EndpointRequest={}))
    assert (status, code) == (413, "PayloadTooLargeException")
    assert text == (f"The request body is {len(body)} bytes; Pinpoint accepts at most "
                    "7340032 (7 MB).")


@pytest.mark.parametrize("value", ["²", "1" * 5000, "٣", "1e3", "-1", "0", "1001", " "])
def test_page_size_that_is_no_whole_number_from_1_to_1000_is_400(
    raw: Any, app_id: str, value: str
) -> None:
    """Issue 14: ``"²"`` (which str.isdigit() accepts) and 5,000 digits escaped as ValueError."""
    for call in (raw.get_import_jobs, raw.get_segments):
        status, code, text = error_of(lambda: call(  # noqa: B023 (called at once)
            ApplicationId=app_id, PageSize=value))
        assert (status, code) == (400, "BadRequestException")
        assert text.startswith("PageSize must be a whole number from 1 to 1000, got ")


WHITESPACE_OR_SIGN = ["+1", " 1", "1 ", "\t5", "1\n", "\n1", "1\r", "\u00a01", "\u20031",
                      " 7 ", "1\x00"]
"""A whole number with something around its digits that ``int()`` strips or accepts."""


@pytest.mark.parametrize("value", WHITESPACE_OR_SIGN)
def test_page_size_with_a_sign_or_whitespace_is_400(
    pinpoint_client: Any, app_id: str, value: str
) -> None:
    """docs/requests.md (AWS unknown: rule chosen): PageSize is a whole number of ASCII digits
    from 1 to 1000, nothing around them. Issue 14: ``" 1"``, ``"1 "``, ``"\\t5"``, ``"1\\n"``
    were accepted (``int()`` strips whitespace) while ``"+1"`` was refused. Sent by boto3
    with its own validation on (PageSize is a string in botocore's model)."""
    segment = pinpoint_client.create_segment(ApplicationId=app_id,
                                             WriteSegmentRequest={"Name": "s"})
    segment_id = segment["SegmentResponse"]["Id"]
    calls = [
        lambda: pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize=value),
        lambda: pinpoint_client.get_export_jobs(ApplicationId=app_id, PageSize=value),
        lambda: pinpoint_client.get_segments(ApplicationId=app_id, PageSize=value),
        lambda: pinpoint_client.get_segment_versions(ApplicationId=app_id,
                                                     SegmentId=segment_id, PageSize=value),
        lambda: pinpoint_client.get_segment_import_jobs(ApplicationId=app_id,
                                                        SegmentId=segment_id, PageSize=value),
        lambda: pinpoint_client.get_apps(PageSize=value),
    ]
    for call in calls:
        assert error_of(call) == (400, "BadRequestException",
                                  f"PageSize must be a whole number from 1 to 1000, got "
                                  f"{value!r}.")


@pytest.mark.parametrize("version", WHITESPACE_OR_SIGN)
def test_a_segment_version_with_a_sign_or_whitespace_is_404(
    pinpoint_client: Any, app_id: str, version: str
) -> None:
    """As ``"+1"``, which is not a version of the segment (docs/requests.md: a Version that is
    not a version of the segment is a 404; AWS unknown: rule chosen). Issue 14: ``"1 "`` and
    ``" 1"`` answered version 1."""
    segment = pinpoint_client.create_segment(ApplicationId=app_id,
                                             WriteSegmentRequest={"Name": "s"})
    segment_id = segment["SegmentResponse"]["Id"]
    assert pinpoint_client.get_segment_version(ApplicationId=app_id, SegmentId=segment_id,
                                               Version="1")["SegmentResponse"]["Version"] == 1
    status, code, _ = error_of(lambda: pinpoint_client.get_segment_version(
        ApplicationId=app_id, SegmentId=segment_id, Version=version))
    assert (status, code) == (404, "NotFoundException")


@pytest.mark.parametrize("version", ["²", "1" * 5000, "٣", "0", "2", "1.0"])
def test_a_segment_version_that_does_not_exist_is_404(
    raw: Any, app_id: str, version: str
) -> None:
    segment = raw.create_segment(ApplicationId=app_id, WriteSegmentRequest={"Name": "s"})
    segment_id = segment["SegmentResponse"]["Id"]
    status, code, text = error_of(lambda: raw.get_segment_version(
        ApplicationId=app_id, SegmentId=segment_id, Version=version))
    assert (status, code) == (404, "NotFoundException")
    assert text.endswith(f"of segment '{segment_id}' not found.") and len(text) < 200


@pytest.mark.parametrize(
    ("change", "member"),
    [
        ({"S3Url": f"s3://{BUCKET}\n/samples/endpoints-basic.csv"}, "S3Url"),
        ({"S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv\n"}, None),
        ({"RoleArn": ROLE_ARN + "\n"}, "RoleArn"),
        ({"RoleArn": "arn:aws:iam::１２３４５６７８９０１２:role/x"}, "RoleArn"),
    ],
)
def test_patterns_are_matched_whole(
    raw: Any, app_id: str, s3: Any, change: dict[str, Any], member: Any
) -> None:
    """Issue 14: ``s3://audience\\n/in.csv`` and a RoleArn ending in a newline were accepted
    (``$`` matches before a final newline; ``\\d`` matches any Unicode digit)."""
    if member is None:  # a key may hold a newline: it names an object that does not exist
        job = raw.create_import_job(ApplicationId=app_id,
                                    ImportJobRequest={**GOOD_JOB, **change})
        assert job["ImportJobResponse"]["Definition"]["S3Url"].endswith("\n")
        return
    status, code, text = error_of(lambda: raw.create_import_job(
        ApplicationId=app_id, ImportJobRequest={**GOOD_JOB, **change}))
    assert (status, code) == (400, "BadRequestException") and text.startswith(member)
    assert _jobs(raw, app_id) == []


def test_a_valid_update_still_reads_back_through_botocore(raw: Any, app_id: str) -> None:
    request = {"ChannelType": "EMAIL", "Address": "a@b.c", "OptOut": "ALL",
               "Location": {"Latitude": 41.1, "Longitude": -8.6, "Country": "PT"},
               "Metrics": {"Visits": 3}, "Attributes": {"Plan": ["gold"]},
               "User": {"UserId": "u1", "UserAttributes": {"Name": ["Ana"]}}}
    raw.update_endpoint(ApplicationId=app_id, EndpointId="e1", EndpointRequest=request)
    endpoint = raw.get_endpoint(ApplicationId=app_id, EndpointId="e1")["EndpointResponse"]
    assert {k: endpoint[k] for k in request} == request


def test_validation_happens_for_every_client_scope() -> None:
    """The check sits in the one dispatch path, so a decorated test sees it too."""

    @mock_pinpoint_imports
    def scenario() -> None:
        client = unvalidated_client()
        app = client.create_app(CreateApplicationRequest={"Name": "a"})
        app_id = app["ApplicationResponse"]["Id"]
        status, _, text = error_of(lambda: send(
            client, "update_endpoint", {"User": "abc"}, ApplicationId=app_id, EndpointId="e"))
        assert (status, text) == (400, "User must be an object, got 'abc'.")

    scenario()


def test_the_values_read_from_member_documentation_are_these() -> None:
    """Where the model documents a closed set in prose instead of an enum, the mock reads it
    from that documentation; pinned here so that a reworded botocore model is noticed."""
    import botocore.session

    from pinpoint_mock._apps import APP_OPERATIONS
    from pinpoint_mock._dispatch import SERVED_OPERATIONS, moto_operations
    from pinpoint_mock._validation import documented_values

    model = botocore.session.get_session().get_service_model("pinpoint")
    found: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()

    def walk(shape: Any) -> None:
        if shape.type_name == "structure" and shape.name not in seen:
            seen.add(shape.name)
            for name, member in shape.members.items():
                values = documented_values(member.documentation)
                if member.type_name == "string" and not member.enum and values:
                    found[f"{shape.name}.{name}"] = values
                walk(member)
        elif shape.type_name == "list":
            walk(shape.member)
        elif shape.type_name == "map":
            walk(shape.value)

    for operation in [*SERVED_OPERATIONS, *APP_OPERATIONS, *sorted(moto_operations())]:
        walk(model.operation_model(operation).input_shape)
    assert found == {
        "MetricDimension.ComparisonOperator": (
            "GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL", "EQUAL"),
        "EndpointRequest.EndpointStatus": ("ACTIVE", "INACTIVE"),
        "EndpointRequest.OptOut": ("ALL", "NONE"),
        "EndpointBatchItem.EndpointStatus": ("ACTIVE", "INACTIVE"),
        "EndpointBatchItem.OptOut": ("ALL", "NONE"),
    }


def test_a_json_line_with_a_lone_surrogate_escape_is_a_row_failure(
    pinpoint_client: Any, app_id: str, s3: Any, pinpoint_imports: Any
) -> None:
    """Found by tests/test_fuzz_files.py: ``"\\ud800"`` in a JSON line is valid JSON but not
    text; it was imported (and echoed in messages) though no UTF-8 reply can carry it."""
    lines = ['{"ChannelType": "EMAIL", "Address": "\\ud800@x.y"}',
             '{"ChannelType": "EMAIL", "Address": "ok@x.y", "Attributes": {"\\udfff": ["a"]}}',
             '{"ChannelType": "EMAIL", "Address": "\\u00e9@x.y"}']
    s3.put_object(Bucket=BUCKET, Key="odd.json", Body="\n".join(lines).encode())
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "JSON", "S3Url": f"s3://{BUCKET}/odd.json", "RoleArn": ROLE_ARN,
        "RegisterEndpoints": True})["ImportJobResponse"]
    pinpoint_imports.advance(3600)
    done = pinpoint_client.get_import_job(ApplicationId=app_id, JobId=job["Id"])[
        "ImportJobResponse"]
    message = "the line is not valid Unicode (a \\u escape makes a lone surrogate)."
    assert done["Failures"] == [f"s3://{BUCKET}/odd.json line 1: {message}",
                                f"s3://{BUCKET}/odd.json line 2: {message}"]
    assert (done["TotalProcessed"], done["TotalFailures"]) == (3, 2)


# -- the operations added since: app calls, UpdateEndpointsBatch, export jobs, moto's ---------


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"Name": 5}, "Name must be a string, got 5."),
        ({}, "Name is required."),
        ({"Name": "a", "tags": []}, "tags must be an object, got []."),
        ({"Name": "a", "tags": {"team": None}}, "tags.team must be a string, got null."),
    ],
)
def test_create_app_members_are_validated_and_no_app_is_made(
    raw: Any, request_: dict[str, Any], message: str
) -> None:
    """CreateApplicationRequest: ``Name`` (string, required) and ``tags`` (a map of strings)."""
    status, code, text = error_of(lambda: send(raw, "create_app", request_))
    assert (status, code, text) == (400, "BadRequestException", message)
    assert raw.get_apps()["ApplicationsResponse"]["Item"] == []


@pytest.mark.parametrize("value", ["²", "0", "1001", "1" * 5000])
def test_get_apps_page_size_is_validated(raw: Any, value: str) -> None:
    status, code, text = error_of(lambda: raw.get_apps(PageSize=value))
    assert (status, code) == (400, "BadRequestException")
    assert text.startswith("PageSize must be a whole number from 1 to 1000, got ")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"Item": "x"}, "Item must be a list, got 'x'."),
        ({}, "Item is required."),
        ({"Item": [{"Id": "e1", "ChannelType": "EMAIL", "Address": "a@b.c"},
                   {"Id": "bad", "OptOut": "SOME"}]},
         "Item[1] (Id 'bad'): OptOut must be ALL or NONE, got 'SOME'."),
        ({"Item": [{"Id": "e1", "Location": [1]}]},
         "Item[0] (Id 'e1'): Location must be an object, got [1]."),
        ({"Item": [{"Id": 7}]}, "Item[0].Id must be a string, got 7."),
    ],
)
def test_update_endpoints_batch_items_are_validated_and_none_is_stored(
    raw: Any, app_id: str, request_: dict[str, Any], message: str
) -> None:
    """EndpointBatchRequest: ``Item`` (a required list of EndpointBatchItem, each with the
    types, enums and documented values of an EndpointRequest); a bad item refuses the batch."""
    status, code, text = error_of(lambda: send(
        raw, "update_endpoints_batch", request_, ApplicationId=app_id))
    assert (status, code, text) == (400, "BadRequestException", message)
    status, _, _ = error_of(lambda: raw.get_endpoint(ApplicationId=app_id, EndpointId="e1"))
    assert status == 404


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"S3UrlPrefix": 5, "RoleArn": ROLE_ARN}, "S3UrlPrefix must be a string, got 5."),
        ({"S3UrlPrefix": f"s3://{BUCKET}/out/"}, "RoleArn is required."),
        ({"S3UrlPrefix": f"s3://{BUCKET}/out/", "RoleArn": ROLE_ARN, "SegmentVersion": "1"},
         "SegmentVersion must be an integer, got '1'."),
        ({"S3UrlPrefix": f"s3://{BUCKET}/out/", "RoleArn": ROLE_ARN, "SegmentVersion": 2**31},
         "SegmentVersion must be an integer from -2147483648 to 2147483647, got 2147483648."),
        ({"S3UrlPrefix": f"s3://{BUCKET}/out/", "RoleArn": ROLE_ARN, "SegmentId": ["s"]},
         "SegmentId must be a string, got [\"s\"]."),
    ],
)
def test_export_job_members_are_validated_and_no_job_is_made(
    raw: Any, app_id: str, s3: Any, request_: dict[str, Any], message: str
) -> None:
    """ExportJobRequest: ``RoleArn`` and ``S3UrlPrefix`` (strings, required), ``SegmentId``
    (string), ``SegmentVersion`` (integer)."""
    status, code, text = error_of(lambda: send(
        raw, "create_export_job", request_, ApplicationId=app_id))
    assert (status, code, text) == (400, "BadRequestException", message)
    jobs = raw.get_export_jobs(ApplicationId=app_id)["ExportJobsResponse"]["Item"]
    assert jobs == []
    status, _, text = error_of(lambda: raw.get_export_jobs(ApplicationId=app_id, PageSize="²"))
    assert status == 400 and text.startswith("PageSize must be a whole number")


@pytest.mark.parametrize(
    ("operation", "payload", "message"),
    [
        ("update_application_settings", {"CloudWatchMetricsEnabled": "yes"},
         "CloudWatchMetricsEnabled must be true or false, got 'yes'."),
        ("update_application_settings", {"Limits": {"Daily": "5"}},
         "Limits.Daily must be an integer, got '5'."),
        ("update_application_settings", {"CampaignHook": {"Mode": "SOMETIMES"}},
         "CampaignHook.Mode must be DELIVERY or FILTER, got 'SOMETIMES'."),
        ("put_event_stream", {"RoleArn": ROLE_ARN}, "DestinationStreamArn is required."),
        ("tag_resource", {"tags": 5}, "tags must be an object, got 5."),
    ],
)
def test_operations_moto_serves_are_validated_before_moto_answers(
    raw: Any, app_id: str, pinpoint_imports: Any, operation: str, payload: Any, message: str
) -> None:
    """moto answers these (application settings, event streams, tags) without checking
    types: ``"tags": 5`` escaped from moto as AttributeError, ``"yes"`` was stored as
    CloudWatchMetricsEnabled. The mock validates them against the same model first; a refused
    call is the mock's (recorded), and moto's data stays as it was."""
    arn = f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{app_id}"
    before = raw.get_application_settings(ApplicationId=app_id)["ApplicationSettingsResource"]
    members = {"ResourceArn": arn} if operation == "tag_resource" else {"ApplicationId": app_id}
    status, code, text = error_of(lambda: send(raw, operation, payload, **members))
    assert (status, code, text) == (400, "BadRequestException", message)
    call = pinpoint_imports.calls[-1]
    assert (call.operation, call.status, call.answered_by) == (
        raw.meta.method_to_api_mapping[operation], 400, "mock")
    after = raw.get_application_settings(ApplicationId=app_id)["ApplicationSettingsResource"]
    assert after == before
    assert raw.list_tags_for_resource(ResourceArn=arn)["TagsModel"]["tags"] == {}
    status, _, _ = error_of(lambda: raw.get_event_stream(ApplicationId=app_id))
    assert status == 404


def test_untag_resource_reads_every_tag_key_of_the_query_string(raw: Any, app_id: str) -> None:
    """UntagResource's ``TagKeys`` is a list in the query string (``?tagKeys=a&tagKeys=b``):
    read as one string, it was refused as "TagKeys must be a list" (a false red)."""
    arn = f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{app_id}"
    raw.tag_resource(ResourceArn=arn, TagsModel={"tags": {"a": "1", "b": "2", "c": "3"}})
    raw.untag_resource(ResourceArn=arn, TagKeys=["a", "b"])
    assert raw.list_tags_for_resource(ResourceArn=arn)["TagsModel"]["tags"] == {"c": "3"}


def test_deleting_an_event_stream_that_is_not_there_is_404(raw: Any, app_id: str) -> None:
    """moto's DeleteEventStream of an app without a stream failed with AttributeError (it
    calls ``to_json`` on None); 404 NotFoundException, as GetEventStream answers then."""
    status, code, text = error_of(lambda: raw.delete_event_stream(ApplicationId=app_id))
    assert (status, code, text) == (
        404, "NotFoundException", f"Application '{app_id}' has no event stream to delete.")
    raw.put_event_stream(ApplicationId=app_id, WriteEventStream={
        "DestinationStreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/e",
        "RoleArn": ROLE_ARN})
    deleted = raw.delete_event_stream(ApplicationId=app_id)["EventStream"]
    assert deleted["DestinationStreamArn"].endswith("stream/e")
