"""Every code block of README.md and docs/*.md, run as a new user would run it.

Sybil (https://sybil.readthedocs.io) finds the fenced blocks and makes each one a pytest item
(``README.md::line:15,column:1``); this module says how a block runs. The convention is
written for authors in docs/contributing.md ("Code blocks in the docs"):

- ``python``: a complete file, run as written in an empty directory with no AWS set-up in the
  environment. A file that defines tests (``test_*`` functions, ``Test*`` classes, TestCase
  subclasses) is run by pytest — the plugin comes from the installed package, pytest-asyncio in
  its default strict mode — and must pass with at least one test and nothing failed, errored,
  skipped or xfailed. Any other file is run by ``python`` and must exit 0. A first line
  ``# name.py`` names the file. A block that imports an optional dependency (aiobotocore) is
  skipped where it is not installed.
- ``<!-- fragment: why -->`` on the line before a ``python`` block: lines that cannot run
  alone; they must compile, and the item is reported skipped with the reason.
- ``sh``, ``text`` and the other languages of ``SHOWN``: shown, not run (``json`` must parse).
- Any other info string, or none, fails: every block says what it is.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

SHOWN = frozenset({"sh", "text", "json", "ini", "toml", "yaml", "javascript", "markdown"})
"""Languages shown as they are, not run (``json`` blocks must parse)."""
OPTIONAL_IMPORTS = {"aiobotocore": "the aio extra"}
"""Top-level modules a block may need that the test extra does not install."""
FRAGMENT = re.compile(r"<!--\s*fragment:\s*(?P<why>\S[^\n]*?)\s*-->\s*\Z")
NAMED = re.compile(r"#\s*(?P<name>[\w-]+\.py)\s*$")
TIMEOUT = 300.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, its source and, for a fragment, why it is one."""

    language: str
    source: str
    fragment: str


class BlockParser:
    """A Sybil parser yielding one region per fenced block that is run or checked."""

    def __init__(self) -> None:
        self.lexer = RawFencedCodeBlockLexer(
            info_pattern=re.compile(r"(?P<info>[^\n]*)\n"),
            mapping={"info": "info", "source": "source"},
        )

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            info = str(region.lexemes["info"]).strip()
            language = info.split()[0] if info else ""
            if language in SHOWN and language != "json":
                continue
            before = document.text[: region.start].rstrip(" \t")
            fragment = FRAGMENT.search(before)
            region.parsed = Block(info, str(region.lexemes["source"]),
                                  fragment.group("why") if fragment else "")
            region.evaluator = evaluate
            yield region


def evaluate(example: Example) -> None:
    """Run or check one block (the module docstring says how)."""
    block: Block = example.parsed
    path = Path(example.path)
    where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{example.line}"
    if block.language == "json":
        json.loads(block.source)
        return
    if block.language != "python":
        pytest.fail(
            f"{where}: a code block must say what it is: ```python (a complete file, run), "
            f"```sh or ```text (shown); see docs/contributing.md. Got ```{block.language}.",
            pytrace=False,
        )
    tree = ast.parse(block.source, filename=where)
    if block.fragment:
        pytest.skip(f"{where}: fragment: {block.fragment}")
    for name in sorted(imported_modules(tree)):
        if name in OPTIONAL_IMPORTS and importlib.util.find_spec(name) is None:
            pytest.skip(f"{where}: needs {name} ({OPTIONAL_IMPORTS[name]})")
    pytester: pytest.Pytester = example.namespace["pytester"]
    monkeypatch: pytest.MonkeyPatch = example.namespace["monkeypatch"]
    for variable in [v for v in os.environ if v.startswith("AWS_")]:
        monkeypatch.delenv(variable)  # a fresh machine: no AWS set-up at all
    defines_tests = any(is_test(node) for node in tree.body)
    first = block.source.split("\n", 1)[0]
    named = NAMED.match(first)
    filename = named.group("name") if named else (
        "test_example.py" if defines_tests else "example.py")
    (pytester.path / filename).write_text(block.source, encoding="utf-8")
    if defines_tests:
        result = pytester.runpytest_subprocess(filename, "-p", "no:cacheprovider", "-rA",
                                               timeout=TIMEOUT)
        outcomes = result.parseoutcomes()
        bad = {k: v for k, v in outcomes.items()
               if k not in ("passed", "warnings", "warning") and v}
        if result.ret != 0 or bad or not outcomes.get("passed"):
            pytest.fail(f"{where}: the test file does not pass as written ({outcomes}):\n"
                        f"{result.stdout.str()}\n{result.stderr.str()}", pytrace=False)
    else:
        result = pytester.run(sys.executable, filename, timeout=TIMEOUT)
        if result.ret != 0:
            pytest.fail(f"{where}: the file does not run as written (exit {result.ret}):\n"
                        f"{result.stdout.str()}\n{result.stderr.str()}", pytrace=False)


def imported_modules(tree: ast.Module) -> set[str]:
    """The top-level names of every module the block imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def is_test(node: ast.stmt) -> bool:
    """Whether pytest would collect this top-level statement as a test (or test class)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name.startswith("test")
    if isinstance(node, ast.ClassDef):
        return node.name.startswith("Test") or any(
            "TestCase" in ast.unparse(base) for base in node.bases)
    return False


def examples(root: Path = ROOT) -> Any:
    """The ``pytest_collect_file`` hook of the repository's conftest.py: the blocks of
    ``README.md`` and ``docs/*.md`` under ``root``."""
    return Sybil(parsers=[BlockParser()], path=str(root), patterns=["README.md", "docs/*.md"],
                 fixtures=["pytester", "monkeypatch"]).pytest()
