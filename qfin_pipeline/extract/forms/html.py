"""HTML form of a release (a newswire page) -> the same logical Lines the text form yields.

Paragraphs, headings and bullets ('- ' + text) become one Line each; a <tr> becomes one tab-separated Line
(label first, layout-only columns dropped, a colspan header cell followed by empty cells). Footnote markers
(<sup>N</sup>) become '^{*N}', which normalize_line removes; a paragraph that opens with one keeps 'N '.
Line.number / Line.source: the 1-based line of the HTML file where the text (a row: its first value)
stands, and that physical line. Only the article body is read, plus the page's <h1> headline above it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from html.parser import HTMLParser

from qfin_pipeline.extract.forms.html_tokenizer import feed_fast as _feed_fast
from qfin_pipeline.extract.forms.html_tokenizer import read_attrs_pattern
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
_ATTRS = frozenset({"class", "id", "role", "itemprop", "colspan"})
_FOOTNOTE = re.compile(r"\*?\d{1,2}(?:\s*,\s*\*?\d{1,2})*")
_SYMBOLS = frozenset({"$", "US$", "RMB", "USD", "¥", "￥", "HK$", "€", "£"})  # currency-sign layout columns
_SUFFIXES = frozenset({")", "%", ")%", "%)"})  # '(659' + ')' printed in a column of its own

Block = tuple[int, str, tuple[int, ...], bool]  # (line, text, open content candidates, is the <h1>)


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
        if tag in _VOID:
            if (tag == "br" or tag == "hr") and not self.skip:
                self._break()
            return
        skip, cand, span = tag in _SKIP or (tag == "header" and not self.cands), tag in ("article", "main"), 1
        for name, value in attrs:
            if not value or name not in _ATTRS:
                continue
            if name == "colspan":
                span = max(1, min(50, int(value))) if value.strip().isdigit() else 1
            elif name == "role":
                skip = skip or value.lower() in _SKIP_ROLES
            else:
                skip = skip or (tag not in _WRAPPERS and bool(_CHROME.search(value)))
                cand = cand or bool(_CONTENT.search(value))
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

    def _footnote_marker(self) -> None:
        at, self.sup_at = self.sup_at, -1
        content = "".join(self.buf[at:]).strip() if at >= 0 else ""
        if not _FOOTNOTE.fullmatch(content):
            return  # not a footnote number ('1<sup>st</sup>', '<sup>TM</sup>'): kept as text
        numbers = re.findall(r"\d+", content)
        opening = not self.cell and not "".join(self.buf[:at]).strip()
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

    def _close_table(self) -> None:
        self._close_row()
        self._flush()  # drops stray text between the cells
        table = self.tables.pop()
        self.blocks.extend((line, text, table["cands"], False) for line, text in table_lines(table["rows"]))


def table_lines(rows: list[tuple[int, list[tuple[str, int, int]]]]) -> list[tuple[int, str]]:
    """Rows of (tr line, [(cell text, colspan, line)]) -> (line, text), tab-separated as in the text form.

    A grid column is kept only if some single-column cell in it holds real content (not a bare currency
    sign, not a lone ')' or '%'): empty spacer and currency-sign columns are dropped, a ')'/'%' column is
    appended to the value on its left, and a spanning cell lands on the first kept column it covers.
    Label-only rows above the first row with values (a title inside the table) stay prose lines.
    """
    rows = [(ln, cells) for ln, cells in rows if any(text for text, _, _ in cells)]
    width = max((sum(span for _, span, _ in cells) for _, cells in rows), default=0)
    kept = [False] * width
    for _, cells in rows:
        col = 0
        for text, span, _ in cells:
            if span == 1 and text and text not in _SYMBOLS and text not in _SUFFIXES:
                kept[col] = True
            col += span
    index = {c: i for i, c in enumerate(c for c in range(width) if kept[c])}
    next_kept: list[int | None] = [None] * (width + 1)
    for c in range(width - 1, -1, -1):
        next_kept[c] = c if kept[c] else next_kept[c + 1]
    out_rows, seen_values = [], False
    for tr_line, cells in rows:
        out, lines, col = [""] * len(index), [0] * len(index), 0
        for text, span, line in cells:
            start, col = col, col + span
            k = next_kept[start]
            if not text:
                continue
            if k is not None and k < col:
                out[index[k]], lines[index[k]] = text, line
            elif text in _SUFFIXES:
                left = (index[k] if k is not None else len(index)) - 1
                if left >= 0 and out[left]:
                    out[left] += text
            elif k is not None and not out[index[k]] and not (text in _SYMBOLS and out[0]):
                out[index[k]], lines[index[k]] = text, line  # a header over a spacer: onto the next column
        has_values = any(out[1:])
        if not (has_values or out[0]):
            continue
        if len(index) > 1 and (seen_values or has_values):
            seen_values = True
            number = next((ln for ln, v in zip(lines[1:], out[1:], strict=True) if v and ln), 0)
            out_rows.append((number or lines[0] or tr_line, "\t".join(out)))
        else:
            out_rows.append((lines[0] or tr_line, out[0]))  # a title row above the table, or a 1-column table
    return out_rows


def _article(blocks: list[Block], depth: dict[int, int]) -> list[tuple[int, str]]:
    """The blocks of the innermost content candidate holding most of the text, and the <h1> above it
    (a candidate: <article>, <main>, or a class/id/itemprop naming an article or main body)."""
    size: dict[int, int] = {}
    for _, text, cands, _ in blocks:
        for c in cands:
            size[c] = size.get(c, 0) + len(text)
    most = max(size.values(), default=0)
    if most < 0.5 * sum(len(text) for _, text, _, _ in blocks):  # no container holds the article: all of <body>
        return [(line, text) for line, text, _, _ in blocks]
    chosen = max((c for c, n in size.items() if n >= 0.8 * most), key=lambda c: (depth[c], -c))
    first = next(i for i, b in enumerate(blocks) if chosen in b[2])
    return [(b[0], b[1]) for i, b in enumerate(blocks) if chosen in b[2] or (b[3] and i < first)]


def html_lines(text: str) -> list[Line]:
    """An HTML release page -> logical Lines (see the module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    page = _Page()
    if not (_FAST_PARSER and _feed_fast(page, text, _READ_ATTRS)):
        page = _Page()
        page.feed(text)
        page.close()
    while page.stack:  # elements left open at the end of the page
        page._close(page.stack.pop())
    page._flush()
    physical = text.split("\n")
    return [
        Line(number, normalize_line(logical), physical[number - 1] if 0 < number <= len(physical) else "")
        for number, logical in _article(page.blocks, page.depth)
    ]


# The fast tokenizer reads most pages and hands anything it does not recognize to html.parser (tests compare both).
_FAST_PARSER = True
_READ_ATTRS = read_attrs_pattern(_ATTRS)
