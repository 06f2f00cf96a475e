"""The rules that run the docs' code blocks (tests/doc_examples.py, docs/contributing.md), on a
page written for the purpose: each kind of block passes, fails or is skipped as promised."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parent.parent
FENCE = "```"

BLOCKS = [  # (expected outcome, the markdown of one block)
    ("PASSED", f"""A script that passes:

{FENCE}python
import boto3

from pinpoint_mock import mock_pinpoint_imports

with mock_pinpoint_imports():
    assert boto3.client("pinpoint", region_name="us-east-1").get_apps()[
        "ApplicationsResponse"]["Item"] == []
{FENCE}"""),
    ("FAILED", f"""A script that fails:

{FENCE}python
raise SystemExit(3)
{FENCE}"""),
    ("PASSED", f"""A test file that passes, named by its first line, with the plugin's fixtures:

{FENCE}python
# test_named.py
import os


def test_fixture(pinpoint_client):
    assert pinpoint_client.get_apps()["ApplicationsResponse"]["Item"] == []
    assert os.path.basename(__file__) == "test_named.py"
{FENCE}"""),
    ("FAILED", f"""A test file whose test fails:

{FENCE}python
def test_fails():
    assert 1 == 2
{FENCE}"""),
    ("FAILED", f"""A test file whose only test is skipped (not a pass):

{FENCE}python
import pytest


@pytest.mark.skip(reason="not run")
def test_skipped():
    pass
{FENCE}"""),
    ("FAILED", f"""An async test without its marker (strict mode does not run it):

{FENCE}python
async def test_not_awaited():
    pass
{FENCE}"""),
    ("FAILED", f"""A block relying on the AWS set-up of the machine that runs the docs:

{FENCE}python
import os

assert "AWS_PROFILE" in os.environ
{FENCE}"""),
    ("SKIPPED", f"""<!-- fragment: one line of a recipe -->
{FENCE}python
monkeypatch.setattr(time, "sleep", pinpoint_imports.advance)
{FENCE}"""),
    ("FAILED", f"""<!-- fragment: this one does not even compile -->
{FENCE}python
def broken(:
{FENCE}"""),
    (None, f"""{FENCE}sh
this is not run, nor a test item
{FENCE}"""),
    ("PASSED", f"""{FENCE}json
{{"valid": true}}
{FENCE}"""),
    ("FAILED", f"""{FENCE}json
{{not json}}
{FENCE}"""),
    ("FAILED", f"""{FENCE}
a block that says nothing of what it is
{FENCE}"""),
    ("FAILED", f"""{FENCE}bash
echo a language outside the convention
{FENCE}"""),
]
PAGE = "# A page\n\n" + "\n\n".join(markdown for _, markdown in BLOCKS) + "\n"


CONFTEST = f'''
import sys
sys.path.insert(0, {str(ROOT)!r})
from tests.doc_examples import examples

pytest_collect_file = examples({{root!r}})
'''


def test_each_kind_of_block_is_run_as_the_convention_says(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-real")  # must not reach the blocks
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "page.md").write_text(PAGE, encoding="utf-8")
    pytester.makeconftest(CONFTEST.format(root=str(pytester.path)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", "-p", "pytester")
    expected = {}  # item id (the line of the opening fence) -> outcome
    for outcome, markdown in BLOCKS:
        fence = PAGE.index(markdown) + markdown.index(FENCE)
        if outcome is not None:
            expected[f"docs/page.md::line:{PAGE.count(chr(10), 0, fence) + 1},column:1"] = outcome
    got = {}
    for line in result.stdout.lines:
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED") and rest.startswith("docs/page.md::"):
            got[rest.split(" ")[0]] = word
        elif word == "SKIPPED" and "docs/page.md:" in rest:  # "...docs/page.md:67: fragment"
            number = rest.split("docs/page.md:")[1].split(":")[0]
            got[f"docs/page.md::line:{number},column:1"] = word
    assert got == expected, result.stdout.str()
    result.stdout.fnmatch_lines_random([
        "*docs/page.md:*: the file does not run as written (exit 3)*",
        "*docs/page.md:*: the test file does not pass as written ({'failed': 1*",
        "*docs/page.md:*: the test file does not pass as written ({'skipped': 1*",
        "*docs/page.md:*: fragment: one line of a recipe*",
        "*Expecting property name enclosed in double quotes*",
        "*a code block must say what it is*Got ```.*",
        "*a code block must say what it is*Got ```bash.*",
    ])
    assert "SyntaxError" in result.stdout.str()  # a fragment must still compile
