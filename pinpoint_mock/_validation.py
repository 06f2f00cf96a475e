"""Request members checked against botocore's Pinpoint model before any operation runs.

A served operation's members (read by :mod:`pinpoint_mock._routing` from the path, the query
string and the JSON body) are judged against the operation's input shape, so that a value of
the wrong kind is a 400 ``BadRequestException`` naming the member, never a Python exception in
the backend and never stored. What the model says, and so what is checked:

- **type**: a string, ``true``/``false``, an integer, a number, a list, an object — JSON's
  ``true`` is not an integer and ``"false"`` is not a boolean;
- **required** members of every structure (``Format``, ``S3Url``, ``RoleArn`` of an
  ``ImportJobRequest``; ``Values`` of an ``AttributeDimension``; ...);
- **enum** values (``Format``, ``ChannelType``, ``Duration``, ...), and the values a member's
  documentation lists where the model has no enum ("Valid values are: ALL ...; and, NONE":
  ``OptOut``, ``EndpointStatus``, ``ComparisonOperator``), read from that documentation;
- **ranges** of the types themselves: an ``integer`` is 32-bit (``-2**31`` to ``2**31 - 1``,
  as AWS's JSON protocols define it), a ``double`` is finite, a string is valid Unicode
  (no lone surrogate, which no UTF-8 store can keep).

Members the model does not know are ignored and dropped (not stored, not echoed back), as a
JSON service built on the model ignores them. Rules that are not in the model — quotas, the
forms of ``S3Url`` and ``RoleArn``, cross-member rules — are the backend's
(:mod:`pinpoint_mock.backend`), each with its source.

What is reused: botocore's own :class:`botocore.validate.ParamValidator` (the validator a
client runs on its parameters) walks the shapes, checks types, required members, lists and
maps; :class:`WireValidator` extends it where JSON from the wire differs from Python
parameters (booleans are ints to Python, ``1e999`` parses as infinity, unknown members are
dropped rather than refused) and adds the enum and documented-value checks, which botocore's
client does not make. botocore internals used (canary tests in ``tests/test_canaries.py``):
``ParamValidator._validate`` and the ``_validate_<type>(param, shape, errors, name)`` methods,
and the ``errors.report(name, reason, **details)`` calls they make.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator, range_check

from pinpoint_mock.backend.endpoint_rules import show
from pinpoint_mock.backend.errors import BadRequestError

_Allowed = tuple[frozenset[str], tuple[str, ...]]
"""A closed set of string values: for membership, and in the order messages list them."""

INT32 = (-(2**31), 2**31 - 1)
"""The range of the model's ``integer`` type (32-bit signed, as in AWS's JSON protocols)."""

_DOCUMENTED = re.compile(r"(?:Valid|Possible) values are:?(?P<rest>.*)", re.S)
_VALUE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b")
_TAG = re.compile(r"<[^>]+>")
_KINDS = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "long": "an integer",
    "double": "a number",
    "float": "a number",
    "list": "a list",
    "map": "an object",
    "structure": "an object",
}


def documented_values(documentation: str) -> Optional[tuple[str, ...]]:
    """The values a member's documentation lists, in its order, or None when it lists none.

    Pinpoint's model documents some closed sets in prose instead of an enum, always in one
    form: "Valid values are: GREATER_THAN, LESS_THAN, ... and, EQUAL." or "Possible values
    are: ALL, the user has opted out ...; and, NONE, ...". The values are the upper-case
    words (``A_B`` included) of the text after that phrase.
    """
    match = _DOCUMENTED.search(_TAG.sub("", documentation or ""))
    if match is None:
        return None
    values = tuple(dict.fromkeys(_VALUE.findall(match.group("rest"))))
    return values or None


def _one_of(values: tuple[str, ...]) -> str:
    """``A or B``, ``one of A, B, C``, in the order given."""
    if len(values) == 2:
        return f"{values[0]} or {values[1]}"
    return "one of " + ", ".join(values)


@dataclass
class _Problems:
    """The ``errors`` object botocore's validator reports to: keeps the first problem's
    message and counts the rest."""

    root: str
    first: Optional[str] = None
    count: int = 0
    items: dict[str, str] = field(default_factory=dict)
    """``{".Item[1]": "e1"}``: the Ids of list items (see :meth:`label`)."""

    def report(self, name: str, reason: str, **details: Any) -> None:
        self.count += 1
        if self.first is None:
            if reason == "missing required field":  # named as the member that is missing
                name, reason = f"{name}.{details['required_name']}", "missing"
            self.first = _message(self._path(name), reason, details)

    def label(self, name: str, item: Any) -> None:
        """Name the list item at ``name`` by its ``Id`` in messages, as a batch's items are
        told apart: ``Item[1] (Id 'bad'): OptOut must be ALL or NONE, got 'SOME'.``"""
        if isinstance(item, dict):
            item_id = item.get("Id")
            if isinstance(item_id, str):
                self.items[name] = item_id

    def _path(self, name: str) -> str:
        """botocore's ``.ImportJobRequest.Format`` -> ``Format`` (members of the payload are
        named as in the body), ``.PageSize`` -> ``PageSize``; a path holding a map key that
        is not printable is escaped (``Attributes.\\ud800``), a long one cut; a member of a
        labelled list item is named after it (``Item[1] (Id 'e1'): OptOut``)."""
        if self.items:
            end = name.find("].")
            while end != -1:
                item_id = self.items.get(name[:end + 1])
                if item_id is not None:
                    item = f"{self._path(name[:end + 1])} (Id {_shown(item_id)})"
                    return f"{item}: {self._path(name[end + 1:])}"
                end = name.find("].", end + 1)
        if self.root and name.startswith(self.root):
            name = name[len(self.root):]
        name = name.lstrip(".")
        if not name.isprintable():
            name = repr(name)[1:-1]
        return name if len(name) <= 200 else name[:197] + "..."


def _message(path: str, reason: str, details: Mapping[str, Any]) -> str:
    if reason == "missing":
        return f"{path} is required."
    shown = path or "The request body"
    got = _shown(details.get("param"))
    if reason == "invalid type":
        return f"{shown} must be {details.get('kind') or 'of another type'}, got {got}."
    if reason == "invalid enum":
        return f"{shown} must be {_one_of(details['valid_values'])}, got {got}."
    if reason == "out of range":
        low, high = details["range"]
        return f"{shown} must be {details['kind']} from {low} to {high}, got {got}."
    if reason == "not finite":
        return f"{shown} must be a finite number, got {got}."
    if reason == "invalid text":
        return f"{shown} must be valid Unicode text, got {got} (it holds a lone surrogate)."
    if reason in ("invalid range", "invalid length"):  # botocore's checks of a shape's "min"
        what = "length" if reason == "invalid length" else "value"
        return f"{shown} must have a {what} of at least {details['min_allowed']}, got {got}."
    return f"{shown} is not valid ({reason})."  # a check a newer botocore added


def _shown(value: Any) -> str:
    """``show(value)``, also for a value too deep to encode (JSON parses ~1,000 levels)."""
    if isinstance(value, str) and len(value) > 40:
        value = value[:40]  # show() cuts it to the same; no need to copy a huge string
    try:
        return show(value)
    except (TypeError, ValueError, RecursionError):
        return f"a {type(value).__name__} nested too deeply to show"


class WireValidator(ParamValidator):  # type: ignore[misc]
    """botocore's :class:`~botocore.validate.ParamValidator`, judging JSON from the wire.

    Differences from botocore's (which judges a client's Python parameters): unknown members
    of a structure are dropped (the params are changed in place) instead of reported;
    ``true``/``false`` are not integers or numbers; integers are 32-bit; numbers are finite;
    strings hold no lone surrogate; an enum, or the values a member's documentation lists,
    limit a string.
    """

    def __init__(self) -> None:
        super().__init__()
        self._allowed: dict[int, tuple[Shape, Optional[_Allowed]]] = {}

    def _validate_structure(self, params: Any, shape: Shape, errors: Any, name: str) -> None:
        if isinstance(params, dict):
            members = shape.members
            for unknown in [key for key in params if key not in members]:
                del params[unknown]
        else:
            errors.report(name, "invalid type", param=params, kind=_KINDS["structure"])
            return
        super()._validate_structure(params, shape, errors, name)

    def _validate_string(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, str):
            errors.report(name, "invalid type", param=param, kind=_KINDS["string"])
            return
        if "min" in shape.metadata:  # botocore's own length check (no Pinpoint shape has one)
            super()._validate_string(param, shape, errors, name)
        allowed = self._allowed_values(shape)
        if allowed is not None and param not in allowed[0]:
            errors.report(name, "invalid enum", param=param, valid_values=allowed[1])
        elif not param.isascii():
            try:
                param.encode("utf-8")
            except UnicodeEncodeError:
                errors.report(name, "invalid text", param=param)

    def _validate_boolean(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, bool):
            errors.report(name, "invalid type", param=param, kind=_KINDS["boolean"])

    def _validate_integer(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if isinstance(param, bool) or not isinstance(param, int):
            errors.report(name, "invalid type", param=param, kind=_KINDS["integer"])
        elif not INT32[0] <= param <= INT32[1]:
            errors.report(name, "out of range", param=param, kind="an integer", range=INT32)
        else:
            super()._validate_integer(param, shape, errors, name)

    def _validate_double(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if isinstance(param, bool) or not isinstance(param, (int, float)):
            errors.report(name, "invalid type", param=param, kind=_KINDS["double"])
        elif not _is_finite_double(param):
            errors.report(name, "not finite", param=param)
        else:
            super()._validate_double(param, shape, errors, name)

    _validate_float = _validate_double


    def _validate_list(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, list):
            errors.report(name, "invalid type", param=param, kind=_KINDS["list"])
            return
        range_check(name, len(param), shape, "invalid length", errors)
        label = getattr(errors, "label", None)
        for index, item in enumerate(param):  # each item, with this validator's rules
            if label is not None:
                label(f"{name}[{index}]", item)
            self._validate(item, shape.member, errors, f"{name}[{index}]")

    def _validate_map(self, param: Any, shape: Shape, errors: Any, name: str) -> None:
        if not isinstance(param, dict):
            errors.report(name, "invalid type", param=param, kind=_KINDS["map"])
            return
        super()._validate_map(param, shape, errors, name)

    def _allowed_values(self, shape: Shape) -> Optional[_Allowed]:
        """The enum of ``shape``, else the values its documentation lists, else None, as a set
        and in the order messages list them: an enum sorted (as the import rules list
        ChannelType), documented values in the documentation's order (as the segment rules
        quote ComparisonOperator's). Cached per shape object: botocore's member shapes live
        as long as their service model."""
        cached = self._allowed.get(id(shape))
        if cached is None or cached[0] is not shape:
            enum = getattr(shape, "enum", None)
            values = tuple(sorted(enum)) if enum else documented_values(shape.documentation)
            cached = self._allowed[id(shape)] = (
                shape, (frozenset(values), values) if values else None)
        return cached[1]


Check = Callable[[dict[str, Any]], None]
"""Validates one request's members in place; raises BadRequestError naming the member."""


def _wire_string(member: Shape) -> bool:
    """True for a member the wire always carries as a valid value: a plain string of the path,
    the query string or a header (a path member is present whenever the route matched)."""
    return (member.serialization.get("location") in ("uri", "querystring", "header")
            and member.type_name == "string" and not getattr(member, "enum", None)
            and "min" not in member.metadata)


def _trivially_valid(operation: OperationModel) -> bool:
    """True when the wire cannot carry a wrong value: every member is a :func:`_wire_string`."""
    shape = operation.input_shape
    return shape is None or all(_wire_string(member) for member in shape.members.values())


@dataclass
class RequestValidator:
    """The checks of the operations of one service model, built once per operation.

    Args:
        service_model: botocore's Pinpoint model.
    """

    service_model: ServiceModel
    _checks: dict[str, Optional[Check]] = field(default_factory=dict)
    _validator: WireValidator = field(default_factory=WireValidator)

    def check(self, operation: str, params: dict[str, Any]) -> None:
        """Validate ``params`` (members by model name, as :meth:`Router.parse
        <pinpoint_mock._routing.Router.parse>` reads them) for ``operation``; unknown body
        members are dropped from ``params``.

        Raises:
            BadRequestError: the first member that is wrong, named by its path in the body
                (``Location.Latitude``, ``Dimensions.Attributes.Plan.Values[0]``) or by its
                member name (``PageSize``), and what was wrong; the number of further problems
                when there are more.
        """
        try:
            run = self._checks[operation]
        except KeyError:
            run = self._checks[operation] = self._build(operation)
        if run is not None:
            run(params)

    def _build(self, name: str) -> Optional[Check]:
        operation = self.service_model.operation_model(name)
        if _trivially_valid(operation):
            return None
        shape = operation.input_shape
        payload = shape.serialization.get("payload")
        validator = self._validator
        if payload is not None and all(  # only the body can be wrong: validate just that
                name == payload or _wire_string(member) for name, member in shape.members.items()):
            shape = shape.members[payload]
            root = name = f".{payload}"

            def judged(params: dict[str, Any]) -> Any:
                return params[payload]
        else:
            root, name = "", ""

            def judged(params: dict[str, Any]) -> Any:
                return params

        def run(params: dict[str, Any]) -> None:
            problems = _Problems(root)
            validator._validate(judged(params), shape, problems, name)
            if problems.first is not None:
                more = problems.count - 1
                suffix = f" ({more} more problem{'s' if more > 1 else ''} in this request)" if (
                    more) else ""
                message = problems.first
                raise BadRequestError(message[:-1] + suffix + "." if suffix else message)

        return run


def _is_finite_double(number: float) -> bool:
    """Whether ``number`` (an int or float from JSON) is a finite double: an integer past
    1.8e308 (JSON allows any number of digits; a 309-digit one) is +/-infinity as a double,
    which every reader of it (botocore's parser, an export) then fails on."""
    if isinstance(number, float):
        return math.isfinite(number)
    try:
        float(number)
    except OverflowError:
        return False
    return True
