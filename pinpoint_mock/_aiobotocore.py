"""The aiobotocore transport: aiobotocore clients created before ``import moto``.

aiobotocore clients created after ``import moto`` carry moto's ``before-send`` handler, which
:mod:`pinpoint_mock._botocore` wraps (their async upload bodies included). Clients created
before it reach ``aiobotocore.endpoint.AioEndpoint._send``, which aiobotocore overrides (a
coroutine): :class:`AiobotocoreTransport` replaces it while a mock is active, if aiobotocore
is imported when the first mock starts (this module never imports aiobotocore), and answers
exactly as :func:`pinpoint_mock._botocore.answer` does.

aiobotocore behaviour relied on (canaries in ``tests/test_canaries.py``): ``AioEndpoint``
awaits the ``before-send`` event and then ``self._send(request)``; it awaits
``http_response.content`` and reads a streaming body through ``raw.content.read(amt)``.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

from botocore.awsrequest import AWSPreparedRequest

from pinpoint_mock import _botocore, _transport

_patched: Optional[tuple[Any, Any]] = None
"""(aiobotocore's ``AioEndpoint``, its own ``_send``) while patched."""


async def _aio_send(self: Any, request: AWSPreparedRequest) -> Any:
    if _botocore.has_async_body(request):
        await _botocore.read_async_body(request)
    response = _botocore.answer(request, "before-send", _botocore.ask_moto)
    if response is not None:
        return response
    assert _patched is not None
    return await _patched[1](self, request)


def _aio_endpoint() -> Any:
    """aiobotocore's ``AioEndpoint`` if aiobotocore is imported (never imported here)."""
    module = sys.modules.get("aiobotocore.endpoint")
    return getattr(module, "AioEndpoint", None)


class AiobotocoreTransport(_transport.Transport):
    """Replaces ``AioEndpoint._send`` (when aiobotocore is imported)."""

    name = "aiobotocore"

    @classmethod
    def install(cls) -> None:
        global _patched
        endpoint = _aio_endpoint()
        if endpoint is not None:
            _patched = (endpoint, endpoint.__dict__["_send"])
            endpoint._send = _aio_send

    @classmethod
    def uninstall(cls) -> None:
        global _patched
        if _patched is not None:
            endpoint, original = _patched
            endpoint._send = original
            _patched = None
