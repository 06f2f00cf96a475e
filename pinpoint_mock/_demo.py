"""The demo: every shipped sample imported through a real boto3 client inside the mock.

It prints the job's statuses as the mock's clock advances, a table of outcomes, the segments
with their ChannelCounts, and GetSegmentImportJobs followed page by page; then checks every
outcome against the samples' documented values (``pinpoint_mock/samples/README.md``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from typing import Any, Optional, Sequence, TextIO

BUCKET = "pinpoint-mock-demo"
REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/PinpointSegmentImport"


@dataclass
class Expected:
    """The documented outcome of one sample (samples/README.md)."""

    sample: str
    status: str
    processed: int
    failures: int
    size: Optional[int] = None
    channel_counts: Optional[dict[str, int]] = None


UPDATES = "endpoint-updates-by-id.csv"
"""Updates by Id of two registered endpoints: imported after they are registered."""

EXPECTED = [
    Expected("endpoints-basic.csv", "COMPLETED", 10, 0, 10,
             {"EMAIL": 5, "SMS": 3, "APNS": 1, "GCM": 1}),
    Expected("endpoints-basic.json", "COMPLETED", 10, 0, 10,
             {"EMAIL": 5, "SMS": 3, "APNS": 1, "GCM": 1}),
    Expected("endpoints-with-bad-rows.csv", "COMPLETED", 7, 5, 2, {"EMAIL": 1, "SMS": 1}),
    Expected("endpoints-missing-address-column.csv", "FAILED", 2, 2, 0, {}),
    Expected("user-ids-only.csv", "COMPLETED", 4, 0, 4, {"EMAIL": 2, "SMS": 2}),
]


def _sample_bytes(name: str) -> bytes:
    return resources.files("pinpoint_mock.samples").joinpath(name).read_bytes()


def run_demo(out: TextIO) -> int:
    """Run the demo, writing to ``out``; 0 when every outcome matches, 1 otherwise."""
    import boto3

    from pinpoint_mock import mock_pinpoint_imports

    saved = {k: os.environ.get(k) for k in ("AWS_DEFAULT_REGION",)}
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        with mock_pinpoint_imports() as mock:
            s3 = boto3.client("s3", region_name=REGION)
            pinpoint = boto3.client("pinpoint", region_name=REGION)
            s3.create_bucket(Bucket=BUCKET)
            for sample in [expected.sample for expected in EXPECTED] + [UPDATES]:
                s3.put_object(Bucket=BUCKET, Key=f"samples/{sample}",
                              Body=_sample_bytes(sample))
            app = pinpoint.create_app(CreateApplicationRequest={"Name": "demo"})
            app_id = app["ApplicationResponse"]["Id"]
            out.write(f"Bucket s3://{BUCKET}/samples/ and Pinpoint app {app_id} (moto)\n\n")
            return _story(out, mock, pinpoint, app_id)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _create(pinpoint: Any, app_id: str, sample: str, **members: Any) -> dict[str, Any]:
    request = {
        "Format": "JSON" if sample.endswith(".json") else "CSV",
        "S3Url": f"s3://{BUCKET}/samples/{sample}",
        "RoleArn": ROLE_ARN,
        **members,
    }
    job = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
    return dict(job["ImportJobResponse"])


def _poll(
    out: TextIO, mock: Any, pinpoint: Any, app_id: str, job: dict[str, Any]
) -> dict[str, Any]:
    """Poll a job every 2 simulated seconds until it ends, printing each new status."""
    elapsed, last = 0, None
    while True:
        body = dict(pinpoint.get_import_job(ApplicationId=app_id, JobId=job["Id"])
                    ["ImportJobResponse"])
        if body["JobStatus"] != last:
            last = body["JobStatus"]
            out.write(f"  t+{elapsed:>3}s  {last:<12} pieces {body['CompletedPieces']}"
                      f"/{body['TotalPieces']}\n")
        if last in ("COMPLETED", "FAILED"):
            return body
        mock.advance(2)
        elapsed += 2


def _story(out: TextIO, mock: Any, pinpoint: Any, app_id: str) -> int:
    rows = []
    out.write("Polling the CSV import while the mock's clock advances:\n")
    first = _create(pinpoint, app_id, "endpoints-basic.csv", DefineSegment=True,
                    SegmentName="basic-csv", RegisterEndpoints=True)
    done = {"endpoints-basic.csv": _poll(out, mock, pinpoint, app_id, first)}
    jobs = {"endpoints-basic.csv": first}
    for expected in EXPECTED[1:]:
        jobs[expected.sample] = _create(pinpoint, app_id, expected.sample, DefineSegment=True,
                                        SegmentName=expected.sample.rsplit(".", 1)[0])
    mock.advance(120)
    for expected in EXPECTED[1:]:
        done[expected.sample] = dict(pinpoint.get_import_job(
            ApplicationId=app_id, JobId=jobs[expected.sample]["Id"])["ImportJobResponse"])

    problems: list[str] = []
    for expected in EXPECTED:
        job = done[expected.sample]
        segment = pinpoint.get_segment(
            ApplicationId=app_id, SegmentId=job["Definition"]["SegmentId"])["SegmentResponse"]
        definition = segment["ImportDefinition"]
        got = (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"],
               definition["Size"], definition["ChannelCounts"])
        want = (expected.status, expected.processed, expected.failures, expected.size,
                expected.channel_counts)
        ok = got == want
        if not ok:
            problems.append(f"{expected.sample}: got {got}, expected {want}")
        rows.append((expected.sample, job["JobStatus"], str(job["TotalProcessed"]),
                     str(job["TotalFailures"]), f"{job['FailedPieces']}/{job['TotalPieces']}",
                     str(definition["Size"]), _counts(definition["ChannelCounts"]),
                     "ok" if ok else "MISMATCH"))
    out.write("\nOutcomes (GetImportJob, then GetSegment of the job's segment):\n")
    _table(out, ("file", "status", "processed", "failures", "failed pieces", "segment size",
                 "ChannelCounts", "check"), rows)
    out.write(
        "  processed: every row read, imported or failed. segment size: the endpoints in the\n"
        "  segment the job defined; for user-ids-only.csv, the endpoints users 1-4 got from the\n"
        "  first import (which registered its endpoints: RegisterEndpoints=true).\n"
    )

    bad = done["endpoints-with-bad-rows.csv"]
    out.write("\nFailures reported for endpoints-with-bad-rows.csv:\n")
    for failure in bad["Failures"]:
        out.write(f"  - {failure}\n")

    problem = _updates_by_id(out, mock, pinpoint, app_id)
    if problem:
        problems.append(problem)

    segment_id = first["Definition"]["SegmentId"]
    more = [_create(pinpoint, app_id, "endpoints-basic.json", SegmentId=segment_id)["Id"]
            for _ in range(2)]
    out.write("\nTwo more imports into segment basic-csv (SegmentId), then "
              "GetSegmentImportJobs for it, PageSize=2:\n")
    listed, token, page = [], None, 0
    while True:
        extra: dict[str, str] = {"Token": token} if token else {}
        body = pinpoint.get_segment_import_jobs(ApplicationId=app_id, SegmentId=segment_id,
                                                PageSize="2", **extra)["ImportJobsResponse"]
        page += 1
        ids = [item["Id"] for item in body["Item"]]
        listed += ids
        token = body.get("NextToken")
        out.write(f"  page {page}: {', '.join(i[:8] + '…' for i in ids)}"
                  f"{'  (NextToken)' if token else '  (last page)'}\n")
        if token is None:
            break
    if listed != [first["Id"], *more]:
        problems.append(f"GetSegmentImportJobs listed {listed}, expected {[first['Id'], *more]}")

    out.write("\n")
    if problems:
        for problem in problems:
            out.write(f"MISMATCH {problem}\n")
        return 1
    out.write("Every outcome matches the samples' documented values.\n")
    return 0


def _updates_by_id(out: TextIO, mock: Any, pinpoint: Any, app_id: str) -> Optional[str]:
    """Register two endpoints by Id, import the file that updates them; a problem or None."""
    for endpoint_id, channel, address in (("ep-email-0001", "EMAIL", "ana@example.com"),
                                          ("ep-sms-0002", "SMS", "+15555550101")):
        pinpoint.update_endpoint(ApplicationId=app_id, EndpointId=endpoint_id,
                                 EndpointRequest={"ChannelType": channel, "Address": address})
    job = _create(pinpoint, app_id, UPDATES, RegisterEndpoints=True)
    mock.advance(120)
    job = pinpoint.get_import_job(ApplicationId=app_id, JobId=job["Id"])["ImportJobResponse"]
    endpoint = pinpoint.get_endpoint(ApplicationId=app_id,
                                     EndpointId="ep-email-0001")["EndpointResponse"]
    got = (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"],
           endpoint.get("Attributes"), endpoint.get("Metrics"))
    want = ("COMPLETED", 2, 0, {"Plan": ["platinum"]}, {"Visits": 11.0})
    out.write(f"\n{UPDATES} (after UpdateEndpoint registered ep-email-0001 and ep-sms-0002):\n"
              f"  {job['JobStatus']}, {job['TotalProcessed']} rows, {job['TotalFailures']} "
              f"failures; GetEndpoint ep-email-0001: Attributes {endpoint.get('Attributes')}, "
              f"Metrics {endpoint.get('Metrics')}  {'ok' if got == want else 'MISMATCH'}\n")
    return None if got == want else f"{UPDATES}: got {got}, expected {want}"


def _counts(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(f"{channel} {count}" for channel, count in ordered) or "-"


def _table(out: TextIO, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out.write(line + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths)) + "\n")
