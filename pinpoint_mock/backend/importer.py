"""Read the endpoint definitions of a Pinpoint import job from S3 objects.

This module is pure: it knows nothing of HTTP, botocore or moto. The caller lists the objects
under the job's ``S3Url``, wraps each in a :class:`SourceObject` and calls :func:`run_import`,
which returns the counts that ``ImportJobResponse`` reports (``TotalProcessed``,
``TotalFailures``, ``Failures``, ``TotalPieces``, ``FailedPieces``) plus what a segment needs
(``Size``, ``ChannelCounts``, user IDs).

Rules (DESIGN.md section 5; *mock* marks a choice of this mock where AWS publishes nothing):

Objects
    * An object is read when its key's extension matches the format: ``.csv`` for CSV;
      ``.json``, ``.jsonl``, ``.ndjson`` for JSON (case-insensitive). A key without an extension
      is read when its content looks like the format: the first non-blank byte (after a UTF-8
      BOM) ``{`` means JSON, any other byte CSV (*mock*: an extensionless object with no
      non-blank byte at all looks like neither and is skipped). Keys ending in ``/`` (folder
      markers) and objects of the other format or another extension are skipped silently.
    * If no object is read the result holds one unreadable :class:`Piece` and the message
      ``No CSV object found under s3://bucket/prefix (CSV objects end in .csv).``
    * An object that cannot be opened or read (``OSError``), that starts with gzip
      (``1f 8b``) or ZIP (``50 4b 03 04``) magic, or that is not valid UTF-8, is one unreadable
      piece with one failure message; none of its definitions is processed (*mock*: each object
      is checked in a first streaming pass before any of its definitions is imported, so the
      object is opened twice, or rewound when its stream is seekable). A UTF-8 BOM is accepted.
    * Objects are streamed in chunks of :data:`READ_CHUNK_SIZE` bytes and rows are dropped after
      processing: memory does not grow with the size of an object.

CSV
    * The first non-blank row is the header. Dot notation builds nested fields:
      ``Location.Country`` -> ``{"Location": {"Country": "PT"}}``; ``User.UserId``;
      ``User.UserAttributes.FirstName`` -> ``{"User": {"UserAttributes": {"FirstName": ["Ana"]}}}``;
      ``Attributes.Interests`` -> ``{"Attributes": {"Interests": ["jazz"]}}``;
      ``Metrics.Purchases`` -> ``{"Metrics": {"Purchases": 3.0}}``. Top-level columns: ``Id``,
      ``Address``, ``ChannelType``, ``OptOut``, ``EffectiveDate``, ``EndpointStatus``,
      ``RequestId``; ``Demographic.*`` and ``Location.*`` take the members of botocore's
      ``EndpointDemographic`` / ``EndpointLocation`` (``Location.Latitude`` / ``Longitude``
      are numbers, like Metrics).
    * A repeated ``Attributes.*`` / ``User.UserAttributes.*`` column gives a multi-valued
      attribute (values in column order). Empty cells are omitted; a field or attribute whose
      cells are all empty is absent.
    * *mock*: header names are case-sensitive and stripped of surrounding blanks; an unknown
      column, or a repeated column other than an attribute, makes every row of the object fail
      (the message names the column), so that a misspelt column never goes unnoticed.
    * Standard quoting (:mod:`csv`), CRLF/LF/CR line ends, blank lines skipped. A row whose
      number of cells differs from the header's is a row failure.

JSON
    * Newline-delimited: each non-blank line is one object in botocore's ``EndpointRequest``
      shape (plus ``Id``). Attributes / UserAttributes values are lists of strings, Metrics
      values numbers. A line that is not valid JSON, not an object, or has a member of the wrong
      type or an unknown member (*mock*) is a row failure. Empty strings are dropped, as empty
      CSV cells are (*mock*).

Validation (one function, :func:`check_definition`, for both formats; each problem is a row
failure counted in ``total_failures``, its message among the first
:data:`MAX_REPORTED_FAILURES` in ``failures``; the rest of the object still imports)
    * ``ChannelType``, when given, must be in :data:`CHANNEL_TYPES`.
    * Without ``Id`` (a new endpoint) ``ChannelType`` and ``Address`` are required.
    * With ``Id`` but without ``ChannelType`` or ``Address`` the definition updates an existing
      endpoint: ``endpoint_exists(Id)`` must be true.
    * ``OptOut``, when given, is ``ALL`` or ``NONE``.
    * Attribute names (``Attributes.*``, ``User.UserAttributes.*``, ``Metrics.*``) are at most
      :data:`MAX_ATTRIBUTE_NAME_LENGTH` (50) characters, attribute values at most
      :data:`MAX_ATTRIBUTE_VALUE_LENGTH` (100) characters; Metrics (and Latitude/Longitude)
      are finite numbers (*mock*: ``nan`` and ``inf`` are refused, JSON cannot carry them).
    * Only the first problem of a definition is reported.

User IDs
    * A CSV object whose header is exactly ``User.UserId``, or a JSON object whose first
      definition is ``{"User": {"UserId": ...}}``, is a file of user IDs. In CSV a cell may hold
      several blank-separated IDs. Each user ID counts as one processed and imported definition;
      ``on_endpoint`` is not called and ``channel_counts`` stays empty: the caller resolves the
      users to their endpoints. In a JSON user-ID file every line must have that shape.
    * *mock*: if one import mixes user-ID objects with endpoint objects, the user IDs are not
      imported: each user-ID object gets one failure message and its IDs count as failures.

Pieces
    * The definitions of each object are split into consecutive pieces of ``piece_size``
      (:data:`PIECE_SIZE`, *mock*: AWS does not publish its piece size); the last may be smaller.
      An object with no definition at all is one piece with nothing processed. A piece failed
      when it could not be read or none of its definitions imported.

Failure messages are one sentence each, ``s3://{bucket}/{key} line {n}: {reason}.`` for a row
(``n`` is the 1-based physical line where the definition starts; the CSV header is line 1) and
``s3://{bucket}/{key}: {reason}.`` for an object.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import posixpath
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Dict, Iterable, List, Optional, Tuple, Union

__all__ = [
    "CHANNEL_TYPES",
    "MAX_ATTRIBUTE_NAME_LENGTH",
    "MAX_ATTRIBUTE_VALUE_LENGTH",
    "MAX_REPORTED_FAILURES",
    "OPT_OUT_VALUES",
    "PIECE_SIZE",
    "READ_CHUNK_SIZE",
    "ImportResult",
    "Piece",
    "SourceObject",
    "check_definition",
    "run_import",
]

PIECE_SIZE = 100
"""Endpoint definitions per piece (the mock's choice: AWS does not publish its piece size)."""

MAX_REPORTED_FAILURES = 100
"""``ImportJobResponse.Failures`` holds at most the first 100 failure messages."""

MAX_ATTRIBUTE_NAME_LENGTH = 50
"""Longest name, in characters, of an entry of Attributes, User.UserAttributes or Metrics."""

MAX_ATTRIBUTE_VALUE_LENGTH = 100
"""Longest value, in characters, of an entry of an Attributes / UserAttributes list."""

READ_CHUNK_SIZE = 64 * 1024
"""Bytes asked of an object's stream per read."""

CHANNEL_TYPES: frozenset[str] = frozenset(
    {
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
    }
)
"""botocore's ``ChannelType`` enum."""

OPT_OUT_VALUES: frozenset[str] = frozenset({"ALL", "NONE"})
"""The values ``OptOut`` may take."""

_CHANNEL_TYPE_LIST = ", ".join(sorted(CHANNEL_TYPES))
_EXTENSIONS: Dict[str, frozenset[str]] = {
    "CSV": frozenset({".csv"}),
    "JSON": frozenset({".json", ".jsonl", ".ndjson"}),
}
_EXTENSION_HINT = {"CSV": "CSV objects end in .csv", "JSON": "JSON objects end in .json, .jsonl or .ndjson"}
_BOM = codecs.BOM_UTF8
_BLANK = b" \t\r\n"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"

# The members of botocore's EndpointRequest (plus Id, which import files may carry).
_TOP_FIELDS = ("Id", "Address", "ChannelType", "OptOut", "EffectiveDate", "EndpointStatus", "RequestId")
_GROUP_STRINGS: Dict[str, frozenset[str]] = {
    "Demographic": frozenset(
        {"AppVersion", "Locale", "Make", "Model", "ModelVersion", "Platform", "PlatformVersion", "Timezone"}
    ),
    "Location": frozenset({"City", "Country", "PostalCode", "Region"}),
}
_GROUP_NUMBERS: Dict[str, frozenset[str]] = {"Location": frozenset({"Latitude", "Longitude"})}
_ATTRIBUTE_PREFIX = "Attributes."
_USER_ATTRIBUTE_PREFIX = "User.UserAttributes."
_METRIC_PREFIX = "Metrics."

Definition = Dict[str, Any]
"""An ``EndpointRequest``-shaped dict (see :func:`run_import`)."""


@dataclass(frozen=True)
class SourceObject:
    """One S3 object to import.

    Attributes:
        key: the object's S3 key; failure messages name it as ``s3://{bucket}/{key}``.
        bucket: the bucket's name.
        open: opens the object's bytes as a binary stream (``read(n)`` is called with
            ``n`` = :data:`READ_CHUNK_SIZE`, never without a size). May raise ``OSError``: the
            object is then unreadable. It is called up to twice per object (a check pass and a
            reading pass) unless the stream it returns is seekable, in which case it is rewound.
            The streams are closed by :func:`run_import`.
    """

    key: str
    bucket: str
    open: Callable[[], BinaryIO]


@dataclass
class Piece:
    """A run of consecutive endpoint definitions of one object.

    Attributes:
        key: the S3 key of the object it belongs to (for the "nothing found" piece, the prefix).
        processed: definitions read in it, imported or failed.
        imported: definitions of it that imported.
        readable: False when the object could not be read (opened, decompressed, decoded).
    """

    key: str
    processed: int
    imported: int
    readable: bool = True

    @property
    def failed(self) -> bool:
        """True when the piece could not be read or none of its definitions imported."""
        return not self.readable or self.imported == 0


@dataclass
class ImportResult:
    """What an import job found, ready for ``ImportJobResponse`` and the segment.

    Attributes:
        total_processed: every definition read, imported or failed (``TotalProcessed``).
        total_failures: definitions that failed (``TotalFailures``); an unreadable object adds
            nothing here (its definitions were never read) but fails its piece.
        failures: the first :data:`MAX_REPORTED_FAILURES` failure messages (``Failures``),
            row failures and object failures, in the order found.
        pieces: every piece, in order (``TotalPieces`` = ``len(pieces)``).
        imported: definitions that imported (``Size`` of an endpoint segment).
        channel_counts: ChannelType -> number of imported definitions that name it
            (``ChannelCounts``); updates without ChannelType are not counted.
        user_ids: for a file of user IDs only, every user ID read, in order (else empty).
        user_ids_only: True when every object read that held definitions was a user-ID file.
        objects_read: objects of the requested format that were read (or tried: an unreadable
            object counts).
    """

    total_processed: int = 0
    total_failures: int = 0
    failures: List[str] = field(default_factory=list)
    pieces: List[Piece] = field(default_factory=list)
    imported: int = 0
    channel_counts: Dict[str, int] = field(default_factory=dict)
    user_ids: List[str] = field(default_factory=list)
    user_ids_only: bool = False
    objects_read: int = 0

    @property
    def failed_pieces(self) -> int:
        """Number of failed pieces (``FailedPieces``)."""
        return sum(1 for piece in self.pieces if piece.failed)


# --------------------------------------------------------------------------------------------
# Messages


def _show(value: Any) -> str:
    """A short printable form of an offending value: ``'many'`` for text, JSON otherwise."""
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_number(label: str, value: Any) -> str:
    return f"{label} must be a number, got {_show(value)}"


# --------------------------------------------------------------------------------------------
# Validation shared by both formats


def _check_attributes(prefix: str, attributes: Dict[str, List[str]]) -> Optional[str]:
    for name, values in attributes.items():
        if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            return (
                f"{prefix}{_show(name)} name must be at most {MAX_ATTRIBUTE_NAME_LENGTH} "
                f"characters, got {len(name)}"
            )
        if max(map(len, values)) > MAX_ATTRIBUTE_VALUE_LENGTH:
            longest = max(map(len, values))
            return (
                f"{prefix}{name} value must be at most {MAX_ATTRIBUTE_VALUE_LENGTH} "
                f"characters, got {longest}"
            )
    return None


def check_definition(definition: Definition, endpoint_exists: Callable[[str], bool]) -> Optional[str]:
    """Apply the import rules to one normalised definition.

    Args:
        definition: an ``EndpointRequest``-shaped dict as built by the CSV or JSON reader:
            no empty strings, attribute lists non-empty, Metrics already floats.
        endpoint_exists: tells whether an endpoint with a given Id is registered in the app.

    Returns:
        None when the definition imports, else the reason (no line, no trailing period),
        e.g. ``"Address is required for a new endpoint (no Id)"``.
    """
    channel_type = definition.get("ChannelType")
    if channel_type is not None and channel_type not in CHANNEL_TYPES:
        return f"ChannelType must be one of {_CHANNEL_TYPE_LIST}, got {_show(channel_type)}"
    endpoint_id = definition.get("Id")
    if endpoint_id is None:
        if channel_type is None:
            return "ChannelType is required for a new endpoint (no Id)"
        if "Address" not in definition:
            return "Address is required for a new endpoint (no Id)"
    elif (channel_type is None or "Address" not in definition) and not endpoint_exists(endpoint_id):
        return (
            f"no endpoint with Id {_show(endpoint_id)} exists to update, "
            "so ChannelType and Address are required"
        )
    opt_out = definition.get("OptOut")
    if opt_out is not None and opt_out not in OPT_OUT_VALUES:
        return f"OptOut must be ALL or NONE, got {_show(opt_out)}"
    attributes = definition.get("Attributes")
    if attributes:
        problem = _check_attributes(_ATTRIBUTE_PREFIX, attributes)
        if problem:
            return problem
    user = definition.get("User")
    if user:
        user_attributes = user.get("UserAttributes")
        if user_attributes:
            problem = _check_attributes(_USER_ATTRIBUTE_PREFIX, user_attributes)
            if problem:
                return problem
    metrics = definition.get("Metrics")
    if metrics:
        for name in metrics:
            if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
                return (
                    f"{_METRIC_PREFIX}{_show(name)} name must be at most "
                    f"{MAX_ATTRIBUTE_NAME_LENGTH} characters, got {len(name)}"
                )
    return None


# --------------------------------------------------------------------------------------------
# CSV


def _to_number(label: str, cell: str) -> Union[float, str]:
    """``float(cell)``, or the failure reason when it is not a finite number."""
    try:
        number = float(cell)
    except ValueError:
        return _not_number(label, cell)
    if math.isfinite(number):
        return number
    return _not_number(label, cell)


class _CsvPlan:
    """What each column of one CSV header becomes, computed once per object.

    ``convert(row)`` turns a row (a list of cells as long as the header) into a definition,
    or returns the failure reason of a cell that cannot be converted or a header problem.
    """

    def __init__(self, header: List[str]) -> None:
        names = [name.strip() for name in header]
        self.width = len(names)
        self.problem: Optional[str] = None
        self.user_ids_only = names == ["User.UserId"]
        top: List[Tuple[int, str]] = []
        groups: Dict[str, List[Tuple[int, str]]] = {}
        numbers: List[Tuple[int, str, str, str]] = []  # (column, group, member, label)
        attributes: Dict[str, List[int]] = {}
        user_attributes: Dict[str, List[int]] = {}
        metrics: List[Tuple[int, str, str]] = []  # (column, name, label)
        self.user_id = -1
        seen = set()
        for column, name in enumerate(names):
            if name.startswith(_ATTRIBUTE_PREFIX) and len(name) > len(_ATTRIBUTE_PREFIX):
                attributes.setdefault(name[len(_ATTRIBUTE_PREFIX) :], []).append(column)
                continue
            if name.startswith(_USER_ATTRIBUTE_PREFIX) and len(name) > len(_USER_ATTRIBUTE_PREFIX):
                user_attributes.setdefault(name[len(_USER_ATTRIBUTE_PREFIX) :], []).append(column)
                continue
            if name in seen:
                self.problem = self.problem or f"column {_show(name)} is repeated"
                continue
            seen.add(name)
            group, _, member = name.partition(".")
            if not member and name in _TOP_FIELDS:
                top.append((column, name))
            elif name == "User.UserId":
                self.user_id = column
            elif group == "Metrics" and member:
                metrics.append((column, member, name))
            elif member in _GROUP_STRINGS.get(group, ()):
                groups.setdefault(group, []).append((column, member))
            elif member in _GROUP_NUMBERS.get(group, ()):
                numbers.append((column, group, member, name))
            else:
                self.problem = self.problem or f"unknown column {_show(name)} (column {column + 1})"
        self.top = tuple(top)
        self.groups = tuple((group, tuple(members)) for group, members in groups.items())
        self.numbers = tuple(numbers)
        self.attributes = tuple((name, tuple(columns)) for name, columns in attributes.items())
        self.user_attributes = tuple((name, tuple(columns)) for name, columns in user_attributes.items())
        self.metrics = tuple(metrics)

    def convert(self, row: List[str]) -> Union[Definition, str]:
        """The definition of one row (``len(row) == self.width``), or a failure reason."""
        if self.problem is not None:
            return self.problem
        definition: Definition = {}
        for column, name in self.top:
            cell = row[column]
            if cell:
                definition[name] = cell
        for group, members in self.groups:
            values = {}
            for column, name in members:
                cell = row[column]
                if cell:
                    values[name] = cell
            if values:
                definition[group] = values
        for column, group, name, label in self.numbers:
            cell = row[column]
            if cell:
                number = _to_number(label, cell)
                if type(number) is str:
                    return number
                definition.setdefault(group, {})[name] = number
        if self.attributes:
            attributes = _collect(self.attributes, row)
            if attributes:
                definition["Attributes"] = attributes
        if self.user_id >= 0 or self.user_attributes:
            user: Definition = {}
            if self.user_id >= 0:
                cell = row[self.user_id]
                if cell:
                    user["UserId"] = cell
            if self.user_attributes:
                user_attributes = _collect(self.user_attributes, row)
                if user_attributes:
                    user["UserAttributes"] = user_attributes
            if user:
                definition["User"] = user
        if self.metrics:
            metrics = {}
            for column, name, label in self.metrics:
                cell = row[column]
                if cell:
                    try:
                        number = float(cell)
                    except ValueError:
                        return _not_number(label, cell)
                    if not math.isfinite(number):
                        return _not_number(label, cell)
                    metrics[name] = number
            if metrics:
                definition["Metrics"] = metrics
        return definition


def _collect(plan: Tuple[Tuple[str, Tuple[int, ...]], ...], row: List[str]) -> Dict[str, List[str]]:
    """The non-empty cells of each multi-valued attribute, in column order."""
    collected: Dict[str, List[str]] = {}
    for name, columns in plan:
        if len(columns) == 1:
            cell = row[columns[0]]
            if cell:
                collected[name] = [cell]
        else:
            values = [row[column] for column in columns if row[column]]
            if values:
                collected[name] = values
    return collected


# --------------------------------------------------------------------------------------------
# JSON


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _json_string_list(label: str, value: Any) -> Union[List[str], str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return f"{label} must be a list of strings, got {_show(value)}"
    return [item for item in value if item]


def _json_attributes(label: str, value: Any) -> Union[Dict[str, List[str]], str]:
    if not isinstance(value, dict):
        return f"{label} must be an object, got {_json_type(value)}"
    attributes: Dict[str, List[str]] = {}
    for name, values in value.items():
        items = _json_string_list(f"{label}.{name}", values)
        if isinstance(items, str):
            return items
        if items:
            attributes[name] = items
    return attributes


def _json_number(label: str, value: Any) -> Union[float, str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _not_number(label, value)
    number = float(value)
    if not math.isfinite(number):
        return _not_number(label, value)
    return number


def _json_definition(value: Any) -> Union[Definition, str]:
    """Normalise one parsed JSON line into a definition, or return the failure reason."""
    if not isinstance(value, dict):
        return f"must be a JSON object, got {_json_type(value)}"
    definition: Definition = {}
    for name, member in value.items():
        if name in _TOP_FIELDS:
            if not isinstance(member, str):
                return f"{name} must be a string, got {_show(member)}"
            if member:
                definition[name] = member
        elif name in _GROUP_STRINGS:
            if not isinstance(member, dict):
                return f"{name} must be an object, got {_json_type(member)}"
            strings = _GROUP_STRINGS[name]
            numbers = _GROUP_NUMBERS.get(name, frozenset())
            group: Definition = {}
            for key, item in member.items():
                label = f"{name}.{key}"
                if key in strings:
                    if not isinstance(item, str):
                        return f"{label} must be a string, got {_show(item)}"
                    if item:
                        group[key] = item
                elif key in numbers:
                    number = _json_number(label, item)
                    if isinstance(number, str):
                        return number
                    group[key] = number
                else:
                    return f"unknown member {_show(label)}"
            if group:
                definition[name] = group
        elif name == "User":
            if not isinstance(member, dict):
                return f"User must be an object, got {_json_type(member)}"
            user: Definition = {}
            for key, item in member.items():
                if key == "UserId":
                    if not isinstance(item, str):
                        return f"User.UserId must be a string, got {_show(item)}"
                    if item:
                        user[key] = item
                elif key == "UserAttributes":
                    user_attributes = _json_attributes("User.UserAttributes", item)
                    if isinstance(user_attributes, str):
                        return user_attributes
                    if user_attributes:
                        user[key] = user_attributes
                else:
                    return f"unknown member {_show('User.' + key)}"
            if user:
                definition["User"] = user
        elif name == "Attributes":
            attributes = _json_attributes("Attributes", member)
            if isinstance(attributes, str):
                return attributes
            if attributes:
                definition[name] = attributes
        elif name == "Metrics":
            if not isinstance(member, dict):
                return f"Metrics must be an object, got {_json_type(member)}"
            metrics: Dict[str, float] = {}
            for key, item in member.items():
                number = _json_number(f"Metrics.{key}", item)
                if isinstance(number, str):
                    return number
                metrics[key] = number
            if metrics:
                definition[name] = metrics
        else:
            return f"unknown member {_show(name)}"
    return definition


def _is_user_id_line(value: Any) -> bool:
    """True for ``{"User": {"UserId": ...}}`` and nothing else."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    user = value.get("User")
    return isinstance(user, dict) and len(user) == 1 and "UserId" in user


# --------------------------------------------------------------------------------------------
# Objects


def _extension_format(key: str) -> Optional[str]:
    """``"CSV"``/``"JSON"`` by extension, ``""`` for a key without extension, None otherwise."""
    extension = posixpath.splitext(key)[1].lower()
    if not extension:
        return ""
    for fmt, extensions in _EXTENSIONS.items():
        if extension in extensions:
            return fmt
    return None


def _inspect(stream: BinaryIO, fmt: str, sniff: bool) -> Tuple[bool, Optional[str]]:
    """First pass over an object: does it look like ``fmt``, and can it be imported?

    Streams the whole object in chunks (nothing kept), checks compression magic and UTF-8.

    Returns:
        ``(False, None)`` when ``sniff`` is set and the content is not of ``fmt`` (skip it);
        ``(True, None)`` when it can be imported; ``(True, reason)`` when it cannot.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = False  # the decoder holds the start of a multi-byte sequence
    consumed = 0
    head = b""  # the first bytes, for magic numbers and the BOM
    decided = not sniff
    while True:
        chunk = stream.read(READ_CHUNK_SIZE)
        if not chunk:
            break
        if len(head) < 4:
            head += chunk[: 4 - len(head)]
        if not decided:
            # Skip the BOM (only at offset 0) then blanks; the first other byte decides.
            if consumed == 0 and len(head) < 3 and _BOM.startswith(head) and len(chunk) < 3:
                data = b""
            else:
                data = chunk[3:] if consumed == 0 and chunk.startswith(_BOM) else chunk
            rest = data.lstrip(_BLANK)
            if rest:
                decided = True
                if (rest[:1] == b"{") != (fmt == "JSON"):
                    return False, None
        if decided and len(head) >= 2 and consumed < 4:
            problem = _magic_problem(head)
            if problem:
                return True, problem
        if pending or not chunk.isascii():
            start = consumed - len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return True, _utf8_problem(error, start)
            pending = bool(decoder.getstate()[0])
        consumed += len(chunk)
    if not decided:
        if not head or not head.lstrip(_BOM + _BLANK) and head.startswith(_BOM[: len(head)]):
            return False, None  # nothing but blanks: neither format
        # A lone partial BOM: not blank, so it is CSV by the sniffing rule.
        if fmt == "JSON":
            return False, None
    problem = _magic_problem(head)
    if problem:
        return True, problem
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return True, _utf8_problem(error, consumed - len(error.object))
    return True, None


def _magic_problem(head: bytes) -> Optional[str]:
    if head.startswith(_GZIP_MAGIC):
        return "the object is gzip-compressed and Pinpoint imports only uncompressed files"
    if head.startswith(_ZIP_MAGIC):
        return "the object is a ZIP archive and Pinpoint imports only uncompressed files"
    return None


def _utf8_problem(error: UnicodeDecodeError, start: int) -> str:
    offset = start + error.start
    byte = error.object[error.start]
    return (
        f"the object is not valid UTF-8 (byte 0x{byte:02x} at offset {offset}) "
        "and Pinpoint imports only UTF-8 files"
    )


class _Run:
    """The state of one :func:`run_import` call."""

    def __init__(
        self,
        endpoint_exists: Callable[[str], bool],
        on_endpoint: Optional[Callable[[Definition], None]],
        piece_size: int,
    ) -> None:
        self.result = ImportResult()
        self.endpoint_exists = endpoint_exists
        self.on_endpoint = on_endpoint
        self.piece_size = piece_size
        # Per object read: (url, key, first piece index, "users" / "endpoints" / None, user IDs)
        self.objects: List[Tuple[str, str, int, Optional[str], int]] = []

    def report(self, message: str) -> None:
        """Keep a failure message if there is room (does not count a failure)."""
        if len(self.result.failures) < MAX_REPORTED_FAILURES:
            self.result.failures.append(message)

    def unreadable(self, url: str, key: str, reason: str) -> None:
        """One unreadable piece for an object none of whose definitions could be read."""
        self.result.pieces.append(Piece(key, 0, 0, readable=False))
        self.report(f"{url}: {reason}.")

    def read_object(self, obj: SourceObject, fmt: str, sniff: bool) -> bool:
        """Check then import one object; False when it is skipped (not of ``fmt``)."""
        url = f"s3://{obj.bucket}/{obj.key}"
        try:
            stream = obj.open()
        except OSError as error:
            self.result.objects_read += 1
            self.unreadable(url, obj.key, f"the object could not be read ({error})")
            return True
        try:
            try:
                wanted, problem = _inspect(stream, fmt, sniff)
                if not wanted:
                    return False
                self.result.objects_read += 1
                if problem is None:
                    if stream.seekable():
                        stream.seek(0)
                    else:
                        stream.close()
                        stream = obj.open()
            except OSError as error:
                self.result.objects_read += 1
                problem = f"the object could not be read ({error})"
            if problem is not None:
                self.unreadable(url, obj.key, problem)
                return True
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
            try:
                if fmt == "CSV":
                    self.read_csv(text, url, obj.key)
                else:
                    self.read_json(text, url, obj.key)
            finally:
                text.detach()
        finally:
            stream.close()
        return True

    def _finish_object(
        self, url: str, key: str, first_piece: int, kind: Optional[str], processed: int, imported: int
    ) -> None:
        result = self.result
        result.total_processed += processed
        result.imported += imported
        users = processed if kind == "users" else 0
        self.objects.append((url, key, first_piece, kind, users))

    def read_csv(self, text: io.TextIOWrapper, url: str, key: str) -> None:
        """Import the rows of one CSV object (header first)."""
        result = self.result
        pieces = result.pieces
        first_piece = len(pieces)
        size = self.piece_size
        on_endpoint = self.on_endpoint
        endpoint_exists = self.endpoint_exists
        counts = result.channel_counts
        user_ids = result.user_ids
        reader = csv.reader(text)
        plan: Optional[_CsvPlan] = None
        width = 0
        in_piece = imported_in_piece = processed = imported = 0
        failures = 0
        previous_line = 0  # physical line where the previous row ended
        line = 0
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    line = previous_line + 1
                    previous_line = reader.line_num
                    if plan is None:
                        self.report(f"{url} line {line}: the header cannot be parsed as CSV ({error}).")
                        break
                    failures += 1
                    self.report(f"{url} line {line}: the row cannot be parsed as CSV ({error}).")
                    processed += 1
                    in_piece += 1
                    if in_piece == size:
                        pieces.append(Piece(key, in_piece, imported_in_piece))
                        in_piece = imported_in_piece = 0
                    continue
                line = previous_line + 1
                previous_line = reader.line_num
                if not row:
                    continue
                if plan is None:
                    plan = _CsvPlan(row)
                    width = plan.width
                    continue
                if len(row) != width:
                    if width == 1 and len(row) == 1:
                        pass
                    reason: Optional[str] = f"the row has {len(row)} cells but the header has {width} columns"
                    definition: Union[Definition, str] = ""
                elif plan.user_ids_only:
                    for user_id in row[0].split():
                        user_ids.append(user_id)
                        processed += 1
                        imported += 1
                        in_piece += 1
                        imported_in_piece += 1
                        if in_piece == size:
                            pieces.append(Piece(key, in_piece, imported_in_piece))
                            in_piece = imported_in_piece = 0
                    continue
                else:
                    definition = plan.convert(row)
                    if type(definition) is str:
                        reason = definition
                    else:
                        reason = check_definition(definition, endpoint_exists)  # type: ignore[arg-type]
                processed += 1
                in_piece += 1
                if reason is None:
                    imported += 1
                    imported_in_piece += 1
                    channel_type = definition.get("ChannelType")  # type: ignore[union-attr]
                    if channel_type is not None:
                        counts[channel_type] = counts.get(channel_type, 0) + 1
                    if on_endpoint is not None:
                        on_endpoint(definition)  # type: ignore[arg-type]
                else:
                    failures += 1
                    if len(result.failures) < MAX_REPORTED_FAILURES:
                        result.failures.append(f"{url} line {line}: {reason}.")
                if in_piece == size:
                    pieces.append(Piece(key, in_piece, imported_in_piece))
                    in_piece = imported_in_piece = 0
        except (OSError, UnicodeDecodeError) as error:
            pieces.append(Piece(key, in_piece, imported_in_piece, readable=False))
            in_piece = -1
            self.report(f"{url}: the object could not be read after line {previous_line} ({error}).")
        if in_piece > 0 or (in_piece == 0 and len(pieces) == first_piece):
            pieces.append(Piece(key, in_piece, imported_in_piece))
        result.total_failures += failures
        kind: Optional[str] = None
        if plan is not None:
            kind = "users" if plan.user_ids_only else "endpoints"
        self._finish_object(url, key, first_piece, kind, processed, imported)

    def read_json(self, text: io.TextIOWrapper, url: str, key: str) -> None:
        """Import the lines of one newline-delimited JSON object."""
        result = self.result
        pieces = result.pieces
        first_piece = len(pieces)
        size = self.piece_size
        on_endpoint = self.on_endpoint
        endpoint_exists = self.endpoint_exists
        counts = result.channel_counts
        user_ids = result.user_ids
        kind: Optional[str] = None
        in_piece = imported_in_piece = processed = imported = 0
        failures = 0
        line = 0
        loads = json.loads
        try:
            for raw in text:
                line += 1
                if raw.isspace():
                    continue
                definition: Any = None
                try:
                    value = loads(raw)
                except ValueError as error:
                    message = getattr(error, "msg", str(error))
                    column = getattr(error, "colno", None)
                    where = f" at column {column}" if column is not None else ""
                    reason: Optional[str] = f"the line is not valid JSON ({message}{where})"
                else:
                    if kind is None:
                        if _is_user_id_line(value):
                            kind = "users"
                        elif isinstance(value, dict):
                            kind = "endpoints"
                    if kind == "users":
                        if _is_user_id_line(value) and isinstance(value["User"]["UserId"], str):
                            user_id = value["User"]["UserId"].strip()
                            if user_id:
                                user_ids.append(user_id)
                                reason = None
                            else:
                                reason = "User.UserId must not be empty"
                        else:
                            reason = (
                                'a file of user IDs must hold only {"User": {"UserId": "..."}} '
                                "lines"
                            )
                    else:
                        definition = _json_definition(value)
                        if isinstance(definition, str):
                            reason = definition
                        else:
                            reason = check_definition(definition, endpoint_exists)
                processed += 1
                in_piece += 1
                if reason is None:
                    imported += 1
                    imported_in_piece += 1
                    if kind != "users":
                        channel_type = definition.get("ChannelType")
                        if channel_type is not None:
                            counts[channel_type] = counts.get(channel_type, 0) + 1
                        if on_endpoint is not None:
                            on_endpoint(definition)
                else:
                    failures += 1
                    if len(result.failures) < MAX_REPORTED_FAILURES:
                        result.failures.append(f"{url} line {line}: {reason}.")
                if in_piece == size:
                    pieces.append(Piece(key, in_piece, imported_in_piece))
                    in_piece = imported_in_piece = 0
        except (OSError, UnicodeDecodeError) as error:
            pieces.append(Piece(key, in_piece, imported_in_piece, readable=False))
            in_piece = -1
            self.report(f"{url}: the object could not be read after line {line} ({error}).")
        if in_piece > 0 or (in_piece == 0 and len(pieces) == first_piece):
            pieces.append(Piece(key, in_piece, imported_in_piece))
        result.total_failures += failures
        users = sum(1 for _ in ()) if kind != "users" else imported
        del users
        self._finish_object(url, key, first_piece, kind, processed, imported)

    def settle_user_ids(self) -> None:
        """Decide ``user_ids_only``; refuse the user IDs of an import that mixes both kinds."""
        result = self.result
        kinds = {kind for _, _, _, kind, _ in self.objects if kind is not None}
        if kinds == {"users"}:
            result.user_ids_only = True
            return
        if "users" not in kinds:
            return
        result.user_ids = []
        for index, (url, key, first_piece, kind, _) in enumerate(self.objects):
            if kind != "users":
                continue
            end = self.objects[index + 1][2] if index + 1 < len(self.objects) else len(result.pieces)
            refused = 0
            for piece in result.pieces[first_piece:end]:
                if piece.key == key:
                    refused += piece.imported
                    piece.imported = 0
            result.imported -= refused
            result.total_failures += refused
            self.report(
                f"{url}: a file of user IDs cannot be imported together with endpoint "
                f"definitions, so its {refused} user IDs were not imported."
            )


def _describe_location(objects_seen: List[SourceObject], s3_url: Optional[str]) -> Tuple[str, str]:
    """``(url, prefix)`` for the "nothing found" message."""
    if s3_url:
        rest = s3_url[len("s3://") :] if s3_url.startswith("s3://") else s3_url
        return s3_url, rest.partition("/")[2]
    if not objects_seen:
        return "", ""
    keys = [obj.key for obj in objects_seen]
    prefix = posixpath.commonprefix(keys)
    if len(keys) > 1 or prefix.endswith("/"):
        prefix = prefix[: prefix.rfind("/") + 1]
    return f"s3://{objects_seen[0].bucket}/{prefix}", prefix


def run_import(
    objects: Iterable[SourceObject],
    fmt: str,
    *,
    endpoint_exists: Callable[[str], bool] = lambda endpoint_id: False,
    on_endpoint: Optional[Callable[[Dict[str, Any]], None]] = None,
    piece_size: int = PIECE_SIZE,
    s3_url: Optional[str] = None,
) -> ImportResult:
    """Read and validate the endpoint definitions of the objects of one import job.

    Args:
        objects: the objects listed under the job's ``S3Url``, in listing order.
        fmt: ``"CSV"`` or ``"JSON"`` (validated by the caller; ``ValueError`` otherwise).
        endpoint_exists: tells whether an endpoint with this Id is registered in the app; asked
            only for a definition with ``Id`` that lacks ``ChannelType`` or ``Address``.
        on_endpoint: called, in file order, with each imported definition: a fresh
            ``EndpointRequest``-shaped dict such as ``{"ChannelType": "EMAIL", "Address": "a@b",
            "Location": {"Country": "PT"}, "User": {"UserId": "u1", "UserAttributes":
            {"FirstName": ["Ana"]}}, "Attributes": {"Interests": ["jazz"]}, "Metrics":
            {"Purchases": 3.0}, "OptOut": "NONE"}`` (plus ``"Id"`` when given; empty fields are
            absent). Not called for user IDs. When None, nothing is kept.
        piece_size: definitions per piece (>= 1).
        s3_url: the job's ``S3Url``, used only in the message when no object is read (without
            it the message names the longest common folder of the objects' keys).

    Returns:
        The :class:`ImportResult`.
    """
    fmt = fmt.upper()
    if fmt not in _EXTENSIONS:
        raise ValueError(f"fmt must be CSV or JSON, got {fmt!r}")
    if piece_size < 1:
        raise ValueError(f"piece_size must be at least 1, got {piece_size}")
    run = _Run(endpoint_exists, on_endpoint, piece_size)
    seen: List[SourceObject] = []
    for obj in objects:
        if len(seen) < 2 or not seen[0].key:
            seen.append(obj)
        else:
            seen[1] = obj if obj.key < seen[1].key else seen[1]
        if obj.key.endswith("/"):
            continue
        extension_format = _extension_format(obj.key)
        if extension_format is None or (extension_format and extension_format != fmt):
            continue
        run.read_object(obj, fmt, sniff=not extension_format)
    result = run.result
    if result.objects_read == 0:
        url, prefix = _describe_location(seen, s3_url)
        where = f" under {url}" if url else ""
        result.pieces.append(Piece(prefix, 0, 0, readable=False))
        run.report(f"No {fmt} object found{where} ({_EXTENSION_HINT[fmt]}).")
    run.settle_user_ids()
    return result
