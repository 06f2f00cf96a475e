"""``mock.reset()``: every piece of data, the mock's and moto's, gone mid-test."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pinpoint_mock import Fault, PinpointImportsMock, mock_pinpoint_imports

REGION = "us-east-1"


def _fill(pinpoint: Any, s3: Any) -> str:
    s3.create_bucket(Bucket="audience")
    s3.put_object(Bucket="audience", Key="a.csv", Body=b"ChannelType,Address,Id\nEMAIL,a@x.io,e1\n")
    app_id = str(pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
        "ApplicationResponse"]["Id"])
    pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": "s3://audience/a.csv",
        "RoleArn": "arn:aws:iam::123456789012:role/Import", "RegisterEndpoints": True,
        "DefineSegment": True, "SegmentName": "s"})
    return app_id


def test_reset_empties_the_mock_s_data_and_moto_s(pinpoint_imports: PinpointImportsMock) -> None:
    pinpoint = boto3.client("pinpoint", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    app_id = _fill(pinpoint, s3)
    sqs.create_queue(QueueName="other-service")
    pinpoint_imports.advance(3600)
    assert pinpoint.get_endpoint(ApplicationId=app_id, EndpointId="e1")
    assert pinpoint_imports.calls

    pinpoint_imports.reset()

    assert pinpoint_imports.calls == []
    assert pinpoint.get_apps()["ApplicationsResponse"]["Item"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_import_jobs(ApplicationId=app_id)
    # the mock is still active and works as before
    again = _fill(pinpoint, s3)
    assert len(pinpoint.get_import_jobs(ApplicationId=again)["ImportJobsResponse"]["Item"]) == 1
    assert pinpoint.get_segments(ApplicationId=again)["SegmentsResponse"]["Item"][0][
        "Name"] == "s"


def test_reset_keeps_the_clock_the_fault_rules_and_the_options() -> None:
    with mock_pinpoint_imports(progression="immediate") as mock:
        pinpoint = boto3.client("pinpoint", region_name=REGION)
        mock.advance(120)
        now = mock.now()
        rule = mock.faults.add(Fault.throttle("GetSegments", times=1))
        mock.reset()
        assert mock.now() >= now
        assert list(mock.faults) == [rule]
        app_id = _fill(pinpoint, boto3.client("s3", region_name=REGION))
        [job] = pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
        assert job["JobStatus"] == "COMPLETED"  # still "immediate"


def test_reset_is_shared_by_nested_mocks() -> None:
    with mock_pinpoint_imports() as outer:
        pinpoint = boto3.client("pinpoint", region_name=REGION)
        pinpoint.create_app(CreateApplicationRequest={"Name": "x"})
        with mock_pinpoint_imports() as inner:
            inner.reset()
        assert pinpoint.get_apps()["ApplicationsResponse"]["Item"] == []
        assert [c.operation for c in outer.calls] == ["GetApps"]  # only the call after it


def test_reset_of_a_mock_that_is_not_started_says_how_to_fix_it() -> None:
    with pytest.raises(RuntimeError, match=r"^This mock_pinpoint_imports is not started; "):
        mock_pinpoint_imports().reset()


def test_an_object_moto_disposes_of_while_it_is_read_fails_the_import_not_the_call(
    pinpoint_imports: PinpointImportsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reset (the mock's or moto's) while CreateImportJob reads an object closes the object's
    data under the reader: a ValueError ("I/O operation on closed file") escaped into the
    caller of CreateImportJob (found by an outside attacker, with a reset from another thread
    mid-import). The object is read as gone: an OSError the import reports, as for any object
    it cannot read. Here the object is disposed of as it is opened, the same moment made
    deterministic."""
    from pinpoint_mock import _moto

    opener = _moto._opener

    def disposing(key: Any) -> Any:
        open_key = opener(key)

        def open_disposed() -> Any:
            key.dispose()
            return open_key()

        return open_disposed

    monkeypatch.setattr(_moto, "_opener", disposing)
    pinpoint = boto3.client("pinpoint", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)
    app_id = _fill(pinpoint, s3)  # CreateImportJob returns; no exception
    pinpoint_imports.advance(3600)
    jobs = pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
    for _ in range(6):
        if jobs[0]["JobStatus"] in ("COMPLETED", "FAILED"):
            break
        pinpoint_imports.advance_job(app_id, jobs[0]["Id"])
        jobs = pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"]
    assert jobs[0]["JobStatus"] == "FAILED"
    assert "deleted while it was read" in " ".join(jobs[0]["Failures"])
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_endpoint(ApplicationId=app_id, EndpointId="e1")
