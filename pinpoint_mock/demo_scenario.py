"""The code of ``python -m pinpoint_mock demo``: a test file, as you would write one.

Each ``test_`` function below imports some of the sample endpoint files shipped in
``pinpoint_mock/samples`` through an ordinary boto3 client, inside the mock (the last one then
exports them back to S3), prints what it saw and asserts what Pinpoint would have answered.
The demo runs them in order; pytest runs them as they are:
``pytest --pyargs pinpoint_mock.demo_scenario`` (or copy this file into your tests).
Nothing here needs an AWS account: the mock answers Pinpoint and moto answers S3 and CreateApp.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from importlib import resources

import boto3

from pinpoint_mock import mock_pinpoint_imports

REGION = "us-east-1"
BUCKET = "audience-files"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointSegmentImport"
EXPORT_ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointSegmentExport"
SAMPLES = ["endpoints-basic.csv", "endpoints-basic.json", "endpoints-with-bad-rows.csv",
           "endpoints-missing-address-column.csv", "user-ids-only.csv",
           "endpoint-updates-by-id.csv"]


def new_app_with_samples():
    """Upload every sample to a moto bucket and create a Pinpoint app: (client, app id)."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    for name in SAMPLES:
        body = resources.files("pinpoint_mock.samples").joinpath(name).read_bytes()
        s3.put_object(Bucket=BUCKET, Key=f"samples/{name}", Body=body)
    pinpoint = boto3.client("pinpoint", region_name=REGION)
    app = pinpoint.create_app(CreateApplicationRequest={"Name": "demo"})
    return pinpoint, app["ApplicationResponse"]["Id"]


def start_import(pinpoint, app_id, sample, **members):
    """CreateImportJob for one sample file; returns the ImportJobResponse."""
    request = {"Format": "JSON" if sample.endswith(".json") else "CSV",
               "S3Url": f"s3://{BUCKET}/samples/{sample}", "RoleArn": ROLE_ARN, **members}
    job = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
    return job["ImportJobResponse"]


def read_job(pinpoint, app_id, job):
    """GetImportJob of ``job``; returns its ImportJobResponse."""
    return pinpoint.get_import_job(ApplicationId=app_id, JobId=job["Id"])["ImportJobResponse"]


def channel_counts(pinpoint, app_id, job):
    """The ChannelCounts of the segment the job defined (or refreshed)."""
    segment = pinpoint.get_segment(ApplicationId=app_id, SegmentId=job["Definition"]["SegmentId"])
    return segment["SegmentResponse"]["ImportDefinition"]["ChannelCounts"]


def as_text(counts):
    """``{"SMS": 3, "EMAIL": 5}`` -> ``"EMAIL 5 SMS 3"`` (largest first), ``"-"`` if empty."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(f"{channel} {count}" for channel, count in ordered) or "-"


def test_a_csv_import_moves_through_its_statuses_as_the_clock_advances():
    """A CSV import, polled every 2 seconds of the mock's clock until it ends."""
    with mock_pinpoint_imports() as mock:
        pinpoint, app_id = new_app_with_samples()
        job = start_import(pinpoint, app_id, "endpoints-basic.csv",
                           DefineSegment=True, SegmentName="basic")
        seen, elapsed = [], 0
        while job["JobStatus"] not in ("COMPLETED", "FAILED"):
            mock.advance(2)
            elapsed += 2
            job = read_job(pinpoint, app_id, job)
            if job["JobStatus"] not in seen:
                seen.append(job["JobStatus"])
                print(f"  after {elapsed:>2} s: {job['JobStatus']:<12} "
                      f"pieces {job['CompletedPieces']}/{job['TotalPieces']}")

        assert seen == ["INITIALIZING", "PROCESSING", "COMPLETING", "COMPLETED"]
        assert job["TotalProcessed"] == 10 and job["TotalFailures"] == 0
        assert channel_counts(pinpoint, app_id, job) == {"EMAIL": 5, "SMS": 3, "APNS": 1,
                                                         "GCM": 1}


def test_every_sample_ends_as_documented():
    """Every sample imported into a segment of its own (samples/README.md gives the outcomes)."""
    documented = {  # file: (status, rows processed, rows failed, segment's ChannelCounts)
        "endpoints-basic.csv": ("COMPLETED", 10, 0, {"EMAIL": 5, "SMS": 3, "APNS": 1, "GCM": 1}),
        "endpoints-basic.json": ("COMPLETED", 10, 0, {"EMAIL": 5, "SMS": 3, "APNS": 1, "GCM": 1}),
        "endpoints-with-bad-rows.csv": ("COMPLETED", 7, 5, {"EMAIL": 1, "SMS": 1}),
        "endpoints-missing-address-column.csv": ("FAILED", 2, 2, {}),
        "user-ids-only.csv": ("COMPLETED", 4, 0, {"EMAIL": 2, "SMS": 2}),
    }
    with mock_pinpoint_imports(progression="immediate") as mock:  # ended at the first read
        pinpoint, app_id = new_app_with_samples()
        # user-ids-only.csv selects endpoints by user id: register the endpoints first
        start_import(pinpoint, app_id, "endpoints-basic.csv", RegisterEndpoints=True)
        mock.advance(60)
        print(f"  {'file':<37} {'status':<10} processed failed  ChannelCounts")
        for sample, expected in documented.items():
            job = start_import(pinpoint, app_id, sample, DefineSegment=True, SegmentName=sample)
            job = read_job(pinpoint, app_id, job)
            counts = channel_counts(pinpoint, app_id, job)
            print(f"  {sample:<37} {job['JobStatus']:<10} {job['TotalProcessed']:>9} "
                  f"{job['TotalFailures']:>6}  {as_text(counts)}")

            got = (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"], counts)
            assert got == expected, f"{sample}: got {got}, documented {expected}"


def test_bad_rows_are_counted_and_reported_line_by_line():
    """The rows of endpoints-with-bad-rows.csv that fail, and why (the rest imports)."""
    with mock_pinpoint_imports(progression="immediate"):
        pinpoint, app_id = new_app_with_samples()
        job = start_import(pinpoint, app_id, "endpoints-with-bad-rows.csv")
        job = read_job(pinpoint, app_id, job)
        for failure in job["Failures"]:
            message = failure.split(": ", 1)[1]  # after "s3://bucket/key line N"
            line = failure.split(": ", 1)[0].rsplit(" ", 1)[1]
            print(textwrap.fill(message, width=96, initial_indent=f"  line {line}: ",
                                subsequent_indent=" " * 12))

        assert job["JobStatus"] == "COMPLETED"  # a bad row fails alone
        assert len(job["Failures"]) == job["TotalFailures"] == 5
        assert "ChannelType must be one of ADM, APNS" in job["Failures"][1]


def test_an_import_by_id_updates_registered_endpoints():
    """endpoint-updates-by-id.csv updates two endpoints registered with UpdateEndpoint."""
    with mock_pinpoint_imports(progression="immediate"):
        pinpoint, app_id = new_app_with_samples()
        for endpoint_id, channel, address in [("ep-email-0001", "EMAIL", "ana@example.com"),
                                              ("ep-sms-0002", "SMS", "+15555550101")]:
            pinpoint.update_endpoint(ApplicationId=app_id, EndpointId=endpoint_id,
                                     EndpointRequest={"ChannelType": channel, "Address": address})
        job = start_import(pinpoint, app_id, "endpoint-updates-by-id.csv", RegisterEndpoints=True)
        job = read_job(pinpoint, app_id, job)
        endpoint = pinpoint.get_endpoint(ApplicationId=app_id, EndpointId="ep-email-0001")
        endpoint = endpoint["EndpointResponse"]
        print(f"  {job['JobStatus']}, {job['TotalProcessed']} rows. ep-email-0001 now has:")
        print(f"  Attributes {endpoint['Attributes']}, Metrics {endpoint['Metrics']}, "
              f"Address {endpoint['Address']}")

        assert job["JobStatus"] == "COMPLETED" and job["TotalProcessed"] == 2
        assert endpoint["Attributes"] == {"Plan": ["platinum"]}
        assert endpoint["Metrics"] == {"Visits": 11.0}
        assert endpoint["Address"] == "ana@example.com"  # what the file did not give stays


def test_a_segments_import_jobs_are_listed_page_by_page():
    """Three imports into one segment, then GetSegmentImportJobs with PageSize 2."""
    with mock_pinpoint_imports(progression="immediate"):
        pinpoint, app_id = new_app_with_samples()
        first = start_import(pinpoint, app_id, "endpoints-basic.csv",
                             DefineSegment=True, SegmentName="basic")
        segment_id = first["Definition"]["SegmentId"]
        created = [first["Id"]] + [
            start_import(pinpoint, app_id, "endpoints-basic.json", SegmentId=segment_id)["Id"]
            for _ in range(2)]
        listed, token = [], None
        while True:
            paging = {"PageSize": "2", "Token": token} if token else {"PageSize": "2"}
            page = pinpoint.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id,
                                                    **paging)["ImportJobsResponse"]
            listed += [job["Id"] for job in page["Item"]]
            token = page.get("NextToken")
            print(f"  page of {len(page['Item'])}: "
                  f"{', '.join(job['Id'][:8] + '...' for job in page['Item'])}"
                  f"{' (NextToken follows)' if token else ' (last page)'}")
            if token is None:
                break

        assert listed == created  # oldest first, each job once


def test_an_export_writes_the_segment_back_to_s3():
    """The segment of endpoints-basic.csv exported to S3, and the first lines of the file."""
    with mock_pinpoint_imports() as mock:
        pinpoint, app_id = new_app_with_samples()
        imported = start_import(pinpoint, app_id, "endpoints-basic.csv", RegisterEndpoints=True,
                                DefineSegment=True, SegmentName="basic")
        mock.advance(60)
        job = pinpoint.create_export_job(ApplicationId=app_id, ExportJobRequest={
            "S3UrlPrefix": f"s3://{BUCKET}/exports/", "RoleArn": EXPORT_ROLE_ARN,
            "SegmentId": imported["Definition"]["SegmentId"]})["ExportJobResponse"]
        mock.advance(60)
        job = pinpoint.get_export_job(ApplicationId=app_id, JobId=job["Id"])["ExportJobResponse"]
        s3 = boto3.client("s3", region_name=REGION)
        keys = [item["Key"] for item in
                s3.list_objects_v2(Bucket=BUCKET, Prefix="exports/")["Contents"]]
        data = gzip.decompress(s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read())
        lines = data.decode("utf-8").splitlines()
        print(f"  {job['JobStatus']}, {job['TotalProcessed']} endpoints in "
              f"{job['TotalPieces']} piece: s3://{BUCKET}/{keys[0].replace(job['Id'], '<JobId>')}")
        print("  gunzipped, one EndpointResponse per line:")
        for line in lines[:3]:
            print(f"  {line[:93]}...")

        assert job["JobStatus"] == "COMPLETED" and job["TotalProcessed"] == len(lines) == 10
        assert keys == [f"exports/{job['Id']}/part-00000.gz"]
        first = json.loads(lines[0])  # one EndpointResponse per line, as GetEndpoint returns it
        got = pinpoint.get_endpoint(ApplicationId=app_id, EndpointId=first["Id"])
        assert first == got["EndpointResponse"]
