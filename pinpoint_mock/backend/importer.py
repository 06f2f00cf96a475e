"""Read the endpoint definitions of a Pinpoint import job from S3 objects, in one pass each.

Pure standard library (nothing of HTTP, botocore, moto or werkzeug). The caller lists the
objects under the job's ``S3Url``, wraps each in a :class:`SourceObject` and calls
:func:`run_import`, which returns an :class:`ImportResult`: what ``ImportJobResponse`` reports
(``TotalProcessed``, ``TotalFailures``, ``Failures``, ``TotalPieces``, ``FailedPieces``) and
what a segment needs (``Size``, ``ChannelCounts``, user IDs).

The rules live beside this module, one concept each:
:mod:`~pinpoint_mock.backend.endpoint_rules` (fields, limits, :func:`check_definition`),
:mod:`~pinpoint_mock.backend.object_text` (bytes to lines: compression, UTF-8, BOM),
:mod:`~pinpoint_mock.backend.csv_rows` and :mod:`~pinpoint_mock.backend.json_rows` (the two
formats), :mod:`~pinpoint_mock.backend.import_result` (pieces and counts). This module decides
which objects are read. *mock* marks a choice of this mock where AWS publishes nothing.

Objects
    * An object is read when its key's extension matches the format: ``.csv`` for CSV;
      ``.json``, ``.jsonl``, ``.ndjson`` for JSON (case-insensitive). A key without an extension
      is read when its first bytes look like the format (``{`` first: JSON; anything else:
      CSV; nothing but blanks: neither, skipped). Keys ending in ``/``, objects of the other
      format and other extensions (``.txt``, ``.csv.gz`` ...) are skipped: counted nowhere.
      ("If the Amazon S3 location includes multiple objects of mixed formats, Amazon Pinpoint
      imports only the objects that match the specified format", developer guide.)
    * Each object is opened once and read once, in chunks of :data:`READ_CHUNK_SIZE` bytes;
      rows are dropped once counted, so memory does not grow with an object's size (only one
      :class:`Piece` per 100 definitions, and the IDs of a user-ID file, are kept).
    * "Each import job can transfer up to 1 GB of data" (developer guide): objects are taken
      in listing order, and one whose size would bring the bytes of the objects read by the
      job over :data:`MAX_IMPORT_BYTES` is not read (*mock*: 1 GB is 2**30 bytes; an object
      with an extension is refused before it is opened, one without after its first bytes).
      It is one failed piece with one message; later objects that fit are still read.
    * "Amazon Pinpoint can't import compressed files": an object whose first bytes are those
      of gzip, ZIP, bzip2, xz or zstd is one failed piece with one message.
    * "The files that you import must use UTF-8 character encoding": a UTF-8 BOM is dropped;
      at the first byte that is not UTF-8, reading stops (*mock*): the definitions on the
      lines before it stand (counted, imported or failed, as usual), the piece being filled
      fails and gets one message naming the byte, its offset and its line; nothing after it
      is read. An ``OSError`` while reading ends the object the same way.
    * An object with no definition (empty, only blank lines, a CSV header alone) is one failed
      piece with nothing processed and one message (*mock*).
    * If no object is read, the result holds one failed piece (key: the prefix) and one
      message that says why: ``s3://bucket/in.csv: the object does not exist (NoSuchKey), and
      no object's key starts with it.``; ``No object found under s3://bucket/prefix/: the
      prefix holds no object.``; ``s3://bucket/in.json is not a CSV object (CSV objects end
      in .csv), so it was not read.``; ``No CSV object found under s3://bucket/prefix/ (CSV
      objects end in .csv).`` (objects of other formats only).
    * *mock*: an import that mixes user-ID objects with endpoint objects does not import the
      user IDs: each user-ID object gets one message and its IDs count as failures.

Pieces
    The definitions of each object are split into consecutive pieces of ``piece_size``
    (:data:`PIECE_SIZE`, *mock*); the last may be smaller, and a piece never spans two
    objects. A piece fails when it cannot be read or none of its definitions imported.

Failures
    Each definition that breaks a rule is a row failure: counted in ``total_failures``, its
    message among the first :data:`MAX_REPORTED_FAILURES` in ``failures``; the rest of the
    object still imports. Messages are one sentence: ``s3://{bucket}/{key} line {n}:
    {reason}.`` where ``n`` is the physical line where the definition starts (the CSV header
    is line 1; blank lines count), or ``s3://{bucket}/{key}: {reason}.`` for a whole object::

        Address is required for a new endpoint (no Id)
        ChannelType is required for a new endpoint (no Id)
        ChannelType must be one of ADM, APNS, ..., VOICE, got 'PIGEON'
        no endpoint with Id 'ep-1' exists to update, so ChannelType and Address are required
        OptOut must be ALL or NONE, got 'SOME'
        EndpointStatus must be ACTIVE or INACTIVE, got 'ON'
        Metrics.Visits must be a number, got 'many'
        Attributes.Plan value must be at most 100 characters, got 105
        Attributes.{name} name must be at most 50 characters, got 51
        Attributes.Tags must have at most 50 values, got 51
        the endpoint must be at most 15 KB (15360 bytes as JSON), got 15872 bytes
        Attributes.Colour would be custom attribute name 251 of the application, which may
            have at most 250 (Attributes, User.UserAttributes and Metrics together)
        User.UserId 'u1' may have at most 15 endpoints and already has 15   (``on_endpoint``)
        the row has 3 cells but the header has 5 columns
        unknown column 'Foo' (column 3)  |  column 'Address' is repeated
        column 3 of the header has no name
        the value of Attributes.Note holds a line break, which Pinpoint's CSV import does not
            support  (or: holds a tab)
        a cell of the row is longer than 131,072 characters, the most the mock reads in one
            CSV cell (Pinpoint's own limit is unknown; this one is the mock's), so the row
            is not read
        the row cannot be parsed as CSV ({csv module's reason})
        the line is not valid JSON ({reason} at column {c})
        the line must be a JSON object, got an array
        Address must be a string, got 5
        unknown field 'Location.Planet'
    and for objects::

        the object could not be read ({OSError})
        the object could not be read after line {n} ({OSError})
        the object is gzip-compressed and Pinpoint imports only uncompressed files
        the object is not valid UTF-8 (byte 0xe9 at offset 57, line 3) and Pinpoint imports
            only UTF-8 files; its definitions before line 3 were read, the rest of it was not
        the object holds no definition (it is empty, or holds only a header or blank lines)
        the object is 1073741825 bytes, over Pinpoint's limit of 1 GB (1073741824 bytes) per
            import job, so it was not read
        the object (600000000 bytes) was not read: with it the import would read 1200000000
            bytes, over Pinpoint's limit of 1 GB (1073741824 bytes) per import job
        a file of user IDs cannot be imported together with endpoint definitions, so its 4
            user IDs were not imported

Performance: CSV rows that pass are counted without building a definition, and when the
import registers its endpoints, a new endpoint's row is stored as it is, one compact record
(see :mod:`~pinpoint_mock.backend.csv_rows` and :mod:`~pinpoint_mock.backend.endpoint_table`).
``python -m benchmarks --only throughput --only registration --only memory`` measures the
whole import job (CreateImportJob to COMPLETED) on the 250,000-row, 31 MB file of
``benchmarks/_aws.py`` against ``csv.DictReader`` merely iterating the same bytes, and its
memory against the file's size (``docs/benchmarks.md`` has the figures).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Optional

from pinpoint_mock.backend.csv_rows import read_csv
from pinpoint_mock.backend.endpoint_rules import (
    CHANNEL_TYPES,
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    OPT_OUT_VALUES,
    check_definition,
)
from pinpoint_mock.backend.import_result import (
    MAX_REPORTED_FAILURES,
    PIECE_SIZE,
    ImportResult,
    OnEndpoint,
    Piece,
    RegisterRows,
    Tally,
)
from pinpoint_mock.backend.json_rows import read_json
from pinpoint_mock.backend.object_text import (
    READ_CHUNK_SIZE,
    ObjectText,
    compression_of,
    looks_like,
    read_head,
)

__all__ = [
    "CHANNEL_TYPES",
    "MAX_ATTRIBUTE_NAME_LENGTH",
    "MAX_ATTRIBUTE_VALUE_LENGTH",
    "MAX_IMPORT_BYTES",
    "MAX_REPORTED_FAILURES",
    "OPT_OUT_VALUES",
    "PIECE_SIZE",
    "READ_CHUNK_SIZE",
    "ImportResult",
    "Piece",
    "RegisterRows",
    "SourceObject",
    "check_definition",
    "run_import",
]

MAX_IMPORT_BYTES = 1 << 30
"""Bytes one import job may read: "1 GB per import job" (quotas.md); *mock*: 2**30."""

_EXTENSIONS: dict[str, frozenset[str]] = {
    "CSV": frozenset({".csv"}),
    "JSON": frozenset({".json", ".jsonl", ".ndjson"}),
}
_EXTENSION_HINT = {
    "CSV": "CSV objects end in .csv",
    "JSON": "JSON objects end in .json, .jsonl or .ndjson",
}


@dataclass(frozen=True)
class SourceObject:
    """One S3 object to import.

    Attributes:
        key: the object's S3 key; failure messages name it as ``s3://{bucket}/{key}``.
        bucket: the bucket's name.
        open: opens the object's bytes as a binary stream (``read(n)`` is called with
            ``n`` = :data:`READ_CHUNK_SIZE`, never without a size). May raise ``OSError``: the
            object is then unreadable. Called at most once per object; :func:`run_import`
            closes the stream.
        size: the object's size in bytes (S3's ``Content-Length``), or None when unknown;
            checked against :data:`MAX_IMPORT_BYTES` before the object is opened.
    """

    key: str
    bucket: str
    open: Callable[[], BinaryIO]
    size: Optional[int] = None


def _extension_format(key: str) -> str | None:
    """``"CSV"``/``"JSON"`` by extension, ``""`` for a key without extension, None otherwise."""
    extension = posixpath.splitext(key)[1].lower()
    if not extension:
        return ""
    for fmt, extensions in _EXTENSIONS.items():
        if extension in extensions:
            return fmt
    return None


class _Budget:
    """The bytes an import job may still read (:data:`MAX_IMPORT_BYTES`)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def refusal(self, size: int | None) -> str | None:
        """Why an object of ``size`` bytes is not read, or None (it is then counted)."""
        if size is None:
            return None
        limit = f"Pinpoint's limit of 1 GB ({self.limit} bytes) per import job"
        if size > self.limit:
            return f"the object is {size} bytes, over {limit}, so it was not read"
        if self.used + size > self.limit:
            return (f"the object ({size} bytes) was not read: with it the import would read "
                    f"{self.used + size} bytes, over {limit}")
        self.used += size
        return None


def _read_object(tally: Tally, budget: _Budget, obj: SourceObject, fmt: str, sniff: bool) -> None:
    """Read one object of ``fmt`` (unless ``sniff`` finds it is not one) into ``tally``."""
    url = f"s3://{obj.bucket}/{obj.key}"
    if not sniff:
        refusal = budget.refusal(obj.size)
        if refusal is not None:
            tally.result.objects_read += 1
            tally.unreadable(url, obj.key, refusal)
            return
    try:
        stream = obj.open()
    except OSError as error:
        tally.result.objects_read += 1
        tally.unreadable(url, obj.key, f"the object could not be read ({error})")
        return
    try:
        try:
            head = read_head(stream)
        except OSError as error:
            tally.result.objects_read += 1
            tally.unreadable(url, obj.key, f"the object could not be read ({error})")
            return
        if sniff and looks_like(head.first) != fmt:
            return
        tally.result.objects_read += 1
        compressed = compression_of(head.start)
        problem = budget.refusal(obj.size) if sniff else None
        if problem is None and compressed is not None:
            problem = f"the object is {compressed} and Pinpoint imports only uncompressed files"
        if problem is not None:
            tally.unreadable(url, obj.key, problem)
            return
        text = ObjectText(stream, head)
        if fmt == "CSV":
            read_csv(text, tally, url, obj.key)
        else:
            read_json(text, tally, url, obj.key)
    finally:
        stream.close()


def _settle_user_ids(tally: Tally) -> None:
    """Set ``user_ids_only``; refuse the user IDs of an import that mixes both kinds."""
    result = tally.result
    kinds = {kind for _, kind, _, _ in tally.kinds if kind is not None}
    if kinds == {"users"}:
        result.user_ids_only = True
        return
    if "users" not in kinds:
        return
    result.user_ids = []
    for url, kind, first_piece, end_piece in tally.kinds:
        if kind != "users":
            continue
        refused = 0
        for piece in result.pieces[first_piece:end_piece]:
            refused += piece.imported
            piece.imported = 0
        result.imported -= refused
        result.total_failures += refused
        tally.report(
            f"{url}: a file of user IDs cannot be imported together with endpoint "
            f"definitions, so its {refused} user IDs were not imported."
        )


def _nothing_read(fmt: str, url: str, prefix: str, keys: list[str]) -> str:
    """Why an import read no object: the key does not exist, the prefix holds nothing, the key
    names an object of another format, or the prefix holds only other formats."""
    hint = _EXTENSION_HINT[fmt]
    if not keys:
        if not url:
            return f"No {fmt} object found: no object was listed."
        if prefix and not prefix.endswith("/"):
            return (f"{url}: the object does not exist (NoSuchKey), and no object's key "
                    "starts with it.")
        return f"No object found under {url}: the prefix holds no object."
    if keys == [prefix] and prefix:
        return f"{url} is not a {fmt} object ({hint}), so it was not read."
    where = f" under {url}" if url else ""
    return f"No {fmt} object found{where} ({hint})."


def run_import(
    objects: Iterable[SourceObject],
    fmt: str,
    *,
    endpoint_exists: Callable[[str], bool] = lambda endpoint_id: False,
    on_endpoint: OnEndpoint | None = None,
    register_rows: RegisterRows | None = None,
    piece_size: int = PIECE_SIZE,
    s3_url: str | None = None,
    attribute_names: set[str] | None = None,
    max_import_bytes: int = MAX_IMPORT_BYTES,
) -> ImportResult:
    """Read and validate the endpoint definitions of the objects of one import job.

    Args:
        objects: the objects listed under the job's ``S3Url``, in listing order.
        fmt: ``"CSV"`` or ``"JSON"`` (validated by the caller; ``ValueError`` otherwise).
        endpoint_exists: tells whether an endpoint with this Id is registered in the app; asked
            only for a definition with ``Id`` that lacks ``ChannelType`` or ``Address``.
        on_endpoint: called, in file order, with each definition that passed the rules: a
            fresh ``EndpointBatchItem``-shaped dict such as ``{"ChannelType": "EMAIL",
            "Address": "a@b", "Location": {"Country": "PT"}, "User": {"UserId": "u1",
            "UserAttributes": {"FirstName": ["Ana"]}}, "Attributes": {"Interests": ["jazz"]},
            "Metrics": {"Purchases": 3.0}}`` (plus ``"Id"`` when given; empty fields absent).
            It returns None to take it, or the reason it refuses it (a row failure). Not called
            for user IDs. When None, nothing is kept.
        register_rows: with ``on_endpoint``, the fast path of CSV rows that define a new
            endpoint (see :data:`~pinpoint_mock.backend.import_result.RegisterRows`): such a
            row, once it passed every rule, is handed to it as a list of cells instead of
            being built into a definition. None: every definition goes to ``on_endpoint``.
        piece_size: definitions per piece (>= 1).
        s3_url: the job's ``S3Url``, named in the message when no object is read (optional;
            without it the message names the objects' longest common folder, if any).
        attribute_names: the application's custom names (``Attributes.Plan``,
            ``User.UserAttributes.FirstName``, ``Metrics.Visits``); each definition that
            imports adds its own, and one that would make more than 250 fails. None: a fresh
            set (the quota then counts this import's names only).
        max_import_bytes: :data:`MAX_IMPORT_BYTES` (tests may lower it).

    Returns:
        The :class:`ImportResult`.
    """
    if fmt not in _EXTENSIONS:
        raise ValueError(f"fmt must be CSV or JSON, got {fmt!r}")
    if piece_size < 1:
        raise ValueError(f"piece_size must be at least 1, got {piece_size}")
    names = set() if attribute_names is None else attribute_names
    tally = Tally(piece_size, endpoint_exists, on_endpoint, names, register_rows)
    budget = _Budget(max_import_bytes)
    bucket: str | None = None
    common: str | None = None  # longest common prefix of the keys listed
    keys: list[str] = []  # the first keys listed, for the message when nothing is read
    for obj in objects:
        if len(keys) < 2:
            keys.append(obj.key)
        if bucket is None:
            bucket = obj.bucket
        common = obj.key if common is None else posixpath.commonprefix([common, obj.key])
        if obj.key.endswith("/"):
            continue  # a folder marker
        by_extension = _extension_format(obj.key)
        if by_extension is None or (by_extension and by_extension != fmt):
            continue
        _read_object(tally, budget, obj, fmt, sniff=not by_extension)
    result = tally.result
    if result.objects_read == 0:
        if s3_url:
            url = s3_url
            prefix = s3_url[len("s3://") :].partition("/")[2] if s3_url.startswith("s3://") else ""
        elif bucket is not None and common is not None:
            prefix = common[: common.rfind("/") + 1]
            url = f"s3://{bucket}/{prefix}"
        else:
            url = prefix = ""
        result.pieces.append(Piece(prefix, 0, 0, readable=False))
        tally.report(_nothing_read(fmt, url, prefix, keys))
    result.channel_counts = {name: count for name, count in tally.counts.items() if name and count}
    _settle_user_ids(tally)
    return result
