"""Does an endpoint match a segment's ``SegmentDimensions``? As far as the mock can tell.

Pure standard library. :func:`dimensions_predicate` turns one ``SegmentDimensions`` object
(botocore's shape) into a test of an ``EndpointResponse`` dict, or raises :class:`UnevaluableError`
naming the first criterion the mock does not evaluate: an export then refuses to guess
(:mod:`pinpoint_mock.backend.audience`). Sources: botocore's Pinpoint model (the shapes and
their documentation, quoted below); *mock* marks the mock's reading where the model is silent.

Evaluated:

* ``Demographic.Channel`` (the endpoint's ``ChannelType``), ``Demographic.AppVersion``,
  ``.Make``, ``.Model``, ``.Platform`` and ``Location.Country`` — ``SetDimension``:
  "INCLUSIVE, endpoints that match the criteria are included in the segment; and, EXCLUSIVE,
  endpoints that match the criteria are excluded from the segment". The endpoint's value
  matches when it equals one of ``Values`` (*mock*: exactly, case included); an endpoint
  without the value never matches, so EXCLUSIVE keeps it. ``DimensionType`` omitted:
  INCLUSIVE (*mock*).
* ``Attributes`` and ``UserAttributes`` — ``AttributeDimension``, per name, the endpoint's
  values of that name (``Attributes`` / ``User.UserAttributes``): INCLUSIVE (one of its values
  is one of ``Values``), EXCLUSIVE (none is), CONTAINS ("attributes' substrings match the
  values": one of its values contains one of ``Values``), BEFORE / AFTER ("attributes read as
  ISO_INSTANT datetimes before [after] the value"), ON ("dates on the value ... Time is
  ignored": same UTC date), BETWEEN (two ``Values``; *mock*: both bounds included).
  ``AttributeType`` omitted: INCLUSIVE (*mock*). A date criterion takes the endpoint's values
  that read as ISO 8601 instants (*mock*: a value without an offset is UTC) and matches when
  one of them does.
* ``Metrics`` — ``MetricDimension``, per name: ``GREATER_THAN``, ``LESS_THAN``,
  ``GREATER_THAN_OR_EQUAL``, ``LESS_THAN_OR_EQUAL``, ``EQUAL`` against ``Value``; an endpoint
  without that metric does not match.
* ``Location.GPSPoint`` — the great-circle distance from ``Coordinates`` (haversine, *mock*:
  Earth radius 6,371.0088 km, the IUGG mean) is at most ``RangeInKilometers``; an endpoint
  without ``Location.Latitude`` / ``Longitude`` does not match.
* Several criteria in one ``SegmentDimensions`` must all match (*mock*: AND, as the console's
  filters combine), and so must several names of one map.

Not evaluated (:class:`UnevaluableError`): ``Behavior.Recency`` (the mock records no endpoint
activity), ``Demographic.DeviceType`` (no ``EndpointResponse`` member holds a device type),
``Location.GPSPoint`` without ``RangeInKilometers`` (no default is documented), an enum value
outside botocore's, and any member the model does not have or of the wrong type.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping, Optional, cast

__all__ = ["EARTH_RADIUS_KM", "Predicate", "UnevaluableError", "dimensions_predicate", "instant"]

Predicate = Callable[[Mapping[str, Any]], bool]
"""A test of one ``EndpointResponse`` dict."""

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG), kilometres, of the GPSPoint distance (*mock*)."""

_SET_MEMBERS = {
    "Demographic": ("AppVersion", "Channel", "Make", "Model", "Platform"),
    "Location": ("Country",),
}
_ATTRIBUTE_TYPES = ("INCLUSIVE", "EXCLUSIVE", "CONTAINS", "BEFORE", "AFTER", "ON", "BETWEEN")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "GREATER_THAN": lambda value, limit: value > limit,
    "LESS_THAN": lambda value, limit: value < limit,
    "GREATER_THAN_OR_EQUAL": lambda value, limit: value >= limit,
    "LESS_THAN_OR_EQUAL": lambda value, limit: value <= limit,
    "EQUAL": lambda value, limit: value == limit,
}


class UnevaluableError(ValueError):
    """A segment criterion the mock does not evaluate; the message says which and why."""


def instant(text: Any) -> Optional[datetime]:
    """``text`` read as an ISO 8601 instant (``2026-03-01T10:00:00Z``, an offset, or none:
    UTC), or None when it is not one."""
    if not isinstance(text, str) or not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise UnevaluableError(f"{where}.Values must be a non-empty list of strings, got {value!r}")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnevaluableError(f"{where} must be an object, got {value!r}")
    return value


def _known(value: Mapping[str, Any], where: str, members: tuple[str, ...]) -> None:
    for name in value:
        if name not in members:
            raise UnevaluableError(f"{where}.{name} is not a member of botocore's model")


def _set_dimension(spec: Any, where: str, read: Callable[[Mapping[str, Any]], Any]) -> Predicate:
    spec = _object(spec, where)
    _known(spec, where, ("DimensionType", "Values"))
    values = frozenset(_strings(spec.get("Values"), where))
    kind = spec.get("DimensionType", "INCLUSIVE")
    if kind not in ("INCLUSIVE", "EXCLUSIVE"):
        raise UnevaluableError(
            f"{where}.DimensionType must be INCLUSIVE or EXCLUSIVE, got {kind!r}"
        )
    inclusive = kind == "INCLUSIVE"

    def test(body: Mapping[str, Any]) -> bool:
        return (read(body) in values) is inclusive

    return test


def _group_member(group: str, member: str) -> Callable[[Mapping[str, Any]], Any]:
    if group == "Demographic" and member == "Channel":
        return lambda body: body.get("ChannelType")
    return lambda body: (body.get(group) or {}).get(member)


def _dates(values: list[str], where: str, count: int) -> list[datetime]:
    if len(values) != count:
        raise UnevaluableError(
            f"{where}.Values must hold {count} ISO 8601 instant(s), got {values!r}"
        )
    moments = [instant(value) for value in values]
    if any(moment is None for moment in moments):
        raise UnevaluableError(f"{where}.Values must be ISO 8601 instants, got {values!r}")
    return [moment for moment in moments if moment is not None]


def _attribute_test(kind: str, values: list[str], where: str) -> Callable[[list[str]], bool]:
    """A test of an endpoint's list of values of one attribute."""
    if kind == "INCLUSIVE":
        wanted = frozenset(values)
        return lambda have: any(value in wanted for value in have)
    if kind == "EXCLUSIVE":
        unwanted = frozenset(values)
        return lambda have: not any(value in unwanted for value in have)
    if kind == "CONTAINS":
        return lambda have: any(part in value for value in have for part in values)
    if kind in ("BEFORE", "AFTER"):
        (limit,) = _dates(values, where, 1)
        if kind == "BEFORE":
            return lambda have: any(m is not None and m < limit for m in map(instant, have))
        return lambda have: any(m is not None and m > limit for m in map(instant, have))
    if kind == "ON":
        (day,) = _dates(values, where, 1)
        on: date = day.date()
        return lambda have: any(m is not None and m.date() == on for m in map(instant, have))
    low, high = sorted(_dates(values, where, 2))
    return lambda have: any(m is not None and low <= m <= high for m in map(instant, have))


def _attribute_dimension(
    spec: Any, where: str, read: Callable[[Mapping[str, Any]], Any]
) -> Predicate:
    spec = _object(spec, where)
    _known(spec, where, ("AttributeType", "Values"))
    values = _strings(spec.get("Values"), where)
    kind = spec.get("AttributeType", "INCLUSIVE")
    if kind not in _ATTRIBUTE_TYPES:
        raise UnevaluableError(
            f"{where}.AttributeType must be one of {', '.join(_ATTRIBUTE_TYPES)}, got {kind!r}"
        )
    test = _attribute_test(kind, values, where)

    def matches(body: Mapping[str, Any]) -> bool:
        have = read(body)
        return test(have if isinstance(have, list) else [])

    return matches


def _attribute_reader(path: tuple[str, ...], name: str) -> Callable[[Mapping[str, Any]], Any]:
    """Reads the values of ``name`` in the map at ``path`` of an ``EndpointResponse``."""

    def read(body: Mapping[str, Any]) -> Any:
        members: Any = body
        for step in path:
            members = members.get(step) if isinstance(members, Mapping) else None
        return members.get(name) if isinstance(members, Mapping) else None

    return read


def _metric_dimension(spec: Any, where: str, name: str) -> Predicate:
    spec = _object(spec, where)
    _known(spec, where, ("ComparisonOperator", "Value"))
    operator = _OPERATORS.get(str(spec.get("ComparisonOperator")))
    if operator is None:
        raise UnevaluableError(
            f"{where}.ComparisonOperator must be one of {', '.join(_OPERATORS)}, got "
            f"{spec.get('ComparisonOperator')!r}"
        )
    limit = spec.get("Value")
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        raise UnevaluableError(f"{where}.Value must be a number, got {limit!r}")

    def test(body: Mapping[str, Any]) -> bool:
        value = (body.get("Metrics") or {}).get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return operator(float(value), float(limit))

    return test


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _gps_point(spec: Any, where: str) -> Predicate:
    spec = _object(spec, where)
    _known(spec, where, ("Coordinates", "RangeInKilometers"))
    coordinates = _object(spec.get("Coordinates"), f"{where}.Coordinates")
    latitude, longitude = coordinates.get("Latitude"), coordinates.get("Longitude")
    if not (_number(latitude) and _number(longitude)):
        raise UnevaluableError(f"{where}.Coordinates must give a Latitude and a Longitude")
    given = spec.get("RangeInKilometers")
    if given is None:
        raise UnevaluableError(
            f"{where} has no RangeInKilometers, and AWS documents no default range"
        )
    if not _number(given) or given < 0:
        raise UnevaluableError(f"{where}.RangeInKilometers must be a number >= 0, got {given!r}")
    origin = (float(cast(float, latitude)), float(cast(float, longitude)))
    limit = float(cast(float, given))

    def test(body: Mapping[str, Any]) -> bool:
        location = body.get("Location") or {}
        lat, lon = location.get("Latitude"), location.get("Longitude")
        if not (_number(lat) and _number(lon)):
            return False
        return _distance_km(origin[0], origin[1], cast(float, lat), cast(float, lon)) <= limit

    return test


def dimensions_predicate(dimensions: Any, where: str = "Dimensions") -> Predicate:
    """A test of ``EndpointResponse`` dicts for one ``SegmentDimensions`` object.

    Args:
        dimensions: the ``SegmentDimensions`` dict (an empty one matches every endpoint).
        where: how messages name it (``"Dimensions"``, ``"SegmentGroups.Groups[0]..."``).

    Raises:
        UnevaluableError: a criterion the mock does not evaluate (see the module), naming its path.
    """
    spec = _object(dimensions, where)
    _known(spec, where, ("Attributes", "Behavior", "Demographic", "Location", "Metrics",
                         "UserAttributes"))
    tests: list[Predicate] = []
    behavior = _object(spec.get("Behavior") or {}, f"{where}.Behavior")
    _known(behavior, f"{where}.Behavior", ("Recency",))
    if behavior.get("Recency") is not None:
        raise UnevaluableError(
            f"{where}.Behavior.Recency selects endpoints by how recently they were active, and "
            "the mock records no endpoint activity"
        )
    for group, members in _SET_MEMBERS.items():
        block = _object(spec.get(group) or {}, f"{where}.{group}")
        allowed = members + (("DeviceType",) if group == "Demographic" else ("GPSPoint",))
        _known(block, f"{where}.{group}", allowed)
        for member in members:
            if block.get(member) is not None:
                tests.append(_set_dimension(block[member], f"{where}.{group}.{member}",
                                            _group_member(group, member)))
        if group == "Demographic" and block.get("DeviceType") is not None:
            raise UnevaluableError(
                f"{where}.Demographic.DeviceType selects endpoints by device type, which no "
                "EndpointResponse member holds"
            )
        if group == "Location" and block.get("GPSPoint") is not None:
            tests.append(_gps_point(block["GPSPoint"], f"{where}.Location.GPSPoint"))
    for name, spec_item in _object(spec.get("Attributes") or {}, f"{where}.Attributes").items():
        tests.append(_attribute_dimension(spec_item, f"{where}.Attributes.{name}",
                                          _attribute_reader(("Attributes",), name)))
    user_attributes = _object(spec.get("UserAttributes") or {}, f"{where}.UserAttributes")
    for name, spec_item in user_attributes.items():
        tests.append(_attribute_dimension(spec_item, f"{where}.UserAttributes.{name}",
                                          _attribute_reader(("User", "UserAttributes"), name)))
    for name, spec_item in _object(spec.get("Metrics") or {}, f"{where}.Metrics").items():
        tests.append(_metric_dimension(spec_item, f"{where}.Metrics.{name}", name))
    if not tests:
        return lambda body: True
    if len(tests) == 1:
        return tests[0]
    return lambda body: all(test(body) for test in tests)
