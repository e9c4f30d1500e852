"""HTML form of a release (a newswire page or an EDGAR exhibit) -> the same logical Lines the text form yields.

Paragraphs, headings and bullets ('- ' + text) become one Line each; a <tr> becomes one tab-separated Line
(label first, layout-only columns dropped, a colspan header cell followed by empty cells); a layout table
(bullets and footnotes as glyph + text cells) one prose Line per row (html_tables.py). Footnote markers
(<sup>N</sup>) become '^{*N}', which normalize_line removes; a paragraph or cell that opens with one keeps
'N '. Page furniture (page breaks, page numbers, running headers) is dropped (pages.py).
Line.number / Line.source: the 1-based line of the HTML file where the text (a row: its first value)
stands, and that physical line. Only the article body is read, plus the page's <h1> headline above it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from html.parser import HTMLParser

from qfin_pipeline.extract.forms.article import Block, article_blocks
from qfin_pipeline.extract.forms.html_tables import table_lines
from qfin_pipeline.extract.forms.html_tokenizer import feed_fast as _feed_fast
from qfin_pipeline.extract.forms.html_tokenizer import read_attrs_pattern
from qfin_pipeline.extract.forms.pages import BREAK, drop_furniture
from qfin_pipeline.extract.lines import Line, normalize_line

_SKIP = frozenset("head title script style noscript template nav footer aside form button select svg iframe "
                  "object canvas".split())
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|cookies?|breadcrumbs?|navbar|sidebar|toolbar|subscribe|newsletter)"
    r"(?:$|[\s_-])", re.I,
)
_CONTENT = re.compile(r"article|main-body|release-body|press-release", re.I)
_WRAPPERS = frozenset({"html", "body", "main", "article"})  # never skipped for a chrome-looking class
_BLOCKS = frozenset("p div li ul ol h1 h2 h3 h4 h5 h6 blockquote section article main header pre dl dt dd "
                    "figure figcaption center address caption".split())
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"})
_ATTRS = frozenset({"class", "id", "role", "itemprop", "colspan", "style"})
_FOOTNOTE = re.compile(r"\*?\d{1,2}(?:\s*,\s*\*?\d{1,2})*")
_PAGE_BREAK = re.compile(r"page-break-(?:before|after)\s*:\s*always|break-(?:before|after)\s*:\s*page", re.I)

def _clean(chunks: list[str]) -> str:
    return " ".join("".join(chunks).split())


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, int]] = []  # open elements: (tag, skipped, content-candidate id)
        self.skip = 0  # open skipped elements (chrome)
        self.cands: tuple[int, ...] = ()  # open content candidates ('article', 'main-body', ...)
        self.depth: dict[int, int] = {}
        self.buf: list[str] = []  # text of the open block or cell
        self.buf_line = 0  # file line of its first visible character
        self.bullet = self.h1 = False
        self.sup_at = -1
        self.blocks: list[Block] = []
        self.tables: list[dict] = []  # open tables: rows, the open row, its line, candidates
        self.cell = 0  # colspan of the open cell, 0 when none
        self.breaks = 0  # page breaks seen (an EDGAR exhibit's pages)
        self.newlines: list[int] | None = None  # _feed_fast: offsets of the page's line breaks
        self.at = 0  # _feed_fast: offset of the token being handled

    def line(self) -> int:
        """File line of the token being handled (getpos()[0] of the standard parser)."""
        if self.newlines is None:
            return self.getpos()[0]
        return bisect_left(self.newlines, self.at) + 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.buf_line:
            stripped = data.lstrip()
            if stripped:
                self.buf_line = self.line() + data.count("\n", 0, len(data) - len(stripped))
        self.buf.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page_break = tag == "hr"
        skip, cand, span = tag in _SKIP or (tag == "header" and not self.cands), tag in ("article", "main"), 1
        for name, value in attrs:
            if not value or name not in _ATTRS:
                continue
            if name == "style":
                page_break = page_break or bool(_PAGE_BREAK.search(value))
            elif name == "colspan":
                span = max(1, min(50, int(value))) if value.strip().isdigit() else 1
            elif name == "role":
                skip = skip or value.lower() in _SKIP_ROLES
            else:
                skip = skip or (tag not in _WRAPPERS and bool(_CHROME.search(value)))
                cand = cand or bool(_CONTENT.search(value))
        if page_break and not self.skip and not skip:
            if tag == "tr":
                self._close_row()  # the break stands before this row
            self._page_break()
        if tag in _VOID:
            if (tag == "br" or tag == "hr") and not self.skip:
                self._break()
            return
        stack = self.stack
        if stack and stack[-1][0] == tag and tag in ("p", "li", "td", "th", "tr"):
            self._close(stack.pop())  # <p>a<p>b, <td>a<td>b: the second element closes the first
        if skip or self.skip:
            stack.append((tag, skip, 0))
            self.skip += skip
            return
        ident = len(self.depth) + 1 if cand else 0
        stack.append((tag, False, ident))
        if ident:
            self.cands += (ident,)
            self.depth[ident] = len(self.cands)
        if tag == "td" or tag == "th":
            if self.tables:
                self._close_cell()
                table = self.tables[-1]
                if table["row"] is None:
                    table["row"], table["row_line"] = [], self.line()
                self.buf.clear()
                self.buf_line, self.cell = 0, span
        elif tag == "tr":
            self._close_row()
            if self.tables:
                self.tables[-1]["row"], self.tables[-1]["row_line"] = [], self.line()
        elif tag == "table":
            self._flush()
            self.tables.append({"rows": [], "row": None, "row_line": 0, "cands": self.cands})
        elif tag == "sup":
            self.sup_at = len(self.buf)
        elif tag in _BLOCKS:
            self._break()
            self.bullet = self.bullet or tag == "li"
            self.h1 = self.h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == tag:
                while len(stack) > i:  # closing an element closes what was left open inside it
                    self._close(stack.pop())
                return
        if tag == "br" and not self.skip:
            self._break()

    def _close(self, entry: tuple[str, bool, int]) -> None:
        tag, skipped, ident = entry
        if skipped or self.skip:
            self.skip -= skipped
            return
        if tag == "td" or tag == "th":
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table":
            self._close_table()
        elif tag == "sup":
            self._footnote_marker()
        elif tag in _BLOCKS:
            self._break()
            self.h1 = self.h1 and tag != "h1"
            self.bullet = self.bullet and tag != "li"
        if ident:
            self.cands = self.cands[:-1]

    def _page_break(self) -> None:
        """A page break: a row of its own inside a table, else a block of its own (pages.py drops both)."""
        self.breaks += 1
        if self.tables:
            table = self.tables[-1]
            if table["row"] is not None:
                table["break"] = True  # after the open row
            else:
                table["rows"].append((self.line(), None))
            return
        self._flush()
        self.blocks.append((self.line(), BREAK, self.cands, False))

    def _footnote_marker(self) -> None:
        at, self.sup_at = self.sup_at, -1
        content = "".join(self.buf[at:]).strip() if at >= 0 else ""
        if not _FOOTNOTE.fullmatch(content):
            return  # not a footnote number ('1<sup>st</sup>', '<sup>TM</sup>'): kept as text
        numbers = re.findall(r"\d+", content)
        opening = not "".join(self.buf[:at]).strip()  # a paragraph or cell that opens with it: 'N ' as printed
        del self.buf[at:]
        self.buf.append(" ".join(numbers) + " " if opening else "".join(f"^{{*{n}}}" for n in numbers))

    def _break(self) -> None:
        """A block boundary: inside a table cell only a space, elsewhere the end of a logical line."""
        if self.cell:
            self.buf.append(" ")
        else:
            self._flush()

    def _flush(self) -> None:
        text, line = _clean(self.buf), self.buf_line
        self.buf.clear()
        self.buf_line = 0
        if not text or self.tables:  # text between table cells is layout, not content
            return
        if self.bullet:
            text, self.bullet = "- " + text, False
        self.blocks.append((line, text, self.cands, self.h1))

    def _close_cell(self) -> None:
        if not self.cell:
            return
        if self.tables and self.tables[-1]["row"] is not None:
            self.tables[-1]["row"].append((_clean(self.buf), self.cell, self.buf_line))
        self.buf.clear()
        self.buf_line = self.cell = 0

    def _close_row(self) -> None:
        self._close_cell()
        if self.tables and self.tables[-1]["row"] is not None:
            table = self.tables[-1]
            table["rows"].append((table["row_line"], table["row"]))
            table["row"] = None
            if table.pop("break", False):
                table["rows"].append((table["row_line"], None))

    def _close_table(self) -> None:
        self._close_row()
        self._flush()  # drops stray text between the cells
        table = self.tables.pop()
        if table["rows"]:
            self.blocks.append((table["rows"][0][0], table["rows"], table["cands"], False))


def html_lines(text: str) -> list[Line]:
    """An HTML release page -> logical Lines (see the module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    page = _Page()
    paged = "break-" in text or "BREAK-" in text  # page-break styles to look for (a paginated document)
    if not (_FAST_PARSER and _feed_fast(page, text, _READ_PAGED if paged else _READ_ATTRS)):
        page = _Page()
        page.feed(text)
        page.close()
    while page.stack:  # elements left open at the end of the page
        page._close(page.stack.pop())
    page._flush()
    physical = text.split("\n")
    logical: list[tuple[int, str]] = []
    blocks = article_blocks(page.blocks, page.depth)
    for number, item in drop_furniture(blocks) if page.breaks else blocks:
        if isinstance(item, str):
            logical.append((number, item))
        else:
            logical.extend(table_lines(item))
    return [Line(number, normalize_line(t), physical[number - 1] if 0 < number <= len(physical) else "")
            for number, t in logical]


class _ReadAttrs:
    """Which start tags pass their attributes: one holding an attribute the page reads, or a page-break style
    (a plain substring test first: most tags have no 'break' at all)."""

    __slots__ = ("_attrs", "_break")

    def __init__(self) -> None:
        self._attrs = read_attrs_pattern(_ATTRS - {"style"}).search
        self._break = _PAGE_BREAK.search

    def search(self, source: str):
        return self._attrs(source) or (("reak" in source or "REAK" in source) and self._break(source))


# The fast tokenizer reads most pages and hands anything it does not recognize to html.parser (tests compare both).
_FAST_PARSER = True
_READ_ATTRS = read_attrs_pattern(_ATTRS - {"style"})
_READ_PAGED = _ReadAttrs()
