"""One streaming pass over an S3 object's bytes: its first bytes, then its text, line by line.

Pure standard library. The importer opens an object once and calls :func:`read_head`, which
reads the object's first bytes (to tell a compressed object: :func:`compression_of`) and goes
past the blank lines at its start, counting them, up to its first byte that is not blank (for
a key without extension, the format it looks like: :func:`looks_like`). :class:`ObjectText`
then decodes the rest of the same stream into lines for :mod:`csv` or :mod:`json`, without
reading it again. Time is linear in the object's size and memory is bounded whatever it holds:

* Bytes are read :data:`READ_CHUNK_SIZE` at a time. Each chunk is cut after its last line
  end (``\\n`` or ``\\r``; a final ``\\r`` waits for a possible ``\\n``), the rest carried to
  the next chunk, so a line is never split and a multi-byte UTF-8 sequence never either (no
  byte of one is ``\\n`` or ``\\r``). A line longer than a chunk is carried (in a
  ``bytearray``, appended to, never copied whole) until it ends, up to
  :data:`MAX_LINE_BYTES`: a longer line raises :class:`LineTooLongError` (after the lines
  before it), and nothing more of the object is read.
* Blank lines at the start (spaces, tabs and line ends only) are counted, not decoded:
  :attr:`ObjectText.skipped_lines`, which the readers add to their line numbers.
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
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, Iterable, Iterator, Optional, Union

__all__ = ["MAX_LINE_BYTES", "READ_CHUNK_SIZE", "Head", "LineTooLongError", "ObjectText",
           "UndecodableError", "compression_of", "looks_like", "read_head"]

READ_CHUNK_SIZE = 64 * 1024
"""Bytes asked of an object's stream per read."""

MAX_LINE_BYTES = 1024 * 1024
"""The longest line read, in bytes (its line end not counted). *mock*: AWS documents no line
limit; an endpoint definition is at most 15 KB, and the longest header that can be valid
(250 attribute names, 50 columns each) is under 0.8 MB."""

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

Bytes = Union[bytes, bytearray]


class UndecodableError(Exception):
    """The object is not UTF-8 from byte ``offset`` (0-based, counted from the object's first
    byte, a BOM included) on; ``byte`` is the value of that byte."""

    def __init__(self, offset: int, byte: int):
        super().__init__(f"byte 0x{byte:02x} at offset {offset}")
        self.offset = offset
        self.byte = byte


class LineTooLongError(Exception):
    """A line of the object, starting at byte ``offset``, is longer than
    :data:`MAX_LINE_BYTES`; nothing from it on is read."""

    def __init__(self, offset: int):
        super().__init__(f"a line longer than {MAX_LINE_BYTES} bytes at offset {offset}")
        self.offset = offset


@dataclass(frozen=True)
class Head:
    """The start of an object, as :func:`read_head` found it.

    Attributes:
        start: the object's first bytes (at least 6, or all of it).
        data: the bytes to decode first, from the start of the first line that is not blank
            (empty when the object holds only blank lines).
        offset: the object's offset of ``data[0]`` (a BOM and the blank lines included).
        blank_lines: complete blank lines before ``data``.
        first: the object's first byte that is neither blank nor part of a BOM, or b"" when
            there is none.
        overlong: the line at ``offset`` is longer than :data:`MAX_LINE_BYTES` (``data`` then
            holds only its start).
    """

    start: bytes
    data: bytes
    offset: int
    blank_lines: int
    first: bytes = b""
    overlong: bool = False


def _line_ends(data: Bytes, end: int) -> int:
    """Line ends in ``data[:end]``: ``\\n``, ``\\r\\n`` and ``\\r`` each count once."""
    return data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end)


def _after_last_line_end(data: Bytes, start: int, end: int) -> int:
    """The index after the last line end in ``data[start:end]``, or 0 when there is none."""
    return max(data.rfind(b"\n", start, end), data.rfind(b"\r", start, end)) + 1


def _first_line_end(data: Bytes, start: int) -> int:
    """The index of the first ``\\n`` or ``\\r`` at or after ``start``, or -1."""
    newline, cr = data.find(b"\n", start), data.find(b"\r", start)
    if newline < 0 or 0 <= cr < newline:
        return cr
    return newline


def read_head(stream: BinaryIO) -> Head:
    """Read an object's first bytes and go past the blank lines at its start (counted), up to
    the line of its first byte that is neither blank nor part of a BOM: a chunk at a time,
    each byte looked at once, keeping at most one line (:data:`MAX_LINE_BYTES`) of them.

    Raises:
        OSError: from the stream.
    """
    chunk = stream.read(READ_CHUNK_SIZE)
    while len(chunk) < 6:
        more = stream.read(READ_CHUNK_SIZE)
        if not more:
            break
        chunk += more
    start = chunk[:6]
    at = len(_BOM) if chunk.startswith(_BOM) else 0  # the object's offset of chunk[0]
    chunk = chunk[at:]
    blank_lines = 0
    line_start = at  # the object's offset of the current line
    pending = bytearray()  # the current line's bytes before chunk: all blank
    pending_size = 0  # their number (beyond the limit they are not kept)
    while True:
        if pending.endswith(b"\r"):  # that line ended there (with a "\n" in chunk[0]?)
            skip = 1 if chunk.startswith(b"\n") else 0
            blank_lines += 1
            line_start = at + skip
            pending, pending_size = bytearray(), 0
            if skip:
                chunk, at = chunk[1:], at + 1
        # (translate tells an all-blank chunk several times faster than lstrip)
        rest = chunk.lstrip(_BLANK) if chunk.translate(None, _BLANK) else b""
        cut = _after_last_line_end(chunk, 0, len(chunk) - len(rest))
        if not rest and cut == len(chunk) and chunk.endswith(b"\r"):  # "\n" may come next
            cut = _after_last_line_end(chunk, 0, cut - 1)
        if cut:
            blank_lines += _line_ends(chunk, cut)
            line_start = at + cut
            pending, pending_size = bytearray(), 0
        if rest:
            if pending_size > len(pending):
                return Head(start, b"", line_start, blank_lines, rest[:1], overlong=True)
            return Head(start, bytes(pending) + chunk[cut:], line_start, blank_lines, rest[:1])
        pending_size += len(chunk) - cut
        if pending_size <= MAX_LINE_BYTES:
            pending += memoryview(chunk)[cut:]
        else:  # too long to keep; a final "\r" is kept, to pair with a "\n"
            pending = bytearray(b"\r" if chunk.endswith(b"\r") else b"")
        more = stream.read(READ_CHUNK_SIZE)
        if not more:  # only blank lines; the last one may lack a line end
            if pending.endswith(b"\r"):
                return Head(start, b"", at + len(chunk), blank_lines + 1)
            return Head(start, b"" if pending_size > len(pending) else bytes(pending),
                        line_start, blank_lines)
        at += len(chunk)
        chunk = more


def compression_of(head: bytes) -> str | None:
    """``"gzip-compressed"``, ``"a ZIP archive"``, ... when ``head`` (an object's first bytes,
    :attr:`Head.start`) starts with the magic bytes of a compressed format (gzip, ZIP, bzip2,
    xz, zstd); None otherwise."""
    for magic, what in _COMPRESSED:
        if head.startswith(magic):
            return what
    return None


def looks_like(first: bytes) -> str | None:
    """The format an object's first byte that is not blank (:attr:`Head.first`) suggests:
    ``"JSON"`` for ``{``, ``"CSV"`` for any other byte, None when there is none."""
    if not first:
        return None
    return "JSON" if first[:1] == b"{" else "CSV"


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
        head: what :func:`read_head` read from it.
        long_line: the line length, in bytes, above which :attr:`has_long_line` turns true;
            may be changed before the next chunk is decoded (0: not checked). Lowering it
            must also set :attr:`has_long_line` (the chunks already scanned are not rescanned).

    Attributes:
        skipped_lines: the blank lines at the start of the object, not in :attr:`lines`
            (line numbers add them).
        lines: the iterator of the object's lines, line ends kept. It raises
            :class:`UndecodableError` (after the lines before the offending byte),
            :class:`LineTooLongError` (after the lines before that line) or ``OSError``.
    """

    def __init__(self, stream: BinaryIO, head: Head, long_line: int = 0):
        self.has_tab = False
        self.has_long_line = False
        self.plain = True
        """Neither :attr:`has_tab` nor :attr:`has_long_line` (so far)."""
        self.long_line = long_line
        self.final = False
        """The object's last lines have been handed out (its last chunk is being read)."""
        self.skipped_lines = head.blank_lines
        self._stream = stream
        self._head: Optional[Head] = head
        self.lines: Iterator[str] = chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[Iterable[str]]:
        stream, size, limit = self._stream, READ_CHUNK_SIZE, MAX_LINE_BYTES
        head, self._head = self._head, None
        assert head is not None
        if head.overlong:
            raise LineTooLongError(head.offset)
        data = bytearray(head.data)  # appended to and cut from the front: both cheap
        offset = head.offset  # the object's offset of data[0]
        searched = 0  # bytes at the start of data known to hold no line end (a carried line)
        check = True  # data's first line may be longer than a chunk: check it
        eof = False
        while data or not eof:
            if not eof and len(data) < size:
                more = stream.read(size)
                if more:
                    data += more
                    del more
                    continue
                eof = True
            if check:  # a carried line (or head's first one) must end within the limit
                end = _first_line_end(data, searched)
                if (end if end >= 0 else len(data)) > limit:
                    raise LineTooLongError(offset)
            if eof:
                cut = len(data)
            else:
                cut = _after_last_line_end(data, searched, len(data))
                if cut == len(data) and data[-1] == 13:  # "\r": its "\n" may come next
                    cut = _after_last_line_end(data, searched, cut - 1)
                if cut == 0:  # one line longer than a chunk: carry it on (checked above)
                    searched = len(data) - 1  # (its last byte may be a "\r")
                    check = True
                    more = stream.read(size)
                    if not more:
                        eof = True
                    data += more
                    del more
                    continue
            part = bytes(data[:cut])
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError as error:
                good = part[: error.start]
                end = _after_last_line_end(good, 0, len(good))
                if end:
                    yield _lines(good[:end].decode("utf-8"))
                raise UndecodableError(offset + error.start, part[error.start]) from None
            self._scan(part, cut)
            offset += cut
            del data[:cut], part
            searched, check = 0, False
            lines = _lines(text)
            del text  # hold one chunk at a time: only its lines now
            self.final = eof and not data
            yield lines
            del lines
        self.final = True

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
