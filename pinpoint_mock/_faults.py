"""Fault injection: rules that answer Pinpoint requests with real Pinpoint errors.

A :class:`Fault` says which requests to fail (an operation of botocore's Pinpoint model or
``"*"``, optionally one application or segment) and how (status, error code, message, extra
headers, latency), how often (``times``) and how likely (``probability``). A mock's
:class:`Faults` (``mock.faults``) adds rules to the registry the active mocks share and returns a
:class:`FaultRule` handle that counts how often it fired. :mod:`pinpoint_mock._dispatch` asks the
registry about every intercepted Pinpoint request (one HTTP attempt), before the mock or moto
answer it; with no rule registered that costs one truthiness test of a list.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Optional
from urllib.parse import urlsplit

from werkzeug.http import is_hop_by_hop_header

from pinpoint_mock._routing import HttpResponse, Router, encode_error, router
from pinpoint_mock.backend.echo import echo
from pinpoint_mock.backend.errors import PinpointError

ANY_OPERATION = "*"
FAULT_HEADER = "x-pinpoint-mock-fault"
"""The header on every injected response; its value describes the rule (``str(fault)``)."""

_RESERVED_HEADERS = ("content-type", "x-amzn-errortype", "x-amzn-requestid", FAULT_HEADER)
_SERVER_HEADERS = ("date", "server")
"""Headers the server sends on every response, once (RFC 9110 sections 6.6.1 and 10.2.4): a
rule that set one would send it twice over HTTP."""
_BODY_HEADERS = ("content-length", "content-encoding")
"""Headers that say how to read the body the mock sends (with the hop-by-hop ones, werkzeug's
``is_hop_by_hop_header``: Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, ...,
which PEP 3333 forbids an application to send): a rule that set one would cut or garble the
body, so none can be set."""

MAX_LATENCY = 3600.0
"""The most seconds of :attr:`Fault.latency`: an hour, past any client's timeout (botocore's
default read timeout is 60 s), far below what ``time.sleep`` can wait."""
MAX_CODE = 128
"""The most characters of :attr:`Fault.code`."""
MAX_ID = 256
"""The most characters of :attr:`Fault.application_id` and :attr:`Fault.segment_id` (Pinpoint's
ids have 32)."""
MAX_HEADERS = 50
"""The most extra headers of one rule (with the mock's own, well below the 100 header lines
Python's ``http.client`` reads)."""
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 8192
"""The most characters of a header name and value (8 KB: the header line most servers and
proxies accept; Python's ``http.client`` refuses a line over 64 KB)."""

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
"""An error code: botocore reads ``x-amzn-ErrorType`` up to a ``:`` (its rest-json parser), so
only letters, digits, ``_``, ``.`` and ``-``, starting with a letter."""
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""RFC 7230 section 3.2.6 ``token``: what a header name is made of."""
_FIELD_VALUE = re.compile(r"(?:[\x21-\x7e\xa0-\xff](?:[ \t]*[\x21-\x7e\xa0-\xff])*)?")
"""RFC 7230 section 3.2 ``field-value``, printable ISO-8859-1 only: visible characters with
spaces and tabs between them (none leading or trailing, which a client strips), no control
character (CR and LF included)."""
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
def _sleep(seconds: float) -> None:
    """How latency is waited: ``time.sleep`` as it is at call time (so a test that patches
    ``time.sleep`` patches this too), in the calling thread, holding no lock."""
    time.sleep(seconds)


def _operation_error(operation: object) -> str:
    from pinpoint_mock._dispatch import SERVED_OPERATIONS  # _dispatch imports this module

    names = list(router().routes)
    folded = {name.lower(): name for name in names}
    key = str(operation).replace("_", "").replace("-", "").lower()
    close = [folded[key]] if key in folded else [
        folded[match] for match in difflib.get_close_matches(key, list(folded), n=1)
    ]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"Fault operation {operation!r} is not a Pinpoint operation{hint}; use '*' or an "
        "operation name of botocore's Pinpoint model, such as the ones this mock serves: "
        f"{', '.join(SERVED_OPERATIONS)}."
    )


def _is_unicode_text(text: str) -> bool:
    """True when ``text`` encodes as strict UTF-8, i.e. holds no lone surrogate (U+D800 to
    U+DFFF alone), which the Unicode Standard section 3.9 (D76) and RFC 3629 section 3 forbid
    encoding: the error body carrying it could not be sent as UTF-8 JSON."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not (
        isinstance(value, float) and math.isnan(value)
    )


@dataclass(frozen=True)
class Fault:
    """One fault rule: which Pinpoint requests to answer with which error.

    Args:
        operation: an operation name of botocore's Pinpoint model (``"GetImportJob"``, also
            moto's ``"CreateApp"``, ``"GetApp"``, ...), or ``"*"`` for every operation.
        status: the HTTP status answered, 400 to 599.
        code: the error code sent as ``x-amzn-ErrorType``; a modeled one
            (``"TooManyRequestsException"``, ...) makes boto3 raise
            ``client.exceptions.<code>``.
        message: the ``Message`` of the error body.
        times: how many HTTP attempts the rule answers, then it stays registered but inactive;
            None (default) answers every matching attempt. botocore's retries are attempts too.
        probability: the chance, 0.0 to 1.0, that a matching attempt is answered; drawn from
            the mock's ``random.Random(seed)``, one draw per matching attempt of a rule whose
            probability is below 1.
        application_id: only requests whose path has this ``ApplicationId``.
        segment_id: only requests whose path has this ``SegmentId``.
        latency: seconds to wait (``time.sleep`` in the calling thread, no lock held) before
            answering; only the attempts this rule answers are delayed.
        headers: extra response headers, e.g. ``{"x-amz-retry-after": "5"}``.
        region: only requests to this region (of the host ``pinpoint.<region>.amazonaws.com``
            or, with another host, of the SigV4 scope).

    Raises:
        ValueError: a field is out of range or of the wrong type, the operation is not in
            botocore's Pinpoint model, or ``application_id`` / ``segment_id`` cannot occur in
            the operation's requests. The message says how to fix it.

    Presets (``operation`` first, then the keyword arguments above, ``message`` optional):
    :attr:`bad_request` 400, :attr:`forbidden` 403, :attr:`not_found` 404,
    :attr:`method_not_allowed` 405, :attr:`payload_too_large` 413, :attr:`throttle` 429,
    :attr:`internal` 500, each with its modeled error code.
    """

    operation: str
    status: int
    code: str
    message: str
    times: Optional[int] = None
    probability: float = 1.0
    application_id: Optional[str] = None
    segment_id: Optional[str] = None
    latency: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)
    region: Optional[str] = None

    bad_request: ClassVar[_Preset]
    forbidden: ClassVar[_Preset]
    not_found: ClassVar[_Preset]
    method_not_allowed: ClassVar[_Preset]
    payload_too_large: ClassVar[_Preset]
    throttle: ClassVar[_Preset]
    internal: ClassVar[_Preset]

    def __post_init__(self) -> None:
        operation = self.operation
        if operation != ANY_OPERATION and (
            not isinstance(operation, str) or operation not in router().routes
        ):
            raise ValueError(_operation_error(operation))
        if not isinstance(self.status, int) or isinstance(self.status, bool) or not (
            400 <= self.status <= 599
        ):
            raise ValueError(
                f"Fault status must be an HTTP error status from 400 to 599, e.g. 429; "
                f"got {self.status!r}."
            )
        code = self.code
        if not isinstance(code, str) or len(code) > MAX_CODE or not _CODE.fullmatch(code):
            raise ValueError(
                f"Fault code must be an error code of 1 to {MAX_CODE} letters, digits, '_', '.' "
                f"or '-' that starts with a letter, e.g. 'TooManyRequestsException'; "
                f"got {echo(code)}."
            )
        if not isinstance(self.message, str):
            raise ValueError(f"Fault message must be a string; got {echo(self.message)}.")
        if not _is_unicode_text(self.message):
            raise ValueError(
                "Fault message must be valid Unicode text (no lone surrogate, which UTF-8 "
                f"cannot encode and so no client could read); got {self.message!r}."
            )
        times = self.times
        if times is not None and (not isinstance(times, int) or isinstance(times, bool)
                                  or times < 1):
            raise ValueError(
                "Fault times must be a whole number >= 1, or None to answer every matching "
                f"attempt; got {echo(times)}."
            )
        if not _is_number(self.probability) or not 0.0 <= self.probability <= 1.0:
            raise ValueError(
                f"Fault probability must be a number from 0.0 to 1.0; "
                f"got {echo(self.probability)}."
            )
        if not _is_number(self.latency) or not 0.0 <= self.latency <= MAX_LATENCY:
            raise ValueError(
                f"Fault latency must be a number of seconds from 0 to {MAX_LATENCY:g}; "
                f"got {echo(self.latency)}."
            )
        self._check_member("application_id", self.application_id, "ApplicationId")
        self._check_member("segment_id", self.segment_id, "SegmentId")
        region = self.region
        if region is not None and (not isinstance(region, str) or len(region) > 64
                                   or not _REGION.fullmatch(region)):
            raise ValueError(f"Fault region must be a region name such as 'us-east-1' (lower-"
                             f"case letters, digits and '-'), or None for every region; "
                             f"got {echo(region)}.")
        object.__setattr__(self, "probability", float(self.probability))
        object.__setattr__(self, "latency", float(self.latency))
        object.__setattr__(self, "headers", self._checked_headers())

    def _check_member(self, argument: str, value: Optional[str], member: str) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ID:
            raise ValueError(f"Fault {argument} must be a string of 1 to {MAX_ID} characters, "
                             f"or None; got {echo(value)}.")
        if self.operation != ANY_OPERATION and member not in router().routes[
            self.operation
        ].uri.values():
            raise ValueError(
                f"Fault {argument} cannot match {self.operation}, whose requests carry no "
                f"{member} in their path; drop {argument} or target an operation that has one."
            )

    def _checked_headers(self) -> dict[str, str]:
        """The rule's headers, each one the server can send as given (RFC 7230 sections 3.2 and
        3.2.6) and that leaves the body the mock sends readable."""
        given = self.headers
        headers = dict(given) if isinstance(given, Mapping) else None  # checked as copied
        if headers is None or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError(
                "Fault headers must map header names to one-line string values, e.g. "
                f"{{'x-amz-retry-after': '5'}}; got {echo(given)}."
            )
        if len(headers) > MAX_HEADERS:
            raise ValueError(f"Fault headers can set at most {MAX_HEADERS} headers; "
                             f"got {len(headers)}.")
        seen: set[str] = set()
        for name, value in headers.items():
            folded = name.lower()
            if len(name) > MAX_HEADER_NAME or not _TOKEN.fullmatch(name):
                raise ValueError(
                    f"Fault headers key {echo(name)} is not an HTTP header name: use 1 to "
                    f"{MAX_HEADER_NAME} letters, digits or !#$%&'*+-.^_`|~ (RFC 7230's "
                    "token), e.g. 'x-amz-retry-after'.")
            if folded in _RESERVED_HEADERS:
                raise ValueError(
                    f"Fault headers cannot set {name!r}, which the mock sets on every injected "
                    "response; remove it (use code= for x-amzn-ErrorType)."
                )
            if folded in _SERVER_HEADERS:
                raise ValueError(
                    f"Fault headers cannot set {name!r}, which the server sends on every "
                    "response; remove it.")
            if folded in _BODY_HEADERS or is_hop_by_hop_header(folded):
                raise ValueError(
                    f"Fault headers cannot set {name!r}, which frames the HTTP message (the "
                    "server sets it from the body it sends); remove it.")
            if folded in seen:
                raise ValueError(f"Fault headers name {name!r} twice (header names are "
                                 "case-insensitive); keep one.")
            seen.add(folded)
            if len(value) > MAX_HEADER_VALUE or not _FIELD_VALUE.fullmatch(value):
                raise ValueError(
                    f"Fault headers value of {name!r} must be at most {MAX_HEADER_VALUE} "
                    "printable ISO-8859-1 (latin-1) characters, spaces and tabs only between "
                    f"them (no CR, LF or other control character); got {echo(value)}.")
        return headers

    def __hash__(self) -> int:
        return hash((self.operation, self.status, self.code, self.message, self.times,
                     self.probability, self.application_id, self.segment_id, self.latency,
                     tuple(sorted(self.headers.items())), self.region))

    def __str__(self) -> str:
        """E.g. ``429 TooManyRequestsException on GetImportJob (application_id='a1', times=2)``."""
        where = "every operation" if self.operation == ANY_OPERATION else self.operation
        details = [f"{name}={value!r}" for name, value, default in (
            ("application_id", self.application_id, None), ("segment_id", self.segment_id, None),
            ("region", self.region, None),
            ("times", self.times, None), ("probability", self.probability, 1.0),
            ("latency", self.latency, 0.0)) if value != default]
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.status} {self.code} on {where}{suffix}"

    def matches(
        self, operation: str, params: Mapping[str, Any], region: Optional[str] = None
    ) -> bool:
        """True when a request for ``operation`` with ``params`` (members by model name), to
        ``region``, is one this rule targets; ``times`` and ``probability`` are not considered."""
        return (
            (self.region is None or self.region == region) and
            (self.operation == ANY_OPERATION or self.operation == operation)
            and (self.application_id is None
                 or params.get("ApplicationId") == self.application_id)
            and (self.segment_id is None or params.get("SegmentId") == self.segment_id)
        )

    def response(self) -> HttpResponse:
        """One injected response: a fresh request id, the error headers and body Pinpoint
        sends, :data:`FAULT_HEADER` and the rule's ``headers``."""
        error = encode_error(PinpointError(self.message, code=self.code, status=self.status))
        headers = dict(self.headers)
        headers.update(error.headers)
        # an id may hold any character: the header stays ASCII (repr escapes the controls)
        headers[FAULT_HEADER] = str(self).encode("ascii", "backslashreplace").decode("ascii")
        return HttpResponse(error.status, headers, error.body)


class _Preset:
    """``Fault.<preset>(operation, *, message=..., times=..., ...)``: a :class:`Fault` with a
    fixed status and modeled error code (see :class:`Fault` for the arguments)."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        self.__doc__ = f"A {status} {code} fault (default message {message!r})."

    def __call__(
        self,
        operation: str,
        *,
        message: Optional[str] = None,
        times: Optional[int] = None,
        probability: float = 1.0,
        application_id: Optional[str] = None,
        segment_id: Optional[str] = None,
        latency: float = 0.0,
        headers: Optional[Mapping[str, str]] = None,
        region: Optional[str] = None,
    ) -> Fault:
        return Fault(operation, self.status, self.code,
                     self.message if message is None else message, times=times,
                     probability=probability, application_id=application_id,
                     segment_id=segment_id, latency=latency, headers=dict(headers or {}),
                     region=region)

    def __repr__(self) -> str:
        return f"<Fault preset {self.status} {self.code}>"


Fault.bad_request = _Preset(400, "BadRequestException", "Bad request")
Fault.forbidden = _Preset(403, "ForbiddenException", "Forbidden")
Fault.not_found = _Preset(404, "NotFoundException", "Resource not found")
Fault.method_not_allowed = _Preset(405, "MethodNotAllowedException", "Method not allowed")
Fault.payload_too_large = _Preset(413, "PayloadTooLargeException", "Request entity too large")
Fault.throttle = _Preset(429, "TooManyRequestsException", "Too many requests")
Fault.internal = _Preset(500, "InternalServerErrorException", "Internal server error")


class FaultRule:
    """A registered :class:`Fault` (returned by ``mock.faults.add``).

    Attributes:
        fault: the rule.
        fired: how many HTTP attempts it has answered so far.

    As a context manager it removes the rule on exit (``with mock.faults.add(...) as rule:``).
    """

    def __init__(self, fault: Fault, registry: FaultRegistry, owner: object,
                 rng: random.Random):
        self.fault = fault
        self.fired = 0
        self._registry = registry
        self._owner = owner
        self._rng = rng

    def remove(self) -> None:
        """Unregister the rule (no-op if it is already removed); ``fired`` keeps its count."""
        self._registry.remove(self)

    def __enter__(self) -> FaultRule:
        return self

    def __exit__(self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<FaultRule {self.fault} fired={self.fired}>"


class FaultRegistry:
    """The ordered rules of the active mocks (shared by nested mocks, like the call log).

    ``rules`` is replaced, never mutated, so reading it needs no lock.
    """

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._added: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault, owner: object, rng: random.Random) -> FaultRule:
        rule = FaultRule(fault, self, owner, rng)
        with self._lock:
            self.rules = [*self.rules, rule]
            self._added.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self.rules = [r for r in self.rules if r is not rule]

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def release(self, owner: object) -> list[FaultRule]:
        """Remove ``owner``'s rules; return those it ever added that never fired."""
        with self._lock:
            self.rules = [r for r in self.rules if r._owner is not owner]
            mine = [r for r in self._added if r._owner is owner]
            self._added = [r for r in self._added if r._owner is not owner]
        return [r for r in mine if r.fired == 0]

    def fire(
        self, operation: str, params: Mapping[str, Any], region: Optional[str] = None
    ) -> Optional[Fault]:
        """The fault of the first rule that takes this attempt (counted), or None."""
        with self._lock:
            for rule in self.rules:
                fault = rule.fault
                if not fault.matches(operation, params, region):
                    continue
                if fault.times is not None and rule.fired >= fault.times:
                    continue
                if fault.probability < 1.0 and rule._rng.random() >= fault.probability:
                    continue
                rule.fired += 1
                return fault
        return None

    def answer(
        self, routes: Router, operation: str, method: str, url: str,
        headers: Mapping[str, Any], body: Optional[bytes],
    ) -> Optional[tuple[HttpResponse, dict[str, Any], Fault]]:
        """``(response, request members, fault)`` when a rule takes this attempt, else None.

        Waits the fault's latency first, in the calling thread, holding no lock.
        """
        if not any(rule.fault.operation in (ANY_OPERATION, operation) for rule in self.rules):
            return None  # no rule for this operation: skip parsing the request
        try:
            params = routes.parse(method, url, headers, body)[1]
        except PinpointError:  # an unreadable body: match on the path alone
            uri = routes.routes[operation].uri
            params = {uri[k]: v for k, v in routes.match(method, urlsplit(url).path)[1]}
        region = None
        if any(rule.fault.region is not None for rule in self.rules):
            from pinpoint_mock._moto import region_of  # imports moto: only when needed

            parts = urlsplit(url)
            region = region_of(parts.hostname or "", headers, parts.query)
        fault = self.fire(operation, params, region)
        if fault is None:
            return None
        if fault.latency:
            _sleep(fault.latency)
        return fault.response(), params, fault


class Faults:
    """``mock.faults``: add, list and clear the fault rules of the active mocks.

    Rules are checked in order and the first that takes an attempt answers it. A rule added
    through a mock (or its ``faults=`` option) is removed when that mock stops.
    """

    def __init__(self, registry: FaultRegistry, owner: object, seed: Optional[int]):
        self._registry = registry
        self._owner = owner
        self._seed = seed
        self._rng: Optional[random.Random] = None

    @classmethod
    def start(cls, registry: FaultRegistry, owner: object, seed: Optional[int],
              faults: Iterable[Fault]) -> Faults:
        """The ``mock.faults`` of a mock that starts: a fresh ``random.Random(seed)`` (made
        when the first rule is added: an unseeded one reads the system's entropy, some 10 µs
        that a start adding no rule need not spend) and the mock's ``faults=`` rules
        registered in order."""
        view = cls(registry, owner, seed)
        for fault in faults:
            view.add(fault)
        return view

    def release(self) -> list[FaultRule]:
        """Remove this mock's rules (it stops); return those it added that never fired."""
        return self._registry.release(self._owner)

    def add(self, fault: Fault) -> FaultRule:
        """Register ``fault`` after the existing rules; returns its :class:`FaultRule` handle.

        Raises:
            ValueError: ``fault`` is not a :class:`Fault`.
        """
        if not isinstance(fault, Fault):
            raise ValueError(
                "faults.add() takes a pinpoint_mock.Fault, e.g. "
                f"Fault.throttle('GetImportJob', times=2); got {fault!r}."
            )
        if self._rng is None:
            self._rng = random.Random(self._seed)
        return self._registry.add(fault, self._owner, self._rng)

    def clear(self) -> None:
        """Remove every rule (``fired`` counts of existing handles stay)."""
        self._registry.clear()

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self._registry.rules)

    def __len__(self) -> int:
        return len(self._registry.rules)

    def __getitem__(self, index: int) -> FaultRule:
        return self._registry.rules[index]


def checked_options(faults: Any, seed: Any, strict_faults: Any) -> tuple[Fault, ...]:
    """The ``faults=`` option as a tuple, after checking the three fault options of a mock.

    Raises:
        ValueError: ``faults`` is not an iterable of :class:`Fault`, ``seed`` is not a whole
            number or None, or ``strict_faults`` is not a bool.
    """
    iterable = isinstance(faults, Iterable) and not isinstance(faults, (Fault, str, bytes))
    items = tuple(faults) if iterable else ()
    if not iterable or not all(isinstance(fault, Fault) for fault in items):
        raise ValueError(
            "faults must be a list of pinpoint_mock.Fault, e.g. "
            f"[Fault.throttle('GetImportJob', times=2)]; got {faults!r}."
        )
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"seed must be a whole number (or None for an unseeded draw); "
                         f"got {seed!r}.")
    if not isinstance(strict_faults, bool):
        raise ValueError(f"strict_faults must be True or False; got {strict_faults!r}.")
    return items


class UnfiredFaultsError(AssertionError):
    """Raised by the stop of a ``strict_faults=True`` mock (the end of its ``with`` block or
    decorated test) when fault rules it added never fired, removed ones included; not raised
    when the block already raised its own error. An ``AssertionError``, so pytest reports it
    as a failed test; the message names every such rule (``[429 TooManyRequestsException on
    GetImportJobs (times=2)]``). Exported as ``pinpoint_mock.UnfiredFaultsError``."""


def unfired_error(rules: list[FaultRule]) -> UnfiredFaultsError:
    """The error a ``strict_faults`` mock raises at stop, naming the rules that never fired."""
    names = ", ".join(f"[{rule.fault}]" for rule in rules)
    return UnfiredFaultsError(
        f"strict_faults: fault rule{'s' if len(rules) > 1 else ''} {names} never fired; make "
        "the test send the call it targets, or remove the rule."
    )
