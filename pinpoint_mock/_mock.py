"""The mock object: decorator, context manager, ``start()``/``stop()``.

One :class:`PinpointImportsMock` decorates sync and async functions and test classes (each
call, or each test, gets a fresh mock), is a context manager, and can be started and stopped
by hand. Starting it starts moto's ``mock_aws`` underneath; nested mocks (ours or moto's, in
either order) share one set of data, which is created when the outermost of our mocks starts
and discarded when it stops.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import threading
import unittest
from types import TracebackType
from typing import Any, Callable, Iterable, Optional, TypeVar, Union, cast, overload

from moto import mock_aws
from moto.core.models import MockAWS

from pinpoint_mock import _faults, _transport
from pinpoint_mock._dispatch import Call, State
from pinpoint_mock._faults import Fault
from pinpoint_mock._job_control import JobControl
from pinpoint_mock.backend.echo import echo
from pinpoint_mock.backend.lifecycle import Schedule
from pinpoint_mock.backend.models import LATEST_DATE
from pinpoint_mock.backend.operations import PROGRESSIONS, Settings
from pinpoint_mock.backend.queueing import check_limit

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_MOTO_ENVIRONMENT = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
"""The variables moto's ``mock_aws`` fakes while active (``MockAWS._fake_creds``; moto's
count of started scopes is ``MockAWS._nested_count``: both have canaries)."""

_DEFAULT_SCHEDULE = Schedule()
"""The stage durations of a mock made without ``schedule=`` (immutable, so shared)."""

_lock = threading.RLock()
_shared: Optional[State] = None
_stack: list[PinpointImportsMock] = []
"""The active mocks, in start order (the last one's options are in force)."""
_moto_scope: Optional[tuple[Any, dict[str, Optional[str]]]] = None
"""While a mock is active: moto's ``mock_aws`` and the environment it changes, as it was."""


def _start_moto() -> None:
    """Start one moto ``mock_aws`` for all the active mocks (under ``_lock``).

    moto counts its nested scopes but each of its scopes restores the environment it found at
    its own start (``MockAWS._orig_creds``), which is right only when scopes stop in reverse
    order; so one scope spans all of ours, and the variables it fakes are restored from what
    they were before it, whatever order ours stop in.
    """
    global _moto_scope
    saved = {name: os.environ.get(name) for name in _MOTO_ENVIRONMENT}
    aws = mock_aws()
    aws.start()
    _moto_scope = (aws, saved)


def _stop_moto() -> None:
    """Stop the moto scope of :func:`_start_moto` and put the environment back (under
    ``_lock``)."""
    global _moto_scope
    if _moto_scope is None:
        return
    aws, saved = _moto_scope
    _moto_scope = None
    try:
        aws.stop()
    finally:
        if not _moto_active():  # else moto's own outer scope owns the environment
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _moto_active() -> bool:
    """True while a moto ``mock_aws`` (the user's own) is still started."""
    return MockAWS._nested_count > 0


def _follow_settings(state: State) -> None:
    """Make the options of the mock started last among the active ones the options in force."""
    settings = _stack[-1]._settings
    state.settings.progression = settings.progression
    state.settings.schedule = settings.schedule
    state.settings.max_running_jobs = settings.max_running_jobs


def _current() -> Optional[State]:
    """The state the transports answer from (None once the last mock has stopped)."""
    return _shared


class PinpointImportsMock(JobControl):
    """Serves Pinpoint's import-job, segment and endpoint calls from memory while active.

    Args:
        progression: how jobs move through their statuses: ``"time"`` (default: by the clock),
            ``"per_read"``, ``"manual"`` or ``"immediate"``.
        schedule: seconds each stage lasts under ``"time"`` (default :class:`Schedule`).
        max_running_jobs: how many jobs of one account and region may run at once before
            new ones wait in PENDING_JOB (AWS's quota is 10); None (default): no limit.
        faults: :class:`~pinpoint_mock.Fault` rules registered at start, in order (see
            :attr:`faults`).
        seed: seeds the ``random.Random`` that fault probabilities draw from (a new one at
            each start, so a seed gives the same sequence every run); None: unseeded.
        strict_faults: if True, :meth:`stop` raises :class:`~pinpoint_mock.UnfiredFaultsError`
            (an ``AssertionError``) naming every rule this mock added that never fired (not
            when the block already raised).

    Raises:
        ValueError: an option is not one of the allowed values.
    """

    def __init__(
        self,
        *,
        progression: str = "time",
        schedule: Optional[Schedule] = None,
        max_running_jobs: Optional[int] = None,
        faults: Iterable[Fault] = (),
        seed: Optional[int] = None,
        strict_faults: bool = False,
    ):
        if progression not in PROGRESSIONS:
            raise ValueError(
                f"progression must be one of {', '.join(repr(p) for p in PROGRESSIONS)}; "
                f"got {progression!r}."
            )
        if schedule is not None and not isinstance(schedule, Schedule):
            raise ValueError(
                "schedule must be a pinpoint_mock.Schedule, e.g. Schedule(per_piece=1.0); "
                f"got {schedule!r}."
            )
        check_limit(max_running_jobs)
        fault_rules = _faults.checked_options(faults, seed, strict_faults)
        self._options: dict[str, Any] = {
            "progression": progression, "schedule": schedule, "faults": fault_rules,
            "seed": seed, "strict_faults": strict_faults, "max_running_jobs": max_running_jobs,
        }
        """The keyword arguments this mock was made with; each decorated call gets a copy."""
        self._settings = Settings(progression, schedule or _DEFAULT_SCHEDULE, max_running_jobs)
        self._state: Optional[State] = None
        self._faults: Optional[_faults.Faults] = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._state is not None

    def start(self) -> PinpointImportsMock:
        """Start serving (and start moto's ``mock_aws``). Returns the mock itself.

        Mocks nest in any order: the data is shared, the options in force (progression,
        schedule, ``max_running_jobs``) are those of the mock started last among those still
        active, and when the last one stops, the environment is as it was before the first
        started (see :func:`_start_moto`).

        Raises:
            RuntimeError: the mock is already started.
        """
        global _shared
        with _lock:
            if self._state is not None:
                raise RuntimeError(
                    "This mock_pinpoint_imports is already started; call stop() before "
                    "starting it again, or create another with mock_pinpoint_imports()."
                )
            if not _stack:
                _start_moto()
            try:
                if _shared is None:
                    _shared = State(settings=Settings())
                self._state = _shared
                self._faults = _faults.Faults.start(
                    _shared.faults, self, self._options["seed"], self._options["faults"]
                )
                _stack.append(self)
                _follow_settings(_shared)
                _transport.install(_current)
            except BaseException:
                self._unwind()
                raise
        return self

    def stop(self) -> None:
        """Stop serving; the last active mock to stop discards the mock's data and moto's.

        Mocks may stop in any order (see :meth:`start`).

        Raises:
            RuntimeError: the mock is not started.
            UnfiredFaultsError: under ``strict_faults=True``, a rule this mock added never
                fired (an ``AssertionError``, raised after the mock has fully stopped).
        """
        with _lock:
            if self._state is None:
                raise RuntimeError(
                    "stop() was called on a mock_pinpoint_imports that is not started; "
                    "call start() first, or use it as a decorator or a `with` block."
                )
            unfired = self._faults.release() if self._faults is not None else []
            if _stack == [self]:
                # The last one out stops moto first: moto's last stop empties its `responses`
                # registry, so the requests transport's callbacks then leave it at no cost
                # (taking them out of moto's ~1,300 callbacks is 2 % of a start-stop).
                try:
                    self._unwind()
                finally:
                    _transport.uninstall()
            else:
                try:
                    _transport.uninstall()
                finally:
                    self._unwind()
        if unfired and self._options["strict_faults"]:
            raise _faults.unfired_error(unfired)

    def _unwind(self) -> None:
        """Leave the stack of active mocks (under ``_lock``); the last one out stops moto."""
        global _shared
        state, self._state, self._faults = self._state, None, None
        if self in _stack:
            _stack.remove(self)
        if _stack:
            if state is not None:
                _follow_settings(state)
            return
        _shared = None
        _stop_moto()

    def __enter__(self) -> PinpointImportsMock:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        try:
            self.stop()
        except _faults.UnfiredFaultsError:
            if exc is None:  # else the block's own error says more
                raise

    # -- what a test uses --------------------------------------------------------------------

    def _active_state(self) -> State:
        state = self._state
        if state is None:
            raise RuntimeError(
                "This mock_pinpoint_imports is not started; use it inside its `with` block "
                "or decorated test, or call start() first."
            )
        return state

    @property
    def calls(self) -> list[Call]:
        """The Pinpoint calls made while active, oldest first (a copy), one per HTTP attempt
        (a retried call appears once per attempt), whatever the transport: those the mock
        answered (its operations, and any operation a fault rule answered;
        ``answered_by="mock"``) and those moto answered (GetApplicationSettings, ...;
        ``answered_by="moto"``). Each :class:`~pinpoint_mock._dispatch.Call` carries the
        parsed bodies as ``.request`` and ``.response``."""
        return list(self._active_state().calls)

    @property
    def faults(self) -> _faults.Faults:
        """The fault rules (shared with nested mocks): ``add(Fault)`` -> a handle with
        ``.fired``, ``clear()``, iteration in match order. Rules added through this mock end
        when it stops.

        Raises:
            RuntimeError: the mock is not started.
        """
        self._active_state()
        assert self._faults is not None
        return self._faults

    def now(self) -> float:
        """The mock's clock in POSIX seconds: the wall clock (as freezegun or time-machine set
        it) plus every :meth:`advance`."""
        return self._active_state().now()

    def advance(self, seconds: float) -> None:
        """Move the mock's clock forward by ``seconds`` (with or without a time library).

        Raises:
            ValueError: ``seconds`` is negative, infinite, NaN or not a number, or would take
                the mock's clock past ``9999-12-31T23:59:59.999Z`` (the last date Pinpoint's
                date format shows); the clock is then unchanged.
        """
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not 0 <= seconds < math.inf
        ):
            raise ValueError(
                f"advance() takes a finite number of seconds >= 0, got {echo(seconds)}."
            )
        state = self._active_state()
        with _lock:
            now = state.now()
            room = LATEST_DATE - now
            # compared before any arithmetic: 10**400 has no float, and 1e308 * 1000 is inf
            if seconds > room + 1 or round((now + seconds) * 1000) > round(
                    LATEST_DATE * 1000):  # as dates round
                raise ValueError(
                    f"advance({echo(seconds)}) would take the mock's clock past "
                    f"9999-12-31T23:59:59.999Z, the last date Pinpoint's dates can show; "
                    f"advance by at most {max(room, 0.0):.3f} seconds."
                )
            state.offset += float(seconds)

    def reset(self) -> None:
        """Empty every piece of data now, mid-test: the mock's (import jobs, segments,
        endpoints, the call log) and moto's (apps, buckets and objects, every service), as
        moto's ``POST /moto-api/reset`` does. The mock stays active; its clock, fault rules
        and options stay. The server's ``POST /_pinpoint_mock/reset`` calls this method.

        Raises:
            RuntimeError: the mock is not started.
        """
        state = self._active_state()
        with _lock:
            _moto_reset()
            state.reset()

    # -- decorator ---------------------------------------------------------------------------

    def _copy(self) -> PinpointImportsMock:
        return PinpointImportsMock(**self._options)

    @overload
    def __call__(self, target: C) -> C: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Union[C, F]) -> Union[C, F]:
        """Decorate a function (sync or async) or a test class; each call gets a fresh mock.

        A ``unittest.TestCase`` class: each test runs with its ``setUp``, ``tearDown`` and
        cleanups inside a fresh mock; if the class (or a base) defines ``setUpClass``, one
        more mock spans ``setUpClass`` to ``tearDownClass`` and the class cleanups, and the
        tests share what it holds. Another class: each ``test*`` method gets a fresh mock.
        """
        if isinstance(target, type):
            return cast(C, self._decorate_class(target))
        if not callable(target):
            raise TypeError(
                "mock_pinpoint_imports decorates functions and classes; "
                f"got {type(target).__name__}."
            )
        return cast(F, self._decorate_callable(target))

    def _decorate_callable(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self._copy():
                    return await func(*args, **kwargs)

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._copy():
                return func(*args, **kwargs)

        return wrapper

    def _decorate_class(self, klass: type) -> type:
        if issubclass(klass, unittest.TestCase):
            self._decorate_test_case(klass)
            return klass
        for name in dir(klass):
            if name.startswith("test"):
                attribute = inspect.getattr_static(klass, name)
                if inspect.isfunction(attribute):
                    setattr(klass, name, self._decorate_callable(attribute))
        return klass

    def _decorate_test_case(self, klass: type[unittest.TestCase]) -> None:
        # run() calls setUp, the test and tearDown (inherited ones too) and the cleanups:
        # wrapping it puts all of them inside one fresh mock per test.
        original_run = klass.run

        @functools.wraps(original_run)
        def run(test: unittest.TestCase, result: Any = None) -> Any:
            with self._copy():
                return original_run(test, result)

        klass.run = run  # type: ignore[method-assign,assignment]

        # If the class or a base defines setUpClass, one more mock spans setUpClass,
        # tearDownClass and the class cleanups (its stop is the first cleanup, so it runs
        # last): what setUpClass makes is visible to every test, whose mocks nest inside it.
        own = klass.__dict__.get("setUpClass")
        original_set_up_class = None if own is None else getattr(own, "__func__", own)

        def set_up_class(cls: type[unittest.TestCase]) -> None:
            if _defines_set_up_class(cls):
                cls.addClassCleanup(self._copy().start().stop)
            if original_set_up_class is not None:
                original_set_up_class(cls)
            else:
                super(klass, cls).setUpClass()  # type: ignore[misc]

        # Whether a user's setUpClass is inside (directly, or through a wrapper of ours).
        set_up_class._pinpoint_wraps_own = (  # type: ignore[attr-defined]
            original_set_up_class is not None
            and getattr(original_set_up_class, "_pinpoint_wraps_own", True)
        )
        klass.setUpClass = classmethod(set_up_class)  # type: ignore[method-assign,assignment]


def _moto_reset() -> None:
    """moto's own reset, the one its ``/moto-api/reset`` route calls: every backend's data."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _defines_set_up_class(klass: type) -> bool:
    """True if a class in ``klass``'s MRO, other than unittest's own, defines setUpClass."""
    for base in klass.__mro__:
        method = base.__dict__.get("setUpClass")
        if method is None:
            continue
        function = getattr(method, "__func__", method)
        wraps_own = getattr(function, "_pinpoint_wraps_own", None)
        if wraps_own is not None:
            if wraps_own:
                return True
        elif not base.__module__.startswith("unittest."):
            return True
    return False


@overload
def mock_pinpoint_imports(target: F) -> F: ...


@overload
def mock_pinpoint_imports(
    target: None = None,
    *,
    progression: str = "time",
    schedule: Optional[Schedule] = None,
    max_running_jobs: Optional[int] = None,
    faults: Iterable[Fault] = (),
    seed: Optional[int] = None,
    strict_faults: bool = False,
) -> PinpointImportsMock: ...


def mock_pinpoint_imports(
    target: Optional[F] = None,
    *,
    progression: str = "time",
    schedule: Optional[Schedule] = None,
    max_running_jobs: Optional[int] = None,
    faults: Iterable[Fault] = (),
    seed: Optional[int] = None,
    strict_faults: bool = False,
) -> Union[F, PinpointImportsMock]:
    """Mock Pinpoint's import jobs (and moto's AWS underneath) for a test.

    Use it bare (``@mock_pinpoint_imports``), with options
    (``@mock_pinpoint_imports(progression="per_read")``), as a context manager
    (``with mock_pinpoint_imports() as mock:``) or with ``start()``/``stop()``.
    See :class:`PinpointImportsMock` for the options.
    """
    mock = PinpointImportsMock(progression=progression, schedule=schedule, faults=faults,
                               seed=seed, strict_faults=strict_faults,
                               max_running_jobs=max_running_jobs)
    if target is None:
        return mock
    return mock(target)
