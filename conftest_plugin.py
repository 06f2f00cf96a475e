"""pytest plugin of pinpoint_mock (registered through the ``pytest11`` entry point).

Fixtures:
    pinpoint_imports: the active :class:`pinpoint_mock.PinpointImportsMock`, fresh for each test.
    pinpoint_client: a boto3 Pinpoint client in ``us-east-1``, served by that mock.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from pinpoint_mock import PinpointImportsMock, mock_pinpoint_imports


@pytest.fixture
def pinpoint_imports() -> Iterator[PinpointImportsMock]:
    """The active mock: Pinpoint import jobs (and moto's AWS) served from memory."""
    with mock_pinpoint_imports() as mock:
        yield mock


@pytest.fixture
def pinpoint_client(pinpoint_imports: PinpointImportsMock) -> Any:
    """A boto3 Pinpoint client in us-east-1, served by the ``pinpoint_imports`` mock."""
    import boto3

    return boto3.client("pinpoint", region_name="us-east-1")
