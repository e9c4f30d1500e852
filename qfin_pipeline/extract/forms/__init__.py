"""Form readers: a release's text -> logical Lines, whatever form it came in.

- text.py: the newswire's plain text (one Line per physical line).
- html.py (+ html_tokenizer.py, html_tables.py, pages.py): an HTML page, a newswire's article or a
  filing agent's SEC EDGAR exhibit 99.1 (font wrappers, bullets laid out as tables, values split across
  cells, page numbers, page breaks and running headers), read into the same Lines the text form yields.
"""

from __future__ import annotations

import re

from qfin_pipeline.extract.forms.text import text_lines
from qfin_pipeline.extract.lines import Line

# A filing's exhibit label above the release ('Exhibit 99.1', 'EX-99.1'): filing furniture, not release text.
_EXHIBIT = re.compile(r"(?:exhibit|ex)[\s.-]*\d{1,3}(?:\.\d{1,3})?", re.I)
_EXHIBIT_WITHIN = 3  # non-empty lines from the top


def looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head or "<table" in head


def read_lines(text: str) -> tuple[str, list[Line]]:
    """('text' or 'html', the logical lines) of a decoded release, without an exhibit label at its top."""
    if looks_like_html(text):
        from qfin_pipeline.extract.forms.html import html_lines  # only HTML releases pay for the parser

        form, lines = "html", html_lines(text)
    else:
        form, lines = "text", text_lines(text)
    return form, _without_exhibit_label(lines)


def _without_exhibit_label(lines: list[Line]) -> list[Line]:
    seen = 0
    for i, line in enumerate(lines):
        if not line.text:
            continue
        if _EXHIBIT.fullmatch(line.text):
            return lines[:i] + lines[i + 1:]
        seen += 1
        if seen >= _EXHIBIT_WITHIN:
            break
    return lines
