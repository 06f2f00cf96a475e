"""The botocore transport: every botocore client is answered in process while a mock is active.

Two things are patched (by :class:`BotocoreTransport`, restored by identity by the last stop):

1. ``moto.core.botocore_stubber.BotocoreStubber.__call__`` — moto's ``before-send`` handler,
   which every client created after ``import moto`` carries (moto appends it to
   ``botocore.handlers.BUILTIN_HANDLERS``). The wrapper answers the Pinpoint requests the mock
   serves *before* moto's URL matching runs (saving its ~0.3 ms per call), records the
   Pinpoint calls moto answers, and hands every other request to moto. It knows the operation
   from the event name (``before-send.pinpoint.<Operation>``).
2. ``botocore.endpoint.Endpoint._send`` — reached only when no ``before-send`` handler
   answered, i.e. by clients created before ``import moto``. The wrapper does the same as 1.
3. ``botocore.httpsession.URLLib3Session.send`` — the network send itself, guarded: only a
   request to this machine (loopback) or one moto's configuration passes through is sent;
   any other (code sending an ``AWSRequest`` through a session of its own) is refused in
   process.

A request to a host that is not AWS's (a client's ``endpoint_url``, ``AWS_ENDPOINT_URL`` or
``AWS_ENDPOINT_URL_<SERVICE>``) is served too: Pinpoint's by the mock, the others by moto
under the AWS URL its SigV4 scope names (:func:`pinpoint_mock._transport.moto_url`). A request
nothing can answer raises :class:`~pinpoint_mock._transport.UnservedRequestError` naming its
URL; none is sent (only moto's own configured pass-through, and requests to a server of this
process, go on to the network send).

Every response answered in process (ours, or moto's) is readable both ways: botocore reads
``response.content`` as bytes, aiobotocore awaits it (``await http_response.content``) and,
for a streaming output such as S3 GetObject, awaits ``raw.content.read(n)`` as on an aiohttp
response (aiobotocore clients created after ``import moto`` reach moto's handler like any
other; see also :mod:`pinpoint_mock._aiobotocore`).

botocore behaviour relied on (canary tests in ``tests/test_canaries.py``):
``Endpoint._do_get_response`` emits ``before-send.<service-id>.<Operation>`` with
``request=`` and takes the first non-None response; ``AWSResponse(url, status, headers, raw)``
with ``_content`` holding the body. moto: ``BotocoreStubber.__call__(event_name, request)``
answers with ``AWSResponse(url, status, headers, MockRawResponse(body))`` (a ``BytesIO``), or
None when no URL pattern of its matches; its catch-all answer for an unimplemented
``*.amazonaws.com`` URL is a bare 404 ``Not yet implemented``.
"""

from __future__ import annotations

import functools
import inspect
from io import BytesIO
from typing import Any, Callable, Generator, Iterator, Mapping, Optional
from urllib.parse import urlsplit

import botocore.exceptions
import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict, _HeaderKey
from botocore.endpoint import Endpoint
from botocore.httpsession import URLLib3Session
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.models import botocore_stubber as moto_stubber

from pinpoint_mock import _moto, _transport
from pinpoint_mock._routing import HttpResponse

_EVENT_PREFIX = "before-send."
_PINPOINT_EVENT = "before-send.pinpoint."
_NOT_IMPLEMENTED = b"Not yet implemented"

_original_stubber_call = BotocoreStubber.__dict__["__call__"]
_original_send = Endpoint.__dict__["_send"]
_original_http_send = URLLib3Session.__dict__["send"]


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


def _in_process(response: Any, url: Optional[str] = None) -> Any:
    """moto's ``AWSResponse`` (or None) made readable by aiobotocore clients too (and given
    the request's own ``url`` when moto answered it under another)."""
    if type(response) is not AWSResponse:
        return response
    raw = response.raw
    if isinstance(raw, BytesIO) and not hasattr(raw, "content"):
        raw.content = _AsyncReader(raw)  # type: ignore[attr-defined]
    return _InProcessResponse(url or response.url, response.status_code, response.headers, raw)


_FAST_HEADER_NAMES = ("Authorization", "x-moto-account-id")
"""The headers the mock reads from every request (account and region)."""
_HEADER_KEYS = {name: _HeaderKey(name) for name in _FAST_HEADER_NAMES}


class _Headers(Mapping[str, Any]):
    """A botocore request's headers (``HeadersDict``) for the mock: ``get`` of the headers
    the mock reads on every request looks them up in the ``HeadersDict``'s own dict with a
    key made once, without ``Mapping.get``'s exception for a header that is absent (a
    fifth of a mocked call's own cost went to three such lookups); everything else is
    the ``HeadersDict``'s."""

    __slots__ = ("_headers", "_dict")

    def __init__(self, headers: HeadersDict):
        self._headers = headers
        self._dict: dict[Any, Any] = headers._dict

    def get(self, name: str, default: Any = None) -> Any:
        key = _HEADER_KEYS.get(name)
        if key is None:
            return self._headers.get(name, default)
        return self._dict.get(key, default)

    def __getitem__(self, name: str) -> Any:
        return self._headers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)


def _headers_of(request: AWSPreparedRequest) -> Mapping[str, Any]:
    headers = request.headers
    if type(headers) is HeadersDict and type(getattr(headers, "_dict", None)) is dict:
        return _Headers(headers)
    return headers  # type: ignore[no-any-return]


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


def _raw_bytes(response: AWSResponse) -> bytes:
    raw = response.raw
    if isinstance(raw, BytesIO):
        return raw.getvalue()
    return bytes(response.content or b"")


# -- moto, for every request the mock does not answer ----------------------------------------

MotoCall = Callable[[AWSPreparedRequest], Optional[AWSResponse]]
"""Ask moto's stubber about one request: its ``AWSResponse``, or None (no URL matched)."""


def _moto_caller(stubber: BotocoreStubber, event_name: str, kwargs: Any) -> MotoCall:
    def call(request: AWSPreparedRequest) -> Optional[AWSResponse]:
        _transport.before_moto()
        response: Optional[AWSResponse] = _original_stubber_call(
            stubber, event_name, request, **kwargs)
        return response

    return call


@functools.lru_cache(maxsize=512)
def endpoint_prefix(service_id: str) -> Optional[str]:
    """botocore's ``endpointPrefix`` of a service, by the hyphenated service id of its
    ``before-send`` event (``sesv2`` -> ``email``); None for an id that names no model."""
    try:
        model = botocore.session.get_session().get_service_model(service_id)
    except botocore.exceptions.UnknownServiceError:
        return None
    prefix: Optional[str] = model.endpoint_prefix
    return prefix


def moto_answer(request: AWSPreparedRequest, ask: MotoCall, service: Optional[str]) -> Any:
    """moto's answer to ``request``, also when it was sent to a host that is not AWS's
    (``service``: the hyphenated service id of the ``before-send`` event, if known).

    Returns None only where moto itself passes a request through (its ``passthrough``
    configuration, :func:`pinpoint_mock._moto.passes_through`), so that it is sent as
    configured.

    Raises:
        UnservedRequestError: the request names no service moto serves
            (:func:`pinpoint_mock._transport.refusal`), moto has no answer for it, or moto
            failed on it (a Python exception of moto's, kept as the error's ``__cause__``).
    """
    prefix = endpoint_prefix(service) if service else None
    refused = _transport.refusal(request.method, request.url, request.headers, prefix)
    if refused is not None:
        raise refused
    url = _transport.moto_url(request.url, request.headers, prefix)
    if url is None or not _transport.is_aws_host(_host(request.url)):
        # asked as sent first (an AWS host as moto matches it; a foreign host some pattern of
        # moto's may match); an AWS host moto does not match as written (a trailing dot, a
        # port, Pinpoint's FIPS or dual-stack host) is asked only under ``url``
        response = _asked(ask, request, request)
        if response is not None:
            return _in_process(response)
    if url is None:
        return _passed_through(request, request.url)
    moved = AWSPreparedRequest(request.method, url, request.headers, request.body,
                               request.stream_output)
    response = _asked(ask, moved, request)
    if response is None:
        return _passed_through(request, url)
    if response.status_code == 404 and _raw_bytes(response) == _NOT_IMPLEMENTED:
        raise _transport.unserved(request.method, request.url,
                                  f"moto does not implement this call (asked as {url})")
    return _in_process(response, request.url)


def _asked(ask: MotoCall, request: AWSPreparedRequest,
           sent: AWSPreparedRequest) -> Optional[AWSResponse]:
    """moto's answer to ``request`` (``sent``: the request as the client sent it, named in
    the error); a Python exception out of moto is an UnservedRequestError (moto 5.2: S3's
    ``NotImplementedError`` for a method it lacks, a ``KeyError`` for a region it lacks)."""
    try:
        return ask(request)
    except _transport.UnservedRequestError:
        raise
    except Exception as error:
        raise _transport.unserved(sent.method, sent.url, (
            f"moto failed on it ({type(error).__name__}: {str(error)[:200]})")) from error


def _passed_through(request: AWSPreparedRequest, url: str) -> None:
    """None (send ``request`` as moto's configuration says) when moto passes ``url``
    through; else the UnservedRequestError of a request moto has no answer for.

    Raises:
        UnservedRequestError: moto's configuration does not pass it through.
    """
    if _transport.is_aws_host(_host(url)) and _moto.passes_through(url):
        return None
    raise _transport.unserved(request.method, request.url, (
        "moto has no answer for it" if url == request.url
        else f"moto has no answer for it (asked as {url})"))


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def pinpoint_answer(request: AWSPreparedRequest, operation: Optional[str], ask: MotoCall) -> Any:
    """The answer to a Pinpoint request: the mock's, else moto's (recorded in the call log)."""
    handler = _transport.handler()
    body = _body_of(request)
    if handler is not None:
        response = handler.answer(request.method, request.url, _headers_of(request), body)
        if response is not None:
            return to_aws_response(request.url, response)
        kept = handler.moto_body(request.method, request.url, _headers_of(request), body)
        if kept is not body:  # members the model does not know, dropped
            request.body = kept
    answered = moto_answer(request, ask, "pinpoint")
    if answered is not None and handler is not None:
        handler.answered_by_moto(
            request.method, request.url, request.headers, body,
            HttpResponse(answered.status_code, dict(answered.headers), _raw_bytes(answered)),
            operation,
        )
    return answered


def answer(request: AWSPreparedRequest, event_name: str, ask: MotoCall) -> Any:
    """What a botocore client receives for ``request`` while a mock is active (None: send it)."""
    if _transport.to_own_server(request.url):
        return None
    if event_name.startswith(_PINPOINT_EVENT):
        return pinpoint_answer(request, event_name[len(_PINPOINT_EVENT):], ask)
    if event_name == "before-send" and _transport.is_pinpoint_request(
            request.url, request.headers):
        return pinpoint_answer(request, None, ask)
    service = event_name[len(_EVENT_PREFIX):].split(".", 1)[0] or None
    return moto_answer(request, ask, service)


def has_async_body(request: AWSPreparedRequest) -> bool:
    """True for a body only aiobotocore sends (e.g. its aws-chunked S3 upload wrapper)."""
    return inspect.iscoroutinefunction(getattr(request.body, "read", None))


async def read_async_body(request: AWSPreparedRequest) -> None:
    """Replace an async body by its bytes, so that moto (which reads bodies) can answer."""
    request.body = await request.body.read()


async def _answer_after_reading(request: AWSPreparedRequest, event_name: str,
                                ask: MotoCall) -> Any:
    await read_async_body(request)
    return answer(request, event_name, ask)


def _stubber_call(
    self: BotocoreStubber, event_name: str, request: AWSPreparedRequest, **kwargs: Any
) -> Any:
    if event_name.startswith(_PINPOINT_EVENT) and not _transport.to_own_server(request.url):
        # first, and without reading anything else: a Pinpoint request (its body is bytes)
        return pinpoint_answer(request, event_name[len(_PINPOINT_EVENT):],
                               _moto_caller(self, event_name, kwargs))
    ask = _moto_caller(self, event_name, kwargs)
    if has_async_body(request):
        # Only aiobotocore's emitter sees such a request, and it awaits a handler's answer.
        return _answer_after_reading(request, event_name, ask)
    return answer(request, event_name, ask)


def ask_moto(request: AWSPreparedRequest) -> Optional[AWSResponse]:
    """moto's answer through its own handler (for clients that do not carry it)."""
    _transport.before_moto()
    response: Optional[AWSResponse] = _original_stubber_call(moto_stubber, "before-send",
                                                             request)
    return response


def _send(self: Endpoint, request: AWSPreparedRequest) -> Any:
    response = answer(request, "before-send", ask_moto)
    if response is not None:
        return response
    return _original_send(self, request)


_INSTANCE_METADATA_HOSTS = frozenset({"169.254.169.254", "fd00:ec2::254",
                                      "169.254.170.2", "169.254.170.23"})
"""The link-local hosts of EC2's instance metadata service (IPv4 and IPv6), ECS's and EKS Pod
Identity's credential endpoints, which botocore's credential chain asks when no credentials
are configured (moto's fake credentials turned off). Off those platforms a connect there times
out, which the chain takes as "no credentials here" and goes on (``NoCredentialsError`` in the
end); the guard answers the same at once, rather than an :class:`UnservedRequestError` the
chain would not catch."""


def _guarded_http_send(self: URLLib3Session, request: AWSPreparedRequest) -> Any:
    """botocore's HTTP send, guarded: a request reaches the network only to this machine
    (a server of this process, a test's own service) or as moto's configuration passes it
    through. Every client's request is answered before it (by :func:`_send` or moto's
    ``before-send`` handler); this refuses what code sends through a ``URLLib3Session`` of its
    own (``session.send(AWSRequest(...).prepare())``), which no handler sees.

    Raises:
        UnservedRequestError: any other request.
    """
    url = str(request.url)
    host = _host(url)
    if host in _INSTANCE_METADATA_HOSTS:
        raise botocore.exceptions.ConnectTimeoutError(endpoint_url=url)  # as off EC2, ECS, EKS
    if _transport.is_loopback_host(host) or _transport.to_own_server(url) or (
            _transport.is_aws_host(host) and _moto.passes_through(url)):
        return _original_http_send(self, request)
    raise _transport.unserved(str(request.method), url, (
        "it was sent through botocore's HTTP session directly, which no client's handler "
        "answers; send it with a client (or requests), which the mock and moto serve"))


class BotocoreTransport(_transport.Transport):
    """Patches moto's ``before-send`` handler, botocore's ``Endpoint._send`` and guards
    ``URLLib3Session.send``."""

    name = "botocore"

    @classmethod
    def install(cls) -> None:
        BotocoreStubber.__call__ = _stubber_call  # type: ignore[method-assign]
        Endpoint._send = _send
        URLLib3Session.send = _guarded_http_send

    @classmethod
    def uninstall(cls) -> None:
        BotocoreStubber.__call__ = _original_stubber_call  # type: ignore[method-assign]
        Endpoint._send = _original_send
        URLLib3Session.send = _original_http_send
