"""The suite's network guard (tests/network_guard.py): nothing leaves the machine, and a test
that tries fails even when the attempt's error is caught."""

from __future__ import annotations

import socket
import textwrap
import threading
from typing import Any

import boto3
import botocore.exceptions
import pytest

from tests import network_guard

pytest_plugins = ("pytester",)


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST.", "api.localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]",
     "0.0.0.0", "::", "", None, b"127.0.0.1", "::ffff:127.0.0.1"],
)
def test_loopback_hosts_are_allowed(host: Any) -> None:
    assert network_guard.is_loopback(host)


@pytest.mark.parametrize(
    "host",
    ["pinpoint.us-east-1.amazonaws.com", "example.invalid", "192.0.2.1", "10.0.0.1",
     "2001:db8::1", "::ffff:192.0.2.1", "localhost.example.com", b"example.com", 5],
)
def test_other_hosts_are_not(host: Any) -> None:
    assert not network_guard.is_loopback(host)


def _run_inner(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=textwrap.dedent(source))
    return pytester.runpytest("-p", "tests.network_guard", "-p", "no:asyncio", "-q")


def test_a_name_lookup_fails_the_test_even_when_its_error_is_caught(
    pytester: pytest.Pytester,
) -> None:
    result = _run_inner(pytester, """
        import socket

        def test_swallows_the_error():
            try:
                socket.getaddrinfo("pinpoint.us-east-1.amazonaws.com", 443)
            except Exception:
                pass

        def test_stays_home():
            socket.getaddrinfo("localhost", 443)
            socket.getaddrinfo("192.0.2.1", 443)  # a literal: no resolver is asked
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*The test reached for the network during call:*",
        "*socket.getaddrinfo('pinpoint.us-east-1.amazonaws.com')*",
    ])


def test_a_connect_outside_loopback_fails_in_setup_too(pytester: pytest.Pytester) -> None:
    result = _run_inner(pytester, """
        import socket
        import pytest

        @pytest.fixture
        def reaches_out():
            with socket.socket() as sock:
                sock.connect(("192.0.2.1", 9))

        def test_uses_it(reaches_out):
            pass
    """)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*socket.connect() to '192.0.2.1' port 9*"])


def test_a_datagram_to_a_resolver_is_blocked() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(network_guard.NetworkBlockedError, match="sendto"):
            sock.sendto(b"\x00", ("192.0.2.53", 53))
    network_guard._charged[-1].clear()  # expected here: do not fail this test


def test_a_boto3_client_aimed_at_another_host_never_reaches_it() -> None:
    client = boto3.client("pinpoint", region_name="us-east-1",
                          endpoint_url="https://pinpoint.example.com",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    with pytest.raises(botocore.exceptions.HTTPClientError, match="must not reach the network"):
        client.get_apps()  # botocore wraps the guard's error (and retries it)
    assert network_guard._charged[-1]
    assert all("pinpoint.example.com" in v for v in network_guard._charged[-1])
    network_guard._charged[-1].clear()


def test_loopback_servers_stay_reachable() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def accept() -> None:
            connection, _ = server.accept()
            connection.sendall(b"ok")
            connection.close()

        thread = threading.Thread(target=accept)
        thread.start()
        with socket.create_connection(("localhost", port), timeout=5) as client:
            assert client.recv(2) == b"ok"
        thread.join()
    assert network_guard._charged[-1] == []
