"""How the mock hooks botocore: every client is served, and botocore is restored after."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import unittest
from typing import Any

import boto3
import pytest
from botocore.endpoint import Endpoint
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from pinpoint_mock import _transport, mock_pinpoint_imports

REGION = "us-east-1"


def _snapshot() -> tuple[Any, Any]:
    return BotocoreStubber.__dict__["__call__"], Endpoint.__dict__["_send"]


def _create_and_read_job_count(client: Any) -> int:
    app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]["Id"]
    return len(client.get_import_jobs(ApplicationId=app)["ImportJobsResponse"]["Item"])


def test_botocore_is_restored_by_identity_after_the_last_stop() -> None:
    before = _snapshot()
    with mock_pinpoint_imports():
        assert _snapshot() != before
        with mock_pinpoint_imports():
            assert _transport.installed()
        assert _transport.installed()
    assert _snapshot() == before
    assert not _transport.installed()


def test_a_client_created_before_start_is_served() -> None:
    client = boto3.client("pinpoint", region_name=REGION, aws_access_key_id="a",
                          aws_secret_access_key="b")
    with mock_pinpoint_imports():
        assert _create_and_read_job_count(client) == 0


@pytest.mark.parametrize("order", ["moto outside", "moto inside"])
def test_nesting_with_mock_aws_in_either_order_shares_data(order: str) -> None:
    outer, inner = (mock_aws(), mock_pinpoint_imports()) if order == "moto outside" else (
        mock_pinpoint_imports(), mock_aws())
    with outer:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="kept-bucket")
        with inner:
            client = boto3.client("pinpoint", region_name=REGION)
            assert _create_and_read_job_count(client) == 0
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept-bucket"]
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept-bucket"]


def test_state_does_not_leak_into_the_next_mock() -> None:
    with mock_pinpoint_imports():
        client = boto3.client("pinpoint", region_name=REGION)
        app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]
        client.create_segment(ApplicationId=app["Id"], WriteSegmentRequest={"Name": "s"})
    with mock_pinpoint_imports():
        client = boto3.client("pinpoint", region_name=REGION)
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_segments(ApplicationId=app["Id"])


def test_a_failing_decorated_test_leaves_the_patch_off() -> None:
    before = _snapshot()

    @mock_pinpoint_imports
    def failing() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        failing()
    assert _snapshot() == before


def test_stop_without_start_raises_one_clear_sentence_and_breaks_nothing() -> None:
    mock = mock_pinpoint_imports()
    with pytest.raises(RuntimeError) as caught:
        mock.stop()
    assert str(caught.value) == (
        "stop() was called on a mock_pinpoint_imports that is not started; call start() "
        "first, or use it as a decorator or a `with` block."
    )
    with mock_pinpoint_imports():
        assert _create_and_read_job_count(boto3.client("pinpoint", region_name=REGION)) == 0


def test_start_twice_raises_and_start_stop_work_by_hand() -> None:
    mock = mock_pinpoint_imports()
    assert mock.start() is mock
    try:
        with pytest.raises(RuntimeError, match="already started"):
            mock.start()
        assert _create_and_read_job_count(boto3.client("pinpoint", region_name=REGION)) == 0
    finally:
        mock.stop()
    assert not mock.active


def test_bare_decorator_and_decorator_with_options() -> None:
    seen = []

    @mock_pinpoint_imports
    def bare(x: int) -> int:
        seen.append(_transport.installed())
        return x + 1

    @mock_pinpoint_imports(progression="immediate")
    def with_options() -> str:
        client = boto3.client("pinpoint", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="b-immediate")
        s3.put_object(Bucket="b-immediate", Key="a.csv", Body=b"ChannelType,Address\nSMS,+1\n")
        app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]
        job = client.create_import_job(ApplicationId=app["Id"], ImportJobRequest={
            "Format": "CSV", "S3Url": "s3://b-immediate/a.csv",
            "RoleArn": "arn:aws:iam::123456789012:role/r"})
        job = client.get_import_job(ApplicationId=app["Id"], JobId=job["ImportJobResponse"]["Id"])
        return str(job["ImportJobResponse"]["JobStatus"])  # "immediate": the first read ends it

    assert bare(1) == 2
    assert seen == [True]
    assert bare.__name__ == "bare"
    assert with_options() == "COMPLETED"
    assert not _transport.installed()


def test_async_function_keeps_the_mock_across_awaits() -> None:
    ran = []

    @mock_pinpoint_imports
    async def body() -> int:
        await asyncio.sleep(0)
        ran.append(_transport.installed())
        await asyncio.sleep(0)
        return _create_and_read_job_count(boto3.client("pinpoint", region_name=REGION))

    assert asyncio.run(body()) == 0
    assert ran == [True]
    assert not _transport.installed()


class _Base(unittest.TestCase):
    def setUp(self) -> None:
        self.client = boto3.client("pinpoint", region_name=REGION)
        self.app = self.client.create_app(
            CreateApplicationRequest={"Name": "u"})["ApplicationResponse"]["Id"]


@mock_pinpoint_imports
class DecoratedTestCase(_Base):
    """Inherited setUp runs inside the mock; each test gets fresh state."""

    def test_one_segment(self) -> None:
        self.client.create_segment(ApplicationId=self.app, WriteSegmentRequest={"Name": "a"})
        items = self.client.get_segments(ApplicationId=self.app)["SegmentsResponse"]["Item"]
        assert len(items) == 1

    def test_fresh_state(self) -> None:
        apps = self.client.get_apps()["ApplicationsResponse"]["Item"]
        assert len(apps) == 1


def test_clients_created_before_importing_moto_are_served() -> None:
    script = textwrap.dedent(
        """
        import boto3
        client = boto3.client("pinpoint", region_name="us-east-1",
                              aws_access_key_id="a", aws_secret_access_key="b")
        import sys
        assert "moto" not in sys.modules
        from pinpoint_mock import mock_pinpoint_imports
        with mock_pinpoint_imports():
            app = client.create_app(CreateApplicationRequest={"Name": "x"})
            app_id = app["ApplicationResponse"]["Id"]
            jobs = client.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
            try:
                client.get_import_job(ApplicationId=app_id, JobId="nope")
            except client.exceptions.NotFoundException as error:
                print("served", len(jobs), error.response["Error"]["Code"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "served 0 NotFoundException", result.stderr


def test_an_s3_client_created_before_importing_moto_uploads_intact_objects() -> None:
    # Such a client reaches the patched Endpoint._send with botocore's aws-chunked body
    # wrapper (no tell()): only Pinpoint bodies may be read there, or moto gets nothing.
    script = textwrap.dedent(
        """
        import boto3
        s3 = boto3.client("s3", region_name="us-east-1",
                          aws_access_key_id="a", aws_secret_access_key="b")
        import sys
        assert "moto" not in sys.modules
        from pinpoint_mock import mock_pinpoint_imports
        with mock_pinpoint_imports():
            s3.create_bucket(Bucket="early-bucket")
            s3.put_object(Bucket="early-bucket", Key="a.csv", Body=b"ChannelType,Address\\n")
            body = s3.get_object(Bucket="early-bucket", Key="a.csv")["Body"].read()
            print(body)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "b'ChannelType,Address\\n'", result.stderr


def test_a_pinpoint_client_with_its_own_endpoint_url_is_served() -> None:
    with mock_pinpoint_imports() as mock:
        client = boto3.client("pinpoint", region_name="eu-west-1",
                              endpoint_url="http://127.0.0.1:9")
        app = boto3.client("pinpoint", region_name="eu-west-1").create_app(
            CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]["Id"]
        jobs = client.get_import_jobs(ApplicationId=app)["ImportJobsResponse"]["Item"]
        assert jobs == []
        assert mock.calls[-1].operation == "GetImportJobs"


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1, "5", True])
def test_advance_refuses_what_is_not_a_finite_number_of_seconds(seconds: Any) -> None:
    with mock_pinpoint_imports() as mock:
        with pytest.raises(ValueError) as caught:
            mock.advance(seconds)
        assert str(caught.value) == (
            f"advance() takes a finite number of seconds >= 0, got {seconds!r}."
        )
        assert mock.now() == pytest.approx(__import__("time").time(), abs=5)


def test_the_account_is_moto_account_id_then_the_x_moto_account_id_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.exceptions import ClientError

    def segments(client: Any, app_id: str) -> Any:
        try:
            return len(client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"])
        except ClientError as error:
            return error.response["Error"]["Code"]

    with mock_pinpoint_imports():
        pinpoint = boto3.client("pinpoint", region_name=REGION)
        default = pinpoint.create_app(CreateApplicationRequest={"Name": "d"})[
            "ApplicationResponse"]["Id"]
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
        other = pinpoint.create_app(CreateApplicationRequest={"Name": "o"})[
            "ApplicationResponse"]["Id"]
        pinpoint.create_segment(ApplicationId=other, WriteSegmentRequest={"Name": "s"})
        assert (segments(pinpoint, other), segments(pinpoint, default)) == (
            1, "NotFoundException")
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        assert (segments(pinpoint, other), segments(pinpoint, default)) == (
            "NotFoundException", 0)

        headed = boto3.client("pinpoint", region_name=REGION)

        def account(request: Any, **_: Any) -> None:
            request.headers["X-Moto-Account-Id"] = "111111111111"  # any case

        headed.meta.events.register("before-sign.pinpoint", account)
        assert (segments(headed, other), segments(headed, default)) == (1, "NotFoundException")
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "123456789012")  # the variable comes first
        assert (segments(headed, other), segments(headed, default)) == ("NotFoundException", 0)
