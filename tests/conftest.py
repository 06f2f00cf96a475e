"""Shared test helpers: a bucket with the shipped samples, an app, a job-creating shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import boto3
import pytest
from hypothesis import HealthCheck, settings

SAMPLES = Path(__file__).resolve().parent.parent / "pinpoint_mock" / "samples"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
BUCKET = "audience-files"
REGION = "us-east-1"

# Fuzz tests (tests/test_fuzz_*.py): a fixed, bounded run by default (the same examples on every
# run, no example database); `--hypothesis-profile=fuzz-hunt` runs 800 fresh examples per test
# (every test in about ten minutes on 2 cores), `fuzz-long` 2,000 (docs/contributing.md).
settings.register_profile(
    "fuzz",
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("fuzz-hunt", settings.get_profile("fuzz"), max_examples=800,
                          derandomize=False)
settings.register_profile("fuzz-long", settings.get_profile("fuzz"), max_examples=2000,
                          derandomize=False)
settings.load_profile("fuzz")


@pytest.fixture
def s3(pinpoint_imports: Any) -> Any:
    """A moto S3 client with the bucket ``audience-files`` holding every sample under samples/."""
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in (".csv", ".json"):
            client.put_object(Bucket=BUCKET, Key=f"samples/{path.name}", Body=path.read_bytes())
    return client


@pytest.fixture
def app_id(pinpoint_client: Any) -> str:
    """A Pinpoint application created through moto."""
    response = pinpoint_client.create_app(CreateApplicationRequest={"Name": "tests"})
    return str(response["ApplicationResponse"]["Id"])


@pytest.fixture
def create_job(pinpoint_client: Any, app_id: str, s3: Any) -> Callable[..., dict[str, Any]]:
    """``create_job(sample_name_or_url, **members)`` -> the ImportJobResponse of a new job."""

    def create(source: str, **members: Any) -> dict[str, Any]:
        url = source if source.startswith("s3://") else f"s3://{BUCKET}/samples/{source}"
        request = {"Format": "JSON" if url.endswith(".json") else "CSV", "S3Url": url,
                   "RoleArn": ROLE_ARN}
        request.update(members)
        response = pinpoint_client.create_import_job(ApplicationId=app_id,
                                                     ImportJobRequest=request)
        return dict(response["ImportJobResponse"])

    return create


def finish(mock: Any, client: Any, app_id: str, job_id: str) -> dict[str, Any]:
    """Advance the mock's clock past any default-schedule job and read the job."""
    mock.advance(3600)
    return dict(client.get_import_job(ApplicationId=app_id, JobId=job_id)["ImportJobResponse"])


def pytest_configure(config: pytest.Config) -> None:
    """Load the suite's network guard (``tests/network_guard.py``)."""
    config.pluginmanager.import_plugin("tests.network_guard")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--load-calls``: calls per thread of tests/test_load.py (the issue's size is 1000)."""
    parser.addoption("--load-calls", type=int, default=40,
                     help="calls per thread in tests/test_load.py (32 threads; default 40)")
