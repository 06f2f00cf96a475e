"""``mock.calls``: every Pinpoint call, in order, with parameters, status, request id, the fault
(if any), who answered it and the parsed bodies; thread-safe; it ends with the scope."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pinpoint_mock import Fault, PinpointImportsMock, mock_pinpoint_imports

REGION = "us-east-1"


def client(attempts: int = 1) -> Any:
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.client("pinpoint", region_name=REGION, config=config)


def new_app(pinpoint: Any, name: str = "calls") -> str:
    """CreateApp, which the mock serves (and records)."""
    response = pinpoint.create_app(CreateApplicationRequest={"Name": name})
    return str(response["ApplicationResponse"]["Id"])


def after_create_app(mock: PinpointImportsMock) -> list[Any]:
    """The calls recorded after the first one, a CreateApp."""
    first, *rest = mock.calls
    assert first.operation == "CreateApp"
    return rest


def test_served_calls_are_recorded_in_order_with_params_status_and_request_id(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client()
    app_id = new_app(pinpoint)
    listed = pinpoint.get_import_jobs(ApplicationId=app_id, PageSize="5")
    with pytest.raises(pinpoint.exceptions.NotFoundException) as missing:
        pinpoint.get_import_job(ApplicationId=app_id, JobId="nope")
    calls = pinpoint_imports.calls
    assert [(c.operation, c.params, c.status, c.fault, c.answered_by) for c in calls] == [
        ("CreateApp", {"CreateApplicationRequest": {"Name": "calls"}}, 201, None, "mock"),
        ("GetImportJobs", {"ApplicationId": app_id, "PageSize": "5"}, 200, None, "mock"),
        ("GetImportJob", {"ApplicationId": app_id, "JobId": "nope"}, 404, None, "mock"),
    ]
    assert calls[1].request_id == listed["ResponseMetadata"]["RequestId"]
    assert calls[2].request_id == missing.value.response["ResponseMetadata"]["RequestId"]


def test_calls_carry_the_parsed_request_and_response_bodies(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client()
    app_id = new_app(pinpoint)
    created = pinpoint.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "vip", "Dimensions": {"Demographic": {"Platform": {"Values": ["ios"]}}}})
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_segment(ApplicationId=app_id, SegmentId="missing")
    create, missing = after_create_app(pinpoint_imports)
    assert create.request == {
        "Name": "vip", "Dimensions": {"Demographic": {"Platform": {"Values": ["ios"]}}}}
    assert create.response == created["SegmentResponse"]
    assert missing.request is None
    assert missing.response == {"Message": missing.response["Message"],
                                "RequestID": missing.request_id}
    assert "missing" in missing.response["Message"]


def test_calls_moto_answered_are_recorded_and_marked_as_such(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client()
    app_id = new_app(pinpoint)
    updated = pinpoint.update_application_settings(ApplicationId=app_id,
                                                   WriteApplicationSettingsRequest={
                                                       "CloudWatchMetricsEnabled": True})
    got = pinpoint.get_application_settings(ApplicationId=app_id)  # moto's
    update, get = after_create_app(pinpoint_imports)
    assert (update.operation, update.status, update.answered_by, update.fault) == (
        "UpdateApplicationSettings", 200, "moto", None)
    assert update.params["ApplicationId"] == app_id
    assert update.request == {"CloudWatchMetricsEnabled": True}
    assert update.response["ApplicationId"] == app_id
    assert update.response["LastModifiedDate"] == updated["ApplicationSettingsResource"][
        "LastModifiedDate"]
    assert (get.operation, get.params, get.status, get.answered_by) == (
        "GetApplicationSettings", {"ApplicationId": app_id}, 200, "moto")
    assert get.request is None
    assert get.response["ApplicationId"] == got["ApplicationSettingsResource"]["ApplicationId"]


def test_a_moto_operation_answered_by_a_fault_is_marked_as_the_mock(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client()
    app_id = new_app(pinpoint)
    fault = Fault.forbidden("GetApplicationSettings", application_id=app_id)
    pinpoint_imports.faults.add(fault)
    with pytest.raises(pinpoint.exceptions.ForbiddenException) as raised:
        pinpoint.get_application_settings(ApplicationId=app_id)
    [call] = after_create_app(pinpoint_imports)
    assert (call.operation, call.params, call.status, call.fault, call.answered_by) == (
        "GetApplicationSettings", {"ApplicationId": app_id}, 403, fault, "mock")
    assert call.fault is fault
    assert call.request_id == raised.value.response["ResponseMetadata"]["RequestId"]
    assert call.response == {"Message": "Forbidden", "RequestID": call.request_id}


def test_each_retried_attempt_is_one_call(
    pinpoint_imports: PinpointImportsMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    pinpoint = client(attempts=3)
    app_id = new_app(pinpoint)
    fault = Fault.throttle("GetSegments", times=2)
    pinpoint_imports.faults.add(fault)
    pinpoint.get_segments(ApplicationId=app_id)
    calls = after_create_app(pinpoint_imports)
    assert [(c.operation, c.status, c.fault) for c in calls] == [
        ("GetSegments", 429, fault), ("GetSegments", 429, fault), ("GetSegments", 200, None)]
    assert len({c.request_id for c in calls}) == 3


def test_calls_from_sixteen_threads_are_all_recorded(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client()
    app_id = new_app(pinpoint)
    pinpoint_imports.faults.add(Fault.internal("GetSegments", probability=0.5))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                try:
                    pinpoint.get_segments(ApplicationId=app_id)
                except pinpoint.exceptions.InternalServerErrorException:
                    pass
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    calls = after_create_app(pinpoint_imports)
    assert len(calls) == 400
    assert len({c.request_id for c in calls}) == 400
    [rule] = pinpoint_imports.faults
    assert sum(c.fault is not None for c in calls) == rule.fired
    assert {c.status for c in calls if c.fault is None} == {200}


def test_the_call_log_ends_with_the_scope() -> None:
    with mock_pinpoint_imports() as first:
        pinpoint = client()
        pinpoint.get_import_jobs(ApplicationId=new_app(pinpoint))
        assert [call.operation for call in first.calls] == ["CreateApp", "GetImportJobs"]
    with mock_pinpoint_imports() as second:
        assert second.calls == []
    with pytest.raises(RuntimeError, match=r"^This mock_pinpoint_imports is not started; "):
        _ = first.calls


def test_calls_returns_a_copy(pinpoint_imports: PinpointImportsMock) -> None:
    pinpoint = client()
    pinpoint.get_segments(ApplicationId=new_app(pinpoint))
    pinpoint_imports.calls.clear()
    assert len(pinpoint_imports.calls) == 2


def test_request_ids_are_version_4_uuids_as_uuid_formats_them(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    import uuid

    from pinpoint_mock import _routing

    pinpoint = client()
    new_app(pinpoint)
    ids = [pinpoint.get_apps()["ResponseMetadata"]["RequestId"] for _ in range(50)]
    ids += [_routing.new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


def test_recorded_calls_are_the_calls_the_constructor_makes(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    import dataclasses

    from pinpoint_mock._dispatch import Call

    pinpoint = client()
    app_id = new_app(pinpoint)
    pinpoint.get_segments(ApplicationId=app_id)
    for recorded in pinpoint_imports.calls:
        made = Call(**{f.name: getattr(recorded, f.name) for f in dataclasses.fields(Call)})
        assert recorded == made and repr(recorded) == repr(made)
        assert recorded.response == made.response
        with pytest.raises(dataclasses.FrozenInstanceError):
            recorded.status = 500  # type: ignore[misc]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_makes_request_ids_of_its_own() -> None:
    """Request ids are made ahead in batches (pinpoint_mock._routing): a child made by fork
    (pytest-xdist, multiprocessing, a forking server) must not answer with the ids the parent
    holds ready, or two processes' responses would share an id."""
    from pinpoint_mock import _routing

    _routing._ready_ids.clear()
    _routing.new_request_id()  # a fresh batch is ready in the parent (the last id of an
    ready = set(_routing._ready_ids)  # earlier batch would have left none ready)
    assert ready
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next ids and leave at once
        try:
            os.write(write, " ".join(_routing.new_request_id() for _ in range(5)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_ids = pipe.read().split()
    os.waitpid(pid, 0)
    assert len(child_ids) == 5
    assert not ready & set(child_ids)
