"""PageSize / Token / NextToken on GetImportJobs, GetSegmentImportJobs and GetSegments."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pinpoint_mock.backend.endpoint_rules import show

CreateJob = Callable[..., dict[str, Any]]


def _pages(call: Callable[..., dict[str, Any]], key: str, **kwargs: Any) -> list[list[str]]:
    pages, token = [], None
    while True:
        extra = {"Token": token} if token else {}
        body = call(**kwargs, **extra)[key]
        pages.append([item["Id"] for item in body["Item"]])
        token = body.get("NextToken")
        if token is None:
            return pages


def test_get_import_jobs_pages_oldest_first_without_next_token_on_the_last_page(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    ids = [create_job("endpoints-basic.csv")["Id"] for _ in range(5)]
    pages = _pages(pinpoint_client.get_import_jobs, "ImportJobsResponse",
                   ApplicationId=app_id, PageSize="2")
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]


def test_exact_multiple_of_page_size_has_no_empty_last_page(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    ids = [create_job("endpoints-basic.csv")["Id"] for _ in range(4)]
    pages = _pages(pinpoint_client.get_import_jobs, "ImportJobsResponse",
                   ApplicationId=app_id, PageSize="2")
    assert pages == [ids[0:2], ids[2:4]]


def test_jobs_created_between_pages_are_neither_skipped_nor_repeated(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    ids = [create_job("endpoints-basic.csv")["Id"] for _ in range(3)]
    first = pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize="2")
    ids.append(create_job("endpoints-basic.csv")["Id"])
    token = first["ImportJobsResponse"]["NextToken"]
    rest = pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize="2", Token=token)
    seen = [j["Id"] for j in first["ImportJobsResponse"]["Item"]]
    seen += [j["Id"] for j in rest["ImportJobsResponse"]["Item"]]
    assert seen == ids
    assert "NextToken" not in rest["ImportJobsResponse"]


def test_get_segment_import_jobs_pages_only_that_segments_jobs(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    first = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="s")
    segment_id = first["Definition"]["SegmentId"]
    create_job("endpoints-basic.csv")  # another job, not in the segment
    more = [create_job("endpoints-basic.csv", SegmentId=segment_id)["Id"] for _ in range(2)]
    pages = _pages(pinpoint_client.get_segment_import_jobs, "ImportJobsResponse",
                   ApplicationId=app_id, SegmentId=segment_id, PageSize="2")
    assert pages == [[first["Id"], more[0]], [more[1]]]


def test_get_segments_pages(pinpoint_client: Any, app_id: str) -> None:
    ids = [
        pinpoint_client.create_segment(ApplicationId=app_id,
                                       WriteSegmentRequest={"Name": f"s{i}"})
        ["SegmentResponse"]["Id"]
        for i in range(3)
    ]
    pages = _pages(pinpoint_client.get_segments, "SegmentsResponse", ApplicationId=app_id,
                   PageSize="2")
    assert pages == [ids[:2], ids[2:]]


@pytest.mark.parametrize("page_size", ["abc", "0", "-1", "1001", "2.5", "", "\u00b2", "9" * 5000])
def test_page_size_must_be_a_positive_integer_string(
    pinpoint_client: Any, app_id: str, page_size: str
) -> None:
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize=page_size)
    assert caught.value.response["Error"]["Message"] == (
        f"PageSize must be a whole number from 1 to 1000, got {show(page_size)}."
    )  # show(): the value as repr, cut after 40 characters (5,000 digits are not echoed)


def test_a_token_not_issued_here_is_400(pinpoint_client: Any, app_id: str) -> None:
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.get_import_jobs(ApplicationId=app_id, Token="forged")
    assert caught.value.response["Error"]["Message"] == (
        "Token 'forged' is not a NextToken this API returned; pass the NextToken of the "
        "previous page."
    )


def test_a_token_from_another_listing_is_400(
    pinpoint_client: Any, app_id: str, create_job: CreateJob
) -> None:
    first = create_job("endpoints-basic.csv", DefineSegment=True, SegmentName="s")
    create_job("endpoints-basic.csv", SegmentId=first["Definition"]["SegmentId"])
    token = pinpoint_client.get_import_jobs(ApplicationId=app_id, PageSize="1")[
        "ImportJobsResponse"]["NextToken"]
    with pytest.raises(pinpoint_client.exceptions.BadRequestException) as caught:
        pinpoint_client.get_segment_import_jobs(
            ApplicationId=app_id, SegmentId=first["Definition"]["SegmentId"], Token=token)
    assert "belongs to another listing" in caught.value.response["Error"]["Message"]
