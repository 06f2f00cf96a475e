"""HTTP <-> operation, from botocore's own Pinpoint service model.

Requests are matched with werkzeug's router, whose rules are built from each operation's
``http.requestUri`` template, on the raw (still percent-encoded) path: a path member is one
segment of it and is decoded only after the match, so a member holding any character botocore
escapes (``/`` as ``%2F``, ``?``, ``#``, spaces, non-ASCII) is that member, never another
route. A path member is never empty: a path that matches a template only with an empty label
(``/v1/apps/<id>/segments/``, ``/v1/apps//segments``) is no other operation (not the listing
its prefix names) but a 400 naming the member (:class:`EmptyLabelError`), and a trailing ``/``
is matched by no template. Methods are matched exactly as the model spells them (``GET``,
``PUT``, ...): ``HEAD`` and ``get`` are not ``GET``. Members are read from the locations the
model gives them (``uri``, ``querystring``, ``header``, the ``payload`` body). Results and
errors are encoded as Pinpoint's rest-json protocol sends them: the payload member's JSON as
the body, the ``x-amzn-ErrorType`` header on errors.

This module knows HTTP; it does not know how a client library is hooked (``_transport``) nor what an
operation does (``backend``).
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Optional, Union
from urllib.parse import parse_qsl, quote, unquote, unquote_to_bytes, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import Map, Rule

from pinpoint_mock.backend.errors import (
    BadRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PinpointError,
)

SERVICE_NAME = "pinpoint"
MAX_PAYLOAD_BYTES = 7 * 1024 * 1024
"""The largest request body accepted; a larger one is a 413 PayloadTooLargeException. "The
maximum size of an invocation (request and response) payload is 7 MB" (developer guide,
``quotas.md``, API request quotas; read as 7 MiB)."""
MAX_NUMBER_DIGITS = 400
"""Digits a JSON integer in a request body may have (the mock's bound: far beyond any 32-bit
integer, far below what makes parsing slow). A longer number with a fraction or exponent
parses as a float, possibly infinite, which validation refuses."""
_TEMPLATE_VARIABLE = re.compile(r"\{([^}]+)\}")
_ESCAPED = re.compile("[\udc80-\udcff]")
"""A byte that is not UTF-8, as ``errors="surrogateescape"`` decodes it."""


class LabelError(BadRequestError):
    """400 ``BadRequestException`` for a path that names an operation but holds a path member
    no operation can take; the message names the member. Recorded as that operation's call.

    Attributes:
        operation: the operation whose template the path matches.
        members: ``{member name: value}`` of the path (the bad one included).
    """

    def __init__(self, operation: str, members: Mapping[str, str], message: str):
        super().__init__(message)
        self.operation = operation
        self.members = dict(members)


class EmptyLabelError(LabelError):
    """A path that matches an operation's URI template only with an empty path member
    (``GET /v1/apps/<id>/segments/`` is GetSegment with an empty SegmentId, not GetSegments):
    ``SegmentId must not be empty.`` AWS's answer is unknown; the mock's choice is documented
    in ``docs/requests.md`` (a request botocore sends for ``get_segment(SegmentId="")``,
    which its own validation lets through)."""

    def __init__(self, operation: str, members: Mapping[str, str], empty: str):
        super().__init__(operation, members, f"{empty} must not be empty.")


class UndecodableLabelError(LabelError):
    """A path member whose percent-decoded bytes are not UTF-8 (``/v1/apps/<id>/endpoints/%FF``):
    ``EndpointId must be UTF-8 text once percent-decoded; %FF is not (byte 0).`` Decoded with
    replacement characters it would name the endpoint ``\ufffd``, which ``%FE`` names too (two
    paths, one endpoint); Pinpoint's members are strings, which the rest-json protocol sends
    as UTF-8 (RFC 3986, section 2.5: a URI's characters are percent-encoded UTF-8)."""


def _decoded(raw: str) -> Optional[str]:
    """A percent-encoded path member as text, or None when its bytes are not UTF-8."""
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None


def _decoded_args(route: Route, args: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The path arguments of a match, percent-decoded (sorted by name).

    Raises:
        UndecodableLabelError: one is not UTF-8 once decoded (the first, by member name).
    """
    decoded = {name: _decoded(value) for name, value in args.items()}
    bad = sorted(route.uri[name] for name, value in decoded.items() if value is None)
    if bad:
        raw = {route.uri[name]: value for name, value in args.items()}
        members = {route.uri[name]: (value if value is not None else raw[route.uri[name]])
                   for name, value in decoded.items()}
        shown = raw[bad[0]]
        position = _first_bad_byte(shown)
        raise UndecodableLabelError(
            route.operation, members,
            f"{bad[0]} must be UTF-8 text once percent-decoded; {_shown(shown)} is not "
            f"(byte {position}).")
    return tuple(sorted((name, str(value)) for name, value in decoded.items()))


def _first_bad_byte(raw: str) -> int:
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError as error:
        return int(error.start)
    return 0


class HttpResponse(NamedTuple):
    """A response to send: status code, headers and body bytes (a named tuple: one is made
    for every call, and a tuple is made in a fifth of a frozen dataclass's time)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Route:
    """How one operation travels over HTTP, read from the service model.

    Attributes:
        operation: the operation name, e.g. ``"GetImportJob"``.
        method: the HTTP method.
        template: the ``http.requestUri`` template, e.g. ``/v1/apps/{application-id}``.
        status: the HTTP status of a success (``http.responseCode``, 200 unless the model says).
        uri: ``{path argument: member name}`` of the members in the path (argument names
            are the template's with ``-`` as ``_``).
        query: ``{wire name: (member name, shape type)}`` of the members in the query string.
        headers: ``{wire name (lower case): member name}`` of the members in headers.
        payload: the input member that is the whole body, if any.
        body_members: ``{wire name: member name}`` of top-level body members when there is no
            payload member.
        list_query: the members of the query string the model types as lists (read from
            every occurrence: ``?tagKeys=a&tagKeys=b``).
    """

    operation: str
    method: str
    template: str
    status: int
    uri: Mapping[str, str]
    query: Mapping[str, tuple[str, str]]
    headers: Mapping[str, str]
    payload: Optional[str]
    body_members: Mapping[str, str] = field(default_factory=dict)
    list_query: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """What a request's method and URL alone say (:meth:`Router.resolve`).

    Attributes:
        route: the operation's :class:`Route`.
        members: ``(member name, value)`` of the members in the path and the query string,
            in that order (a query-string member given twice: its last value wins, unless the
            model types it as a list: then it is a tuple of every value).
        host: the URL's host name, lower case (``""`` if none).
    """

    route: Route
    members: tuple[tuple[str, Any], ...]
    host: str


def _route(operation: OperationModel) -> Route:
    uri: dict[str, str] = {}
    query: dict[str, tuple[str, str]] = {}
    headers: dict[str, str] = {}
    body: dict[str, str] = {}
    shape: Optional[Shape] = operation.input_shape
    payload: Optional[str] = None
    if shape is not None:
        payload = shape.serialization.get("payload")
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                uri[_identifier(wire)] = name
            elif location == "querystring":
                query[wire] = (name, member.type_name)
            elif location == "header":
                headers[wire.lower()] = name
            elif name != payload:
                body[wire] = name
    return Route(
        operation=operation.name,
        method=operation.http["method"],
        template=operation.http["requestUri"],
        status=int(operation.http.get("responseCode", 200)),
        uri=uri,
        query=query,
        headers=headers,
        payload=payload,
        body_members=body,
        list_query=tuple(name for name, kind in query.values() if kind == "list"),
    )


def _werkzeug_rule(template: str, empty: bool = False) -> str:
    """``/v1/apps/{application-id}`` -> ``/v1/apps/<application_id>`` (``{x+}`` -> ``<path:x>``);
    with ``empty``, a label may be empty (``<string(minlength=0):application_id>``)."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("+"):
            return f"<path:{_identifier(name[:-1])}>"
        if empty:
            return f"<string(minlength=0):{_identifier(name)}>"
        return f"<{_identifier(name)}>"

    return _TEMPLATE_VARIABLE.sub(variable, template.split("?", 1)[0])


def _identifier(wire_name: str) -> str:
    return wire_name.replace("-", "_")


class Router:
    """Routes of every operation of one service model, and the encoding of its responses."""

    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model
        self.routes: dict[str, Route] = {
            name: _route(service_model.operation_model(name))
            for name in service_model.operation_names}
        self.methods = frozenset(route.method for route in self.routes.values())
        """The HTTP methods of the model's operations, spelt as the model spells them."""
        self._methods: dict[str, list[str]] = {}
        self._adapter = self._bind(empty=False)
        self.match = functools.lru_cache(maxsize=4096)(self._match)
        self._resolved = functools.lru_cache(maxsize=4096)(self._resolve)

    def _bind(self, empty: bool) -> Any:
        """werkzeug's matcher of every route: strict slashes (``/v1/apps/`` is not
        ``/v1/apps``), slashes never merged (``//`` is an empty label); with ``empty``,
        labels may be empty (see :meth:`_empty_label`)."""
        rules = []
        for name, route in self.routes.items():
            rule = Rule(_werkzeug_rule(route.template, empty), methods=[route.method],
                        endpoint=name)
            assert rule.methods is not None
            rule.methods.discard("HEAD")  # werkzeug adds HEAD to every GET rule; Pinpoint has none
            rules.append(rule)
        return Map(rules, strict_slashes=True, merge_slashes=False).bind("pinpoint.local")

    @functools.cached_property
    def _empty_adapter(self) -> Any:
        return self._bind(empty=True)

    def _empty_label(self, method: str, path: str) -> None:
        """Raise :class:`EmptyLabelError` when ``path`` matches the template of an operation
        with ``method`` once its labels may be empty (asked only of a path no operation
        matches, so one of its labels is empty).

        Raises:
            EmptyLabelError: naming the first empty member, in the template's order.
        """
        try:
            operation, args = self._empty_adapter.match(path, method=method)
        except Exception:  # no operation even so: the caller's 404 or 405
            return
        route = self.routes[str(operation)]
        members = {route.uri[k]: unquote(v) for k, v in args.items()}
        for variable in _TEMPLATE_VARIABLE.findall(route.template):
            member = route.uri.get(_identifier(variable.rstrip("+")))
            if member is not None and members.get(member) == "":
                raise EmptyLabelError(route.operation, members, member)

    def _match(self, method: str, path: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """``(operation, path arguments)`` of a request; ``path`` is the raw path as sent
        (percent-encoded), each argument is decoded after the match.

        Raises:
            EmptyLabelError: the path matches an operation with this method only with an
                empty label (``/v1/apps/<id>/segments/`` for GET is GetSegment's, its
                SegmentId empty).
            NotFoundError: no operation has this path.
            MethodNotAllowedError: operations have this path, none with this method (HTTP
                methods are case-sensitive: ``get`` is not ``GET``; ``HEAD`` and ``OPTIONS``
                are no operation's).
        """
        if method in self.methods:
            try:
                operation, args = self._adapter.match(path, method=method)
            except MethodNotAllowed:
                pass
            except Exception:  # NotFound, or werkzeug's other outcomes (redirects): no operation
                self._empty_label(method, path)
                raise NotFoundError(f"No Pinpoint operation at {method} {_shown(path)}.") from None
            else:
                return str(operation), _decoded_args(self.routes[str(operation)], args)
        allowed = self.path_methods(path)
        if not allowed:
            raise NotFoundError(f"No Pinpoint operation at {_shown(method)} {_shown(path)}.")
        hint = f" (HTTP methods are case-sensitive: did you mean {method.upper()}?)" if (
            method != method.upper() and method.upper() in allowed) else ""
        raise MethodNotAllowedError(
            f"Method {_shown(method)} is not allowed on {_shown(path)}; this resource allows "
            f"{', '.join([*allowed, 'OPTIONS'])}{hint}."
        )

    def sample_paths(self) -> dict[str, tuple[str, str]]:
        """``{operation: (method, a path it answers)}``, every ``{member}`` of its template as
        ``sample`` (to ask another router, such as moto's, which operations it routes)."""
        return {
            name: (route.method, _TEMPLATE_VARIABLE.sub("sample", route.template.split("?")[0]))
            for name, route in self.routes.items()
        }

    def operation_of(self, method: str, url: str) -> str:
        """The operation a request is for (``url`` as sent: its path still percent-encoded).

        Raises:
            NotFoundError / MethodNotAllowedError: as :meth:`match`.
        """
        return self.match(method, urlsplit(url).path)[0]

    def allowed_methods(self, url: str) -> list[str]:
        """The HTTP methods botocore's model has for the resource (path) of ``url`` (as sent:
        its path still percent-encoded), in the model's order; empty when the path is no
        Pinpoint resource. ``OPTIONS`` is not listed (every resource answers it)."""
        return self.path_methods(urlsplit(url).path)

    def names_resource(self, url: str) -> bool:
        """True when the path of ``url`` (as sent) is a resource of the model, also with an
        empty label (``/v1/apps/``: GetApp's, its ApplicationId empty)."""
        path = urlsplit(url).path
        if self.path_methods(path):
            return True
        try:
            return bool(self._empty_adapter.allowed_methods(path))
        except Exception:  # werkzeug's routing outcomes other than a match: no resource
            return False

    def path_methods(self, path: str) -> list[str]:
        """:meth:`allowed_methods` of a raw path."""
        modeled = self._methods.get(path)
        if modeled is None:
            try:
                found = set(self._adapter.allowed_methods(path))
            except Exception:  # werkzeug's routing outcomes other than a match: no resource
                found = set()
            modeled = [m for m in _MODEL_METHODS if m in found and m in self.methods]
            if len(self._methods) < 4096:
                self._methods[path] = modeled
        return list(modeled)

    def _resolve(self, method: str, url: str) -> Resolved:
        """:class:`Resolved` of a request's method and URL (cached: a test repeats its URLs).

        Raises:
            NotFoundError / MethodNotAllowedError: the URL names no operation.
        """
        parts = urlsplit(url)
        operation, path_args = self.match(method, parts.path)
        route = self.routes[operation]
        members: list[tuple[str, Any]] = [
            (route.uri[identifier], value) for identifier, value in path_args]
        if parts.query and route.query:
            for wire, value in parse_qsl(parts.query, keep_blank_values=True,
                                         errors="surrogateescape"):
                member = route.query.get(wire)
                if member is not None:
                    if _ESCAPED.search(value):  # bytes that are not UTF-8
                        raise UndecodableLabelError(
                            operation, dict(members),
                            f"{member[0]} must be UTF-8 text once percent-decoded; "
                            f"{_shown(quote(value.encode('utf-8', 'surrogateescape')))} is "
                            "not.")
                    members.append((member[0], value))
            if route.list_query:  # repeated: ?tagKeys=a&tagKeys=b is TagKeys ("a", "b")
                members = [(name, value) for name, value in members
                           if name not in route.list_query] + [
                    (name, tuple(v for n, v in members if n == name))
                    for name in route.list_query if any(n == name for n, _ in members)]
        return Resolved(route, tuple(members), parts.hostname or "")

    def resolve(self, method: str, url: str) -> Resolved:
        """The operation, path and query-string members and host of a request (see
        :class:`Resolved`).

        Raises:
            NotFoundError / MethodNotAllowedError: the URL names no operation.
        """
        return self._resolved(method, url)

    def parse(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> tuple[str, dict[str, Any]]:
        """``(operation, {member name: value})`` of one HTTP request.

        Raises:
            BadRequestError: the body is not a JSON object.
            PayloadTooLargeError: the body is larger than :data:`MAX_PAYLOAD_BYTES`.
            NotFoundError / MethodNotAllowedError: the URL names no operation.
        """
        resolved = self._resolved(method, url)
        return resolved.route.operation, self.members(resolved, headers, body)

    def members(
        self, resolved: Resolved, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> dict[str, Any]:
        """``{member name: value}`` of a request whose method and URL gave ``resolved``.

        Raises:
            BadRequestError: the body is not a JSON object.
        """
        route = resolved.route
        params: dict[str, Any] = dict(resolved.members)
        for name in route.list_query:  # a tuple in the (cached) resolution; a list to validate
            if name in params:
                params[name] = list(params[name])
        if route.headers:
            for wire, member_name in route.headers.items():
                for key, value in headers.items():
                    if key.lower() == wire:
                        params[member_name] = value
        if body:
            document = loads(body)
            if route.payload is not None:
                params[route.payload] = document
            else:
                for wire, member_name in route.body_members.items():
                    if wire in document:
                        params[member_name] = document[wire]
        elif route.payload is not None:
            params[route.payload] = {}
        return params

    def encode(self, operation: str, payload: Union[Mapping[str, Any], bytes]) -> HttpResponse:
        """A success: the operation's status and the payload member's JSON as the body."""
        body = payload if isinstance(payload, bytes) else _dumps(payload)
        try:  # new_request_id(), _headers() and HttpResponse's __new__, inline: on every call
            request_id = _ready_ids.pop()
        except IndexError:
            request_id = _more_request_ids()
        return _new_response(HttpResponse, (
            self.routes[operation].status,
            {"Content-Type": "application/json", "x-amzn-RequestId": request_id},
            body,
        ))


_MODEL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")

CORS_REQUEST_HEADERS = ("authorization", "content-type", "x-amz-*", "amz-sdk-invocation-id",
                        "amz-sdk-request")
"""The request headers a preflight allows: what the AWS SDKs send (``x-amz-*`` covers
``x-amz-date``, ``x-amz-security-token``, ``x-amz-user-agent``, ``x-amz-content-sha256``)."""

CORS_EXPOSED_HEADERS = ("x-amzn-ErrorType", "x-amzn-RequestId", "x-amzn-ErrorMessage",
                        "x-amz-request-id", "x-amz-id-2", "Date")
"""Exposed on every response, so that a browser client can read an error's code and id."""


def options_response(allowed: list[str]) -> HttpResponse:
    """OPTIONS on a Pinpoint resource, as the API reference lists it on every resource:
    200, no body, ``Allow`` with the resource's methods (OPTIONS included)."""
    headers = _headers(new_request_id())
    headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
    return HttpResponse(200, headers, b"")


def method_not_allowed(error: MethodNotAllowedError, allowed: list[str]) -> HttpResponse:
    """A method the resource does not have (``error``, from :meth:`Router.match`): 405
    MethodNotAllowedException with ``Allow`` (the resource's methods, OPTIONS included)."""
    response = encode_error(error)
    headers = dict(response.headers)
    headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
    return HttpResponse(response.status, headers, response.body)


def _allowed_request_header(name: str) -> bool:
    name = name.strip().lower()
    return name.startswith("x-amz-") or name in CORS_REQUEST_HEADERS


def cors_headers(request_headers: Mapping[str, Any], allow: Optional[str] = None) -> dict[str,
                                                                                           str]:
    """The CORS headers of a response (API Gateway's CORS set-up, as a browser needs it).

    Every response: ``Access-Control-Allow-Origin`` (the request's ``Origin``, else ``*``) and
    ``Access-Control-Expose-Headers`` (:data:`CORS_EXPOSED_HEADERS`). A preflight (a request
    with ``Access-Control-Request-Method``) also gets ``Access-Control-Allow-Methods``
    (``allow``, the resource's ``Allow``), ``Access-Control-Allow-Headers`` (the requested
    headers that the SDKs send, see :data:`CORS_REQUEST_HEADERS`) and ``Max-Age``.
    """
    origin = request_headers.get("Origin")
    headers = {
        "Access-Control-Allow-Origin": str(origin) if origin else "*",
        "Access-Control-Expose-Headers": ", ".join(CORS_EXPOSED_HEADERS),
    }
    if origin:
        headers["Vary"] = "Origin"
    if request_headers.get("Access-Control-Request-Method") is not None:
        requested = str(request_headers.get("Access-Control-Request-Headers") or "")
        names = [n.strip() for n in requested.split(",") if _allowed_request_header(n)]
        if allow:
            headers["Access-Control-Allow-Methods"] = allow
        headers["Access-Control-Allow-Headers"] = ", ".join(
            names or ["authorization", "content-type", "x-amz-date", "x-amz-security-token",
                      "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request"])
        headers["Access-Control-Max-Age"] = "86400"
    return headers


def loads(body: bytes) -> dict[str, Any]:
    """A request body as the JSON object it must be.

    Stricter than :func:`json.loads`, so that what is accepted can be stored and sent back:
    UTF-8 only (a leading byte order mark is ignored, as RFC 8259 allows), no
    ``NaN``/``Infinity``, integers of at most :data:`MAX_NUMBER_DIGITS` digits.

    Raises:
        BadRequestError: not UTF-8 JSON, not an object, or nested too deeply to read.
        PayloadTooLargeError: larger than :data:`MAX_PAYLOAD_BYTES`.
    """
    if len(body) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(
            f"The request body is {len(body)} bytes; Pinpoint accepts at most "
            f"{MAX_PAYLOAD_BYTES} (7 MB)."
        )
    try:
        text = body.decode("utf-8")  # JSON between systems is UTF-8 (RFC 8259, section 8.1)
        document = json.loads(text[1:] if text.startswith("\ufeff") else text,  # a BOM: ignored
                              parse_constant=_no_constant, parse_int=_int)
    except RecursionError:
        raise BadRequestError("The request body is nested too deeply to be read.") from None
    except ValueError as error:
        raise BadRequestError(f"The request body is not valid JSON: {_reason(error)}.") from None
    if not isinstance(document, dict):
        raise BadRequestError("The request body must be a JSON object.")
    return document


class _NumberError(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NumberError(f"{name} is not a JSON number")


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _NumberError(f"an integer has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _reason(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at character {error.pos}"
    if isinstance(error, UnicodeDecodeError):
        return f"it is not UTF-8 text (byte {error.start})"
    return str(error)


def _shown(text: str) -> str:
    """A path or method as a message shows it: printable, at most 200 characters."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return text if len(text) <= 200 else text[:197] + "..."


def encode_error(error: PinpointError, request_id: Optional[str] = None) -> HttpResponse:
    """An error as Pinpoint sends it: ``x-amzn-ErrorType``, request id, ``{Message, RequestID}``."""
    request_id = request_id or new_request_id()
    headers = _headers(request_id)
    headers["x-amzn-ErrorType"] = error.code
    body = _dumps({"Message": error.message, "RequestID": request_id})
    return HttpResponse(error.status, headers, body)


_new_response = tuple.__new__
"""``HttpResponse(status, headers, body)`` without the named tuple's Python ``__new__``."""
_request_ids = random.Random()
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)
_ID_BATCH = 256
_ready_ids: list[str] = []
"""Request ids made ahead, in batches: one is taken per call (``list.pop``, atomic)."""


def _more_request_ids() -> str:
    """Make a batch of request ids, keep all but one and return that one.

    Each is the text ``str(uuid.UUID(int=bits, version=4))`` gives, set and formatted here
    directly (the version nibble 4, the RFC 4122 variant bits 10): made in one loop, a batch
    costs a call a fraction of one id made on its own.
    """
    bits = _request_ids.getrandbits
    texts = ["%032x" % (bits(128) & _UUID_CLEAR | _UUID_SET) for _ in range(_ID_BATCH)]
    made = [f"{t[:8]}-{t[8:12]}-{t[12:16]}-{t[16:20]}-{t[20:]}" for t in texts]
    _ready_ids.extend(made[1:])
    return made[0]


def _forget_request_ids() -> None:
    """In a child made by ``fork``: ids of its own, not copies of the parent's pool."""
    _ready_ids.clear()
    _request_ids.seed()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_request_ids)


def new_request_id() -> str:
    """A request id in AWS's form (a random version-4 UUID, unique to the call; not for
    cryptography)."""
    try:
        return _ready_ids.pop()
    except IndexError:
        return _more_request_ids()


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": request_id}


def _dumps(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=1)
def router() -> Router:
    """The router of botocore's installed Pinpoint model (loaded once)."""
    return Router(botocore.session.get_session().get_service_model(SERVICE_NAME))
