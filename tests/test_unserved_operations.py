"""A Pinpoint operation that neither the mock nor moto serves gets one clear, modeled error.

Issue 10, item 6: instead of moto's bare "404 Not yet implemented" (no ``x-amzn-ErrorType``, so
botocore's error code is "404"), 405 MethodNotAllowedException with ``x-amzn-RequestId``,
``{"Message", "RequestID"}``, a message naming the operation, saying pinpoint_mock does not
serve it and listing what is served; recorded in ``mock.calls``.
"""

from __future__ import annotations

import datetime
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import Shape
from moto import mock_aws

from pinpoint_mock import _moto, mock_pinpoint_imports
from pinpoint_mock._apps import APP_OPERATIONS
from pinpoint_mock._dispatch import SERVED_OPERATIONS, moto_operations
from pinpoint_mock._routing import router
from tests.wire import unvalidated_client

MODEL = botocore.session.get_session().get_service_model("pinpoint")
OURS = {*SERVED_OPERATIONS, *APP_OPERATIONS}
UNSERVED = sorted(set(MODEL.operation_names) - OURS - moto_operations())


def _value(shape: Shape) -> Any:
    """A value of ``shape``'s type that botocore's serializer accepts (a list of one)."""
    if shape.type_name == "list":
        return [_value(shape.member)]
    return {
        "string": "sample", "integer": 1, "long": 1, "boolean": True, "double": 1.0,
        "timestamp": datetime.datetime(2026, 1, 1), "blob": b"x", "structure": {}, "map": {},
    }[shape.type_name]


def minimal_params(operation: str) -> dict[str, Any]:
    """The required members of ``operation``, each with a value of its type."""
    shape = MODEL.operation_model(operation).input_shape
    if shape is None:
        return {}
    return {name: _value(shape.members[name]) for name in shape.required_members}


def _call(client: Any, operation: str) -> ClientError:
    method = botocore.xform_name(operation)
    with pytest.raises(ClientError) as caught:
        getattr(client, method)(**minimal_params(operation))
    return caught.value


def test_the_unserved_operations_are_the_rest_of_the_model() -> None:
    assert len(UNSERVED) > 80  # campaigns, journeys, templates, channels, events, ...
    for name in ("CreateCampaign", "PutEvents", "CreateJourney", "SendMessages", "GetChannels"):
        assert name in UNSERVED
    assert {"GetApplicationSettings", "TagResource", "PutEventStream"} <= moto_operations()
    assert not moto_operations() & OURS


def test_every_unserved_operation_is_a_405_naming_it_and_recorded() -> None:
    with mock_pinpoint_imports() as mock:
        client = unvalidated_client()
        for operation in UNSERVED:
            error = _call(client, operation)
            response = error.response
            route = MODEL.operation_model(operation).http
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 405, operation
            assert response["Error"]["Code"] == "MethodNotAllowedException"
            assert isinstance(error, client.exceptions.MethodNotAllowedException)
            message = response["Error"]["Message"]
            assert message == (
                f"pinpoint_mock does not serve {operation} ({route['method']} "
                f"{route['requestUri']}). It serves import and export jobs, segments, endpoints "
                f"and apps: {', '.join(sorted(OURS))}; moto serves "
                f"{', '.join(sorted(moto_operations()))}."
            ), message
            headers = response["ResponseMetadata"]["HTTPHeaders"]
            assert headers["x-amzn-errortype"] == "MethodNotAllowedException"
            assert mock.calls[-1].operation == operation
            assert mock.calls[-1].status == 405
            assert mock.calls[-1].request_id == response["ResponseMetadata"]["RequestId"]
        assert len(mock.calls) == len(UNSERVED)


def test_an_unserved_call_records_its_members() -> None:
    with mock_pinpoint_imports() as mock:
        client = unvalidated_client()
        with pytest.raises(client.exceptions.MethodNotAllowedException):
            client.get_campaign(ApplicationId="app-1", CampaignId="c-1")
        assert mock.calls[-1].params == {"ApplicationId": "app-1", "CampaignId": "c-1"}


def test_a_fault_rule_still_answers_an_unserved_operation() -> None:
    from pinpoint_mock import Fault

    with mock_pinpoint_imports() as mock:
        mock.faults.add(Fault.throttle("PutEvents", times=1))
        client = unvalidated_client()
        with pytest.raises(client.exceptions.TooManyRequestsException):
            client.put_events(ApplicationId="a", EventsRequest={"BatchItem": {}})
        with pytest.raises(client.exceptions.MethodNotAllowedException):
            client.put_events(ApplicationId="a", EventsRequest={"BatchItem": {}})


MOTO_ALONE = _moto.served_operations(router().sample_paths())


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_moto_operations_are_exactly_those_moto_answers(operation: str) -> None:
    """The computed set (moto's routes and PinpointResponse methods) agrees with what moto,
    alone, does: it answers the operations of the set and says "Not yet implemented" (a bare
    404) for the others — the answer the mock replaces."""
    with mock_aws():
        client = unvalidated_client()
        try:
            getattr(client, botocore.xform_name(operation))(**minimal_params(operation))
        except ClientError as error:
            not_implemented = (error.response["Error"]["Code"] == "404"
                               and error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
                               and "x-amzn-errortype" not in
                               error.response["ResponseMetadata"]["HTTPHeaders"])
        except Exception:  # moto answered, with a body botocore could not read
            not_implemented = False
        else:
            not_implemented = False
    assert not_implemented == (operation not in MOTO_ALONE), operation
