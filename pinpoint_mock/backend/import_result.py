"""What an import finds: pieces, counts, failure messages; and the tally the readers share.

Pure standard library. :class:`ImportResult` is what ``ImportJobResponse`` and the segment are
built from; :class:`Tally` is the state of one :func:`~pinpoint_mock.backend.importer.run_import`
call that the CSV and JSON readers add to.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from pinpoint_mock.backend.endpoint_rules import (
    CHANNEL_TYPE_ORDER,
    Definition,
    check_definition,
    new_attribute_names,
    quota_problem,
)
from pinpoint_mock.backend.object_text import MAX_LINE_BYTES, LineTooLongError, UndecodableError

__all__ = [
    "MAX_REPORTED_FAILURES",
    "PIECE_SIZE",
    "ImportResult",
    "OnEndpoint",
    "Piece",
    "RegisterRows",
    "Tally",
    "stop_message",
]

PIECE_SIZE = 100
"""Endpoint definitions per piece. *mock*: AWS does not publish its piece size."""

MAX_REPORTED_FAILURES = 100
"""``ImportJobResponse.Failures`` holds at most the first 100 failure messages (*mock*)."""

OnEndpoint = Callable[[Definition], Optional[str]]
"""Called with each definition that passed the rules; returns None when it is taken, else the
reason it is refused (a row failure), e.g. a user ID's 15-endpoint quota."""

RegisterRows = Callable[[Any], Optional[Callable[[list[str]], bool]]]
"""Given the :class:`~pinpoint_mock.backend.csv_rows.CsvHeader` of a CSV object, returns the
function that registers the new endpoint of a row of it that passed every rule (True) or
declines the row (False: it then goes through :meth:`Tally.commit` and ``on_endpoint`` like
any row), or None to send every row that way. See
:meth:`~pinpoint_mock.backend.endpoint_table.EndpointTable.row_sink`."""

# Pieces are the one thing kept per 100 definitions: slots keep them small where possible.
_SLOTS: dict[str, Any] = {"slots": True} if sys.version_info >= (3, 10) else {}


@dataclass(**_SLOTS)
class Piece:
    """A run of consecutive endpoint definitions of one object.

    Attributes:
        key: the S3 key of the object it belongs to (for the "nothing found" piece, the prefix).
        processed: definitions read in it, imported or failed.
        imported: definitions of it that imported.
        readable: False when the object, or its rest from this piece on, could not be read.
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
        total_failures: definitions that failed (``TotalFailures``); an object that cannot be
            read at all adds none.
        failures: the first :data:`MAX_REPORTED_FAILURES` messages (``Failures``).
        pieces: every piece, in file order (``TotalPieces``; failed ones give
            ``FailedPieces``).
        imported: definitions that imported (the segment's ``Size`` for endpoint files).
        channel_counts: imported definitions per ChannelType (``ChannelCounts``); definitions
            that give no ChannelType (updates by Id) are not counted.
        user_ids: for a file of user IDs, the IDs read, in file order (duplicates kept).
        user_ids_only: every object read was a file of user IDs.
        objects_read: objects of the requested format that were read (or tried).
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


class Tally:
    """The state of one import that the readers add to.

    Attributes:
        result: the :class:`ImportResult` being built.
        piece_size: definitions per piece.
        endpoint_exists: see :func:`~pinpoint_mock.backend.endpoint_rules.check_definition`.
        on_endpoint: see :data:`OnEndpoint`; None when nothing is kept.
        register_rows: see :data:`RegisterRows` (only with ``on_endpoint``); None: none.
        attribute_names: the application's custom names (``Attributes.Plan``, ...); every
            definition that imports adds its own.
        counts: imported definitions per ChannelType, ``""`` for those without one.
        kinds: per object read, ``(url, kind, first piece, end piece)``; ``kind`` is
            ``"users"``, ``"endpoints"`` or None (nothing could be read).
    """

    def __init__(
        self,
        piece_size: int,
        endpoint_exists: Callable[[str], bool],
        on_endpoint: OnEndpoint | None,
        attribute_names: set[str],
        register_rows: RegisterRows | None = None,
    ) -> None:
        self.result = ImportResult()
        self.register_rows = register_rows if on_endpoint is not None else None
        self.piece_size = piece_size
        self.endpoint_exists = endpoint_exists
        self.on_endpoint = on_endpoint
        self.attribute_names = attribute_names
        self.counts = dict.fromkeys(CHANNEL_TYPE_ORDER, 0)
        self.counts[""] = 0
        self.kinds: list[tuple[str, Optional[str], int, int]] = []

    def report(self, message: str) -> None:
        """Keep a failure message if there is room (counts nothing)."""
        if len(self.result.failures) < MAX_REPORTED_FAILURES:
            self.result.failures.append(message)

    def commit(self, definition: Definition, size_bound: int | None = None) -> str | None:
        """Check one definition and, when it passes, hand it over and count it.

        Returns:
            None when it imported, else the reason (the rules, then ``on_endpoint``).
        """
        reason = check_definition(definition, self.endpoint_exists, None, size_bound)
        if reason is not None:
            return reason
        names = self.attribute_names
        new = new_attribute_names(definition, names)
        if new:
            reason = quota_problem(new, len(names))
        if reason is None and self.on_endpoint is not None:
            reason = self.on_endpoint(definition)
        if reason is None:
            self.counts[definition.get("ChannelType", "")] += 1
            names.update(new)
        return reason

    def unreadable(self, url: str, key: str, message: str) -> None:
        """An object of which nothing could be read: one failed piece, one message."""
        pieces = self.result.pieces
        pieces.append(Piece(key, 0, 0, readable=False))
        self.kinds.append((url, None, len(pieces), len(pieces)))
        self.report(f"{url}: {message}.")

    def end_object(
        self,
        url: str,
        key: str,
        kind: str | None,
        first_piece: int,
        open_piece: tuple[int, int],
        failed: int,
        stop: str | None,
    ) -> None:
        """Close the last piece of an object and add the object's counts to the result.

        Args:
            open_piece: ``(processed, imported)`` of the piece not yet closed.
            failed: definitions of the object that failed.
            stop: why reading stopped before the end (the message, without URL), or None.
        """
        result = self.result
        pieces = result.pieces
        in_piece, imported = open_piece
        if stop is not None:
            self.report(f"{url}: {stop}.")
        elif len(pieces) == first_piece and not in_piece:
            self.report(f"{url}: the object holds no definition (it is empty, or holds only "
                        "a header or blank lines).")
        if in_piece or stop is not None or len(pieces) == first_piece:
            pieces.append(Piece(key, in_piece, imported, readable=stop is None))
        for piece in pieces[first_piece:]:
            result.total_processed += piece.processed
            result.imported += piece.imported
        result.total_failures += failed
        self.kinds.append((url, kind, first_piece, len(pieces)))


def stop_message(error: BaseException, line: int) -> str:
    """Why an object's reading stopped: ``error`` came when line ``line`` was next."""
    if isinstance(error, UndecodableError):
        return (
            f"the object is not valid UTF-8 (byte 0x{error.byte:02x} at offset {error.offset}, "
            f"line {line}) and Pinpoint imports only UTF-8 files; its definitions before line "
            f"{line} were read, the rest of it was not"
        )
    if isinstance(error, LineTooLongError):
        return (
            f"line {line} is longer than {MAX_LINE_BYTES} bytes (1 MiB, the longest line the "
            f"mock reads; no endpoint definition needs one), so its definitions before line "
            f"{line} were read, the rest of it was not"
        )
    return f"the object could not be read after line {line - 1} ({error})"
