"""Encoded pages of job listings, kept while no job on them can show anything else.

Under the ``"time"`` progression a job's bytes change only at the clock instants where its view
changes (next stage, next piece: :func:`~pinpoint_mock.backend.lifecycle.view_until`), or when
the job is moved or replanned by something other than the clock (a step of a test, a forced
outcome, a queue change, an export's bucket check), or when a job is added. A page of
GetImportJobs / GetSegmentImportJobs / GetExportJobs / GetSegmentExportJobs is the join of its
jobs' bytes, so it is kept as one bytes object and served again while both hold:

* the store's :attr:`~pinpoint_mock.backend.store.Store.revision` is the one the page was built
  at (every addition, move and replan of a job grows it), and
* the clock is before the page's *deadline*: the earliest instant at which one of its jobs
  would show another view (infinite once every job on it is terminal), less a margin that
  covers the rounding of ``created + offset`` against ``now - created``.

Anything else builds the page job by job, as every read did before (and a read past a
deadline moves the jobs as the clock says). The ``"per_read"``, ``"manual"`` and
``"immediate"`` progressions never use the cache: there a read itself may move the jobs.
A reset of the mock, or of moto, makes a new backend and with it a new, empty cache.

One page is kept per listing (the last one built: a test polls the same page), and the cache
holds at most :data:`MAX_CACHED_BYTES`, dropping the pages built longest ago first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

MAX_CACHED_BYTES = 8 * 1024 * 1024
"""The most bytes of pages one backend keeps (a page of 1,000 jobs is about 0.6 MB)."""


@dataclass(frozen=True)
class CachedPage:
    """One page of a listing as it was last built.

    Attributes:
        after: the sequence number the page starts after (0: the first page).
        size: the page size it was built for.
        revision: the store's revision it was built at.
        deadline: POSIX seconds of the mock's clock before which every job on it shows the
            same bytes (``-inf``: never reuse, ``inf``: every job is terminal).
        items: the jobs' bytes joined by commas (the inside of ``"Item":[...]``).
        last: the sequence number of the last job on the page (for a ``NextToken``).
        more: whether jobs remain after it.
        body: the whole response body when there is no next page (it needs no token).
    """

    after: int
    size: int
    revision: int
    deadline: float
    items: bytes
    last: int
    more: bool
    body: Optional[bytes]


def deadline_of(created: float, until: float) -> float:
    """The clock instant before which ``now - created < until`` surely holds: ``created +
    until`` less a margin of a few units in the last place (inf for an infinite ``until``)."""
    if math.isinf(until):
        return until
    instant = created + until
    return instant - (abs(instant) * 1e-14 + 1e-9)


class PageCache:
    """The last page read of each listing, keyed by the listing (``("GetImportJobs", app)``,
    ``("GetSegmentImportJobs", app, segment)``, ...). A page is looked up without a lock and
    replaced whole; :meth:`put` is called with the store's lock held."""

    def __init__(self, max_bytes: int = MAX_CACHED_BYTES):
        self.max_bytes = max_bytes
        self.by_listing: dict[tuple[str, ...], CachedPage] = {}
        """The page kept of each listing (read it without a lock; :meth:`get` says when it
        may be served)."""
        self._bytes = 0

    def get(
        self, key: tuple[str, ...], after: int, size: int, revision: int, now: float
    ) -> Optional[CachedPage]:
        """The page of ``key`` starting after ``after`` with ``size`` jobs, if it was built at
        ``revision`` and ``now`` is before its deadline; else None."""
        page = self.by_listing.get(key)
        if (
            page is None
            or page.revision != revision
            or not now < page.deadline
            or page.after != after
            or page.size != size
        ):
            return None
        return page

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Keep ``page`` as the page of ``key`` (unless it can never be reused or is larger
        than the whole cache), dropping the pages built longest ago beyond :attr:`max_bytes`
        (the caller holds the store's lock)."""
        old = self.by_listing.pop(key, None)
        if old is not None:
            self._bytes -= len(old.items)
        if page.deadline == -math.inf or len(page.items) > self.max_bytes:
            return
        self.by_listing[key] = page
        self._bytes += len(page.items)
        while self._bytes > self.max_bytes:
            oldest = next(iter(self.by_listing))
            self._bytes -= len(self.by_listing.pop(oldest).items)

    def __len__(self) -> int:
        return len(self.by_listing)
