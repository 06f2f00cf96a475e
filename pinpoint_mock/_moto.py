"""What the mock takes from moto: applications, S3 objects (read and written), the account of
a request.

moto internals used here (each guarded by a canary test in ``tests/test_canaries.py``):

- ``moto.pinpoint.models.pinpoint_backends[account][region].apps`` — the apps CreateApp made;
  a reset of moto's backends gives the backend a new ``apps`` dict (see :class:`MotoApps`).
- ``moto.s3.models.s3_backends[account]["aws"].buckets[name].keys`` — the objects, and
  ``FakeKey.size`` (its Content-Length, checked against the 1 GB import limit before reading;
  its canary is ``test_moto_keys_have_a_size`` in ``tests/test_import_fidelity.py``),
  ``FakeKey._value_buffer`` / ``FakeKey.lock``, read in chunks so that a large object is never
  copied whole (``FakeKey.value`` copies it).
- ``S3Backend.put_object(bucket_name=, key_name=, value=)`` — how an export job writes its
  objects (its canary is ``test_moto_s3_put_object_takes_bucket_key_and_value`` in
  ``tests/test_canaries.py``); it raises moto's ``MissingBucket`` for a bucket that does not
  exist.
- ``moto.iam.models.get_account_id_from(access_key)`` — the account of an access key, as moto
  itself resolves it (after ``MOTO_ACCOUNT_ID`` and the ``x-moto-account-id`` header).
- ``pinpoint_backends[account][region].tagger`` (a ``moto.utilities.tagging_service.
  TaggingService``: ``get_tag_dict_for_resource``, ``tag_resource``,
  ``convert_dict_to_tags_input``, ``delete_all_tags_for_resource``) — the tags moto's
  TagResource / UntagResource / ListTagsForResource keep, for any ARN; :class:`MotoTags` makes
  them the tags of the mock's segments too.
- which Pinpoint operations moto answers, decided as moto's ``BotocoreStubber`` and
  ``BaseResponse.call_action`` decide it: a URL regex of the Pinpoint backend's ``urls``
  matches the operation's path, and ``PinpointResponse`` has the method
  ``camelcase_to_underscores(operation)`` (``moto.core.utils``, with
  ``method_names_from_class``).
- ``App.event_stream`` (None until PutEventStream) — DeleteEventStream of an app without one
  is refused before moto, whose handler would fail on it (:func:`moto_refusal`).
"""

from __future__ import annotations

import functools
import io
import os
import re
from typing import Any, BinaryIO, Callable, Mapping, Optional, Sequence
from urllib.parse import urlsplit

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.utils import camelcase_to_underscores, method_names_from_class
from moto.pinpoint.models import pinpoint_backends
from moto.pinpoint.responses import PinpointResponse
from moto.s3.models import s3_backends

from pinpoint_mock import _transport
from pinpoint_mock.backend.errors import ForbiddenError, NotFoundError, PinpointError
from pinpoint_mock.backend.exporter import ObjectSinkError
from pinpoint_mock.backend.importer import SourceObject
from pinpoint_mock.backend.operations import ObjectSourceError

_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
_SAMPLE_HOST = "https://pinpoint.us-east-1.amazonaws.com"


_ENVIRON = os.environ
_ENVIRON_DATA: Optional[dict[Any, Any]] = getattr(os.environ, "_data", None)
_ACCOUNT_KEY: Any = None
if _ENVIRON_DATA is not None and callable(getattr(os.environ, "encodekey", None)):
    _ACCOUNT_KEY = os.environ.encodekey("MOTO_ACCOUNT_ID")


def moto_account_variable() -> Optional[str]:
    """``os.environ.get("MOTO_ACCOUNT_ID")``, read on every request (a test may set it at any
    time). ``os.environ`` keeps its variables in ``os.environ._data`` under keys made by
    ``os.environ.encodekey``: looked up there directly, an absent variable costs no
    ``KeyError`` (``os.environ.get`` raises and catches two); anything else (``os.environ``
    replaced by a test, a platform without them) goes through ``os.environ.get``."""
    if os.environ is _ENVIRON and _ACCOUNT_KEY is not None and _ENVIRON_DATA is not None:
        value = _ENVIRON_DATA.get(_ACCOUNT_KEY)
        return None if value is None else str(os.environ.decodevalue(value))
    return os.environ.get("MOTO_ACCOUNT_ID")


def account_of(headers: Mapping[str, Any], known: dict[str, str], query: str = "") -> str:
    """The account id moto would use for a request with these headers (and, for a presigned
    URL, this query string: the access key of its ``X-Amz-Credential``).

    ``headers`` is botocore's case-insensitive headers object. ``known`` caches the account of
    each access key (pass one dict per mock scope; it holds one entry per access key used).
    """
    env = moto_account_variable()
    if env:
        return env
    header = headers.get("x-moto-account-id")
    if header:
        return _text(header)
    authorization = headers.get("Authorization")
    match = _ACCESS_KEY.search(_text(authorization)) if authorization else None
    if match is None:
        scope = _query_scope(query, authorization)
        if scope is None:
            return DEFAULT_ACCOUNT_ID
        access_key = scope.access_key
    else:
        access_key = match.group(1)
    account = known.get(access_key)
    if account is None:
        from moto.iam.models import get_account_id_from

        account = known[access_key] = get_account_id_from(access_key)
    return account


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def region_of(url_host: str, headers: Mapping[str, Any], query: str = "") -> str:
    """The region of a request: from the host when it is Pinpoint's own,
    ``pinpoint.{region}.amazonaws.com`` (or ``.com.cn``), else from the signature's credential
    scope (any other host: a client's ``endpoint_url``) — the ``Authorization`` header's (for
    SigV4A, the one region of its ``X-Amz-Region-Set``), else a presigned URL's
    ``X-Amz-Credential`` in ``query`` — else ``us-east-1``."""
    region = _host_region(url_host)
    if region is not None:
        return region
    authorization = headers.get("Authorization")
    if authorization and _text(authorization).lstrip().startswith("AWS4-ECDSA"):
        sigv4a = _transport.scope_of(headers)  # SigV4A: no region in the scope
        return (sigv4a.region if sigv4a is not None else "") or "us-east-1"
    scope = _REGION.search(_text(authorization)) if authorization else None
    if scope:
        return scope.group(1)
    presigned = _query_scope(query, authorization)
    return presigned.region if presigned is not None else "us-east-1"


def _query_scope(query: str, authorization: Any) -> Optional[_transport.Scope]:
    """The scope of a presigned URL's query, when no Authorization header signs it."""
    if authorization or "X-Amz-Credential=" not in query:
        return None
    return _transport.query_scope("?" + query)


@functools.lru_cache(maxsize=256)
def _host_region(url_host: str) -> Optional[str]:
    """The region a host of Pinpoint's names (``pinpoint.{region}.amazonaws.com``, its
    dual-stack and FIPS hosts: :func:`pinpoint_mock._transport.pinpoint_host_region`), or
    None (another host: ``pinpoint.x.y`` names no region). A trailing dot (the DNS root's:
    the same host) is ignored."""
    return _transport.pinpoint_host_region(url_host.lower())


class MotoApps:
    """moto's table of Pinpoint applications of one account and region, as a predicate.

    The table is looked up once. moto replaces it when it resets (its ``BaseBackend.reset``
    re-runs the backend's ``__init__``, which makes a new ``apps`` dict; ``/moto-api/reset``
    and ``MockAWS.reset`` reset every backend that way before dropping them), so
    :meth:`current` tells whether a reset happened since: the caller then starts afresh.

    Raises:
        ForbiddenError: moto has no Pinpoint backend for ``region`` (not a region Pinpoint
            runs in), as AWS refuses a signature scoped to such a region.
    """

    def __init__(self, account_id: str, region: str):
        try:
            self._backend = pinpoint_backends[account_id][region]
        except KeyError:
            raise ForbiddenError(
                f"Credential should be scoped to a valid region, not {region[:64]!r}: Pinpoint "
                "does not run there (give the client a region such as us-east-1)."
            ) from None
        self._apps: dict[str, Any] = self._backend.apps

    def __call__(self, application_id: str) -> bool:
        """Does moto know this application?"""
        return application_id in self._apps

    def current(self) -> bool:
        """False once moto has reset its backends since this table was looked up."""
        return self._backend.apps is self._apps


class MotoTags:
    """The backend's :class:`~pinpoint_mock.backend.tags.TagStore` over moto's Pinpoint tagger
    of one account and region (looked up on each call, so a moto reset is followed)."""

    def __init__(self, account_id: str, region: str):
        self._account_id = account_id
        self._region = region

    def _tagger(self) -> Any:
        return pinpoint_backends[self._account_id][self._region].tagger

    def tags(self, arn: str) -> dict[str, str]:
        return dict(self._tagger().get_tag_dict_for_resource(arn))

    def add(self, arn: str, tags: Mapping[str, str]) -> None:
        tagger = self._tagger()
        tagger.tag_resource(arn, tagger.convert_dict_to_tags_input(dict(tags)))

    def drop(self, arn: str) -> None:
        self._tagger().delete_all_tags_for_resource(arn)


def passes_through(url: str) -> bool:
    """True when moto's configuration passes ``url`` through to the network (``mock_aws(
    config={"core": {"passthrough": {"urls": [...], "services": [...]}}})``), decided as
    moto's ``BotocoreStubber.process_request`` decides it: ``passthrough_url`` of the URL
    without its query, or ``passthrough_service`` of a service whose URL pattern
    (``moto.backend_index.backend_url_patterns``) matches it. The one way a request leaves
    the process while a mock is active, besides loopback."""
    from moto import backend_index
    from moto.core.config import passthrough_service, passthrough_url

    parts = urlsplit(url)
    clean = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if passthrough_url(clean):
        return True
    return any(pattern.match(clean) and passthrough_service(service)
               for service, pattern in backend_index.backend_url_patterns)


def moto_refusal(
    operation: str, account_id: str, region: str, params: Mapping[str, Any]
) -> Optional[PinpointError]:
    """The error for a valid request that moto would fail to answer (a Python exception out
    of moto), or None to let moto answer it.

    One case: DeleteEventStream of an application that has no event stream (moto's
    ``App.delete_event_stream`` returns None, on which its handler calls ``to_json``); it is
    a 404 NotFoundException, as moto's GetEventStream answers the same application.
    """
    if operation != "DeleteEventStream":
        return None
    app = pinpoint_backends[account_id][region].apps.get(params.get("ApplicationId", ""))
    if app is not None and getattr(app, "event_stream", None) is None:
        return NotFoundError(
            f"Application '{app.application_id}' has no event stream to delete."
        )
    return None


def served_operations(paths: Mapping[str, tuple[str, str]]) -> frozenset[str]:
    """The Pinpoint operations moto answers, of ``{operation: (method, sample path)}``.

    Decided as moto decides it: one of the URL regexes of moto's Pinpoint backend matches the
    path on Pinpoint's host, and moto's ``PinpointResponse`` has the method named after the
    operation (``CreateApp`` -> ``create_app``), which moto calls for it.
    """
    backend = pinpoint_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    patterns = [re.compile(url) for url in backend.urls]
    methods = set(method_names_from_class(PinpointResponse))
    return frozenset(
        operation
        for operation, (_method, path) in paths.items()
        if camelcase_to_underscores(operation) in methods
        and any(pattern.match(_SAMPLE_HOST + path) for pattern in patterns)
    )


class _ChunkedReader(io.RawIOBase):
    """A read-only binary stream over a moto ``FakeKey``, a chunk at a time, never a full copy."""

    def __init__(self, key: Any):
        self._key = key
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Raises: OSError: the key's data is gone (moto disposed of it: a reset of moto's
        state, or the object deleted or overwritten, while it was read)."""
        with self._key.lock:
            source = self._key._value_buffer
            try:
                source.seek(self._position)
                data = source.read(len(buffer))
            except ValueError:  # "I/O operation on closed file": moto closed the key's buffer
                raise OSError("the object was deleted while it was read (moto's S3 state was "
                              "reset, or the object deleted or overwritten)") from None
        size = len(data)
        buffer[:size] = data
        self._position += size
        return size


class MotoS3Objects:
    """The importer's :class:`~pinpoint_mock.backend.operations.ObjectSource` over moto's S3."""

    def __init__(self, account_id: str):
        self._account_id = account_id

    def objects(self, bucket: str, prefix: str) -> list[SourceObject]:
        """The object ``prefix`` if it exists, else every object whose key starts with it.

        Raises:
            ObjectSourceError: the bucket does not exist.
        """
        backend = s3_backends[self._account_id]["aws"]
        fake_bucket = backend.buckets.get(bucket)
        if fake_bucket is None:
            raise ObjectSourceError(f"the bucket '{bucket}' does not exist (NoSuchBucket).")
        keys = fake_bucket.keys
        names = [prefix] if prefix and prefix in keys else sorted(
            name for name in list(keys.keys()) if name.startswith(prefix)
        )
        found = []
        for name in names:
            key = keys.get(name)
            if key is None or not hasattr(key, "_value_buffer") or name.endswith("/"):
                continue  # delete markers and "folder" placeholders
            found.append(SourceObject(key=name, bucket=bucket, open=_opener(key), size=key.size))
        return found


def _opener(key: Any) -> Callable[[], BinaryIO]:
    def open_key() -> BinaryIO:
        return io.BufferedReader(_ChunkedReader(key), buffer_size=1 << 16)

    return open_key



class MotoS3Writer:
    """The exporter's :class:`~pinpoint_mock.backend.exporter.ObjectSink` over moto's S3: export
    jobs write their objects as if with PutObject (moto's event notifications included)."""

    def __init__(self, account_id: str):
        self._account_id = account_id

    def bucket_exists(self, bucket: str) -> bool:
        """True when moto's S3 has ``bucket`` in this account."""
        return bucket in s3_backends[self._account_id]["aws"].buckets

    def put_objects(self, bucket: str, objects: Sequence[tuple[str, bytes]]) -> None:
        """Put every ``(key, data)`` object into ``bucket``, in order.

        Raises:
            ObjectSinkError: the bucket does not exist (nothing is written).
        """
        from moto.s3.exceptions import MissingBucket

        backend = s3_backends[self._account_id]["aws"]
        if bucket not in backend.buckets:
            raise ObjectSinkError(f"the bucket '{bucket}' does not exist (NoSuchBucket).")
        try:
            for key, data in objects:
                backend.put_object(bucket_name=bucket, key_name=key, value=data)
        except MissingBucket:  # deleted meanwhile: with it, what was written is gone too
            raise ObjectSinkError(f"the bucket '{bucket}' does not exist (NoSuchBucket).") from None
