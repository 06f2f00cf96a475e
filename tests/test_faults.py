"""Fault injection through boto3: every modeled status, matching, retries, seeds, latency,
strict mode and the option checks."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Callable, Optional

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pinpoint_mock import Fault, PinpointImportsMock, _faults, _transport, mock_pinpoint_imports

REGION = "us-east-1"


def client(mode: str = "standard", attempts: int = 1) -> Any:
    """A Pinpoint client with an explicit retry mode and number of attempts."""
    config = Config(retries={"mode": mode, "total_max_attempts": attempts})
    return boto3.client("pinpoint", region_name=REGION, config=config)


def new_app(pinpoint: Any, name: str = "faults") -> str:
    response = pinpoint.create_app(CreateApplicationRequest={"Name": name})
    return str(response["ApplicationResponse"]["Id"])


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry back-off sleeps, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


PRESETS: list[tuple[Callable[..., Fault], int, str, str]] = [
    (Fault.bad_request, 400, "BadRequestException", "Bad request"),
    (Fault.forbidden, 403, "ForbiddenException", "Forbidden"),
    (Fault.not_found, 404, "NotFoundException", "Resource not found"),
    (Fault.method_not_allowed, 405, "MethodNotAllowedException", "Method not allowed"),
    (Fault.payload_too_large, 413, "PayloadTooLargeException", "Request entity too large"),
    (Fault.throttle, 429, "TooManyRequestsException", "Too many requests"),
    (Fault.internal, 500, "InternalServerErrorException", "Internal server error"),
]


@pytest.mark.parametrize(("preset", "status", "code", "message"), PRESETS,
                         ids=[code for _, _, code, _ in PRESETS])
def test_each_preset_is_raised_by_boto3_as_its_modeled_exception_class(
    pinpoint_imports: PinpointImportsMock, backoffs: list[float],
    preset: Callable[..., Fault], status: int, code: str, message: str,
) -> None:
    pinpoint = client(attempts=1)
    app_id = new_app(pinpoint)
    rule = pinpoint_imports.faults.add(preset("GetImportJobs"))
    with pytest.raises(getattr(pinpoint.exceptions, code)) as raised:
        pinpoint.get_import_jobs(ApplicationId=app_id)
    response = raised.value.response
    assert response["Error"] == {"Code": code, "Message": message}
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == status
    assert metadata["HTTPHeaders"]["x-amzn-errortype"] == code
    assert metadata["HTTPHeaders"]["x-pinpoint-mock-fault"] == f"{status} {code} on GetImportJobs"
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
    assert rule.fired == 1


def test_a_custom_fault_sends_its_code_message_and_extra_headers(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client(attempts=1)
    app_id = new_app(pinpoint)
    pinpoint_imports.faults.add(Fault("GetImportJobs", 429, "TooManyRequestsException",
                                      "Slow down", headers={"x-amz-retry-after": "5"}))
    with pytest.raises(pinpoint.exceptions.TooManyRequestsException) as raised:
        pinpoint.get_import_jobs(ApplicationId=app_id)
    headers = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-retry-after"] == "5"
    assert raised.value.response["Error"]["Message"] == "Slow down"


def test_the_error_body_is_pinpoints_message_and_request_id(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    fault = Fault.not_found("GetImportJob", message="Job not found")
    response = fault.response()
    body = json.loads(response.body)
    assert response.status == 404
    assert body == {"Message": "Job not found", "RequestID": response.headers["x-amzn-RequestId"]}
    assert response.headers["x-amzn-ErrorType"] == "NotFoundException"


# -- which requests a rule takes --------------------------------------------------------------


def test_faults_reach_operations_moto_answers(pinpoint_imports: PinpointImportsMock) -> None:
    pinpoint = client(attempts=1)
    kept, other = new_app(pinpoint, "kept"), new_app(pinpoint, "other")
    with pinpoint_imports.faults.add(Fault.forbidden("CreateApp")) as create_rule:
        with pytest.raises(pinpoint.exceptions.ForbiddenException):
            new_app(pinpoint)
    pinpoint_imports.faults.add(Fault.not_found("GetApp", application_id=kept))
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_app(ApplicationId=kept)
    assert pinpoint.get_app(ApplicationId=other)["ApplicationResponse"]["Id"] == other
    assert create_rule.fired == 1
    assert new_app(pinpoint)  # the with block removed the CreateApp rule


def test_a_rule_matches_its_application_and_segment_only(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client(attempts=1)
    app_id = new_app(pinpoint)
    segments = [
        pinpoint.create_segment(ApplicationId=app_id, WriteSegmentRequest={"Name": name})[
            "SegmentResponse"]["Id"]
        for name in ("a", "b")
    ]
    rule = pinpoint_imports.faults.add(Fault.not_found("GetSegment", application_id=app_id,
                                                       segment_id=segments[0]))
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_segment(ApplicationId=app_id, SegmentId=segments[0])
    assert pinpoint.get_segment(ApplicationId=app_id, SegmentId=segments[1])
    assert pinpoint.get_segments(ApplicationId=app_id)
    assert rule.fired == 1


def test_rules_match_in_order_and_an_exhausted_rule_lets_the_next_one_answer(
    pinpoint_imports: PinpointImportsMock,
) -> None:
    pinpoint = client(attempts=1)
    app_id = new_app(pinpoint)
    first = pinpoint_imports.faults.add(Fault.forbidden("GetImportJobs", times=1))
    second = pinpoint_imports.faults.add(Fault.not_found("*", times=1))
    with pytest.raises(pinpoint.exceptions.ForbiddenException):
        pinpoint.get_import_jobs(ApplicationId=app_id)
    with pytest.raises(pinpoint.exceptions.NotFoundException):
        pinpoint.get_import_jobs(ApplicationId=app_id)
    assert pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"] == []
    assert (first.fired, second.fired) == (1, 1)
    assert list(pinpoint_imports.faults) == [first, second]  # exhausted rules stay listed


def test_clear_removes_every_rule(pinpoint_imports: PinpointImportsMock) -> None:
    pinpoint = client(attempts=1)
    app_id = new_app(pinpoint)
    rule = pinpoint_imports.faults.add(Fault.internal("*"))
    with pytest.raises(pinpoint.exceptions.InternalServerErrorException):
        pinpoint.get_import_jobs(ApplicationId=app_id)
    pinpoint_imports.faults.clear()
    assert len(pinpoint_imports.faults) == 0
    assert pinpoint.get_import_jobs(ApplicationId=app_id)["ImportJobsResponse"]["Item"] == []
    assert rule.fired == 1


# -- retries: a rule counts HTTP attempts -----------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "attempts", "fault", "raised", "retry_attempts", "fired"),
    [
        # absorbed: two 429s, then the call succeeds on its third attempt
        ("standard", 3, Fault.throttle("GetImportJobs", times=2), None, 2, 2),
        ("legacy", 5, Fault.throttle("GetImportJobs", times=2), None, 2, 2),
        # exhausted: every attempt is answered by the rule
        ("standard", 3, Fault.throttle("GetImportJobs"), "TooManyRequestsException", 2, 3),
        ("legacy", 5, Fault.throttle("GetImportJobs"), "TooManyRequestsException", 4, 5),
        ("standard", 3, Fault.internal("GetImportJobs"), "InternalServerErrorException", 2, 3),
        ("legacy", 5, Fault.internal("GetImportJobs"), "InternalServerErrorException", 4, 5),
        # not retried
        ("standard", 3, Fault.forbidden("GetImportJobs"), "ForbiddenException", 0, 1),
        ("legacy", 5, Fault.forbidden("GetImportJobs"), "ForbiddenException", 0, 1),
        ("standard", 3, Fault.not_found("GetImportJobs"), "NotFoundException", 0, 1),
        ("legacy", 5, Fault.not_found("GetImportJobs"), "NotFoundException", 0, 1),
    ],
    ids=lambda value: str(value).replace(" ", "_") if isinstance(value, Fault) else None,
)
def test_botocore_retries_consume_a_rule_per_attempt(
    pinpoint_imports: PinpointImportsMock, backoffs: list[float], mode: str, attempts: int,
    fault: Fault, raised: Optional[str], retry_attempts: int, fired: int,
) -> None:
    pinpoint = client(mode, attempts)
    app_id = new_app(pinpoint)
    rule = pinpoint_imports.faults.add(fault)
    if raised is None:
        metadata = pinpoint.get_import_jobs(ApplicationId=app_id)["ResponseMetadata"]
    else:
        with pytest.raises(ClientError) as error:
            pinpoint.get_import_jobs(ApplicationId=app_id)
        assert error.value.response["Error"]["Code"] == raised
        metadata = error.value.response["ResponseMetadata"]
    assert metadata["RetryAttempts"] == retry_attempts
    assert rule.fired == fired
    assert len(backoffs) == retry_attempts
    assert [call.status for call in pinpoint_imports.calls if call.fault is fault] == (
        [fault.status] * fired)


# -- probability and seed ---------------------------------------------------------------------


def _outcomes(seed: int, calls: int = 30) -> list[bool]:
    """Which of ``calls`` GetImportJobs calls a probability-0.5 rule failed, under ``seed``."""
    fault = Fault.internal("GetImportJobs", probability=0.5)
    with mock_pinpoint_imports(seed=seed, faults=[fault]):
        pinpoint = client(attempts=1)
        app_id = new_app(pinpoint)
        failed = []
        for _ in range(calls):
            try:
                pinpoint.get_import_jobs(ApplicationId=app_id)
            except pinpoint.exceptions.InternalServerErrorException:
                failed.append(True)
            else:
                failed.append(False)
        return failed


def test_the_same_seed_gives_the_same_sequence_one_draw_per_matching_attempt() -> None:
    rng = random.Random(7)
    expected = [rng.random() < 0.5 for _ in range(30)]
    assert _outcomes(7) == expected
    assert _outcomes(7) == expected
    assert _outcomes(8) != expected
    assert 0 < sum(expected) < 30


def test_a_rule_that_loses_its_draw_lets_the_next_rule_answer() -> None:
    with mock_pinpoint_imports(seed=1) as mock:
        pinpoint = client(attempts=1)
        app_id = new_app(pinpoint)
        unlikely = mock.faults.add(Fault.internal("GetImportJobs", probability=0.0))
        fallback = mock.faults.add(Fault.forbidden("GetImportJobs"))
        with pytest.raises(pinpoint.exceptions.ForbiddenException):
            pinpoint.get_import_jobs(ApplicationId=app_id)
        assert (unlikely.fired, fallback.fired) == (0, 1)


# -- latency ----------------------------------------------------------------------------------


def test_latency_delays_only_the_call_it_answers_in_its_own_thread_without_a_lock(
    pinpoint_imports: PinpointImportsMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pinpoint = client(attempts=1)
    slow_app, fast_app = new_app(pinpoint, "slow"), new_app(pinpoint, "fast")
    pinpoint_imports.faults.add(Fault.internal("GetImportJobs", application_id=slow_app,
                                               latency=2.5))
    sleeping, fast_done = threading.Event(), threading.Event()
    sleeps: list[tuple[str, float, bool]] = []
    errors: list[BaseException] = []

    def sleep(seconds: float) -> None:
        sleeping.set()
        # the other thread's call completes while this one "sleeps": nothing is locked
        sleeps.append((threading.current_thread().name, seconds, fast_done.wait(10)))

    def slow() -> None:
        try:
            with pytest.raises(pinpoint.exceptions.InternalServerErrorException):
                pinpoint.get_import_jobs(ApplicationId=slow_app)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def fast() -> None:
        try:
            assert sleeping.wait(10)
            assert pinpoint.get_import_jobs(ApplicationId=fast_app)["ImportJobsResponse"]
            fast_done.set()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    monkeypatch.setattr(_faults, "_sleep", sleep)
    threads = [threading.Thread(target=slow, name="slow"),
               threading.Thread(target=fast, name="fast")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sleeps == [("slow", 2.5, True)]


# -- scope and strict mode --------------------------------------------------------------------


def test_rules_end_with_the_scope_and_options_give_each_decorated_call_fresh_rules() -> None:
    outcomes: list[tuple[bool, bool]] = []

    @mock_pinpoint_imports(faults=[Fault.forbidden("CreateApp", times=1)])
    def decorated() -> None:
        pinpoint = client(attempts=1)
        results = []
        for _ in range(2):
            try:
                new_app(pinpoint)
            except pinpoint.exceptions.ForbiddenException:
                results.append(False)
            else:
                results.append(True)
        outcomes.append((results[0], results[1]))

    decorated()
    decorated()
    assert outcomes == [(False, True), (False, True)]  # times=1 is fresh for each call
    with mock_pinpoint_imports() as mock:
        assert list(mock.faults) == [] and mock.calls == []
        assert new_app(client(attempts=1))


def test_a_nested_mocks_rules_end_when_it_stops() -> None:
    with mock_pinpoint_imports(faults=[Fault.internal("GetApps")]) as outer:
        with mock_pinpoint_imports() as inner:
            inner_rule = inner.faults.add(Fault.forbidden("CreateApp"))
            assert [rule.fault.operation for rule in outer.faults] == ["GetApps", "CreateApp"]
        assert [rule.fault.operation for rule in outer.faults] == ["GetApps"]
        assert inner_rule.fired == 0


def test_strict_faults_names_the_rule_that_never_fired_after_a_full_stop() -> None:
    mock = mock_pinpoint_imports(strict_faults=True,
                                 faults=[Fault.throttle("GetImportJob", times=2)])
    with pytest.raises(AssertionError) as raised:
        with mock:
            new_app(client(attempts=1))
    assert str(raised.value) == (
        "strict_faults: fault rule [429 TooManyRequestsException on GetImportJob (times=2)] "
        "never fired; make the test send the call it targets, or remove the rule."
    )
    assert not mock.active and not _transport.installed()


def test_strict_faults_checks_rules_added_during_the_scope_even_if_removed() -> None:
    with pytest.raises(AssertionError, match=r"\[403 ForbiddenException on CreateApp\], "
                                             r"\[404 NotFoundException on every operation\]"):
        with mock_pinpoint_imports(strict_faults=True) as mock:
            with mock.faults.add(Fault.forbidden("CreateApp")):
                pass
            mock.faults.add(Fault.not_found("*"))


def test_strict_faults_passes_when_every_rule_fired_and_keeps_the_blocks_own_error() -> None:
    with mock_pinpoint_imports(strict_faults=True,
                               faults=[Fault.forbidden("CreateApp", times=1)]):
        pinpoint = client(attempts=1)
        with pytest.raises(pinpoint.exceptions.ForbiddenException):
            new_app(pinpoint)
    with pytest.raises(KeyError):
        with mock_pinpoint_imports(strict_faults=True, faults=[Fault.forbidden("CreateApp")]):
            raise KeyError("the test's own failure")


def test_faults_outside_a_started_mock_raise_one_sentence() -> None:
    with pytest.raises(RuntimeError, match=r"^This mock_pinpoint_imports is not started; "):
        _ = mock_pinpoint_imports().faults


# -- the checks, pinned -----------------------------------------------------------------------

SERVED = ("CreateImportJob, GetImportJob, GetImportJobs, GetSegmentImportJobs, "
          "CreateExportJob, GetExportJob, GetExportJobs, GetSegmentExportJobs, CreateSegment, "
          "GetSegment, GetSegments, UpdateSegment, DeleteSegment, GetSegmentVersion, "
          "GetSegmentVersions, GetEndpoint, UpdateEndpoint, UpdateEndpointsBatch, DeleteEndpoint, "
          "GetUserEndpoints, DeleteUserEndpoints")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Fault.throttle("get_import_job"),
         "Fault operation 'get_import_job' is not a Pinpoint operation (did you mean "
         "'GetImportJob'?); use '*' or an operation name of botocore's Pinpoint model, such as "
         f"the ones this mock serves: {SERVED}."),
        (lambda: Fault.throttle("Frobnicate"),
         "Fault operation 'Frobnicate' is not a Pinpoint operation; use '*' or an operation "
         f"name of botocore's Pinpoint model, such as the ones this mock serves: {SERVED}."),
        (lambda: Fault("GetImportJob", 200, "OK", "fine"),
         "Fault status must be an HTTP error status from 400 to 599, e.g. 429; got 200."),
        (lambda: Fault("GetImportJob", 400, "Bad Request", "x"),
         "Fault code must be an error code of 1 to 128 letters, digits, '_', '.' or '-' that "
         "starts with a letter, e.g. 'TooManyRequestsException'; got 'Bad Request'."),
        (lambda: Fault("GetApps", 400, "BadRequestException", "lone \udc80 here"),
         "Fault message must be valid Unicode text (no lone surrogate, which UTF-8 cannot "
         "encode and so no client could read); got 'lone \\udc80 here'."),
        (lambda: Fault.throttle("GetImportJob", times=0),
         "Fault times must be a whole number >= 1, or None to answer every matching attempt; "
         "got 0."),
        (lambda: Fault.throttle("GetImportJob", probability=1.5),
         "Fault probability must be a number from 0.0 to 1.0; got 1.5."),
        (lambda: Fault.throttle("GetImportJob", latency=-1),
         "Fault latency must be a number of seconds from 0 to 3600; got -1."),
        (lambda: Fault.forbidden("CreateApp", application_id="abc"),
         "Fault application_id cannot match CreateApp, whose requests carry no ApplicationId "
         "in their path; drop application_id or target an operation that has one."),
        (lambda: Fault.forbidden("GetImportJob", segment_id="s"),
         "Fault segment_id cannot match GetImportJob, whose requests carry no SegmentId in "
         "their path; drop segment_id or target an operation that has one."),
        (lambda: Fault.throttle("GetImportJob", headers={"x-amzn-RequestId": "1"}),
         "Fault headers cannot set 'x-amzn-RequestId', which the mock sets on every injected "
         "response; remove it (use code= for x-amzn-ErrorType)."),
        (lambda: Fault.throttle("GetImportJob", headers={"x-amz-retry-after": 5}),
         "Fault headers must map header names to one-line string values, e.g. "
         "{'x-amz-retry-after': '5'}; got {'x-amz-retry-after': 5}."),
        (lambda: mock_pinpoint_imports(faults=Fault.throttle("GetImportJob")),
         "faults must be a list of pinpoint_mock.Fault, e.g. "
         "[Fault.throttle('GetImportJob', times=2)]; got Fault(operation='GetImportJob', "
         "status=429, code='TooManyRequestsException', message='Too many requests', "
         "times=None, probability=1.0, application_id=None, segment_id=None, latency=0.0, "
         "headers={}, region=None)."),
        (lambda: mock_pinpoint_imports(seed="7"),
         "seed must be a whole number (or None for an unseeded draw); got '7'."),
        (lambda: mock_pinpoint_imports(strict_faults=1),
         "strict_faults must be True or False; got 1."),
    ],
)
def test_bad_arguments_raise_one_sentence_that_says_how_to_fix_them(
    make: Callable[[], Any], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        make()
    assert str(raised.value) == message


def test_add_takes_only_a_fault(pinpoint_imports: PinpointImportsMock) -> None:
    with pytest.raises(ValueError) as raised:
        pinpoint_imports.faults.add("GetImportJob")  # type: ignore[arg-type]
    assert str(raised.value) == (
        "faults.add() takes a pinpoint_mock.Fault, e.g. Fault.throttle('GetImportJob', "
        "times=2); got 'GetImportJob'."
    )


def test_any_operation_of_botocores_model_and_the_wildcard_are_accepted() -> None:
    assert Fault.throttle("*").operation == "*"
    assert Fault.internal("PutEvents", application_id="a").application_id == "a"
    assert str(Fault.throttle("*", probability=0.25, latency=1.5)) == (
        "429 TooManyRequestsException on every operation (probability=0.25, latency=1.5)")
    assert Fault.throttle("GetApps") == Fault.throttle("GetApps")
    assert len({Fault.throttle("GetApps"), Fault.throttle("GetApps")}) == 1


def test_faults_reach_clients_created_before_importing_moto() -> None:
    script = textwrap.dedent(
        """
        import boto3
        from botocore.config import Config
        client = boto3.client("pinpoint", region_name="us-east-1", aws_access_key_id="a",
                              aws_secret_access_key="b",
                              config=Config(retries={"total_max_attempts": 1}))
        import sys
        assert "moto" not in sys.modules
        from pinpoint_mock import Fault, mock_pinpoint_imports
        with mock_pinpoint_imports(faults=[Fault.forbidden("GetApps")]) as mock:
            try:
                client.get_apps()
            except client.exceptions.ForbiddenException:
                print("faulted", [call.operation for call in mock.calls])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "faulted ['GetApps']", result.stderr


def test_latency_waits_through_time_sleep_as_the_test_patched_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time as time_module

    waited: list[float] = []
    monkeypatch.setattr(time_module, "sleep", waited.append)
    with mock_pinpoint_imports() as mock:
        client = boto3.client("pinpoint", region_name="us-east-1")
        app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]
        mock.faults.add(Fault.not_found("GetImportJobs", times=1, latency=20.0))
        with pytest.raises(client.exceptions.NotFoundException):
            client.get_import_jobs(ApplicationId=app["Id"])
    assert waited == [20.0]


# -- rules a server can send: refused when made, never when they fire -------------------------

CRLF_NAME = "a\r\nb"


@pytest.mark.parametrize(("fields", "message"), [
    ({"latency": 1e308},
     "Fault latency must be a number of seconds from 0 to 3600; got 1e+308."),
    ({"latency": 10**400},
     "Fault latency must be a number of seconds from 0 to 3600; got a whole number of about "
     "401 digits."),
    ({"latency": 3600.5},
     "Fault latency must be a number of seconds from 0 to 3600; got 3600.5."),
    ({"headers": {CRLF_NAME: "c"}},
     "Fault headers key 'a\\r\\nb' is not an HTTP header name: use 1 to 256 letters, digits "
     "or !#$%&'*+-.^_`|~ (RFC 7230's token), e.g. 'x-amz-retry-after'."),
    ({"headers": {"x amz": "c"}},
     "Fault headers key 'x amz' is not an HTTP header name: use 1 to 256 letters, digits or "
     "!#$%&'*+-.^_`|~ (RFC 7230's token), e.g. 'x-amz-retry-after'."),
    ({"headers": {"": "c"}},
     "Fault headers key '' is not an HTTP header name: use 1 to 256 letters, digits or "
     "!#$%&'*+-.^_`|~ (RFC 7230's token), e.g. 'x-amz-retry-after'."),
    ({"headers": {"Content-Length": "5"}},
     "Fault headers cannot set 'Content-Length', which frames the HTTP message (the server "
     "sets it from the body it sends); remove it."),
    *[({"headers": {name: "x"}},
       f"Fault headers cannot set {name!r}, which frames the HTTP message (the server sets it "
       "from the body it sends); remove it.")
      for name in ("Transfer-Encoding", "connection", "Keep-Alive", "TE", "Trailer", "Upgrade",
                   "Content-Encoding")],
    ({"headers": {"x-a": "1", "X-A": "2"}},
     "Fault headers name 'X-A' twice (header names are case-insensitive); keep one."),
    ({"headers": {"x": "\u4e2d"}},
     "Fault headers value of 'x' must be at most 8192 printable ISO-8859-1 (latin-1) "
     "characters, spaces and tabs only between them (no CR, LF or other control character); "
     "got '\u4e2d'."),
    ({"headers": {"x": "a\r\nInjected: 1"}},
     "Fault headers value of 'x' must be at most 8192 printable ISO-8859-1 (latin-1) "
     "characters, spaces and tabs only between them (no CR, LF or other control character); "
     "got 'a\\r\\nInjected: 1'."),
    ({"headers": {"x": "a\x00"}},
     "Fault headers value of 'x' must be at most 8192 printable ISO-8859-1 (latin-1) "
     "characters, spaces and tabs only between them (no CR, LF or other control character); "
     "got 'a\\x00'."),
    ({"headers": {"x": " 5"}},
     "Fault headers value of 'x' must be at most 8192 printable ISO-8859-1 (latin-1) "
     "characters, spaces and tabs only between them (no CR, LF or other control character); "
     "got ' 5'."),
    ({"headers": {f"x-{i}": "1" for i in range(51)}},
     "Fault headers can set at most 50 headers; got 51."),
    ({"application_id": "a" * 257},
     "Fault application_id must be a string of 1 to 256 characters, or None; got "
     f"'{'a' * 56}..."),
    ({"region": "us-east-1\n"},
     "Fault region must be a region name such as 'us-east-1' (lower-case letters, digits and "
     "'-'), or None for every region; got 'us-east-1\\n'."),
])
def test_a_rule_the_server_could_not_send_is_refused_when_made(
    fields: dict[str, Any], message: str,
) -> None:
    """A rule is checked when it is made, so that it cannot break when it fires: ``latency`` at
    most an hour (``time.sleep(1e308)`` raises OverflowError), header names RFC 7230 tokens
    that do not frame the message (PEP 3333 forbids hop-by-hop headers; a Content-Length cut
    the body), values printable latin-1 without CR/LF (http.server encodes header lines as
    latin-1; a CR/LF split the response). Source: issue 14 (an attacker's findings), the
    project's rule "bad input gets a clear error, never a crash"."""
    with mock_pinpoint_imports() as mock:
        with pytest.raises(ValueError) as raised:
            mock.faults.add(Fault.throttle("GetApps", **fields))
        assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
        assert list(mock.faults) == []
        assert client().get_apps()["ApplicationsResponse"]["Item"] == []  # nothing fires


@pytest.mark.parametrize(("code", "shown"), [
    ("x" * 100_000, "'" + "x" * 56 + "...."),
    ("Bad:Code", "'Bad:Code'."),  # botocore reads x-amzn-ErrorType up to a ':'
    ("1Throttled", "'1Throttled'."),
    ("", "''."),
])
def test_a_fault_code_is_a_bounded_identifier(code: str, shown: str) -> None:
    """``code`` is sent as ``x-amzn-ErrorType``: 1 to 128 letters, digits, ``_``, ``.`` or ``-``
    starting with a letter (botocore's rest-json parser cuts the header at ``:``; a
    100,000-character code made a header line Python's http.client refuses). Source: issue
    14; botocore ``parsers.py`` (``RestJSONParser``)."""
    with pytest.raises(ValueError) as raised:
        Fault("GetApps", 429, code, "m")
    assert str(raised.value) == (
        "Fault code must be an error code of 1 to 128 letters, digits, '_', '.' or '-' that "
        f"starts with a letter, e.g. 'TooManyRequestsException'; got {shown}")


def test_the_widest_rule_allowed_is_answered_as_given(
    pinpoint_imports: PinpointImportsMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bounds are inclusive and a rule at each of them fires as given: an hour of latency
    (slept through ``time.sleep``), 50 headers, an 8 KB value of printable latin-1 with inner
    spaces and tabs, a 128-character code with '.', '_' and '-'. Source: docs/faults.md."""
    waited: list[float] = []
    monkeypatch.setattr(_faults, "_sleep", waited.append)
    headers = {f"x-extra-{i}": "v" for i in range(49)}
    headers["x-wide"] = "caf\xe9 \t" + "\xff" * 8185
    code = "Throttling.Too_Many-" + "x" * 108
    pinpoint_imports.faults.add(Fault("GetApps", 429, code, "slow", latency=3600,
                                      headers=headers))
    with pytest.raises(ClientError) as raised:
        client().get_apps()
    response = raised.value.response
    assert (response["Error"]["Code"], waited) == (code, [3600.0])
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-wide"] == headers["x-wide"]
