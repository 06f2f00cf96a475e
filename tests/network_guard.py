"""A pytest plugin for this test suite: nothing leaves the machine.

Any socket connect (or datagram sent) to an address that is not loopback, and any name lookup
of a host that is not loopback, made while the suite runs raises :class:`NetworkBlockedError`
where it was made and fails the test that made it, even when the code under test catches the
error (a retrying client, a broad ``except``). Loopback stays open for the server tests:
``127.0.0.0/8``, ``::1``, ``0.0.0.0`` / ``::`` (which the kernel sends to this machine),
``localhost`` and ``*.localhost`` names, and Unix sockets. A lookup of an IP literal is not a
lookup (no resolver is asked), so only its connect is checked.

Guarded: ``socket.socket.connect`` / ``connect_ex`` / ``sendto`` / ``sendmsg``,
``socket.getaddrinfo`` / ``gethostbyname`` / ``gethostbyname_ex`` / ``gethostbyaddr`` /
``getnameinfo`` (asyncio and every HTTP library go through these). Not guarded: subprocesses.

Why not pytest-socket: its ``--allow-hosts`` mode checks ``connect`` only (a DNS lookup of any
name still goes out), its error can be swallowed by the code under test, and its current
release needs Python 3.10 while the package supports 3.9.

Registered by ``tests/conftest.py``; another pytest run in the same process (pytester) can
load it with ``-p tests.network_guard``: violations are charged to the innermost test running.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any, Callable, Generator, Optional

import pytest

_lock = threading.Lock()
_installed = 0
_originals: dict[tuple[Any, str], Any] = {}
_charged: list[list[str]] = [[]]
"""A stack: the violations of each test running (innermost last; the bottom one is outside
any test, e.g. at collection)."""

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost",
                             "ip6-loopback"})


class NetworkBlockedError(RuntimeError):
    """A test tried to reach the network (not an ``OSError``, so no client retries it)."""


def is_loopback(host: Any) -> bool:
    """True for a host (name, IP literal, bytes or None) that stays on this machine."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name or name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True  # "" is INADDR_ANY to connect and getaddrinfo
    address = _ip(name)
    if address is None:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_loopback or address.is_unspecified


def _ip(name: str) -> Optional[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None


def _block(what: str) -> None:
    message = f"{what}: the test suite must not reach the network (tests/network_guard.py)."
    with _lock:
        _charged[-1].append(message)
    raise NetworkBlockedError(message)


def _is_inet(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _check_address(sock: socket.socket, address: Any, what: str) -> None:
    if _is_inet(sock) and isinstance(address, tuple) and address and not is_loopback(address[0]):
        _block(f"{what} to {address[0]!r} port {address[1] if len(address) > 1 else '?'}")


def _wrap_connect(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    def guarded(self: socket.socket, address: Any) -> Any:
        _check_address(self, address, f"socket.{name}()")
        return original(self, address)

    return guarded


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    if args:
        _check_address(self, args[-1], "socket.sendto()")
    return _originals[(socket.socket, "sendto")](self, data, *args)


def _guarded_sendmsg(self: socket.socket, buffers: Any, *args: Any) -> Any:
    if len(args) >= 3 and args[2] is not None:
        _check_address(self, args[2], "socket.sendmsg()")
    return _originals[(socket.socket, "sendmsg")](self, buffers, *args)


def _wrap_lookup(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        literal = isinstance(host, str) and _ip(host.strip("[]")) is not None
        if not literal and not is_loopback(host):
            _block(f"socket.{name}({host!r})")
        return original(host, *args, **kwargs)

    return guarded


def _wrap_reverse(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    def guarded(address: Any, *args: Any) -> Any:
        host = address[0] if isinstance(address, tuple) and address else address
        numeric = name == "getnameinfo" and args and args[0] & socket.NI_NUMERICHOST
        if not numeric and not is_loopback(host):
            _block(f"socket.{name}({host!r})")
        return original(address, *args)

    return guarded


def _patches() -> dict[tuple[Any, str], Callable[[Any], Any]]:
    return {
        (socket.socket, "connect"): lambda o: _wrap_connect(o, "connect"),
        (socket.socket, "connect_ex"): lambda o: _wrap_connect(o, "connect_ex"),
        (socket.socket, "sendto"): lambda o: _guarded_sendto,
        (socket.socket, "sendmsg"): lambda o: _guarded_sendmsg,
        (socket, "getaddrinfo"): lambda o: _wrap_lookup(o, "getaddrinfo"),
        (socket, "gethostbyname"): lambda o: _wrap_lookup(o, "gethostbyname"),
        (socket, "gethostbyname_ex"): lambda o: _wrap_lookup(o, "gethostbyname_ex"),
        (socket, "gethostbyaddr"): lambda o: _wrap_reverse(o, "gethostbyaddr"),
        (socket, "getnameinfo"): lambda o: _wrap_reverse(o, "getnameinfo"),
    }


def install() -> None:
    """Guard the socket module (nested calls only count)."""
    global _installed
    with _lock:
        if _installed == 0:
            for (owner, name), wrap in _patches().items():
                original = getattr(owner, name)
                _originals[(owner, name)] = original
                setattr(owner, name, wrap(original))
        _installed += 1


def uninstall() -> None:
    """Undo one :func:`install`; the last one puts the socket module back as it was."""
    global _installed
    with _lock:
        _installed -= 1
        if _installed == 0:
            for (owner, name), original in _originals.items():
                setattr(owner, name, original)
            _originals.clear()


def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_unconfigure(config: pytest.Config) -> None:
    uninstall()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, Any, None]:
    with _lock:
        _charged.append([])
    try:
        yield
    finally:
        with _lock:
            _charged.pop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    report = outcome.get_result()
    with _lock:
        violations, _charged[-1][:] = list(_charged[-1]), []
    if not violations:
        return
    text = "\n".join(violations)
    if report.passed:
        report.outcome = "failed"
        report.longrepr = f"The test reached for the network during {report.when}:\n{text}"
    else:
        report.sections.append(("network guard", text))
