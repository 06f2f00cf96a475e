"""Pinpoint's modeled errors, as raised by the backend.

Each class carries the HTTP status and the error code of one error shape of botocore's
``pinpoint/2016-12-01/service-2.json``; the HTTP layer turns them into responses with the
``x-amzn-ErrorType`` header, so botocore raises ``client.exceptions.<Code>``.
"""

from __future__ import annotations


class PinpointError(Exception):
    """An error Pinpoint answers with.

    Attributes:
        code: the error shape name, e.g. ``"NotFoundException"`` (sent as ``x-amzn-ErrorType``).
        status: the HTTP status code, e.g. ``404``.
        message: the ``Message`` member of the error body.
    """

    code = "InternalServerErrorException"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadRequestError(PinpointError):
    """400 ``BadRequestException``: the request is malformed; the message names the field."""

    code = "BadRequestException"
    status = 400


class ForbiddenError(PinpointError):
    """403 ``ForbiddenException``."""

    code = "ForbiddenException"
    status = 403


class NotFoundError(PinpointError):
    """404 ``NotFoundException``: an application, segment or job that does not exist."""

    code = "NotFoundException"
    status = 404


class MethodNotAllowedError(PinpointError):
    """405 ``MethodNotAllowedException``."""

    code = "MethodNotAllowedException"
    status = 405


class PayloadTooLargeError(PinpointError):
    """413 ``PayloadTooLargeException`` (the API reference calls it RequestEntityTooLarge)."""

    code = "PayloadTooLargeException"
    status = 413


class TooManyRequestsError(PinpointError):
    """429 ``TooManyRequestsException``; botocore retries it."""

    code = "TooManyRequestsException"
    status = 429


class InternalServerError(PinpointError):
    """500 ``InternalServerErrorException``; botocore retries it."""

    code = "InternalServerErrorException"
    status = 500
