"""What an imported endpoint definition may hold, and the rules it must follow.

Pure standard library. Both readers (:mod:`~pinpoint_mock.backend.csv_rows`,
:mod:`~pinpoint_mock.backend.json_rows`) turn a row into a *definition* — a dict in the shape
of botocore's ``EndpointBatchItem`` (``EndpointRequest`` plus ``Id``) with empty values
dropped and numbers as floats — and :func:`check_definition` applies the rules to it.

Sources: botocore's Pinpoint model (the members and types of ``EndpointBatchItem``,
``EndpointDemographic``, ``EndpointLocation``, ``EndpointUser``; the ``ChannelType`` enum;
the documented values of ``OptOut`` and ``EndpointStatus``); the Amazon Pinpoint Developer
Guide, ``quotas.md`` "Endpoint quotas" (every number below); the User Guide,
``segments-importing.md`` ("If you're importing new endpoints, the Address and ChannelType
attributes are required"; "If you're updating existing endpoints, the Id attribute is
required"). *mock* marks a choice of this mock where those sources are silent.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Collection, Iterator

__all__ = [
    "CHANNEL_TYPES",
    "CHANNEL_TYPE_ORDER",
    "Definition",
    "ENDPOINT_STATUSES",
    "GROUP_NUMBERS",
    "GROUP_STRINGS",
    "MAX_APP_ATTRIBUTE_NAMES",
    "MAX_ATTRIBUTE_NAME_LENGTH",
    "MAX_ATTRIBUTE_VALUES",
    "MAX_ATTRIBUTE_VALUE_LENGTH",
    "MAX_ENDPOINT_BYTES",
    "MAX_ENDPOINTS_PER_USER",
    "OPT_OUT_VALUES",
    "TOP_FIELDS",
    "attribute_names_of",
    "check_definition",
    "endpoint_size",
    "label",
    "new_attribute_names",
    "not_number",
    "quota_problem",
    "show",
]

Definition = dict[str, Any]
"""An ``EndpointBatchItem``-shaped dict: ``{"ChannelType": "EMAIL", "Address": "a@b",
"Location": {"Country": "PT", "Latitude": 41.1}, "User": {"UserId": "u1", "UserAttributes":
{"FirstName": ["Ana"]}}, "Attributes": {"Interests": ["jazz"]}, "Metrics": {"Visits": 3.0}}``.
No empty string, list or dict; Metrics, Latitude and Longitude are floats."""

CHANNEL_TYPE_ORDER = (
    "PUSH",
    "GCM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "ADM",
    "SMS",
    "VOICE",
    "EMAIL",
    "BAIDU",
    "CUSTOM",
    "IN_APP",
)
"""botocore's ``ChannelType`` enum, in the model's order."""

CHANNEL_TYPES: frozenset[str] = frozenset(CHANNEL_TYPE_ORDER)
OPT_OUT_VALUES: frozenset[str] = frozenset({"ALL", "NONE"})
"""``OptOut`` values (botocore's documentation of ``EndpointRequest.OptOut``)."""
ENDPOINT_STATUSES: frozenset[str] = frozenset({"ACTIVE", "INACTIVE"})
"""``EndpointStatus`` values (botocore's documentation of ``EndpointRequest.EndpointStatus``)."""

TOP_FIELDS = ("Id", "Address", "ChannelType", "OptOut", "EffectiveDate", "EndpointStatus",
              "RequestId")
"""The string members of ``EndpointBatchItem``."""

GROUP_STRINGS: dict[str, tuple[str, ...]] = {
    "Demographic": ("AppVersion", "Locale", "Make", "Model", "ModelVersion", "Platform",
                    "PlatformVersion", "Timezone"),
    "Location": ("City", "Country", "PostalCode", "Region"),
    "User": ("UserId",),
}
"""The string members of ``EndpointDemographic``, ``EndpointLocation`` and ``EndpointUser``."""

GROUP_NUMBERS: dict[str, tuple[str, ...]] = {"Location": ("Latitude", "Longitude")}
"""The ``double`` members of the groups."""

MAX_ATTRIBUTE_NAME_LENGTH = 50
"""Characters in a custom name (quotas.md "Attribute name length")."""
MAX_ATTRIBUTE_VALUE_LENGTH = 100
"""Characters in one value of an Attributes / UserAttributes list ("Attribute value length")."""
MAX_ATTRIBUTE_VALUES = 50
"""Values of one Attributes / UserAttributes name ("Values assigned to ... 50 per attribute")."""
MAX_APP_ATTRIBUTE_NAMES = 250
"""Custom names per application, Attributes, Metrics and UserAttributes together ("250 for all
attribute parameters per application"). *mock*: a name is counted per map, so
``Attributes.Plan`` and ``User.UserAttributes.Plan`` are two."""
MAX_ENDPOINT_BYTES = 15 * 1024
"""Size of one endpoint ("Endpoint size: maximum size 15 KB"). *mock*: KB is 1,024 bytes and
the size is that of the definition as compact UTF-8 JSON (:func:`endpoint_size`)."""
MAX_ENDPOINTS_PER_USER = 15
"""Endpoints with one ``User.UserId`` ("15 unique endpoints per user ID"). Enforced when
endpoints are registered (the caller's ``on_endpoint``), where the app's endpoints are known."""

_CHANNEL_TYPE_LIST = ", ".join(sorted(CHANNEL_TYPES))
_LISTS = (("Attributes",), ("User", "UserAttributes"))


def show(value: Any) -> str:
    """A short printable form of an offending value: ``'many'`` for text, JSON otherwise,
    cut after 40 characters."""
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def label(group: str, name: str) -> str:
    """``Attributes.Plan``; a very long name is cut to keep messages short."""
    return f"{group}.{name if len(name) <= 60 else name[:57] + '...'}"


def not_number(field: str, value: Any) -> str:
    return f"{field} must be a number, got {show(value)}"


def endpoint_size(definition: Definition) -> int:
    """Bytes of ``definition`` as compact UTF-8 JSON (what :data:`MAX_ENDPOINT_BYTES` limits)."""
    text = json.dumps(definition, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8", "surrogatepass"))


def attribute_names_of(definition: Definition) -> Iterator[str]:
    """The custom names a definition carries, spelt as in a CSV header (``Metrics.Visits``)."""
    for group in ("Attributes", "Metrics"):
        for name in definition.get(group) or ():
            yield f"{group}.{name}"
    for name in (definition.get("User") or {}).get("UserAttributes") or ():
        yield f"User.UserAttributes.{name}"


def _custom_names_problem(definition: Definition) -> str | None:
    """Name length, number of values and value length of Attributes, UserAttributes, Metrics."""
    for path in _LISTS:
        members: Any = definition
        for step in path:
            members = members.get(step) if members else None
        if not members:
            continue
        group = ".".join(path)
        for name, values in members.items():
            if not name:
                return f"{group} has an empty attribute name; give each attribute a name"
            if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
                return (f"{label(group, name)} name must be at most "
                        f"{MAX_ATTRIBUTE_NAME_LENGTH} characters, got {len(name)}")
            if len(values) > MAX_ATTRIBUTE_VALUES:
                return (f"{label(group, name)} must have at most {MAX_ATTRIBUTE_VALUES} "
                        f"values, got {len(values)}")
            longest = max(map(len, values), default=0)
            if longest > MAX_ATTRIBUTE_VALUE_LENGTH:
                return (f"{label(group, name)} value must be at most "
                        f"{MAX_ATTRIBUTE_VALUE_LENGTH} characters, got {longest}")
    for name in definition.get("Metrics") or ():
        if not name:
            return "Metrics has an empty metric name; give each metric a name"
        if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            return (f"{label('Metrics', name)} name must be at most "
                    f"{MAX_ATTRIBUTE_NAME_LENGTH} characters, got {len(name)}")
    return None


def new_attribute_names(definition: Definition, known: Collection[str]) -> list[str]:
    """The custom names of ``definition`` (:func:`attribute_names_of`) not in ``known``."""
    return [name for name in attribute_names_of(definition) if name not in known]


def quota_problem(new: list[str], known: int) -> str | None:
    """Why ``new`` names cannot join an application that has ``known`` names, or None."""
    if known + len(new) <= MAX_APP_ATTRIBUTE_NAMES:
        return None
    name = new[max(0, MAX_APP_ATTRIBUTE_NAMES - known)]
    shown = name if len(name) <= 80 else name[:77] + "..."
    return (f"{shown} would be custom attribute name {MAX_APP_ATTRIBUTE_NAMES + 1} of the "
            f"application, which may have at most {MAX_APP_ATTRIBUTE_NAMES} (Attributes, "
            "User.UserAttributes and Metrics together)")


def check_definition(
    definition: Definition,
    endpoint_exists: Callable[[str], bool],
    attribute_names: Collection[str] | None = None,
    size_bound: int | None = None,
) -> str | None:
    """Apply the import rules to one definition (both formats use this).

    Args:
        definition: a :data:`Definition`.
        endpoint_exists: whether the application has an endpoint with this Id; asked only for
            a definition with ``Id`` that lacks ``ChannelType`` or ``Address``.
        attribute_names: the custom names the application already has (see
            :func:`attribute_names_of`); None skips the 250-names quota.
        size_bound: an upper bound, in bytes, of :func:`endpoint_size` known to the caller;
            at most :data:`MAX_ENDPOINT_BYTES` skips measuring. None measures.

    Returns:
        None when the definition imports, else the reason of the first problem, without line
        or final period (``"Address is required for a new endpoint (no Id)"``). Order:
        ChannelType value; required fields; OptOut; EndpointStatus; custom names, number of
        values and value lengths (Attributes, then User.UserAttributes, then Metrics names);
        endpoint size; the application's attribute-name quota.
    """
    channel_type = definition.get("ChannelType")
    if channel_type is not None and channel_type not in CHANNEL_TYPES:
        return f"ChannelType must be one of {_CHANNEL_TYPE_LIST}, got {show(channel_type)}"
    endpoint_id = definition.get("Id")
    if endpoint_id is None:
        if channel_type is None:
            return "ChannelType is required for a new endpoint (no Id)"
        if "Address" not in definition:
            return "Address is required for a new endpoint (no Id)"
    elif (channel_type is None or "Address" not in definition) and not endpoint_exists(
        endpoint_id
    ):
        return (f"no endpoint with Id {show(endpoint_id)} exists to update, "
                "so ChannelType and Address are required")
    opt_out = definition.get("OptOut")
    if opt_out is not None and opt_out not in OPT_OUT_VALUES:
        return f"OptOut must be ALL or NONE, got {show(opt_out)}"
    status = definition.get("EndpointStatus")
    if status is not None and status not in ENDPOINT_STATUSES:
        return f"EndpointStatus must be ACTIVE or INACTIVE, got {show(status)}"
    problem = _custom_names_problem(definition)
    if problem is not None:
        return problem
    if size_bound is None or size_bound > MAX_ENDPOINT_BYTES:
        size = endpoint_size(definition)
        if size > MAX_ENDPOINT_BYTES:
            return (f"the endpoint must be at most 15 KB ({MAX_ENDPOINT_BYTES} bytes as JSON), "
                    f"got {size} bytes")
    if attribute_names is not None:
        new = new_attribute_names(definition, attribute_names)
        if new:
            return quota_problem(new, len(attribute_names))
    return None
