"""What an export job writes: gzip-compressed pieces of newline-delimited JSON endpoints.

Pure standard library. The Amazon Pinpoint Developer Guide (``audience-data-export.md``):
"Amazon Pinpoint places the endpoint definitions in an Amazon S3 bucket that you specify", as
".gz" files ("the location of the .gz file that Amazon Pinpoint added to your bucket") that
hold "a JSON-formatted list of endpoints and their attributes"
(``permissions-export-endpoints.md``); AWS's example code (``audience-data-list-ids.md``)
reads "each endpoint's JSON definition" from the gunzipped files. *mock* marks what the mock
chose where AWS publishes nothing:

* Each line is one endpoint, in the ``EndpointResponse`` shape GetEndpoint returns for it (the
  dict of :meth:`~pinpoint_mock.backend.models.Endpoint.response`), as compact UTF-8 JSON
  (*mock*: ``separators=(",", ":")``, non-ASCII characters as they are), ending in ``\\n``.
* The endpoints are split into consecutive pieces of :data:`EXPORT_PIECE_SIZE` (the last may be
  smaller), and each piece is one gzip object (*mock*: AWS's two example responses show 215 and
  217 endpoints exported in one piece, so a piece holds more than 217; the mock takes 1,000).
  An export of no endpoint has no piece and writes no object.
* Rendering streams: one piece's lines are joined and compressed at a time (gzip level 6,
  ``mtime`` 0 so that the same endpoints give the same bytes); only the compressed pieces are
  kept until the job writes them.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

__all__ = [
    "EXPORT_PIECE_SIZE",
    "ExportPiece",
    "ExportResult",
    "render_pieces",
]

EXPORT_PIECE_SIZE = 1000
"""Endpoints per piece, and so per ``.gz`` object, of an export job (*mock*, see above)."""

_COMPRESS_LEVEL = 6


@dataclass
class ExportPiece:
    """One piece of an export: one gzip object of ``count`` endpoint lines.

    Attributes:
        count: endpoints (lines) in it.
        data: the gzip-compressed bytes; emptied (``b""``) once written, or once the job
            failed, so that a finished job keeps no copy.
        size: ``len(data)`` when rendered (bytes), kept after ``data`` is dropped.
    """

    count: int
    data: bytes = field(repr=False)
    size: int = 0


@dataclass
class ExportResult:
    """What an export job found and will write: ``ExportJobResponse``'s counts and pieces.

    Attributes:
        total_processed: endpoints considered (``TotalProcessed``): those written, plus those
            the segment holds but the mock could not export (``unexportable``).
        total_failures: endpoints not written (``TotalFailures``).
        failures: the first 100 failure messages (``Failures``).
        pieces: the pieces to write, in order (``TotalPieces``).
        refusal: why the mock refused to evaluate the job's audience (the job then fails and
            writes nothing), or None.
    """

    total_processed: int = 0
    total_failures: int = 0
    failures: list[str] = field(default_factory=list)
    pieces: list[ExportPiece] = field(default_factory=list)
    refusal: str | None = None

    @property
    def exported(self) -> int:
        """Endpoints in the pieces (lines the objects hold)."""
        return sum(piece.count for piece in self.pieces)

    def drop_data(self) -> None:
        """Forget the compressed bytes (after writing them, or when the job failed)."""
        for piece in self.pieces:
            piece.data = b""


def _compress(lines: list[bytes]) -> bytes:
    return gzip.compress(b"".join(lines), compresslevel=_COMPRESS_LEVEL, mtime=0)


def render_pieces(
    bodies: Iterable[Mapping[str, Any]], piece_size: int = EXPORT_PIECE_SIZE
) -> list[ExportPiece]:
    """Compress ``bodies`` (``EndpointResponse`` dicts, in export order) into pieces.

    Each body is encoded as it comes and dropped; at most one piece's lines are held at a time.

    Raises:
        ValueError: ``piece_size`` < 1.
    """
    if piece_size < 1:
        raise ValueError(f"piece_size must be >= 1, got {piece_size!r}.")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    pieces: list[ExportPiece] = []
    lines: list[bytes] = []
    for body in bodies:
        lines.append(dumps(body).encode("utf-8", "surrogatepass") + b"\n")
        if len(lines) == piece_size:
            data = _compress(lines)
            pieces.append(ExportPiece(len(lines), data, len(data)))
            lines = []
    if lines:
        data = _compress(lines)
        pieces.append(ExportPiece(len(lines), data, len(data)))
    return pieces
