"""pinpoint_mock: Amazon Pinpoint import jobs, served from memory to boto3, for tests.

>>> from pinpoint_mock import mock_pinpoint_imports
>>> with mock_pinpoint_imports() as mock:
...     ...  # boto3 Pinpoint and S3 calls are mocked here
"""

from pinpoint_mock._faults import Fault, FaultRule, UnfiredFaultsError
from pinpoint_mock._job_control import AmbiguousJobError, JobNotFoundError
from pinpoint_mock._mock import PinpointImportsMock, mock_pinpoint_imports
from pinpoint_mock._server import MockServerError, PinpointMockServer
from pinpoint_mock._transport import UnservedRequestError
from pinpoint_mock.backend.lifecycle import JobStatus, Schedule
from pinpoint_mock.backend.progression import JobStateError

__version__ = "0.1.0"

__all__ = [
    "AmbiguousJobError",
    "Fault",
    "FaultRule",
    "JobNotFoundError",
    "JobStateError",
    "JobStatus",
    "MockServerError",
    "PinpointImportsMock",
    "PinpointMockServer",
    "Schedule",
    "UnfiredFaultsError",
    "UnservedRequestError",
    "__version__",
    "mock_pinpoint_imports",
]
