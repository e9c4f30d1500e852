"""Form readers: a release's text -> logical Lines, whatever form it came in.

- text.py: the newswire's plain text (one Line per physical line).
- html.py (+ html_tokenizer.py, html_tables.py, pages.py): an HTML page, a newswire's article or a
  filing agent's SEC EDGAR exhibit 99.1 (font wrappers, bullets laid out as tables, values split across
  cells, page numbers, page breaks and running headers), read into the same Lines the text form yields.
"""

from __future__ import annotations

from qfin_pipeline.extract.forms.text import text_lines
from qfin_pipeline.extract.lines import Line


def looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head or "<table" in head


def read_lines(text: str) -> tuple[str, list[Line]]:
    """('text' or 'html', the logical lines) of a decoded release."""
    if looks_like_html(text):
        from qfin_pipeline.extract.forms.html import html_lines  # only HTML releases pay for the parser

        return "html", html_lines(text)
    return "text", text_lines(text)
