"""The JavaScript SDK v3 (@aws-sdk/client-pinpoint, @aws-sdk/client-s3, pinned by
tests/clients/js/package-lock.json, installed by ``npm ci`` in .ci/run) against
``pinpoint-mock serve``: docs/server.md's example, tests/clients/js/story.mjs."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

from tests.real_clients import CLIENTS, missing, shown_file
from tests.serve_process import clean_environment, served

PROJECT = CLIENTS / "js"
STORY = PROJECT / "story.mjs"


def test_the_docs_show_the_file_that_runs() -> None:
    assert shown_file("server.md", "tests/clients/js/story.mjs") == STORY.read_text()


def test_the_lock_file_pins_the_two_clients() -> None:
    lock = json.loads((PROJECT / "package-lock.json").read_text())
    for name in ("@aws-sdk/client-pinpoint", "@aws-sdk/client-s3"):
        assert lock["packages"][f"node_modules/{name}"]["version"]


def test_the_javascript_sdk_story() -> None:
    node = shutil.which("node")
    if node is None or not (PROJECT / "node_modules" / "@aws-sdk" / "client-pinpoint").is_dir():
        missing("node with tests/clients/js/node_modules (npm ci in tests/clients/js)")
    with served() as server:
        result = subprocess.run([str(node), str(STORY)], cwd=PROJECT, capture_output=True,
                                text=True, timeout=300,
                                env=clean_environment(PINPOINT_MOCK_URL=server.url))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "import job COMPLETED, 429 became TooManyRequestsException" in result.stdout
        with urllib.request.urlopen(f"{server.url}/_pinpoint_mock/calls", timeout=10) as reply:
            calls = json.load(reply)["calls"]
    assert [(c["operation"], c["status"]) for c in calls[-3:]] == [
        ("GetSegmentImportJobs", 429)] * 3
    assert {c["operation"]: c["answered_by"] for c in calls}["CreateApp"] == "mock"
