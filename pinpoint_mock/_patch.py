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

botocore behaviour relied on (canary tests in ``tests/test_canaries.py``):
``Endpoint._do_get_response`` emits ``before-send.<service-id>.<Operation>`` with
``request=`` and takes the first non-None response; ``AWSResponse(url, status, headers, raw)``
with ``_content`` holding the body.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional

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
_original_stubber_call = BotocoreStubber.__dict__["__call__"]
_original_send = Endpoint.__dict__["_send"]


class _Body(bytes):
    """Response bytes that botocore can also stream (``raw.stream()``)."""

    def stream(self, **_: Any) -> Any:
        yield bytes(self)


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


def _serve(request: AWSPreparedRequest) -> Optional[AWSResponse]:
    answer = _answer
    if answer is None:
        return None
    response = answer(request.method, request.url, request.headers, _body_of(request))
    return None if response is None else to_aws_response(request.url, response)


def _stubber_call(
    self: BotocoreStubber, event_name: str, request: AWSPreparedRequest, **kwargs: Any
) -> Optional[AWSResponse]:
    if event_name.startswith(_EVENT_PREFIX):
        response = _serve(request)
        if response is not None:
            return response
    return _original_stubber_call(self, event_name, request, **kwargs)


def _send(self: Endpoint, request: AWSPreparedRequest) -> Any:
    response = _serve(request)
    if response is not None:
        return response
    response = _original_stubber_call(moto_stubber, "before-send", request)
    if response is not None:
        return response
    return _original_send(self, request)


def install(answer: Answer) -> None:
    """Start answering through ``answer``; nested calls only count (the first answer stays).

    Thread-safe. Pair every call with :func:`uninstall`.
    """
    global _active, _answer
    with _lock:
        if _active == 0:
            _answer = answer
            BotocoreStubber.__call__ = _stubber_call  # type: ignore[method-assign]
            Endpoint._send = _send
        _active += 1


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores botocore and moto exactly.

    Raises:
        RuntimeError: more uninstalls than installs.
    """
    global _active, _answer
    with _lock:
        if _active == 0:
            raise RuntimeError("pinpoint_mock's interception is not installed; nothing to undo.")
        _active -= 1
        if _active == 0:
            BotocoreStubber.__call__ = _original_stubber_call  # type: ignore[method-assign]
            Endpoint._send = _original_send
            _answer = None


def installed() -> bool:
    """True while at least one :func:`install` is not undone."""
    return _active > 0
