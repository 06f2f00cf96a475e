"""The control plane under ``/_pinpoint_mock/`` (and LocalStack's chaos route): JSON in and
out, each route calling the method a Python test calls."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Optional

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pinpoint_mock import PinpointImportsMock, PinpointMockServer
from tests.test_server import client, http

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/Import"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Control:
    """JSON calls to one server's control plane."""

    def __init__(self, server: PinpointMockServer):
        self.base = server.url

    def __call__(self, method: str, path: str, body: Optional[Any] = None) -> tuple[int, Any]:
        status, headers, data = http(method, self.base + path, body)
        assert headers["Content-Type"] == "application/json"
        return status, json.loads(data)


@pytest.fixture
def control(pinpoint_server: PinpointMockServer) -> Control:
    return Control(pinpoint_server)


@pytest.fixture
def pinpoint(pinpoint_server: PinpointMockServer) -> Any:
    return boto3.client("pinpoint", region_name=REGION, endpoint_url=pinpoint_server.url,
                        config=Config(retries={"mode": "standard", "total_max_attempts": 3}))


@pytest.fixture
def job(pinpoint: Any, pinpoint_server: PinpointMockServer) -> tuple[str, str]:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=pinpoint_server.url)
    s3.create_bucket(Bucket="audience")
    s3.put_object(Bucket="audience", Key="a.csv", Body=b"ChannelType,Address\nEMAIL,a@x.io\n")
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    job_id = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/a.csv", "RoleArn": ROLE_ARN})[
        "ImportJobResponse"]["Id"]
    return app_id, job_id


def test_health(control: Control) -> None:
    status, body = control("GET", "/_pinpoint_mock/health")
    assert status == 200 and body["status"] == "running" and ISO.match(body["now"])


def test_reset_removes_every_piece_of_data(
    control: Control, pinpoint: Any, job: tuple[str, str],
    pinpoint_server: PinpointMockServer,
) -> None:
    assert control("POST", "/_pinpoint_mock/reset")[1]["reset"] is True
    assert pinpoint.get_apps()["ApplicationsResponse"]["Item"] == []
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=pinpoint_server.url)
    assert s3.list_buckets()["Buckets"] == []
    assert [c["operation"] for c in control("GET", "/_pinpoint_mock/calls")[1]["calls"]] == [
        "GetApps"]


def test_advance_moves_the_mock_s_clock_and_answers_now(
    control: Control, pinpoint: Any, job: tuple[str, str],
    pinpoint_imports: PinpointImportsMock,
) -> None:
    app_id, job_id = job
    before = pinpoint_imports.now()
    status, body = control("POST", "/_pinpoint_mock/advance", {"seconds": 60})
    assert status == 200 and ISO.match(body["now"])
    assert pinpoint_imports.now() - before >= 60
    assert pinpoint.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"][
        "JobStatus"] == "COMPLETED"


@pytest.mark.parametrize("body, message", [
    (None, 'Send a JSON object, e.g. {"seconds": 60}.'),
    ({}, "Missing field 'seconds'; send e.g. {\"seconds\": 60}."),
    ({"seconds": 1, "minutes": 2}, "Unknown field 'minutes'; use only seconds, e.g. "
                                   '{"seconds": 60}.'),
    ({"seconds": -5}, 'advance() takes a finite number of seconds >= 0, got -5. Send e.g. '
                      '{"seconds": 60}.'),
    ({"seconds": "60"}, "advance() takes a finite number of seconds >= 0, got '60'. Send "
                        'e.g. {"seconds": 60}.'),
    (b"{not json", 'The request body is not JSON; send a JSON object, e.g. {"seconds": 60}.'),
])
def test_bad_input_is_400_with_one_sentence(control: Control, body: Any, message: str) -> None:
    assert control("POST", "/_pinpoint_mock/advance", body) == (400, {"message": message})


@pytest.mark.parametrize("method, path", [
    ("POST", "/_pinpoint_mock/reset"), ("DELETE", "/_pinpoint_mock/faults"),
    ("DELETE", "/_pinpoint_mock/faults/f-1"), ("GET", "/_pinpoint_mock/calls"),
])
def test_a_route_that_reads_no_body_refuses_fields(
        control: Control, job: tuple[str, str], method: str, path: str) -> None:
    assert control(method, path, {"x": 1}) == (400, {
        "message": f"{method} {path} takes no fields; send no body (or {{}})."})
    assert control("GET", "/_pinpoint_mock/calls")[1]["calls"]  # nothing was reset
    assert control("POST", "/_pinpoint_mock/reset", {})[0] == 200


def test_faults_added_listed_fired_and_removed(
    control: Control, pinpoint: Any, job: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # botocore's retry delays
    app_id, job_id = job
    status, rule = control("POST", "/_pinpoint_mock/faults",
                           {"operation": "GetImportJob", "status": 429, "times": 2})
    assert status == 201
    assert (rule["code"], rule["message"], rule["times"], rule["fired"]) == (
        "TooManyRequestsException", "Too many requests", 2, 0)
    # retried twice, then answered: standard mode's 3 attempts
    got = pinpoint.get_import_job(ApplicationId=app_id, JobId=job_id)
    assert got["ResponseMetadata"]["RetryAttempts"] == 2
    [listed] = control("GET", "/_pinpoint_mock/faults")[1]["faults"]
    assert (listed["id"], listed["fired"]) == (rule["id"], 2)
    custom = control("POST", "/_pinpoint_mock/faults", {
        "operation": "*", "status": 503, "code": "ServiceUnavailable", "probability": 0.5,
        "application_id": app_id, "latency": 0.0})[1]
    assert custom["message"] == "ServiceUnavailable"
    assert control("DELETE", f"/_pinpoint_mock/faults/{rule['id']}")[1]["id"] == rule["id"]
    assert [r["id"] for r in control("GET", "/_pinpoint_mock/faults")[1]["faults"]] == [
        custom["id"]]
    assert control("DELETE", f"/_pinpoint_mock/faults/{rule['id']}") == (404, {
        "message": f"No fault rule '{rule['id']}'; GET /_pinpoint_mock/faults lists the rules "
                   "and their ids."})
    assert control("DELETE", "/_pinpoint_mock/faults") == (200, {"removed": 1})
    assert control("GET", "/_pinpoint_mock/faults")[1] == {"faults": []}


@pytest.mark.parametrize("body, message", [
    ({"operation": "GetImportJob", "status": 418},
     'Fault status 418 has no preset error code; send "code" too (e.g. '
     '"ServiceUnavailableException"), or use one of 400, 403, 404, 405, 413, 429, 500.'),
    ({"operation": "GetImportJobz", "status": 429},
     "Fault operation 'GetImportJobz' is not a Pinpoint operation (did you mean "
     "'GetImportJob'?); use '*' or an operation name of botocore's Pinpoint model, such as "
     "the ones this mock serves: "),
    ({"status": 429}, "Missing field 'operation'; send e.g. "),
    ({"operation": "GetImportJob", "status": "429"},
     'Fault "status" must be a JSON number from 400 to 599, e.g. 429; got "429".'),
    ({"operation": "GetImportJob", "status": "429", "code": "Throttled"},
     'Fault "status" must be a JSON number from 400 to 599, e.g. 429; got "429".'),
    ({"operation": "GetImportJob", "status": True},
     'Fault "status" must be a JSON number from 400 to 599, e.g. 429; got true.'),
    ({"operation": "GetImportJob", "status": 429, "times": 0},
     "Fault times must be a whole number >= 1, or None to answer every matching attempt; "
     "got 0."),
    ({"operation": "GetApps", "status": 400, "message": "lone \udc80 here"},
     "Fault message must be valid Unicode text (no lone surrogate, which UTF-8 cannot encode "
     "and so no client could read); got 'lone \\udc80 here'."),
])
def test_a_bad_fault_is_400(control: Control, body: Any, message: str) -> None:
    status, answer = control("POST", "/_pinpoint_mock/faults", body)
    assert status == 400 and answer["message"].startswith(message)
    assert control("GET", "/_pinpoint_mock/faults")[1] == {"faults": []}


def test_jobs_advance_fail_complete(
    control: Control, pinpoint: Any, job: tuple[str, str], pinpoint_server: PinpointMockServer
) -> None:
    app_id, job_id = job
    path = f"/_pinpoint_mock/jobs/{app_id}/{job_id}"
    assert control("POST", f"{path}/advance") == (200, {
        "application_id": app_id, "job_id": job_id, "job_status": "INITIALIZING"})
    assert control("POST", f"{path}/fail", {"failures": ["row 2: no Address"]})[1][
        "job_status"] == "FAILING"
    pinpoint_server.mock.advance(60)
    got = pinpoint.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"]
    assert (got["JobStatus"], got["Failures"]) == ("FAILED", ["row 2: no Address"])
    status, answer = control("POST", f"{path}/complete")
    assert status == 400 and answer["message"].startswith(
        f"Import job '{job_id}' is already FAILED; complete_job() only changes a job")
    other = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/a.csv", "RoleArn": ROLE_ARN})[
        "ImportJobResponse"]["Id"]
    assert control("POST", f"/_pinpoint_mock/jobs/{app_id}/{other}/complete")[1][
        "job_status"] == "COMPLETING"
    assert control("POST", f"/_pinpoint_mock/jobs/{app_id}/nope/advance") == (404, {
        "message": f"No import or export job 'nope' in application '{app_id}' (account "
                   "123456789012, region us-east-1); pass the Id that create_import_job or "
                   "create_export_job returned."})
    status, answer = control("POST", f"{path}/advance", {"region": 5})
    assert status == 400 and answer["message"].startswith("region must be a string")


def test_calls_oldest_first_with_bodies(control: Control, pinpoint: Any) -> None:
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    pinpoint.create_segment(ApplicationId=app_id, WriteSegmentRequest={"Name": "s"})
    calls = control("GET", "/_pinpoint_mock/calls")[1]["calls"]
    assert [(c["operation"], c["answered_by"], c["status"]) for c in calls] == [
        ("CreateApp", "mock", 201), ("CreateSegment", "mock", 201)]
    assert calls[1]["request"] == {"Name": "s"}
    assert calls[1]["response"]["Name"] == "s"
    assert calls[1]["params"]["ApplicationId"] == app_id


def test_an_unknown_route_is_404_listing_the_routes(control: Control) -> None:
    status, body = control("GET", "/_pinpoint_mock/nothing")
    assert status == 404
    assert body["message"] == ("No control-plane route GET /_pinpoint_mock/nothing; the routes "
                               "are listed in 'routes'.")
    assert "POST /_pinpoint_mock/reset" in body["routes"]
    assert "POST /_pinpoint_mock/jobs/<application_id>/<job_id>/fail" in body["routes"]
    status, body = control("GET", "/_pinpoint_mock/reset")
    assert (status, body["message"]) == (405, "GET is not allowed on /_pinpoint_mock/reset; "
                                              "use POST.")


def test_localstack_chaos_rules_become_fault_rules(
    control: Control, pinpoint: Any, job: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    app_id, _ = job
    rules = [{"service": "pinpoint", "region": "us-east-1", "operation": "GetImportJobs",
              "error": {"statusCode": 429, "code": "TooManyRequestsException"}}]
    assert control("POST", "/_localstack/chaos/faults", rules) == (200, rules)
    with pytest.raises(pinpoint.exceptions.TooManyRequestsException):
        pinpoint.get_import_jobs(ApplicationId=app_id)
    # another region is not affected
    west = boto3.client("pinpoint", region_name="eu-west-1",
                        endpoint_url=control.base)
    with pytest.raises(west.exceptions.NotFoundException):
        west.get_import_jobs(ApplicationId=app_id)
    outage = {"operation": "GetSegments"}  # LocalStack's default error: 503 ServiceUnavailable
    assert control("PATCH", "/_localstack/chaos/faults", [outage])[1] == [*rules, outage]
    with pytest.raises(pinpoint.exceptions.ClientError, match="ServiceUnavailable"):
        pinpoint.get_segments(ApplicationId=app_id)
    faults = control("GET", "/_pinpoint_mock/faults")[1]["faults"]
    assert [(f["operation"], f["status"], f["region"]) for f in faults] == [
        ("GetImportJobs", 429, "us-east-1"), ("GetSegments", 503, None)]
    assert control("DELETE", "/_localstack/chaos/faults", rules)[1] == [outage]
    assert control("POST", "/_localstack/chaos/faults", [])[1] == []
    assert control("GET", "/_pinpoint_mock/faults")[1] == {"faults": []}


@pytest.mark.parametrize("rules, message", [
    ([{"service": "dynamodb"}], "The chaos rule 0 names service 'dynamodb'; pinpoint_mock "
                                "injects faults into Pinpoint calls only: use \"pinpoint\" or "
                                "omit \"service\"."),
    ([{"operation": "GetImportJob", "latency": 5}], "The chaos rule 0 has field 'latency', "
     "which is not honoured; use only service, region, operation, probability, error."),
    ([{"nope": 1}], "The chaos rule 0 has field 'nope', which is not honoured;"),
    # LocalStack's route takes an array; a lone object is not read as one rule
    ({"operation": "GetImportJob"}, "Send a JSON array of chaos rules, e.g. [{\"service\": "
     "\"pinpoint\", \"operation\": \"GetImportJob\", \"error\": {\"statusCode\": 429, \"code\": "
     "\"TooManyRequestsException\"}}]; got a JSON object."),
    ("x", "Send a JSON array of chaos rules"),
    ([{"operation": "GetImportJob"}, 7], "The chaos rule 1 is the value 7; each chaos rule is a "
     "JSON object"),
])
def test_a_chaos_rule_that_cannot_be_honoured_is_400(
    control: Control, rules: Any, message: str
) -> None:
    status, body = control("POST", "/_localstack/chaos/faults", rules)
    assert status == 400 and body["message"].startswith(message)


# -- bad input: a 400 naming what is wrong, nothing changed ----------------------------------

FINITE = 'advance() takes a finite number of seconds >= 0, got inf. Send e.g. {"seconds": 60}.'
PAST = "would take the mock's clock past 9999-12-31T23:59:59.999Z"


@pytest.mark.parametrize("body, message", [
    ({"seconds": 1e308}, f"advance(1e+308) {PAST}"),
    (b'{"seconds": 1' + b"0" * 400 + b"}", f"advance(a whole number of about 401 digits) {PAST}"),
    (b'{"seconds": 1e400}', FINITE),  # JSON's 1e400 is Python's inf
    (b"[" * 100_000, "The request body nests arrays or objects too deeply to read; send a JSON "
                     'object of a few levels, e.g. {"seconds": 60}.'),
    (b'{"seconds": ' * 100_000, "The request body nests arrays or objects too deeply to read"),
    (b'{"seconds": 1' + b"0" * 5000 + b"}",  # past Python's 4,300-digit int limit, if it has one
     'The request body is not JSON; send a JSON object, e.g. {"seconds": 60}.'
     if hasattr(sys, "get_int_max_str_digits") else
     f"advance(a whole number of about 5,001 digits) {PAST}"),
])
def test_an_advance_of_any_size_or_depth_is_400_and_the_clock_stays(
    control: Control, pinpoint_imports: PinpointImportsMock, body: Any, message: str,
) -> None:
    """POST /_pinpoint_mock/advance answers every body with JSON: a number past the last date,
    one no float holds, or a body nested past Python's recursion limit is a 400 whose message
    says what is wrong (it was werkzeug's HTML 500: OverflowError, RecursionError), and the
    clock does not move. Source: docs/server.md ("Bad input is a 400 with {"message": ...}"),
    issue 14."""
    before = pinpoint_imports.now()
    status, answer = control("POST", "/_pinpoint_mock/advance", body)
    assert status == 400 and answer["message"].startswith(message)
    assert pinpoint_imports.now() - before < 60


CRLF = "a\r\nb"


@pytest.mark.parametrize("fields, message", [
    ({"latency": 1e308}, "Fault latency must be a number of seconds from 0 to 3600; got 1e+308."),
    ({"headers": {CRLF: "c"}}, "Fault headers key 'a\\r\\nb' is not an HTTP header name"),
    ({"headers": {"Content-Length": "5"}}, "Fault headers cannot set 'Content-Length', which "
                                           "frames the HTTP message"),
    ({"headers": {"Transfer-Encoding": "chunked"}}, "Fault headers cannot set "
                                                    "'Transfer-Encoding'"),
    ({"headers": {"Connection": "keep-alive"}}, "Fault headers cannot set 'Connection'"),
    ({"headers": {"x": "\u4e2d"}}, "Fault headers value of 'x' must be at most 8192 printable "
                                   "ISO-8859-1 (latin-1) characters"),
    ({"headers": {"x": 5}}, "Fault headers must map header names to one-line string values"),
    ({"headers": ["x"]}, "Fault headers must map header names to one-line string values"),
    ({"code": "E" * 100_000}, "Fault code must be an error code of 1 to 128 letters"),
    ({"region": "US EAST"}, "Fault region must be a region name such as 'us-east-1'"),
])
def test_a_fault_the_server_could_not_send_is_400_and_not_stored(
    control: Control, pinpoint: Any, fields: dict[str, Any], message: str,
) -> None:
    """A fault rule is checked when POST /_pinpoint_mock/faults makes it, never when it fires:
    each of these was accepted (201) and then broke the response (HTML 500 for a latency
    time.sleep cannot wait, a response split by CR/LF, a body cut by Content-Length, a server
    thread killed by a header http.server cannot encode as latin-1, a connection closed by a
    100,000-character x-amzn-ErrorType). Now a 400 naming the field, no rule stored, and the
    next call answered normally. Source: issue 14; RFC 7230 section 3.2 (field names are
    tokens, values have no CR/LF); PEP 3333 (no hop-by-hop headers from an application)."""
    status, answer = control("POST", "/_pinpoint_mock/faults",
                             {"operation": "GetApps", "status": 429, **fields})
    assert status == 400 and answer["message"].startswith(message)
    assert len(answer["message"]) < 400
    assert control("GET", "/_pinpoint_mock/faults")[1] == {"faults": []}
    assert pinpoint.get_apps()["ApplicationsResponse"]["Item"] == []


def test_a_refused_chaos_replacement_keeps_the_rules_it_would_replace(
    control: Control, pinpoint: Any,
) -> None:
    """POST /_localstack/chaos/faults replaces the rules only when every new one is valid: a
    refused replacement (400) changes nothing; the old rule still fires. Source: the project's
    rule "a refused request changes nothing"; LocalStack's chaos API (POST replaces)."""
    rules = [{"service": "pinpoint", "operation": "GetApps",
              "error": {"statusCode": 403, "code": "ForbiddenException"}}]
    assert control("POST", "/_localstack/chaos/faults", rules) == (200, rules)
    bad = [{"operation": "GetSegments"}, {"operation": "GetApps", "error": {
        "statusCode": 429, "code": "x" * 200}}]
    status, answer = control("POST", "/_localstack/chaos/faults", bad)
    assert status == 400 and answer["message"].startswith(
        "The chaos rule 1: Fault code must be an error code of 1 to 128 letters")
    assert control("GET", "/_localstack/chaos/faults") == (200, rules)
    assert [f["operation"] for f in control("GET", "/_pinpoint_mock/faults")[1]["faults"]] == [
        "GetApps"]
    with pytest.raises(pinpoint.exceptions.ForbiddenException):
        pinpoint.get_apps()


def _route_paths() -> list[tuple[str, str]]:
    from pinpoint_mock._control import ROUTES

    return [(method, path.replace("<application_id>", "a1").replace("<job_id>", "j1")
             .replace("<rule_id>", "fault-1")) for method, path, _, _ in ROUTES]


def test_every_control_route_of_a_stopped_mock_is_503_until_it_starts_again() -> None:
    """While the server's mock is stopped every control route answers 503 JSON (as the Pinpoint
    routes do), the health route with ``"status": "stopped"`` so that a readiness probe fails;
    once the mock starts again, the routes answer again. Source: docs/server.md (the control
    plane); issue 14 (the health and calls routes answered werkzeug's HTML 500)."""
    from pinpoint_mock import __version__
    from pinpoint_mock._control import STOPPED

    mock = PinpointImportsMock().start()
    with PinpointMockServer(mock=mock) as server:
        control = Control(server)
        mock.stop()
        for method, path in _route_paths():
            body = {"seconds": 1} if path.endswith("/advance") and "jobs" not in path else None
            status, answer = control(method, path, body)
            assert status == 503, (method, path)
            expected = {"message": STOPPED}
            if path.endswith("/health"):
                expected.update(status="stopped", version=__version__)
            assert answer == expected, (method, path)
        with pytest.raises(ClientError) as raised:
            client("pinpoint", server.url).get_apps()  # a stopped mock: no fake credentials
        assert raised.value.response["Error"] == {"Code": "ServiceUnavailableException",
                                                  "Message": STOPPED}
        mock.start()
        try:
            assert control("GET", "/_pinpoint_mock/health")[1]["status"] == "running"
            assert control("GET", "/_pinpoint_mock/calls") == (200, {"calls": []})
        finally:
            mock.stop()


def test_concurrent_chaos_replacements_leave_one_request_s_rules(control: Control) -> None:
    """Concurrent POSTs to /_localstack/chaos/faults (each a replacement) leave the rules of
    one of them, in its order, and the mock's fault rules are exactly those: never a mix, never
    a rule twice. Source: LocalStack's chaos API (POST replaces the rules); issue 14 ("no
    race")."""
    import threading

    sets = [[{"operation": operation, "probability": round(0.1 * (n + 1), 1)}
             for operation in ("GetApps", "GetSegments", "GetImportJobs")] for n in range(8)]
    start = threading.Barrier(len(sets))
    answers: list[tuple[int, Any]] = []

    def replace(rules: list[dict[str, Any]]) -> None:
        start.wait(10)
        for _ in range(5):
            answers.append(control("POST", "/_localstack/chaos/faults", rules))

    threads = [threading.Thread(target=replace, args=(rules,)) for rules in sets]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch at once: a race window is found
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert len(answers) == 5 * len(sets)
    assert all(answer in [(200, rules) for rules in sets] for answer in answers)
    status, kept = control("GET", "/_localstack/chaos/faults")
    assert status == 200 and kept in sets
    faults = control("GET", "/_pinpoint_mock/faults")[1]["faults"]
    assert [(f["operation"], f["probability"]) for f in faults] == [
        (rule["operation"], rule["probability"]) for rule in kept]
