"""Where the tags of a resource (an application, a segment) are kept.

Pinpoint keeps one set of tags per resource ARN: CreateApp and CreateSegment set them from the
request's ``tags``, TagResource / UntagResource change them, and ``ApplicationResponse.tags`` /
``SegmentResponse.tags`` show them. In the mock the store is moto's (its Pinpoint backend
serves TagResource, UntagResource and ListTagsForResource for any ARN), so tags set either way
read back the same; :class:`MemoryTags` stands in for it in pure backend tests.
"""

from __future__ import annotations

import threading
from typing import Mapping, Protocol

__all__ = ["MemoryTags", "TagStore"]


class TagStore(Protocol):
    """The tags of resources, by ARN."""

    def tags(self, arn: str) -> dict[str, str]:
        """A copy of the tags of ``arn`` (``{}`` when it has none)."""

    def add(self, arn: str, tags: Mapping[str, str]) -> None:
        """Set these tags on ``arn`` (others it has stay)."""

    def drop(self, arn: str) -> None:
        """Forget every tag of ``arn`` (the resource was deleted)."""


class MemoryTags:
    """A :class:`TagStore` in a dict."""

    def __init__(self) -> None:
        self._tags: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def tags(self, arn: str) -> dict[str, str]:
        with self._lock:
            return dict(self._tags.get(arn, {}))

    def add(self, arn: str, tags: Mapping[str, str]) -> None:
        with self._lock:
            self._tags.setdefault(arn, {}).update(tags)

    def drop(self, arn: str) -> None:
        with self._lock:
            self._tags.pop(arn, None)
