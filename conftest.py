"""The repository's pytest configuration: every code block of README.md and docs/*.md is a test
item, run as written (tests/doc_examples.py; the convention is in docs/contributing.md)."""

from tests.doc_examples import examples

pytest_plugins = ["pytester"]

pytest_collect_file = examples()
