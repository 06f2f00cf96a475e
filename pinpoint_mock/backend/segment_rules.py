"""The rules a ``WriteSegmentRequest`` (CreateSegment, UpdateSegment) must follow beyond its
members' types.

Pure standard library. The types, enums and required members of the segment shapes are checked
before the backend runs (from botocore's model); this module applies what the model states only
in prose, each rule with its source (the documentation of the shape or member in botocore's
``pinpoint/2016-12-01/service-2.json``):

* ``WriteSegmentRequest``: "can include a Dimensions object or a SegmentGroups object, but not
  both".
* ``MetricDimension.ComparisonOperator``: "Valid values are: GREATER_THAN, LESS_THAN,
  GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, and EQUAL" (a plain string in the model, so only
  this module checks it).
* ``SegmentGroup.SourceSegments``: "You can specify more than one dimensional segment or only
  one imported segment"; each ``SegmentReference`` names a segment of the application (and,
  with ``Version``, one of its versions).

Documented constraints this module does not apply, and why, are listed in the project's
docs/import-rules.md ("Segment and endpoint rules").
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Optional

from pinpoint_mock.backend.errors import BadRequestError, NotFoundError

__all__ = ["COMPARISON_OPERATORS", "SegmentInfo", "check_write_segment_request"]

COMPARISON_OPERATORS = ("GREATER_THAN", "LESS_THAN", "GREATER_THAN_OR_EQUAL",
                        "LESS_THAN_OR_EQUAL", "EQUAL")
"""``MetricDimension.ComparisonOperator`` values (botocore's member documentation)."""

SegmentInfo = Callable[[str], Optional[tuple[str, int]]]
"""``segment_info(segment_id)``: ``(SegmentType, number of versions)`` of a segment of the
application, or None when it has none of that Id."""


def _dimensions(request: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every ``SegmentDimensions`` object of the request, with the path that names it."""
    dimensions = request.get("Dimensions")
    if isinstance(dimensions, Mapping):
        yield "Dimensions", dimensions
    for g, group in _groups(request):
        for d, item in enumerate(group.get("Dimensions") or ()):
            if isinstance(item, Mapping):
                yield f"SegmentGroups.Groups[{g}].Dimensions[{d}]", item


def _groups(request: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    groups = request.get("SegmentGroups")
    items = groups.get("Groups") if isinstance(groups, Mapping) else None
    for g, group in enumerate(items or ()):
        if isinstance(group, Mapping):
            yield g, group


def check_write_segment_request(request: Mapping[str, Any], segment_info: SegmentInfo) -> None:
    """Apply the rules above to a ``WriteSegmentRequest``.

    Args:
        request: the request body, e.g. ``{"Name": "s", "Dimensions": {"Metrics": {"Visits":
            {"ComparisonOperator": "GREATER_THAN", "Value": 2.0}}}}``.
        segment_info: see :data:`SegmentInfo`.

    Raises:
        BadRequestError: both Dimensions and SegmentGroups; a ComparisonOperator that is not
            one of :data:`COMPARISON_OPERATORS`; an IMPORT segment among several source
            segments. The message names the member by its path
            (``SegmentGroups.Groups[0].SourceSegments[1].Id``).
        NotFoundError: a ``SourceSegments`` item naming a segment (or a version) the
            application does not have.
    """
    if request.get("Dimensions") is not None and request.get("SegmentGroups") is not None:
        raise BadRequestError(
            "WriteSegmentRequest can include a Dimensions object or a SegmentGroups object, "
            "but not both."
        )
    for path, dimensions in _dimensions(request):
        metrics = dimensions.get("Metrics")
        for name, metric in (metrics.items() if isinstance(metrics, Mapping) else ()):
            operator = metric.get("ComparisonOperator") if isinstance(metric, Mapping) else None
            if operator is not None and operator not in COMPARISON_OPERATORS:
                raise BadRequestError(
                    f"{path}.Metrics.{name}.ComparisonOperator must be one of "
                    f"{', '.join(COMPARISON_OPERATORS)}, got {operator!r}."
                )
    for g, group in _groups(request):
        sources = [s for s in group.get("SourceSegments") or () if isinstance(s, Mapping)]
        for s, source in enumerate(sources):
            path = f"SegmentGroups.Groups[{g}].SourceSegments[{s}]"
            segment_id = str(source.get("Id"))
            info = segment_info(segment_id)
            if info is None:
                raise NotFoundError(f"{path}.Id: segment '{segment_id}' not found.")
            segment_type, versions = info
            version = source.get("Version")
            if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
                raise BadRequestError(f"{path}.Version must be an integer, got {version!r}.")
            if version is not None and not 1 <= version <= versions:
                raise NotFoundError(
                    f"{path}.Version: version {version} of segment '{segment_id}' not found "
                    f"(it has {versions})."
                )
            if segment_type == "IMPORT" and len(sources) > 1:
                raise BadRequestError(
                    f"{path} names an imported segment: a segment group can have more than "
                    "one dimensional source segment or only one imported segment."
                )
