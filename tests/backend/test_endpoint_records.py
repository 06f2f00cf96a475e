"""Compact endpoint records answer exactly as endpoint objects did (issue 13, target 2).

Every test runs the same operations on two backends: one keeps its endpoints as encoded
records (the default, :mod:`pinpoint_mock.backend.endpoint_table`), the other as
:class:`~pinpoint_mock.backend.models.Endpoint` objects with dict fields (``compact_endpoints=
False``: the representation the mock had before, which also sends every CSV row through the
general path). Each answer — import job, GetEndpoint, GetUserEndpoints, UpdateEndpoint(sBatch),
DeleteEndpoint, DeleteUserEndpoints, an error — must be the same bytes, and so must the
table's order and the users' index. Job and request Ids come from a counter, the clock is
shared, so nothing differs but the representation.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import random
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Optional

import pytest

from benchmarks import _aws
from pinpoint_mock.backend import operations
from pinpoint_mock.backend.endpoint_table import EndpointTable, UserIndex
from pinpoint_mock.backend.errors import PinpointError
from pinpoint_mock.backend.importer import SourceObject
from pinpoint_mock.backend.models import Endpoint
from pinpoint_mock.backend.operations import Backend, Settings
from pinpoint_mock.backend.store import Store
from tests.backend.test_exports import Sink

SAMPLES = Path(__file__).resolve().parents[2] / "pinpoint_mock" / "samples"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
APP = "a" * 32


class Objects:
    """Objects by key (``{key: bytes}``), shared by both backends; a key may be replaced."""

    def __init__(self) -> None:
        self.files: dict[str, Any] = {}

    def objects(self, bucket: str, prefix: str) -> list[SourceObject]:
        found = []
        for key, body in self.files.items():
            if key == prefix or key.startswith(prefix.rstrip("/") + "/"):
                def open_it(body: Any = body) -> BinaryIO:
                    return body() if callable(body) else io.BytesIO(body)  # type: ignore[no-any-return]
                found.append(SourceObject(key=key, bucket=bucket, open=open_it,
                                          size=None if callable(body) else len(body)))
        return found


def _encoded(payload: Any) -> bytes:
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, separators=(",", ":")).encode()


class Pair:
    """A compact backend and a reference backend, called alike and compared on every call."""

    def __init__(self) -> None:
        self.objects = Objects()
        self.now = 1_700_000_000.0
        self.sinks = [Sink(["out"]), Sink(["out"])]
        self.backends = [self._backend(compact, sink)
                         for compact, sink in zip((True, False), self.sinks)]
        self.calls = 0

    def _backend(self, compact: bool, sink: Sink) -> Backend:
        store = Store("123456789012", "us-east-1", lambda app_id: True, compact_endpoints=compact)
        return Backend(store, self.objects, lambda: self.now, Settings(), sink=sink)

    def call(self, monkeypatch: pytest.MonkeyPatch, operation: str, *args: Any) -> bytes:
        """Make one call on both backends; return the answer (``b"!Error: message"`` for an
        error) once it is the same on both."""
        answers = []
        self.calls += 1
        for backend in self.backends:
            counter = itertools.count(self.calls * 1000)
            monkeypatch.setattr(operations.uuid, "uuid4",
                                lambda counter=counter: uuid.UUID(int=next(counter)))
            try:
                answers.append(_encoded(getattr(backend, operation)(*args)))
            except PinpointError as error:
                answers.append(f"!{type(error).__name__}: {error}".encode())
        monkeypatch.setattr(operations.uuid, "uuid4", uuid.uuid4)
        assert answers[0] == answers[1], operation
        return answers[0]

    def import_file(self, monkeypatch: pytest.MonkeyPatch, key: str, body: Any,
                    **members: Any) -> bytes:
        self.objects.files[key] = body
        fmt = "JSON" if key.endswith(".json") else "CSV"
        request = {"Format": fmt, "RoleArn": ROLE_ARN, "S3Url": f"s3://bucket/{key}", **members}
        return self.call(monkeypatch, "create_import_job", APP, request)

    def finished(self, monkeypatch: pytest.MonkeyPatch, job: bytes) -> dict[str, Any]:
        """The job of a CreateImportJob answer, read once its counts show (a day later)."""
        self.now += 86_400
        answer = self.call(monkeypatch, "get_import_job", APP, json.loads(job)["Id"])
        return dict(json.loads(answer))

    def tables(self) -> list[EndpointTable]:
        return [backend.store.application(APP).endpoints for backend in self.backends]

    def compare_all(self, monkeypatch: pytest.MonkeyPatch) -> int:
        """Every endpoint and every user's endpoints read the same on both; the number of
        endpoints."""
        compact, reference = self.tables()
        assert list(compact) == list(reference)
        assert compact.users.items() == reference.users.items()
        for endpoint_id in reference:
            self.call(monkeypatch, "get_endpoint", APP, endpoint_id)
        for user_id in reference.users:
            self.call(monkeypatch, "get_user_endpoints", APP, user_id)
        return len(reference)


@pytest.fixture
def pair() -> Pair:
    return Pair()


def row_records(table: EndpointTable) -> int:
    """How many endpoints ``table`` keeps as row records (the import's fast path)."""
    records = [table.record(endpoint_id) for endpoint_id in table]
    return sum(1 for record in records if isinstance(record, bytes) and record[:1] != b"[")


# -- the samples and the benchmark files ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()
                                        if p.suffix in (".csv", ".json")))
def test_each_sample_reads_back_the_same(pair: Pair, monkeypatch: pytest.MonkeyPatch,
                                         name: str) -> None:
    pair.import_file(monkeypatch, "base.csv", (SAMPLES / "endpoints-basic.csv").read_bytes())
    pair.import_file(monkeypatch, name, (SAMPLES / name).read_bytes(), DefineSegment=True)
    pair.compare_all(monkeypatch)


def test_the_samples_in_turn_with_updates_and_deletes(pair: Pair,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("endpoints-basic.csv", "endpoints-basic.json", "endpoints-with-bad-rows.csv"):
        pair.import_file(monkeypatch, name, (SAMPLES / name).read_bytes())
        pair.now += 60
    ids = list(pair.tables()[1])
    pair.import_file(monkeypatch, "ids.csv", b"Id,ChannelType,Address,User.UserId\n"
                     + b"".join(f"ep-{n},SMS,+1{n},user-0001\n".encode() for n in range(3)))
    pair.import_file(monkeypatch, "updates.csv",
                     (SAMPLES / "endpoint-updates-by-id.csv").read_bytes()
                     + b"ep-1,gold,5\n" + f"{ids[0]},silver,2\n".encode())
    pair.compare_all(monkeypatch)
    pair.now += 60
    pair.call(monkeypatch, "update_endpoint", APP, ids[1],
              {"Attributes": {"Interests": ["chess"]}, "Location": {"City": "Braga"},
               "User": {"UserId": "user-0001"}, "Metrics": {"Purchases": 4}})
    pair.call(monkeypatch, "update_endpoints_batch", APP, {"Item": [
        {"Id": ids[2], "OptOut": "ALL"},
        {"Id": "new-1", "ChannelType": "EMAIL", "Address": "n@example.com",
         "User": {"UserId": "user-0002", "UserAttributes": {"Tier": ["1"]}}},
    ]})
    pair.call(monkeypatch, "update_endpoints_batch", APP, {"Item": [
        {"Id": ids[3], "OptOut": "ALL"}, {"Id": ids[4], "ChannelType": "PIGEON"}]})
    pair.compare_all(monkeypatch)
    pair.call(monkeypatch, "delete_endpoint", APP, ids[5])
    pair.call(monkeypatch, "delete_endpoint", APP, ids[5])
    pair.call(monkeypatch, "delete_user_endpoints", APP, "user-0001")
    pair.call(monkeypatch, "get_user_endpoints", APP, "user-0001")
    assert pair.compare_all(monkeypatch) >= 8
    pair.import_file(monkeypatch, "users.csv", (SAMPLES / "user-ids-only.csv").read_bytes(),
                     DefineSegment=True)


@pytest.mark.parametrize("make", [_aws.endpoints_csv, _aws.short_columns_csv],
                         ids=["throughput", "short-columns"])
def test_the_benchmark_files_take_the_fast_path_and_read_back_the_same(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, make: Callable[[int], bytes]
) -> None:
    pair.import_file(monkeypatch, "bench.csv", make(600), DefineSegment=True)
    assert pair.compare_all(monkeypatch) == 600
    compact, reference = pair.tables()
    assert row_records(compact) >= 590 and row_records(reference) == 0
    # a second import of the same file updates every endpoint, member by member
    pair.now += 3600
    pair.import_file(monkeypatch, "bench.csv", make(600))
    pair.compare_all(monkeypatch)
    assert row_records(compact) == 0


def test_a_failed_import_takes_back_its_row_records(pair: Pair,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pair.import_file(monkeypatch, "first.csv", _aws.endpoints_csv(50))
    before = [list(table.items()) for table in pair.tables()]

    def broken() -> BinaryIO:
        data = b"ChannelType,Address,User.UserId\n" + b"SMS,+1%d,user-1\n" * 20_000

        class Breaking(io.BytesIO):
            def read(self, size: Optional[int] = -1) -> bytes:
                if self.tell() > 200_000:
                    raise RuntimeError("the disk caught fire")
                return super().read(size)

        return Breaking(data)

    pair.objects.files["broken.csv"] = broken
    request = {"Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": "s3://bucket/broken.csv"}
    for backend in pair.backends:
        with pytest.raises(RuntimeError):
            backend.create_import_job(APP, request)
    assert [list(table.items()) for table in pair.tables()] == before
    pair.compare_all(monkeypatch)


def test_the_rules_hold_on_the_fast_path(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """15 endpoints per user, 250 custom names per application, 15 KB per endpoint: the rows
    that break them fail with the reference's messages, the others take the fast path."""
    many = b"ChannelType,Address,User.UserId\n" + b"".join(
        b"SMS,+1%d,crowded\n" % n for n in range(20))
    job = pair.finished(monkeypatch, pair.import_file(monkeypatch, "crowded.csv", many))
    assert (job["TotalProcessed"], job["TotalFailures"]) == (20, 5)
    assert "'crowded' may have at most 15 endpoints and already has 15" in job["Failures"][0]
    columns = [f"Attributes.Big{k}" for k in range(3) for _ in range(50)]
    big = (",".join(["ChannelType", "Address", *columns]) + "\n" + "".join(
        f"EMAIL,b{n}@example.com," + ",".join([f"{n:03d}" + "y" * 97] * 150) + "\n"
        for n in range(3))).encode()
    job = pair.finished(monkeypatch, pair.import_file(monkeypatch, "big.csv", big))
    assert job["TotalFailures"] == 3 and "at most 15 KB" in job["Failures"][0]
    names = [f"Attributes.N{n}" for n in range(260)]
    wide = (",".join(["ChannelType", "Address", *names]) + "\n"
            + "".join(f"EMAIL,w{n}@example.com," + ",".join(
                "v" if column == n % 260 else "" for column in range(260)) + "\n"
                for n in range(300)))
    job = pair.finished(monkeypatch, pair.import_file(monkeypatch, "names.csv", wide.encode()))
    assert job["TotalFailures"] == 10 and "custom attribute name 251" in job["Failures"][0]
    assert pair.compare_all(monkeypatch) == 15 + 290
    # the crowded user's 15 took the fast path; a header of 262 columns is too wide for the
    # reader's quick size bound, so its rows took the general path
    assert row_records(pair.tables()[0]) == 15


def test_exports_write_the_same_files(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export reads endpoints through Endpoint.response(): the whole application, an
    IMPORT segment and a DIMENSIONAL one write the same objects from both."""
    job = pair.import_file(monkeypatch, "bench.csv", _aws.endpoints_csv(2500), DefineSegment=True)
    pair.import_file(monkeypatch, "basic.json", (SAMPLES / "endpoints-basic.json").read_bytes())
    pair.call(monkeypatch, "update_endpoint", APP, "endpoint-7", {"Metrics": {"Purchases": 9}})
    pair.call(monkeypatch, "delete_endpoint", APP, "endpoint-8")
    segment_id = json.loads(job)["Definition"]["SegmentId"]
    dimensional = json.loads(pair.call(monkeypatch, "create_segment", APP, {
        "Name": "email", "Dimensions": {"Demographic": {"Platform": {
            "DimensionType": "INCLUSIVE", "Values": ["ios"]}}}}))["Id"]
    for members in ({}, {"SegmentId": segment_id}, {"SegmentId": dimensional}):
        request = {"S3UrlPrefix": "s3://out/x/", "RoleArn": ROLE_ARN, **members}
        pair.call(monkeypatch, "create_export_job", APP, request)
    pair.now += 86_400
    for backend in pair.backends:
        backend.exporter.settle_due()
    written = [[(key, gzip.decompress(data)) for _, key, data in sink.written]
               for sink in pair.sinks]
    assert written[0] == written[1]
    lines = [line for _, data in written[0] for line in data.splitlines()]
    assert len(lines) > 2500 + 600  # the application, the segment, ios users


# -- fuzzed files and operations -------------------------------------------------------------

_POOL = ["Id", "ChannelType", "Address", "OptOut", "EndpointStatus", "EffectiveDate",
         "Location.Country", "Location.City", "Location.Latitude", "Demographic.Platform",
         "User.UserId", "User.UserAttributes.FirstName", "User.UserAttributes.FirstName",
         "Attributes.Interests", "Attributes.Interests", "Attributes.Interests",
         "Attributes.Plan", "Attributes." + "N" * 51, "Metrics.Visits", "Metrics.Score"]
_TEXT = ["", "", "Porto", "São Paulo", "a, b", 'say "hi"', "日本", "x" * 101, "  pad  ",
         "=", "0"]
_HOSTILE = ["tab\there", "two\nlines", "cr\ronly"]
"""Cells that fail a row: a tab also turns the fast path off for the rest of the object."""


def _cell(rng: random.Random, column: str, hostile: bool = False) -> str:
    if hostile and rng.random() < 0.02:
        return rng.choice(_HOSTILE)
    if column == "Id":
        return "" if rng.random() < 0.25 else f"ep-{rng.randint(0, 40)}"
    if column == "ChannelType":
        return rng.choice(["EMAIL", "EMAIL", "SMS", "GCM", "", "PIGEON", "email"])
    if column == "Address":
        return rng.choice(["", f"a{rng.randint(0, 60)}@example.com", f"+1{rng.randint(0, 60)}"])
    if column == "OptOut":
        return rng.choice(["", "", "ALL", "NONE", "SOME"])
    if column == "EndpointStatus":
        return rng.choice(["", "", "ACTIVE", "INACTIVE", "ON"])
    if column == "EffectiveDate":
        return rng.choice(["", "2024-01-01T00:00:00.000Z"])
    if column == "User.UserId":
        return rng.choice(["", "u1", "u1", "u2", "u3", f"u{rng.randint(4, 90)}"])
    if column.startswith(("Metrics.", "Location.Latitude")):
        return rng.choice(["", "3", "2.5", "-1", "1e3", " 4 ", "many", "inf", "0"])
    return rng.choice(_TEXT)


def _csv_file(rng: random.Random) -> bytes:
    columns = [c for c in _POOL[3:] if rng.random() < 0.4]
    for required, chance in (("ChannelType", 0.9), ("Address", 0.9), ("Id", 0.6)):
        if rng.random() < chance:
            columns.append(required)
    rng.shuffle(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow(columns)
    hostile = rng.random() < 0.3
    for _ in range(rng.randint(0, 80)):
        row = [_cell(rng, column, hostile) for column in columns]
        if rng.random() < 0.03:
            row.append("extra")
        writer.writerow(row)
        if rng.random() < 0.03:
            out.write("\n")
    return out.getvalue().encode()


def _definition(rng: random.Random, with_id: bool) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if with_id:
        item["Id"] = f"ep-{rng.randint(0, 40)}"
    for name in ("ChannelType", "Address", "OptOut", "EndpointStatus"):
        if rng.random() < 0.5:
            value = _cell(rng, name)
            if value:
                item[name] = value
    if rng.random() < 0.5:
        item["User"] = {"UserId": rng.choice(["u1", "u2", "u9"])}
        if rng.random() < 0.3:
            item["User"]["UserAttributes"] = {"FirstName": [rng.choice(["Ana", "Bo"])]}
    if rng.random() < 0.5:
        item["Attributes"] = {rng.choice(["Plan", "Interests", "Colour"]):
                              [v for v in rng.sample(_TEXT[2:9], rng.randint(1, 3)) if v]}
    if rng.random() < 0.4:
        item["Metrics"] = {"Visits": rng.choice([1, 2.5, -3, 0])}
    if rng.random() < 0.4:
        item["Location"] = {"City": rng.choice(["Porto", "Köln"]), "Latitude": 41.1}
    return item


def _json_file(rng: random.Random) -> bytes:
    lines = [json.dumps(_definition(rng, rng.random() < 0.6), ensure_ascii=rng.random() < 0.5)
             for _ in range(rng.randint(0, 40))]
    return ("\n".join(lines) + "\n").encode()


def _steps(rng: random.Random) -> Iterator[tuple[str, tuple[Any, ...]]]:
    for n in range(rng.randint(3, 8)):
        kind = rng.random()
        if kind < 0.55:
            members = {"RegisterEndpoints": rng.random() < 0.85, "DefineSegment": True}
            yield "import", (f"f{n}.csv", _csv_file(rng), members)
        elif kind < 0.7:
            yield "import", (f"f{n}.json", _json_file(rng), {})
        elif kind < 0.8:
            yield "update_endpoint", (APP, f"ep-{rng.randint(0, 40)}", _definition(rng, False))
        elif kind < 0.88:
            items = [_definition(rng, True) for _ in range(rng.randint(1, 4))]
            yield "update_endpoints_batch", (APP, {"Item": items})
        elif kind < 0.94:
            yield "delete_endpoint", (APP, f"ep-{rng.randint(0, 40)}")
        else:
            yield "delete_user_endpoints", (APP, rng.choice(["u1", "u2", "u3"]))


@pytest.mark.parametrize("seed", range(60))
def test_fuzzed_files_and_operations_read_back_the_same(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    for operation, args in _steps(rng):
        pair.now += rng.choice([0, 1.5, 60])
        if operation == "import":
            key, body, members = args
            pair.import_file(monkeypatch, key, body, **members)
        else:
            pair.call(monkeypatch, operation, *args)
        pair.compare_all(monkeypatch)


def test_the_fuzzed_files_do_reach_the_fast_path(pair: Pair,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fast = 0
    for seed in range(60):
        rng = random.Random(seed)
        pair.import_file(monkeypatch, f"f{seed}.csv", _csv_file(rng))
        fast = max(fast, row_records(pair.tables()[0]))
    assert fast > 20


# -- the parts ----------------------------------------------------------------------------------


def test_user_index_keeps_order_and_collapses() -> None:
    users = UserIndex()
    users.add("u", "e1")
    users.add("u", "e2")
    users.add("u", "e1")  # already there: keeps its place
    assert users.get("u") == ("e1", "e2") and users.count("u") == 2
    users.move("e1", "u", "v")
    assert users.get("u") == ("e2",) and users.get("v") == ("e1",)
    users.move("e2", "u", "u")
    users.discard("u", "e2")
    assert "u" not in users and users.get("u") == () and len(users) == 1
    users.discard("v", "nope")
    assert users.items() == [("v", ("e1",))]


def test_json_records_keep_json_types_and_lone_surrogates() -> None:
    table = EndpointTable(APP)
    fields = {"Id": "e\udc80", "Attributes": {"A": ["\udc80x", "日本"]},
              "Metrics": {"Int": 3, "Float": 3.0, "Tiny": 1e-300}, "OptOut": "ALL"}
    table.put(Endpoint(APP, "e\udc80", fields, 1.25, "7"))
    again = table["e\udc80"]
    assert again.fields == fields and again.creation_date == 1.25 and again.cohort_id == "7"
    assert type(again.fields["Metrics"]["Int"]) is int
    assert table.pop("e\udc80") == again and table.pop("e\udc80") is None and len(table) == 0


def test_item_assignment_stores_under_the_endpoints_own_id() -> None:
    table = EndpointTable(APP)
    table["e1"] = Endpoint(APP, "e1", {"User": {"UserId": "u"}}, 0.0, "1")
    table["e1"] = Endpoint(APP, "e1", {"User": {"UserId": "v"}}, 0.0, "1")
    assert table.users.items() == [("v", ("e1",))]
    with pytest.raises(KeyError, match="stored under its own Id"):
        table["e2"] = Endpoint(APP, "e1", {}, 0.0, "1")
    del table["e1"]
    assert len(table) == 0 and len(table.users) == 0
    with pytest.raises(KeyError):
        del table["e1"]
