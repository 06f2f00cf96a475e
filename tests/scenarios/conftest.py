"""Scenarios: call sequences of public code that ran against Pinpoint, replayed on the mock as
a new user would (the package's pytest fixtures, boto3, moto's S3). Each test's docstring names
the repository and path it paraphrases."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImportRole"


@pytest.fixture
def s3(pinpoint_imports: Any) -> Any:
    """moto's S3, with the bucket ``audience-drop``."""
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket="audience-drop")
    return client


@pytest.fixture
def project_id(pinpoint_client: Any) -> str:
    """A Pinpoint project (application), as the samples' stacks take one as a parameter."""
    app = pinpoint_client.create_app(CreateApplicationRequest={"Name": "scenario"})
    return str(app["ApplicationResponse"]["Id"])
