"""Shared by the tests of real clients (the AWS CLI, the JavaScript SDK): the example file a
docs page shows, and whether a missing client skips or fails."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "tests" / "clients"
REQUIRED = os.environ.get("PINPOINT_MOCK_REQUIRE_CLIENTS") == "1"
"""Set by .ci/run: a missing AWS CLI, node or npm install fails these tests instead of
skipping them."""


def missing(what: str) -> None:
    """Skip (locally) or fail (in CI) because ``what`` is not installed."""
    message = f"{what} is not installed (see .ci/run)"
    if REQUIRED:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def shown_file(page: str, name: str) -> str:
    """The fenced block of docs/``page`` right after the comment naming ``name``."""
    text = (ROOT / "docs" / page).read_text()
    pattern = re.compile(r"<!--[^>]*" + re.escape(name) + r"[^>]*-->\s*\n```[a-z]*\n(.*?)\n```",
                         re.S)
    match = pattern.search(text)
    assert match is not None, f"docs/{page} shows no block after a comment naming {name}"
    return match.group(1) + "\n"
