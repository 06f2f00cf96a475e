"""No request leaves the process while a mock is active, whatever endpoint the client names:
Pinpoint is the mock's, every other service moto's (by the SigV4 scope), the rest an error in
process naming the URL."""

from __future__ import annotations

import socket
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from pinpoint_mock import PinpointImportsMock, UnservedRequestError, mock_pinpoint_imports

REGION = "eu-west-1"
LOCALSTACK = "http://localhost:4566"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every socket connect and DNS lookup fails the test (and is listed)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"a network connection was attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == []


def _audience_round_trip(endpoint_url: Any = None) -> None:
    """S3, CreateApp (moto) and an import job (the mock) through clients of one endpoint."""
    extra = {} if endpoint_url is None else {"endpoint_url": endpoint_url}
    s3 = boto3.client("s3", region_name=REGION, **extra)
    s3.create_bucket(Bucket="audience", CreateBucketConfiguration={
        "LocationConstraint": REGION})
    s3.put_object(Bucket="audience", Key="in/a.csv",
                  Body=b"ChannelType,Address\nEMAIL,ana@example.com\n")
    assert s3.get_object(Bucket="audience", Key="in/a.csv")["Body"].read().startswith(b"Chan")
    pinpoint = boto3.client("pinpoint", region_name=REGION, **extra)
    app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"]
    job = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/in/a.csv",
        "RoleArn": "arn:aws:iam::123456789012:role/Import"})["ImportJobResponse"]
    listed = pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
    assert [j["Id"] for j in listed] == [job["Id"]]
    settings = pinpoint.get_application_settings(ApplicationId=app_id)  # moto's operation
    assert settings["ApplicationSettingsResource"]["ApplicationId"] == app_id


@pytest.mark.parametrize("endpoint_url", [LOCALSTACK, "http://127.0.0.1:9", "http://moto:5000",
                                          "https://pinpoint-proxy.internal.example"])
def test_clients_with_any_endpoint_url_are_served_in_process(
    endpoint_url: str, no_network: list[Any], aws_credentials: None
) -> None:
    with mock_pinpoint_imports() as mock:
        _audience_round_trip(endpoint_url)
        # the data is the same as that of clients on AWS's own hosts
        default = boto3.client("pinpoint", region_name=REGION)
        assert len(default.get_apps()["ApplicationsResponse"]["Item"]) == 1
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"][0][
            "Name"] == "audience"
        assert [(c.operation, c.answered_by) for c in mock.calls] == [
            ("CreateApp", "mock"), ("CreateImportJob", "mock"), ("GetImportJobs", "mock"),
            ("GetApplicationSettings", "moto"), ("GetApps", "mock")]


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"])
def test_endpoint_url_environment_variables_are_served_in_process(
    variable: str, no_network: list[Any], aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, LOCALSTACK)
    if variable == "AWS_ENDPOINT_URL_S3":
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT", "http://localhost:4567")
    with mock_pinpoint_imports():
        s3 = boto3.client("s3", region_name=REGION)
        assert s3.meta.endpoint_url == LOCALSTACK
        _audience_round_trip()


def test_other_services_are_moto_s_by_the_signature_scope(
    no_network: list[Any], aws_credentials: None
) -> None:
    with mock_pinpoint_imports():
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=LOCALSTACK)
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="hello")
        sts = boto3.client("sts", region_name=REGION, endpoint_url=LOCALSTACK)
        assert sts.get_caller_identity()["Account"] == "123456789012"
        # SES v2 is signed as "ses" but served under its endpoint prefix "email"
        sesv2 = boto3.client("sesv2", region_name=REGION, endpoint_url=LOCALSTACK)
        assert sesv2.list_contact_lists()["ContactLists"] == []
        # reached again through the default endpoint: the same moto data
        default = boto3.client("sqs", region_name=REGION)
        message = default.receive_message(QueueUrl=default.get_queue_url(
            QueueName="jobs")["QueueUrl"])["Messages"][0]
        assert message["Body"] == "hello"


def test_a_request_nothing_serves_fails_in_process_naming_its_url(
    no_network: list[Any], aws_credentials: None
) -> None:
    with mock_pinpoint_imports():
        braket = boto3.client("braket", region_name=REGION, endpoint_url=LOCALSTACK)
        with pytest.raises(UnservedRequestError) as raised:
            braket.search_devices(filters=[])
    message = str(raised.value)
    assert message == (
        "pinpoint_mock: POST http://localhost:4566/devices was not sent: while a mock is "
        "active no request leaves the process, and moto does not implement this call (asked "
        "as https://braket.eu-west-1.amazonaws.com/devices). Point the client at an AWS "
        "service moto implements (any endpoint_url is fine: the request's SigV4 scope names "
        "the service), or make the call outside the mock.")
    assert isinstance(raised.value, ConnectionError)


def test_on_aws_hosts_moto_s_not_implemented_answer_is_kept(
    no_network: list[Any], aws_credentials: None
) -> None:
    with mock_pinpoint_imports():
        braket = boto3.client("braket", region_name=REGION)
        with pytest.raises(braket.exceptions.ClientError, match="404"):
            braket.search_devices(filters=[])


def test_an_unsigned_request_to_another_host_names_its_url(
    no_network: list[Any], aws_credentials: None
) -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    with mock_pinpoint_imports():
        client = boto3.client("s3", region_name=REGION, endpoint_url="http://localhost:4566",
                              config=Config(signature_version=UNSIGNED))
        # unsigned, but the client's service is known: still moto's S3
        with pytest.raises(client.exceptions.NoSuchBucket):
            client.list_objects_v2(Bucket="nowhere")


def test_a_client_created_before_the_mock_with_an_endpoint_url_is_served(
    no_network: list[Any], aws_credentials: None
) -> None:
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=LOCALSTACK)
    pinpoint = boto3.client("pinpoint", region_name=REGION, endpoint_url=LOCALSTACK)
    with mock_pinpoint_imports():
        s3.create_bucket(Bucket="early", CreateBucketConfiguration={
            "LocationConstraint": REGION})
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
            "ApplicationResponse"]["Id"]
        assert pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"][
            "Item"] == []


def test_moto_s_own_pass_through_configuration_is_respected(
    pinpoint_imports: PinpointImportsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A service moto is configured to pass through is sent (here: to a refused connection).
    sent: list[str] = []

    def fake_send(self: Any, request: Any) -> Any:
        sent.append(request.url)
        raise ConnectionRefusedError("not really sent")

    from botocore.endpoint import Endpoint

    monkeypatch.setattr(Endpoint, "_send", fake_send)
    with mock_aws(config={"core": {"passthrough": {"services": ["sqs"]}}}):
        with pytest.raises(ConnectionRefusedError):
            boto3.client("sqs", region_name=REGION).list_queues()
    assert sent and sent[0].startswith("https://sqs.eu-west-1.amazonaws.com")


@pytest.mark.asyncio
async def test_aiobotocore_clients_with_an_endpoint_url_are_served_in_process(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock
) -> None:
    pytest.importorskip("aiobotocore")
    from aiobotocore.session import get_session

    session = get_session()
    async with session.create_client("s3", region_name=REGION, endpoint_url=LOCALSTACK) as s3, \
            session.create_client("pinpoint", region_name=REGION,
                                  endpoint_url=LOCALSTACK) as pinpoint, \
            session.create_client("braket", region_name=REGION,
                                  endpoint_url=LOCALSTACK) as braket:
        await s3.create_bucket(Bucket="audience", CreateBucketConfiguration={
            "LocationConstraint": REGION})
        await s3.put_object(Bucket="audience", Key="in.csv", Body=b"ChannelType,Address\n")
        body = (await s3.get_object(Bucket="audience", Key="in.csv"))["Body"]
        async with body:
            assert await body.read() == b"ChannelType,Address\n"
        app_id = (await pinpoint.create_app(CreateApplicationRequest={"Name": "x"}))[
            "ApplicationResponse"]["Id"]
        jobs = await pinpoint.get_import_jobs(ApplicationId=app_id)
        assert jobs["ImportJobsResponse"]["Item"] == []
        settings = await pinpoint.get_application_settings(ApplicationId=app_id)  # moto's
        assert settings["ApplicationSettingsResource"]["ApplicationId"] == app_id
        with pytest.raises(UnservedRequestError, match="http://localhost:4566/devices"):
            await braket.search_devices(filters=[])
    assert [(c.operation, c.answered_by) for c in pinpoint_imports.calls] == [
        ("CreateApp", "mock"), ("GetImportJobs", "mock"), ("GetApplicationSettings", "moto")]
