"""pytest plugin of pinpoint_mock (registered through the ``pytest11`` entry point
``pinpoint_imports``, so installing the package is enough: no conftest.py needed).

Fixtures:
    aws_credentials: fake AWS credentials and region in the environment; the user's own AWS
        config and credentials files, profile and endpoint URLs are not used.
    pinpoint_imports: the active :class:`pinpoint_mock.PinpointImportsMock`, fresh for each
        test, made with the options of the ``pinpoint_imports`` marker.
    pinpoint_client: a boto3 Pinpoint client in the ``aws_credentials`` region, served by that
        mock.
    pinpoint_server: a :class:`pinpoint_mock.PinpointMockServer` on a free port serving that
        mock over HTTP (``.url`` for the AWS CLI, other SDKs, a browser); needs the
        ``server`` extra.

Marker:
    ``@pytest.mark.pinpoint_imports(**options)``: the options of ``mock_pinpoint_imports`` for
    the test, merged from module (``pytestmark``), class and test, the closest winning. A
    marked test gets the mock even if it does not ask for the ``pinpoint_imports`` fixture.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import uuid
from typing import Any, Iterator

import pytest

from pinpoint_mock import PinpointImportsMock, PinpointMockServer

# Every hook and fixture of the plugin is listed here: the repository's conftest_plugin.py
# re-exports exactly these names (tests/test_plugin.py checks that none is missing).
__all__ = [
    "_pinpoint_imports_marker",
    "aws_credentials",
    "pinpoint_client",
    "pinpoint_imports",
    "pinpoint_server",
    "pytest_configure",
]

MARKER = "pinpoint_imports"
REGION = "us-east-1"
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}
"""What ``aws_credentials`` sets (moto's ``mock_aws`` also fakes the two keys while active)."""
_REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``pinpoint_imports`` marker (shown by ``pytest --markers``), once even if
    this module is also registered under another name (``conftest_plugin``)."""
    if any(line.startswith(f"{MARKER}(") for line in config.getini("markers")):
        return
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): serve Pinpoint import jobs (and moto's AWS) from memory for the "
        "test, as mock_pinpoint_imports(**options) does; options ("
        f"{', '.join(option_names())}) merge from module, class and test, the closest winning.",
    )


def option_names() -> list[str]:
    """The options ``mock_pinpoint_imports`` (and so the marker) accepts, in order."""
    parameters = inspect.signature(PinpointImportsMock).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def marker_options(node: pytest.Item) -> dict[str, Any]:
    """The merged options of every ``pinpoint_imports`` marker on ``node`` (closest wins).

    Fails the test, with one sentence saying what is allowed, on a positional argument or an
    unknown option.
    """
    allowed = option_names()
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(MARKER))):
        if marker.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes keyword options only ({', '.join(allowed)}), "
                f'e.g. @pytest.mark.{MARKER}(progression="immediate").',
                pytrace=False,
            )
        unknown = [name for name in marker.kwargs if name not in allowed]
        if unknown:
            pytest.fail(
                f"Unknown option {', '.join(repr(n) for n in unknown)} in "
                f"@pytest.mark.{MARKER}; use only {', '.join(allowed)}.",
                pytrace=False,
            )
        options.update(marker.kwargs)
    return options


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake AWS credentials and region (us-east-1) for the test, undone after it.

    The user's AWS config and credentials files are pointed at paths that do not exist, and
    ``AWS_PROFILE``, ``AWS_DEFAULT_PROFILE``, ``AWS_ENDPOINT_URL*`` are removed, so nothing of
    the real set-up is read. Override this fixture to use other values.
    """
    for name, value in FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    missing = os.path.join(tempfile.gettempdir(), f"pinpoint-mock-none-{uuid.uuid4().hex}")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(missing, "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.path.join(missing, "credentials"))
    for name in list(os.environ):
        if name in _REMOVED or name.startswith("AWS_ENDPOINT_URL_"):
            monkeypatch.delenv(name)


@pytest.fixture
def pinpoint_imports(
    request: pytest.FixtureRequest, aws_credentials: None
) -> Iterator[PinpointImportsMock]:
    """The active mock, fresh for each test: Pinpoint import jobs (and moto's AWS) served from
    memory, with the options of the ``@pytest.mark.pinpoint_imports(...)`` markers."""
    options = marker_options(request.node)
    try:
        mock = PinpointImportsMock(**options)
    except (TypeError, ValueError) as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        pytest.fail(f"Bad option in @pytest.mark.{MARKER}: {problem}", pytrace=False)
    with mock:
        yield mock


@pytest.fixture
def pinpoint_client(pinpoint_imports: PinpointImportsMock) -> Any:
    """A boto3 Pinpoint client in the ``aws_credentials`` region (us-east-1), served by the
    ``pinpoint_imports`` mock."""
    import boto3

    return boto3.client("pinpoint", region_name=os.environ.get("AWS_DEFAULT_REGION") or REGION)


@pytest.fixture
def pinpoint_server(pinpoint_imports: PinpointImportsMock) -> Iterator[PinpointMockServer]:
    """A server on a free loopback port serving the ``pinpoint_imports`` mock over HTTP (its
    state, its control plane under ``/_pinpoint_mock/``), stopped after the test."""
    with PinpointMockServer(pinpoint_imports) as server:
        yield server


@pytest.fixture(autouse=True)
def _pinpoint_imports_marker(request: pytest.FixtureRequest) -> None:
    """Start the ``pinpoint_imports`` fixture for a marked test that does not ask for it."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue(MARKER)
