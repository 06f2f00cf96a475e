"""The command line: one parser for ``python -m pinpoint_mock`` and ``pinpoint-mock``.

``demo`` imports the shipped sample files inside the mock (:mod:`pinpoint_mock._demo`);
``serve`` runs the mock on a port (:mod:`pinpoint_mock._server`). A missing or unknown command
prints the help's first lines and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn, Optional, Sequence

from pinpoint_mock.backend.echo import echo

DESCRIPTION = (
    "pinpoint_mock: Amazon Pinpoint's import jobs, segments and endpoints, served from memory "
    "for tests (on moto). Run the demo, or serve the mock on a port for the AWS CLI and the "
    "other SDKs."
)


class _Parser(argparse.ArgumentParser):
    """The top-level parser: a bad command prints the help's first lines, then the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{help_head(self)}\n\n{self.prog}: error: {message}\n"
                     f"Run '{self.prog} --help' for every option.\n")


def help_head(top: argparse.ArgumentParser) -> str:
    """The help's first lines: usage, what the package is, and the commands (no options)."""
    lines = top.format_help().splitlines()
    head = lines[:lines.index("options:")] if "options:" in lines else lines
    commands = lines.index("commands:") if "commands:" in lines else len(lines)
    return "\n".join([*head, *lines[commands:]]).rstrip()


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{echo(text)} is not a port; give a number from 0 to 65535 (0: a free port)")
    return port


def _schedule(text: str) -> Any:
    from pinpoint_mock.backend.lifecycle import Schedule

    fields: dict[str, float] = {}
    names = [name for name in Schedule.__dataclass_fields__]
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in names or not value:
            raise argparse.ArgumentTypeError(
                f"{echo(part)} is not NAME=SECONDS with NAME one of {', '.join(names)}, "
                "e.g. per_piece=0.5,completing=1")
        try:
            fields[name] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{echo(value)} is not a number of seconds") from None
    try:
        return Schedule(**fields)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise argparse.ArgumentTypeError(f"{echo(text)} is not a whole number >= 1")
    return value


def parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser both entry points share."""
    from pinpoint_mock import __version__
    from pinpoint_mock.backend.operations import PROGRESSIONS

    top = _Parser(prog=prog or "pinpoint-mock", description=DESCRIPTION)
    top.add_argument("--version", action="version", version=f"pinpoint-mock {__version__}")
    commands = top.add_subparsers(dest="command", title="commands")
    commands.add_parser(
        "demo", help="import the shipped sample files through boto3 inside the mock and check "
        "every outcome (exit 0 only if all match)",
        description="Import the shipped sample files through boto3 inside the mock.")
    serve = commands.add_parser(
        "serve", help="serve the mock on a port (and moto for every other AWS service), with "
        "a control plane under /_pinpoint_mock/",
        description="Serve the mock on a port: Pinpoint's import jobs, segments and endpoints "
        "from the mock, every other AWS request (S3, SQS, ...) from moto's server, and a "
        "control plane under /_pinpoint_mock/ (reset, clock, faults, jobs, calls).")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 in a container)")
    serve.add_argument("--port", type=_port, default=4566,
                       help="port to listen on (default 4566; 0 picks a free one, printed)")
    serve.add_argument("--progression", choices=PROGRESSIONS, default="time",
                       help="how jobs move through their statuses (default time)")
    serve.add_argument("--schedule", type=_schedule, metavar="NAME=SECONDS,...",
                       help="stage durations under the time progression, e.g. "
                       "per_piece=0.5,completing=1 (names: created, initializing, "
                       "processing, per_piece, completing)")
    serve.add_argument("--max-running-jobs", type=_positive, metavar="N",
                       help="jobs per account and region that run at once; others wait in "
                       "PENDING_JOB (default: no limit)")
    serve.add_argument("--seed", type=int, help="seed of the fault rules' probabilities")
    serve.add_argument("--quiet", action="store_true", help="log no request line")
    return top


def main(argv: Optional[Sequence[str]] = None, prog: Optional[str] = None) -> int:
    """Run a command; returns the process exit status."""
    top = parser(prog or os.path.basename(sys.argv[0] or "") or None)
    args = top.parse_args(argv)
    if args.command is None:
        top.error("a command is required: demo or serve")
    if args.command == "serve":
        return _serve(args)
    from pinpoint_mock._demo import run_demo

    return run_demo(sys.stdout)


def _serve(args: argparse.Namespace) -> int:
    from pinpoint_mock._mock import PinpointImportsMock
    from pinpoint_mock._server import serve

    mock = PinpointImportsMock(progression=args.progression, schedule=args.schedule,
                               max_running_jobs=args.max_running_jobs, seed=args.seed)
    return serve(mock, host=args.host, port=args.port, quiet=args.quiet)


def console_main() -> None:
    """The ``pinpoint-mock`` console script."""
    sys.exit(main(prog="pinpoint-mock"))
