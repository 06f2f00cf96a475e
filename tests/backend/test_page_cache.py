"""The page cache over the pure backend: a listing served from it is, at every instant and after
every operation, the page that reading each job now would give.

A seeded random walk drives one backend with a hand-driven clock through what a test does
(clock moves forward and back, to the very instant a view changes and one unit in the last
place before it; steps, forced outcomes, new jobs, exports, a queue limit, another
progression), listing after each move; the reference is GetImportJob / GetExportJob of each
job, which the cache never serves.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any, Optional

import pytest

from pinpoint_mock.backend.lifecycle import Schedule, view_until
from pinpoint_mock.backend.models import Job
from pinpoint_mock.backend.operations import Backend, Settings
from pinpoint_mock.backend.page_cache import CachedPage, PageCache, deadline_of
from pinpoint_mock.backend.progression import JobStateError
from pinpoint_mock.backend.store import Store
from tests.backend.test_atomic import ROLE_ARN, Objects

T0 = 1_772_359_200.0  # 2026-03-01T10:00:00Z
FILES = {
    "one.csv": b"ChannelType,Address\nEMAIL,a@example.com\n",
    "three.csv": b"ChannelType,Address\n" + b"".join(
        b"EMAIL,u%d@example.com\n" % n for n in range(250)),
    "bad.csv": b"ChannelType,Address\nEMAIL,\n",
}


class Sink:
    """Every bucket exists; objects are kept by key."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def bucket_exists(self, bucket: str) -> bool:
        return True

    def put_objects(self, bucket: str, objects: Any) -> None:
        self.objects.update(objects)


class World:
    """A backend of one application with an IMPORT segment, on a clock set by hand."""

    def __init__(self, progression: str = "time", limit: Optional[int] = None) -> None:
        self.now = T0
        self.settings = Settings(progression, Schedule(per_piece=2.0), limit)
        self.sink = Sink()
        store = Store("123456789012", "us-east-1", lambda app_id: True)
        self.backend = Backend(store, Objects(FILES), lambda: self.now, self.settings,
                               sink=self.sink)
        self.reads = self.builds = 0
        read, build = self.backend._jobs_page, self.backend._build_page

        def counted_read(*args: Any) -> bytes:
            self.reads += 1
            return read(*args)

        def counted_build(*args: Any) -> CachedPage:
            self.builds += 1
            return build(*args)

        self.backend._jobs_page = counted_read  # type: ignore[method-assign]
        self.backend._build_page = counted_build  # type: ignore[method-assign]
        first = self.create_import("three.csv", DefineSegment=True, SegmentName="s")
        self.segment_id = str(first["Definition"]["SegmentId"])

    def create_import(self, key: str, **members: Any) -> Any:
        request = {"Format": "CSV", "RoleArn": ROLE_ARN, "S3Url": f"s3://bucket/{key}", **members}
        return json.loads(self.backend.create_import_job("app", request))

    def create_export(self) -> Any:
        request = {"RoleArn": ROLE_ARN, "S3UrlPrefix": "s3://out/exports/"}
        return json.loads(self.backend.create_export_job("app", request))

    @property
    def hits(self) -> int:
        """Listing pages served from the cache (read, not built)."""
        return self.reads - self.builds

    def jobs(self, kind: str = "IMPORT") -> list[Job]:
        return self.backend.store.jobs(kind)

    def each_read(self, kind: str, segment: bool = False) -> list[Any]:
        """Every job as a read of that one job shows it now (never cached), oldest first."""
        read = self.backend.get_import_job if kind == "IMPORT" else self.backend.get_export_job
        jobs = [job for job in self.jobs(kind)
                if not segment or job.segment_id == self.segment_id]
        return [json.loads(read("app", job.id)) for job in jobs]

    def listings(self) -> dict[str, list[Any]]:
        b = self.backend
        pages = {
            "imports": b.get_import_jobs("app"),
            "segment": b.get_segment_import_jobs("app", self.segment_id),
            "exports": b.get_export_jobs("app"),
        }
        return {name: json.loads(page)["Item"] for name, page in pages.items()}

    def paged(self, size: int) -> list[Any]:
        items: list[Any] = []
        token = None
        while True:
            page = json.loads(self.backend.get_import_jobs("app", PageSize=str(size),
                                                           Token=token))
            items += page["Item"]
            token = page.get("NextToken")
            if token is None:
                return items

    def check(self) -> None:
        hits = self.hits
        listed = self.listings()
        if self.settings.progression == "per_read":  # every read moves the jobs it shows
            self.listings()
            assert self.hits == hits
            return
        again = self.listings()  # the second one from the cache where it may be
        if self.settings.progression != "time":
            assert self.hits == hits
        assert listed == again
        assert listed["imports"] == self.each_read("IMPORT")
        assert listed["segment"] == self.each_read("IMPORT", segment=True)
        assert listed["exports"] == self.each_read("EXPORT")
        assert self.paged(2) == listed["imports"]

    def boundaries(self) -> list[float]:
        """The clock instants at which some job's view changes next."""
        instants = []
        for job in self.jobs() + self.jobs("EXPORT"):
            until = view_until(job.plan, max(job.elapsed_seen, self.now - job.created))
            if math.isfinite(until):
                instants.append(job.created + until)
        return instants


def walk(world: World, rng: random.Random, steps: int) -> None:
    world.check()
    for _ in range(steps):
        move = rng.randrange(10)
        jobs = world.jobs() + world.jobs("EXPORT")
        job = rng.choice(jobs)
        progression = world.backend.progression
        if move == 0:
            world.create_import(rng.choice(list(FILES)), SegmentId=world.segment_id)
        elif move == 1:
            world.create_export()
        elif move == 2:
            world.now -= rng.choice([0.5, 10.0, 3600.0])
        elif move in (3, 4):
            instants = world.boundaries()
            if instants:
                at = rng.choice(instants)
                world.now = rng.choice([at, math.nextafter(at, -math.inf)])
        elif move == 5:
            try:
                progression.advance(job)
            except JobStateError:  # ended, or queued while no slot is free
                pass
        elif move == 6:
            failed = rng.random() < 0.5
            try:
                progression.force(job, failed=failed, failures=None)
            except JobStateError:
                pass
        elif move == 7 and world.settings.progression == "time":
            world.settings.progression = rng.choice(["per_read", "manual"])
        elif move == 7:
            world.settings.progression = "time"
        else:
            world.now += rng.choice([0.25, 1.0, 2.0, 7.5, 60.0])
        world.check()


@pytest.mark.parametrize("seed", range(6))
def test_a_random_walk_never_lists_a_stale_page(seed: int) -> None:
    world = World()
    walk(world, random.Random(seed), 60)
    assert world.hits > 30  # the cache served many second listings


@pytest.mark.parametrize("seed", range(3))
def test_a_random_walk_with_a_queue_never_lists_a_stale_page(seed: int) -> None:
    world = World(limit=1)
    walk(world, random.Random(100 + seed), 60)
    assert world.hits > 30


def test_written_objects_follow_a_listing_served_at_the_end_instant() -> None:
    world = World()
    export = world.create_export()
    world.check()
    job = world.backend.store.export_job(world.backend.store.application("app"), export["Id"])
    world.now = job.created + job.plan.end
    assert [item["JobStatus"] for item in world.listings()["exports"]] == ["COMPLETED"]
    assert world.sink.objects


def test_the_deadline_is_never_after_the_instant_its_view_changes() -> None:
    rng = random.Random(3)
    for _ in range(20_000):
        created = rng.uniform(-1e11, 2.5e11)
        until = rng.choice([rng.uniform(0, 1e7), float(rng.randrange(1, 100))])
        deadline = deadline_of(created, until)
        now = math.nextafter(deadline, -math.inf)
        assert now - created < until
        assert deadline <= created + until
    assert deadline_of(5.0, math.inf) == math.inf


def test_the_cache_keeps_one_page_per_listing_within_its_size() -> None:
    cache = PageCache(max_bytes=100)

    def page(size: int, deadline: float = math.inf) -> CachedPage:
        return CachedPage(0, 100, 1, deadline, b"x" * size, 0, False, None)

    cache.put(("a",), page(40))
    cache.put(("a",), page(50))
    cache.put(("b",), page(50))
    assert len(cache) == 2 and cache.get(("a",), 0, 100, 1, 0.0) is not None
    cache.put(("c",), page(30))  # over 100 bytes: the page built longest ago goes
    assert cache.get(("a",), 0, 100, 1, 0.0) is None and len(cache) == 2
    cache.put(("d",), page(101))  # larger than the whole cache: not kept
    cache.put(("e",), page(10, deadline=-math.inf))  # never reusable: not kept
    assert cache.get(("d",), 0, 100, 1, 0.0) is None and cache.get(("e",), 0, 100, 1, 0.0) is None
    assert cache.get(("b",), 0, 100, 2, 0.0) is None  # another revision
    assert cache.get(("b",), 0, 50, 1, 0.0) is None  # another page size
    assert cache.get(("b",), 7, 100, 1, 0.0) is None  # another position
    assert cache.get(("c",), 0, 100, 1, math.inf) is None  # past the deadline


def test_a_backend_made_afresh_has_an_empty_cache() -> None:
    world = World()
    world.check()
    assert len(world.backend.pages) == 3
    store = Store("123456789012", "us-east-1", lambda app_id: True)
    assert len(Backend(store, Objects(FILES), lambda: T0, Settings()).pages) == 0
