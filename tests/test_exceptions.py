"""The exceptions the mock raises are public: exported from ``pinpoint_mock``, documented, and
subclasses of the built-in a caller would already catch."""

from __future__ import annotations

import boto3
import pytest

import pinpoint_mock
from pinpoint_mock import (
    AmbiguousJobError,
    Fault,
    JobNotFoundError,
    JobStateError,
    UnfiredFaultsError,
    mock_pinpoint_imports,
)

EXPECTED = {
    "AmbiguousJobError": LookupError,
    "JobNotFoundError": LookupError,
    "JobStateError": ValueError,
    "UnfiredFaultsError": AssertionError,
    "UnservedRequestError": ConnectionError,
    "MockServerError": RuntimeError,
}


def test_every_exception_is_exported_documented_and_a_builtin_subclass() -> None:
    exported = {name: getattr(pinpoint_mock, name) for name in pinpoint_mock.__all__}
    errors = {name: value for name, value in exported.items()
              if isinstance(value, type) and issubclass(value, BaseException)}
    assert set(errors) == set(EXPECTED)
    for name, error in errors.items():
        assert issubclass(error, EXPECTED[name]), name
        assert error.__module__.startswith("pinpoint_mock.") and len(error.__doc__ or "") > 80


def test_strict_faults_raise_the_exported_error() -> None:
    with pytest.raises(UnfiredFaultsError, match=r"never fired"):
        with mock_pinpoint_imports(strict_faults=True) as mock:
            mock.faults.add(Fault.throttle("GetImportJobs"))


def test_job_control_raises_the_exported_errors() -> None:
    with mock_pinpoint_imports(progression="immediate") as mock:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="audience")
        s3.put_object(Bucket="audience", Key="a.csv",
                      Body=b"ChannelType,Address\nSMS,+15555550101\n")
        pinpoint = boto3.client("pinpoint", region_name="us-east-1")
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
            "ApplicationResponse"]["Id"]
        job = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": "CSV", "S3Url": "s3://audience/a.csv",
            "RoleArn": "arn:aws:iam::123456789012:role/PinpointImport"})["ImportJobResponse"]
        pinpoint.get_import_job(ApplicationId=app_id, JobId=job["Id"])  # COMPLETED
        with pytest.raises(JobStateError, match="is already COMPLETED; complete_job"):
            mock.complete_job(app_id, job["Id"])
        with pytest.raises(JobNotFoundError, match="No import or export job 'nope'"):
            mock.advance_job(app_id, "nope")
        assert not issubclass(AmbiguousJobError, JobNotFoundError)
