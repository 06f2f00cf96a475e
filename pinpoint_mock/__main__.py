"""``python -m pinpoint_mock``: the same command line as the ``pinpoint-mock`` console script
(``demo``, ``serve``; see :mod:`pinpoint_mock._cli`)."""

from __future__ import annotations

import sys

from pinpoint_mock._cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m pinpoint_mock"))
