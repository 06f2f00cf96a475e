"""Which endpoints an export job writes: every endpoint of the application, or those a segment
version reaches.

Pure standard library. An export reads endpoints only through the application's
:class:`~pinpoint_mock.backend.models.Endpoint` records and their ``response()`` (the
``EndpointResponse`` GetEndpoint returns). Sources: botocore's ``ExportJobRequest.SegmentId``
("If you don't specify this value, Amazon Pinpoint exports definitions for all the endpoints
that are associated with the application") and ``SegmentGroup`` documentation (quoted below);
*mock* marks the mock's choices.

* No segment: every registered endpoint, in registration order.
* An IMPORT segment, version ``v``: the endpoints of the one import that made that version
  (its :class:`~pinpoint_mock.backend.models.Contribution`; a version UpdateSegment made keeps
  the import of the version before it), in file order, each once, as they are registered now;
  one deleted since is not exported (*mock*). An import into ``SegmentId`` refreshes the
  segment: the version it makes holds that import only, as its ``ImportDefinition`` (``Size``,
  ``ChannelCounts``) says (see the import rules), so an earlier import's endpoints are not in
  it. Endpoints imported with ``RegisterEndpoints`` false are not kept by the mock: they are
  counted as failures with one message, never written (*mock*).
* A DIMENSIONAL segment, version ``v``: the registered endpoints that match that version's
  criteria, in registration order, evaluated when the export is created:

  - ``Dimensions``: see :mod:`pinpoint_mock.backend.segment_dimensions`; none at all (no
    ``Dimensions``, no ``SegmentGroups``) reaches every endpoint (*mock*).
  - ``SegmentGroups``: each group starts from its ``SourceSegments`` ("the initial population
    of endpoints for a segment"; ``SourceType`` ALL: in all of them, ANY: in one, NONE: in
    none) or, without any, from every endpoint (*mock*), and keeps those that match its
    ``Dimensions`` (``Type`` ALL, ANY or NONE of them); ``Include`` combines the groups the
    same way. A ``SourceSegments`` entry without ``Version`` is that segment's current
    version. With more than one item to combine and no ``SourceType`` / ``Type`` /
    ``Include``, AWS's rule is unknown: :class:`~pinpoint_mock.backend.segment_dimensions.
    UnevaluableError`. So is a source that no longer exists, or an IMPORT source with endpoints
    imported without registration, or both ``Dimensions`` and ``SegmentGroups``.

A criterion the mock does not evaluate never yields a guess: :func:`select` raises
:class:`~pinpoint_mock.backend.segment_dimensions.UnevaluableError` and the export job fails,
writing nothing, with the reason in ``Failures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Optional

from pinpoint_mock.backend.models import Endpoint, Segment
from pinpoint_mock.backend.segment_dimensions import (
    Predicate,
    UnevaluableError,
    dimensions_predicate,
)
from pinpoint_mock.backend.store import Application

__all__ = ["Audience", "UnevaluableError", "select"]

_MAX_DEPTH = 10
"""Source segments followed through at most this many segments (*mock*; a cycle is refused)."""

_COMBINATIONS = ("ALL", "ANY", "NONE")


@dataclass
class Audience:
    """What an export writes.

    Attributes:
        bodies: the ``EndpointResponse`` dicts to write, in order (a one-pass iterator,
            consumed while the export is rendered, under the store's lock).
        unexportable: endpoints of the segment the mock cannot write (counted as failures).
        messages: why, one message per cause.
    """

    bodies: Iterator[dict[str, Any]]
    unexportable: int = 0
    messages: list[str] = field(default_factory=list)


def _version_body(segment: Segment, version: Optional[int], where: str) -> Mapping[str, Any]:
    if version is None:
        return segment.current
    if not 1 <= version <= len(segment.versions):
        raise UnevaluableError(f"{where} names version {version} of segment '{segment.id}', which "
                          f"has {len(segment.versions)}")
    return segment.versions[version - 1]


def _version_of(segment: Segment, version: Optional[int]) -> int:
    return len(segment.versions) if version is None else version


def _import_ids(segment: Segment, version: int) -> tuple[dict[str, None], int]:
    """The endpoint Ids (ordered, once each) and the unrecorded count of segment version
    ``version``: those of the import that made it, or made the latest version before it."""
    made = [c for c in segment.contributions if c.version <= version]
    if not made:
        return {}, 0
    latest = max(made, key=lambda contribution: contribution.version)
    return dict.fromkeys(latest.endpoint_ids), latest.unrecorded


def _combine(how: str, sets: list[set[str]], universe: Iterable[str]) -> set[str]:
    if how == "ALL":
        return set.intersection(*sets)
    union = set().union(*sets)
    if how == "ANY":
        return union
    return {endpoint_id for endpoint_id in universe if endpoint_id not in union}


def _how(spec: Mapping[str, Any], member: str, count: int, where: str) -> str:
    how = spec.get(member)
    if how is None:
        if count > 1:
            raise UnevaluableError(
                f"{where} combines {count} items without {member} (ALL, ANY or NONE), and "
                "AWS documents no default"
            )
        return "ALL"
    if how not in _COMBINATIONS:
        raise UnevaluableError(f"{where}.{member} must be ALL, ANY or NONE, got {how!r}")
    return str(how)


class _Evaluator:
    """Evaluates segments of one application into sets of endpoint Ids."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.endpoints = app.endpoints

    def matching(self, predicate: Predicate, ids: Iterable[str]) -> set[str]:
        endpoints = self.endpoints
        return {i for i in ids if i in endpoints and predicate(endpoints[i].response())}

    def segment_ids(self, segment: Segment, version: Optional[int], where: str,
                    depth: int) -> set[str]:
        if depth > _MAX_DEPTH:
            raise UnevaluableError(f"{where} nests source segments more than {_MAX_DEPTH} deep "
                              "(or in a cycle)")
        if segment.segment_type == "IMPORT":
            ids, unrecorded = _import_ids(segment, _version_of(segment, version))
            if unrecorded:
                raise UnevaluableError(
                    f"{where} is the IMPORT segment '{segment.id}', which holds {unrecorded} "
                    "endpoints imported with RegisterEndpoints false, of which the mock keeps "
                    "no copy"
                )
            return {i for i in ids if i in self.endpoints}
        body = _version_body(segment, version, where)
        dimensions, groups = body.get("Dimensions"), body.get("SegmentGroups")
        if dimensions is not None and groups is not None:
            raise UnevaluableError(f"{where} has both Dimensions and SegmentGroups")
        if groups is not None:
            return self.groups(groups, f"{where}.SegmentGroups", depth)
        if dimensions is not None:
            return self.matching(dimensions_predicate(dimensions, f"{where}.Dimensions"),
                                 self.endpoints)
        return set(self.endpoints)

    def groups(self, spec: Any, where: str, depth: int) -> set[str]:
        if not isinstance(spec, Mapping):
            raise UnevaluableError(f"{where} must be an object, got {spec!r}")
        groups = spec.get("Groups") or []
        if not isinstance(groups, list):
            raise UnevaluableError(f"{where}.Groups must be a list, got {groups!r}")
        if not groups:
            return set(self.endpoints)
        how = _how(spec, "Include", len(groups), where)
        sets = [self.group(group, f"{where}.Groups[{n}]", depth)
                for n, group in enumerate(groups)]
        return _combine(how, sets, self.endpoints)

    def group(self, spec: Any, where: str, depth: int) -> set[str]:
        if not isinstance(spec, Mapping):
            raise UnevaluableError(f"{where} must be an object, got {spec!r}")
        sources = spec.get("SourceSegments") or []
        if not isinstance(sources, list):
            raise UnevaluableError(f"{where}.SourceSegments must be a list, got {sources!r}")
        if sources:
            how = _how(spec, "SourceType", len(sources), where)
            base = _combine(how, [self.source(ref, f"{where}.SourceSegments[{n}]", depth)
                                  for n, ref in enumerate(sources)], self.endpoints)
        else:
            base = set(self.endpoints)
        dimensions = spec.get("Dimensions") or []
        if not isinstance(dimensions, list):
            raise UnevaluableError(f"{where}.Dimensions must be a list, got {dimensions!r}")
        if not dimensions:
            return base
        how = _how(spec, "Type", len(dimensions), where)
        tests = [dimensions_predicate(item, f"{where}.Dimensions[{n}]")
                 for n, item in enumerate(dimensions)]
        combine = {"ALL": all, "ANY": any}.get(how)
        if combine is not None:
            return self.matching(lambda body: combine(test(body) for test in tests), base)
        return self.matching(lambda body: not any(test(body) for test in tests), base)

    def source(self, ref: Any, where: str, depth: int) -> set[str]:
        if not isinstance(ref, Mapping) or not isinstance(ref.get("Id"), str):
            raise UnevaluableError(f"{where} must be a SegmentReference with an Id, got {ref!r}")
        segment = self.app.segments.get(ref["Id"])
        if segment is None:
            raise UnevaluableError(f"{where} names the segment '{ref['Id']}', which does not exist")
        version = ref.get("Version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise UnevaluableError(f"{where}.Version must be a whole number, got {version!r}")
        return self.segment_ids(segment, version, f"segment '{segment.id}'", depth + 1)


def _bodies(endpoints: Iterable[Endpoint]) -> Iterator[dict[str, Any]]:
    for endpoint in endpoints:
        yield endpoint.response()


def _filtered(endpoints: Iterable[Endpoint], predicate: Predicate) -> Iterator[dict[str, Any]]:
    for endpoint in endpoints:
        body = endpoint.response()
        if predicate(body):
            yield body


def select(app: Application, segment: Optional[Segment], version: Optional[int]) -> Audience:
    """The endpoints an export of ``app`` (or of ``segment`` at ``version``, None: its current
    version) writes. The caller holds the store's lock until the bodies are consumed.

    Raises:
        UnevaluableError: the segment's criteria are not all evaluated by the mock (the message
            names the first one and why).
    """
    endpoints = app.endpoints
    if segment is None:
        return Audience(_bodies(endpoints.values()))
    label = f"segment '{segment.id}' version {_version_of(segment, version)}"
    if segment.segment_type == "IMPORT":
        ids, unrecorded = _import_ids(segment, _version_of(segment, version))
        registered = (endpoints[i] for i in ids if i in endpoints)
        audience = Audience(_bodies(registered))
        if unrecorded:
            audience.unexportable = unrecorded
            audience.messages.append(
                f"The IMPORT {label} holds {unrecorded} endpoints imported with "
                "RegisterEndpoints false; the mock keeps no copy of them, so they were not "
                "exported."
            )
        return audience
    body = _version_body(segment, version, label)
    dimensions, groups = body.get("Dimensions"), body.get("SegmentGroups")
    if groups is None:
        if dimensions is None:
            return Audience(_bodies(endpoints.values()))
        predicate = dimensions_predicate(dimensions, f"{label}: Dimensions")
        return Audience(_filtered(endpoints.values(), predicate))
    members = _Evaluator(app).segment_ids(segment, version, label, 0)
    return Audience(_bodies(endpoints[i] for i in endpoints if i in members))
