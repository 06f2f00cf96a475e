"""The app calls around an import — CreateApp, GetApp, GetApps, DeleteApp — served by the mock
over moto's app registry while a mock is active.

moto keeps the applications (``pinpoint_backends[account][region].apps``, its ``App`` records
and ``create_app`` / ``delete_app``) and their tags (its tagger): the mock creates, reads and
deletes through them, so moto's other Pinpoint calls (GetApplicationSettings, TagResource,
ListTagsForResource, ...) see the same apps. What the mock answers is the model's shape, which
moto's own answer is not (checked against botocore's ``ApplicationResponse`` and
``ApplicationsResponse``):

* ``CreationDate`` is an ISO 8601 string (``2026-03-01T10:00:12.000Z``), on the mock's clock
  for an app created while the mock is active (moto answers a float of POSIX seconds);
* ``tags`` is always present, ``{}`` when the app has none (moto's GetApp and GetApps omit it);
* GetApps honours ``PageSize`` and ``Token`` like the mock's other listings: oldest first,
  ``NextToken`` absent on the last page, a token valid only for the listing that issued it
  (moto returns every app and ignores both);
* an unknown application is 404 ``NotFoundException`` "Application not found", Pinpoint's
  text, with the mock's request id.

moto internals used (canaries in ``tests/test_canaries.py``): ``PinpointBackend.create_app
(name, tags)``, ``.delete_app(application_id)``, ``.apps`` (a dict, in creation order) and
``.tagger``; ``App.application_id``, ``.arn``, ``.name``, ``.created``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from moto.pinpoint.models import pinpoint_backends

from pinpoint_mock._moto import MotoTags
from pinpoint_mock.backend.errors import BadRequestError, NotFoundError
from pinpoint_mock.backend.models import iso8601
from pinpoint_mock.backend.operations import Backend
from pinpoint_mock.backend.store import Listing

APP_OPERATIONS: Mapping[str, str] = {
    "CreateApp": "create_app",
    "GetApp": "get_app",
    "GetApps": "get_apps",
    "DeleteApp": "delete_app",
}
"""The app operations the mock answers, with the :class:`AppCalls` method of each."""


class AppCalls:
    """The app operations of one account and region (its :class:`Backend`'s)."""

    def __init__(self, backend: Backend):
        store = backend.store
        self._backend = backend
        self._store = store
        self._moto = pinpoint_backends[store.account_id][store.region]
        self._tags = MotoTags(store.account_id, store.region)

    def create_app(self, CreateApplicationRequest: Mapping[str, Any]) -> dict[str, Any]:
        """CreateApp: a new application (moto's record), 201 with its ``ApplicationResponse``.

        Raises:
            BadRequestError: ``Name`` missing or not a string; ``tags`` not a map of strings.
        """
        request = dict(CreateApplicationRequest or {})
        name = request.get("Name")
        if not isinstance(name, str) or not name:
            raise BadRequestError("CreateApplicationRequest.Name is required: the app's name.")
        tags = request.get("tags") or {}
        if not isinstance(tags, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
        ):
            raise BadRequestError("CreateApplicationRequest.tags must map strings to strings.")
        with self._store.lock:
            app = self._moto.create_app(name=name, tags=dict(tags))
            self._store.app_seen(app.application_id, self._backend.clock())
        return self._response(app)

    def get_app(self, ApplicationId: str) -> dict[str, Any]:
        """GetApp. Raises NotFoundError ("Application not found") for an unknown app."""
        return self._response(self._app(ApplicationId))

    def get_apps(self, PageSize: Optional[str] = None, Token: Optional[str] = None
                 ) -> dict[str, Any]:
        """GetApps: every application of the account and region, oldest first, paged.

        Raises:
            BadRequestError: a bad ``PageSize`` or ``Token`` (see the store's paging).
        """
        store = self._store
        with store.lock:
            apps = list(self._moto.apps.values())
            for app in apps:  # apps made by moto before the mock saw them: in moto's order
                store.app_seen(app.application_id, float(app.created))
            listing: Listing[Any] = Listing(lambda app: store.app_seen(app.application_id)[0])
            for app in sorted(apps, key=listing.sequence_of):
                listing.append(app)
        page = store.page(listing, ("GetApps",), PageSize, Token)
        body: dict[str, Any] = {"Item": [self._response(app) for app in page.items]}
        if page.next_token is not None:
            body["NextToken"] = page.next_token
        return body

    def delete_app(self, ApplicationId: str) -> dict[str, Any]:
        """DeleteApp: removes the application (and its tags); returns it as it was.

        Raises:
            NotFoundError: unknown application.
        """
        with self._store.lock:
            app = self._app(ApplicationId)
            response = self._response(app)
            self._moto.delete_app(application_id=ApplicationId)
            self._tags.drop(app.arn)
            self._store.forget_app(ApplicationId)
        return response

    def _app(self, application_id: str) -> Any:
        app = self._moto.apps.get(application_id)
        if app is None:
            raise NotFoundError("Application not found")
        return app

    def _response(self, app: Any) -> dict[str, Any]:
        """The ``ApplicationResponse`` of a moto ``App``."""
        created = self._store.app_seen(app.application_id, float(app.created))[1]
        return {
            "Arn": app.arn,
            "CreationDate": iso8601(created),
            "Id": app.application_id,
            "Name": app.name,
            "tags": self._tags.tags(app.arn),
        }
