"""The app calls around an import (issue 10 item 5) and the tags of apps and segments, through
boto3: the mock serves CreateApp, GetApp, GetApps and DeleteApp over moto's app registry in the
shapes of botocore's ``ApplicationResponse`` / ``ApplicationsResponse``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pinpoint_mock import PinpointImportsMock
from tests.conftest import BUCKET, ROLE_ARN

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_app_answers_the_model_shape_with_an_iso_date_and_tags(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any
) -> None:
    """botocore's ``ApplicationResponse``: ``CreationDate`` is a string ("The date and time
    when the Application was created", ISO 8601 like every Pinpoint date) and ``tags`` a map;
    moto answers a float and no ``tags``."""
    response = pinpoint_client.create_app(CreateApplicationRequest={"Name": "first"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    app = response["ApplicationResponse"]
    assert set(app) == {"Arn", "CreationDate", "Id", "Name", "tags"}
    assert ISO.match(app["CreationDate"]) and app["tags"] == {} and app["Name"] == "first"
    assert app["Arn"] == f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{app['Id']}"
    tagged = pinpoint_client.create_app(
        CreateApplicationRequest={"Name": "second", "tags": {"team": "growth"}})
    assert tagged["ApplicationResponse"]["tags"] == {"team": "growth"}
    got = pinpoint_client.get_app(ApplicationId=app["Id"])["ApplicationResponse"]
    assert got == app


def test_creation_dates_follow_the_mocks_clock(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any
) -> None:
    """An app's ``CreationDate`` is on the same clock as its jobs' (``mock.advance`` moves
    both), so dates compare as they did on AWS."""
    first = pinpoint_client.create_app(CreateApplicationRequest={"Name": "a"})
    pinpoint_imports.advance(3600)
    second = pinpoint_client.create_app(CreateApplicationRequest={"Name": "b"})
    assert (second["ApplicationResponse"]["CreationDate"]
            > first["ApplicationResponse"]["CreationDate"])


def test_get_apps_pages_with_page_size_and_token(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any
) -> None:
    """GetApps honours ``PageSize`` and ``Token`` (botocore's GetApps input; moto ignores
    both): oldest first, ``NextToken`` absent on the last page, and a token only for the
    listing that issued it."""
    ids = [pinpoint_client.create_app(CreateApplicationRequest={"Name": f"app-{n}"})
           ["ApplicationResponse"]["Id"] for n in range(5)]
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        extra = {"Token": token} if token else {}
        page = pinpoint_client.get_apps(PageSize="2", **extra)["ApplicationsResponse"]
        pages += 1
        seen += [app["Id"] for app in page["Item"]]
        assert all("tags" in app and ISO.match(app["CreationDate"]) for app in page["Item"])
        token = page.get("NextToken")
        if token is None:
            break
    assert (seen, pages) == (ids, 3)
    everything = pinpoint_client.get_apps()["ApplicationsResponse"]
    assert [app["Id"] for app in everything["Item"]] == ids and "NextToken" not in everything
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.get_apps(Token="not-a-token")
    assert caught.value.response["Error"]["Message"].startswith("Token 'not-a-token' is not")
    with pytest.raises(pinpoint_client.exceptions.BadRequestException):
        pinpoint_client.get_apps(PageSize="0")


def test_delete_app_returns_it_and_then_it_is_not_found(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any, s3: Any
) -> None:
    """DeleteApp answers the deleted ``ApplicationResponse``; afterwards the app and its
    import jobs are 404 "Application not found" (Pinpoint's text)."""
    app = pinpoint_client.create_app(CreateApplicationRequest={"Name": "gone"})[
        "ApplicationResponse"]
    job = pinpoint_client.create_import_job(ApplicationId=app["Id"], ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN,
        "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv"})["ImportJobResponse"]
    deleted = pinpoint_client.delete_app(ApplicationId=app["Id"])["ApplicationResponse"]
    assert deleted == app
    for call in (lambda: pinpoint_client.get_app(ApplicationId=app["Id"]),
                 lambda: pinpoint_client.delete_app(ApplicationId=app["Id"]),
                 lambda: pinpoint_client.get_import_job(ApplicationId=app["Id"],
                                                        JobId=job["Id"])):
        with pytest.raises(pinpoint_client.exceptions.NotFoundException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == "Application not found"
    assert pinpoint_client.get_apps()["ApplicationsResponse"]["Item"] == []


def test_tags_set_by_tag_resource_show_on_apps_and_segments(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any, app_id: str, s3: Any
) -> None:
    """One tag store per ARN: TagResource (moto's) on an app or a segment shows in
    ``ApplicationResponse.tags`` / ``SegmentResponse.tags``, and CreateSegment's ``tags`` in
    ListTagsForResource. AWS Solutions' predictive segmentation tags its imported segment
    with TagResource and finds it again in GetSegments by ``tags``
    (awslabs/predictive-segmentation-using-amazon-pinpoint-and-amazon-sagemaker,
    source/12-import-segment-success-lambda/index.js and source/10-import-segment-lambda/
    index.js)."""
    app_arn = pinpoint_client.get_app(ApplicationId=app_id)["ApplicationResponse"]["Arn"]
    pinpoint_client.tag_resource(ResourceArn=app_arn, TagsModel={"tags": {"env": "test"}})
    assert pinpoint_client.get_app(ApplicationId=app_id)["ApplicationResponse"]["tags"] == {
        "env": "test"}
    job = pinpoint_client.create_import_job(ApplicationId=app_id, ImportJobRequest={
        "Format": "CSV", "RoleArn": ROLE_ARN, "DefineSegment": True, "SegmentName": "imported",
        "S3Url": f"s3://{BUCKET}/samples/endpoints-basic.csv"})["ImportJobResponse"]
    segment_id = job["Definition"]["SegmentId"]
    segment = pinpoint_client.get_segment(ApplicationId=app_id,
                                          SegmentId=segment_id)["SegmentResponse"]
    assert segment["tags"] == {}
    pinpoint_client.tag_resource(ResourceArn=segment["Arn"],
                                 TagsModel={"tags": {"PREDICT_CHURN": "YES"}})
    listed = pinpoint_client.get_segments(ApplicationId=app_id)["SegmentsResponse"]["Item"]
    assert [(s["Id"], s["tags"]) for s in listed] == [(segment_id, {"PREDICT_CHURN": "YES"})]
    made = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "dims", "tags": {"owner": "ana"}})["SegmentResponse"]
    assert made["tags"] == {"owner": "ana"}
    assert pinpoint_client.list_tags_for_resource(ResourceArn=made["Arn"])["TagsModel"] == {
        "tags": {"owner": "ana"}}


def test_update_segment_ignores_tags_as_documented(
    pinpoint_imports: PinpointImportsMock, pinpoint_client: Any, app_id: str
) -> None:
    """botocore's ``WriteSegmentRequest.tags``: "As of 22-05-2023 tags has been deprecated for
    update operations. After this date any value in tags is not processed and an error code
    is not returned." """
    made = pinpoint_client.create_segment(ApplicationId=app_id, WriteSegmentRequest={
        "Name": "s", "tags": {"a": "1"}})["SegmentResponse"]
    updated = pinpoint_client.update_segment(ApplicationId=app_id, SegmentId=made["Id"],
                                             WriteSegmentRequest={"Name": "t",
                                                                  "tags": {"b": "2"}})
    assert (updated["SegmentResponse"]["Name"], updated["SegmentResponse"]["tags"]) == (
        "t", {"a": "1"})
    deleted = pinpoint_client.delete_segment(ApplicationId=app_id, SegmentId=made["Id"])
    assert deleted["SegmentResponse"]["tags"] == {"a": "1"}
    assert pinpoint_client.list_tags_for_resource(ResourceArn=made["Arn"])["TagsModel"] == {
        "tags": {}}
