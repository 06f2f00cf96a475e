"""Registered endpoints through boto3: imports with RegisterEndpoints, then GetEndpoint,
GetUserEndpoints, UpdateEndpoint, DeleteEndpoint, DeleteUserEndpoints."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

import pytest

from tests.conftest import BUCKET, ROLE_ARN, finish

Register = Callable[..., dict[str, Any]]


@pytest.fixture
def register(pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any) -> Register:
    """``register(key, body, **members)``: import ``body`` with RegisterEndpoints; the job."""

    def run(key: str, body: bytes, **members: Any) -> dict[str, Any]:
        s3.put_object(Bucket=BUCKET, Key=f"endpoints/{key}", Body=body)
        request = {"Format": "JSON" if key.endswith(".json") else "CSV", "RoleArn": ROLE_ARN,
                   "S3Url": f"s3://{BUCKET}/endpoints/{key}", "RegisterEndpoints": True,
                   **members}
        job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
        return finish(pinpoint_imports, pinpoint_client, app_id, job["ImportJobResponse"]["Id"])

    return run


def endpoint(client: Any, app_id: str, endpoint_id: str) -> dict[str, Any]:
    return dict(client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
                ["EndpointResponse"])


def test_an_import_with_ids_updates_those_endpoints_member_by_member(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, register: Register
) -> None:
    register("first.csv", b"Id,ChannelType,Address,Demographic.Make,Demographic.Platform,"
                          b"Attributes.Interests,Metrics.Visits,User.UserId\n"
                          b"ep-1,EMAIL,ana@example.com,Apple,ios,jazz,3,user-1\n")
    before = endpoint(pinpoint_client, app_id, "ep-1")
    pinpoint_imports.advance(60)
    job = register("second.csv", b"Id,Demographic.Platform,Attributes.Plan,Metrics.Visits\n"
                                 b"ep-1,android,gold,4\n")
    assert (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"]) == ("COMPLETED", 1, 0)
    after = endpoint(pinpoint_client, app_id, "ep-1")
    assert after["ChannelType"] == "EMAIL" and after["Address"] == "ana@example.com"
    assert after["Demographic"] == {"Make": "Apple", "Platform": "android"}
    assert after["Attributes"] == {"Interests": ["jazz"], "Plan": ["gold"]}
    assert after["Metrics"] == {"Visits": 4.0}
    assert after["User"] == {"UserId": "user-1"}
    assert after["CreationDate"] == before["CreationDate"]
    assert after["CohortId"] == before["CohortId"]
    assert after["EffectiveDate"] > before["EffectiveDate"]


def test_a_definition_without_id_gets_a_stable_derived_id(
    pinpoint_client: Any, app_id: str, register: Register
) -> None:
    body = b"ChannelType,Address,User.UserId\nSMS,+15550100,user-9\n"
    register("a.csv", body)
    register("b.csv", body.replace(b"user-9", b"user-10"))
    derived = hashlib.sha1(b"SMS:+15550100").hexdigest()[:32]
    assert endpoint(pinpoint_client, app_id, derived)["User"] == {"UserId": "user-10"}
    # the endpoint moved from user-9 to user-10: one endpoint, not two
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="user-9")
    assert caught.value.response["Error"]["Message"] == (
        f"User 'user-9' has no endpoints in application '{app_id}'."
    )
    items = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="user-10")
    assert [item["Id"] for item in items["EndpointsResponse"]["Item"]] == [derived]


def test_a_quote_left_open_at_the_end_of_the_file_registers_nothing_of_its_row(
    pinpoint_client: Any, app_id: str, register: Register
) -> None:
    """It registered an endpoint whose Address held the line end (found by an outside
    attacker): the row fails, naming the column."""
    job = register("open.csv", b'ChannelType,User.UserId,Address\nSMS,u1,+15550100\n'
                               b'EMAIL,u2,"x@b.c\n')
    assert (job["TotalProcessed"], job["TotalFailures"]) == (2, 1)
    assert job["Failures"] == [f"s3://{BUCKET}/endpoints/open.csv line 3: the quoted value of "
                               "Address is not closed: the object ends before its closing quote."]
    with pytest.raises(pinpoint_client.exceptions.NotFoundException):
        pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u2")
    assert pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u1")[
        "EndpointsResponse"]["Item"][0]["Address"] == "+15550100"


def test_get_user_endpoints_serves_every_endpoint_of_a_user(
    pinpoint_client: Any, app_id: str, register: Register
) -> None:
    lines = [{"Id": endpoint_id, "ChannelType": channel, "Address": address,
              "User": {"UserId": user}}
             for endpoint_id, channel, address, user in (("e1", "EMAIL", "a@x", "u"),
                                                         ("e2", "SMS", "+1", "u"),
                                                         ("e3", "SMS", "+2", "v"))]
    register("user.json", "\n".join(map(json.dumps, lines)).encode())
    response = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u")
    items = response["EndpointsResponse"]["Item"]
    assert [(i["Id"], i["ChannelType"], i["ApplicationId"]) for i in items] == [
        ("e1", "EMAIL", app_id), ("e2", "SMS", app_id)
    ]
    assert all({"CohortId", "CreationDate", "EffectiveDate", "EndpointStatus", "OptOut"} <= set(i)
               for i in items)


def test_update_endpoint_changes_an_imported_endpoint(
    pinpoint_client: Any, app_id: str, register: Register
) -> None:
    register("u.csv", b"Id,ChannelType,Address,Attributes.Interests,User.UserAttributes.Tier\n"
                      b"ep-1,EMAIL,a@x,jazz,gold\n")
    response = pinpoint_client.update_endpoint(
        ApplicationId=app_id, EndpointId="ep-1",
        EndpointRequest={"Attributes": {"Plan": ["pro"]}, "OptOut": "ALL",
                         "User": {"UserAttributes": {"Name": ["Ana"]}}},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    request_id = response["MessageBody"]["RequestID"]
    body = endpoint(pinpoint_client, app_id, "ep-1")
    assert body["Attributes"] == {"Interests": ["jazz"], "Plan": ["pro"]}
    assert body["User"] == {"UserAttributes": {"Tier": ["gold"], "Name": ["Ana"]}}
    assert (body["OptOut"], body["ChannelType"], body["RequestId"]) == ("ALL", "EMAIL", request_id)


def test_delete_endpoint_and_delete_user_endpoints(
    pinpoint_client: Any, app_id: str, register: Register
) -> None:
    register("d.csv", b"Id,ChannelType,Address,User.UserId\n"
                      b"e1,EMAIL,a@x,u\ne2,SMS,+1,u\ne3,SMS,+2,v\n")
    deleted = pinpoint_client.delete_endpoint(ApplicationId=app_id, EndpointId="e3")
    assert deleted["EndpointResponse"]["Id"] == "e3"
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
        pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="e3")
    assert caught.value.response["Error"]["Message"] == (
        f"Endpoint 'e3' not found in application '{app_id}'."
    )
    removed = pinpoint_client.delete_user_endpoints(ApplicationId=app_id, UserId="u")
    assert [i["Id"] for i in removed["EndpointsResponse"]["Item"]] == ["e1", "e2"]
    for endpoint_id in ("e1", "e2"):
        with pytest.raises(pinpoint_client.exceptions.NotFoundException):
            pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
    # an update by Id of a deleted endpoint needs ChannelType and Address again
    job = register("again.csv", b"Id,Attributes.Plan\ne1,gold\n")
    assert job["Failures"] == [
        f"s3://{BUCKET}/endpoints/again.csv line 2: no endpoint with Id 'e1' exists to update, "
        "so ChannelType and Address are required."
    ]


def test_with_register_endpoints_false_nothing_is_readable(
    pinpoint_imports: Any, pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    """``RegisterEndpoints: false`` keeps nothing (botocore: "Specifies whether to register the
    endpoints with Amazon Pinpoint")."""
    s3.put_object(Bucket=BUCKET, Key="endpoints/n.csv", Body=b"Id,ChannelType,Address\ne1,SMS,+1\n")
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "S3Url": f"s3://{BUCKET}/endpoints/n.csv", "RoleArn": ROLE_ARN,
        "RegisterEndpoints": False})
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["ImportJobResponse"]["Id"])
    assert (done["JobStatus"], done["TotalProcessed"]) == ("COMPLETED", 1)
    with pytest.raises(pinpoint_client.exceptions.NotFoundException):
        pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="e1")


def test_a_user_id_file_defines_a_segment_of_the_users_endpoints(
    pinpoint_client: Any, app_id: str, register: Register, create_job: Any,
    pinpoint_imports: Any,
) -> None:
    register("owners.csv", b"Id,ChannelType,Address,User.UserId\n"
                           b"e1,EMAIL,a@x,u1\ne2,SMS,+1,u1\ne3,SMS,+2,u2\ne4,PUSH,t,u3\n")
    for key, body in (("ids.csv", b"User.UserId\nu1 u2\nnobody\n"),
                      ("ids.json", b'{"User":{"UserId":"u1"}}\n{"User":{"UserId":"u2"}}\n')):
        job = register(key, body, DefineSegment=True, SegmentName=key)
        assert (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"]) == (
            "COMPLETED", 3 if key.endswith(".csv") else 2, 0)
        segment = pinpoint_client.get_segment(ApplicationId=app_id,
                                              SegmentId=job["Definition"]["SegmentId"])
        definition = segment["SegmentResponse"]["ImportDefinition"]
        assert (definition["Size"], definition["ChannelCounts"]) == (3, {"EMAIL": 1, "SMS": 2})
