"""``python -m pinpoint_mock demo``: runs the tests of :mod:`pinpoint_mock.demo_scenario`.

The scenario is a test file a user could have written (pytest runs it too); this runner calls
its ``test_`` functions in order with stdout going to ``out``, titles each with its docstring,
reports any failed assertion, and ends by naming the scenario's file. It runs inside a fake AWS
environment (as the plugin's ``aws_credentials`` fixture sets up), so the user's profile,
config files and endpoint URLs are never read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import traceback
import uuid
from typing import Callable, Iterator, TextIO

WIDTH = 100
"""No line the demo prints is longer (except the scenario's path, printed alone)."""
FIRST_LINE = ("This demo imports pinpoint_mock's sample endpoint files into a mocked "
              "Amazon Pinpoint.")
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextlib.contextmanager
def fake_aws_environment() -> Iterator[None]:
    """Fake credentials and region and no other ``AWS_*`` variable (no profile, endpoint URL,
    CA bundle, retry mode...), config files that do not exist; the environment is put back as
    it was on exit."""
    saved = dict(os.environ)
    missing = os.path.join(tempfile.gettempdir(), f"pinpoint-mock-demo-{uuid.uuid4().hex}")
    try:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(FAKE_ENVIRONMENT)
        os.environ["AWS_CONFIG_FILE"] = os.path.join(missing, "config")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(missing, "credentials")
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def scenario_tests() -> list[Callable[[], None]]:
    """The ``test_`` functions of the scenario, in the order the file defines them."""
    from pinpoint_mock import demo_scenario

    return [value for name, value in vars(demo_scenario).items()
            if name.startswith("test_") and callable(value)]


def run_demo(out: TextIO) -> int:
    """Run the demo, writing to ``out``; returns 0 when every test passed, 1 otherwise."""
    from pinpoint_mock import demo_scenario

    out.write(FIRST_LINE + "\n")
    out.write("It runs a short test file through boto3, with no AWS account, and checks every "
              "outcome.\n")
    tests = scenario_tests()
    failed = []
    with fake_aws_environment():
        for number, test in enumerate(tests, 1):
            title = (test.__doc__ or test.__name__).strip().splitlines()[0]
            out.write(f"\n{number}. {title}\n")
            try:
                with contextlib.redirect_stdout(out):
                    test()
            except Exception as error:  # an assertion, or anything else: report, go on
                failed.append(test.__name__)
                kind = "FAILED" if isinstance(error, AssertionError) else "ERROR"
                out.write(f"  {kind}: {test.__name__}\n")
                for line in traceback.format_exception_only(type(error), error):
                    out.write(f"  {line.rstrip()[: WIDTH - 2]}\n")
            else:
                out.write("  ok\n")
    out.write("\n")
    if failed:
        out.write(f"{len(failed)} of {len(tests)} checks failed: {', '.join(failed)}.\n")
    else:
        out.write(f"All {len(tests)} checks passed.\n")
    out.write("The code that did this is a test file you can read, copy and run with pytest:\n")
    out.write(f"  {demo_scenario.__file__}\n")
    return 1 if failed else 0
