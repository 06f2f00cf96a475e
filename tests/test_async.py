"""async: the decorator on ``async def``, async test runners, aiobotocore clients.

The aiobotocore tests skip where aiobotocore is not installed (CI's second run has it)."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import textwrap
import unittest
from typing import Any

import boto3
import pytest

from pinpoint_mock import _transport, mock_pinpoint_imports

pytest_plugins = ("pytester",)

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
CSV = b"ChannelType,Address\nEMAIL,ana@example.com\nSMS,+15555550101\n"


def _job_count(client: Any) -> int:
    app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]["Id"]
    return len(client.get_import_jobs(ApplicationId=app)["ImportJobsResponse"]["Item"])


# -- the decorator under an async test runner (pytest-asyncio, in the test extras) ------------


@pytest.mark.asyncio
@mock_pinpoint_imports
async def test_the_mock_stays_active_across_every_await() -> None:
    seen = []
    for _ in range(3):
        await asyncio.sleep(0)
        seen.append(_transport.installed())
    assert seen == [True, True, True]
    assert _job_count(boto3.client("pinpoint", region_name=REGION)) == 0


@pytest.mark.asyncio
async def test_concurrent_decorated_coroutines_each_run_inside_a_mock() -> None:
    @mock_pinpoint_imports
    async def task(delay: float) -> bool:
        await asyncio.sleep(delay)
        return _transport.installed()

    assert await asyncio.gather(task(0.01), task(0)) == [True, True]
    assert not _transport.installed()


@pytest.mark.asyncio
async def test_a_failing_or_cancelled_coroutine_stops_its_mock() -> None:
    @mock_pinpoint_imports
    async def failing() -> None:
        await asyncio.sleep(0)
        raise KeyError("boom")

    @mock_pinpoint_imports
    async def forever() -> None:
        await asyncio.Event().wait()

    with pytest.raises(KeyError):
        await failing()
    running = asyncio.ensure_future(forever())
    await asyncio.sleep(0)
    assert _transport.installed()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert not _transport.installed()


@pytest.mark.asyncio
async def test_the_fixture_serves_an_async_test(pinpoint_client: Any) -> None:
    await asyncio.sleep(0)
    assert _job_count(pinpoint_client) == 0


@mock_pinpoint_imports
class IsolatedAsyncioDecorated(unittest.IsolatedAsyncioTestCase):
    """asyncSetUp, async tests and asyncTearDown run inside the mock of the test."""

    async def asyncSetUp(self) -> None:
        await asyncio.sleep(0)
        self.client = boto3.client("pinpoint", region_name=REGION)

    async def test_served(self) -> None:
        await asyncio.sleep(0)
        assert _job_count(self.client) == 0

    async def asyncTearDown(self) -> None:
        await asyncio.sleep(0)
        assert _transport.installed()


ASYNC_TEST_WITHOUT_A_PLUGIN = """
    from pinpoint_mock import mock_pinpoint_imports

    @mock_pinpoint_imports
    async def test_body():
        print("BODY RAN")
"""


def test_without_an_async_plugin_a_decorated_async_test_is_never_reported_passed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=textwrap.dedent(ASYNC_TEST_WITHOUT_A_PLUGIN))
    result = pytester.runpytest_subprocess(
        "-s", "-p", "no:asyncio", "-p", "no:anyio", "-p", "no:cacheprovider"
    )
    assert "BODY RAN" not in result.stdout.str()
    outcomes = result.parseoutcomes()
    assert "passed" not in outcomes
    assert outcomes.get("failed", 0) + outcomes.get("skipped", 0) == 1
    result.stdout.fnmatch_lines(["*async def functions are not natively supported*"])


# -- aiobotocore clients ----------------------------------------------------------------------


def _aio_session() -> Any:
    pytest.importorskip("aiobotocore")
    from aiobotocore.session import get_session

    return get_session()


@pytest.mark.asyncio
async def test_aiobotocore_clients_run_an_import_end_to_end(pinpoint_imports: Any) -> None:
    session = _aio_session()
    async with session.create_client("s3", region_name=REGION) as s3, \
            session.create_client("pinpoint", region_name=REGION) as pinpoint:
        await s3.create_bucket(Bucket="audience")  # moto's answer, awaited
        await s3.put_object(Bucket="audience", Key="in.csv", Body=CSV)  # aws-chunked body
        body = (await s3.get_object(Bucket="audience", Key="in.csv"))["Body"]
        async with body:
            assert await body.read() == CSV  # moto's streaming answer
        app = (await pinpoint.create_app(CreateApplicationRequest={"Name": "shop"}))[
            "ApplicationResponse"]["Id"]
        job = (await pinpoint.create_import_job(ApplicationId=app, ImportJobRequest={
            "Format": "CSV", "S3Url": "s3://audience/in.csv", "RoleArn": ROLE_ARN,
            "DefineSegment": True, "SegmentName": "all"}))["ImportJobResponse"]
        assert job["JobStatus"] == "CREATED"
        pinpoint_imports.advance(3600)
        job = (await pinpoint.get_import_job(ApplicationId=app, JobId=job["Id"]))[
            "ImportJobResponse"]
        assert (job["JobStatus"], job["TotalProcessed"]) == ("COMPLETED", 2)
        with pytest.raises(pinpoint.exceptions.NotFoundException) as caught:
            await pinpoint.get_import_job(ApplicationId=app, JobId="missing")
        assert caught.value.response["Error"]["Code"] == "NotFoundException"


@pytest.mark.asyncio
async def test_aiobotocore_clients_run_an_export_end_to_end(pinpoint_imports: Any) -> None:
    session = _aio_session()
    async with session.create_client("s3", region_name=REGION) as s3, \
            session.create_client("pinpoint", region_name=REGION) as pinpoint:
        await s3.create_bucket(Bucket="exports")
        app = (await pinpoint.create_app(CreateApplicationRequest={"Name": "shop"}))[
            "ApplicationResponse"]["Id"]
        for n, address in enumerate(["ana@example.com", "bo@example.com"]):
            await pinpoint.update_endpoint(ApplicationId=app, EndpointId=f"e{n}",
                                           EndpointRequest={"ChannelType": "EMAIL",
                                                            "Address": address})
        created = await pinpoint.create_export_job(ApplicationId=app, ExportJobRequest={
            "S3UrlPrefix": "s3://exports/daily/", "RoleArn": ROLE_ARN})
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
        job_id = created["ExportJobResponse"]["Id"]
        pinpoint_imports.advance(3600)
        listing = await s3.list_objects_v2(Bucket="exports", Prefix="daily/")
        assert [item["Key"] for item in listing["Contents"]] == [
            f"daily/{job_id}/part-00000.gz"]  # written when the clock completed the job
        job = (await pinpoint.get_export_job(ApplicationId=app, JobId=job_id))[
            "ExportJobResponse"]
        assert (job["JobStatus"], job["TotalProcessed"], job["TotalPieces"]) == (
            "COMPLETED", 2, 1)
        body = (await s3.get_object(Bucket="exports", Key=f"daily/{job_id}/part-00000.gz"))[
            "Body"]
        async with body:
            lines = gzip.decompress(await body.read()).decode().splitlines()
        first = json.loads(lines[0])
        endpoint = await pinpoint.get_endpoint(ApplicationId=app, EndpointId=first["Id"])
        assert first == endpoint["EndpointResponse"]
        listed = await pinpoint.get_export_jobs(ApplicationId=app)
        assert [item["Id"] for item in listed["ExportJobsResponse"]["Item"]] == [job_id]


@pytest.mark.asyncio
@mock_pinpoint_imports
async def test_aiobotocore_clients_are_served_inside_a_decorated_coroutine() -> None:
    session = _aio_session()
    async with session.create_client("pinpoint", region_name=REGION) as pinpoint:
        app = (await pinpoint.create_app(CreateApplicationRequest={"Name": "a"}))[
            "ApplicationResponse"]["Id"]
        await asyncio.sleep(0)
        jobs = await pinpoint.get_import_jobs(ApplicationId=app, PageSize="5")
        assert jobs["ImportJobsResponse"]["Item"] == []


def test_aiobotocore_clients_created_before_importing_moto_are_served() -> None:
    pytest.importorskip("aiobotocore")
    script = textwrap.dedent(
        """
        import asyncio, sys
        from aiobotocore.session import get_session

        async def main():
            async with get_session().create_client(
                    "pinpoint", region_name="us-east-1", aws_access_key_id="a",
                    aws_secret_access_key="b") as client:
                assert "moto" not in sys.modules
                from pinpoint_mock import mock_pinpoint_imports
                with mock_pinpoint_imports():
                    app = await client.create_app(CreateApplicationRequest={"Name": "x"})
                    app_id = app["ApplicationResponse"]["Id"]
                    jobs = await client.get_import_jobs(ApplicationId=app_id)
                    try:
                        await client.get_import_job(ApplicationId=app_id, JobId="nope")
                    except client.exceptions.NotFoundException as error:
                        print("served", len(jobs["ImportJobsResponse"]["Item"]),
                              error.response["Error"]["Code"])
                from aiobotocore.endpoint import AioEndpoint
                print("restored", "_send" in vars(AioEndpoint)
                      and AioEndpoint._send.__module__ == "aiobotocore.endpoint")

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split("\n")[:2] == ["served 0 NotFoundException", "restored True"], (
        result.stderr)
