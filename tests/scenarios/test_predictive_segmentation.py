"""AWS Solutions' "Predictive Segmentation Using Amazon Pinpoint and Amazon SageMaker": "an
Amazon Pinpoint segment, updated daily automatically". Each day's predictions are imported: the
first run defines an IMPORT segment and, once the job is COMPLETED, tags it with TagResource
(the segment's ARN built from the job's ``ExternalId``); later runs find that segment in
GetSegments by its tag and import into its ``SegmentId``.

Source: awslabs/predictive-segmentation-using-amazon-pinpoint-and-amazon-sagemaker, README.md,
source/10-import-segment-lambda/index.js (GetSegments, find ``SegmentType === "IMPORT" &&
tags.PREDICT_CHURN === "YES"``, then CreateImportJob with SegmentId or with DefineSegment and
SegmentName), source/11-import-segment-status-lambda/index.js (GetImportJob: Id, SegmentId,
ExternalId, JobStatus), source/12-import-segment-success-lambda/index.js (TagResource on
``arn:aws:mobiletargeting:{region}:{ExternalId}:apps/{app}/segments/{segment}``), and
source/sample_data/SampleImport.csv (its columns). Paraphrased from JavaScript.
"""

from __future__ import annotations

from typing import Any

from tests.scenarios.conftest import REGION, ROLE_ARN

HEADER = (b"ChannelType,Id,Address,Attributes.AccountLength,Attributes.PlanOptionA,"
          b"Attributes.UsageWeekdays,Attributes.Churn\n")


def churners(day: int, count: int) -> bytes:
    rows = b"".join(b"EMAIL,%d,customer%d@example.com,%d,1,%d,1\n"
                    % (n, n, 30 + n, n % 7) for n in range(day * 10, day * 10 + count))
    return HEADER + rows


def import_segment(client: Any, project_id: str, s3_url: str) -> dict[str, str]:
    """10-import-segment-lambda."""
    segments = client.get_segments(ApplicationId=project_id)["SegmentsResponse"]["Item"]
    found = next((s for s in segments if s["SegmentType"] == "IMPORT"
                  and s["tags"].get("PREDICT_CHURN") == "YES"), None)
    if found is not None:
        request = {"Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": s3_url,
                   "SegmentId": found["Id"]}
    else:
        request = {"Format": "CSV", "RoleArn": ROLE_ARN, "DefineSegment": True,
                   "S3Url": s3_url, "SegmentName": "predicted-churn"}
    job = client.create_import_job(ApplicationId=project_id,
                                   ImportJobRequest=request)["ImportJobResponse"]
    return {"ImportId": job["Id"], "SegmentId": job["Definition"]["SegmentId"],
            "ExternalId": job["Definition"]["ExternalId"]}


def import_status(client: Any, project_id: str, import_id: str) -> dict[str, str]:
    """11-import-segment-status-lambda."""
    job = client.get_import_job(ApplicationId=project_id, JobId=import_id)["ImportJobResponse"]
    return {"ImportId": job["Id"], "SegmentId": job["Definition"]["SegmentId"],
            "ExternalId": job["Definition"]["ExternalId"], "Status": job["JobStatus"]}


def tag_segment(client: Any, project_id: str, event: dict[str, str]) -> None:
    """12-import-segment-success-lambda."""
    arn = (f"arn:aws:mobiletargeting:{REGION}:{event['ExternalId']}:apps/{project_id}"
           f"/segments/{event['SegmentId']}")
    client.tag_resource(ResourceArn=arn, TagsModel={"tags": {"PREDICT_CHURN": "YES"}})


def daily_run(mock: Any, client: Any, s3: Any, project_id: str, day: int, count: int
              ) -> dict[str, str]:
    key = f"predictions/day-{day}.csv"
    s3.put_object(Bucket="audience-drop", Key=key, Body=churners(day, count))
    event = import_segment(client, project_id, f"s3://audience-drop/{key}")
    while True:
        mock.advance(60)
        status = import_status(client, project_id, event["ImportId"])
        if status["Status"] in ("COMPLETED", "FAILED"):
            break
    assert status["Status"] == "COMPLETED"
    tag_segment(client, project_id, status)
    return status


def test_three_daily_runs_keep_one_segment_refreshed(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """Day 1 defines and tags the segment (``tags`` is on every listed segment, ``{}`` before
    tagging, so the lookup never fails); days 2 and 3 find it by its tag and import into it:
    still one segment, one version per day, each version holding that day's predictions."""
    first = daily_run(pinpoint_imports, pinpoint_client, s3, project_id, 1, 12)
    segment_id = first["SegmentId"]
    arn = pinpoint_client.get_segment(ApplicationId=project_id,
                                      SegmentId=segment_id)["SegmentResponse"]["Arn"]
    assert arn == (f"arn:aws:mobiletargeting:{REGION}:{first['ExternalId']}:apps/{project_id}"
                   f"/segments/{segment_id}")
    for day, count in ((2, 7), (3, 9)):
        status = daily_run(pinpoint_imports, pinpoint_client, s3, project_id, day, count)
        assert status["SegmentId"] == segment_id
    segments = pinpoint_client.get_segments(ApplicationId=project_id)["SegmentsResponse"]["Item"]
    assert [(s["Id"], s["Name"], s["tags"]) for s in segments] == [
        (segment_id, "predicted-churn", {"PREDICT_CHURN": "YES"})]
    versions = pinpoint_client.get_segment_versions(ApplicationId=project_id,
                                                    SegmentId=segment_id)
    assert [(v["Version"], v["ImportDefinition"]["Size"],
             v["ImportDefinition"]["S3Url"].rsplit("/", 1)[1])
            for v in versions["SegmentsResponse"]["Item"]] == [
        (1, 12, "day-1.csv"), (2, 7, "day-2.csv"), (3, 9, "day-3.csv")]
    jobs = pinpoint_client.get_segment_import_jobs(ApplicationId=project_id,
                                                   SegmentId=segment_id)
    assert len(jobs["ImportJobsResponse"]["Item"]) == 3
