"""Sending what a careless or hostile caller sends, through a real botocore client.

``unvalidated_client()`` skips botocore's own parameter validation (so wrong types reach the
mock) and retries nothing; ``raw_body(client, body)`` replaces the JSON body botocore would
send by any bytes (signed as sent), for the next calls of that client.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Iterator, Optional

import boto3
from botocore.config import Config

from tests.conftest import REGION

NO_VALIDATION = Config(parameter_validation=False,
                       retries={"total_max_attempts": 1, "mode": "standard"})


def unvalidated_client(endpoint_url: Optional[str] = None, region: str = REGION) -> Any:
    """A boto3 Pinpoint client that sends whatever it is given, once."""
    return boto3.client("pinpoint", region_name=region, endpoint_url=endpoint_url,
                        config=NO_VALIDATION)


@contextlib.contextmanager
def raw_body(client: Any, body: bytes) -> Iterator[None]:
    """While inside, every request of ``client`` carries ``body`` instead of its own."""

    def replace(request: Any, **_: Any) -> None:
        request.data = body

    client.meta.events.register("before-sign.pinpoint", replace)
    try:
        yield
    finally:
        client.meta.events.unregister("before-sign.pinpoint", replace)


def send(client: Any, operation: str, payload: Any, **members: Any) -> Any:
    """Call ``operation`` (the client's method name) with ``payload`` as the JSON body,
    whatever it holds (botocore's serializer would refuse a string where an object goes)."""
    payload_member = client.meta.service_model.operation_model(
        client.meta.method_to_api_mapping[operation]
    ).input_shape.serialization["payload"]
    with raw_body(client, json.dumps(payload).encode()):
        return getattr(client, operation)(**members, **{payload_member: {}})


def error_of(call: Any) -> tuple[int, str, str]:
    """``(HTTP status, error code, message)`` of a call that must fail with a ClientError."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as error:
        response = error.response
        return (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
                response["Error"].get("Message", ""))
    raise AssertionError("the call succeeded; it should have been refused")
