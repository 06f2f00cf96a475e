"""The CSV reader: a header, then one endpoint definition (or user IDs) per row.

Pure standard library. Rules (user guide ``segments-importing.md``; *mock* marks this mock's
choices where AWS is silent):

* The first non-blank row is the header; dot notation names nested members
  (``Location.Country``, ``Demographic.Make``, ``User.UserId``,
  ``User.UserAttributes.FirstName``, ``Attributes.Interests``, ``Metrics.Purchases``), top-level
  names are the string members of ``EndpointBatchItem`` (``Id``, ``Address``, ``ChannelType``,
  ``OptOut``, ``EffectiveDate``, ``EndpointStatus``, ``RequestId``). A repeated
  ``Attributes.*`` / ``User.UserAttributes.*`` column gives a multi-valued attribute, values in
  column order ("For a custom field to have multiple values in CSV you need to replicate the
  header"). Empty cells are omitted; a field, attribute or group whose cells are all empty is
  absent. ``Metrics.*``, ``Location.Latitude`` and ``Location.Longitude`` are numbers:
  *mock*, a cell must be a JSON number (RFC 8259 section 6: optional ``-``, ASCII digits
  without leading zero, optional fraction and exponent), finite as a double; ``float()``'s
  wider forms (``1_000``, ``+1``, `` 1 ``, ``.5``, ``inf``, non-ASCII digits such as ``٣`` or
  ``１２``) fail the row, naming the column. An exponent past a double's range reads as 0
  (``1e-400``) or fails (``1e400``, infinite).
* *mock*: names are case-sensitive and stripped of surrounding blanks. A column that is
  unknown, empty, or a repeated non-attribute column fails every row with a message naming it.
* Standard quoting (:mod:`csv`). A row whose cells are not as many as the header's columns
  fails. *mock*: a cell is at most 131,072 characters (the :mod:`csv` module's field size
  limit, which the mock leaves as it is); a row with a longer one fails, saying so. "The
  CSV file can't contain line breaks or tabs ... the data in the file might not be
  imported": *mock*, a row with a line break (in a quoted cell) or a tab in a cell fails,
  naming the column; so does a quoted cell the object ends in before its closing quote
  (:mod:`csv`, not strict, reads it to the end, line end included). LF, CRLF and CR line
  ends; blank lines (empty, or only whitespace: ``str.isspace``, as the JSON reader says)
  are skipped (not definitions) but counted in line numbers, before the header too.
* A header that is exactly ``User.UserId`` makes a file of user IDs: each non-blank row holds
  one or more IDs separated by spaces, each one a processed definition.

Speed: the hot path is a plain loop. A row is accepted without building its definition when a
few facts worked out once per header hold: ``(ChannelType, OptOut, EndpointStatus)`` is one of
the accepted tuples (one set lookup), the Address is not empty, the number cells parse, the
attribute values are short enough, the row is small enough for the 15 KB endpoint bound (the
line is not long, which :class:`~pinpoint_mock.backend.object_text.ObjectText` tracks per
chunk, or else its cells are counted), no cell holds a tab, and no cell adds a custom name the
application does not have yet. With nothing to hand over (``on_endpoint`` None) it is then
only counted; an import that registers hands the row's cells to the
:data:`~pinpoint_mock.backend.import_result.RegisterRows` sink, which stores a new endpoint as
they are (:meth:`~pinpoint_mock.backend.endpoint_table.EndpointTable.row_sink`) or declines
it. Any other row, and a declined one, takes the full path (:meth:`CsvHeader.definition`, then
:meth:`~pinpoint_mock.backend.import_result.Tally.commit` and ``on_endpoint``), which decides
the same for the rows the fast path accepts (``tests/backend/test_endpoint_records.py``
compares both on the samples and on fuzzed files). (A per-header function compiled with
``exec`` does the same checks about 10% faster; the plain loop already beats
``csv.DictReader`` by about 25% on ``benchmarks/throughput.py``, so no code is generated.)
"""

from __future__ import annotations

import csv
import re
from itertools import product
from operator import itemgetter
from typing import Any, Callable, Optional

from pinpoint_mock.backend.endpoint_rules import (
    CHANNEL_TYPES,
    ENDPOINT_STATUSES,
    GROUP_NUMBERS,
    GROUP_STRINGS,
    MAX_ATTRIBUTE_VALUE_LENGTH,
    MAX_ATTRIBUTE_VALUES,
    MAX_ENDPOINT_BYTES,
    OPT_OUT_VALUES,
    TOP_FIELDS,
    Definition,
    not_number,
    show,
)
from pinpoint_mock.backend.import_result import MAX_REPORTED_FAILURES, Piece, Tally, stop_message
from pinpoint_mock.backend.object_text import LineTooLongError, ObjectText, UndecodableError

_JSON_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?").fullmatch
"""What a number cell must be: a decimal number in ASCII — an optional sign, digits with an
optional fraction (``.5``, ``1.``, ``01`` too: what spreadsheets write and Java's
``Double.parseDouble``, the likely reader of AWS's import, accepts), an optional exponent;
``[0-9]`` is ASCII only, unlike ``\\d`` or ``float()`` (which also reads ``1_000``, blanks
around the number, ``inf`` and non-ASCII digits). Checked before ``float()`` reads it."""

__all__ = ["CsvHeader", "read_csv"]

DEFAULT_LONG_LINE = 2048
"""Bytes: lines longer than this, seen before the header is known, make the object careful."""

_LISTS = {"Attributes.": ("Attributes",), "User.UserAttributes.": ("User", "UserAttributes")}
_MAX_NUMBER_JSON = 24  # characters of the longest repr() of a float


class CsvHeader:
    """Where each column of one CSV header goes, worked out once per object.

    Attributes:
        names: the column names, stripped.
        width: number of columns.
        problem: a header problem that fails every row (unknown, empty or repeated column).
        user_ids_only: the header is exactly ``User.UserId``.
        columns: column of each top-level string field present (``{"ChannelType": 0}``).
        strings: ``(group, member, column)`` of the Demographic / Location / User strings.
        numbers: ``(path, member, column, label)`` of Location numbers and Metrics, in column
            order; ``path`` is ``("Location",)`` or ``("Metrics",)``.
        lists: ``(path, name, columns)`` of each attribute; ``path`` is ``("Attributes",)`` or
            ``("User", "UserAttributes")``.
        custom: each custom name (``Attributes.Plan``) with its columns.
        overhead: bytes of JSON a definition of this header has besides its cell values
            (generous): its size is at most ``overhead + 6 * characters of its cells``.
    """

    def __init__(self, header: list[str]) -> None:
        names = self.names = [name.strip() for name in header]
        self.width = len(names)
        self.problem: Optional[str] = None
        self.user_ids_only = names == ["User.UserId"]
        self.columns: dict[str, int] = {}
        self.strings: list[tuple[str, str, int]] = []
        self.numbers: list[tuple[tuple[str, ...], str, int, str]] = []
        lists: dict[tuple[tuple[str, ...], str], list[int]] = {}
        self.custom: dict[str, list[int]] = {}
        seen: set[str] = set()
        for column, name in enumerate(names):
            group, _, member = name.partition(".")
            path = next((p for prefix, p in _LISTS.items() if name.startswith(prefix)), None)
            if path is not None and len(name) > len(".".join(path)) + 1:
                attribute = name[len(".".join(path)) + 1 :]
                lists.setdefault((path, attribute), []).append(column)
                self.custom.setdefault(name, []).append(column)
                continue
            if not name:
                self._fail(f"column {column + 1} of the header has no name")
            elif name in seen:
                self._fail(f"column {show(name)} is repeated")
            elif name in TOP_FIELDS:
                self.columns[name] = column
            elif member in GROUP_STRINGS.get(group, ()):
                self.strings.append((group, member, column))
            elif member in GROUP_NUMBERS.get(group, ()):
                self.numbers.append(((group,), member, column, name))
            elif group == "Metrics" and member:
                self.numbers.append((("Metrics",), member, column, name))
                self.custom[name] = [column]
            else:
                self._fail(f"unknown column {show(name)} (column {column + 1})")
            seen.add(name)
        self.lists = [(path, name, columns) for (path, name), columns in lists.items()]
        self.many_values = any(len(columns) > MAX_ATTRIBUTE_VALUES for *_, columns in self.lists)
        self.overhead = 64 + sum(4 * len(name) + 6 + _MAX_NUMBER_JSON for name in names)

    def _fail(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem

    def row_problem(self, row: list[str], spans_lines: bool, has_tab: bool) -> str | None:
        """The reason a row fails before its cells are read as fields, or None.

        Order: a quote left open at the end of the object; number of cells; the header's
        problem; a line break, then a tab, in a cell.
        """
        if not spans_lines and row and row[-1][-1:] in _LINE_ENDS:
            # one physical line whose last cell ends with its line end: the csv reader (not
            # strict) read the line end into a quoted cell the object ended in
            name = self.names[len(row) - 1] if len(row) <= self.width else ""
            return (f"the quoted value of {name or f'column {len(row)}'} is not closed: the "
                    "object ends before its closing quote")
        if len(row) != self.width:
            return f"the row has {len(row)} cells but the header has {self.width} columns"
        if self.problem is not None:
            return self.problem
        for what, present, marks in (("a line break", spans_lines, "\n\r"),
                                     ("a tab", has_tab, "\t")):
            if present:
                for column, cell in enumerate(row):
                    if any(mark in cell for mark in marks):
                        name = self.names[column] or f"column {column + 1}"
                        return (f"the value of {name} holds {what}, which Pinpoint's CSV "
                                "import does not support")
        return None

    def definition(self, row: list[str]) -> Definition | str:
        """The definition of a row (as many cells as columns), or the reason a number fails."""
        definition: Definition = {}
        for name, column in self.columns.items():
            cell = row[column]
            if cell:
                definition[name] = cell
        for group, member, column in self.strings:
            cell = row[column]
            if cell:
                definition.setdefault(group, {})[member] = cell
        for path, member, column, label in self.numbers:
            cell = row[column]
            if cell:
                if not _JSON_NUMBER(cell):
                    return not_number(label, cell)
                number = float(cell)
                if number - number:  # inf or nan: x - x is nan, which is true
                    return not_number(label, cell)
                definition.setdefault(path[0], {})[member] = number
        for path, name, columns in self.lists:
            values = [row[column] for column in columns if row[column]]
            if values:
                target = definition
                for step in path:
                    target = target.setdefault(step, {})
                target[name] = values
        return definition

    def fast_check(self) -> Optional[Callable[[list[str]], Any]]:
        """``itemgetter`` of ChannelType, OptOut, EndpointStatus when the header allows the
        fast path (ChannelType and Address columns, no header problem, no attribute with more
        columns than values allowed), else None. See :meth:`accepted`."""
        if (self.problem is not None or self.user_ids_only or self.many_values
                or "ChannelType" not in self.columns or "Address" not in self.columns):
            return None
        return itemgetter(*self._key_columns())

    def accepted(self) -> frozenset[Any]:
        """What :meth:`fast_check` gives for a row whose ChannelType, OptOut and EndpointStatus
        pass :func:`~pinpoint_mock.backend.endpoint_rules.check_definition`."""
        choices = [CHANNEL_TYPES, OPT_OUT_VALUES | {""}, ENDPOINT_STATUSES | {""}]
        fields = ["ChannelType", "OptOut", "EndpointStatus"]
        present = [choice for name, choice in zip(fields, choices) if name in self.columns]
        combos = product(*present)
        return frozenset(combo if len(present) > 1 else combo[0] for combo in combos)

    def _key_columns(self) -> list[int]:
        return [self.columns[name] for name in ("ChannelType", "OptOut", "EndpointStatus")
                if name in self.columns]

    def value_columns(self) -> list[int]:
        return [column for *_, columns in self.lists for column in columns]

    def pending(self, known: set[str]) -> tuple[int, ...]:
        """Columns of the custom names the application does not have yet."""
        return tuple(c for name, columns in self.custom.items() if name not in known
                     for c in columns)


_LINE_ENDS = ("\n", "\r")
"""The last character of a cell that ends with its line's end: only a quoted cell left open at
the end of the object does (a quote never closed, which the csv reader, not strict, reads to the
end), so the fast path asks only in the object's last chunk (``ObjectText.final``)."""


def _csv_problem(error: csv.Error) -> str:
    """The row failure for an error of the :mod:`csv` reader, in the mock's words where it
    has them: a cell over the reader's field size limit (``csv.field_size_limit()``,
    131,072 characters unless the caller changed it; the mock does not) is named with the
    limit, as the mock's (AWS documents none; such a row is over the 15 KB endpoint bound
    anyway); other errors (a NUL byte on older Pythons) keep the module's reason."""
    reason = str(error)
    if reason.startswith("field larger than field limit"):
        return (f"a cell of the row is longer than {csv.field_size_limit():,} characters, the "
                "most the mock reads in one CSV cell (Pinpoint's own limit is unknown; this "
                "one is the mock's), so the row is not read")
    return f"the row cannot be parsed as CSV ({reason})"


def read_csv(text: ObjectText, tally: Tally, url: str, key: str) -> None:
    """Import the rows of one CSV object into ``tally`` (one pass; see the module docstring)."""
    result = tally.result
    pieces, failures, counts = result.pieces, result.failures, tally.counts
    first_piece = len(pieces)
    size = tally.piece_size
    lean = tally.on_endpoint is None
    text.long_line = DEFAULT_LONG_LINE
    reader = csv.reader(text.lines)
    header: Optional[CsvHeader] = None
    # The fast path: rows of `width` cells; see CsvHeader.fast_check.
    width = -1
    check: Callable[[list[str]], Any] = len
    accept: frozenset[Any] = frozenset()
    accepted: dict[Any, int] = {}  # rows counted by the fast path, per check(row)
    address = overhead = 0
    numbers: tuple[int, ...] = ()
    is_number = _JSON_NUMBER
    value_columns: tuple[int, ...] = ()
    pending: tuple[int, ...] = ()
    take: Optional[Callable[[list[str]], bool]] = None  # registers a row's new endpoint
    limit = MAX_ATTRIBUTE_VALUE_LENGTH
    in_piece = imported = failed = 0
    skipped = text.skipped_lines  # blank lines at the start, not given to the csv reader
    end = skipped  # physical line where the last row read ends
    stop: Optional[str] = None
    try:
        while True:
            try:
                for row in reader:
                    start = end + 1
                    end = skipped + reader.line_num
                    if (len(row) == width and end == start
                            and (not text.final or row[-1][-1:] not in _LINE_ENDS)
                            and (text.plain or (not text.has_tab and overhead
                                                + 6 * sum(map(len, row)) <= MAX_ENDPOINT_BYTES))
                            and (fields := check(row)) in accept and row[address]):
                        for column in numbers:
                            cell = row[column]
                            if cell:
                                if not is_number(cell):
                                    break
                                number = float(cell)
                                if number - number:
                                    break
                        else:
                            for column in value_columns:
                                if len(row[column]) > limit:
                                    break
                            else:
                                if ((not pending or not any(map(row.__getitem__, pending)))
                                        and (take is None or take(row))):
                                    accepted[fields] += 1
                                    in_piece += 1
                                    imported += 1
                                    if in_piece == size:
                                        pieces.append(Piece(key, in_piece, imported))
                                        in_piece = imported = 0
                                    continue
                    if not row or (len(row) == 1 and end == start and row[0].isspace()):
                        continue  # a blank line (nothing, or only whitespace)
                    if header is None:
                        header = CsvHeader(row)
                        # A line of fewer bytes than this makes a definition of at most 15 KB.
                        long_line = (MAX_ENDPOINT_BYTES - header.overhead) // 6
                        if long_line < DEFAULT_LONG_LINE:  # earlier chunks were scanned for more
                            text.has_long_line, text.plain = True, False
                        text.long_line = max(long_line, 0)
                        register = tally.register_rows
                        fast = header.fast_check() if lean or register else None
                        if fast is not None and register is not None:
                            take = register(header)
                            if take is None:
                                fast = None
                        if fast is not None:
                            width, check, accept = header.width, fast, header.accepted()
                            accepted = dict.fromkeys(accept, 0)
                            address = header.columns["Address"]
                            overhead = header.overhead
                            numbers = tuple(column for *_, column, _ in header.numbers)
                            value_columns = tuple(header.value_columns())
                            pending = header.pending(tally.attribute_names)
                        continue
                    if header.user_ids_only and len(row) == 1 and end == start:
                        reason = header.row_problem(row, False, text.has_tab)
                        if reason is None:
                            for user_id in row[0].split():
                                result.user_ids.append(user_id)
                                in_piece += 1
                                imported += 1
                                if in_piece == size:
                                    pieces.append(Piece(key, in_piece, imported))
                                    in_piece = imported = 0
                            continue
                    else:
                        reason = header.row_problem(row, end != start, text.has_tab)
                        if reason is None:
                            definition = header.definition(row)
                            if isinstance(definition, str):
                                reason = definition
                            else:
                                bound = header.overhead + 6 * sum(map(len, row))
                                reason = tally.commit(definition, bound)
                                if reason is None and pending:
                                    pending = header.pending(tally.attribute_names)
                    in_piece += 1
                    if reason is None:
                        imported += 1
                    else:
                        failed += 1
                        if len(failures) < MAX_REPORTED_FAILURES:
                            tally.report(f"{url} line {start}: {reason}.")
                    if in_piece == size:
                        pieces.append(Piece(key, in_piece, imported))
                        in_piece = imported = 0
                break
            except csv.Error as error:
                failed += 1
                tally.report(f"{url} line {end + 1}: {_csv_problem(error)}.")
                end = skipped + reader.line_num
                in_piece += 1
                if in_piece == size:
                    pieces.append(Piece(key, in_piece, imported))
                    in_piece = imported = 0
                if header is None:
                    break  # no header: nothing else can be read
    except (OSError, UndecodableError, LineTooLongError) as error:
        stop = stop_message(error, skipped + reader.line_num + 1)
    for fields, count in accepted.items():  # ChannelType first when OptOut, ... are columns
        counts[fields if isinstance(fields, str) else fields[0]] += count
    kind = None if header is None else "users" if header.user_ids_only else "endpoints"
    tally.end_object(url, key, kind, first_piece, (in_piece, imported), failed, stop)
