"""The only module that touches botocore (and moto) internals: the interception.

While at least one mock is active, two things are patched; both are restored, by identity,
when the last one stops (reference-counted under a lock):

1. ``moto.core.botocore_stubber.BotocoreStubber.__call__`` — moto's ``before-send`` handler,
   which every client created after ``import moto`` carries (moto appends it to
   ``botocore.handlers.BUILTIN_HANDLERS``). The wrapper answers the Pinpoint requests the mock
   serves *before* moto's URL matching runs (saving its ~0.3 ms per call), and hands every
   other request to moto unchanged. It knows the operation from the event name
   (``before-send.pinpoint.<Operation>``).
2. ``botocore.endpoint.Endpoint._send`` — reached only when no ``before-send`` handler
   answered, i.e. by clients created before ``import moto``. The wrapper answers the mock's
   requests, then asks moto's stubber (so such a client is mocked like any other while the
   mock is active), and only then sends for real.

3. ``aiobotocore.endpoint.AioEndpoint._send`` (only if aiobotocore is imported when the first
   mock starts) — the same as 2. for aiobotocore clients created before ``import moto``;
   aiobotocore clients created after it reach moto's handler like any other.

Before moto answers any request (S3's above all), the ``before_moto`` callable given to
:func:`install` runs: export jobs whose objects are due by the clock write them then, so that a
listing sees them as soon as the job has completed.

Every response answered in process (ours, or moto's through 1. to 3.) is readable both ways:
botocore reads ``response.content`` as bytes, aiobotocore awaits it (``await
http_response.content``) and, for a streaming output such as S3 GetObject, awaits
``raw.content.read(n)`` as on an aiohttp response.

botocore behaviour relied on (canary tests in ``tests/test_canaries.py``):
``Endpoint._do_get_response`` emits ``before-send.<service-id>.<Operation>`` with
``request=`` and takes the first non-None response; ``AWSResponse(url, status, headers, raw)``
with ``_content`` holding the body. aiobotocore behaviour relied on: ``AioEndpoint`` awaits
the same event and then ``self._send(request)``; it awaits ``http_response.content`` and reads
a streaming body through ``raw.content.read(amt)``; moto's raw body is a ``BytesIO``.
"""

from __future__ import annotations

import inspect
import sys
import threading
from io import BytesIO
from typing import Any, Callable, Generator, Optional
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.models import botocore_stubber as moto_stubber

from pinpoint_mock._routing import HttpResponse

Answer = Callable[[str, str, Any, Optional[bytes]], Optional[HttpResponse]]
"""``answer(method, url, headers, body)``: the mock's response, or None to let others answer."""

_EVENT_PREFIX = "before-send.pinpoint."

_lock = threading.Lock()
_active = 0
_answer: Optional[Answer] = None
_before_moto: Optional[Callable[[], None]] = None
_original_stubber_call = BotocoreStubber.__dict__["__call__"]
_original_send = Endpoint.__dict__["_send"]
_aio_patched: Optional[tuple[Any, Any]] = None
"""(aiobotocore's ``AioEndpoint``, its own ``_send``) while patched."""


class _Body(bytes):
    """Response bytes that botocore can stream (``raw.stream()``) and aiobotocore can await."""

    def stream(self, **_: Any) -> Any:
        yield bytes(self)

    def __await__(self) -> Generator[Any, None, bytes]:
        yield from ()
        return self


class _AsyncReader:
    """``raw.content`` of a response answered in process, read as aiobotocore reads aiohttp's."""

    def __init__(self, raw: BytesIO) -> None:
        self._raw = raw

    async def read(self, amt: int = -1) -> bytes:
        return self._raw.read(amt)

    def at_eof(self) -> bool:
        position = self._raw.tell()
        end = self._raw.seek(0, 2)
        self._raw.seek(position)
        return position >= end


class _InProcessResponse(AWSResponse):  # type: ignore[misc]
    """moto's answer: ``content`` is bytes to botocore and awaitable to aiobotocore."""

    _content: Optional[bytes]

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = _Body(b"".join(self.raw.stream()))
        return self._content


def _in_process(response: Any) -> Any:
    """moto's ``AWSResponse`` (or None) made readable by aiobotocore clients too."""
    if type(response) is not AWSResponse:
        return response
    raw = response.raw
    if isinstance(raw, BytesIO) and not hasattr(raw, "content"):
        raw.content = _AsyncReader(raw)  # type: ignore[attr-defined]
    return _InProcessResponse(response.url, response.status_code, response.headers, raw)


def to_aws_response(url: str, response: HttpResponse) -> AWSResponse:
    """A botocore ``AWSResponse`` carrying ``response`` (body already read)."""
    body = _Body(response.body)
    aws_response = AWSResponse(url, response.status, response.headers, body)
    aws_response._content = body
    return aws_response


def _body_of(request: AWSPreparedRequest) -> Optional[bytes]:
    body = request.body
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        position = body.tell() if hasattr(body, "tell") else None
        data = body.read()
        if position is not None:
            body.seek(position)
        return data if isinstance(data, bytes) else str(data).encode()
    return bytes(body)


def _is_pinpoint_url(url: str) -> bool:
    """True for ``https://pinpoint.<region>.amazonaws.com/...`` (and the China partition)."""
    host = urlsplit(url).hostname or ""
    return host.startswith("pinpoint.") and ".amazonaws.com" in host


def _serve(request: AWSPreparedRequest) -> Optional[AWSResponse]:
    """The mock's answer to a request known to be Pinpoint's (only those bodies are read)."""
    answer = _answer
    if answer is None:
        return None
    response = answer(request.method, request.url, request.headers, _body_of(request))
    return None if response is None else to_aws_response(request.url, response)


def _has_async_body(request: AWSPreparedRequest) -> bool:
    """True for a body only aiobotocore sends (e.g. its aws-chunked S3 upload wrapper)."""
    return inspect.iscoroutinefunction(getattr(request.body, "read", None))


async def _read_body(request: AWSPreparedRequest) -> None:
    """Replace an async body by its bytes, so that moto (which reads bodies) can answer."""
    request.body = await request.body.read()


def _moto_call(
    stubber: BotocoreStubber, event_name: str, request: AWSPreparedRequest, **kwargs: Any
) -> Any:
    """moto's stubber, after the ``before_moto`` hook."""
    hook = _before_moto
    if hook is not None:
        hook()
    return _original_stubber_call(stubber, event_name, request, **kwargs)


async def _moto_after_reading(
    stubber: BotocoreStubber, event_name: str, request: AWSPreparedRequest, kwargs: Any
) -> Optional[AWSResponse]:
    await _read_body(request)
    return _in_process(_moto_call(stubber, event_name, request, **kwargs))


def _stubber_call(
    self: BotocoreStubber, event_name: str, request: AWSPreparedRequest, **kwargs: Any
) -> Any:
    if event_name.startswith(_EVENT_PREFIX):
        response = _serve(request)
        if response is not None:
            return response
    if _has_async_body(request):
        # Only aiobotocore's emitter sees such a request, and it awaits a handler's answer.
        return _moto_after_reading(self, event_name, request, kwargs)
    return _in_process(_moto_call(self, event_name, request, **kwargs))


def _send(self: Endpoint, request: AWSPreparedRequest) -> Any:
    response = _serve(request) if _is_pinpoint_url(request.url) else None
    if response is not None:
        return response
    response = _moto_call(moto_stubber, "before-send", request)
    if response is not None:
        return response
    return _original_send(self, request)


async def _aio_send(self: Any, request: AWSPreparedRequest) -> Any:
    response = _serve(request) if _is_pinpoint_url(request.url) else None
    if response is not None:
        return response
    if _has_async_body(request):
        await _read_body(request)
    response = _in_process(_moto_call(moto_stubber, "before-send", request))
    if response is not None:
        return response
    assert _aio_patched is not None
    return await _aio_patched[1](self, request)


def _aio_endpoint() -> Any:
    """aiobotocore's ``AioEndpoint`` if aiobotocore is imported (never imported here)."""
    module = sys.modules.get("aiobotocore.endpoint")
    return getattr(module, "AioEndpoint", None)


def install(answer: Answer, before_moto: Optional[Callable[[], None]] = None) -> None:
    """Start answering through ``answer`` (and calling ``before_moto`` before moto answers a
    request); nested calls only count (the first answer and hook stay).

    Thread-safe. Pair every call with :func:`uninstall`.
    """
    global _active, _answer, _aio_patched, _before_moto
    with _lock:
        if _active == 0:
            _answer = answer
            _before_moto = before_moto
            BotocoreStubber.__call__ = _stubber_call  # type: ignore[method-assign]
            Endpoint._send = _send
            aio_endpoint = _aio_endpoint()
            if aio_endpoint is not None:
                _aio_patched = (aio_endpoint, aio_endpoint.__dict__["_send"])
                aio_endpoint._send = _aio_send
        _active += 1


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores botocore and moto exactly.

    Raises:
        RuntimeError: more uninstalls than installs.
    """
    global _active, _answer, _aio_patched, _before_moto
    with _lock:
        if _active == 0:
            raise RuntimeError("pinpoint_mock's interception is not installed; nothing to undo.")
        _active -= 1
        if _active == 0:
            BotocoreStubber.__call__ = _original_stubber_call  # type: ignore[method-assign]
            Endpoint._send = _original_send
            if _aio_patched is not None:
                aio_endpoint, original = _aio_patched
                aio_endpoint._send = original
                _aio_patched = None
            _answer = None
            _before_moto = None


def installed() -> bool:
    """True while at least one :func:`install` is not undone."""
    return _active > 0
