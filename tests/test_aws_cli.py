"""The AWS CLI against ``pinpoint-mock serve``, as a user runs it: docs/server.md's script
(tests/clients/aws_cli_story.sh) puts the file in S3, creates the app and an import job, moves
the clock through the control plane, lists GetSegmentImportJobs and sees an injected 429 become
TooManyRequestsException after the CLI's retries."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.real_clients import CLIENTS, missing, shown_file
from tests.serve_process import clean_environment, served

STORY = CLIENTS / "aws_cli_story.sh"


def test_the_docs_show_the_script_that_runs() -> None:
    assert shown_file("server.md", "tests/clients/aws_cli_story.sh") == STORY.read_text()


def test_the_aws_cli_story(tmp_path: Path) -> None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        missing("The AWS CLI (pip awscli, in the test extra)")
    with served() as server:
        env = clean_environment(PINPOINT_MOCK_URL=server.url,
                                PATH=f"{Path(aws).parent}:{clean_environment()['PATH']}")
        result = subprocess.run(["bash", str(STORY)], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "COMPLETED\t2" in result.stdout.splitlines()
        error = re.search(r"An error occurred \(TooManyRequestsException\) when calling the "
                          r"GetSegmentImportJobs operation \(reached max retries: (\d)\): Too "
                          r"many requests", result.stderr)
        assert error is not None, result.stderr
        with urllib.request.urlopen(f"{server.url}/_pinpoint_mock/calls", timeout=10) as reply:
            calls = json.load(reply)["calls"]
    attempts = int(error.group(1)) + 1
    assert attempts == 3  # AWS_RETRY_MODE=standard
    listed = [c for c in calls if c["operation"] == "GetSegmentImportJobs"]
    assert [c["status"] for c in listed] == [200] + [429] * attempts
    assert calls[0]["operation"] == "CreateApp" and calls[0]["answered_by"] == "mock"
