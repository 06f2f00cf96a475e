"""The pytest plugin, as a user meets it: test files with no conftest.py of their own, run by
pytest in a subprocess (the plugin is found through the package's ``pytest11`` entry point)."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import textwrap
from pathlib import Path

import pytest

from pinpoint_mock import pytest_plugin

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "pytest-unittest-async.md"


def _readme_user_file() -> str:
    """The first Python block of the docs page "pytest, unittest and async"."""
    section = PAGE.read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_readme_user_file_passes_on_two_workers_in_random_order(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_audience=_readme_user_file())
    assert not list(pytester.path.rglob("conftest.py"))
    result = pytester.runpytest_subprocess("-n", "2", "--random-order", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_marker_is_documented_by_pytest_markers(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.pinpoint_imports(**options): serve Pinpoint import jobs (and moto's AWS) "
        "from memory for the test, as mock_pinpoint_imports(**options) does; options "
        "(progression, schedule, *) merge from module, class and test, the closest winning.",
    ])
    assert result.ret == 0


def test_the_fixtures_are_listed_with_their_docstrings(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures")
    for lines in (
        ["aws_credentials -- *pinpoint_mock?pytest_plugin.py:*",
         "    Fake AWS credentials and region (us-east-1) for the test, undone after it."],
        ["pinpoint_imports -- *pinpoint_mock?pytest_plugin.py:*",
         "    The active mock, fresh for each test: *"],
        ["pinpoint_client -- *pinpoint_mock?pytest_plugin.py:*",
         "    A boto3 Pinpoint client in the ``aws_credentials`` region (us-east-1), served by*"],
    ):
        result.stdout.fnmatch_lines(lines, consecutive=True)


MARKERS = '''
    import unittest

    import boto3
    import pytest
    from pinpoint_mock import Schedule

    pytestmark = pytest.mark.pinpoint_imports(progression="manual", seed=1)
    ROLE = "arn:aws:iam::123456789012:role/PinpointImport"


    def job_status_after(client, seconds, mock):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="audience")
        s3.put_object(Bucket="audience", Key="a.csv", Body=b"ChannelType,Address\\nSMS,+1555\\n")
        app = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]
        job = client.create_import_job(ApplicationId=app["Id"], ImportJobRequest={
            "Format": "CSV", "S3Url": "s3://audience/a.csv", "RoleArn": ROLE})
        mock.advance(seconds)
        return client.get_import_job(ApplicationId=app["Id"], JobId=job["ImportJobResponse"]["Id"])[
            "ImportJobResponse"]["JobStatus"]


    def test_module_marker(pinpoint_imports, pinpoint_client):
        assert job_status_after(pinpoint_client, 3600, pinpoint_imports) == "CREATED"


    @pytest.mark.pinpoint_imports(progression="time", schedule=Schedule(created=100.0))
    class TestClassMarker:
        def test_class_marker(self, pinpoint_imports, pinpoint_client):
            assert job_status_after(pinpoint_client, 50, pinpoint_imports) == "CREATED"

        @pytest.mark.pinpoint_imports(schedule=Schedule(created=10.0, initializing=100.0))
        def test_closest_marker_wins_option_by_option(self, pinpoint_imports, pinpoint_client):
            # progression="time" from the class, schedule from the test
            assert job_status_after(pinpoint_client, 50, pinpoint_imports) == "INITIALIZING"


    @pytest.mark.pinpoint_imports(progresion="immediate")
    def test_unknown_option(pinpoint_imports):
        raise AssertionError("not reached")


    @pytest.mark.pinpoint_imports("immediate")
    def test_positional_option():
        raise AssertionError("not reached")


    @pytest.mark.pinpoint_imports(progression="fast")
    def test_bad_value(pinpoint_client):
        raise AssertionError("not reached")


    class TestUnittestClass(unittest.TestCase):
        def setUp(self):
            self.client = boto3.client("pinpoint")
            self.client.create_app(CreateApplicationRequest={"Name": "x"})

        def test_the_module_marker_covers_unittest_classes(self):
            assert len(self.client.get_apps()["ApplicationsResponse"]["Item"]) == 1
'''

ENVIRONMENT = '''
    import os

    import boto3

    BEFORE = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


    def test_credentials_and_region_are_fake(aws_credentials):
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert not os.path.exists(os.environ["AWS_CONFIG_FILE"])
        assert not os.path.exists(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
        assert "AWS_PROFILE" not in os.environ and "AWS_ENDPOINT_URL_S3" not in os.environ


    def test_a_test_may_set_its_own_variables(monkeypatch, pinpoint_client):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        monkeypatch.setenv("MY_FEATURE", "on")
        assert boto3.client("pinpoint").meta.region_name == "eu-west-1"
        assert os.environ["AWS_ACCESS_KEY_ID"] == "mine"


    def test_zz_the_environment_is_as_before():
        after = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        assert after == BEFORE
'''


def test_markers_merge_bad_options_fail_and_the_environment_is_restored(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real-looking set-up that aws_credentials must keep away from the tests.
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    pytester.makepyfile(test_markers=textwrap.dedent(MARKERS),
                        test_zz_environment=textwrap.dedent(ENVIRONMENT))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    allowed = ", ".join(pytest_plugin.option_names())
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_unknown_option*",
        f"Unknown option 'progresion' in @pytest.mark.pinpoint_imports; use only {allowed}.",
        "*ERROR at setup of test_positional_option*",
        f"@pytest.mark.pinpoint_imports takes keyword options only ({allowed}), "
        'e.g. @pytest.mark.pinpoint_imports(progression="immediate").',
        "*ERROR at setup of test_bad_value*",
        "Bad option in @pytest.mark.pinpoint_imports: progression must be one of 'time', "
        "'per_read', 'manual', 'immediate'; got 'fast'.",
    ], consecutive=True)
    result.assert_outcomes(passed=7, errors=3)


USES_THE_FIXTURES = """
    def test_the_fixtures_are_there(pinpoint_imports, pinpoint_client):
        pinpoint_client.create_app(CreateApplicationRequest={"Name": "x"})
        assert len(pinpoint_client.get_apps()["ApplicationsResponse"]["Item"]) == 1
        # the mock serves (and records) the app calls too
        assert [c.operation for c in pinpoint_imports.calls] == ["CreateApp", "GetApps"]
"""


def test_only_the_package_is_installed_and_the_entry_point_names_its_plugin() -> None:
    distribution = importlib.metadata.distribution("pinpoint-mock")
    assert (distribution.read_text("top_level.txt") or "").split() == ["pinpoint_mock"]
    [entry_point] = [ep for ep in distribution.entry_points if ep.group == "pytest11"]
    assert (entry_point.name, entry_point.value) == ("pinpoint_imports",
                                                     "pinpoint_mock.pytest_plugin")


def test_a_project_file_named_conftest_plugin_does_not_shadow_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    # python -m pytest puts the current directory first on sys.path: a project module named
    # like the plugin's old top-level module used to replace it (and its fixtures) silently.
    pytester.makepyfile(conftest_plugin="PROJECT_SETTING = 1\n",
                        test_project=textwrap.dedent(USES_THE_FIXTURES))
    result = pytester.run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("autoload", ["1", "0"], ids=["autoload-disabled", "autoload-enabled"])
def test_the_repository_conftest_plugin_file_can_be_listed_in_pytest_plugins(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, autoload: str
) -> None:
    # A project that copies the repository's conftest_plugin.py and lists it gets the same
    # fixtures and one marker, with or without the installed entry point also loading.
    if autoload == "1":
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    else:
        monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makepyfile(conftest_plugin=(ROOT / "conftest_plugin.py").read_text("utf-8"))
    pytester.makeconftest('pytest_plugins = ["conftest_plugin"]\n')
    pytester.makepyfile(test_project=textwrap.dedent(USES_THE_FIXTURES) + textwrap.dedent("""
        import pytest

        @pytest.mark.pinpoint_imports(progression="immediate")
        def test_the_marker_starts_the_mock(pinpoint_imports):
            assert pinpoint_imports.active
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    markers = pytester.runpytest_subprocess("--markers", "-p", "no:cacheprovider")
    assert markers.stdout.str().count("@pytest.mark.pinpoint_imports(") == 1


def test_conftest_plugin_re_exports_every_hook_and_fixture_of_the_plugin() -> None:
    def is_fixture(value: object) -> bool:
        kind = getattr(sys.modules["_pytest.fixtures"], "FixtureFunctionDefinition", None)
        if kind is not None:
            return isinstance(value, kind)
        return hasattr(value, "_pytestfixturefunction")  # pytest < 8.4

    plugin_names = {name for name, value in vars(pytest_plugin).items()
                    if name.startswith("pytest_") or is_fixture(value)}
    assert plugin_names == set(pytest_plugin.__all__)
    import conftest_plugin

    assert all(getattr(conftest_plugin, name) is getattr(pytest_plugin, name)
               for name in plugin_names)
