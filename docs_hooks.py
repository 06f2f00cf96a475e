"""mkdocs hook: the site's home page is the repository's README.md.

docs/index.md only stands in for it; at build time its text is the README's, with the links
that point into docs/ from the repository root (``](docs/usage.md)``) made relative to docs/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent / "README.md"
_INTO_DOCS = re.compile(r"\]\(docs/")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """The README's text, links rewritten, for the home page; other pages unchanged."""
    if page.file.src_uri == "index.md":
        return _INTO_DOCS.sub("](", README.read_text(encoding="utf-8"))
    return markdown
