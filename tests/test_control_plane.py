"""The control plane under ``/_pinpoint_mock/`` (and LocalStack's chaos route): JSON in and
out, each route calling the method a Python test calls."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import boto3
import pytest
from botocore.config import Config

from pinpoint_mock import PinpointImportsMock, PinpointMockServer
from tests.test_server import http

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
    ({"nope": 1}, "The chaos rule 0 has field 'nope', which is not honoured;"),
    ("x", "Send a JSON array of chaos rules"),
])
def test_a_chaos_rule_that_cannot_be_honoured_is_400(
    control: Control, rules: Any, message: str
) -> None:
    status, body = control("POST", "/_localstack/chaos/faults", rules)
    assert status == 400 and body["message"].startswith(message)
