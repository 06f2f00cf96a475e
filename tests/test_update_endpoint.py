"""UpdateEndpoint and UpdateEndpointsBatch apply the rules imports apply, and a refusal is a 400
naming the member that stores nothing (issue 14; issue 10 item 6), through boto3."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.conftest import BUCKET, ROLE_ARN, finish

EMAIL = {"ChannelType": "EMAIL", "Address": "ana@example.com"}


def endpoint(client: Any, app_id: str, endpoint_id: str) -> dict[str, Any]:
    return dict(client.get_endpoint(ApplicationId=app_id, EndpointId=endpoint_id)
                ["EndpointResponse"])


@pytest.fixture
def loose(pinpoint_imports: Any) -> Any:
    """A client without botocore's parameter validation: what a careless caller sends."""
    return boto3.client("pinpoint", region_name="us-east-1",
                        config=Config(parameter_validation=False))


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"ChannelType": "PIGEON", "Address": "loft"},
         "ChannelType must be one of ADM, APNS, APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, "
         "BAIDU, CUSTOM, EMAIL, GCM, IN_APP, PUSH, SMS, VOICE, got 'PIGEON'."),
        ({**EMAIL, "OptOut": "SOME"}, "OptOut must be ALL or NONE, got 'SOME'."),
        ({**EMAIL, "EndpointStatus": "ON"},
         "EndpointStatus must be ACTIVE or INACTIVE, got 'ON'."),
        ({**EMAIL, "Attributes": {"Note": ["x" * 101]}},
         "Attributes.Note value must be at most 100 characters, got 101."),
        ({**EMAIL, "User": {"UserAttributes": {"Tags": [str(n) for n in range(51)]}}},
         "User.UserAttributes.Tags must have at most 50 values, got 51."),
        ({**EMAIL, "Metrics": {"m" * 51: 1.0}},
         f"Metrics.{'m' * 51} name must be at most 50 characters, got 51."),
        ({**EMAIL, "Metrics": {"": 1.0}},
         "Metrics has an empty metric name; give each metric a name."),
        ({**EMAIL, "Attributes": {"": ["x"]}},
         "Attributes has an empty attribute name; give each attribute a name."),
        ({**EMAIL, "User": {"UserAttributes": {"": ["x"]}}},
         "User.UserAttributes has an empty attribute name; give each attribute a name."),
        ({**EMAIL, "Attributes": {f"A{n}": ["v" * 100] for n in range(160)}},
         "The endpoint must be at most 15 KB (15360 bytes as JSON), got 17886 bytes."),
    ],
)
def test_update_endpoint_refuses_what_an_import_refuses(
    pinpoint_client: Any, app_id: str, request_body: dict[str, Any], message: str
) -> None:
    """The value rules of imports (botocore: the ``ChannelType`` enum and the documented
    ``OptOut`` / ``EndpointStatus`` values; the developer guide's quotas.md "Endpoint
    quotas": names of 50 characters, 50 values of 100 characters, 15 KB per endpoint) apply
    to UpdateEndpoint: a 400 naming the member, and nothing is stored."""
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="e1",
                                        EndpointRequest=request_body)
    assert caught.value.response["Error"]["Message"] == message
    with pytest.raises(pinpoint_client.exceptions.NotFoundException):
        pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="e1")


def test_an_update_that_breaks_a_rule_leaves_the_endpoint_as_it_was(
    pinpoint_client: Any, app_id: str
) -> None:
    """The rules apply to the endpoint the update would make (the update merged into it), and
    a refused update changes nothing."""
    pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="e1", EndpointRequest={
        **EMAIL, "Attributes": {"Tags": [str(n) for n in range(30)]}})
    before = endpoint(pinpoint_client, app_id, "e1")
    with pytest.raises(pinpoint_client.exceptions.BadRequestException):
        pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="e1", EndpointRequest={
            "OptOut": "ALL", "Attributes": {"Tags": [str(n) for n in range(60)]}})
    assert endpoint(pinpoint_client, app_id, "e1") == before
    # ChannelType and Address are not required by UpdateEndpoint
    pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="e2",
                                    EndpointRequest={"Attributes": {"Plan": ["pro"]}})
    assert endpoint(pinpoint_client, app_id, "e2")["Attributes"] == {"Plan": ["pro"]}


def test_the_251st_custom_name_is_refused_and_registers_nothing(
    pinpoint_client: Any, app_id: str, s3: Any, pinpoint_imports: Any
) -> None:
    """"250 for all attribute parameters per application" (quotas.md): UpdateEndpoint with
    the 251st name is a 400 that leaves the endpoint and the app's names as they were, so a
    later import still counts 250 (it crashed with IndexError when UpdateEndpoint had let 300
    names in: issue 14)."""
    pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="full", EndpointRequest={
        **EMAIL, "Attributes": {f"A{n}": ["v"] for n in range(250)}})
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="new", EndpointRequest={
            **EMAIL, "Metrics": {"Visits": 1.0}})
    assert caught.value.response["Error"]["Message"] == (
        "Metrics.Visits would be custom attribute name 251 of the application, which may have "
        "at most 250 (Attributes, User.UserAttributes and Metrics together).")
    with pytest.raises(pinpoint_client.exceptions.NotFoundException):
        pinpoint_client.get_endpoint(ApplicationId=app_id, EndpointId="new")
    # names the app already has are fine
    pinpoint_client.update_endpoint(ApplicationId=app_id, EndpointId="new", EndpointRequest={
        **EMAIL, "Attributes": {"A7": ["w"]}})
    s3.put_object(Bucket=BUCKET, Key="names/more.csv",
                  Body=b"ChannelType,Address,Attributes.A1,Attributes.Other\nSMS,+1,x,y\n"
                       b"SMS,+2,x,\n")
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": f"s3://{BUCKET}/names/more.csv"})
    done = finish(pinpoint_imports, pinpoint_client, app_id, job["ImportJobResponse"]["Id"])
    assert (done["TotalProcessed"], done["TotalFailures"]) == (2, 1)
    assert "would be custom attribute name 251" in done["Failures"][0]


def test_update_endpoints_batch_registers_every_item(
    pinpoint_client: Any, app_id: str
) -> None:
    """UpdateEndpointsBatch (botocore: PUT /v1/apps/{application-id}/endpoints, 202) creates or
    updates each item by its Id, in order, with UpdateEndpoint's rules; AWS's example adds two
    endpoints of one user this way (awsdocs/aws-doc-sdk-examples,
    javav2/example_code/pinpoint/src/main/java/com/example/pinpoint/AddExampleEndpoints.java)."""
    response = pinpoint_client.update_endpoints_batch(ApplicationId=app_id, EndpointBatchRequest={
        "Item": [
            {"Id": "e1", **EMAIL, "User": {"UserId": "u1"}, "Attributes": {"Plan": ["free"]}},
            {"Id": "e2", "ChannelType": "SMS", "Address": "+15550100", "User": {"UserId": "u1"}},
            {"Id": "e1", "Attributes": {"Plan": ["pro"]}},
        ]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["MessageBody"]["Message"] == "Accepted"
    e1 = endpoint(pinpoint_client, app_id, "e1")
    assert (e1["Attributes"], e1["ChannelType"], e1["RequestId"]) == (
        {"Plan": ["pro"]}, "EMAIL", response["MessageBody"]["RequestID"])
    users = pinpoint_client.get_user_endpoints(ApplicationId=app_id, UserId="u1")
    assert [i["Id"] for i in users["EndpointsResponse"]["Item"]] == ["e1", "e2"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "EndpointBatchRequest.Item must be a list of 1 to 100 endpoints."),
        ([{"Id": f"e{n}", **EMAIL} for n in range(101)],
         "EndpointBatchRequest.Item can contain a maximum of 100 items, got 101."),
        ([{"Id": "ok", **EMAIL}, dict(EMAIL)],
         "Item[1].Id is required: it names the endpoint to create or update."),
        ([{"Id": "ok", **EMAIL}, {"Id": "bad", **EMAIL, "OptOut": "SOME"}],
         "Item[1] (Id 'bad'): OptOut must be ALL or NONE, got 'SOME'."),
        ([{"Id": f"e{n}", "ChannelType": "SMS", "Address": f"+1{n}", "User": {"UserId": "u"}}
          for n in range(16)],
         "Item[15] (Id 'e15'): User.UserId 'u' may have at most 15 endpoints and already has "
         "15."),
    ],
)
def test_a_refused_batch_is_a_400_naming_the_item_and_stores_nothing(
    loose: Any, app_id: str, items: list[dict[str, Any]], message: str
) -> None:
    """"An array can contain a maximum of 100 items" (botocore's ``EndpointBatchRequest``);
    every item follows UpdateEndpoint's rules; one refused item refuses the batch (mock
    rule: a refused request changes nothing)."""
    with pytest.raises(loose.exceptions.BadRequestException) as caught:
        loose.update_endpoints_batch(ApplicationId=app_id,
                                     EndpointBatchRequest={"Item": items})
    assert caught.value.response["Error"]["Message"] == message
    for item in items[:2]:
        if item.get("Id"):
            with pytest.raises(loose.exceptions.NotFoundException):
                loose.get_endpoint(ApplicationId=app_id, EndpointId=item["Id"])
