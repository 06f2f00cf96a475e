"""AWS-side helpers shared by the benchmarks: clients, the floor, captured responses, data.

The *floor* of a call is what botocore itself costs: a client created while no mock is
active, whose ``before-send`` handler returns a ready ``AWSResponse`` with the very bytes and
headers the mocked call returned. The same serialisation, signing, event emission and
parsing run; nothing decides the answer. A mock's overhead is its time minus that floor.
"""

from __future__ import annotations

import csv
import io
import os
import random
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.models import botocore_stubber as moto_stubber

from pinpoint_mock import PinpointImportsMock
from pinpoint_mock._botocore import to_aws_response
from pinpoint_mock._routing import HttpResponse
from pinpoint_mock.backend.operations import Backend

REGION = "us-east-1"
BUCKET = "benchmark-audience"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
_SESSION = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
)


def client(service: str) -> Any:
    """A boto3 client with fixed fake credentials (no environment, no default session), so
    that clients made with or without a mock active are configured alike."""
    return _SESSION.client(service, region_name=REGION)


@dataclass(frozen=True)
class Captured:
    """The HTTP response a call received: status, headers, body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def capture(client_: Any, operation: str, call: Callable[[], Any]) -> Captured:
    """Make ``call`` once and return the HTTP response botocore received for ``operation``
    (through the public ``needs-retry`` event, which carries it)."""
    seen: list[Any] = []

    def keep(response: Any = None, **_: Any) -> None:
        if response is not None:
            seen.append(response[0])

    event = f"needs-retry.pinpoint.{operation}"
    client_.meta.events.register(event, keep)
    try:
        call()
    finally:
        client_.meta.events.unregister(event, keep)
    http = seen[-1]
    return Captured(http.status_code, dict(http.headers.items()), bytes(http.content))


def floor_client(service: str) -> Any:
    """A client of :func:`client`'s configuration from which moto's ``before-send`` handler
    (which every client created after ``import moto`` carries, and which the mock's
    transport wraps) is removed: while a mock is active, nothing of moto's or the mock's
    runs on its requests, so its floor can be timed in the same session as the mocked call.
    Give it an answer with :func:`add_floor` (without one its requests would be sent)."""
    made = client(service)
    made.meta.events.unregister("before-send", moto_stubber)
    return made


def add_floor(client_: Any, operation: str, response: Captured) -> None:
    """Answer ``operation`` on ``client_`` with ``response``'s bytes from a ``before-send``
    handler (a fresh ``AWSResponse`` each call, built as the mock builds its own); it
    replaces the answer an earlier ``add_floor`` gave the same operation."""
    answer = HttpResponse(response.status, dict(response.headers), response.body)

    def floor(request: Any, **_: Any) -> AWSResponse:
        return to_aws_response(request.url, answer)

    event = f"before-send.pinpoint.{operation}"
    unique_id = f"pinpoint-mock-benchmark-floor-{operation}"
    client_.meta.events.unregister(event, unique_id=unique_id)
    client_.meta.events.register(event, floor, unique_id=unique_id)


def account_id() -> str:
    """The account moto (and the mock) files the benchmark clients' requests under."""
    return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID


def backend_of(mock: PinpointImportsMock) -> Backend:
    """The mock's backend of the benchmark account in us-east-1 (for the seeding helper).

    ``PinpointImportsMock`` has no public accessor for its backends yet: this reads
    ``_active_state()``, the one private name the benchmarks use.
    """
    return mock._active_state().backend(account_id(), REGION)


def create_app(pinpoint: Any, name: str) -> str:
    response = pinpoint.create_app(CreateApplicationRequest={"Name": name})
    return str(response["ApplicationResponse"]["Id"])


def put_object(s3: Any, key: str, body: bytes) -> str:
    """Put ``body`` in the benchmark bucket (created on first use); return its ``s3://`` URL."""
    try:
        s3.create_bucket(Bucket=BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return f"s3://{BUCKET}/{key}"


# --------------------------------------------------------------------------------------------
# The endpoint file of the import benchmarks

HEADER = [
    "ChannelType",
    "Address",
    "Id",
    "Location.Country",
    "Location.City",
    "Demographic.Platform",
    "User.UserId",
    "User.UserAttributes.FirstName",
    "Attributes.Interests",
    "Attributes.Interests",
    "Attributes.Interests",
    "Metrics.Purchases",
]
"""12 columns: top-level fields, nested groups, a user attribute, an attribute repeated three
times (a multi-valued attribute) and a metric."""

_INTERESTS = ["jazz", "hiking", "cooking, baking", 'films "noir"', "chess", "", "travel"]
_CITIES = ["Lisbon", "Porto", "New York, NY", "Zürich", "São Paulo", "Köln"]
_NAMES = ["Ana", "Bruno", 'Carla "Cá"', "Duarte", "Eva", "Filipa, Jr."]


def endpoints_csv(rows: int, seed: int = 7) -> bytes:
    """A CSV endpoint file of ``rows`` definitions under :data:`HEADER`.

    Every text field is quoted (``QUOTE_NONNUMERIC``), some hold commas, doubled quotes and
    non-ASCII letters; about one row in ten leaves an attribute cell empty. Deterministic.
    """
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(HEADER)
    for n in range(rows):
        email = n % 3 != 0
        writer.writerow(
            [
                "EMAIL" if email else "SMS",
                f"user{n}@example.com" if email else f"+1555{n:07d}",
                f"endpoint-{n}",
                rng.choice(("PT", "US", "CH", "BR", "DE")),
                rng.choice(_CITIES),
                rng.choice(("ios", "android", "web")),
                f"user-{n // 2}",
                rng.choice(_NAMES),
                rng.choice(_INTERESTS),
                rng.choice(_INTERESTS),
                rng.choice(_INTERESTS),
                rng.randint(0, 50),
            ]
        )
    return out.getvalue().encode("utf-8")


SHORT_HEADER = (
    ["ChannelType", "Address", "Id", "User.UserId", "Location.Country"]
    + [f"Attributes.A{n:02d}" for n in range(1, 31)]
    + [f"Metrics.M{n:02d}" for n in range(1, 11)]
)
"""45 columns, 40 of them holding one or two characters: 30 single-valued attributes and ten
metrics (the shape in which a dict per endpoint costs most against the file's size)."""


def short_columns_csv(rows: int, seed: int = 11) -> bytes:
    """A CSV endpoint file of ``rows`` definitions under :data:`SHORT_HEADER`: unquoted cells,
    attributes of one or two letters (one cell in eight empty), metrics of one or two digits.
    Deterministic."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    lines = [",".join(SHORT_HEADER)]
    for n in range(rows):
        email = n % 3 != 0
        cells = [
            "EMAIL" if email else "SMS",
            f"u{n}@example.com" if email else f"+1555{n:07d}",
            f"ep{n}",
            f"u{n // 2}",
            rng.choice(("PT", "US", "CH", "BR", "DE")),
        ]
        cells += ["" if rng.random() < 0.125 else rng.choice(letters) * rng.randint(1, 2)
                  for _ in range(30)]
        cells += [str(rng.randint(0, 99)) for _ in range(10)]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")
