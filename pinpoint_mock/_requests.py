"""The ``requests`` transport: code calling Pinpoint's REST API with ``requests`` is answered.

moto drives ``responses`` for ``requests`` while ``mock_aws`` is active: its
``moto.core.models.responses_mock`` holds one callback per AWS URL pattern and HTTP method
(``moto.core.responses_custom_registry.CustomRegistry``: implemented callbacks before its
"not implemented" catch-all, and among them a plain ``responses.CallbackResponse`` first),
and passes every unmatched ``http`` URL through to the network. :class:`RequestsTransport`
adds one plain ``responses.CallbackResponse`` per method to that registry (after moto's start,
which resets it), with a matcher that takes:

- a Pinpoint request — to ``pinpoint.<region>.amazonaws.com`` (or its dual-stack
  ``pinpoint.<region>.api.aws``), or signed for ``mobiletargeting`` (in its Authorization
  header or, presigned, its ``X-Amz-Credential`` query parameter) whatever its host —
  answered exactly as a botocore request is (the mock, else moto, recorded in
  ``mock.calls``);
- a request signed with SigV4 for another service but sent to a host that is not AWS's
  (an ``endpoint_url`` habit): answered by moto under the AWS URL its scope names, or refused
  in process (:class:`~pinpoint_mock._transport.UnservedRequestError`) naming the URL;
- a request signed for AWS whose scope cannot be read (an ``AWS4-HMAC-SHA256`` header
  without ``Credential=...``): refused in process the same way;
- any request to a host that is neither AWS's nor this machine's (unless moto's configuration
  passes it through): moto's if it names its service, else refused naming the host
  (:func:`pinpoint_mock._transport.refusal`);
- a request to an AWS host that moto's patterns miss as written (a trailing dot, a port, user
  information) or with a method moto has no callback for: moto's, or refused.

Those callbacks match by method, and moto's registry only looks at the callbacks of the
request's method: a Pinpoint request with a method no callback has (``TRACE``, ``CONNECT``,
``FOO``) matches none, and moto passes every unmatched ``http`` URL through to the network. So
the transport also guards that pass-through (moto's ``responses_mock._real_send``, which
moto's own ``override_responses_real_send`` sets; the module's ``_real_send`` before
responses 0.24): a request the matcher takes is answered
there, whatever its method, with the same callback (a 405 ``MethodNotAllowedException`` for
a Pinpoint path, a 404 for another); any other goes on to the previous pass-through.

Everything else is left to moto's callbacks (AWS's hosts) and pass-through: only requests to
this machine (a server of this process, a test's own service) and those moto's configuration
passes through are sent.

Internals relied on (canaries in ``tests/test_canaries.py``): ``moto.core.models.
responses_mock`` and ``botocore_stubber.process_request(request)`` (the handler behind the
callback moto registers), the registry preferring a plain ``responses.CallbackResponse``, its
callbacks kept per method in ``CustomRegistry._registered`` (which :func:`_remove` takes
ours out of), and ``RequestsMock._real_send(adapter, request, **kwargs)``, the send of an
unmatched request that a pass-through prefix allows (``responses._real_send`` before
responses 0.24, which moto 5.0 still allows).
"""

from __future__ import annotations

import re
from typing import Any, Optional, Union
from urllib.parse import urlsplit

import responses
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto.core.models import botocore_stubber as moto_stubber
from moto.core.models import responses_mock
from requests import PreparedRequest

from pinpoint_mock import _transport
from pinpoint_mock._moto import passes_through
from pinpoint_mock._routing import MAX_PAYLOAD_BYTES, HttpResponse

_METHODS = ("GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_ANY_URL = re.compile(r"(?#pinpoint_mock)https?://.*")
_NOT_IMPLEMENTED = "Not yet implemented"

MotoAnswer = tuple[int, Any, Union[str, bytes]]

_registered: list[responses.CallbackResponse] = []
_passed_through: list[Any] = []
"""The pass-through that :func:`_guarded_send` replaced (while installed)."""


def _headers(request: PreparedRequest) -> Any:
    return request.headers


def _body(request: PreparedRequest) -> Optional[bytes]:
    """The request's body as bytes. ``requests`` leaves a file-like or iterable body (a
    generator, sent chunked: RFC 9112 section 7.1) as it was given; such a body is read here,
    at most :data:`~pinpoint_mock._routing.MAX_PAYLOAD_BYTES` + 1 bytes (so a larger one is
    the 413 PayloadTooLargeException any other body over 7 MB gets, without reading the rest),
    and kept as ``request.body`` for moto and ``mock.calls``."""
    body: Any = request.body
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    data = _read_stream(body)
    if data is not None:
        request.body = data
    return data


def _read_stream(body: Any) -> Optional[bytes]:
    """At most ``MAX_PAYLOAD_BYTES + 1`` bytes of a file-like (``read``) or iterable body
    (chunks of bytes or str), or None for anything else."""
    bound = MAX_PAYLOAD_BYTES + 1
    if hasattr(body, "read"):
        chunk = body.read(bound)
        return chunk.encode() if isinstance(chunk, str) else bytes(chunk or b"")
    try:
        chunks = iter(body)
    except TypeError:
        return None
    data = bytearray()
    for chunk in chunks:
        data += chunk.encode() if isinstance(chunk, str) else bytes(chunk)
        if len(data) >= bound:
            break
    return bytes(data[:bound])


def _takes(request: PreparedRequest) -> tuple[bool, str]:
    """The matcher: does the mock take this request (see the module docstring)?"""
    url = str(request.url)
    if _transport.to_own_server(url):
        return False, "sent to a server of this process"
    headers = _headers(request)
    if _transport.is_pinpoint_request(url, headers):
        return True, ""
    host = urlsplit(url).hostname or ""
    if _transport.is_aws_host(host):
        if _transport.is_aws_alias(url) or str(request.method) not in _transport.MOTO_METHODS:
            return True, ""  # moto's patterns miss it: answered (or refused) as moto's
        return False, "an AWS host: moto's callbacks answer it"
    if _transport.is_loopback_host(host):
        if _transport.looks_signed(url, headers):
            return True, ""  # moto's, under the AWS URL its scope names, or refused
        return False, "an unsigned request to this machine (a test's own service)"
    if passes_through(url):
        return False, "moto's configuration passes it through"
    return True, ""  # a foreign host: moto's under the AWS URL its scope names, or refused


def _guarded_send(adapter: Any, request: PreparedRequest, **kwargs: Any) -> Any:
    """moto's pass-through of a request no callback matched, guarded: a request the mock
    takes (a request with a method no callback has) is answered in process, with
    the response ``responses`` builds for a matched callback; any other is passed on."""
    if _takes(request)[0] or not _may_leave(str(request.url)):
        callback = responses.CallbackResponse(method=str(request.method), url=_ANY_URL,
                                              callback=_callback, content_type=None)
        return adapter.build_response(request, callback.get_response(request))
    return _passed_through[-1](adapter, request, **kwargs)


def _may_leave(url: str) -> bool:
    """Whether a request no callback answered may be sent: to this machine (a server of this
    process, a test's own service) or as moto's configuration passes it through. Any other
    (an AWS host none of moto's URL patterns matches, such as the bare ``amazonaws.com``) is
    answered in process, which refuses it."""
    host = urlsplit(url).hostname or ""
    return (_transport.to_own_server(url) or _transport.is_loopback_host(host)
            or passes_through(url))


def _ask_moto(request: PreparedRequest, url: str, body: Any = None) -> Optional[MotoAnswer]:
    """moto's answer to ``request`` sent to ``url``, as moto's own callback gets it: the
    request as botocore's ``AWSPreparedRequest``, to ``BotocoreStubber.process_request`` (moto
    5.2's ``process_prepared_request`` does the same; earlier versions lack it)."""
    _transport.before_moto()
    headers = HTTPHeaders()
    for name, value in request.headers.items():
        headers[name] = value
    prepared = AWSPreparedRequest(str(request.method), url, headers,
                                  request.body if body is None else body, False)
    try:
        answer: Optional[MotoAnswer] = moto_stubber.process_request(prepared)
    except Exception as error:  # moto's own failure: in process, never into the caller
        raise _transport.unserved(str(request.method), str(request.url), (
            f"moto failed on it ({type(error).__name__}: {str(error)[:200]})")) from error
    return answer


def _moto(request: PreparedRequest, body: Optional[bytes] = None,
          prefix: Optional[str] = None) -> MotoAnswer:
    """moto's answer to a request it may answer (:func:`pinpoint_mock._transport.refusal`),
    under the AWS URL its scope names (``prefix``: the endpoint prefix, for Pinpoint's).

    Raises:
        UnservedRequestError: refused, or moto has no answer for it, or moto failed on it.
    """
    url = str(request.url)
    method = str(request.method)
    refused = _transport.refusal(method, url, _headers(request), prefix)
    if refused is not None:
        raise refused
    moved = _transport.moto_url(url, _headers(request), prefix) or url
    answer = _ask_moto(request, moved, body)
    if answer is None or (answer[0] == 404 and answer[2] in (_NOT_IMPLEMENTED,
                                                           _NOT_IMPLEMENTED.encode())):
        why = ("moto does not implement this call" if moved == url
               else f"moto does not implement this call (asked as {moved})")
        raise _transport.unserved(method, url, why)
    return answer


def _callback(request: PreparedRequest) -> MotoAnswer:
    url = str(request.url)
    method = str(request.method)
    headers = _headers(request)
    if not _transport.is_pinpoint_request(url, headers):
        return _moto(request)
    handler = _transport.handler()
    body = _body(request)
    if _transport.scope_of(headers) is None and _transport.query_scope(url) is not None:
        # presigned: the region is the query scope's, which only Pinpoint's host says to the
        # mock (the Authorization header says it for a header-signed request)
        url = _transport.moto_url(url, headers) or url
    if handler is not None:
        response = handler.answer(method, url, headers, body)
        if response is not None:  # a response to HEAD has no body (RFC 9110, section 9.3.2)
            return (response.status, dict(response.headers),
                    b"" if method == "HEAD" else response.body)
    kept = None if handler is None else handler.moto_body(method, url, headers, body)
    status, moto_headers, moto_body = _moto(request, kept if kept is not body else None,
                                            "pinpoint")
    if handler is not None:
        data = moto_body.encode() if isinstance(moto_body, str) else bytes(moto_body)
        handler.answered_by_moto(method, url, headers, body,
                                 HttpResponse(status, dict(moto_headers), data))
    return status, moto_headers, moto_body


class RequestsTransport(_transport.Transport):
    """Adds the mock's callbacks to moto's ``responses`` registry and guards its pass-through
    (both undone at the last stop)."""

    name = "requests"

    @classmethod
    def install(cls) -> None:
        # New callbacks at every start (some 10 us): `responses` records each request on the
        # callback that answered it (its `calls`), after the callback returns, so a request
        # still in flight at a stop would stay referenced by a reused one, into the next mock.
        # (A subclass that records nothing would lose moto's priority for exactly
        # `responses.CallbackResponse`, `CustomRegistry.find`.)
        for method in _METHODS:
            callback = responses.CallbackResponse(
                method=method, url=_ANY_URL, callback=_callback, content_type=None,
                match=[_takes],
            )
            responses_mock.add(callback)
            _registered.append(callback)
        owner = _pass_through_owner()
        _passed_through.append(owner._real_send)
        owner._real_send = _guarded_send

    @classmethod
    def uninstall(cls) -> None:
        _remove(_registered)
        _registered.clear()
        if _passed_through:
            previous = _passed_through.pop()
            owner = _pass_through_owner()
            if owner._real_send is _guarded_send:  # not replaced since: restore it
                owner._real_send = previous


def _pass_through_owner() -> Any:
    """What holds the send of a passed-through request: moto's ``responses_mock`` (its
    ``_real_send``, responses 0.24 and later, which moto's ``override_responses_real_send``
    sets), else the ``responses`` module (its ``_real_send``, which earlier versions call)."""
    return responses_mock if hasattr(responses_mock, "_real_send") else responses


def _remove(callbacks: list[responses.CallbackResponse]) -> None:
    """Take our callbacks out of moto's registry, by identity.

    moto's ``CustomRegistry`` keeps its callbacks in ``_registered`` (a list per method).
    moto 5.0.23 (the floor) has no ``remove`` of its own, and ``responses``' inherited one
    loops for ever on its ``registered`` property (a new list each time). Any other registry:
    its ``remove``.
    """
    registry = responses_mock.get_registry()
    by_method = getattr(registry, "_registered", None)
    if isinstance(by_method, dict):
        ours = {id(callback) for callback in callbacks}
        for method in _METHODS:
            kept = by_method.get(method)
            if kept:
                kept[:] = [response for response in kept if id(response) not in ours]
    else:
        for callback in callbacks:
            responses_mock.remove(callback)
