"""The JSON reader: newline-delimited JSON, one endpoint definition (or user ID) per line.

Pure standard library. Rules (user guide ``segments-importing.md``: "each line is a complete
JSON object that contains an individual endpoint definition"; *mock* marks this mock's choices):

* Each non-blank line is one object in botocore's ``EndpointBatchItem`` shape: string members,
  ``Demographic`` / ``Location`` / ``User`` objects, ``Attributes`` and
  ``User.UserAttributes`` objects of string lists, ``Metrics`` an object of numbers,
  ``Location.Latitude`` / ``Longitude`` numbers (not booleans; finite).
* A line that is not valid JSON, not an object, with a member of the wrong type or an unknown
  member (*mock*: named in the message) is a row failure. Empty strings and emptied lists /
  objects are dropped, as empty CSV cells are (*mock*).
* A first definition ``{"User": {"UserId": ...}}`` makes a file of user IDs; then every line
  must have that shape.
* The members ``EndpointResponse`` adds to ``EndpointBatchItem`` — ``ApplicationId``,
  ``CohortId``, ``CreationDate`` (strings) — are accepted and dropped (*mock*), so that a file
  an export job wrote (one ``EndpointResponse`` per line) imports as it is: the importing
  application sets them itself (its own Id, the cohort of the endpoint's Id, the time of
  creation).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from pinpoint_mock.backend.endpoint_rules import (
    GROUP_NUMBERS,
    GROUP_STRINGS,
    TOP_FIELDS,
    Definition,
    label,
    not_number,
    show,
)
from pinpoint_mock.backend.import_result import (
    MAX_REPORTED_FAILURES,
    Piece,
    Tally,
    stop_message,
)
from pinpoint_mock.backend.object_text import LineTooLongError, ObjectText, UndecodableError

__all__ = ["json_definition", "read_json"]

RESPONSE_ONLY = ("ApplicationId", "CohortId", "CreationDate")
"""``EndpointResponse`` members that are not ``EndpointBatchItem``'s: accepted, then dropped."""

_KINDS: dict[str, str] = {
    **dict.fromkeys(TOP_FIELDS, "text"),
    **dict.fromkeys(RESPONSE_ONLY, "response"),
    **dict.fromkeys(GROUP_STRINGS, "group"),
    "Attributes": "attributes",
    "Metrics": "metrics",
}


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _number(field: str, value: Any) -> float | str:
    """``value`` as a finite float, or the failure reason (booleans are not numbers)."""
    kind = type(value)
    if kind is float:
        number: float = value
    elif kind is int:
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a double
            return not_number(field, value)
    else:
        return not_number(field, value)
    if number - number:  # inf or nan
        return not_number(field, value)
    return number


def _attributes(group: str, members: dict[str, Any]) -> dict[str, list[str]] | str:
    """Check an Attributes / UserAttributes object; drop empty strings and emptied names."""
    emptied = False
    for name, values in members.items():
        if type(values) is list:
            for item in values:
                if type(item) is not str:
                    break
            else:
                if "" in values or not values:
                    emptied = True
                continue
        return f"{label(group, name)} must be a list of strings, got {show(values)}"
    if not emptied:
        return members
    cleaned = {name: [item for item in values if item] for name, values in members.items()}
    return {name: values for name, values in cleaned.items() if values}


def _metrics(members: dict[str, Any]) -> dict[str, float] | str:
    """Check a Metrics object; its values become floats."""
    for name, value in members.items():
        if type(value) is not float or value - value:
            number = _number(label("Metrics", name), value)
            if isinstance(number, str):
                return number
            members[name] = number
    return members


def _group(group: str, members: dict[str, Any]) -> Definition | str:
    """Check a Demographic / Location / User object (members of the wrong type fail)."""
    strings = GROUP_STRINGS[group]
    numbers = GROUP_NUMBERS.get(group, ())
    emptied = False
    for key, item in members.items():
        if key in strings:
            if type(item) is not str:
                return f"{group}.{key} must be a string, got {show(item)}"
            if not item:
                emptied = True
        elif key in numbers:
            number = _number(f"{group}.{key}", item)
            if isinstance(number, str):
                return number
            members[key] = number
        elif group == "User" and key == "UserAttributes":
            if type(item) is not dict:
                return f"User.UserAttributes must be an object, got {_json_type(item)}"
            attributes = _attributes("User.UserAttributes", item)
            if isinstance(attributes, str):
                return attributes
            if attributes is not item:
                members[key] = attributes
            if not attributes:
                emptied = True
        else:
            return f"unknown field {show(group + '.' + key)}"
    if emptied:
        return {key: item for key, item in members.items() if item}
    return members


def json_definition(value: Any) -> Definition | str:
    """Check the types of one parsed JSON line and normalise it, or return the failure reason.

    The parsed objects are reused (they are fresh from :func:`json.loads`); empty strings,
    emptied lists and emptied objects are dropped and numbers become floats, so the result has
    the shape the CSV reader builds.
    """
    if type(value) is not dict:
        return f"the line must be a JSON object, got {_json_type(value)}"
    emptied = dropped = False
    for name, member in value.items():
        kind = _KINDS.get(name)
        if kind == "text":
            if type(member) is not str:
                return f"{name} must be a string, got {show(member)}"
            if not member:
                emptied = True
            continue
        if kind == "response":
            if type(member) is not str:
                return f"{name} must be a string, got {show(member)}"
            dropped = True
            continue
        if kind is None:
            return f"unknown field {show(name)}"
        if type(member) is not dict:
            return f"{name} must be an object, got {_json_type(member)}"
        checked: Any
        if kind == "group":
            checked = _group(name, member)
        elif kind == "attributes":
            checked = _attributes(name, member)
        else:
            checked = _metrics(member)
        if isinstance(checked, str):
            return checked
        if checked is not member:
            value[name] = checked
        if not checked:
            emptied = True
    if dropped:
        return {name: member for name, member in value.items()
                if member and _KINDS[name] != "response"}
    if emptied:
        return {name: member for name, member in value.items() if member}
    return value


def _is_user_id_line(value: Any) -> bool:
    """True for ``{"User": {"UserId": ...}}`` and nothing else."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    user = value.get("User")
    return isinstance(user, dict) and len(user) == 1 and "UserId" in user


def _user_id_problem(value: Any) -> str | None:
    """None for a good line of a JSON user-ID file, else the failure reason."""
    if not _is_user_id_line(value):
        return 'a file of user IDs must hold only {"User": {"UserId": "..."}} lines'
    user_id = value["User"]["UserId"]
    if not isinstance(user_id, str) or not user_id.strip():
        return f"User.UserId must be a non-empty string, got {show(user_id)}"
    return None


def _syntax_error(raw: str) -> str:
    """Why a line is not JSON, its column counted without the line end (so a file says the
    same with LF, CRLF or CR line ends: :func:`json.loads` counts lines at ``\n`` only)."""
    try:
        json.loads(raw.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        return f"the line is not valid JSON ({error.msg} at column {error.pos + 1})"
    except (ValueError, RecursionError) as error:
        return f"the line is not valid JSON ({error})"
    return "the line is not valid JSON"  # not reached: only its line end differs


def _holds_lone_surrogate(value: object) -> bool:
    """True when a parsed line holds a lone surrogate (only a ``\\u`` escape makes one: the
    text itself was decoded as strict UTF-8)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_json(text: ObjectText, tally: Tally, url: str, key: str) -> None:
    """Import the lines of one newline-delimited JSON object into ``tally`` (one pass)."""
    result = tally.result
    pieces, failures = result.pieces, result.failures
    first_piece = len(pieces)
    size = tally.piece_size
    loads = json.loads
    kind: Optional[str] = None
    in_piece = imported = failed = 0
    line = text.skipped_lines
    stop: Optional[str] = None
    try:
        for raw in text.lines:
            line += 1
            if raw.isspace():
                continue
            reason: Optional[str]
            try:
                value = loads(raw)
            except json.JSONDecodeError:
                reason = _syntax_error(raw)
            except (ValueError, RecursionError) as error:
                reason = f"the line is not valid JSON ({error})"
            else:
                if "\\u" in raw and _holds_lone_surrogate(value):
                    # only a \ud800-style escape makes one: text no UTF-8 store can keep
                    reason = "the line is not valid Unicode (a \\u escape makes a lone surrogate)"
                else:
                    if kind is None:
                        if _is_user_id_line(value):
                            kind = "users"
                        elif isinstance(value, dict):
                            kind = "endpoints"
                    if kind == "users":
                        reason = _user_id_problem(value)
                        if reason is None:
                            result.user_ids.append(value["User"]["UserId"].strip())
                    else:
                        definition = json_definition(value)
                        if isinstance(definition, str):
                            reason = definition
                        else:
                            # each character of the line gives at most 6 bytes of compact JSON
                            reason = tally.commit(definition, 6 * len(raw))
            in_piece += 1
            if reason is None:
                imported += 1
            else:
                failed += 1
                if len(failures) < MAX_REPORTED_FAILURES:
                    tally.report(f"{url} line {line}: {reason}.")
            if in_piece == size:
                pieces.append(Piece(key, in_piece, imported))
                in_piece = imported = 0
    except (OSError, UndecodableError, LineTooLongError) as error:
        stop = stop_message(error, line + 1)
    tally.end_object(url, key, kind, first_piece, (in_piece, imported), failed, stop)
