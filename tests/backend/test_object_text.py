"""Tests of ``pinpoint_mock.backend.object_text``: the bytes of an object to lines, in one
linear pass with bounded memory (blank lines at the start counted, not decoded; lines longer
than ``MAX_LINE_BYTES`` stop the reading), checked against a plain reference model over many
small objects read in tiny chunks, so every boundary case is crossed."""

from __future__ import annotations

import io
import itertools
import random
from typing import Any, Optional

import pytest

from pinpoint_mock.backend import object_text
from pinpoint_mock.backend.importer import SourceObject, run_import
from pinpoint_mock.backend.object_text import (
    MAX_LINE_BYTES,
    LineTooLongError,
    ObjectText,
    read_head,
)

PIECES = ["", " ", "\t", "  ", "\r", "\n", "\r\n", "x", "{y", " z ", "é"]


class TrickleStream(io.RawIOBase):
    """A stream that returns at most ``step`` bytes per read, whatever is asked."""

    def __init__(self, data: bytes, step: int):
        self._data, self._step, self._at = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: Optional[int] = -1) -> bytes:
        part = self._data[self._at:self._at + self._step]
        self._at += len(part)
        return part


def expected(text: str, limit: int) -> tuple[int, list[str], bool, str]:
    """The reference: (blank lines skipped, lines handed over, too long, first non-blank)."""
    lines = io.StringIO(text, newline="").readlines()
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip(" \t\r\n") and (
        lines[skipped].endswith(("\n", "\r"))
    ):
        skipped += 1
    rest = lines[skipped:]
    if rest and not rest[0].strip(" \t\r\n"):  # a blank last line without a line end
        if len(rest[0].encode()) > limit:
            rest = []
    given: list[str] = []
    for line in rest:
        if len(line.rstrip("\r\n").encode()) > limit:
            return skipped, given, True, _first(text)
        given.append(line)
    return skipped, given, False, _first(text)


def _first(text: str) -> str:
    rest = text.lstrip(" \t\r\n")
    return rest[:1]


def read_all(data: bytes, step: int) -> tuple[int, list[str], bool, bytes]:
    stream: Any = TrickleStream(data, step)
    head = read_head(stream)
    text = ObjectText(stream, head)
    given: list[str] = []
    too_long = False
    try:
        for line in text.lines:
            given.append(line)
    except LineTooLongError:
        too_long = True
    return text.skipped_lines, given, too_long, head.first


def cases() -> list[str]:
    chooser = random.Random(14)
    every = ["".join(p) for p in itertools.product(PIECES, repeat=3)]
    longer = ["".join(chooser.choice(PIECES) for _ in range(chooser.randint(4, 12)))
              for _ in range(1500)]
    return every + longer


# A chunk at most half the limit, as in production (64 KiB and 1 MiB): a line longer than the
# limit is then always carried through a chunk that holds no line end.
@pytest.mark.parametrize("step,chunk,limit", [(1, 1, 3), (2, 3, 6), (3, 4, 8), (7, 5, 64)])
def test_lines_skipped_and_handed_over_match_the_reference(
    step: int, chunk: int, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(object_text, "READ_CHUNK_SIZE", chunk)
    monkeypatch.setattr(object_text, "MAX_LINE_BYTES", limit)
    for text in cases():
        for bom in (b"", b"\xef\xbb\xbf"):
            skipped, given, too_long, first = read_all(bom + text.encode(), step)
            want_skipped, want_given, want_too_long, want_first = expected(text, limit)
            assert (skipped, given, too_long) == (want_skipped, want_given, want_too_long), text
            assert first == want_first.encode()[:1], text


def test_the_head_keeps_the_first_bytes_and_finds_the_first_non_blank_far_away() -> None:
    data = b"\xef\xbb\xbf" + b" \n\t\r\n" * 300_000 + b"{\"Address\": \"a\"}\n"
    stream: Any = io.BytesIO(data)
    head = read_head(stream)
    assert (head.start, head.first, head.blank_lines) == (data[:6], b"{", 600_000)
    assert head.data.startswith(b"{")
    assert head.offset == data.index(b"{")


def test_a_blank_line_longer_than_the_limit_before_the_content_is_skipped() -> None:
    data = b" " * (3 * MAX_LINE_BYTES) + b"\nChannelType,Address\nEMAIL,a@example.com\n"
    result = run_import([_blob("k.csv", data)], "CSV")
    assert (result.imported, result.failures) == (1, [])


def test_a_line_longer_than_the_limit_stops_the_reading_there() -> None:
    data = (b"ChannelType,Address\nEMAIL,a@example.com\n" + b"x" * (MAX_LINE_BYTES + 1)
            + b"\nEMAIL,b@example.com\n")
    result = run_import([_blob("k.csv", data)], "CSV")
    assert result.imported == 1
    assert result.failures == [
        "s3://b/k.csv: line 3 is longer than 1048576 bytes (1 MiB, the longest line the mock "
        "reads; no endpoint definition needs one), so its definitions before line 3 were "
        "read, the rest of it was not."
    ]


def test_a_line_of_exactly_the_limit_is_read() -> None:
    value = "v" * (MAX_LINE_BYTES - len('{"Address": "", "ChannelType": "EMAIL"}'))
    line = f'{{"Address": "{value}", "ChannelType": "EMAIL"}}'.encode()
    assert len(line) == MAX_LINE_BYTES
    result = run_import([_blob("k.json", b"\n\n" + line + b"\n")], "JSON")
    assert result.total_processed == 1
    assert result.failures[0].startswith("s3://b/k.json line 3: ")  # a row failure, read


def test_blank_lines_at_the_start_count_in_line_numbers() -> None:
    data = b"\r\n \n\t\n\nChannelType,Address\n\nEMAIL,\n"
    result = run_import([_blob("k.csv", data)], "CSV")
    assert result.failures == [
        "s3://b/k.csv line 7: Address is required for a new endpoint (no Id)."]


@pytest.mark.parametrize("blank", [" ", "\t", "  \t ", "\u3000"])
def test_a_csv_line_of_only_whitespace_is_blank_before_and_after_the_header(blank: str) -> None:
    data = f"{blank}\nChannelType,Address\n{blank}\nEMAIL,a@example.com\n{blank}\n".encode()
    result = run_import([_blob("k.csv", data)], "CSV")
    assert (result.imported, result.total_processed, result.failures) == (1, 1, [])


def _blob(key: str, data: bytes) -> SourceObject:
    return SourceObject(key=key, bucket="b", open=lambda: io.BytesIO(data), size=len(data))
