"""No request leaves the process while a mock is active, whatever endpoint the client names:
Pinpoint is the mock's, every other service moto's (by the SigV4 scope), the rest an error in
process naming the URL."""

from __future__ import annotations

import socket
from typing import Any, Iterator, Optional

import boto3
import botocore.exceptions
import botocore.session
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


# -- issue 14, an outside attacker's requests: each served in process or refused there ------

def _by_requests(method: str, url: str, headers: Optional[dict[str, str]] = None) -> Any:
    import requests

    return requests.request(method, url, headers=headers or {}, timeout=5)


def _by_botocore_send(method: str, url: str, headers: Optional[dict[str, str]] = None) -> Any:
    """A raw request through a client's endpoint (botocore's ``Endpoint._send``)."""
    from botocore.awsrequest import AWSRequest

    client = boto3.client("sts", region_name=REGION)
    return client._endpoint._send(AWSRequest(method, url, headers=headers or {}).prepare())


def _by_http_session(method: str, url: str, headers: Optional[dict[str, str]] = None) -> Any:
    """A raw request through a botocore HTTP session of the caller's own, which no client's
    handler sees."""
    from botocore.awsrequest import AWSRequest
    from botocore.httpsession import URLLib3Session

    return URLLib3Session().send(AWSRequest(method, url, headers=headers or {}).prepare())


SENDERS = {"requests": _by_requests, "botocore": _by_botocore_send,
           "http-session": _by_http_session}


def _sigv4(service: str, region: str = REGION) -> dict[str, str]:
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/{region}/"
            f"{service}/aws4_request, SignedHeaders=host, Signature=abc"}


@pytest.mark.parametrize("sender", sorted(SENDERS))
@pytest.mark.parametrize("method", ["FOO", "CONNECT", "TRACE"])
@pytest.mark.parametrize("url", ["https://s3.amazonaws.com/bucket/key",
                                 "https://sts.amazonaws.com/",
                                 "https://audience.s3.amazonaws.com/k?AWSAccessKeyId=AKID"
                                 "&Signature=abc%3D&Expires=1796197146"])
def test_a_method_moto_has_no_answer_for_is_refused_in_process(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, sender: str, method: str,
    url: str,
) -> None:
    """Found by an outside attacker: ``requests`` sent these to the network (moto registers
    callbacks for seven methods, and passes the rest through), and moto's S3 raised
    NotImplementedError into a botocore caller. Refused in process, naming the method."""
    with pytest.raises(UnservedRequestError, match=(
            f"^pinpoint_mock: {method} .* was not sent: .*moto answers only the HTTP methods "
            f"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; {method} is none of them"
            if sender != "http-session" else "sent through botocore's HTTP session")):
        SENDERS[sender](method, url)


@pytest.mark.parametrize("sender", sorted(SENDERS))
@pytest.mark.parametrize("url", [
    "https://example.com/", "http://10.1.2.3:8080/v1/apps",
    "https://pinpoint.us-east-1.amazonaws.com.evil.com/v1/apps",
    "https://pinpoint.us-east-1.amazonaws.com@evil.com/v1/apps",
    "https://s3.amazonaws.com.evil.com/bucket"])
def test_a_host_that_is_not_aws_s_is_refused_naming_it(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, sender: str, url: str,
) -> None:
    """While a mock is active nothing leaves the process but to this machine. A host that
    only starts like AWS's (``….amazonaws.com.evil.com``, or user information before
    ``@evil.com``, RFC 3986 section 3.2.1) is not AWS's: ``requests`` sent them to the
    network or raised a TypeError from moto's callback (whose URL patterns match a prefix)."""
    host = __import__("urllib.parse").parse.urlsplit(url).hostname
    expected = (f"its host '{host}' is neither AWS's nor this machine's"
                if sender != "http-session" else "sent through botocore's HTTP session")
    with pytest.raises(UnservedRequestError, match=expected):
        SENDERS[sender]("GET", url)
    assert pinpoint_imports.calls == []


@pytest.mark.parametrize("sender", ["requests", "botocore"])
def test_a_scope_naming_no_aws_service_is_refused_naming_it(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, sender: str,
) -> None:
    """A SigV4 scope is how a request to a custom endpoint names its service; one that
    botocore does not know (``nosuchservice``, or ``s3x``, which moto's S3 pattern matched as
    S3) is refused with a sentence naming it."""
    for service in ("nosuchservice", "s3x"):
        with pytest.raises(UnservedRequestError, match=(
                f"its signature's credential scope names the service '{service}', which is no "
                "AWS service botocore knows")):
            SENDERS[sender]("GET", f"{LOCALSTACK}/x", _sigv4(service))


@pytest.mark.parametrize("sender", ["requests", "botocore"])
def test_a_python_exception_of_moto_s_is_refused_in_process(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, sender: str,
) -> None:
    """moto's SQS raised KeyError for a region it has no backend of (found while closing
    issue 14's holes): an UnservedRequestError naming moto's failure, which is its cause."""
    with pytest.raises(UnservedRequestError, match=r"moto failed on it \(KeyError: 'xx-fake-9'\)"
                       ) as raised:
        SENDERS[sender]("GET", f"{LOCALSTACK}/?Action=ListQueues", _sigv4("sqs", "xx-fake-9"))
    assert isinstance(raised.value.__cause__, KeyError)


@pytest.mark.parametrize("sender", ["requests", "botocore"])
def test_s3_s_signature_version_2_header_to_another_host_is_moto_s_s3(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, sender: str,
) -> None:
    """``Authorization: AWS KEY:SIGNATURE`` is S3's Signature Version 2 (botocore's
    ``HmacV1Auth``); to a custom endpoint it was sent to the network. moto's S3 answers it,
    path-style, as an S3 presigned URL of Signature Version 2."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="audience")
    answered = SENDERS[sender]("GET", "https://storage.example.com/audience",
                               {"Authorization": "AWS AKIDEXAMPLE:c2lnbmF0dXJl"})
    assert answered.status_code == 200 and b"<Name>audience</Name>" in answered.content


def test_pinpoint_s_fips_hosts_are_its_hosts_of_that_region(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock,
) -> None:
    """``pinpoint-fips.<region>.amazonaws.com`` (and ``.api.aws``) are Pinpoint's FIPS hosts
    (botocore's endpoint rules, ``UseFIPS``): the attacker's ``FOO`` to it was sent to the
    network, and moto answered a FIPS client's GetApplicationSettings "Not yet implemented".
    """
    import requests
    from botocore.config import Config

    fips = boto3.client("pinpoint", region_name="eu-west-1",
                        config=Config(use_fips_endpoint=True))
    app_id = fips.create_app(CreateApplicationRequest={"Name": "f"})["ApplicationResponse"]["Id"]
    assert fips.get_application_settings(ApplicationId=app_id)[
        "ApplicationSettingsResource"]["ApplicationId"] == app_id  # moto's
    for host in ("pinpoint-fips.eu-west-1.amazonaws.com", "pinpoint-fips.eu-west-1.api.aws"):
        got = requests.get(f"https://{host}/v1/apps/{app_id}", timeout=5)
        assert (got.status_code, got.json()["Id"]) == (200, app_id)
        foo = requests.request("FOO", f"https://{host}/v1/apps", timeout=5)
        assert (foo.status_code, foo.headers["x-amzn-ErrorType"]) == (
            405, "MethodNotAllowedException")


def test_user_information_before_an_aws_host_is_that_host(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock,
) -> None:
    """``https://me@s3.amazonaws.com/`` is S3's host (RFC 3986: user information is not part
    of the host); moto's patterns miss it as written."""
    import requests

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="audience")
    listed = requests.get("https://me@s3.amazonaws.com/audience", timeout=5)
    assert listed.status_code == 200 and b"<Name>audience</Name>" in listed.content


@pytest.mark.parametrize("mode", ["IPv4", "IPv6"])
def test_without_credentials_the_chain_ends_as_off_ec2_without_a_request_out(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, mode: str,
) -> None:
    """With moto's fake credentials gone (``mock_credentials`` off, or deleted by the test) and
    none configured, botocore's credential chain asks EC2's instance metadata service: the
    guard answers a connect timeout, as off EC2, so the chain finds no credentials (botocore's
    ``NoCredentialsError`` for a client), rather than an UnservedRequestError it would not
    catch."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", mode)
    monkeypatch.setenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
    session = botocore.session.Session()
    assert session.get_credentials() is None
    client = session.create_client("pinpoint", region_name=REGION)
    with pytest.raises(botocore.exceptions.NoCredentialsError):
        client.get_apps()


@pytest.mark.parametrize("url", ["https://amazonaws.com/v1/apps", "https://AMAZONAWS.COM/x",
                                 "https://amazonaws.com.cn/", "https://amazonaws.com./"])
def test_the_bare_amazonaws_com_is_no_aws_host_and_is_refused_unsigned(
    no_network: list[Any], pinpoint_imports: PinpointImportsMock, url: str
) -> None:
    """No AWS service lives at the apex ``amazonaws.com``: an unsigned request there is a host
    neither AWS's nor this machine's, refused in process. It was taken for an AWS host, which
    moto's URL patterns did not match, and sent (a DNS lookup; found by an outside
    attacker)."""
    import requests

    with pytest.raises(UnservedRequestError, match="was not sent"):
        requests.get(url, timeout=5)
