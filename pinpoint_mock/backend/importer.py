"""Read the endpoint definitions of a Pinpoint import job from S3 objects.

This module is pure (standard library only; nothing of HTTP, botocore, moto or werkzeug). The
caller lists the objects under the job's ``S3Url``, wraps each in a :class:`SourceObject` and
calls :func:`run_import`, which returns an :class:`ImportResult`: what ``ImportJobResponse``
reports (``TotalProcessed``, ``TotalFailures``, ``Failures``, ``TotalPieces``,
``FailedPieces``) and what a segment needs (``Size``, ``ChannelCounts``, user IDs).

Rules (DESIGN.md section 5). *mock* marks a choice of this mock where AWS publishes nothing.

Objects
    * An object is read when its key's extension matches the format: ``.csv`` for CSV;
      ``.json``, ``.jsonl``, ``.ndjson`` for JSON (case-insensitive). A key without an extension
      is read when its content looks like the format: the first non-blank byte (after a UTF-8
      BOM) ``{`` means JSON, any other byte CSV (*mock*: an extensionless object with no
      non-blank byte looks like neither and is skipped; one that cannot be opened is reported
      as unreadable). Keys ending in ``/`` (folder markers), objects of the other format and
      other extensions (``.txt``, ``.csv.gz`` ...) are skipped silently: counted nowhere.
    * If no object is read, the result holds one unreadable :class:`Piece` (key: the prefix)
      and one message, ``No CSV object found under s3://bucket/prefix/ (CSV objects end in
      .csv).``
    * An object that cannot be opened or read (``OSError``), whose bytes start with gzip
      (``1f 8b``) or ZIP (``50 4b 03 04``) magic, or that is not valid UTF-8, is one unreadable
      piece with one message; none of its definitions is processed. *mock*: to know that before
      importing anything, each object is checked in a first streaming pass, then rewound (a
      seekable stream) or opened again. A UTF-8 BOM is accepted.
    * Objects are streamed: read in chunks of :data:`READ_CHUNK_SIZE` bytes, decoded
      incrementally, rows dropped once processed. Memory does not grow with an object's size
      (only :class:`Piece` records, one per ``piece_size`` definitions, and user IDs are kept).

CSV
    * The first non-blank row is the header; dot notation builds nested fields:
      ``Location.Country`` -> ``{"Location": {"Country": "PT"}}``, ``User.UserId``,
      ``User.UserAttributes.FirstName`` -> ``{"User": {"UserAttributes": {"FirstName": [..]}}}``,
      ``Attributes.Interests`` -> ``{"Attributes": {"Interests": [..]}}``,
      ``Metrics.Purchases`` -> ``{"Metrics": {"Purchases": 3.0}}``. Top-level columns: ``Id``,
      ``Address``, ``ChannelType``, ``OptOut``, ``EffectiveDate``, ``EndpointStatus``,
      ``RequestId``; ``Demographic.*`` and ``Location.*`` take the members of botocore's
      ``EndpointDemographic`` / ``EndpointLocation`` (``Location.Latitude`` and ``Longitude``
      are numbers, like Metrics).
    * A repeated ``Attributes.*`` / ``User.UserAttributes.*`` column gives a multi-valued
      attribute, values in column order. Empty cells are omitted; a field, attribute or group
      whose cells are all empty is absent.
    * *mock*: header names are case-sensitive and stripped of surrounding blanks. An unknown
      column, or a repeated column other than an attribute, fails every row of the object
      with a message naming it, so a misspelt column never goes unnoticed.
    * Standard quoting (:mod:`csv`; a quoted cell may span lines), LF / CRLF / CR line ends,
      blank lines skipped. A row with a different number of cells than the header is a row
      failure; so is a row the :mod:`csv` module refuses (e.g. a cell over its field limit).

JSON
    * Newline-delimited: each non-blank line is one object in botocore's ``EndpointRequest``
      shape (plus ``Id``): Attributes / UserAttributes values are lists of strings, Metrics
      values numbers. A line that is not valid JSON, not an object, or with a member of the
      wrong type or (*mock*) an unknown field is a row failure. Empty strings and emptied
      lists / objects are dropped, as empty CSV cells are (*mock*).

Validation: one function, :func:`check_definition`, for both formats. Each problem is a row
failure: counted in ``total_failures``, its message among the first
:data:`MAX_REPORTED_FAILURES` in ``failures``; the rest of the object still imports. Only the
first problem of a definition is reported, in this order: CSV cell count / JSON types and
numbers; ChannelType value; required fields; OptOut; attribute names and values.

    * ``ChannelType``, when given, must be in :data:`CHANNEL_TYPES`.
    * Without ``Id`` (a new endpoint) ``ChannelType`` and ``Address`` are required.
    * With ``Id`` and both ``ChannelType`` and ``Address`` the definition creates or replaces
      the endpoint; with ``Id`` but without one of them it updates an existing endpoint, and
      ``endpoint_exists(Id)`` must be true.
    * ``OptOut``, when given, is ``ALL`` or ``NONE``.
    * Attribute names (``Attributes.*``, ``User.UserAttributes.*``, ``Metrics.*``) are at most
      :data:`MAX_ATTRIBUTE_NAME_LENGTH` (50) characters; attribute values at most
      :data:`MAX_ATTRIBUTE_VALUE_LENGTH` (100). Metrics, Latitude and Longitude are numbers:
      in CSV what ``float()`` accepts, in JSON a number (not a boolean); *mock*: ``nan`` and
      infinities are refused too (JSON cannot carry them back).

User IDs
    * A CSV object whose header is exactly ``User.UserId``, or a JSON object whose first
      definition is ``{"User": {"UserId": ...}}``, is a file of user IDs. In CSV a cell may hold
      several blank-separated IDs. Each user ID counts as one processed and imported
      definition; ``on_endpoint`` is not called and ``channel_counts`` stays empty: the caller
      resolves the users to their endpoints. In a JSON user-ID file every line must have that
      shape.
    * *mock*: an import that mixes user-ID objects with endpoint objects does not import the
      user IDs: each user-ID object gets one message and its IDs count as failures.

Pieces
    * The definitions of each object are split into consecutive pieces of ``piece_size``
      (:data:`PIECE_SIZE`; *mock*: AWS does not publish its piece size); the last may be
      smaller, and a piece never spans two objects. An object with no definition (empty,
      header only) is one piece with nothing processed. A piece failed when it could not be
      read or none of its definitions imported.

Messages (one sentence each; ``n`` is the 1-based physical line where the definition starts,
the CSV header being line 1)::

    s3://{bucket}/{key} line {n}: Address is required for a new endpoint (no Id).
    s3://{bucket}/{key} line {n}: ChannelType is required for a new endpoint (no Id).
    s3://{bucket}/{key} line {n}: ChannelType must be one of ADM, APNS, ..., VOICE, got 'PIGEON'.
    s3://{bucket}/{key} line {n}: no endpoint with Id 'ep-1' exists to update, so ChannelType
        and Address are required.
    s3://{bucket}/{key} line {n}: OptOut must be ALL or NONE, got 'SOME'.
    s3://{bucket}/{key} line {n}: Metrics.Visits must be a number, got 'many'.
    s3://{bucket}/{key} line {n}: Attributes.Plan value must be at most 100 characters, got 105.
    s3://{bucket}/{key} line {n}: Attributes.{name} name must be at most 50 characters, got 51.
    s3://{bucket}/{key} line {n}: the row has 3 cells but the header has 5 columns.
    s3://{bucket}/{key} line {n}: unknown column 'Foo' (column 3).
    s3://{bucket}/{key} line {n}: column 'Address' is repeated.
    s3://{bucket}/{key} line {n}: the row cannot be parsed as CSV ({csv module's reason}).
    s3://{bucket}/{key} line {n}: the line is not valid JSON ({reason} at column {c}).
    s3://{bucket}/{key} line {n}: the line must be a JSON object, got an array.
    s3://{bucket}/{key} line {n}: Address must be a string, got 5.
    s3://{bucket}/{key} line {n}: unknown field 'Location.Planet'.
    s3://{bucket}/{key}: the object could not be read ({OSError}).
    s3://{bucket}/{key}: the object is gzip-compressed and Pinpoint imports only uncompressed
        files.  (or: is a ZIP archive and ...)
    s3://{bucket}/{key}: the object is not valid UTF-8 (byte 0xe9 at offset 57) and Pinpoint
        imports only UTF-8 files.
    s3://{bucket}/{key}: the object could not be read after line {n} ({OSError}).
    s3://{bucket}/{key}: a file of user IDs cannot be imported together with endpoint
        definitions, so its 4 user IDs were not imported.
    No CSV object found under s3://{bucket}/{prefix} (CSV objects end in .csv).

Offending values are quoted (``'many'``; JSON values as JSON) and cut after 40 characters.

Performance: a CSV header is analysed once into a column plan (:class:`_CsvPlan`: which
nested member each column feeds), and the plan is compiled into a straight-line Python
function, so a row costs one call with one short statement per column. Without
``on_endpoint`` that function builds only the top-level fields :func:`check_definition` looks
at. On a ``csv.DictReader`` baseline over the same bytes, CSV imports run about 1.4 times as
fast without ``on_endpoint`` and at about 0.9 of its speed with one (nested dicts cost more
than DictReader's flat one).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import posixpath
import sys
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Callable, Iterable, List, Union, cast

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

_CHANNEL_TYPE_ORDER = (
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
CHANNEL_TYPES: frozenset[str] = frozenset(_CHANNEL_TYPE_ORDER)
"""botocore's ``ChannelType`` enum."""

OPT_OUT_VALUES: frozenset[str] = frozenset({"ALL", "NONE"})
"""The values ``OptOut`` may take."""

_CHANNEL_TYPE_LIST = ", ".join(sorted(CHANNEL_TYPES))
_EXTENSIONS: dict[str, frozenset[str]] = {
    "CSV": frozenset({".csv"}),
    "JSON": frozenset({".json", ".jsonl", ".ndjson"}),
}
_EXTENSION_HINT = {
    "CSV": "CSV objects end in .csv",
    "JSON": "JSON objects end in .json, .jsonl or .ndjson",
}
_BOM = codecs.BOM_UTF8
_BLANK = b" \t\r\n"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"

# The members of botocore's EndpointRequest (plus Id, which import files may carry).
_TOP_FIELDS = frozenset(
    {"Id", "Address", "ChannelType", "OptOut", "EffectiveDate", "EndpointStatus", "RequestId"}
)
_GROUP_STRINGS: dict[str, frozenset[str]] = {
    "Demographic": frozenset(
        {
            "AppVersion",
            "Locale",
            "Make",
            "Model",
            "ModelVersion",
            "Platform",
            "PlatformVersion",
            "Timezone",
        }
    ),
    "Location": frozenset({"City", "Country", "PostalCode", "Region"}),
}
_GROUP_NUMBERS: dict[str, frozenset[str]] = {"Location": frozenset({"Latitude", "Longitude"})}
_ATTRIBUTE_PREFIX = "Attributes."
_USER_ATTRIBUTE_PREFIX = "User.UserAttributes."
_METRIC_PREFIX = "Metrics."

Definition = dict[str, Any]
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


# Pieces are the one thing kept per 100 definitions: slots keep them small where possible.
_SLOTS: dict[str, Any] = {"slots": True} if sys.version_info >= (3, 10) else {}


@dataclass(**_SLOTS)
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
    failures: list[str] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    imported: int = 0
    channel_counts: dict[str, int] = field(default_factory=dict)
    user_ids: list[str] = field(default_factory=list)
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


def _label(prefix: str, name: str) -> str:
    """``Attributes.Plan``; a very long name is cut to keep messages short."""
    return prefix + (name if len(name) <= 60 else name[:57] + "...")


def _not_number(label: str, value: Any) -> str:
    return f"{label} must be a number, got {_show(value)}"


# --------------------------------------------------------------------------------------------
# Validation shared by both formats


def _name_problem(prefix: str, name: str) -> str | None:
    if len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
        return (
            f"{_label(prefix, name)} name must be at most {MAX_ATTRIBUTE_NAME_LENGTH} "
            f"characters, got {len(name)}"
        )
    return None


def _attributes_problem(prefix: str, attributes: dict[str, list[str]]) -> str | None:
    for name, values in attributes.items():
        problem = _name_problem(prefix, name)
        if problem:
            return problem
        longest = max(map(len, values), default=0)
        if longest > MAX_ATTRIBUTE_VALUE_LENGTH:
            return (
                f"{_label(prefix, name)} value must be at most {MAX_ATTRIBUTE_VALUE_LENGTH} "
                f"characters, got {longest}"
            )
    return None


def check_definition(
    definition: Definition,
    endpoint_exists: Callable[[str], bool],
    attributes_checked: bool = False,
) -> str | None:
    """Apply the import rules to one normalised definition (both formats use this).

    Args:
        definition: an ``EndpointRequest``-shaped dict as the CSV and JSON readers build it:
            no empty strings, attribute lists non-empty, Metrics already floats.
        endpoint_exists: tells whether an endpoint with a given Id is registered in the app;
            asked only for a definition with ``Id`` that lacks ``ChannelType`` or ``Address``.
        attributes_checked: the caller has already made sure that every attribute and metric
            name is at most 50 characters and every attribute value at most 100 (the CSV
            reader knows the names from the header and measures the cells); skip those checks.

    Returns:
        None when the definition imports, else the reason of the first problem found, without
        line or trailing period, e.g. ``"Address is required for a new endpoint (no Id)"``.
        Order: ChannelType value, required fields, OptOut, Attributes, User.UserAttributes,
        Metrics names.
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
    if attributes_checked:
        return None
    attributes = definition.get("Attributes")
    if attributes:
        problem = _attributes_problem(_ATTRIBUTE_PREFIX, attributes)
        if problem:
            return problem
    user = definition.get("User")
    if user:
        user_attributes = user.get("UserAttributes")
        if user_attributes:
            problem = _attributes_problem(_USER_ATTRIBUTE_PREFIX, user_attributes)
            if problem:
                return problem
    metrics = definition.get("Metrics")
    if metrics:
        for name in metrics:
            problem = _name_problem(_METRIC_PREFIX, name)
            if problem:
                return problem
    return None


# --------------------------------------------------------------------------------------------
# CSV

_Converter = Callable[[List[str]], Union[str, None]]
"""Imports one row (as many cells as the header): None when it imported, else the reason."""


def _no_converter(row: list[str]) -> str | None:
    raise AssertionError("no CSV header yet")  # never called: no row has -1 cells


class _Field:
    """One member of the definition a CSV header describes.

    ``kind`` is ``"text"`` (one column, a string), ``"number"`` (one column, a float; ``label``
    names it in messages), ``"list"`` (one or more columns, a list of strings: an attribute) or
    ``"map"`` (a nested dict of ``children``).
    """

    __slots__ = ("kind", "columns", "label", "children")

    def __init__(self, kind: str, columns: list[int] | None = None, label: str = "") -> None:
        self.kind = kind
        self.columns: list[int] = columns or []
        self.label = label
        self.children: dict[str, _Field] = {}

    def child_map(self, key: str) -> _Field:
        """The nested map ``key``, created on first use."""
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = _Field("map")
        return child

    def all_columns(self) -> list[int]:
        return [c for child in self.children.values() for c in child.all_columns()] + self.columns


class _CsvPlan:
    """Where each column of one CSV header goes, worked out once per object.

    Attributes:
        width: number of columns.
        problem: a header problem (unknown or repeated column) that fails every row, or None.
        user_ids_only: the header is exactly ``User.UserId``.
        root: the top-level members of the definition (a ``"map"`` :class:`_Field`), in order
            of first column.
        names_ok: every attribute and metric name is within the 50-character limit.
        value_columns: the columns that hold attribute values.
    """

    def __init__(self, header: list[str]) -> None:
        names = [name.strip() for name in header]
        self.width = len(names)
        self.problem: str | None = None
        self.user_ids_only = names == ["User.UserId"]
        root = self.root = _Field("map")
        seen = set()
        for column, name in enumerate(names):
            group, _, member = name.partition(".")
            if name.startswith(_ATTRIBUTE_PREFIX) and len(name) > len(_ATTRIBUTE_PREFIX):
                parent = root.child_map("Attributes")
                member = name[len(_ATTRIBUTE_PREFIX) :]
            elif name.startswith(_USER_ATTRIBUTE_PREFIX) and len(name) > len(
                _USER_ATTRIBUTE_PREFIX
            ):
                parent = root.child_map("User").child_map("UserAttributes")
                member = name[len(_USER_ATTRIBUTE_PREFIX) :]
            else:
                parent = None
            if parent is not None:  # an attribute: a repeated column adds a value
                parent.children.setdefault(member, _Field("list")).columns.append(column)
                continue
            if name in seen:
                self.problem = self.problem or f"column {_show(name)} is repeated"
                continue
            seen.add(name)
            if not member and name in _TOP_FIELDS:
                root.children[name] = _Field("text", [column])
            elif name == "User.UserId":
                root.child_map("User").children[member] = _Field("text", [column])
            elif group == "Metrics" and member:
                root.child_map(group).children[member] = _Field(
                    "number", [column], _label(_METRIC_PREFIX, member)
                )
            elif member in _GROUP_STRINGS.get(group, ()):
                root.child_map(group).children[member] = _Field("text", [column])
            elif member in _GROUP_NUMBERS.get(group, ()):
                root.child_map(group).children[member] = _Field("number", [column], name)
            else:
                self.problem = self.problem or f"unknown column {_show(name)} (column {column + 1})"
        attribute_maps = [
            root.children.get("Attributes"),
            root.children.get("User", _Field("map")).children.get("UserAttributes"),
        ]
        named = [m for m in [*attribute_maps, root.children.get("Metrics")] if m is not None]
        self.names_ok = all(
            len(name) <= MAX_ATTRIBUTE_NAME_LENGTH for m in named for name in m.children
        )
        self.value_columns = [c for m in attribute_maps if m is not None for c in m.all_columns()]

    def compile(
        self,
        endpoint_exists: Callable[[str], bool],
        counts: dict[str, int],
        on_endpoint: Callable[[Definition], None] | None = None,
        build: bool = True,
    ) -> _Converter:
        """Build the converter of this header: straight-line code, a few statements per column.

        The per-row work is the hot loop of an import, so the plan is turned into the source of
        a function (``c0, c1, ... = row``, then ``if c3: t1[k7] = c3`` ...) and compiled once.
        The source holds only identifiers made here, integers and ``''``: every string from the
        header (attribute names, labels) and every callable reaches it as a closure constant
        ``k<n>``, so no header text is ever executed. The function ends with
        :func:`check_definition` (telling it whether the attribute lengths are known to be
        within limits); when that passes it adds one to ``counts[ChannelType cell]`` (``counts``
        must hold every channel type and ``""``) and calls ``on_endpoint`` with the definition.

        With ``build`` False (only when ``on_endpoint`` is None: nothing will see the
        definition) the function builds only the top-level string fields, which is all
        ``check_definition`` needs then, still converts every number in the same order (so it
        fails the same rows with the same reasons), and hands a row with a long cell to the
        full converter for the exact message.
        """
        if self.problem is not None:
            problem = self.problem
            return lambda row: problem
        return _ConverterWriter(self, endpoint_exists, counts, on_endpoint, build).function()


class _ConverterWriter:
    """Writes and compiles the source of one :class:`_CsvPlan` converter."""

    def __init__(
        self,
        plan: _CsvPlan,
        endpoint_exists: Callable[[str], bool],
        counts: dict[str, int],
        on_endpoint: Callable[[Definition], None] | None,
        build: bool,
    ) -> None:
        if not build and on_endpoint is not None:
            raise ValueError("a converter that does not build definitions cannot hand them over")
        self.plan = plan
        self.build = build
        self.constants: list[Any] = []
        self.strings: dict[str, str] = {}
        self.lines: list[str] = []
        self.temporaries = 0
        self.to_float = self.constant(float)
        self.value_error = self.constant(ValueError)
        self.not_number = self.constant(_not_number)
        self.check = self.constant(check_definition)
        self.exists = self.constant(endpoint_exists)
        self.counts = self.constant(counts)
        self.on_endpoint = None if on_endpoint is None else self.constant(on_endpoint)
        self.full = self.constant(None if build else plan.compile(endpoint_exists, counts))

    def constant(self, value: Any) -> str:
        """The name under which the converter sees ``value`` (one name per distinct string)."""
        if isinstance(value, str) and value in self.strings:
            return self.strings[value]
        self.constants.append(value)
        name = f"k{len(self.constants) - 1}"
        if isinstance(value, str):
            self.strings[value] = name
        return name

    def write(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def display(self, field: _Field) -> str:
        """The expression of ``field`` when none of its cells is empty."""
        if field.kind == "text":
            return f"c{field.columns[0]}"
        if field.kind == "number":
            return f"x{field.columns[0]}"
        if field.kind == "list":
            return "[" + ", ".join(f"c{c}" for c in field.columns) + "]"
        items = (
            f"{self.constant(key)}: {self.display(child)}" for key, child in field.children.items()
        )
        return "{" + ", ".join(items) + "}"

    def numbers(self, field: _Field) -> None:
        """Convert every number cell under ``field`` to ``x<column>``, in plan order."""
        for member in field.children.values():
            if member.kind == "map":
                self.numbers(member)
            elif member.kind == "number":
                column = member.columns[0]
                fail = f"return {self.not_number}({self.constant(member.label)}, c{column})"
                self.write(0, f"if c{column}:")
                self.write(1, f"try: x{column} = {self.to_float}(c{column})")
                self.write(1, f"except {self.value_error}: {fail}")
                # x - x is 0.0 for a finite x, nan (true) for inf or nan: math.isfinite, inline
                self.write(1, f"if x{column} - x{column}: {fail}")

    def fill(self, indent: int, target: str, members: dict[str, _Field]) -> None:
        """Statements that add ``members`` to the dict ``target``."""
        for key, member in members.items():
            if member.kind == "number":
                column = member.columns[0]
                self.write(indent, f"if c{column}: {target}[{self.constant(key)}] = x{column}")
            elif member.kind == "text":
                cell = f"c{member.columns[0]}"
                self.write(indent, f"if {cell}: {target}[{self.constant(key)}] = {cell}")
            elif member.kind == "list" and len(member.columns) == 1:
                cell = f"c{member.columns[0]}"
                self.write(indent, f"if {cell}: {target}[{self.constant(key)}] = [{cell}]")
            elif member.kind == "list":
                self.write(indent, f"v = {self.display(member)}")
                self.write(indent, "while '' in v: v.remove('')")
                self.write(indent, f"if v: {target}[{self.constant(key)}] = v")
            else:
                self.temporaries += 1
                name, slot = f"t{self.temporaries}", self.constant(key)
                # the common case, every cell filled, is one dict display
                columns = sorted(member.all_columns())
                every = " and ".join(f"c{c}" for c in columns)
                self.write(indent, f"if {every}: {target}[{slot}] = {self.display(member)}")
                if len(columns) == 1:
                    continue  # its only cell is empty: the map is absent
                self.write(indent, "else:")
                self.write(indent + 1, f"{name} = {{}}")
                self.fill(indent + 1, name, member.children)
                self.write(indent + 1, f"if {name}: {target}[{slot}] = {name}")

    def function(self) -> _Converter:
        plan = self.plan
        self.write(0, "".join(f"c{column}, " for column in range(plan.width)) + "= row")
        self.numbers(plan.root)
        scalars = {k: f for k, f in plan.root.children.items() if f.kind == "text"}
        nested = {k: f for k, f in plan.root.children.items() if f.kind != "text"}
        if scalars:
            every = " and ".join(f"c{f.columns[0]}" for f in scalars.values())
            shown = (
                "{"
                + ", ".join(f"{self.constant(k)}: c{f.columns[0]}" for k, f in scalars.items())
                + "}"
            )
            self.write(0, f"if {every}: d = {shown}")
            self.write(0, "else:")
            self.write(1, "d = {}")
            self.fill(1, "d", scalars)
        else:
            self.write(0, "d = {}")
        if self.build:
            self.fill(0, "d", nested)
        limit = MAX_ATTRIBUTE_VALUE_LENGTH
        if not plan.names_ok:
            checked = "False"
        elif plan.value_columns:
            size = self.constant(len)
            checked = " and ".join(f"{size}(c{c}) <= {limit}" for c in plan.value_columns)
        else:
            checked = "True"
        if not self.build and checked != "True":
            self.write(0, f"if not ({checked}): return {self.full}(row)")
            checked = "True"
        top = plan.root.children
        imported = []  # what follows an accepted definition
        if "ChannelType" in top:  # the cell is "" (an update) or a valid channel type
            imported.append(f"{self.counts}[c{top['ChannelType'].columns[0]}] += 1")
        if self.on_endpoint is not None:
            imported.append(f"{self.on_endpoint}(d)")
        if "ChannelType" in top and "Address" in top and checked != "False":
            # A shortcut, not a second set of rules: a row with a valid ChannelType, an Address
            # and an OptOut among "", ALL, NONE is one that check_definition accepts (with the
            # attribute lengths checked), so it is not asked.
            accept = [
                f"c{top['ChannelType'].columns[0]} in {self.constant(CHANNEL_TYPES)}",
                f"c{top['Address'].columns[0]}",
            ]
            if "OptOut" in top:
                optional = self.constant(OPT_OUT_VALUES | {""})
                accept.append(f"c{top['OptOut'].columns[0]} in {optional}")
            if checked != "True":
                accept.append(checked)
            self.write(0, f"if {' and '.join(accept)}:")
            for line in imported:
                self.write(1, line)
            self.write(1, "return None")
        self.write(0, f"r = {self.check}(d, {self.exists}, {checked})")
        self.write(0, "if r is None:")
        for line in imported or ["pass"]:
            self.write(1, line)
        self.write(0, "return r")
        source = "".join(
            [
                f"def make({', '.join(f'k{i}' for i in range(len(self.constants)))}):\n",
                "    def convert(row):\n",
                *(f"        {line}\n" for line in self.lines),
                "    return convert\n",
            ]
        )
        namespace: dict[str, Any] = {}
        code = compile(source, "<importer: CSV column plan>", "exec")
        exec(code, {"__builtins__": {}}, namespace)
        return cast(_Converter, namespace["make"](*self.constants))


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


def _json_number(label: str, value: Any) -> float | str:
    """``value`` as a finite float, or the failure reason (booleans are not numbers)."""
    kind = type(value)
    if kind is float:
        number: float = value
    elif kind is int:
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a double
            return _not_number(label, value)
    else:
        return _not_number(label, value)
    if number - number:  # inf or nan
        return _not_number(label, value)
    return number


def _json_attributes(label: str, members: dict[str, Any]) -> dict[str, list[str]] | str:
    """Check an Attributes / UserAttributes object; drop empty strings and emptied names."""
    emptied = False
    for name, values in members.items():
        if type(values) is list:
            for item in values:
                if type(item) is not str:
                    break
            else:
                if "" in values:
                    emptied = True
                continue
        return f"{label}.{name} must be a list of strings, got {_show(values)}"
    if not emptied:
        return members
    cleaned = {name: [item for item in values if item] for name, values in members.items()}
    return {name: values for name, values in cleaned.items() if values}


def _json_metrics(members: dict[str, Any]) -> dict[str, float] | str:
    """Check a Metrics object; its values become floats."""
    for name, value in members.items():
        if type(value) is not float or value - value:
            number = _json_number(_label(_METRIC_PREFIX, name), value)
            if type(number) is str:
                return number
            members[name] = number
    return members


def _json_group(group: str, members: dict[str, Any]) -> Definition | str:
    """Check a Demographic / Location / User object (members of the wrong type fail)."""
    strings = _JSON_GROUP_STRINGS[group]
    numbers = _GROUP_NUMBERS.get(group, frozenset())
    emptied = False
    for key, item in members.items():
        if key in strings:
            if type(item) is not str:
                return f"{group}.{key} must be a string, got {_show(item)}"
            if not item:
                emptied = True
        elif key in numbers:
            number = _json_number(f"{group}.{key}", item)
            if type(number) is str:
                return number
            members[key] = number
        elif group == "User" and key == "UserAttributes":
            if type(item) is not dict:
                return f"User.UserAttributes must be an object, got {_json_type(item)}"
            attributes = _json_attributes("User.UserAttributes", item)
            if type(attributes) is str:
                return attributes
            if attributes is not item:
                members[key] = attributes
            if not attributes:
                emptied = True
        else:
            return f"unknown field {_show(group + '.' + key)}"
    if emptied:
        return {key: item for key, item in members.items() if item}
    return members


_JSON_GROUP_STRINGS: dict[str, frozenset[str]] = {**_GROUP_STRINGS, "User": frozenset({"UserId"})}
_JSON_KINDS: dict[str, str] = {
    **dict.fromkeys(_TOP_FIELDS, "text"),
    **dict.fromkeys(_JSON_GROUP_STRINGS, "group"),
    "Attributes": "attributes",
    "Metrics": "metrics",
}


def _json_definition(value: Any) -> Definition | str:
    """Check the types of one parsed JSON line and normalise it, or return the failure reason.

    The parsed objects are reused (a line's objects are fresh from :func:`json.loads`); empty
    strings, emptied lists and emptied objects are dropped and numbers become floats, so the
    result has the shape the CSV reader builds.
    """
    if type(value) is not dict:
        return f"the line must be a JSON object, got {_json_type(value)}"
    emptied = False
    for name, member in value.items():
        kind = _JSON_KINDS.get(name)
        if kind == "text":
            if type(member) is not str:
                return f"{name} must be a string, got {_show(member)}"
            if not member:
                emptied = True
            continue
        if kind is None:
            return f"unknown field {_show(name)}"
        if type(member) is not dict:
            return f"{name} must be an object, got {_json_type(member)}"
        if kind == "group":
            checked: Any = _json_group(name, member)
        elif kind == "attributes":
            checked = _json_attributes(name, member)
        else:
            checked = _json_metrics(member)
        if type(checked) is str:
            return checked
        if checked is not member:
            value[name] = checked
        if not checked:
            emptied = True
    if emptied:
        return {name: member for name, member in value.items() if member}
    return value


def _is_user_id_line(value: Any) -> bool:
    """True for ``{"User": {"UserId": ...}}`` and nothing else."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    user = value.get("User")
    return isinstance(user, dict) and len(user) == 1 and "UserId" in user


def _json_user_id_problem(value: Any) -> str | None:
    """None for a good line of a JSON user-ID file, else the failure reason."""
    if not _is_user_id_line(value):
        return 'a file of user IDs must hold only {"User": {"UserId": "..."}} lines'
    user_id = value["User"]["UserId"]
    if not isinstance(user_id, str) or not user_id.strip():
        return f"User.UserId must be a non-empty string, got {_show(user_id)}"
    return None


# --------------------------------------------------------------------------------------------
# Objects


def _extension_format(key: str) -> str | None:
    """``"CSV"``/``"JSON"`` by extension, ``""`` for a key without extension, None otherwise."""
    extension = posixpath.splitext(key)[1].lower()
    if not extension:
        return ""
    for fmt, extensions in _EXTENSIONS.items():
        if extension in extensions:
            return fmt
    return None


def _inspect(stream: BinaryIO, fmt: str, sniff: bool) -> tuple[bool, str | None]:
    """First pass over an object: is it of ``fmt``, and can it be imported?

    Streams the whole object in chunks, keeping nothing: checks gzip/ZIP magic and UTF-8,
    and with ``sniff`` decides the format from the first non-blank byte after a BOM.

    Returns:
        ``(False, None)`` to skip the object (sniffed, not of ``fmt``); ``(True, None)`` when it
        can be imported; ``(True, reason)`` when it cannot.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = b""  # start of a multi-byte sequence held by the decoder
    consumed = 0
    head = b""  # the first 4 bytes
    magic_checked = False
    looks: str | None = None if sniff else fmt
    start: bytes | None = b""  # while sniffing, the first bytes until the BOM question is settled
    while True:
        chunk = stream.read(READ_CHUNK_SIZE)
        if not chunk:
            break
        if len(head) < 4:
            head += chunk[: 4 - len(head)]
        if looks is None:
            body = chunk
            if start is not None:
                start += chunk
                if len(start) < len(_BOM) and _BOM.startswith(start):
                    body = b""
                else:
                    body = start[len(_BOM) :] if start.startswith(_BOM) else start
                    start = None
            rest = body.lstrip(_BLANK)
            if rest:
                looks = "JSON" if rest[:1] == b"{" else "CSV"
                if looks != fmt:
                    return False, None
        if looks is not None and not magic_checked and len(head) >= 4:
            magic_checked = True
            problem = _magic_problem(head)
            if problem:
                return True, problem
        if pending or not chunk.isascii():
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return True, _utf8_problem(error, consumed - len(pending))
            pending = decoder.getstate()[0]
        consumed += len(chunk)
    if looks is None:
        if not start:
            return False, None  # nothing but blanks: looks like neither format
        if fmt != "CSV":
            return False, None  # a lone partial BOM is not blank: it looks like CSV
    problem = _magic_problem(head)
    if problem:
        return True, problem
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return True, _utf8_problem(error, consumed - len(pending))
    return True, None


def _magic_problem(head: bytes) -> str | None:
    if head.startswith(_GZIP_MAGIC):
        return "the object is gzip-compressed and Pinpoint imports only uncompressed files"
    if head.startswith(_ZIP_MAGIC):
        return "the object is a ZIP archive and Pinpoint imports only uncompressed files"
    return None


def _utf8_problem(error: UnicodeDecodeError, start: int) -> str:
    byte = error.object[error.start]
    return (
        f"the object is not valid UTF-8 (byte 0x{byte:02x} at offset {start + error.start}) "
        "and Pinpoint imports only UTF-8 files"
    )


class _Run:
    """The state of one :func:`run_import` call."""

    def __init__(
        self,
        endpoint_exists: Callable[[str], bool],
        on_endpoint: Callable[[Definition], None] | None,
        piece_size: int,
    ) -> None:
        self.result = ImportResult()
        self.endpoint_exists = endpoint_exists
        self.on_endpoint = on_endpoint
        self.piece_size = piece_size
        # imported definitions per ChannelType ("" for updates that give none)
        self.counts = dict.fromkeys(_CHANNEL_TYPE_ORDER, 0)
        self.counts[""] = 0
        self.plans: dict[tuple[str, ...], tuple[_CsvPlan, _Converter]] = {}
        # per object read: (url, kind, first piece index, end piece index); kind is "users",
        # "endpoints" or None (nothing could be read)
        self.objects: list[tuple[str, str | None, int, int]] = []

    def report(self, message: str) -> None:
        """Keep a failure message if there is room (counts nothing)."""
        if len(self.result.failures) < MAX_REPORTED_FAILURES:
            self.result.failures.append(message)

    def read_object(self, obj: SourceObject, fmt: str, sniff: bool) -> None:
        """Check then import one object (unless ``sniff`` finds it is not of ``fmt``)."""
        url = f"s3://{obj.bucket}/{obj.key}"
        problem: str | None = None
        stream: BinaryIO | None = None
        try:
            stream = obj.open()
            seekable = stream.seekable()
            start = stream.tell() if seekable else 0
            wanted, problem = _inspect(stream, fmt, sniff)
            if not wanted:
                stream.close()
                return
            if problem is None:
                if seekable:
                    stream.seek(start)
                else:
                    stream.close()
                    stream = None
                    stream = obj.open()
        except OSError as error:
            problem = f"the object could not be read ({error})"
        self.result.objects_read += 1
        if problem is not None or stream is None:
            if stream is not None:
                stream.close()
            self.result.pieces.append(Piece(obj.key, 0, 0, readable=False))
            self.objects.append((url, None, len(self.result.pieces), len(self.result.pieces)))
            self.report(f"{url}: {problem}.")
            return
        text = io.TextIOWrapper(cast(IO[bytes], stream), encoding="utf-8-sig", newline="")
        try:
            if fmt == "CSV":
                self.read_csv(text, url, obj.key)
            else:
                self.read_json(text, url, obj.key)
        finally:
            text.close()

    def plan(self, header: list[str]) -> tuple[_CsvPlan, _Converter]:
        """The plan and converter of a CSV header, made once per distinct header per run."""
        key = tuple(header)
        known = self.plans.get(key)
        if known is None:
            plan = _CsvPlan(header)
            convert: _Converter = _no_converter
            if not plan.user_ids_only:
                on_endpoint = self.on_endpoint
                build = on_endpoint is not None
                convert = plan.compile(self.endpoint_exists, self.counts, on_endpoint, build)
            known = self.plans[key] = (plan, convert)
        return known

    def read_csv(self, text: io.TextIOWrapper, url: str, key: str) -> None:
        """Import the rows of one CSV object: the first non-blank row is the header."""
        result = self.result
        pieces, failures = result.pieces, result.failures
        first_piece = len(pieces)
        size = self.piece_size
        reader = csv.reader(text)
        plan: _CsvPlan | None = None
        convert: _Converter = _no_converter
        width = -1  # the number of cells of a row for the fast path: none before the header
        in_piece = imported_in_piece = failed = 0
        end = 0  # physical line where the last row read ends
        readable = True
        try:
            while True:
                try:
                    for row in reader:
                        if len(row) == width:  # the hot path: one endpoint definition
                            reason = convert(row)
                            in_piece += 1
                            if reason is None:
                                imported_in_piece += 1
                            else:
                                failed += 1
                                if len(failures) < MAX_REPORTED_FAILURES:
                                    failures.append(f"{url} line {end + 1}: {reason}.")
                            if in_piece == size:
                                pieces.append(Piece(key, in_piece, imported_in_piece))
                                in_piece = imported_in_piece = 0
                        elif not row:
                            pass  # a blank line
                        elif plan is None:
                            plan, convert = self.plan(row)
                            if not plan.user_ids_only:
                                width = plan.width
                        elif plan.user_ids_only and len(row) == 1:
                            for user_id in row[0].split():
                                result.user_ids.append(user_id)
                                in_piece += 1
                                imported_in_piece += 1
                                if in_piece == size:
                                    pieces.append(Piece(key, in_piece, imported_in_piece))
                                    in_piece = imported_in_piece = 0
                        else:
                            failed += 1
                            self.report(
                                f"{url} line {end + 1}: the row has {len(row)} cells "
                                f"but the header has {plan.width} columns."
                            )
                            in_piece += 1
                            if in_piece == size:
                                pieces.append(Piece(key, in_piece, imported_in_piece))
                                in_piece = imported_in_piece = 0
                        end = reader.line_num
                    break
                except csv.Error as error:
                    failed += 1
                    self.report(f"{url} line {end + 1}: the row cannot be parsed as CSV ({error}).")
                    end = reader.line_num
                    in_piece += 1
                    if in_piece == size:
                        pieces.append(Piece(key, in_piece, imported_in_piece))
                        in_piece = imported_in_piece = 0
                    if plan is None:
                        break  # no header: nothing else can be read
        except (OSError, UnicodeDecodeError) as error:
            readable = False
            self.report(f"{url}: the object could not be read after line {end} ({error}).")
        kind = None if plan is None else "users" if plan.user_ids_only else "endpoints"
        self.end_object(url, key, kind, first_piece, in_piece, imported_in_piece, failed, readable)

    def read_json(self, text: io.TextIOWrapper, url: str, key: str) -> None:
        """Import the lines of one newline-delimited JSON object."""
        result = self.result
        pieces, failures, counts = result.pieces, result.failures, self.counts
        first_piece = len(pieces)
        size, on_endpoint, endpoint_exists = self.piece_size, self.on_endpoint, self.endpoint_exists
        loads = json.loads
        kind: str | None = None
        in_piece = imported_in_piece = failed = 0
        line = 0
        readable = True
        try:
            for raw in text:
                line += 1
                if raw.isspace():
                    continue
                definition: Any = None
                reason: str | None
                try:
                    value = loads(raw)
                except json.JSONDecodeError as error:
                    reason = f"the line is not valid JSON ({error.msg} at column {error.colno})"
                except (ValueError, RecursionError) as error:
                    reason = f"the line is not valid JSON ({error})"
                else:
                    if kind is None:
                        if _is_user_id_line(value):
                            kind = "users"
                        elif isinstance(value, dict):
                            kind = "endpoints"
                    if kind == "users":
                        reason = _json_user_id_problem(value)
                        if reason is None:
                            result.user_ids.append(value["User"]["UserId"].strip())
                    else:
                        definition = _json_definition(value)
                        if type(definition) is str:
                            reason = definition
                        else:
                            reason = check_definition(definition, endpoint_exists)
                in_piece += 1
                if reason is not None:
                    failed += 1
                    if len(failures) < MAX_REPORTED_FAILURES:
                        failures.append(f"{url} line {line}: {reason}.")
                else:
                    imported_in_piece += 1
                    if definition is not None:
                        counts[definition.get("ChannelType", "")] += 1
                        if on_endpoint is not None:
                            on_endpoint(definition)
                if in_piece == size:
                    pieces.append(Piece(key, in_piece, imported_in_piece))
                    in_piece = imported_in_piece = 0
        except (OSError, UnicodeDecodeError) as error:
            readable = False
            self.report(f"{url}: the object could not be read after line {line} ({error}).")
        self.end_object(url, key, kind, first_piece, in_piece, imported_in_piece, failed, readable)

    def end_object(
        self,
        url: str,
        key: str,
        kind: str | None,
        first_piece: int,
        in_piece: int,
        imported_in_piece: int,
        failed: int,
        readable: bool,
    ) -> None:
        """Close the last piece of an object and add its counts to the result."""
        result = self.result
        pieces = result.pieces
        if in_piece or not readable or len(pieces) == first_piece:
            pieces.append(Piece(key, in_piece, imported_in_piece, readable=readable))
        for piece in pieces[first_piece:]:
            result.total_processed += piece.processed
            result.imported += piece.imported
        result.total_failures += failed
        self.objects.append((url, kind, first_piece, len(pieces)))

    def settle_user_ids(self) -> None:
        """Set ``user_ids_only``; refuse the user IDs of an import that mixes both kinds."""
        result = self.result
        kinds = {kind for _, kind, _, _ in self.objects if kind is not None}
        if kinds == {"users"}:
            result.user_ids_only = True
            return
        if "users" not in kinds:
            return
        result.user_ids = []
        for url, kind, first_piece, end_piece in self.objects:
            if kind != "users":
                continue
            refused = 0
            for piece in result.pieces[first_piece:end_piece]:
                refused += piece.imported
                piece.imported = 0
            result.imported -= refused
            result.total_failures += refused
            self.report(
                f"{url}: a file of user IDs cannot be imported together with endpoint "
                f"definitions, so its {refused} user IDs were not imported."
            )


def run_import(
    objects: Iterable[SourceObject],
    fmt: str,
    *,
    endpoint_exists: Callable[[str], bool] = lambda endpoint_id: False,
    on_endpoint: Callable[[dict[str, Any]], None] | None = None,
    piece_size: int = PIECE_SIZE,
    s3_url: str | None = None,
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
        s3_url: the job's ``S3Url``, named in the message when no object is read (optional;
            without it the message names the objects' longest common folder, if any).

    Returns:
        The :class:`ImportResult`.
    """
    if fmt not in _EXTENSIONS:
        raise ValueError(f"fmt must be CSV or JSON, got {fmt!r}")
    if piece_size < 1:
        raise ValueError(f"piece_size must be at least 1, got {piece_size}")
    run = _Run(endpoint_exists, on_endpoint, piece_size)
    bucket: str | None = None
    common: str | None = None  # longest common prefix of the keys listed
    for obj in objects:
        if bucket is None:
            bucket = obj.bucket
        common = obj.key if common is None else posixpath.commonprefix([common, obj.key])
        if obj.key.endswith("/"):
            continue  # a folder marker
        by_extension = _extension_format(obj.key)
        if by_extension is None or (by_extension and by_extension != fmt):
            continue
        run.read_object(obj, fmt, sniff=not by_extension)
    result = run.result
    if result.objects_read == 0:
        if s3_url:
            url = s3_url
            prefix = s3_url[len("s3://") :].partition("/")[2] if s3_url.startswith("s3://") else ""
        elif bucket is not None and common is not None:
            prefix = common[: common.rfind("/") + 1]
            url = f"s3://{bucket}/{prefix}"
        else:
            url = prefix = ""
        where = f" under {url}" if url else ""
        result.pieces.append(Piece(prefix, 0, 0, readable=False))
        run.report(f"No {fmt} object found{where} ({_EXTENSION_HINT[fmt]}).")
    result.channel_counts = {name: count for name, count in run.counts.items() if name and count}
    run.settle_user_ids()
    return result
