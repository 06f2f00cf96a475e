"""Fuzzing endpoint files through boto3 and moto's S3 (issue 14, item 5).

Files are drawn as a careless exporter writes them: CSV (columns of EndpointBatchItem in dot
notation, cells with quotes, commas, NUL, non-ASCII, very long values) or JSON lines (objects
drawn from botocore's EndpointBatchItem shape, wrong types included), then written with LF,
CRLF or CR line ends, a BOM or not, in UTF-8, UTF-16, Latin-1 or gzip-compressed, sometimes
with a line end straddling the importer's 64 KiB read boundary or a line longer than a read.

Invariants: CreateImportJob answers as modeled (201 or a modeled 4xx), never an escape; every
response conforms to its shape (job, segment, the endpoints it registered); the job ends in a
terminal status with its counts; and the result does not depend on how lines end, on a BOM,
or on where the 64 KiB reads cut the file (the same file written those ways imports the same
endpoints with the same failures).

Run longer with ``pytest --hypothesis-profile=fuzz-long tests/test_fuzz_files.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from typing import Any

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinpoint_mock.backend.object_text import READ_CHUNK_SIZE
from tests.conftest import BUCKET, ROLE_ARN
from tests.strategies import ODD_TEXT, ShapeChecker, members, recording_bodies
from tests.wire import unvalidated_client

pytestmark = pytest.mark.pinpoint_imports(progression="immediate")

MODEL = botocore.session.get_session().get_service_model("pinpoint")
CHECKER = ShapeChecker()
KNOWN_GAPS: tuple[str, ...] = ()  # conformance problems another open issue fixes: none today
COLUMNS = ["ChannelType", "Address", "Id", "User.UserId", "User.UserAttributes.Name",
           "Attributes.Plan", "Attributes.Plan", "Metrics.Visits", "Location.Latitude",
           "Location.Country", "OptOut", "EndpointStatus", "Demographic.Platform", "Colour"]
CHANNELS = ["EMAIL", "SMS", "PUSH", "GCM", "APNS", "CUSTOM", "PIGEON", "email", ""]
_counter = itertools.count()

cell = st.one_of(
    st.sampled_from(CHANNELS), st.sampled_from(["a@b.c", "+15555550100", "u1", "3", "41.1",
                                                "nan", "-0", "1e999", "NONE", "ALL", "gold"]),
    st.text(max_size=12), st.sampled_from([t for t in ODD_TEXT if "\ud800" not in t]),
    st.sampled_from(['a "quoted" cell', "a, b", 'x""y', "\t", "tab\tin", "x" * 150]),
    st.just("x" * 131_073),  # over the csv module's field size limit
)
rows = st.lists(st.lists(cell, min_size=1, max_size=len(COLUMNS)), min_size=0, max_size=6)
batch_items = st.lists(members(MODEL.shape_for("EndpointBatchItem"), {
    "ChannelType": st.sampled_from(CHANNELS[:6]), "Address": st.sampled_from(["a@b.c", "x"]),
}, junk=True), max_size=5)


def _csv_lines(header: list[str], table: list[list[str]]) -> list[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in table:
        writer.writerow(row)
    return out.getvalue().split("\n")[:-1]


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[str]]:
    """``(format, lines)``: the text of one endpoint file, before line ends and encoding."""
    if draw(st.booleans(), label="csv"):
        header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6), label="header")
        return "CSV", _csv_lines(header, draw(rows, label="rows"))
    items = draw(batch_items, label="items")
    lines = [json.dumps(item) for item in items]
    lines += draw(st.lists(st.sampled_from(["", "  ", "[1]", "{", "null", '{"Id": 5}',
                                             '{"ChannelType": "EMAIL"}']), max_size=2))
    return "JSON", lines


def _blank_lines_to_straddle(lines: list[str]) -> tuple[int, bool]:
    """``(blank lines before the content, BOM)`` such that, written with CRLF, the first line's
    ``\r`` is the last byte of the first 64 KiB read and its ``\n`` the first of the next."""
    first = len(lines[0].encode("utf-8", "surrogatepass")) if lines else 0
    room = READ_CHUNK_SIZE - 1 - first  # bytes before the first line's "\r"
    bom = room % 2 == 1  # the BOM's 3 bytes fix the parity (each blank line is 2 bytes)
    return max(0, (room - (3 if bom else 0)) // 2), bom


def _encode(lines: list[str], end: str, bom: bool, blank_lines: int) -> bytes:
    """The file's bytes: ``blank_lines`` empty lines, then the lines, each ended by ``end``."""
    text = end * blank_lines + "".join(line + end for line in lines)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")


class Importer:
    def __init__(self, mock: Any, s3: Any) -> None:
        self.mock, self.s3 = mock, s3
        self.client = unvalidated_client()
        self.seen = recording_bodies(self.client)

    def new_app(self) -> str:
        return str(self.client.create_app(CreateApplicationRequest={"Name": "fuzz"})[
            "ApplicationResponse"]["Id"])

    def run(self, app_id: str, fmt: str, data: bytes, register: bool) -> dict[str, Any]:
        """Import ``data`` into ``app_id``: the job as read once it ended (its messages naming
        the object ``FILE``), the segment's size and the endpoints it stored."""
        key = f"fuzz/{next(_counter)}.{'csv' if fmt == 'CSV' else 'json'}"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        self.seen.clear()
        job = self.client.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": fmt, "S3Url": f"s3://{BUCKET}/{key}", "RoleArn": ROLE_ARN,
            "RegisterEndpoints": register, "DefineSegment": True, "SegmentName": "fuzz",
        })["ImportJobResponse"]
        done = self.client.get_import_job(ApplicationId=app_id, JobId=job["Id"])[
            "ImportJobResponse"]
        assert done["JobStatus"] in ("COMPLETED", "FAILED"), done
        assert len(done.get("Failures", [])) <= 100
        for message in done.get("Failures", []):  # the mock's words, not Python's csv module's
            assert "field larger than field limit" not in message, message
        segment = self.client.get_segment(ApplicationId=app_id,
                                          SegmentId=done["Definition"]["SegmentId"])
        backend = self.mock._active_state().backend("123456789012", "us-east-1")
        stored = backend.store.application(app_id).endpoints
        endpoints = {}
        for endpoint_id in sorted(stored):
            response = self.client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
            body = dict(response["EndpointResponse"])
            for volatile in ("ApplicationId", "CreationDate", "EffectiveDate"):
                body.pop(volatile, None)
            endpoints[endpoint_id] = body
        for operation, status, headers, body in self.seen:
            model = MODEL.operation_model(operation)
            shape = model.output_shape if status < 300 else MODEL.shape_for(
                str(headers.get("x-amzn-ErrorType")))
            problems = [p for p in CHECKER.problems(body, shape)
                        if not p.endswith(KNOWN_GAPS)]
            assert problems == [], f"{operation} {status}: {problems} in {body[:300]!r}"
        size = segment["SegmentResponse"]["ImportDefinition"]["Size"]
        return {
            "status": done["JobStatus"], "processed": done.get("TotalProcessed"),
            "failures": done.get("TotalFailures"),
            "messages": [m.replace(f"s3://{BUCKET}/{key}", "FILE")
                         for m in done.get("Failures", [])],
            "pieces": (done["TotalPieces"], done["FailedPieces"]), "size": size,
            "endpoints": endpoints,
        }


@pytest.fixture
def importer(pinpoint_imports: Any, s3: Any) -> Importer:
    return Importer(pinpoint_imports, s3)


@given(file=files(), register=st.booleans(), pad=st.booleans())
def test_a_file_imports_the_same_whatever_its_line_ends_bom_and_read_cuts(
    importer: Importer, file: tuple[str, list[str]], register: bool, pad: bool
) -> None:
    fmt, lines = file
    if any("\r" in line or "\n" in line for line in lines):
        lines = [line.replace("\r", " ").replace("\n", " ") for line in lines]
    blank_lines, straddle_bom = _blank_lines_to_straddle(lines) if pad else (0, True)
    results = []
    for end, bom in (("\n", False), ("\r\n", straddle_bom), ("\r", not straddle_bom)):
        data = _encode(lines, end, bom, blank_lines)
        if pad and end == "\r\n" and lines:
            assert data[READ_CHUNK_SIZE - 1:READ_CHUNK_SIZE + 1] == b"\r\n"
        results.append(importer.run(importer.new_app(), fmt, data, register))
    assert results[1] == results[0]
    assert results[2] == results[0]


@given(file=files(), encoding=st.sampled_from(["utf-16", "latin-1", "cp1252", "gzip",
                                               "utf-8-nul", "huge-line"]))
def test_a_file_in_another_encoding_or_compressed_fails_as_modeled(
    importer: Importer, file: tuple[str, list[str]], encoding: str
) -> None:
    fmt, lines = file
    text = "\n".join([*lines, "é,ü"]) + "\n"
    if encoding == "gzip":
        data = gzip.compress(text.encode("utf-8", "surrogatepass"))
    elif encoding == "utf-8-nul":
        data = text.replace(",", ",\x00", 1).encode("utf-8", "surrogatepass")
    elif encoding == "huge-line":
        data = (text + "x" * (3 * READ_CHUNK_SIZE + 7) + "\n").encode("utf-8", "surrogatepass")
    else:
        data = text.encode(encoding, "replace")
    result = importer.run(importer.new_app(), fmt, data, register=True)
    if encoding in ("gzip", "utf-16"):
        assert result["status"] == "FAILED", result
