"""HTTP <-> operation, from botocore's own Pinpoint service model.

Requests are matched with werkzeug's router, whose rules are built from each operation's
``http.requestUri`` template; members are read from the locations the model gives them
(``uri``, ``querystring``, ``header``, the ``payload`` body). Results and errors are encoded
as Pinpoint's rest-json protocol sends them: the payload member's JSON as the body, the
``x-amzn-ErrorType`` header on errors.

This module knows HTTP; it does not know how botocore is hooked (``_patch``) nor what an
operation does (``backend``).
"""

from __future__ import annotations

import functools
import json
import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from pinpoint_mock.backend.errors import (
    BadRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PinpointError,
)

SERVICE_NAME = "pinpoint"
_TEMPLATE_VARIABLE = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class HttpResponse:
    """A response to send: status code, headers and body bytes."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Route:
    """How one operation travels over HTTP, read from the service model.

    Attributes:
        operation: the operation name, e.g. ``"GetImportJob"``.
        method: the HTTP method.
        status: the HTTP status of a success (``http.responseCode``, 200 unless the model says).
        uri: ``{path argument: member name}`` of the members in the path (argument names
            are the template's with ``-`` as ``_``).
        query: ``{wire name: (member name, shape type)}`` of the members in the query string.
        headers: ``{wire name (lower case): member name}`` of the members in headers.
        payload: the input member that is the whole body, if any.
        body_members: ``{wire name: member name}`` of top-level body members when there is no
            payload member.
    """

    operation: str
    method: str
    status: int
    uri: Mapping[str, str]
    query: Mapping[str, tuple[str, str]]
    headers: Mapping[str, str]
    payload: Optional[str]
    body_members: Mapping[str, str] = field(default_factory=dict)


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
        status=int(operation.http.get("responseCode", 200)),
        uri=uri,
        query=query,
        headers=headers,
        payload=payload,
        body_members=body,
    )


def _werkzeug_rule(template: str) -> str:
    """``/v1/apps/{application-id}`` -> ``/v1/apps/<application_id>`` (``{x+}`` -> ``<path:x>``)."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("+"):
            return f"<path:{_identifier(name[:-1])}>"
        return f"<{_identifier(name)}>"

    return _TEMPLATE_VARIABLE.sub(variable, template.split("?", 1)[0])


def _identifier(wire_name: str) -> str:
    return wire_name.replace("-", "_")


class Router:
    """Routes of every operation of one service model, and the encoding of its responses."""

    def __init__(self, service_model: ServiceModel):
        self.service_model = service_model
        self.routes: dict[str, Route] = {}
        rules = []
        for name in service_model.operation_names:
            operation = service_model.operation_model(name)
            self.routes[name] = _route(operation)
            rules.append(
                Rule(
                    _werkzeug_rule(operation.http["requestUri"]),
                    methods=[operation.http["method"]],
                    endpoint=name,
                )
            )
        self._map = Map(rules, strict_slashes=False, merge_slashes=False)
        self._adapter = self._map.bind("pinpoint.local")
        self.match = functools.lru_cache(maxsize=4096)(self._match)

    def _match(self, method: str, path: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """``(operation, path arguments)`` of a request.

        Raises:
            NotFoundError / MethodNotAllowedError: no operation has this path or method.
        """
        try:
            operation, args = self._adapter.match(unquote(path), method=method)
        except MethodNotAllowed:
            raise MethodNotAllowedError(f"Method {method} is not allowed on {path}.") from None
        except NotFound:
            raise NotFoundError(f"No Pinpoint operation at {method} {path}.") from None
        return str(operation), tuple(sorted(args.items()))

    def operation_of(self, method: str, url: str) -> Optional[str]:
        """The operation a request is for, or None when no Pinpoint operation matches."""
        try:
            return self.match(method, urlsplit(url).path)[0]
        except PinpointError:
            return None

    def parse(
        self, method: str, url: str, headers: Mapping[str, Any], body: Optional[bytes]
    ) -> tuple[str, dict[str, Any]]:
        """``(operation, {member name: value})`` of one HTTP request.

        Raises:
            BadRequestError: the body is not a JSON object.
            NotFoundError / MethodNotAllowedError: the URL names no operation.
        """
        parts = urlsplit(url)
        operation, path_args = self.match(method, parts.path)
        route = self.routes[operation]
        params: dict[str, Any] = {}
        for identifier, value in path_args:
            params[route.uri[identifier]] = value
        if parts.query and route.query:
            for wire, value in parse_qsl(parts.query, keep_blank_values=True):
                member = route.query.get(wire)
                if member is not None:
                    params[member[0]] = value
        for wire, member_name in route.headers.items():
            for key, value in headers.items():
                if key.lower() == wire:
                    params[member_name] = value
        if body:
            try:
                document = json.loads(body)
            except ValueError:
                raise BadRequestError("The request body is not valid JSON.") from None
            if not isinstance(document, dict):
                raise BadRequestError("The request body must be a JSON object.")
            if route.payload is not None:
                params[route.payload] = document
            else:
                for wire, member_name in route.body_members.items():
                    if wire in document:
                        params[member_name] = document[wire]
        elif route.payload is not None:
            params[route.payload] = {}
        return operation, params

    def encode(self, operation: str, payload: Union[Mapping[str, Any], bytes]) -> HttpResponse:
        """A success: the operation's status and the payload member's JSON as the body."""
        body = payload if isinstance(payload, bytes) else _dumps(payload)
        return HttpResponse(self.routes[operation].status, _headers(new_request_id()), body)


def encode_error(error: PinpointError, request_id: Optional[str] = None) -> HttpResponse:
    """An error as Pinpoint sends it: ``x-amzn-ErrorType``, request id, ``{Message, RequestID}``."""
    request_id = request_id or new_request_id()
    headers = _headers(request_id)
    headers["x-amzn-ErrorType"] = error.code
    body = _dumps({"Message": error.message, "RequestID": request_id})
    return HttpResponse(error.status, headers, body)


_request_ids = random.Random()


def new_request_id() -> str:
    """A request id in AWS's form (a random version-4 UUID; not for cryptography)."""
    return str(uuid.UUID(int=_request_ids.getrandbits(128), version=4))


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": request_id}


def _dumps(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=1)
def router() -> Router:
    """The router of botocore's installed Pinpoint model (loaded once)."""
    return Router(botocore.session.get_session().get_service_model(SERVICE_NAME))
