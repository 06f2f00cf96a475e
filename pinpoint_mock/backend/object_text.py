"""One streaming pass over an S3 object's bytes: its first bytes, then its text, line by line.

Pure standard library. The importer opens an object once and calls :func:`read_head`, which
reads just enough to tell a compressed object (:func:`compression_of`) and, for a key without
extension, which format it looks like (:func:`looks_like`). :class:`ObjectText` then decodes
the same stream, head first, into lines for :mod:`csv` or :mod:`json`, without reading it
again and without holding more than one chunk:

* Bytes are read :data:`READ_CHUNK_SIZE` at a time. Each chunk is cut after its last line
  end (``\\n`` or ``\\r``; a final ``\\r`` waits for a possible ``\\n``), the rest carried to
  the next chunk, so a line is never split and a multi-byte UTF-8 sequence never either (no
  byte of one is ``\\n`` or ``\\r``). A line longer than a chunk is carried until it ends.
* The cut part is decoded as strict UTF-8 and handed over as a list of lines split at
  ``\\n``, ``\\r\\n`` and ``\\r``, line ends kept (as :mod:`csv` wants: a quoted cell may
  span lines). A UTF-8 BOM at offset 0 is dropped.
* Bytes that are not UTF-8: the complete lines before the offending byte are handed over
  first, then :class:`UndecodableError` is raised with the byte's offset in the object. The reader
  thus imports every definition that ends before that line, and nothing from it on.
* While decoding, two facts are kept for the CSV reader (both only ever turn true):
  :attr:`ObjectText.has_tab` (a tab was seen) and :attr:`ObjectText.has_long_line` (a line of
  more than :attr:`ObjectText.long_line` bytes may exist: see :meth:`ObjectText._scan`).
  While :attr:`ObjectText.plain` (neither) holds, no cell holds a tab and no line is longer
  than ``long_line`` bytes.
"""

from __future__ import annotations

import codecs
import io
from itertools import chain
from typing import BinaryIO, Iterable, Iterator

__all__ = ["READ_CHUNK_SIZE", "ObjectText", "UndecodableError", "compression_of", "looks_like",
           "read_head"]

READ_CHUNK_SIZE = 64 * 1024
"""Bytes asked of an object's stream per read."""

_BOM = codecs.BOM_UTF8
_BLANK = b" \t\r\n"
_COMPRESSED = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),  # an empty archive
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
)


class UndecodableError(Exception):
    """The object is not UTF-8 from byte ``offset`` (0-based, counted from the object's first
    byte, a BOM included) on; ``byte`` is the value of that byte."""

    def __init__(self, offset: int, byte: int):
        super().__init__(f"byte 0x{byte:02x} at offset {offset}")
        self.offset = offset
        self.byte = byte


def read_head(stream: BinaryIO, sniff: bool) -> bytes:
    """The first bytes of an object: at least 6 (or all of it), and with ``sniff`` up to its
    first byte that is neither blank nor part of a BOM (or all of it).

    Raises:
        OSError: from the stream.
    """
    head = stream.read(READ_CHUNK_SIZE)
    while head:
        body = head[len(_BOM):] if head.startswith(_BOM) else head
        if len(head) >= 6 and (not sniff or body.lstrip(_BLANK)):
            break
        more = stream.read(READ_CHUNK_SIZE)
        if not more:
            break
        head += more
    return head


def compression_of(head: bytes) -> str | None:
    """``"gzip-compressed"``, ``"a ZIP archive"``, ... when ``head`` starts with the magic bytes
    of a compressed format (gzip, ZIP, bzip2, xz, zstd); None otherwise."""
    for magic, what in _COMPRESSED:
        if head.startswith(magic):
            return what
    return None


def looks_like(head: bytes) -> str | None:
    """The format an object's first bytes suggest: ``"JSON"`` when its first byte that is not
    blank (after a BOM) is ``{``, ``"CSV"`` for any other byte, None when there is none."""
    body = head[len(_BOM):] if head.startswith(_BOM) else head
    rest = body.lstrip(_BLANK)
    if not rest:
        return None
    return "JSON" if rest[:1] == b"{" else "CSV"


def _lines(text: str) -> Iterable[str]:
    """The lines of ``text``, line ends kept, split at ``\\n``, ``\\r\\n`` and ``\\r`` only.

    ``str.splitlines`` (a list: a fraction of the memory of a ``StringIO``, which holds 4 bytes
    per character) also splits at ``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``,
    ``\\u2028`` and ``\\u2029``; when it made more lines than there are line ends, one of
    those is in a value, and ``io.StringIO(newline="")``, which splits at the three line ends
    only, is used instead.
    """
    lines = text.splitlines(True)
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    if len(lines) == ends + (not text.endswith(("\n", "\r"))):
        return lines
    return io.StringIO(text, newline="")


class ObjectText:
    """The text of one object, decoded once, in chunks, as the reader asks for lines.

    Args:
        stream: the object's stream, positioned after ``head``.
        head: the bytes already read from it (:func:`read_head`).
        long_line: the line length, in bytes, above which :attr:`has_long_line` turns true;
            may be changed before the next chunk is decoded (0: not checked). Lowering it
            must also set :attr:`has_long_line` (the chunks already scanned are not rescanned).

    Attributes:
        lines: the iterator of the object's lines, line ends kept. It raises
            :class:`UndecodableError` (after the lines before the offending byte) or ``OSError``.
    """

    def __init__(self, stream: BinaryIO, head: bytes, long_line: int = 0):
        self.has_tab = False
        self.has_long_line = False
        self.plain = True
        """Neither :attr:`has_tab` nor :attr:`has_long_line` (so far)."""
        self.long_line = long_line
        self._stream = stream
        self._head = head
        self.lines: Iterator[str] = chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[Iterable[str]]:
        stream, size = self._stream, READ_CHUNK_SIZE
        data = self._head
        self._head = b""
        offset = 0  # the object's offset of data[0]
        if data.startswith(_BOM):
            data, offset = data[len(_BOM):], len(_BOM)
        searched = 0  # bytes at the start of data known to hold no line end
        eof = False
        while data or not eof:
            if not eof and len(data) < size:
                more = stream.read(size)
                if more:
                    data = data + more if data else more
                    del more
                    continue
                eof = True
            if eof:
                cut = len(data)
            else:
                cut = max(data.rfind(b"\n", searched), data.rfind(b"\r", searched)) + 1
                if cut == len(data) and data[-1] == 13:  # "\r": its "\n" may come next
                    cut = max(data.rfind(b"\n", searched, cut - 1),
                              data.rfind(b"\r", searched, cut - 1)) + 1
                if cut == 0:  # one line longer than a chunk: carry it on
                    searched = len(data) - 1  # (its last byte may be a "\r")
                    more = stream.read(size)
                    if not more:
                        eof = True
                    data += more
                    del more
                    continue
            try:
                text = str(memoryview(data)[:cut], "utf-8")  # decoded in place, not copied
            except UnicodeDecodeError as error:
                good = data[: error.start]
                end = max(good.rfind(b"\n"), good.rfind(b"\r")) + 1
                if end:
                    yield _lines(good[:end].decode("utf-8"))
                raise UndecodableError(offset + error.start, data[error.start]) from None
            self._scan(data, cut)
            offset += cut
            data = data[cut:]
            searched = 0
            lines = _lines(text)
            del text  # hold one chunk at a time: only its lines now
            yield lines
            del lines

    def _scan(self, data: bytes, end: int) -> None:
        """Update :attr:`has_tab` and :attr:`has_long_line` for ``data[:end]``, whole lines.

        A line longer than ``2w`` bytes (``w`` = ``long_line // 2``) covers at least one whole
        window ``[k*w, (k+1)*w)`` of the chunk, and that window holds no ``\\n``; so when
        every window holds one, no line of the chunk is longer than ``long_line``. That costs
        one ``bytes.find`` per window, not one per line. (Lines ended by a lone ``\\r``
        make windows without ``\\n``: such a file is simply treated as having long lines.)
        """
        find = data.find
        if not self.has_tab and find(b"\t", 0, end) >= 0:
            self.has_tab = True
            self.plain = False
        window = self.long_line // 2
        if self.has_long_line or window <= 0 or end <= window:
            return
        for start in range(0, end - window + 1, window):
            if find(b"\n", start, start + window) < 0:
                self.has_long_line = True
                self.plain = False
                return
