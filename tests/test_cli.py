"""The command line: one parser for ``python -m pinpoint_mock`` and ``pinpoint-mock``; ``serve``
as a user runs it (URL printed, options applied, clean exit on SIGINT and SIGTERM)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest

import pinpoint_mock
from pinpoint_mock._cli import main
from tests.serve_process import clean_environment, served

CONSOLE_SCRIPT = Path(sys.executable).with_name("pinpoint-mock")
ENTRY_POINTS = [[sys.executable, "-m", "pinpoint_mock"], [str(CONSOLE_SCRIPT)]]


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120,
                          env=clean_environment())


@pytest.mark.parametrize("command", ENTRY_POINTS, ids=["python -m", "console script"])
def test_help_says_what_the_package_is_and_lists_the_commands(command: list[str]) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    prog = "python -m pinpoint_mock" if command[0] == sys.executable else "pinpoint-mock"
    assert text.startswith(f"usage: {prog} [-h] [--version] {{demo,serve}} ...")
    assert ("pinpoint_mock: Amazon Pinpoint's import jobs, segments and endpoints, served from "
            "memory for tests (on moto).") in text
    assert "demo import the shipped sample files" in text
    assert "serve serve the mock on a port" in text


def in_process(capsys: pytest.CaptureFixture[str], prog: str, *args: str) -> tuple[int, str, str]:
    """``main(args)`` as the entry point ``prog`` runs it: (exit status, stdout, stderr)."""
    try:
        status = main(list(args), prog=prog)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


PROGS = ["python -m pinpoint_mock", "pinpoint-mock"]


@pytest.mark.parametrize("prog", PROGS)
def test_version(capsys: pytest.CaptureFixture[str], prog: str) -> None:
    assert in_process(capsys, prog, "--version") == (
        0, f"pinpoint-mock {pinpoint_mock.__version__}\n", "")


@pytest.mark.parametrize("args, error", [
    ([], "error: a command is required: demo or serve"),
    (["deploy"], "error: argument command: invalid choice: 'deploy' (choose from "),
])
@pytest.mark.parametrize("prog", PROGS)
def test_a_missing_or_unknown_command_prints_the_help_s_first_lines_and_exits_2(
    capsys: pytest.CaptureFixture[str], prog: str, args: list[str], error: str
) -> None:
    status, out, err = in_process(capsys, prog, *args)
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"usage: {prog} [-h] [--version] {{demo,serve}} ..."
    assert "pinpoint_mock: Amazon Pinpoint's import jobs" in err
    assert any(line.strip().startswith("demo ") for line in lines)
    assert any(line.strip().startswith("serve ") for line in lines)
    assert "--version   show" not in err  # the first lines only, not the options
    assert f"{prog}: {error}" in err


def test_a_command_is_required_also_from_the_command_line() -> None:
    result = run(ENTRY_POINTS[0])
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m pinpoint_mock [-h] [--version] ")


def test_serve_prints_its_url_answers_and_exits_0_on_sigterm() -> None:
    with served() as server:
        assert server.first_line.startswith(f"pinpoint-mock {pinpoint_mock.__version__} serving "
                                            "on http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.url}/_pinpoint_mock/health", timeout=10) as reply:
            assert json.load(reply)["status"] == "running"
        server.process.send_signal(signal.SIGTERM)
        out, err = server.process.communicate(timeout=20)
        assert server.process.returncode == 0, err
        assert out.endswith("pinpoint-mock: stopped.\n")


def test_serve_exits_0_on_sigint() -> None:
    with served() as server:
        server.process.send_signal(signal.SIGINT)
        _, err = server.process.communicate(timeout=20)
        assert server.process.returncode == 0, err
        assert "Traceback" not in err


def test_serve_applies_the_mock_s_options() -> None:
    with served("--progression", "per_read", "--max-running-jobs", "1",
                "--schedule", "per_piece=0.5,completing=1") as server:
        s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        s3.create_bucket(Bucket="audience")
        s3.put_object(Bucket="audience", Key="a.csv", Body=b"ChannelType,Address\nEMAIL,a@x.io\n")
        pinpoint = boto3.client("pinpoint", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        app_id = pinpoint.create_app(CreateApplicationRequest={"Name": "x"})[
            "ApplicationResponse"]["Id"]
        request = {"Format": "CSV", "S3Url": "s3://audience/a.csv",
                   "RoleArn": "arn:aws:iam::123456789012:role/Import"}
        first = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
        second = pinpoint.create_import_job(ApplicationId=app_id, ImportJobRequest=request)
        assert second["ImportJobResponse"]["JobStatus"] == "PENDING_JOB"  # max-running-jobs 1
        statuses = [pinpoint.get_import_job(ApplicationId=app_id, JobId=first[
            "ImportJobResponse"]["Id"])["ImportJobResponse"]["JobStatus"] for _ in range(2)]
        assert statuses == ["INITIALIZING", "PROCESSING"]  # per read


def test_a_port_in_use_is_one_sentence_and_status_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "pinpoint_mock", "serve", "--port",
                                 str(port)], capture_output=True, text=True, timeout=120,
                                env=clean_environment())
    assert result.returncode == 1
    assert result.stderr == (
        f"pinpoint-mock: Port {port} on 127.0.0.1 is already in use; stop what listens there, "
        "or pass another port (0 picks a free one).\n")


def test_serve_without_the_server_extra_says_what_to_install() -> None:
    code = ("import sys; sys.modules['flask'] = None\n"
            "from pinpoint_mock._cli import main\n"
            "sys.exit(main(['serve', '--port', '0']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=clean_environment())
    assert result.returncode == 1
    assert result.stderr == (  # one sentence: no moto warning before it
        "pinpoint-mock: Server mode needs moto's server extra, which is not installed: run "
        "pip install 'pinpoint-mock[server]' (or pip install 'moto[server]').\n")


@pytest.mark.parametrize("args, message", [
    (["--port", "99999"], "argument --port: '99999' is not a port; give a number from 0 to 65535"),
    (["--schedule", "slow=1"], "argument --schedule: 'slow=1' is not NAME=SECONDS with NAME one "
                               "of created, initializing, per_piece, completing, processing"),
    (["--schedule", "completing=-1"], "Schedule.completing must be a finite number of seconds"),
    (["--progression", "fast"], "argument --progression: invalid choice: 'fast'"),
    (["--max-running-jobs", "0"], "argument --max-running-jobs: '0' is not a whole number >= 1"),
])
def test_bad_serve_options_exit_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _, err = in_process(capsys, "pinpoint-mock", "serve", *args)
    assert status == 2
    assert err.startswith("usage: pinpoint-mock serve ")
    assert message in err
