"""hypothesis strategies built from botocore's Pinpoint shapes, and the checks fuzz tests share.

``members(shape)`` draws values of a shape: mostly what the model allows (enums from the enum,
booleans, 32-bit integers, finite numbers, strings from a mix of plain text and the characters
that broke the mock before: ``/``, ``%2F``, newlines, NUL, lone surrogates, ``²``, 5,000
digits), and, where ``junk`` is on, any JSON value in any node instead (a string where an
object goes, ``[]`` where a structure goes, ``"false"`` for a boolean). ``hints`` replace the
draw of named members by realistic values (an ``S3Url`` of a file that exists, the app's own
``ApplicationId``), so that accepted requests are drawn too and the backend runs.

:class:`ShapeChecker` judges a response body against the operation's output (or error) shape
with botocore's own ParamValidator, strictly: a member the shape does not have is a problem.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional

from botocore.model import Shape
from hypothesis import strategies as st

from pinpoint_mock._validation import WireValidator, documented_values

INT32 = (-(2**31), 2**31 - 1)

ODD_TEXT = [
    "", " ", "a/b", "a%2Fb", "x/versions", "\n", "a\n", "\r\n", "\x00", "\ud800", "²", "٣",
    "1" * 5000, "-1", "0", "1", "1000", "1001", "true", "false", "null", "[]", "{}", '"',
    "'", "\\", "é", "🙂", "a" * 101, "?a=b", "#x", "..", "%", "%ZZ", " 7 ", " 1", "1 ",
    "\t5", "1\n", "+1", "\u00a01", "/", "a/", "/a",
]
"""Strings that broke the mock before or lie on a rule's edge."""

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(ODD_TEXT[:12]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
"""Any JSON value (what a careless caller puts where it does not belong)."""

text = st.one_of(st.text(max_size=20), st.sampled_from(ODD_TEXT))

Hints = Mapping[str, st.SearchStrategy[Any]]


def members(shape: Shape, hints: Optional[Hints] = None, junk: bool = False,
            depth: int = 0) -> Any:
    """A strategy for values of ``shape`` (see the module docstring)."""
    own = _valid(shape, hints or {}, junk, depth)
    if junk:
        return st.one_of(own, own, own, json_values)
    return own


def _valid(shape: Shape, hints: Hints, junk: bool, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth > 5:
            return st.just({})
        required = set(shape.required_members)
        strategies = {name: _member(name, member, hints, junk, depth)
                      for name, member in shape.members.items()}
        always = {name: s for name, s in strategies.items() if name in required}
        optional = {name: s for name, s in strategies.items() if name not in required}
        drawn = st.fixed_dictionaries(always, optional=optional)
        if junk and always:  # sometimes a required member is missing
            drawn = drawn | st.fixed_dictionaries({}, optional=strategies)
        return drawn
    if kind == "list":
        return st.lists(members(shape.member, hints, junk, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(text, members(shape.value, hints, junk, depth + 1), max_size=3)
    if kind == "string":
        allowed = shape.enum or documented_values(shape.documentation)
        if allowed:
            return st.sampled_from(sorted(allowed)) | (text if junk else st.nothing())
        return text
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(*INT32) | (st.integers() if junk else st.nothing())
    if kind == "double":
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**6, 10**6)
    raise AssertionError(f"no strategy for {kind} ({shape.name})")


def _member(name: str, member: Shape, hints: Hints, junk: bool, depth: int) -> Any:
    hint = hints.get(name)
    drawn = members(member, hints, junk, depth + 1)
    return drawn if hint is None else st.one_of(hint, hint, hint, drawn)


class _StrictValidator(WireValidator):
    """:class:`WireValidator` that reports unknown members instead of dropping them."""

    def _validate_structure(self, params: Any, shape: Shape, errors: Any, name: str) -> None:
        if isinstance(params, dict):
            for key in params:
                if key not in shape.members:
                    errors.report(f"{name}.{key}", "unknown member", param=params[key])
        super()._validate_structure(params, shape, errors, name)


class ShapeChecker:
    """Judges response bodies: the problems of ``body`` against ``shape``, [] when none."""

    def __init__(self) -> None:
        self._validator = _StrictValidator()

    def problems(self, body: bytes, shape: Optional[Shape]) -> list[str]:
        found: list[str] = []

        class Errors:
            def report(self, name: str, reason: str, **details: Any) -> None:
                if reason == "missing required field":
                    found.append(f"{name}.{details['required_name']}: missing (required)")
                else:
                    found.append(f"{name or 'body'}: {reason} {details.get('param')!r:.60}")

        if shape is None:
            return [] if not body.strip() else ["a body where the model has none"]
        payload = shape.serialization.get("payload")
        document: Any = json.loads(body)  # raises on what botocore could not read either
        if payload is not None:
            member = shape.members[payload]
            self._validator._validate(document, member, Errors(), payload)
        else:
            params = {k: v for k, v in document.items()}
            self._validator._validate(params, shape, Errors(), "")
        return found


class Recording(list):  # type: ignore[type-arg]
    """The responses a client received, as ``(operation, status, headers, body)``."""

    # response-received (botocore 1.34, the floor, has no before-parse): emitted with the
    # response's dict whenever one came back, error statuses included
    _EVENT = "response-received.pinpoint"

    def __init__(self, client: Any) -> None:
        super().__init__()
        self._client = client
        client.meta.events.register(self._EVENT, self._record)

    def _record(self, response_dict: Optional[Mapping[str, Any]], **kwargs: Any) -> None:
        if response_dict is None:  # no response (an exception): nothing to judge
            return
        operation = str(kwargs["event_name"]).rsplit(".", 1)[-1]  # ...pinpoint.<Operation>
        self.append((operation, int(response_dict["status_code"]),
                     dict(response_dict["headers"]), bytes(response_dict["body"])))

    def stop(self) -> None:
        """Stop recording (the client may serve another test)."""
        self._client.meta.events.unregister(self._EVENT, self._record)


def recording_bodies(client: Any) -> Recording:
    """Every response ``client`` receives from now on, as ``(operation, status, headers,
    body)``, the body as it came."""
    return Recording(client)


Check = Callable[[], None]
