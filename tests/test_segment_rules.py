"""The rules botocore's segment shapes state in prose (issue 10 item 4), through boto3:
CreateSegment and UpdateSegment refuse what they describe, with a 400 (or 404) naming the
member, and store nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import BUCKET, ROLE_ARN

METRIC = {"Visits": {"ComparisonOperator": "GREATER_THAN", "Value": 2.0}}


def imported_segment(client: Any, app_id: str) -> str:
    job = client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "DefineSegment": True, "SegmentName": "imp",
        "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv"})
    return str(job["ImportJobResponse"]["Definition"]["SegmentId"])


def test_dimensions_and_segment_groups_together_are_a_400(
    pinpoint_client: Any, app_id: str
) -> None:
    """botocore's ``WriteSegmentRequest``: "A WriteSegmentRequest object can include a
    Dimensions object or a SegmentGroups object, but not both." """
    request = {"Name": "both", "Dimensions": {"Metrics": METRIC},
               "SegmentGroups": {"Include": "ALL", "Groups": [{"Type": "ALL"}]}}
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest=request)
    assert caught.value.response["Error"]["Message"] == (
        "WriteSegmentRequest can include a Dimensions object or a SegmentGroups object, but "
        "not both.")
    assert pinpoint_client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"] == []
    made = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "one", "Dimensions": {"Metrics": METRIC}})["SegmentResponse"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException):
        pinpoint_client.update_segment(ApplicationId=app_id, SegmentId=made["Id"],
                                       WriteSegmentRequest=request)
    again = pinpoint_client.get_segment(ApplicationId=app_id, SegmentId=made["Id"])
    assert again["SegmentResponse"]["Version"] == 1


def test_an_update_with_segment_groups_replaces_the_dimensions(
    pinpoint_client: Any, app_id: str
) -> None:
    """Dimensions and SegmentGroups are alternatives, so the new version keeps only the one the
    update gives (mock rule following the shape's "not both")."""
    made = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "s", "Dimensions": {"Metrics": METRIC}})["SegmentResponse"]
    groups = {"Include": "ANY", "Groups": [{"Type": "ANY", "Dimensions": [{"Metrics": METRIC}]}]}
    updated = pinpoint_client.update_segment(ApplicationId=app_id, SegmentId=made["Id"],
                                             WriteSegmentRequest={"SegmentGroups": groups})
    body = updated["SegmentResponse"]
    assert (body["Version"], body["Name"], body["SegmentGroups"]) == (2, "s", groups)
    assert "Dimensions" not in body


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"Dimensions": {"Metrics": {"Visits": {"ComparisonOperator": "MORE", "Value": 1.0}}}},
         "Dimensions.Metrics.Visits.ComparisonOperator must be one of GREATER_THAN, LESS_THAN, "
         "GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, EQUAL, got 'MORE'."),
        ({"SegmentGroups": {"Groups": [{"Dimensions": [
            {}, {"Metrics": {"Spend": {"ComparisonOperator": "gt", "Value": 1.0}}}]}]}},
         "SegmentGroups.Groups[0].Dimensions[1].Metrics.Spend.ComparisonOperator must be one of "
         "GREATER_THAN, LESS_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, EQUAL, got 'gt'."),
    ],
)
def test_a_comparison_operator_outside_the_documented_values_is_a_400(
    pinpoint_client: Any, app_id: str, request_body: dict[str, Any], message: str
) -> None:
    """botocore's ``MetricDimension.ComparisonOperator`` is a plain string whose documentation
    says "Valid values are: GREATER_THAN, LESS_THAN, GREATER_THAN_OR_EQUAL,
    LESS_THAN_OR_EQUAL, and EQUAL"."""
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.create_segment(ApplicationId=app_id,
                                       WriteSegmentRequest={"Name": "m", **request_body})
    assert caught.value.response["Error"]["Message"] == message


def test_source_segments_follow_the_documented_rules(
    pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    """botocore's ``SegmentGroup.SourceSegments``: "You can specify more than one dimensional
    segment or only one imported segment"; each ``SegmentReference`` names a segment of the
    application (and a version it has)."""
    imported = imported_segment(pinpoint_client, app_id)
    first = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "a", "Dimensions": {"Metrics": METRIC}})["SegmentResponse"]["Id"]
    second = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "b"})["SegmentResponse"]["Id"]

    def groups(*sources: dict[str, Any]) -> dict[str, Any]:
        return {"Name": "g", "SegmentGroups": {"Include": "ALL", "Groups": [
            {"SourceType": "ANY", "SourceSegments": list(sources)}]}}

    for ok in (groups({"Id": imported}), groups({"Id": first}, {"Id": second, "Version": 1})):
        made = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest=ok)
        assert made["SegmentResponse"]["SegmentGroups"] == ok["SegmentGroups"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest=groups(
            {"Id": first}, {"Id": imported}))
    assert caught.value.response["Error"]["Message"] == (
        "SegmentGroups.Groups[0].SourceSegments[1] names an imported segment: a segment group "
        "can have more than one dimensional source segment or only one imported segment.")
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as missing:
        pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest=groups(
            {"Id": "f" * 32}))
    assert missing.value.response["Error"]["Message"] == (
        f"SegmentGroups.Groups[0].SourceSegments[0].Id: segment '{'f' * 32}' not found.")
    with pytest.raises(pinpoint_client.exceptions.NotFoundException) as version:
        pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest=groups(
            {"Id": first, "Version": 2}))
    assert version.value.response["Error"]["Message"] == (
        f"SegmentGroups.Groups[0].SourceSegments[0].Version: version 2 of segment '{first}' "
        "not found (it has 1).")
    listed = pinpoint_client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"]
    assert len(listed) == 5  # the imported one, a, b and the two accepted groups
