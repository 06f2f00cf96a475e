"""The docs as a whole: the README's set-up commands are the ones CI runs, every page is in the
site's navigation, and the site builds with ``mkdocs build --strict`` (the code blocks
themselves are test items of their own: tests/doc_examples.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def shell_blocks(path: Path) -> list[str]:
    """The ``sh`` blocks of a page, in order."""
    return re.findall(r"^```sh\n(.*?)^```", path.read_text("utf-8"), re.S | re.M)


def test_the_readme_set_up_commands_are_the_ones_ci_runs() -> None:
    blocks = shell_blocks(ROOT / "README.md")
    assert len(blocks) == 2
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    for block in blocks:
        command = block.strip()
        assert command.startswith(VENV), command
        assert "python -m pinpoint_mock demo" in blocks[0]
        assert any(line.strip().startswith(command[len(VENV):]) for line in ci), (
            f".ci/run does not run the README's command {command[len(VENV):]!r} verbatim")


def test_every_docs_page_is_in_the_site_navigation() -> None:
    def pages_of(nav: object) -> set[str]:
        if isinstance(nav, str):
            return {nav}
        if isinstance(nav, dict):
            return set().union(*(pages_of(value) for value in nav.values()))
        assert isinstance(nav, list)
        return set().union(*(pages_of(entry) for entry in nav))

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    listed = pages_of(config["nav"])
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert pages - listed == set(), "add these pages to nav in mkdocs.yml"
    assert listed - pages == set(), "nav in mkdocs.yml names pages that do not exist"


def test_the_site_builds_in_strict_mode(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment,
    )
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "index.html").read_text("utf-8")
    assert "30-second example" in home and 'href="usage/"' in home
