"""Atomic operations (issue 14 item 2), on the backend alone: an operation that is refused or
fails half-way changes nothing, and listings stay in creation order under concurrent writes."""

from __future__ import annotations

import io
import threading
from typing import Any, BinaryIO

import pytest

from pinpoint_mock.backend.errors import BadRequestError
from pinpoint_mock.backend.importer import SourceObject
from pinpoint_mock.backend.operations import Backend, Settings
from pinpoint_mock.backend.store import Store

ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointImport"
APP = "a" * 32


class Breaking:
    """A stream that gives ``head`` 4 KiB per ``read`` and then fails with an error no reader
    expects (the reader decodes 64 KiB at a time, so ``head`` must be longer for rows to be
    read before the failure)."""

    def __init__(self, head: bytes):
        self._head = head

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            raise RuntimeError("the disk caught fire")
        piece, self._head = self._head[:4096], self._head[4096:]
        return piece

    def close(self) -> None:
        pass


class Objects:
    """An object source whose objects are ``{key: bytes}``, or ``{key: Breaking}``."""

    def __init__(self, objects: dict[str, Any]):
        self._objects = objects

    def objects(self, bucket: str, prefix: str) -> list[SourceObject]:
        found = []
        for key, body in self._objects.items():
            if key.startswith(prefix):
                def open_it(body: Any = body) -> BinaryIO:
                    return body if isinstance(body, Breaking) else io.BytesIO(body)  # type: ignore[return-value]
                found.append(SourceObject(key=key, bucket=bucket, open=open_it))
        return found


def backend(objects: dict[str, Any]) -> Backend:
    store = Store("123456789012", "us-east-1", lambda app_id: True)
    return Backend(store, Objects(objects), lambda: 1_700_000_000.0, Settings())


def request(key: str, **members: Any) -> dict[str, Any]:
    return {"Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": f"s3://bucket/{key}", **members}


def state(b: Backend) -> tuple[Any, ...]:
    app = b.store.application(APP)
    return (
        {k: dict(v.fields) for k, v in app.endpoints.items()},
        {k: list(v) for k, v in app.endpoints_by_user.items()},
        set(app.attribute_names),
        [s.id for s in app.segment_listing],
        [j.id for j in app.job_listing],
        b.store.jobs(),
    )


def test_an_import_that_fails_half_way_stores_no_endpoint_no_segment_no_job() -> None:
    """The rows before the failure were registered while the file was read; the failure takes
    them back, with the custom names they added, and leaves no segment and no job."""
    rows = b"Id,ChannelType,Address,User.UserId,Attributes.New\n" + b"".join(
        b"e%d,SMS,+1%d,u%d,x\n" % (n, n, n) for n in range(5000))
    registered: list[int] = []  # endpoints registered when the stream broke

    class Watched(Breaking):
        def read(self, size: int = -1) -> bytes:
            if not self._head:
                registered.append(len(b.store.application(APP).endpoints))
            return super().read(size)

    b = backend({"ok.csv": b"Id,ChannelType,Address,User.UserId,Attributes.Old\ne1,EMAIL,a,u1,y\n",
                 "broken.csv": Watched(rows)})
    b.create_import_job(APP, request("ok.csv"))
    before = state(b)
    assert before[0]["e1"]["Attributes"] == {"Old": ["y"]}
    with pytest.raises(RuntimeError, match="the disk caught fire"):
        b.create_import_job(APP, request("broken.csv", DefineSegment=True, SegmentName="s"))
    assert registered and registered[0] > 1000  # rows were registered before the failure...
    assert state(b) == before  # ...and taken back


def test_a_refresh_that_fails_half_way_adds_no_version() -> None:
    b = backend({"ok.csv": b"ChannelType,Address\nSMS,+1\n",
                 "broken.csv": Breaking(b"Id,ChannelType,Address\n" + b"e9,SMS,+9\n" * 9000)})
    job = b.create_import_job(APP, request("ok.csv", DefineSegment=True, SegmentName="s"))
    assert isinstance(job, bytes)
    [segment] = b.store.application(APP).segment_listing
    with pytest.raises(RuntimeError):
        b.create_import_job(APP, request("broken.csv", SegmentId=segment.id))
    assert len(segment.versions) == 1
    assert "e9" not in b.store.application(APP).endpoints


def test_a_refused_batch_changes_no_endpoint_and_no_name() -> None:
    b = backend({})
    b.update_endpoint(APP, "e1", {"ChannelType": "SMS", "Address": "+1", "User": {"UserId": "u"},
                                  "Attributes": {"Plan": ["a"]}})
    before = state(b)
    with pytest.raises(BadRequestError, match=r"^Item\[2\] \(Id 'e3'\): OptOut"):
        b.update_endpoints_batch(APP, {"Item": [
            {"Id": "e1", "User": {"UserId": "v"}, "Attributes": {"Plan": ["b"], "New": ["n"]}},
            {"Id": "e2", "ChannelType": "EMAIL", "Address": "x@y", "User": {"UserId": "v"}},
            {"Id": "e3", "OptOut": "SOME"},
        ]})
    assert state(b) == before


def test_concurrent_create_segment_lists_in_creation_order_and_agrees_with_delete() -> None:
    """Each segment gets its sequence number and its place in the listing under one lock, so
    a listing is always in sequence order, and DeleteSegment (which finds the segment by its
    sequence number) removes what it deletes from every page."""
    b = backend({})
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for n in range(50):
                b.create_segment(APP, {"Name": f"s{n}"})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    app = b.store.application(APP)
    sequences = [segment.sequence for segment in app.segment_listing]
    assert sequences == sorted(sequences) and len(set(sequences)) == 400
    doomed = [segment.id for segment in list(app.segment_listing)[::3]]
    for segment_id in doomed:
        b.delete_segment(APP, segment_id)
    listed: list[str] = []
    token = None
    while True:
        page = b.get_segments(APP, "37", token)
        assert isinstance(page, dict)
        listed += [item["Id"] for item in page["Item"]]
        token = page.get("NextToken")
        if token is None:
            break
    assert len(listed) == 400 - len(doomed) and not set(doomed) & set(listed)
