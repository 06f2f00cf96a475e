"""Server mode: the mock on a port, for the AWS CLI, the JavaScript, Java and Go SDKs, and
docker-compose test stacks.

:class:`PinpointMockServer` runs :class:`~pinpoint_mock._wsgi.MockApplication` on werkzeug's
threaded server (``werkzeug.serving.make_server``) in a thread, sharing its state with the
active in-process mock (model: moto's ``ThreadedMotoServer``); :func:`serve` is the
``pinpoint-mock serve`` command around it (the URL printed, clean exit on SIGINT/SIGTERM).

moto behaviour relied on (canaries in ``tests/test_canaries.py``):
``moto.moto_server.werkzeug_app.DomainDispatcherApplication(create_backend_app)`` (moto's
server application, which serves the service of a request's SigV4 scope) and its
``MotoRequestHandler`` (which keeps S3 metadata headers with underscores; werkzeug's handler
where moto has none, as in 5.0.23).
"""

from __future__ import annotations

import errno
import signal
import socket
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, TextIO

from pinpoint_mock import _transport
from pinpoint_mock.backend.echo import echo

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from pinpoint_mock._mock import PinpointImportsMock

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
"""``serve``'s port: LocalStack's, so that ``endpoint_url="http://localhost:4566"`` works."""

INSTALL_SERVER = (
    "Server mode needs moto's server extra, which is not installed: run "
    "pip install 'pinpoint-mock[server]' (or pip install 'moto[server]')."
)


class MockServerError(RuntimeError):
    """Raised by :class:`PinpointMockServer` when it cannot start (the port is in use, moto's
    ``server`` extra is not installed) or is used while stopped; the message is one sentence
    that says how to fix it."""


def _request_handler(quiet: bool) -> Any:
    """moto's request handler (S3 metadata keys with underscores kept), or, in moto versions
    without it (5.0.23, the floor), werkzeug's, as moto's own server then used; hardened
    (:func:`pinpoint_mock._http_handler.hardened`: every request, however malformed, gets an
    HTTP/1.1 response with a JSON body)."""
    from werkzeug.serving import WSGIRequestHandler

    from pinpoint_mock._http_handler import hardened

    handler: type[WSGIRequestHandler]
    try:
        from moto.moto_server import werkzeug_app

        handler = werkzeug_app.MotoRequestHandler
    except (ImportError, AttributeError):
        handler = WSGIRequestHandler
    handler = hardened(handler)

    if not quiet:
        return handler

    class QuietHandler(handler):  # type: ignore[valid-type,misc]
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    return QuietHandler


class PinpointMockServer:
    """The mock served over HTTP in a thread of this process, for a test or a tool.

    One port answers the mock's Pinpoint operations, the control plane under
    ``/_pinpoint_mock/``, and every other AWS request (S3, SQS, ...) through moto's own
    server application. While it runs, clients of this process that send to its URL reach it
    over loopback (other requests stay in process, as under any mock).

    Args:
        mock: the :class:`~pinpoint_mock.PinpointImportsMock` whose state it serves and whose
            methods the control plane calls. An active mock is shared (a test's, with the data
            it made); a mock that is not started is started here and stopped by :meth:`stop`;
            None (default): the innermost active mock if there is one, else a fresh
            ``mock_pinpoint_imports()``, started and stopped here.
        host: the address to listen on (``"0.0.0.0"`` for every interface, e.g. in a
            container).
        port: the port; 0 (default) picks a free one (see :attr:`port`, :attr:`url`).
        quiet: True (default) logs no request line.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        mock: Optional[PinpointImportsMock] = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        quiet: bool = True,
    ):
        if mock is not None:
            from pinpoint_mock._mock import PinpointImportsMock

            if not isinstance(mock, PinpointImportsMock):
                raise TypeError(
                    "PinpointMockServer(mock=...) takes a mock_pinpoint_imports() mock; "
                    f"got {type(mock).__name__}.")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be a whole number from 0 to 65535; got {echo(port)}.")
        if not isinstance(host, str) or "\x00" in host:
            raise ValueError("host must be a host name or address, e.g. '127.0.0.1' or "
                             f"'0.0.0.0' (every interface); got {echo(host)}.")
        if not isinstance(quiet, bool):
            raise ValueError(f"quiet must be True or False; got {echo(quiet)}.")
        self._mock = mock
        self._host = host
        self._port = port
        self._quiet = quiet
        self._owns_mock = False
        self._bound_port = 0
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> PinpointMockServer:
        """Bind, start serving in a daemon thread and return the server itself.

        Raises:
            MockServerError: moto's server extra is missing, the port is in use, or the server
                is already started.
        """
        with self._lock:
            if self._server is not None:
                raise MockServerError("This PinpointMockServer is already started; call stop() "
                                  "first, or create another.")
            try:
                from werkzeug.serving import make_server

                from pinpoint_mock._wsgi import moto_application
                moto = moto_application()
                handler = _request_handler(self._quiet)
            except ImportError:
                raise MockServerError(INSTALL_SERVER) from None
            mock = self._mock_to_serve()
            try:
                from pinpoint_mock._control import ControlPlane
                from pinpoint_mock._wsgi import MockApplication

                app = MockApplication(ControlPlane(mock), moto)
                listening = _listen(self._host, self._port)
                try:
                    server = make_server(self._host, self._port, app, threaded=True,
                                         request_handler=handler, fd=listening.fileno())
                finally:
                    listening.close()  # the server holds its own duplicate
            except BaseException:
                if self._owns_mock:
                    mock.stop()
                    self._owns_mock = False
                raise
            self._server = server
            self._bound_port = int(server.server_address[1])
            _transport.add_server(self._host, self._bound_port)
            self._thread = threading.Thread(target=server.serve_forever, kwargs={
                "poll_interval": 0.1}, name=f"pinpoint-mock-server:{self._bound_port}",
                daemon=True)
            self._thread.start()
        return self

    def _mock_to_serve(self) -> PinpointImportsMock:
        from pinpoint_mock import _mock

        mock = self._mock
        if mock is None:
            active = list(_mock._stack)  # the active mocks, innermost last
            mock = active[-1] if active else _mock.PinpointImportsMock()
        self._mock = mock
        if not mock.active:
            mock.start()
            self._owns_mock = True
        return mock

    def stop(self) -> None:
        """Stop serving (waits for the serving thread), and stop the mock if it started it.

        Raises:
            MockServerError: the server is not started.
        """
        with self._lock:
            server, thread = self._server, self._thread
            if server is None or thread is None:
                raise MockServerError("stop() was called on a PinpointMockServer that is not "
                                  "started; call start() first, or use it in a `with` block.")
            self._server = self._thread = None
            try:
                server.shutdown()
                thread.join()
                server.server_close()
            finally:
                _transport.remove_server(self._host, self._bound_port)
                if self._owns_mock and self._mock is not None:
                    self._owns_mock = False
                    self._mock.stop()

    def __enter__(self) -> PinpointMockServer:
        return self.start()

    def __exit__(self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.stop()

    # -- what a test uses --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The port it listens on (the free one picked for port 0).

        Raises:
            MockServerError: the server is not started.
        """
        self._running()
        return self._bound_port

    @property
    def host(self) -> str:
        """The address it listens on."""
        return self._host

    @property
    def url(self) -> str:
        """``http://<host>:<port>``, the ``endpoint_url`` for clients (``127.0.0.1`` when it
        listens on every interface).

        Raises:
            MockServerError: the server is not started.
        """
        host = "127.0.0.1" if self._host in ("0.0.0.0", "") else self._host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def mock(self) -> PinpointImportsMock:
        """The mock it serves (its ``calls``, ``faults``, ``advance()`` are the server's).

        Raises:
            MockServerError: the server is not started.
        """
        self._running()
        assert self._mock is not None
        return self._mock

    def _running(self) -> BaseWSGIServer:
        server = self._server
        if server is None:
            raise MockServerError("This PinpointMockServer is not started; use it in its `with` "
                              "block, or call start() first.")
        return server


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (bound here, so that a port in use is one sentence
    rather than werkzeug's exit).

    Raises:
        MockServerError: the address cannot be bound.
    """
    from werkzeug.serving import select_address_family

    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, UnicodeError, TypeError) as error:  # a name IDNA cannot encode
        sock.close()
        raise MockServerError(_bind_error(host, port, error)) from None
    return sock


def _bind_error(host: str, port: int, error: Exception) -> str:
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return (f"Port {port} on {host} is already in use; stop what listens there, or pass "
                "another port (0 picks a free one).")
    reason = getattr(error, "strerror", None) or error
    return (f"Cannot listen on {echo(host)} port {port} ({reason}); pass "
            "another host or port.")


def serve(
    mock: PinpointImportsMock,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    quiet: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """``pinpoint-mock serve``: serve ``mock`` until SIGINT or SIGTERM; the exit status.

    Prints the URL it listens on (the free port, for port 0), then serves concurrent clients
    (threaded) until a signal, and exits 0. A missing ``server`` extra or a port in use is one
    sentence on ``err`` and status 1.
    """
    from pinpoint_mock import __version__

    stop = threading.Event()
    try:
        server = PinpointMockServer(mock, host=host, port=port, quiet=quiet)
        server.start()
    except (MockServerError, ValueError) as error:
        print(f"pinpoint-mock: {error}", file=err, flush=True)
        return 1
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[number] = signal.signal(number, lambda *_: stop.set())
        except ValueError:  # not the main thread: the caller stops it another way
            pass
    try:
        where = server.url
        if host in ("0.0.0.0", "::", ""):
            where += f" (listening on every interface, {host or '0.0.0.0'})"
        print(f"pinpoint-mock {__version__} serving on {where}", file=out, flush=True)
        print(f"  Pinpoint import jobs, segments and endpoints, and every other AWS service "
              f"(moto)\n  control plane: {server.url}/_pinpoint_mock/ (stop with Ctrl+C)",
              file=out, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        server.stop()
    print("pinpoint-mock: stopped.", file=out, flush=True)
    return 0
