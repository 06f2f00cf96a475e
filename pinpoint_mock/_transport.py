"""The transports: one adapter per client library, all answering through one handler.

A *transport* is a module that patches one HTTP client library so that, while a mock is
active, its requests are answered in process: :mod:`pinpoint_mock._botocore` (botocore
clients), :mod:`pinpoint_mock._aiobotocore` (aiobotocore clients) and
:mod:`pinpoint_mock._requests` (``requests``, through ``responses``). Each is a
:class:`Transport` subclass, registered by name when its module is imported (the layout of
respx's ``mocks.py``); :func:`install` patches them all once, reference-counted under a lock,
and the last :func:`uninstall` restores every library by identity. The WSGI server
(:mod:`pinpoint_mock._wsgi`) is a transport too, but it patches nothing.

Every transport asks the same :class:`Handler` (the mock's shared ``State``): ``answer``
for a Pinpoint request, ``moto_body`` for the body of one it leaves to moto, ``before_moto``
before moto answers any request, and ``answered_by_moto`` for a Pinpoint request moto
answered. This
module also holds what the transports share about a request: its SigV4 credential scope
(which names the service and region whatever the host), the AWS URL under which moto serves a
request sent to another host (a client's ``endpoint_url``), the servers of this process that
a request may reach over loopback, and the error raised in process for a request nothing can
answer.
"""

from __future__ import annotations

import functools
import importlib
import ipaddress
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping, Optional, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

from pinpoint_mock._routing import HttpResponse

PINPOINT_SIGNING_NAME = "mobiletargeting"
"""The service name Pinpoint requests are signed with (botocore's ``signingName``)."""
PINPOINT_SCOPE_SERVICES = frozenset({PINPOINT_SIGNING_NAME, "pinpoint"})
"""A credential scope naming one of these is Pinpoint's: its signing name, or its
``endpointPrefix`` (the name of its host), which a hand-signed request may use."""

_TRANSPORT_MODULES = ("pinpoint_mock._botocore", "pinpoint_mock._aiobotocore",
                      "pinpoint_mock._requests")
_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
_SIGV4A = "AWS4-ECDSA-P256-SHA256"
"""Signature Version 4A's algorithm (botocore's ``SigV4AAuth``, through awscrt): its scope has
no region, ``Credential=KEY/DATE/SERVICE/aws4_request``; the regions it is valid in are the
``X-Amz-Region-Set`` header (or query parameter), a comma-separated list that may hold ``*``."""
_SCOPE_V4A = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/aws4_request")
_REGION_NAME = re.compile(r"[a-z]{2}(-[a-z0-9]+)+", re.A)
_SIGV2_HEADER = re.compile(r"\s*AWS [^:\s]+:\S+")
_AWS_HOST = re.compile(r"[^.]\.amazonaws\.com(\.cn)?\.?$")
_PINPOINT_HOST = re.compile(
    r"pinpoint(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|api\.aws)\.?", re.A | re.I)
"""Pinpoint's hosts of a region, as botocore's endpoint rules (``endpoint-rule-set-1.json`` of
Pinpoint) give them: ``pinpoint.<region>.amazonaws.com``, its dual-stack (IPv4 and IPv6)
``pinpoint.<region>.api.aws`` (``UseDualStack``), and the FIPS ones ``pinpoint-fips.<region>.``
``amazonaws.com`` / ``.api.aws`` (``UseFIPS``)."""
MOTO_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
"""The HTTP methods moto answers (its ``responses`` callbacks are registered for these); a
request of another method (``TRACE``, ``CONNECT``, ``FOO``) that is not Pinpoint's is refused
in process (Pinpoint's are answered 405 by the mock)."""
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost",
                             "ip6-loopback"})


class Handler(Protocol):
    """What every transport asks (implemented by ``pinpoint_mock._dispatch.State``)."""

    def answer(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> Optional[HttpResponse]:
        """The mock's response to a Pinpoint request, or None to let moto answer it."""

    def moto_body(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> Optional[bytes]:
        """The body to give moto for a Pinpoint request :meth:`answer` left to it: the
        members botocore's model knows (unknown ones dropped, as the mock drops them)."""

    def before_moto(self) -> None:
        """Called before moto answers any request (S3's above all): export jobs the clock has
        completed write their objects then."""

    def answered_by_moto(
        self,
        method: str,
        url: str,
        headers: Mapping[str, Any],
        body: Optional[bytes],
        response: HttpResponse,
        operation: Optional[str] = None,
    ) -> None:
        """Record a Pinpoint request moto answered (``mock.calls``, ``answered_by="moto"``)."""


class UnservedRequestError(ConnectionError):
    """Raised in process, instead of a network send, for a request made while a mock is
    active that neither the mock nor moto can answer. The message names the URL."""


def unserved(method: str, url: str, why: str) -> UnservedRequestError:
    """The :class:`UnservedRequestError` for one request (``why`` ends the first sentence)."""
    return UnservedRequestError(
        f"pinpoint_mock: {method} {url} was not sent: while a mock is active no request "
        f"leaves the process, and {why}. Point the client at an AWS service moto implements "
        "(any endpoint_url is fine: the request's SigV4 scope names the service), or make the "
        "call outside the mock."
    )


# -- the request: signature scope, Pinpoint or not, where moto serves it ----------------------


@dataclass(frozen=True)
class Scope:
    """The SigV4 credential scope of a request: ``Credential=KEY/DATE/REGION/SERVICE/...``.

    For Signature Version 4A (``AWS4-ECDSA-P256-SHA256``, scope ``KEY/DATE/SERVICE/...``),
    ``region`` is the one region of its ``X-Amz-Region-Set``, or ``""`` when the set names
    none, several or a wildcard (``*``): the request's region is then its host's, else
    us-east-1's, as for an unsigned request."""

    access_key: str
    date: str
    region: str
    service: str


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def scope_of(headers: Mapping[str, Any]) -> Optional[Scope]:
    """The SigV4 (or SigV4A) scope of the ``Authorization`` header (case-insensitive
    ``headers``), if any."""
    authorization = headers.get("Authorization")
    if not authorization:
        return None
    text = _text(authorization)
    match = _SCOPE.search(text)
    if match is not None:
        return Scope(*match.groups())
    if text.lstrip().startswith(_SIGV4A):
        return _sigv4a_scope(text, headers.get("X-Amz-Region-Set"))
    return None


def _sigv4a_scope(credential: str, region_set: Any) -> Optional[Scope]:
    match = _SCOPE_V4A.search(credential)
    if match is None:
        return None
    key, date, service = match.groups()
    return Scope(key, date, single_region(region_set), service)


def single_region(region_set: Any) -> str:
    """The one region a SigV4A ``X-Amz-Region-Set`` names (``"eu-west-1"``), or ``""`` (none,
    several, or a wildcard such as ``*`` or ``us-*``)."""
    text = _text(region_set).strip() if region_set else ""
    return text if _REGION_NAME.fullmatch(text) else ""


def query_scope(url: str) -> Optional[Scope]:
    """The SigV4 scope of a query-signed (presigned) URL: its ``X-Amz-Credential`` parameter,
    ``KEY/DATE/REGION/SERVICE/aws4_request`` (AWS's "Authenticating Requests: Using Query
    Parameters", botocore's ``SigV4QueryAuth``), if any."""
    query = urlsplit(url).query
    if "X-Amz-Credential=" not in query:
        return None
    parameters = parse_qs(query)
    for value in parameters.get("X-Amz-Credential", ()):
        match = _SCOPE.search(f"Credential={value}")
        if match is not None:
            return Scope(*match.groups())
        if _SIGV4A in parameters.get("X-Amz-Algorithm", ()):
            region_set = parameters.get("X-Amz-Region-Set", [""])
            scope = _sigv4a_scope(f"Credential={value}", region_set[-1])
            if scope is not None:
                return scope
    return None


def _is_sigv2_query(query: str) -> bool:
    """True for a query signed with Signature Version 2 (``AWSAccessKeyId``, ``Signature``,
    ``Expires``), which among the services moto serves only S3's presigned URLs still use
    (botocore's ``HmacV1QueryAuth``, the ``s3`` signature of ``generate_presigned_url``)."""
    return "AWSAccessKeyId=" in query and "Signature=" in query


def _is_sigv2_header(headers: Mapping[str, Any]) -> bool:
    """True for an ``Authorization: AWS KEY:SIGNATURE`` header: S3's Signature Version 2
    (botocore's ``HmacV1Auth``, the ``s3`` signature version), the only service moto serves
    that signs a header that way."""
    authorization = headers.get("Authorization")
    return bool(authorization) and _SIGV2_HEADER.match(_text(authorization)) is not None


def looks_signed(url: str, headers: Mapping[str, Any]) -> bool:
    """True for a request an AWS SDK signed, even if unreadably: an ``Authorization`` header
    of the ``AWS4-`` schemes (SigV4, SigV4A) or S3's ``AWS KEY:SIGNATURE``, or an
    ``X-Amz-Credential`` (or Signature Version 2) query. While a mock is active such a
    request is answered or refused in process, never sent."""
    authorization = headers.get("Authorization")
    if authorization and _text(authorization).lstrip().startswith("AWS4-"):
        return True
    if authorization and _is_sigv2_header(headers):
        return True
    query = urlsplit(url).query
    return "x-amz-credential=" in query.lower() or _is_sigv2_query(query)


def is_aws_host(host: str) -> bool:
    """True for ``*.amazonaws.com`` (and ``*.amazonaws.com.cn``) hosts, also written as an
    absolute name, with the DNS root's trailing dot (``pinpoint.us-east-1.amazonaws.com.``,
    the same host to DNS). The bare ``amazonaws.com`` is no AWS service's host (no endpoint
    of botocore's ``endpoints.json`` is the apex), so it is not."""
    return _AWS_HOST.search(host) is not None


def is_aws_alias(url: str) -> bool:
    """True for a URL to an AWS host written as moto's URL patterns do not match it, though
    it is the same host: with the DNS root's trailing dot (``https://s3.amazonaws.com./``), an
    explicit port (``https://s3.amazonaws.com:443/``) or user information
    (``https://me@s3.amazonaws.com/``, RFC 3986 section 3.2.1, never sent as part of the host).
    :func:`moto_url` gives the URL moto matches."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return is_aws_host(host) and (host.endswith(".") or _port_text(parts.netloc) != ""
                                  or "@" in parts.netloc)


def is_loopback_host(host: str) -> bool:
    """True for a host that stays on this machine: ``localhost`` (and ``*.localhost``, RFC
    6761 section 6.3), a loopback address (``127.0.0.0/8``, ``::1``) or the unspecified one
    (``0.0.0.0``, ``::``, which the kernel sends to this machine)."""
    name = host.strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return bool(address.is_loopback or address.is_unspecified)


@functools.lru_cache(maxsize=1)
def _known_services() -> frozenset[str]:
    """The service names a credential scope may hold for a service moto could serve: every
    endpoint prefix of botocore's ``endpoints.json`` (the host names moto's URL patterns
    match), the signing names it gives (``credentialScope``), and Pinpoint's names."""
    import botocore.loaders

    names = set(PINPOINT_SCOPE_SERVICES)
    for partition in botocore.loaders.create_loader().load_data("endpoints")["partitions"]:
        for prefix, service in partition.get("services", {}).items():
            names.add(prefix)
            for entry in [service.get("defaults", {}), *service.get("endpoints", {}).values()]:
                scoped = entry.get("credentialScope", {}).get("service")
                if scoped:
                    names.add(scoped)
    return frozenset(names)


def unknown_service(url: str, headers: Mapping[str, Any]) -> Optional[str]:
    """The service a request's credential scope (SigV4 or SigV4A header, or presigned query)
    names when botocore knows no such service (:func:`_known_services`), else None."""
    scope = scope_of(headers) or query_scope(url)
    if scope is None or scope.service in _known_services():
        return None
    return _shown(scope.service)


def refusal(
    method: str, url: str, headers: Mapping[str, Any], endpoint_prefix: Optional[str] = None
) -> Optional[UnservedRequestError]:
    """Why a request that is not Pinpoint's may not be given to moto, or None if it may.

    Refused: a method moto has no answer for (not in :data:`MOTO_METHODS`); and, to a host
    that is not AWS's (``*.amazonaws.com``; a host that only starts like one,
    ``pinpoint.us-east-1.amazonaws.com.evil.com``, is not), a request whose credential scope
    names a service botocore does not know, or a region that is no region name, or one
    that names no service at all (unsigned, or signed unreadably, and no ``endpoint_prefix``
    of a client's service). ``endpoint_prefix``: botocore's ``endpointPrefix`` of the client's
    service, when the transport knows it.
    """
    if method not in MOTO_METHODS:
        return unserved(method, url, (
            f"moto answers only the HTTP methods {', '.join(sorted(MOTO_METHODS))}; "
            f"{_shown(method)} is none of them"))
    host = urlsplit(url).hostname or ""
    if is_aws_host(host):
        return None
    scope = scope_of(headers) or query_scope(url)
    if scope is not None and endpoint_prefix is None:
        if scope.service not in _known_services():
            return unserved(method, url, (
                f"its signature's credential scope names the service {_shown(scope.service)!r}, "
                "which is no AWS service botocore knows (so neither the mock nor moto serves "
                "it)"))
        if scope.region and not _REGION_NAME.fullmatch(scope.region):
            return unserved(method, url, (
                f"its signature's credential scope names the region {_shown(scope.region)!r}, "
                "which is no AWS region name"))
    if moto_url(url, headers, endpoint_prefix) is not None:
        return None
    if looks_signed(url, headers):
        return unserved(method, url, (
            "it is signed for AWS (an AWS4-HMAC-SHA256 Authorization header or an "
            "X-Amz-Credential query parameter) but names no readable credential scope "
            "(KEY/DATE/REGION/SERVICE/aws4_request), so neither the mock nor moto can tell "
            "which service it is for; sign it with botocore's SigV4Auth or SigV4QueryAuth"))
    return unserved(method, url, (
        f"its host {_shown(host)!r} is neither AWS's nor this machine's, and the request is not "
        "signed for an AWS service (no SigV4 Authorization header or X-Amz-Credential query) "
        "that moto could answer under its AWS host"))


def _shown(text: str) -> str:
    """Text from a request as a message shows it: printable, at most 100 characters."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return text if len(text) <= 100 else text[:97] + "..."


def _port_text(netloc: str) -> str:
    """The port of ``netloc`` as written (``""`` when none)."""
    host_port = netloc.rsplit("@", 1)[-1]
    if host_port.endswith("]") or ":" not in host_port:
        return ""
    return host_port.rsplit(":", 1)[1]


def _aws_url(url: str) -> str:
    """``url`` as moto's patterns match an AWS host: no trailing dot, no port, no user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return urlunsplit((parts.scheme, host[:-1] if host.endswith(".") else host, parts.path,
                       parts.query, parts.fragment))


def pinpoint_host_region(host: str) -> Optional[str]:
    """The region of one of Pinpoint's hosts (:data:`_PINPOINT_HOST`, matched whole, lower
    case), or None for any other host."""
    match = _PINPOINT_HOST.fullmatch(host)
    return None if match is None else match.group(2).lower()


def is_pinpoint_request(url: str, headers: Mapping[str, Any]) -> bool:
    """True for a request to one of Pinpoint's hosts (``pinpoint.<region>.amazonaws.com``, its
    dual-stack and FIPS hosts), or signed for Pinpoint (scope service ``mobiletargeting``, or
    ``pinpoint``; SigV4 or SigV4A) whatever its host (a client's ``endpoint_url``)."""
    host = urlsplit(url).hostname or ""
    if host.startswith("pinpoint") and _PINPOINT_HOST.fullmatch(host):
        return True
    scope = scope_of(headers) or query_scope(url)
    return scope is not None and scope.service in PINPOINT_SCOPE_SERVICES


def moto_url(
    url: str, headers: Mapping[str, Any], endpoint_prefix: Optional[str] = None
) -> Optional[str]:
    """The URL under which moto serves a request sent to a host that is not AWS's.

    The host becomes ``<prefix>.<region>.amazonaws.com``: the region is the SigV4 scope's
    (us-east-1 for an unsigned request); the prefix is ``endpoint_prefix`` when the transport
    knows the client's (botocore's ``endpointPrefix``, e.g. ``email`` for SES v2), else the
    scope's service name (``pinpoint`` for Pinpoint's ``mobiletargeting``). Path and query are
    unchanged, so S3 is reached path-style, as botocore addresses a custom endpoint. An AWS
    host that moto does not match as written (:func:`is_aws_alias`: a trailing dot, a port)
    is that host as moto matches it. None when the request names no service or its host is
    AWS's already, as moto matches it.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    pinpoint = _PINPOINT_HOST.fullmatch(host)
    if pinpoint and (pinpoint.group(1) or pinpoint.group(3).lower() == "api.aws"):
        # Pinpoint's dual-stack and FIPS hosts are its host of that region (moto matches that)
        return urlunsplit(("https", f"pinpoint.{pinpoint.group(2).lower()}.amazonaws.com",
                           parts.path or "/", parts.query, ""))
    if is_aws_host(host):
        return _aws_url(url) if is_aws_alias(url) else None
    scope = scope_of(headers) or query_scope(url)
    name = endpoint_prefix or (scope.service if scope is not None else None) or (
        "s3" if _is_sigv2_query(parts.query) or _is_sigv2_header(headers) else None)
    if not name:
        return None
    region = (scope.region if scope is not None else "") or "us-east-1"
    prefix = "pinpoint" if name in PINPOINT_SCOPE_SERVICES else name
    return urlunsplit(("https", f"{prefix}.{region}.amazonaws.com", parts.path or "/",
                       parts.query, ""))


# -- servers of this process -----------------------------------------------------------------

_servers_lock = threading.Lock()
_servers: set[tuple[str, int]] = set()
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}


def add_server(host: str, port: int) -> None:
    """Let requests to ``host:port`` (a server of this process) reach it over loopback."""
    with _servers_lock:
        _servers.add((host, port))


def remove_server(host: str, port: int) -> None:
    """Undo :func:`add_server`."""
    with _servers_lock:
        _servers.discard((host, port))


def to_own_server(url: str) -> bool:
    """True for a request to a server of this process (``PinpointMockServer`` or ``serve``):
    it is sent to it over loopback rather than answered by the transport."""
    if not _servers:
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    with _servers_lock:
        return any(
            port == server_port and (host == server_host or (
                host in _LOOPBACK and server_host in _LOOPBACK))
            for server_host, server_port in _servers
        )


# -- the transports and their installation ---------------------------------------------------


class Transport:
    """One client library's adapter. Subclasses set :attr:`name` and patch their library in
    :meth:`install` and restore it by identity in :meth:`uninstall`; both are called under the
    module's lock, once per activation of the mocks."""

    name: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Transport]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.name:
            return
        if cls.name in Transport.registry:
            raise TypeError(f"A transport named {cls.name!r} is already registered.")
        Transport.registry[cls.name] = cls

    @classmethod
    def install(cls) -> None:
        """Patch the library (no-op for a library that is not imported)."""
        raise NotImplementedError

    @classmethod
    def uninstall(cls) -> None:
        """Restore the library exactly as :meth:`install` found it."""
        raise NotImplementedError


_lock = threading.Lock()
_active = 0
_handler: Optional[Callable[[], Optional[Handler]]] = None
_installed: list[type[Transport]] = []
_imported = False
"""True once the transport modules are imported (each registers its :class:`Transport`)."""


def handler() -> Optional[Handler]:
    """The handler of the active mocks, or None when none is active."""
    provider = _handler
    return None if provider is None else provider()


def before_moto() -> None:
    """Let the active mocks settle what is due before moto answers a request."""
    current = handler()
    if current is not None:
        current.before_moto()


def install(provider: Callable[[], Optional[Handler]]) -> None:
    """Start answering through ``provider()`` in every transport; nested calls only count
    (the first provider stays). Thread-safe; pair every call with :func:`uninstall`."""
    global _active, _handler, _imported
    with _lock:
        if _active == 0:
            if not _imported:
                for module in _TRANSPORT_MODULES:
                    importlib.import_module(module)
                _imported = True
            _handler = provider
            try:
                for transport in Transport.registry.values():
                    transport.install()
                    _installed.append(transport)
            except BaseException:
                _restore()
                raise
        _active += 1


def _restore() -> None:
    global _handler
    while _installed:
        _installed.pop().uninstall()
    _handler = None


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores every library exactly.

    Raises:
        RuntimeError: more uninstalls than installs.
    """
    global _active
    with _lock:
        if _active == 0:
            raise RuntimeError("pinpoint_mock's interception is not installed; nothing to undo.")
        _active -= 1
        if _active == 0:
            _restore()


def installed() -> bool:
    """True while at least one :func:`install` is not undone."""
    return _active > 0
