"""Export rules over the pure backend: rendering, dimensions, audiences, plans, the exporter."""

from __future__ import annotations

import gzip
import json
from typing import Any, Optional, Sequence

import pytest

from pinpoint_mock.backend.audience import select
from pinpoint_mock.backend.errors import BadRequestError
from pinpoint_mock.backend.export_output import ExportResult, render_pieces
from pinpoint_mock.backend.exporter import ObjectSinkError, object_keys
from pinpoint_mock.backend.lifecycle import (
    JobStatus,
    Schedule,
    failing_plan,
    forced_plan,
    plan_for,
    view_at,
    work_start,
)
from pinpoint_mock.backend.models import Contribution, Endpoint, Segment
from pinpoint_mock.backend.operations import Backend, Settings
from pinpoint_mock.backend.segment_dimensions import (
    UnevaluableError,
    dimensions_predicate,
    instant,
)
from pinpoint_mock.backend.store import Application, Store
from pinpoint_mock.backend.validation import parse_s3_url_prefix
from tests.backend.test_atomic import Breaking, Objects

S = JobStatus

# -- rendering --------------------------------------------------------------------------------


def test_pieces_hold_one_compact_json_line_per_endpoint() -> None:
    bodies = [{"Id": f"e{n}", "Address": "zoë"} for n in range(5)]
    pieces = render_pieces(iter(bodies), piece_size=2)
    assert [piece.count for piece in pieces] == [2, 2, 1]
    assert [piece.size for piece in pieces] == [len(piece.data) for piece in pieces]
    text = b"".join(gzip.decompress(piece.data) for piece in pieces).decode()
    assert text == "".join(f'{{"Id":"e{n}","Address":"zoë"}}\n' for n in range(5))
    again = render_pieces(iter(bodies), piece_size=2)
    assert [piece.data for piece in again] == [piece.data for piece in pieces]  # mtime 0
    assert render_pieces(iter([])) == []
    with pytest.raises(ValueError, match="piece_size must be >= 1"):
        render_pieces(iter(bodies), piece_size=0)


def test_a_result_forgets_its_bytes_but_keeps_its_counts() -> None:
    result = ExportResult(total_processed=3, pieces=render_pieces(iter([{"Id": "a"}] * 3), 2))
    result.drop_data()
    assert [(p.count, p.data) for p in result.pieces] == [(2, b""), (1, b"")]
    assert result.exported == 3 and all(p.size > 0 for p in result.pieces)


def test_object_keys_are_per_job_and_piece() -> None:
    assert object_keys("out/", "j1", 2) == ["out/j1/part-00000.gz", "out/j1/part-00001.gz"]
    assert object_keys("", "j2", 1) == ["j2/part-00000.gz"]


@pytest.mark.parametrize(("url", "parts"), [
    ("s3://bucket-a/out/", ("bucket-a", "out/")),
    ("s3://bucket-a/out", ("bucket-a", "out/")),
    ("s3://bucket-a/a/b", ("bucket-a", "a/b/")),
    ("s3://bucket-a/", ("bucket-a", "")),
    ("s3://bucket-a", ("bucket-a", "")),
])
def test_an_s3_url_prefix_is_a_bucket_and_a_folder(url: str, parts: tuple[str, str]) -> None:
    assert parse_s3_url_prefix(url) == parts


@pytest.mark.parametrize("url", ["s3:/bucket/", "bucket/x", "s3://", "s3://ab/", "s3://b//x",
                                 "s3://bucket-a//", 5])
def test_a_bad_s3_url_prefix_is_refused(url: Any) -> None:
    with pytest.raises(BadRequestError, match="S3UrlPrefix"):
        parse_s3_url_prefix(url)


# -- dimensions -------------------------------------------------------------------------------

ANA = {"ChannelType": "EMAIL", "Address": "ana@example.com",
       "Demographic": {"Platform": "ios", "Make": "Apple", "AppVersion": "2.1"},
       "Location": {"Country": "PT", "Latitude": 41.15, "Longitude": -8.61},
       "User": {"UserId": "u1", "UserAttributes": {"Tier": ["gold"]}},
       "Attributes": {"Plan": ["pro", "trial"], "Signup": ["2026-03-01T10:00:00Z"]},
       "Metrics": {"Visits": 12.0}}
BARE = {"ChannelType": "SMS", "Address": "+15555550101"}


@pytest.mark.parametrize(("dimensions", "ana", "bare"), [
    ({"Demographic": {"Channel": {"Values": ["EMAIL", "PUSH"]}}}, True, False),
    ({"Demographic": {"Channel": {"DimensionType": "EXCLUSIVE", "Values": ["EMAIL"]}}},
     False, True),
    ({"Demographic": {"Platform": {"Values": ["iOS"]}}}, False, False),  # exact match
    ({"Demographic": {"Make": {"DimensionType": "EXCLUSIVE", "Values": ["Apple"]}}},
     False, True),  # a missing value is never matched
    ({"Demographic": {"AppVersion": {"Values": ["2.1"]},
                      "Model": {"DimensionType": "EXCLUSIVE", "Values": ["x"]}}}, True, False),
    ({"Location": {"Country": {"Values": ["PT"]}}}, True, False),
    ({"Attributes": {"Plan": {"Values": ["trial"]}}}, True, False),
    ({"Attributes": {"Plan": {"AttributeType": "EXCLUSIVE", "Values": ["pro"]}}}, False, True),
    ({"Attributes": {"Plan": {"AttributeType": "CONTAINS", "Values": ["ria"]}}}, True, False),
    ({"Attributes": {"Signup": {"AttributeType": "BEFORE", "Values": ["2026-03-02T00:00:00Z"]}}},
     True, False),
    ({"Attributes": {"Signup": {"AttributeType": "AFTER", "Values": ["2026-03-01T10:00:00Z"]}}},
     False, False),  # strictly after
    ({"Attributes": {"Signup": {"AttributeType": "ON", "Values": ["2026-03-01T23:59:00Z"]}}},
     True, False),
    ({"Attributes": {"Signup": {"AttributeType": "BETWEEN",
                                "Values": ["2026-03-01T10:00:00Z", "2026-01-01T00:00:00Z"]}}},
     True, False),  # bounds included, in either order
    ({"Attributes": {"Plan": {"AttributeType": "BEFORE", "Values": ["2026-01-01T00:00:00Z"]}}},
     False, False),  # values that are not dates never match
    ({"UserAttributes": {"Tier": {"Values": ["gold"]}}}, True, False),
    ({"Metrics": {"Visits": {"ComparisonOperator": "EQUAL", "Value": 12}}}, True, False),
    ({"Metrics": {"Visits": {"ComparisonOperator": "LESS_THAN", "Value": 12}}}, False, False),
    ({"Location": {"GPSPoint": {"Coordinates": {"Latitude": 38.72, "Longitude": -9.14},
                                "RangeInKilometers": 270}}}, False, False),  # ~274 km
    ({"Location": {"GPSPoint": {"Coordinates": {"Latitude": 38.72, "Longitude": -9.14},
                                "RangeInKilometers": 280}}}, True, False),
    ({"Behavior": {}}, True, True),
    ({}, True, True),
])
def test_dimensions_match_as_documented(dimensions: dict[str, Any], ana: bool,
                                        bare: bool) -> None:
    test = dimensions_predicate(dimensions)
    assert (test(ANA), test(BARE)) == (ana, bare)


@pytest.mark.parametrize(("dimensions", "reason"), [
    ({"Behavior": {"Recency": {"Duration": "DAY_7", "RecencyType": "ACTIVE"}}},
     "Dimensions.Behavior.Recency selects endpoints by how recently"),
    ({"Demographic": {"DeviceType": {"Values": ["PHONE"]}}}, "Dimensions.Demographic.DeviceType"),
    ({"Location": {"GPSPoint": {"Coordinates": {"Latitude": 1, "Longitude": 2}}}},
     "has no RangeInKilometers"),
    ({"Metrics": {"Visits": {"ComparisonOperator": "ABOUT", "Value": 1}}},
     "ComparisonOperator must be one of GREATER_THAN"),
    ({"Attributes": {"Plan": {"AttributeType": "NOT_BETWEEN", "Values": ["a"]}}},
     "AttributeType must be one of"),
    ({"Attributes": {"Plan": {"AttributeType": "ON", "Values": ["soon"]}}},
     "must be ISO 8601 instants"),
    ({"Attributes": {"Plan": {"AttributeType": "BETWEEN", "Values": ["2026-01-01"]}}},
     "must hold 2 ISO 8601 instant(s)"),
    ({"Attributes": {"Plan": {"Values": []}}}, "must be a non-empty list of strings"),
    ({"Demographic": {"Channel": {"DimensionType": "MAYBE", "Values": ["SMS"]}}},
     "DimensionType must be INCLUSIVE or EXCLUSIVE"),
    ({"Planet": {}}, "Dimensions.Planet is not a member of botocore's model"),
    ({"Location": "PT"}, "Dimensions.Location must be an object"),
])
def test_criteria_the_mock_does_not_evaluate_are_named(dimensions: dict[str, Any],
                                                       reason: str) -> None:
    with pytest.raises(UnevaluableError) as caught:
        dimensions_predicate(dimensions)
    assert reason in str(caught.value)


def test_instants_read_as_utc() -> None:
    assert instant("2026-03-01T10:00:00Z") == instant("2026-03-01T11:00:00+01:00")
    assert instant("2026-03-01T10:00:00") == instant("2026-03-01T10:00:00Z")
    assert instant("yesterday") is None and instant(5) is None and instant("") is None


# -- audiences --------------------------------------------------------------------------------


def _app(*bodies: dict[str, Any]) -> Application:
    app = Application("app")
    for n, body in enumerate(bodies):
        app.endpoints[f"e{n}"] = Endpoint("app", f"e{n}", dict(body), 0.0, "1")
    return app


def _dimensional(app: Application, segment_id: str, **versions_body: Any) -> Segment:
    segment = Segment("app", segment_id, "arn", "DIMENSIONAL",
                      [{"Id": segment_id, "Version": 1, **versions_body}])
    app.segments[segment_id] = segment
    return segment


def _ids(app: Application, segment: Optional[Segment], version: Optional[int] = None) -> list[str]:
    return [body["Id"] for body in select(app, segment, version).bodies]


def test_without_a_segment_every_endpoint_in_registration_order() -> None:
    app = _app(ANA, BARE, ANA)
    assert _ids(app, None) == ["e0", "e1", "e2"]


def test_an_import_segment_version_reaches_the_endpoints_of_the_import_that_made_it() -> None:
    """An import into SegmentId refreshes the segment (docs/import-rules.md, "Segment of an
    import"): each version holds its own import only; a version UpdateSegment made (no
    contribution of its own) holds the import of the version before it."""
    app = _app(ANA, BARE, ANA)
    segment = Segment("app", "imp", "arn", "IMPORT",
                      [{"Version": 1}, {"Version": 2}, {"Version": 3}],
                      contributions=[Contribution(1, ("e2", "e0")),
                                     Contribution(2, ("e1", "gone", "e0"))])
    assert _ids(app, segment, 1) == ["e2", "e0"]
    assert _ids(app, segment, 2) == ["e1", "e0"]  # not version 1's e2; a deleted one skipped
    assert _ids(app, segment) == ["e1", "e0"]  # version 3: an UpdateSegment of version 2
    unrecorded = Segment("app", "u", "arn", "IMPORT", [{"Version": 1}],
                         contributions=[Contribution(1, (), 4)])
    audience = select(app, unrecorded, None)
    assert list(audience.bodies) == [] and audience.unexportable == 4
    assert "holds 4 endpoints imported with RegisterEndpoints false" in audience.messages[0]


def test_a_dimensional_version_is_evaluated_with_its_own_criteria() -> None:
    app = _app(ANA, BARE)
    segment = _dimensional(app, "d", Dimensions={"Demographic": {"Channel": {"Values": ["SMS"]}}})
    segment.versions.append({"Version": 2, "Dimensions": {}})
    assert _ids(app, segment, 1) == ["e1"]
    assert _ids(app, segment) == ["e0", "e1"]


@pytest.mark.parametrize(("groups", "ids"), [
    ({"Groups": [{"SourceSegments": [{"Id": "sms"}, {"Id": "pt"}], "SourceType": "ANY"}]},
     ["e0", "e1"]),
    ({"Groups": [{"SourceSegments": [{"Id": "sms"}, {"Id": "pt"}], "SourceType": "ALL"}]}, []),
    ({"Groups": [{"SourceSegments": [{"Id": "sms"}, {"Id": "pt"}], "SourceType": "NONE"}]},
     ["e2"]),
    ({"Groups": [{"Dimensions": [{"Location": {"Country": {"Values": ["PT"]}}},
                                 {"Demographic": {"Channel": {"Values": ["EMAIL"]}}}],
                  "Type": "ANY"}]}, ["e0", "e2"]),
    ({"Groups": [{"Dimensions": [{"Location": {"Country": {"Values": ["PT"]}}}],
                  "Type": "NONE"}]}, ["e1", "e2"]),
    ({"Include": "NONE", "Groups": [{"SourceSegments": [{"Id": "sms"}]},
                                    {"SourceSegments": [{"Id": "pt"}]}]}, ["e2"]),
    ({"Include": "ALL", "Groups": [{"SourceSegments": [{"Id": "pt"}]},
                                   {"Dimensions": [{"Metrics": {"Visits": {
                                       "ComparisonOperator": "GREATER_THAN", "Value": 1}}}]}]},
     ["e0"]),
    ({"Groups": []}, ["e0", "e1", "e2"]),
])
def test_segment_groups_combine_as_documented(groups: dict[str, Any], ids: list[str]) -> None:
    app = _app(ANA, BARE, {"ChannelType": "EMAIL", "Address": "x@example.com"})
    _dimensional(app, "sms", Dimensions={"Demographic": {"Channel": {"Values": ["SMS"]}}})
    _dimensional(app, "pt", Dimensions={"Location": {"Country": {"Values": ["PT"]}}})
    assert _ids(app, _dimensional(app, "g", SegmentGroups=groups)) == ids


@pytest.mark.parametrize(("groups", "reason"), [
    ({"Groups": [{}, {}]}, "combines 2 items without Include"),
    ({"Groups": [{"SourceSegments": [{"Id": "gone"}]}]}, "names the segment 'gone', which does "
                                                         "not exist"),
    ({"Groups": [{"SourceSegments": [{"Id": "loop"}]}]}, "nests source segments more than 10"),
    ({"Groups": [{"SourceSegments": [{"Id": "pt", "Version": 3}]}]}, "names version 3"),
    ({"Groups": [{"SourceSegments": [{"Id": "imp"}]}]}, "RegisterEndpoints false"),
    ({"Groups": "all"}, "Groups must be a list"),
])
def test_segment_groups_the_mock_cannot_evaluate_are_refused(groups: dict[str, Any],
                                                             reason: str) -> None:
    app = _app(ANA)
    _dimensional(app, "pt", Dimensions={"Location": {"Country": {"Values": ["PT"]}}})
    _dimensional(app, "loop", SegmentGroups={"Groups": [{"SourceSegments": [{"Id": "loop"}]}]})
    app.segments["imp"] = Segment("app", "imp", "arn", "IMPORT", [{"Version": 1}],
                                  contributions=[Contribution(1, (), 2)])
    with pytest.raises(UnevaluableError) as caught:
        select(app, _dimensional(app, "g", SegmentGroups=groups), None)
    assert reason in str(caught.value)


def test_dimensions_and_segment_groups_together_are_refused() -> None:
    app = _app(ANA)
    segment = _dimensional(app, "both", Dimensions={}, SegmentGroups={"Groups": []})
    with pytest.raises(UnevaluableError, match="has both Dimensions and SegmentGroups"):
        select(app, segment, None)


# -- plans ------------------------------------------------------------------------------------


def test_a_failing_plan_keeps_the_timing_and_fails_every_piece() -> None:
    plan = plan_for([False, False], Schedule())
    failing = failing_plan(plan)
    assert failing.starts == plan.starts
    assert failing.statuses[-2:] == (S.FAILING, S.FAILED)
    assert view_at(failing, failing.end).key[1:] == (0, 2)
    late = failing_plan(plan, closing=False)
    assert late.statuses[-2:] == (S.COMPLETING, S.FAILED)
    assert work_start(plan) == plan.starts[2]  # PROCESSING
    forced = forced_plan(plan, 0.0, failed=False, cut=0.5, closing=5.0)
    assert forced.statuses == (S.CREATED, S.COMPLETING, S.COMPLETED)
    assert work_start(forced) == 0.5


# -- the exporter over a fake sink ------------------------------------------------------------


class Sink:
    def __init__(self, buckets: Sequence[str]) -> None:
        self.buckets = set(buckets)
        self.written: list[tuple[str, str, bytes]] = []

    def bucket_exists(self, bucket: str) -> bool:
        return bucket in self.buckets

    def put_objects(self, bucket: str, objects: Sequence[tuple[str, bytes]]) -> None:
        if bucket not in self.buckets:
            raise ObjectSinkError(f"the bucket '{bucket}' does not exist (NoSuchBucket).")
        self.written += [(bucket, key, data) for key, data in objects]


class World:
    def __init__(self, progression: str, buckets: Sequence[str] = ("bkt",)) -> None:
        self.now = 1_000.0
        self.sink = Sink(buckets)
        self.backend = Backend(Store("123456789012", "us-east-1", lambda app_id: True),
                               _NoObjects(), lambda: self.now, Settings(progression),
                               sink=self.sink)
        self.app = self.backend.store.application("app")
        for n in range(3):
            self.backend.update_endpoint("app", f"e{n}", {"ChannelType": "EMAIL",
                                                          "Address": f"{n}@example.com"})

    def create(self, prefix: str = "s3://bkt/out/") -> str:
        body = self.backend.create_export_job("app", {
            "S3UrlPrefix": prefix, "RoleArn": "arn:aws:iam::123456789012:role/Export"})
        return str(json.loads(body)["Id"])  # type: ignore[arg-type]

    def status(self, job_id: str) -> str:
        body = self.backend.get_export_job("app", job_id)
        return str(json.loads(body)["JobStatus"])  # type: ignore[arg-type]


class _NoObjects:
    def objects(self, bucket: str, prefix: str) -> list[Any]:
        return []


def test_objects_are_written_once_when_the_clock_completes_the_job() -> None:
    world = World("time")
    job_id = world.create()
    world.now += 3600
    assert world.sink.written == []  # nothing has looked at the job yet
    world.backend.exporter.settle_due()
    assert [key for _, key, _ in world.sink.written] == [f"out/{job_id}/part-00000.gz"]
    assert world.backend.store.unsettled_exports == []
    assert world.status(job_id) == "COMPLETED"
    world.backend.exporter.settle_due()
    assert len(world.sink.written) == 1
    data = world.sink.written[0][2]
    assert [json.loads(line)["Id"] for line in gzip.decompress(data).splitlines()] == [
        "e0", "e1", "e2"]
    job = world.app.exports.by_id[job_id]
    assert job.settled and job.result.pieces[0].data == b""  # no copy kept


def test_settle_due_moves_nothing_outside_the_time_progression() -> None:
    world = World("manual")
    job_id = world.create()
    world.now += 3600
    world.backend.exporter.settle_due()
    assert world.sink.written == [] and world.status(job_id) == "CREATED"


def test_a_zero_second_schedule_checks_the_bucket_at_creation() -> None:
    world = World("time", buckets=())
    world.backend.settings.schedule = Schedule(created=0, initializing=0, per_piece=0,
                                               completing=0)
    job_id = world.create()
    assert world.status(job_id) == "FAILED"
    assert world.sink.written == []


def _exported_ids(world: World, **members: Any) -> list[str]:
    """Ids of the endpoints an export of ``members`` (SegmentId, ...) writes, in order."""
    body = world.backend.create_export_job("app", {
        "S3UrlPrefix": "s3://bkt/out/", "RoleArn": "arn:aws:iam::123456789012:role/Export",
        **members})
    job = world.app.exports.by_id[json.loads(body)["Id"]]  # type: ignore[arg-type]
    return [json.loads(line)["Id"] for piece in job.result.pieces
            for line in gzip.decompress(piece.data).splitlines()]


def test_an_import_into_segment_id_records_only_its_own_endpoints_for_the_new_version() -> None:
    """The refresh rule (an import with SegmentId makes a version that holds that import only,
    docs/import-rules.md) and the export of each version, over the backend's own imports; the
    import omits RegisterEndpoints, which registers."""
    world = World("manual")
    world.backend.objects = Objects({
        "week1.csv": b"Id,ChannelType,Address\nw1,EMAIL,a@example.com\nw2,SMS,+1555\n",
        "week2.csv": b"Id,ChannelType,Address\nw3,EMAIL,c@example.com\nw1,EMAIL,a@example.com\n",
    })
    role = "arn:aws:iam::123456789012:role/Import"
    first = world.backend.create_import_job("app", {
        "Format": "CSV", "S3Url": "s3://input/week1.csv", "RoleArn": role, "DefineSegment": True})
    segment_id = json.loads(first)["Definition"]["SegmentId"]  # type: ignore[arg-type]
    world.backend.create_import_job("app", {
        "Format": "CSV", "S3Url": "s3://input/week2.csv", "RoleArn": role, "SegmentId": segment_id})
    segment = world.app.segments[segment_id]
    assert [(c.version, c.endpoint_ids) for c in segment.contributions] == [
        (1, ("w1", "w2")), (2, ("w3", "w1"))]
    assert segment.current["ImportDefinition"]["Size"] == 2
    assert _exported_ids(world, SegmentId=segment_id, SegmentVersion=1) == ["w1", "w2"]
    assert _exported_ids(world, SegmentId=segment_id) == ["w3", "w1"]


def test_a_refresh_that_fails_half_way_records_nothing_an_export_would_write() -> None:
    """Atomic imports (a failure takes back what the import registered) hold for what an
    export of the segment reads: no version, no contribution, no endpoint of the failed file."""
    world = World("manual")
    world.backend.objects = Objects({
        "ok.csv": b"Id,ChannelType,Address\nok,SMS,+1\n",
        "broken.csv": Breaking(b"Id,ChannelType,Address\n" + b"e9,SMS,+9\n" * 9000),
    })
    role = "arn:aws:iam::123456789012:role/Import"
    first = world.backend.create_import_job("app", {
        "Format": "CSV", "S3Url": "s3://input/ok.csv", "RoleArn": role, "DefineSegment": True})
    segment_id = json.loads(first)["Definition"]["SegmentId"]  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="the disk caught fire"):
        world.backend.create_import_job("app", {
            "Format": "CSV", "S3Url": "s3://input/broken.csv", "RoleArn": role,
            "SegmentId": segment_id})
    segment = world.app.segments[segment_id]
    assert len(segment.versions) == len(segment.contributions) == 1
    assert "e9" not in world.app.endpoints
    assert _exported_ids(world, SegmentId=segment_id) == ["ok"]


def test_a_json_import_line_drops_the_members_endpoint_response_adds() -> None:
    from pinpoint_mock.backend.json_rows import json_definition

    line = {"Id": "e1", "ChannelType": "EMAIL", "Address": "a@b", "ApplicationId": "app",
            "CohortId": "42", "CreationDate": "2026-01-01T00:00:00.000Z", "OptOut": ""}
    assert json_definition(line) == {"Id": "e1", "ChannelType": "EMAIL", "Address": "a@b"}
    assert json_definition({"ChannelType": "SMS", "CohortId": 42}) == (
        "CohortId must be a string, got 42")
    assert json_definition({"ChannelType": "SMS", "Cohort": "1"}) == "unknown field 'Cohort'"
