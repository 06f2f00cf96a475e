"""``python -m pinpoint_mock demo``: the whole import story on the shipped sample files."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run a command; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m pinpoint_mock")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "demo",
        help="import the shipped endpoint files through boto3 inside the mock and check "
        "every outcome (exit 0 only if all match)",
    )
    parser.parse_args(argv)
    from pinpoint_mock._demo import run_demo

    return run_demo(sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
