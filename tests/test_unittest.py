"""unittest: the class decorator (setUp, setUpClass, inheritance), start()/stop() by hand, and
the environment a test sets. Classes are run by unittest's own runner so that what happens
around them (setUpClass, class cleanups, the mock stopping) can be checked."""

from __future__ import annotations

import os
import unittest
from typing import Any

import boto3
import pytest

from pinpoint_mock import _transport, mock_pinpoint_imports

REGION = "us-east-1"


def _run(*classes: type[unittest.TestCase]) -> unittest.TestResult:
    """Run the classes as unittest does (setUpClass, tests, tearDownClass, class cleanups)."""
    loader = unittest.TestLoader()
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(klass) for klass in classes)
    result = unittest.TestResult()
    suite.run(result)
    return result


def _assert_ok(result: unittest.TestResult, tests: int) -> None:
    problems = [text for _, text in result.errors + result.failures]
    assert not problems, "\n".join(problems)
    assert result.testsRun == tests
    assert not _transport.installed()


def _buckets() -> list[str]:
    return [b["Name"] for b in boto3.client("s3", region_name=REGION).list_buckets()["Buckets"]]


def _apps() -> int:
    client = boto3.client("pinpoint", region_name=REGION)
    return len(client.get_apps()["ApplicationsResponse"]["Item"])


def _create_app() -> None:
    boto3.client("pinpoint", region_name=REGION).create_app(
        CreateApplicationRequest={"Name": "u"})


def test_without_set_up_class_every_test_gets_fresh_data() -> None:
    seen: list[int] = []

    @mock_pinpoint_imports
    class Fresh(unittest.TestCase):
        def setUp(self) -> None:
            _create_app()

        def test_a(self) -> None:
            seen.append(_apps())

        def test_b(self) -> None:
            seen.append(_apps())

    _assert_ok(_run(Fresh), 2)
    assert seen == [1, 1]


def test_set_up_class_data_is_seen_by_every_test_until_the_class_cleanups() -> None:
    events: list[tuple[str, Any]] = []

    @mock_pinpoint_imports(progression="immediate")
    class Shared(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            boto3.client("s3", region_name=REGION).create_bucket(Bucket="made-in-setupclass")
            cls.addClassCleanup(lambda: events.append(("class cleanup", _buckets())))

        @classmethod
        def tearDownClass(cls) -> None:
            events.append(("tearDownClass", _buckets()))

        def setUp(self) -> None:
            self.addCleanup(lambda: events.append(("cleanup", _transport.installed())))

        def test_a(self) -> None:
            events.append(("test", _buckets()))

        def test_b(self) -> None:
            events.append(("test", _buckets()))

    _assert_ok(_run(Shared), 2)
    assert events == [
        ("test", ["made-in-setupclass"]), ("cleanup", True),
        ("test", ["made-in-setupclass"]), ("cleanup", True),
        ("tearDownClass", ["made-in-setupclass"]),
        ("class cleanup", ["made-in-setupclass"]),
    ]


def test_decorating_twice_still_gives_fresh_data_without_set_up_class() -> None:
    seen: list[int] = []

    @mock_pinpoint_imports
    @mock_pinpoint_imports(progression="manual")
    class Twice(unittest.TestCase):
        def setUp(self) -> None:
            _create_app()

        def test_a(self) -> None:
            seen.append(_apps())

        def test_b(self) -> None:
            seen.append(_apps())

    _assert_ok(_run(Twice), 2)
    assert seen == [1, 1]


def test_a_failing_set_up_class_stops_its_mock() -> None:
    @mock_pinpoint_imports
    class Broken(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            raise RuntimeError("no fixture today")

        def test_never_runs(self) -> None:
            raise AssertionError("not reached")

    result = _run(Broken)
    assert [type(test).__name__ for test, _ in result.errors] == ["_ErrorHolder"]
    assert "no fixture today" in result.errors[0][1]
    assert not _transport.installed()


def test_a_skipped_class_starts_no_mock() -> None:
    started: list[bool] = []

    @unittest.skip("not today")
    @mock_pinpoint_imports
    class Skipped(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            started.append(True)

        def test_skipped(self) -> None:
            started.append(True)

    result = _run(Skipped)
    assert len(result.skipped) == 1 and started == [] and not _transport.installed()


def test_subclasses_inherit_the_decoration_and_a_subclass_set_up_class_is_mocked() -> None:
    seen: list[tuple[str, Any]] = []

    @mock_pinpoint_imports
    class Base(unittest.TestCase):
        def setUp(self) -> None:
            _create_app()

        def test_apps(self) -> None:
            seen.append((type(self).__name__, _apps()))

    class PlainChild(Base):
        """No setUpClass: fresh data for each test, as in Base."""

    class ChildWithSetUpClass(Base):
        @classmethod
        def setUpClass(cls) -> None:
            super().setUpClass()
            _create_app()

    _assert_ok(_run(PlainChild, ChildWithSetUpClass), 2)
    assert sorted(seen) == [("ChildWithSetUpClass", 2), ("PlainChild", 1)]


def test_a_decorated_base_with_set_up_class_serves_its_subclasses() -> None:
    seen: list[list[str]] = []

    @mock_pinpoint_imports
    class Base(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            boto3.client("s3", region_name=REGION).create_bucket(Bucket=cls.__name__.lower())

    class ChildOne(Base):
        def test_bucket(self) -> None:
            seen.append(_buckets())

    class ChildTwo(Base):
        def test_bucket(self) -> None:
            seen.append(_buckets())

    _assert_ok(_run(ChildOne, ChildTwo), 2)
    assert seen == [["childone"], ["childtwo"]]


@pytest.mark.parametrize("stop_in", ["addCleanup", "tearDown"])
def test_start_in_set_up_and_stop_in_tear_down_or_a_cleanup(stop_in: str) -> None:
    seen: list[int] = []

    class ByHand(unittest.TestCase):
        def setUp(self) -> None:
            self.mock = mock_pinpoint_imports(progression="manual").start()
            if stop_in == "addCleanup":
                self.addCleanup(self.mock.stop)
            _create_app()

        def tearDown(self) -> None:
            if stop_in == "tearDown":
                self.mock.stop()

        def test_one(self) -> None:
            seen.append(_apps())

        def test_two(self) -> None:
            seen.append(_apps())

    _assert_ok(_run(ByHand), 2)
    assert seen == [1, 1]


def test_environment_variables_the_test_sets_survive() -> None:
    name = "PINPOINT_MOCK_TEST_FLAG"
    seen: list[Any] = []

    @mock_pinpoint_imports
    class SetsEnvironment(unittest.TestCase):
        def setUp(self) -> None:
            os.environ[name] = "on"
            os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"

        def test_sees_them(self) -> None:
            seen.append((os.environ[name], boto3.client("pinpoint").meta.region_name))

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "the-users-own")
        _assert_ok(_run(SetsEnvironment), 1)
        assert seen == [("on", "eu-west-1")]
        # What the test set is still there; what moto faked is back to the user's value.
        assert os.environ[name] == "on" and os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
        assert os.environ["AWS_ACCESS_KEY_ID"] == "the-users-own"
        os.environ.pop(name)


def test_moto_fakes_the_keys_inside_and_puts_back_a_value_set_before_start() -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "before")
        mock = mock_pinpoint_imports().start()
        try:
            assert os.environ["AWS_ACCESS_KEY_ID"] == "FOOBARKEY"
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "set-inside")
        finally:
            mock.stop()
        assert os.environ["AWS_ACCESS_KEY_ID"] == "before"


@mock_pinpoint_imports
class CollectedByPytest(unittest.TestCase):
    """The same decorator on a class pytest collects itself (setUpClass via pytest's fixture)."""

    @classmethod
    def setUpClass(cls) -> None:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="collected")

    def test_bucket_from_set_up_class(self) -> None:
        assert "collected" in _buckets()
