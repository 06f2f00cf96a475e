"""The control plane: the server's second WSGI app, driving the mock over HTTP.

A server cannot see the test's freezegun, so the clock, the faults, the jobs and the data are
driven over HTTP, JSON in and out, under ``/_pinpoint_mock/``. Each route calls the method a
Python test calls on the mock (``reset()``, ``advance()``, ``faults.add()``, ``advance_job()``,
``calls``, ...). LocalStack's chaos route (``/_localstack/chaos/faults``, its rule shape) is
accepted too, mapped onto the mock's fault rules. Bad input is a 400 ``{"message": ...}``
whose one sentence says the fix; an unknown route is a 404 that lists the routes.

Anchors: moto's ``/moto-api/reset`` (``moto/moto_api/_internal/responses.py``), LocalStack's
``/_localstack/chaos/faults`` (an array of ``{service, region, operation, probability,
error: {statusCode, code}}``, GET / POST replace / PATCH append / DELETE remove).
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from werkzeug.exceptions import ClientDisconnected, MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from pinpoint_mock._faults import ANY_OPERATION, Fault, FaultRule
from pinpoint_mock.backend.echo import echo
from pinpoint_mock.backend.models import iso8601

if TYPE_CHECKING:
    from pinpoint_mock._dispatch import Call
    from pinpoint_mock._mock import PinpointImportsMock

PREFIX = "/_pinpoint_mock"
STOPPED = ("pinpoint_mock's server has no active mock (its mock was stopped); start the mock "
           "again, or start a new server.")
"""The message of the 503 every route answers while the server's mock is stopped."""
CHAOS = "/_localstack/chaos/faults"

_PRESETS = {preset.status: preset for preset in (
    Fault.bad_request, Fault.forbidden, Fault.not_found, Fault.method_not_allowed,
    Fault.payload_too_large, Fault.throttle, Fault.internal)}
_FAULT_FIELDS = ("operation", "status", "code", "message", "times", "probability",
                 "application_id", "segment_id", "region", "latency", "headers")
_CHAOS_FIELDS = ("service", "region", "operation", "probability", "error")
_CHAOS_SERVICES = (None, "pinpoint", "mobiletargeting")
_CHAOS_DEFAULT_ERROR = (503, "ServiceUnavailable")
_JOB_FIELDS = ("region", "account_id", "failures")

ROUTES = (
    ("GET", f"{PREFIX}/health", "health", "the server's status, version and clock"),
    ("POST", f"{PREFIX}/reset", "reset", "every piece of data, the mock's and moto's, is gone"),
    ("POST", f"{PREFIX}/advance", "advance", '{"seconds": 60} moves the mock\'s clock'),
    ("GET", f"{PREFIX}/faults", "list_faults", "the fault rules, in match order"),
    ("POST", f"{PREFIX}/faults", "add_fault", "add a rule (a Fault's fields)"),
    ("DELETE", f"{PREFIX}/faults", "clear_faults", "remove every rule"),
    ("DELETE", f"{PREFIX}/faults/<rule_id>", "remove_fault", "remove one rule"),
    ("POST", f"{PREFIX}/jobs/<application_id>/<job_id>/advance", "advance_job",
     "move a job to its next stage"),
    ("POST", f"{PREFIX}/jobs/<application_id>/<job_id>/fail", "fail_job",
     'make a job fail (optional {"failures": [...]})'),
    ("POST", f"{PREFIX}/jobs/<application_id>/<job_id>/complete", "complete_job",
     "make a job complete"),
    ("GET", f"{PREFIX}/calls", "calls", "the call log, oldest first"),
    ("GET", CHAOS, "chaos_get", "LocalStack's chaos rules (Pinpoint only)"),
    ("POST", CHAOS, "chaos_set", "replace the chaos rules"),
    ("PATCH", CHAOS, "chaos_add", "add chaos rules"),
    ("DELETE", CHAOS, "chaos_remove", "remove the chaos rules given"),
)
"""``(method, path, endpoint, what it does)`` of every route."""


class BadInputError(Exception):
    """A control-plane request the mock refuses: answered 400 with this one sentence."""


class UnknownError(Exception):
    """A job, application or rule that does not exist: answered 404 with this sentence."""


def handles(path: str) -> bool:
    """True for a path the control plane answers (everything else is Pinpoint's or moto's)."""
    return path == PREFIX or path.startswith(PREFIX + "/") or path.startswith(CHAOS)


_NO_BODY = frozenset({"health", "reset", "list_faults", "clear_faults", "remove_fault", "calls",
                      "chaos_get"})
"""The routes that read no body: a body with fields is refused, not ignored."""
_CHAOS_EXAMPLE = ('[{"service": "pinpoint", "operation": "GetImportJob", "error": '
                  '{"statusCode": 429, "code": "TooManyRequestsException"}}]')
_FAIL_EXAMPLE = '{"failures": ["row 2: bad Address"], "region": "us-east-1"}'
_EXAMPLES = {
    "advance": '{"seconds": 60}',
    "add_fault": '{"operation": "GetImportJob", "status": 429, "times": 2}',
    "advance_job": '{"region": "us-east-1"}', "complete_job": '{"region": "us-east-1"}',
    "fail_job": _FAIL_EXAMPLE,
    "chaos_set": _CHAOS_EXAMPLE, "chaos_add": _CHAOS_EXAMPLE, "chaos_remove": _CHAOS_EXAMPLE,
}
"""The body each route that reads one takes, as the example of its 400s."""
MAX_FAILURE_MESSAGE = 1024
"""The most characters of one ``failures`` message of the fail route (the mock's choice: a
message names one row and what is wrong with it, as Pinpoint's do; AWS documents no limit)."""


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body, default=_jsonable), status=status,
                    content_type="application/json")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _route_list() -> list[str]:
    return [f"{method} {path}" for method, path, _, _ in ROUTES]


class ControlPlane:
    """The control plane of one mock (a WSGI application).

    Args:
        mock: the active :class:`~pinpoint_mock.PinpointImportsMock` every route drives.
    """

    def __init__(self, mock: PinpointImportsMock):
        self.mock = mock
        self._map = Map([Rule(path, methods=[method], endpoint=endpoint)
                         for method, path, endpoint, _ in ROUTES], strict_slashes=False,
                        merge_slashes=False)
        self._lock = threading.Lock()
        self._chaos_writes = threading.Lock()
        """Held through each chaos replace, add or remove: concurrent replacements leave one
        request's rules, never a mix."""
        self._ids: dict[str, FaultRule] = {}
        self._chaos: list[tuple[dict[str, Any], FaultRule]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        """The response to one control-plane request."""
        adapter = self._map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as error:
            allowed = sorted(error.valid_methods or [])
            return _json(405, {"message": (
                f"{request.method} is not allowed on {request.path}; use "
                f"{' or '.join(allowed)}."), "routes": _route_list()})
        except (NotFound, RequestRedirect):  # RequestRedirect: none is offered (see __init__)
            return _json(404, {"message": (
                f"No control-plane route {request.method} {request.path}; the routes are "
                f"listed in 'routes'."), "routes": _route_list()})
        if not self.mock.active:
            return self._stopped(endpoint)
        try:
            body = self._body(request, endpoint)
            if endpoint in _NO_BODY and body not in (None, {}):
                raise BadInputError(f"{request.method} {request.path} takes no fields; send "
                                    "no body (or {}).")
            handler = getattr(self, f"_{endpoint}")
            status, payload = handler(body, **args)
        except BadInputError as error:
            return _json(400, {"message": str(error)})
        except UnknownError as error:
            return _json(404, {"message": str(error)})
        except RuntimeError:
            if self.mock.active:
                raise
            return self._stopped(endpoint)  # the mock stopped while this request was answered
        return _json(status, payload)

    @staticmethod
    def _stopped(endpoint: str) -> Response:
        """503 on every route while the mock is stopped; health says so in its ``status``."""
        if endpoint == "health":
            from pinpoint_mock import __version__

            return _json(503, {"status": "stopped", "version": __version__, "message": STOPPED})
        return _json(503, {"message": STOPPED})

    @staticmethod
    def _body(request: Request, endpoint: str) -> Any:
        """The JSON body, or None for none; the 400's example is the route's own."""
        try:
            data = request.get_data(cache=False)
        except ClientDisconnected:
            raise BadInputError("The request body ended before its Content-Length; send the "
                                "whole body, or a Content-Length that counts its bytes.") from None
        if not data.strip():
            return None
        example = _EXAMPLES.get(endpoint)
        kind = "JSON array" if example and example.startswith("[") else "JSON object"

        def fix(levels: str = "") -> str:
            if example is None:
                return f"{request.method} {request.path} takes no body: send none (or {{}})."
            return f"send a {kind}{levels}, e.g. {example}."

        try:
            return json.loads(data)
        except RecursionError:
            raise BadInputError("The request body nests arrays or objects too deeply to read; "
                                + fix(" of a few levels")) from None
        except ValueError:
            raise BadInputError(f"The request body is not JSON; {fix()}") from None

    # -- routes ------------------------------------------------------------------------------

    def _health(self, body: Any) -> tuple[int, Any]:
        from pinpoint_mock import __version__

        return 200, {"status": "running", "version": __version__,
                     "now": iso8601(self.mock.now())}

    def _reset(self, body: Any) -> tuple[int, Any]:
        self.mock.reset()
        return 200, {"reset": True, "now": iso8601(self.mock.now())}

    def _advance(self, body: Any) -> tuple[int, Any]:
        fields = _object(body, ("seconds",), required=("seconds",), example='{"seconds": 60}')
        try:
            self.mock.advance(fields["seconds"])
        except ValueError as error:
            raise BadInputError(f"{error} Send e.g. {{\"seconds\": 60}}.") from None
        return 200, {"now": iso8601(self.mock.now())}

    def _list_faults(self, body: Any) -> tuple[int, Any]:
        return 200, {"faults": [self._rule_json(rule) for rule in self.mock.faults]}

    def _add_fault(self, body: Any) -> tuple[int, Any]:
        fields = _object(body, _FAULT_FIELDS, required=("operation", "status"),
                         example='{"operation": "GetImportJob", "status": 429, "times": 2}')
        rule = self.mock.faults.add(fault_from(fields))
        return 201, self._rule_json(rule)

    def _clear_faults(self, body: Any) -> tuple[int, Any]:
        with self._chaos_writes:
            removed = len(self.mock.faults)
            self.mock.faults.clear()
            with self._lock:
                self._chaos = []
        return 200, {"removed": removed}

    def _remove_fault(self, body: Any, rule_id: str) -> tuple[int, Any]:
        with self._lock:
            rule = self._ids.get(rule_id)
        if rule is None or rule not in list(self.mock.faults):
            raise UnknownError(f"No fault rule {rule_id!r}; GET {PREFIX}/faults lists the rules "
                          "and their ids.")
        rule.remove()
        return 200, self._rule_json(rule)

    def _advance_job(self, body: Any, application_id: str, job_id: str) -> tuple[int, Any]:
        where = _job_fields(body, allow_failures=False)
        status = _job_call(self.mock.advance_job, application_id, job_id, **where)
        return 200, _job_json(application_id, job_id, status.value)

    def _fail_job(self, body: Any, application_id: str, job_id: str) -> tuple[int, Any]:
        where = _job_fields(body, allow_failures=True)
        failures = where.pop("failures", None)
        _job_call(self.mock.fail_job, application_id, job_id, failures, **where)
        return 200, self._job_status(application_id, job_id, where)

    def _complete_job(self, body: Any, application_id: str, job_id: str) -> tuple[int, Any]:
        where = _job_fields(body, allow_failures=False)
        _job_call(self.mock.complete_job, application_id, job_id, **where)
        return 200, self._job_status(application_id, job_id, where)

    def _calls(self, body: Any) -> tuple[int, Any]:
        return 200, {"calls": [call_json(call) for call in self.mock.calls]}

    def _chaos_get(self, body: Any) -> tuple[int, Any]:
        return 200, self._chaos_rules()

    def _chaos_set(self, body: Any) -> tuple[int, Any]:
        faults = _chaos_faults(body)  # every rule checked before the old ones go
        with self._chaos_writes:
            with self._lock:
                old, self._chaos = self._chaos, []
            for _, rule in old:
                rule.remove()
            return self._chaos_added(faults)

    def _chaos_add(self, body: Any) -> tuple[int, Any]:
        faults = _chaos_faults(body)
        with self._chaos_writes:
            return self._chaos_added(faults)

    def _chaos_added(self, faults: list[tuple[dict[str, Any], Fault]]) -> tuple[int, Any]:
        for rule, fault in faults:
            handle = self.mock.faults.add(fault)
            with self._lock:
                self._chaos.append((rule, handle))
        return 200, self._chaos_rules()

    def _chaos_remove(self, body: Any) -> tuple[int, Any]:
        rules = _chaos_list(body)
        with self._chaos_writes:
            with self._lock:
                removed = [(r, h) for r, h in self._chaos if any(r == given for given in rules)]
                self._chaos = [(r, h) for r, h in self._chaos if (r, h) not in removed]
            for _, handle in removed:
                handle.remove()
            return 200, self._chaos_rules()

    # -- helpers -----------------------------------------------------------------------------

    def _chaos_rules(self) -> list[dict[str, Any]]:
        live = list(self.mock.faults)
        with self._lock:
            self._chaos = [(r, h) for r, h in self._chaos if h in live]
            return [dict(r) for r, _ in self._chaos]

    def _rule_id(self, rule: FaultRule) -> str:
        with self._lock:
            for rule_id, known in self._ids.items():
                if known is rule:
                    return rule_id
            rule_id = f"fault-{len(self._ids) + 1}"
            self._ids[rule_id] = rule
            return rule_id

    def _rule_json(self, rule: FaultRule) -> dict[str, Any]:
        fault = rule.fault
        data: dict[str, Any] = {"id": self._rule_id(rule)}
        data.update({name: getattr(fault, name) for name in _FAULT_FIELDS})
        data["headers"] = dict(fault.headers)
        data["fired"] = rule.fired
        data["description"] = str(fault)
        return data

    def _job_status(self, application_id: str, job_id: str,
                    where: Mapping[str, Any]) -> dict[str, Any]:
        status = _job_call(self.mock.job_status, application_id, job_id, **where)
        return _job_json(application_id, job_id, status.value)


def _object(body: Any, allowed: Iterable[str], *, required: Iterable[str],
            example: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadInputError(f"Send a JSON object, e.g. {example}.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadInputError(f"Unknown field {', '.join(echo(u) for u in unknown)}; use only "
                       f"{', '.join(allowed)}, e.g. {example}.")
    missing = [name for name in required if name not in body]
    if missing:
        raise BadInputError(f"Missing field {', '.join(repr(m) for m in missing)}; send e.g. "
                       f"{example}.")
    return dict(body)


def fault_from(fields: Mapping[str, Any]) -> Fault:
    """A :class:`Fault` from the control plane's JSON fields: ``status`` alone picks the
    preset's code and message (429: TooManyRequestsException, ...).

    Raises:
        BadInputError: a field is wrong (the Fault's own one-sentence message), or a status with
            no preset comes without ``code``.
    """
    values = dict(fields)
    status = values.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        raise BadInputError(f"Fault \"status\" must be a JSON number from 400 to 599, e.g. 429; "
                            f"got {_json_echo(status)}.")
    preset = _PRESETS.get(status)
    if "code" not in values:
        if preset is None:
            raise BadInputError(
                f"Fault status {status!r} has no preset error code; send \"code\" too (e.g. "
                "\"ServiceUnavailableException\"), or use one of "
                f"{', '.join(str(s) for s in _PRESETS)}.")
        values["code"] = preset.code
    if "message" not in values:
        values["message"] = preset.message if preset is not None else str(values["code"])
    if values.get("headers") is None:
        values["headers"] = {}
    try:
        return Fault(**values)
    except (TypeError, ValueError) as error:
        raise BadInputError(str(error)) from None


def _json_echo(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _chaos_list(body: Any) -> list[dict[str, Any]]:
    """The chaos rules of a body: a JSON array of objects, as LocalStack's chaos API takes
    them (a lone object is refused, not read as one rule).

    Raises:
        BadInputError: not an array, or an item that is not an object (named by its index).
    """
    if not isinstance(body, list):
        raise BadInputError(f"Send a JSON array of chaos rules, e.g. {_CHAOS_EXAMPLE}; got "
                            f"{_json_kind(body)}.")
    for index, rule in enumerate(body):
        if not isinstance(rule, dict):
            raise BadInputError(f"The chaos rule {index} is {_json_kind(rule)}; each chaos rule "
                                f"is a JSON object, e.g. {_CHAOS_EXAMPLE}.")
    return [dict(rule) for rule in body]


def _json_kind(value: Any) -> str:
    """What a JSON value is, in words (``a JSON object``, ``no body``, ``the string "x"``)."""
    if value is None:
        return "no body (or null)"
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return f"the string {_json_echo(value)}"
    return f"the value {_json_echo(value)}"


def _chaos_faults(body: Any) -> list[tuple[dict[str, Any], Fault]]:
    """Each chaos rule of ``body`` with its :class:`Fault`; all are checked first, so that a
    refused request changes nothing."""
    rules = _chaos_list(body)
    return [(rule, chaos_fault(rule, index)) for index, rule in enumerate(rules)]


def chaos_fault(rule: Mapping[str, Any], index: int = 0) -> Fault:
    """A :class:`Fault` from one LocalStack chaos rule. Honoured: ``service`` (``pinpoint``,
    ``mobiletargeting`` or omitted: the mock injects faults into Pinpoint calls only),
    ``region``, ``operation`` (omitted: every operation), ``probability``, and ``error``'s
    ``statusCode`` and ``code`` (default 503 ``ServiceUnavailable``, as LocalStack's).

    Raises:
        BadInputError: an unknown field, another service, or a field the Fault refuses.
    """
    where = f"chaos rule {index}"
    unknown = sorted(set(rule) - set(_CHAOS_FIELDS))
    if unknown:
        raise BadInputError(f"The {where} has field {', '.join(echo(u) for u in unknown)}, which "
                       f"is not honoured; use only {', '.join(_CHAOS_FIELDS)}.")
    service = rule.get("service")
    if service not in _CHAOS_SERVICES:
        raise BadInputError(f"The {where} names service {echo(service)}; pinpoint_mock injects "
                            "faults into Pinpoint calls only: use \"pinpoint\" or omit "
                            "\"service\".")
    error = rule.get("error") or {}
    if not isinstance(error, dict) or set(error) - {"statusCode", "code", "message"}:
        raise BadInputError(f"The {where} has an \"error\" other than {{\"statusCode\": <int>, "
                       "\"code\": <str>}; send e.g. {\"statusCode\": 429, \"code\": "
                       "\"TooManyRequestsException\"}.")
    status = error.get("statusCode", _CHAOS_DEFAULT_ERROR[0])
    code = error.get("code", _CHAOS_DEFAULT_ERROR[1] if status == 503 else None)
    fields: dict[str, Any] = {
        "operation": rule.get("operation") or ANY_OPERATION, "status": status,
        "probability": rule.get("probability", 1.0), "region": rule.get("region"),
    }
    if code is not None:
        fields["code"] = code
    if "message" in error:
        fields["message"] = error["message"]
    try:
        return fault_from(fields)
    except BadInputError as problem:
        raise BadInputError(f"The {where}: {problem}") from None


def _job_fields(body: Any, *, allow_failures: bool) -> dict[str, Any]:
    if body is None:
        return {}
    allowed = _JOB_FIELDS if allow_failures else _JOB_FIELDS[:2]
    example = ('{"failures": ["row 2: bad Address"], "region": "us-east-1"}' if allow_failures
               else '{"region": "us-east-1"}')
    fields = _object(body, allowed, required=(), example=example)
    for name in ("region", "account_id"):
        if name in fields and not isinstance(fields[name], str):
            raise BadInputError(f"{name} must be a string, e.g. {example}.")
    failures = fields.get("failures")
    if isinstance(failures, list):
        for index, message in enumerate(failures):
            if isinstance(message, str) and len(message) > MAX_FAILURE_MESSAGE:
                raise BadInputError(
                    f"failures[{index}] has {len(message)} characters; a failure message has "
                    f"at most {MAX_FAILURE_MESSAGE}, e.g. {example}.")
    return fields


def _job_call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return method(*args, **kwargs)
    except LookupError as error:
        raise UnknownError(str(error)) from None
    except ValueError as error:
        raise BadInputError(str(error)) from None


def _job_json(application_id: str, job_id: str, status: str) -> dict[str, Any]:
    return {"application_id": application_id, "job_id": job_id, "job_status": status}


def call_json(call: Call) -> dict[str, Any]:
    """One entry of ``GET /_pinpoint_mock/calls``."""
    return {
        "operation": call.operation, "params": call.params, "status": call.status,
        "request_id": call.request_id, "answered_by": call.answered_by,
        "fault": None if call.fault is None else str(call.fault),
        "request": call.request, "response": call.response,
    }

