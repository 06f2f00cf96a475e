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
import threading
import unittest
from types import TracebackType
from typing import Any, Callable, ClassVar, Optional, TypeVar, Union, cast, overload

from moto import mock_aws

from pinpoint_mock import _patch
from pinpoint_mock._dispatch import Call, State
from pinpoint_mock._routing import HttpResponse
from pinpoint_mock.backend.lifecycle import Schedule
from pinpoint_mock.backend.operations import PROGRESSIONS, Settings

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)

_lock = threading.RLock()
_shared: Optional[State] = None
_stack: list[PinpointImportsMock] = []


def _answer(method: str, url: str, headers: Any, body: Optional[bytes]) -> Optional[HttpResponse]:
    state = _shared
    return None if state is None else state.answer(method, url, headers, body)


class PinpointImportsMock:
    """Serves Pinpoint's import-job, segment and endpoint calls from memory while active.

    Args:
        progression: how jobs move through their statuses: ``"time"`` (default: by the clock),
            ``"per_read"``, ``"manual"`` or ``"immediate"``.
        schedule: seconds each stage lasts under ``"time"`` (default :class:`Schedule`).

    Raises:
        ValueError: an option is not one of the allowed values.
    """

    _copies: ClassVar[int] = 0

    def __init__(self, *, progression: str = "time", schedule: Optional[Schedule] = None):
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
        self._options: dict[str, Any] = {"progression": progression, "schedule": schedule}
        """The keyword arguments this mock was made with; each decorated call gets a copy."""
        self._settings = Settings(progression, schedule or Schedule())
        self._aws: Any = None
        self._state: Optional[State] = None
        self._outer_settings: Optional[Settings] = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._state is not None

    def start(self) -> PinpointImportsMock:
        """Start serving (and start moto's ``mock_aws``). Returns the mock itself.

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
            aws = mock_aws()
            aws.start()
            if _shared is None:
                _shared = State(settings=Settings(self._settings.progression,
                                                  self._settings.schedule))
            else:
                previous = _shared.settings
                self._outer_settings = Settings(previous.progression, previous.schedule)
                previous.progression = self._settings.progression
                previous.schedule = self._settings.schedule
            self._aws = aws
            self._state = _shared
            _stack.append(self)
            _patch.install(_answer)
        return self

    def stop(self) -> None:
        """Stop serving; the outermost stop discards the mock's data and moto's.

        Raises:
            RuntimeError: the mock is not started.
        """
        global _shared
        with _lock:
            state = self._state
            if state is None:
                raise RuntimeError(
                    "stop() was called on a mock_pinpoint_imports that is not started; "
                    "call start() first, or use it as a decorator or a `with` block."
                )
            _stack.remove(self)
            if self._outer_settings is not None:
                state.settings.progression = self._outer_settings.progression
                state.settings.schedule = self._outer_settings.schedule
                self._outer_settings = None
            if not _stack:
                _shared = None
            self._state = None
            aws, self._aws = self._aws, None
            try:
                _patch.uninstall()
            finally:
                aws.stop()

    def __enter__(self) -> PinpointImportsMock:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

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
        """The Pinpoint calls the mock answered, oldest first (a copy)."""
        return list(self._active_state().calls)

    def now(self) -> float:
        """The mock's clock in POSIX seconds: the wall clock (as freezegun or time-machine set
        it) plus every :meth:`advance`."""
        return self._active_state().now()

    def advance(self, seconds: float) -> None:
        """Move the mock's clock forward by ``seconds`` (with or without a time library).

        Raises:
            ValueError: ``seconds`` is negative or not a number.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"advance() takes a number of seconds >= 0, got {seconds!r}.")
        state = self._active_state()
        with _lock:
            state.offset += float(seconds)

    # -- decorator ---------------------------------------------------------------------------

    def _copy(self) -> PinpointImportsMock:
        return PinpointImportsMock(**self._options)

    @overload
    def __call__(self, target: C) -> C: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Union[C, F]) -> Union[C, F]:
        """Decorate a function (sync or async) or a test class; each call gets a fresh mock."""
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
            # run() calls setUp, the test and tearDown (inherited ones too) and the cleanups:
            # wrapping it puts all of them inside one fresh mock per test.
            original_run = klass.run

            @functools.wraps(original_run)
            def run(test: unittest.TestCase, result: Any = None) -> Any:
                with self._copy():
                    return original_run(test, result)

            klass.run = run  # type: ignore[method-assign,assignment]
            return klass
        for name in dir(klass):
            if name.startswith("test"):
                attribute = inspect.getattr_static(klass, name)
                if inspect.isfunction(attribute):
                    setattr(klass, name, self._decorate_callable(attribute))
        return klass


@overload
def mock_pinpoint_imports(target: F) -> F: ...


@overload
def mock_pinpoint_imports(
    target: None = None, *, progression: str = "time", schedule: Optional[Schedule] = None
) -> PinpointImportsMock: ...


def mock_pinpoint_imports(
    target: Optional[F] = None,
    *,
    progression: str = "time",
    schedule: Optional[Schedule] = None,
) -> Union[F, PinpointImportsMock]:
    """Mock Pinpoint's import jobs (and moto's AWS underneath) for a test.

    Use it bare (``@mock_pinpoint_imports``), with options
    (``@mock_pinpoint_imports(progression="per_read")``), as a context manager
    (``with mock_pinpoint_imports() as mock:``) or with ``start()``/``stop()``.
    See :class:`PinpointImportsMock` for the options.
    """
    mock = PinpointImportsMock(progression=progression, schedule=schedule)
    if target is None:
        return mock
    return mock(target)
