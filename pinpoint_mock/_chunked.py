"""The chunked transfer coding of a request body, read by the server itself (RFC 9112 section
7.1), bounded where werkzeug's ``DechunkedInput`` is not.

:class:`ChunkedBody` replaces werkzeug's reader in the server's environ: it reads at most
:data:`PIECE` bytes from the socket at a time whatever a chunk's declared size, a chunk-size
line of at most :data:`MAX_LINE` bytes, and at most :data:`MAX_TRAILERS` trailer lines.
Chunk extensions (``5;name=value``) and trailer fields are accepted and ignored, as RFC 9112
sections 7.1.1 ("A recipient MUST ignore unrecognized chunk extensions") and 7.1.2 allow.
A malformed chunk-size, a chunk without its CRLF, or a body that ends before its last chunk
is a :class:`ChunkedBodyError` (an ``OSError``, as werkzeug's reader raises): the server
answers 400.
"""

from __future__ import annotations

import io
import re
from typing import IO

PIECE = 64 * 1024
"""The most bytes read from the socket at once (64 KiB)."""
MAX_LINE = 4096
"""The most bytes of a chunk-size line with its extensions, and of a trailer line."""
MAX_TRAILERS = 100
"""The most trailer field lines (the header lines ``http.client`` reads, 100)."""
_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
"""``chunk-size = 1*HEXDIG`` (RFC 9112 section 7.1), at most 16 digits (2**64 - 1)."""


class ChunkedBodyError(OSError):
    """A chunked body that cannot be decoded; its message is a phrase the server puts in its
    400 (werkzeug's own phrase, ``Invalid chunk header``, for a chunk-size that is not
    hexadecimal)."""


class ChunkedBody(io.RawIOBase):
    """The decoded content of a chunked body read from ``stream`` (a binary file, the
    connection's ``rfile``); :meth:`read` returns at most :data:`PIECE` bytes per call, ``b""``
    after the last chunk and its trailers.

    Raises (from :meth:`read`):
        ChunkedBodyError: the chunked framing is malformed or ends early.
    """

    def __init__(self, stream: IO[bytes]):
        super().__init__()
        self._stream = stream
        self._left = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._done or not len(buffer):
            return 0
        if self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                self._trailers()
                self._done = True
                return 0
        wanted = min(len(buffer), self._left, PIECE)
        data = self._stream.read(wanted)
        if len(data) < wanted:
            raise ChunkedBodyError("the body ended inside a chunk")
        buffer[:wanted] = data
        self._left -= wanted
        if self._left == 0:
            self._line_end()
        return wanted

    def _line(self) -> bytes:
        line = self._stream.readline(MAX_LINE + 1)
        if not line:
            raise ChunkedBodyError("the body ended before its last chunk (a chunk of size 0)")
        if len(line) > MAX_LINE or not line.endswith(b"\n"):
            raise ChunkedBodyError(f"a chunk-size or trailer line longer than {MAX_LINE} bytes")
        return line[:-2] if line.endswith(b"\r\n") else line[:-1]  # a bare LF: RFC 9112 2.2

    def _chunk_size(self) -> int:
        size = self._line().split(b";", 1)[0].strip(b" \t")
        if not _SIZE.fullmatch(size):
            raise ChunkedBodyError("Invalid chunk header")
        return int(size, 16)

    def _line_end(self) -> None:
        if self._stream.readline(2) not in (b"\r\n", b"\n"):
            raise ChunkedBodyError("Missing chunk terminating newline")

    def _trailers(self) -> None:
        for _ in range(MAX_TRAILERS + 1):
            if not self._line():
                return
        raise ChunkedBodyError(f"more than {MAX_TRAILERS} trailer lines")
