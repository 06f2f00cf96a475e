"""Issue #3 through boto3: every endpoint field, file edge cases, limits, pieces, big files.

Each test puts a small file in moto's S3, runs an import job to its end and pins the exact
counts and messages of ``ImportJobResponse`` (and, with ``RegisterEndpoints``, what
GetEndpoint / GetUserEndpoints return).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tracemalloc
import zipfile
from typing import Any, Callable

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.s3.models import FakeKey, s3_backends

from pinpoint_mock import _moto
from tests.conftest import BUCKET, ROLE_ARN, finish

Import = Callable[..., dict[str, Any]]

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CHANNELS = (
    "ADM, APNS, APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, BAIDU, CUSTOM, EMAIL, GCM, "
    "IN_APP, PUSH, SMS, VOICE"
)
NAMES_QUOTA = (
    "which may have at most 250 (Attributes, User.UserAttributes and Metrics together)"
)


@pytest.fixture
def run_import(pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any) -> Import:
    """``run_import(key, body, **members)``: put ``body`` at ``fidelity/{key}`` (unless None),
    import ``s3://audience-files/fidelity/{key}`` (Format from the extension) and return the
    job's final ImportJobResponse."""

    def run(key: str, body: bytes | None, **members: Any) -> dict[str, Any]:
        if body is not None:
            s3.put_object(Bucket=BUCKET, Key=f"fidelity/{key}", Body=body)
        request = {"Format": "JSON" if key.endswith(".json") else "CSV",
                   "S3Url": f"s3://{BUCKET}/fidelity/{key}", "RoleArn": ROLE_ARN, **members}
        job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
        return finish(pinpoint_imports, pinpoint_client, app_id, job["ImportJobResponse"]["Id"])

    return run


def url(key: str) -> str:
    return f"s3://{BUCKET}/fidelity/{key}"


def outcome(job: dict[str, Any]) -> tuple[Any, ...]:
    """(JobStatus, TotalProcessed, TotalFailures, TotalPieces, CompletedPieces, FailedPieces)."""
    return (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"], job["TotalPieces"],
            job["CompletedPieces"], job["FailedPieces"])


# --------------------------------------------------------------------------------------------
# 1. Every field of EndpointBatchItem

ALL_FIELDS_HEADER = (
    "Id,ChannelType,Address,OptOut,EffectiveDate,EndpointStatus,RequestId,"
    "Demographic.AppVersion,Demographic.Locale,Demographic.Make,Demographic.Model,"
    "Demographic.ModelVersion,Demographic.Platform,Demographic.PlatformVersion,"
    "Demographic.Timezone,Location.City,Location.Country,Location.Latitude,Location.Longitude,"
    "Location.PostalCode,Location.Region,User.UserId,User.UserAttributes.Tier,"
    "User.UserAttributes.Tier,Attributes.Interests,Attributes.Interests,Metrics.Visits"
)
ALL_FIELDS_ROW = (
    'ep-1,EMAIL,ana@example.com,ALL,2024-05-01T10:00:00.000Z,INACTIVE,req-7,2.1.0,pt_PT,Apple,'
    'iPhone,15,ios,17.4,Europe/Lisbon,Porto,PT,41.1,-8.6,4000-001,Norte,user-1,gold,vip,jazz,'
    '"books, maps",12'
)
ALL_FIELDS = {
    "Id": "ep-1",
    "ChannelType": "EMAIL",
    "Address": "ana@example.com",
    "OptOut": "ALL",
    "EffectiveDate": "2024-05-01T10:00:00.000Z",
    "EndpointStatus": "INACTIVE",
    "RequestId": "req-7",
    "Demographic": {
        "AppVersion": "2.1.0", "Locale": "pt_PT", "Make": "Apple", "Model": "iPhone",
        "ModelVersion": "15", "Platform": "ios", "PlatformVersion": "17.4",
        "Timezone": "Europe/Lisbon",
    },
    "Location": {
        "City": "Porto", "Country": "PT", "Latitude": 41.1, "Longitude": -8.6,
        "PostalCode": "4000-001", "Region": "Norte",
    },
    "User": {"UserId": "user-1", "UserAttributes": {"Tier": ["gold", "vip"]}},
    "Attributes": {"Interests": ["jazz", "books, maps"]},
    "Metrics": {"Visits": 12.0},
}


@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("all.csv", f"{ALL_FIELDS_HEADER}\n{ALL_FIELDS_ROW}\n".encode()),
        ("all.json", (json.dumps({**ALL_FIELDS, "Metrics": {"Visits": 12}}) + "\n").encode()),
    ],
)
def test_every_endpoint_field_is_imported_and_served_by_get_endpoint(
    pinpoint_client: Any, app_id: str, run_import: Import, key: str, body: bytes
) -> None:
    job = run_import(key, body, RegisterEndpoints=True)
    assert outcome(job) == ("COMPLETED", 1, 0, 1, 1, 0)
    endpoint = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="ep-1")
    response = endpoint["EndpointResponse"]
    assert ISO.match(response.pop("CreationDate"))
    cohort = response.pop("CohortId")
    assert cohort.isdigit() and 0 <= int(cohort) <= 99
    assert response == {**ALL_FIELDS, "ApplicationId": app_id}
    users = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="user-1")
    assert [item["Id"] for item in users["EndpointsResponse"]["Item"]] == ["ep-1"]


def test_unknown_top_level_fields_fail_their_rows_naming_the_field(run_import: Import) -> None:
    csv_job = run_import("colour.csv", b"ChannelType,Address,Colour\nSMS,+1,red\nSMS,+2,blue\n")
    assert outcome(csv_job) == ("FAILED", 2, 2, 1, 0, 1)
    assert csv_job["Failures"] == [
        f"{url('colour.csv')} line 2: unknown column 'Colour' (column 3).",
        f"{url('colour.csv')} line 3: unknown column 'Colour' (column 3).",
    ]
    json_job = run_import(
        "colour.json",
        b'{"ChannelType":"SMS","Address":"+1","Colour":"red"}\n'
        b'{"ChannelType":"SMS","Address":"+2"}\n',
    )
    assert outcome(json_job) == ("COMPLETED", 2, 1, 1, 1, 0)
    assert json_job["Failures"] == [f"{url('colour.json')} line 1: unknown field 'Colour'."]


def test_defaults_of_a_registered_endpoint(
    pinpoint_client: Any, app_id: str, run_import: Import
) -> None:
    run_import("min.csv", b"ChannelType,Address\nSMS,+15550001\n", RegisterEndpoints=True)
    endpoint_id = hashlib.sha1(b"SMS:+15550001").hexdigest()[:32]
    response = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
    body = response["EndpointResponse"]
    assert body["Id"] == endpoint_id
    assert (body["EndpointStatus"], body["OptOut"]) == ("ACTIVE", "NONE")
    assert ISO.match(body["EffectiveDate"]) and body["EffectiveDate"] == body["CreationDate"]
    assert "User" not in body and "Attributes" not in body


# --------------------------------------------------------------------------------------------
# 2. File edge cases: (key, body, outcome, failures); {url} is the object's URL

GZIP = gzip.compress(b"ChannelType,Address\nSMS,+1\n")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("endpoints.csv", "ChannelType,Address\nSMS,+1\n")
    return buffer.getvalue()


NOT_SUPPORTED = "which Pinpoint's CSV import does not support."
EDGE_CASES = [
    ("bom.csv", b"\xef\xbb\xbfChannelType,Address\nSMS,+1\n", ("COMPLETED", 1, 0, 1, 1, 0), []),
    ("crlf.csv", b"ChannelType,Address\r\nSMS,+1\r\nEMAIL,a@x\r\n",
     ("COMPLETED", 2, 0, 1, 1, 0), []),
    ("blank.csv", b"\nChannelType,Address\n\nSMS,+1\n\n\nEMAIL,\n",
     ("COMPLETED", 2, 1, 1, 1, 0),
     ["{url} line 7: Address is required for a new endpoint (no Id)."]),
    ("newline.csv", b'ChannelType,Address,Attributes.Note\nSMS,+1,"a\nb"\nSMS,+2,ok\n',
     ("COMPLETED", 2, 1, 1, 1, 0),
     [f"{{url}} line 2: the value of Attributes.Note holds a line break, {NOT_SUPPORTED}"]),
    ("tab.csv", b'ChannelType,Address,Attributes.Note\nSMS,+1,"a\tb"\nSMS,+2,ok\n',
     ("COMPLETED", 2, 1, 1, 1, 0),
     [f"{{url}} line 2: the value of Attributes.Note holds a tab, {NOT_SUPPORTED}"]),
    ("empty-column.csv", b"ChannelType,Address,\nSMS,+1,\n", ("FAILED", 1, 1, 1, 0, 1),
     ["{url} line 2: column 3 of the header has no name."]),
    ("repeated.csv", b"ChannelType,Address,Address\nSMS,+1,+2\n", ("FAILED", 1, 1, 1, 0, 1),
     ["{url} line 2: column 'Address' is repeated."]),
    ("cells.csv", b"ChannelType,Address\nSMS\nSMS,+1,x\nSMS,+2\n", ("COMPLETED", 3, 2, 1, 1, 0),
     ["{url} line 2: the row has 1 cells but the header has 2 columns.",
      "{url} line 3: the row has 3 cells but the header has 2 columns."]),
    ("lines.json", b'{"ChannelType":"SMS","Address":"+1"}\n[1]\n{oops\n"text"\n',
     ("COMPLETED", 4, 3, 1, 1, 0),
     ["{url} line 2: the line must be a JSON object, got an array.",
      "{url} line 3: the line is not valid JSON "
      "(Expecting property name enclosed in double quotes at column 2).",
      "{url} line 4: the line must be a JSON object, got a string."]),
    ("latin1.csv", b"ChannelType,Address\nSMS,+1\nEMAIL,jos\xe9@x\nSMS,+2\n",
     ("FAILED", 1, 0, 1, 0, 1),
     ["{url}: the object is not valid UTF-8 (byte 0xe9 at offset 36, line 3) and Pinpoint "
      "imports only UTF-8 files; its definitions before line 3 were read, the rest of it was "
      "not."]),
    ("packed.csv", GZIP, ("FAILED", 0, 0, 1, 0, 1),
     ["{url}: the object is gzip-compressed and Pinpoint imports only uncompressed files."]),
    ("packed.json", _zip(), ("FAILED", 0, 0, 1, 0, 1),
     ["{url}: the object is a ZIP archive and Pinpoint imports only uncompressed files."]),
    ("empty.csv", b"", ("FAILED", 0, 0, 1, 0, 1),
     ["{url}: the object holds no definition (it is empty, or holds only a header or blank "
      "lines)."]),
    ("header-only.csv", b"ChannelType,Address\n\n", ("FAILED", 0, 0, 1, 0, 1),
     ["{url}: the object holds no definition (it is empty, or holds only a header or blank "
      "lines)."]),
]


@pytest.mark.parametrize(("key", "body", "expected", "failures"), EDGE_CASES,
                         ids=[case[0] for case in EDGE_CASES])
def test_file_edge_cases(
    run_import: Import, key: str, body: bytes, expected: tuple[Any, ...], failures: list[str]
) -> None:
    job = run_import(key, body)
    assert outcome(job) == expected
    assert job["Failures"] == [failure.format(url=url(key)) for failure in failures]


def test_a_prefix_with_no_object_of_the_format_fails_the_job(
    s3: Any, run_import: Import
) -> None:
    s3.put_object(Bucket=BUCKET, Key="fidelity/json-only/a.json", Body=b'{"Address":"+1"}\n')
    s3.put_object(Bucket=BUCKET, Key="fidelity/json-only/notes.txt", Body=b"x")
    job = run_import("json-only/", None)
    assert outcome(job) == ("FAILED", 0, 0, 1, 0, 1)
    assert job["Failures"] == [
        f"No CSV object found under {url('json-only/')} (CSV objects end in .csv)."
    ]


def _claim_size(key: str, size: int) -> None:
    """Make moto report ``size`` as the object's Content-Length (no GB is stored)."""
    fake: FakeKey = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[BUCKET].keys[f"fidelity/{key}"]
    fake.contentsize = size


def test_moto_keys_have_a_size() -> None:
    # _moto.MotoS3Objects reads FakeKey.size (a canary for the 1 GB check).
    assert FakeKey("k", b"abc", account_id="123456789012", region_name="us-east-1").size == 3


def test_an_object_over_1_gb_is_refused_without_being_read(
    s3: Any, run_import: Import, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, address in (("huge", "+1"), ("small", "+2")):
        s3.put_object(Bucket=BUCKET, Key=f"fidelity/big/{name}.csv",
                      Body=f"ChannelType,Address\nSMS,{address}\n".encode())
    _claim_size("big/huge.csv", 2**30 + 1)
    reads: list[int] = []
    original = _moto._ChunkedReader.readinto
    monkeypatch.setattr(_moto._ChunkedReader, "readinto",
                        lambda self, buffer: reads.append(id(self._key)) or original(self, buffer))
    job = run_import("big/", None)
    assert outcome(job) == ("FAILED", 1, 0, 2, 1, 1)
    assert job["Failures"] == [
        f"{url('big/huge.csv')}: the object is 1073741825 bytes, over Pinpoint's limit of 1 GB "
        "(1073741824 bytes) per import job, so it was not read."
    ]
    huge = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[BUCKET].keys["fidelity/big/huge.csv"]
    assert id(huge) not in reads and reads  # small.csv was read, huge.csv never


def test_objects_that_together_pass_1_gb(s3: Any, run_import: Import) -> None:
    for name in ("a.csv", "b.csv", "c.csv"):
        s3.put_object(Bucket=BUCKET, Key=f"fidelity/parts/{name}",
                      Body=b"ChannelType,Address\nSMS,+1\n")
    _claim_size("parts/a.csv", 600_000_000)
    _claim_size("parts/b.csv", 600_000_000)
    job = run_import("parts/", None)
    assert outcome(job) == ("FAILED", 2, 0, 3, 2, 1)
    assert job["Failures"] == [
        f"{url('parts/b.csv')}: the object (600000000 bytes) was not read: with it the import "
        "would read 1200000000 bytes, over Pinpoint's limit of 1 GB (1073741824 bytes) per "
        "import job."
    ]


# --------------------------------------------------------------------------------------------
# 3. Limits (quotas.md, "Endpoint quotas")


def test_attribute_name_and_value_lengths(run_import: Import) -> None:
    name, value = "n" * 51, "v" * 101
    body = (f"ChannelType,Address,Attributes.{name},User.UserAttributes.Bio\n"
            f"SMS,+1,x,\nSMS,+2,,{value}\nSMS,+3,,{'v' * 100}\n").encode()
    job = run_import("lengths.csv", body)
    assert outcome(job) == ("COMPLETED", 3, 2, 1, 1, 0)
    assert job["Failures"] == [
        f"{url('lengths.csv')} line 2: Attributes.{name} name must be at most 50 characters, "
        "got 51.",
        f"{url('lengths.csv')} line 3: User.UserAttributes.Bio value must be at most 100 "
        "characters, got 101.",
    ]


def test_number_cells_follow_the_json_number_grammar(
        run_import: Import, pinpoint_client: Any, app_id: str) -> None:
    """Metrics and coordinates are ASCII decimal numbers (docs/import-rules.md "Values": AWS
    unknown; what spreadsheets write and Java's Double.parseDouble reads), not what Python's
    float() reads: underscores, blanks, non-ASCII digits (Arabic-Indic, full-width), hex,
    Infinity fail the row."""
    good = ["0", "-0", "12", "-3.25", "1e3", "2.5E-2", "1e-400", "+1", ".5", "1.", "01"]
    bad = ["1_000", " 1 ", "1 ", "\u0663", "\uff11\uff12", "0x10", "Infinity", "1e", "--1", "."]
    rows = [f"ok{i},EMAIL,a{i}@x,{cell},{cell}" for i, cell in enumerate(good)]
    rows += [f"bad{i},EMAIL,b{i}@x,{cell}," for i, cell in enumerate(bad)]
    rows += [f"lat{i},EMAIL,c{i}@x,1,{cell}" for i, cell in enumerate(bad[:3])]
    body = ("Id,ChannelType,Address,Metrics.m,Location.Latitude\n" + "\n".join(rows) + "\n")
    job = run_import("numbers.csv", body.encode())
    assert outcome(job)[:3] == ("COMPLETED", len(rows), len(bad) + 3)
    first_bad = len(good) + 2
    assert job["Failures"] == [
        f"{url('numbers.csv')} line {first_bad + i}: Metrics.m must be a number, got {cell!r}."
        for i, cell in enumerate(bad)
    ] + [
        f"{url('numbers.csv')} line {first_bad + len(bad) + i}: Location.Latitude must be a "
        f"number, got {cell!r}." for i, cell in enumerate(bad[:3])
    ]
    for i, cell in enumerate(good):
        got = pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId=f"ok{i}")
        assert got["EndpointResponse"]["Metrics"] == {"m": float(cell)}
        assert got["EndpointResponse"]["Location"]["Latitude"] == float(cell)


def test_at_most_50_values_per_attribute(run_import: Import) -> None:
    header = "ChannelType,Address," + ",".join(["Attributes.Tags"] * 51)
    full = "SMS,+1," + ",".join(f"t{i}" for i in range(51))
    fifty = "SMS,+2," + ",".join(f"t{i}" for i in range(50)) + ","
    job = run_import("values.csv", f"{header}\n{full}\n{fifty}\n".encode())
    assert outcome(job) == ("COMPLETED", 2, 1, 1, 1, 0)
    assert job["Failures"] == [
        f"{url('values.csv')} line 2: Attributes.Tags must have at most 50 values, got 51."
    ]
    lines = [{"ChannelType": "SMS", "Address": "+1",
              "User": {"UserAttributes": {"Tags": [f"t{i}" for i in range(n)]}}}
             for n in (51, 50)]
    job = run_import("values.json", "\n".join(map(json.dumps, lines)).encode())
    assert job["Failures"] == [
        f"{url('values.json')} line 1: User.UserAttributes.Tags must have at most 50 values, "
        "got 51."
    ]


def test_an_endpoint_over_15_kb_fails(run_import: Import) -> None:
    value = "x" * 100
    big = {"ChannelType": "SMS", "Address": "+1",
           "Attributes": {name: [value] * 50 for name in ("A", "B", "C")}}
    size = len(json.dumps(big, separators=(",", ":")).encode())
    assert size > 15 * 1024
    small = {"ChannelType": "SMS", "Address": "+2",
             "Attributes": {name: [value] * 50 for name in ("A", "B")}}
    job = run_import("big.json", f"{json.dumps(big)}\n{json.dumps(small)}\n".encode())
    assert outcome(job) == ("COMPLETED", 2, 1, 1, 1, 0)
    assert job["Failures"] == [
        f"{url('big.json')} line 1: the endpoint must be at most 15 KB (15360 bytes as JSON), "
        f"got {size} bytes."
    ]
    header = "ChannelType,Address," + ",".join(f"Attributes.{n}" for n in "ABC" for _ in range(50))
    row = "SMS,+1," + ",".join([value] * 150)
    job = run_import("big.csv", f"{header}\n{row}\n".encode())
    assert job["Failures"] == [
        f"{url('big.csv')} line 2: the endpoint must be at most 15 KB (15360 bytes as JSON), "
        f"got {size} bytes."
    ]


def test_a_csv_cell_over_131072_characters_fails_its_row_in_the_mock_s_words(
    run_import: Import,
) -> None:
    """AWS unknown: rule chosen, documented in docs/import-rules.md (CSV cell length): a cell
    longer than the csv module's field size limit fails its row with a message that names
    the row, the limit and that it is the mock's (it was Python's "field larger than field
    limit (131072)"); the other rows import."""
    job = run_import("huge-cell.csv", b"ChannelType,Address\nSMS,+1\nSMS,+1" + b"5" * 131_072
                     + b"\nSMS,+2\n", DefineSegment=False)
    assert outcome(job) == ("COMPLETED", 3, 1, 1, 1, 0)
    assert job["Failures"] == [
        f"{url('huge-cell.csv')} line 3: a cell of the row is longer than 131,072 characters, "
        "the most the mock reads in one CSV cell (Pinpoint's own limit is unknown; this one is "
        "the mock's), so the row is not read."
    ]


def test_at_most_250_custom_attribute_names_per_application(run_import: Import) -> None:
    header = "ChannelType,Address," + ",".join(f"Attributes.a{i}" for i in range(240))
    header += "," + ",".join(f"Metrics.m{i}" for i in range(9))
    first = run_import("names-1.csv", f"{header}\nSMS,+1,{','.join(['1'] * 249)}\n".encode())
    assert outcome(first) == ("COMPLETED", 1, 0, 1, 1, 0)
    # 249 names are the application's now (RegisterEndpoints false: the names still count)
    body = ("ChannelType,Address,User.UserAttributes.b0,Attributes.b1,Attributes.a0\n"
            "SMS,+2,x,,y\nSMS,+3,,z,\nSMS,+4,w,,\n")
    second = run_import("names-2.csv", body.encode())
    assert outcome(second) == ("COMPLETED", 3, 1, 1, 1, 0)
    assert second["Failures"] == [
        f"{url('names-2.csv')} line 3: Attributes.b1 would be custom attribute name 251 of the "
        f"application, {NAMES_QUOTA}."
    ]
    third = run_import("names-3.json", b'{"ChannelType":"SMS","Address":"+5",'
                                       b'"Metrics":{"m0":1,"visits":2}}\n')
    assert third["Failures"] == [
        f"{url('names-3.json')} line 1: Metrics.visits would be custom attribute name 251 of "
        f"the application, {NAMES_QUOTA}."
    ]


def test_at_most_15_endpoints_per_user_id(
    pinpoint_client: Any, app_id: str, run_import: Import
) -> None:
    rows = "".join(f"SMS,+1555000{n:04d},u1\n" for n in range(16))
    body = f"ChannelType,Address,User.UserId\n{rows}".encode()
    job = run_import("user.csv", body, RegisterEndpoints=True)
    assert outcome(job) == ("COMPLETED", 16, 1, 1, 1, 0)
    assert job["Failures"] == [
        f"{url('user.csv')} line 17: User.UserId 'u1' may have at most 15 endpoints and already "
        "has 15."
    ]
    items = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u1")
    assert len(items["EndpointsResponse"]["Item"]) == 15
    # the same file again updates the 15 endpoints (not new ones) and refuses the 16th again
    again = run_import("user.csv", None, RegisterEndpoints=True)
    assert (again["TotalProcessed"], again["TotalFailures"]) == (16, 1)
    # RegisterEndpoints omitted registers, as true does (issue 10 item 2): the 16th again
    omitted = run_import("user.csv", None)
    assert (omitted["TotalProcessed"], omitted["TotalFailures"]) == (16, 1)
    # with RegisterEndpoints false nothing is stored, so nothing is counted per user (mock
    # choice)
    unregistered = run_import("user.csv", None, RegisterEndpoints=False)
    assert (unregistered["TotalProcessed"], unregistered["TotalFailures"]) == (16, 0)
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.update_endpoint(
            ApplicationId=app_id, EndpointId="sixteenth",
            EndpointRequest={"ChannelType": "SMS", "Address": "+1", "User": {"UserId": "u1"}},
        )
    assert caught.value.response["Error"]["Message"] == (
        "User.UserId 'u1' may have at most 15 endpoints and already has 15."
    )


# --------------------------------------------------------------------------------------------
# 6. Pieces


def test_pieces_complete_one_by_one_during_processing(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    rows = "".join(f"SMS,+1555{n:07d}\n" for n in range(250))
    s3.put_object(Bucket=BUCKET, Key="fidelity/250.csv", Body=f"ChannelType,Address\n{rows}")
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": url("250.csv"), "RoleArn": ROLE_ARN})["ImportJobResponse"]
    seen = []
    # default schedule: CREATED 1 s, INITIALIZING 4 s, PROCESSING 2 s per piece, COMPLETING 5 s
    for step in (0.5, 5.0, 2.0, 2.0, 2.0, 5.0):
        pinpoint_imports.advance(step)
        read = pinpoint_client.get_import_job(ApplicationId=app_id, JobId=job["Id"])
        body = read["ImportJobResponse"]
        seen.append((body["JobStatus"], body["TotalPieces"], body["CompletedPieces"]))
    assert seen == [
        ("CREATED", 3, 0), ("PROCESSING", 3, 0), ("PROCESSING", 3, 1), ("PROCESSING", 3, 2),
        ("COMPLETING", 3, 3), ("COMPLETED", 3, 3),
    ]


def test_a_piece_with_no_imported_row_fails_the_job(run_import: Import) -> None:
    good = "".join(f"SMS,+1555{n:07d}\n" for n in range(100))
    bad = "SMS,\n" * 100
    job = run_import("pieces.csv", f"ChannelType,Address\n{good}{bad}{good}".encode())
    assert outcome(job) == ("FAILED", 300, 100, 3, 2, 1)
    assert len(job["Failures"]) == 100
    assert job["Failures"][0] == (
        f"{url('pieces.csv')} line 102: Address is required for a new endpoint (no Id)."
    )


# --------------------------------------------------------------------------------------------
# 7. Big files stream and are read once


def _big_csv(rows: int) -> bytes:
    header = "ChannelType,Address,User.UserId,Attributes.Interests,Attributes.Interests\n"
    lines = (f'EMAIL,user{n}@example.com,user-{n // 2},"jazz, blues","books, maps"\n'
             for n in range(rows))
    return (header + "".join(lines)).encode()


def test_a_250000_endpoint_file_streams_and_is_read_once(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _big_csv(250_000)
    s3.put_object(Bucket=BUCKET, Key="fidelity/big/endpoints.csv", Body=data)
    size = len(data)
    del data
    read = [0]
    original = _moto._ChunkedReader.readinto

    def counting(self: Any, buffer: Any) -> int:
        count = original(self, buffer)
        read[0] += count
        return count

    monkeypatch.setattr(_moto._ChunkedReader, "readinto", counting)
    tracemalloc.start()
    try:
        job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
            "Format": "CSV", "S3Url": url("big/endpoints.csv"), "RoleArn": ROLE_ARN,
            "DefineSegment": True, "SegmentName": "big",
            # streaming without keeping: registration is measured by the benchmarks
            "RegisterEndpoints": False})["ImportJobResponse"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.05 * size, f"peak {peak} bytes for a file of {size} bytes"
    for _ in range(20):  # 2,500 pieces of 2 s: 5,010 s to COMPLETED
        pinpoint_imports.advance(300)
        done = pinpoint_client.get_import_job(ApplicationId=app_id, JobId=job["Id"])
    assert outcome(done["ImportJobResponse"]) == ("COMPLETED", 250_000, 0, 2500, 2500, 0)
    assert read[0] == size  # one pass at CreateImportJob; the 20 reads parse nothing


def test_a_missing_bucket_fails_the_job_with_no_definition_counted(run_import: Import) -> None:
    job = run_import("x.csv", None, S3Url="s3://no-such-bucket/x.csv")
    assert outcome(job) == ("FAILED", 0, 0, 1, 0, 1)
    assert job["Failures"] == [
        "s3://no-such-bucket/x.csv: the bucket 'no-such-bucket' does not exist (NoSuchBucket)."
    ]
