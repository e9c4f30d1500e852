"""HTML form of a release (a newswire page) -> the same logical Lines the text form yields.

Paragraphs, headings and bullets ('- ' + text) become one Line each; a <tr> becomes one tab-separated Line
(label first, layout-only columns dropped, a colspan header cell followed by empty cells). Footnote markers
(<sup>N</sup>) become '^{*N}', which normalize_line removes; a paragraph that opens with one keeps 'N '.
Line.number / Line.source are the 1-based line of the HTML file where the text (a row's first value)
stands and that physical line. Only the article body is read (plus the page's <h1> headline above it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from qfin_pipeline.extract.document import Line, normalize_line

_SKIP = frozenset({
    "head", "title", "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "object", "canvas",
})
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|cookies?|breadcrumbs?|navbar|sidebar|toolbar|subscribe|newsletter)"
    r"(?:$|[\s_-])", re.I,
)
_CONTENT = re.compile(r"article|main-body|release-body|press-release", re.I)
_WRAPPERS = frozenset({"html", "body", "main", "article"})  # never skipped for a chrome-looking class
_BLOCKS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "main", "header", "pre", "dl", "dt", "dd", "figure", "figcaption", "center", "address", "caption",
})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
})
_FOOTNOTE = re.compile(r"\*?\d{1,2}(?:\s*,\s*\*?\d{1,2})*")
_SYMBOLS = frozenset({"$", "US$", "RMB", "USD", "¥", "￥", "HK$", "€", "£"})  # currency-sign layout columns
_SUFFIXES = frozenset({")", "%", ")%", "%)"})  # '(659' + ')' printed in a column of its own


def _clean(chunks: list[str]) -> str:
    return " ".join("".join(chunks).split())


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, int]] = []  # (tag, skipped, content-candidate id or 0)
        self.skip = 0
        self.cands: tuple[int, ...] = ()
        self.depth: dict[int, int] = {}
        self.buf: list[str] = []
        self.buf_line = 0
        self.bullet = self.h1 = False
        self.sup_at = -1
        self.blocks: list[tuple[int, str, tuple[int, ...], bool]] = []  # (line, text, candidates, is_h1)
        self.tables: list[dict] = []
        self.cell: int = 0  # colspan of the open cell, 0 when none

    # --- tokenizer callbacks ---------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.buf_line:
            stripped = data.lstrip()
            if stripped:
                self.buf_line = self.getpos()[0] + data.count("\n", 0, len(data) - len(stripped))
        self.buf.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in ("br", "hr") and not self.skip:
                self._break()
            return
        skip, cand = tag in _SKIP or (tag == "header" and not self.cands), tag in ("article", "main")
        for name, value in attrs:
            if not value or name not in ("class", "id", "role", "itemprop"):
                continue
            if name == "role":
                skip = skip or value.lower() in _SKIP_ROLES
            else:
                skip = skip or (tag not in _WRAPPERS and bool(_CHROME.search(value)))
                cand = cand or bool(_CONTENT.search(value))
        if self.stack and self.stack[-1][0] == tag and tag in ("p", "li"):
            self._close(self.stack.pop())  # <p>a<p>b: the second paragraph closes the first
        ident = len(self.depth) + 1 if cand and not skip and not self.skip else 0
        self.stack.append((tag, skip, ident))
        if skip or self.skip:
            self.skip += skip
            return
        if ident:
            self.cands += (ident,)
            self.depth[ident] = len(self.cands)
        if tag in ("td", "th"):
            span = next((v for k, v in attrs if k == "colspan"), None) or "1"
            self._open_cell(max(1, min(50, int(span))) if span.strip().isdigit() else 1)
        elif tag == "tr":
            self._close_row()
            if self.tables:
                self.tables[-1]["row"], self.tables[-1]["row_line"] = [], self.getpos()[0]
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
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                while len(self.stack) > i:
                    self._close(self.stack.pop())
                return
        if tag == "br" and not self.skip:
            self._break()

    # --- element ends ------------------------------------------------------------------------------------
    def _close(self, entry: tuple[str, bool, int]) -> None:
        tag, skipped, ident = entry
        if skipped:
            self.skip -= 1
            return
        if self.skip:
            return
        if tag in ("td", "th"):
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
        if self.sup_at < 0:
            return
        at, self.sup_at = self.sup_at, -1
        content = "".join(self.buf[at:]).strip()
        if not _FOOTNOTE.fullmatch(content):
            return
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
        if not text or self.tables:  # stray text between table cells is layout, not content
            return
        if self.bullet:
            text, self.bullet = "- " + text, False
        self.blocks.append((line, text, self.cands, self.h1))

    # --- tables ------------------------------------------------------------------------------------------
    def _open_cell(self, span: int) -> None:
        if not self.tables:
            return
        self._close_cell()
        table = self.tables[-1]
        if table["row"] is None:
            table["row"], table["row_line"] = [], self.getpos()[0]
        self.buf.clear()
        self.buf_line, self.cell = 0, span

    def _close_cell(self) -> None:
        if self.cell and self.tables and self.tables[-1]["row"] is not None:
            self.tables[-1]["row"].append((_clean(self.buf), self.cell, self.buf_line))
        if self.cell:
            self.buf.clear()
            self.buf_line, self.cell = 0, 0

    def _close_row(self) -> None:
        self._close_cell()
        if self.tables and self.tables[-1]["row"] is not None:
            table = self.tables[-1]
            table["rows"].append((table["row_line"], table["row"]))
            table["row"] = None

    def _close_table(self) -> None:
        self._close_row()
        self.buf.clear()
        self.buf_line = 0
        table = self.tables.pop()
        for line, text in table_lines(table["rows"]):
            self.blocks.append((line, text, table["cands"], False))


def table_lines(rows: list[tuple[int, list[tuple[str, int, int]]]]) -> list[tuple[int, str]]:
    """Rows of (tr line, [(cell text, colspan, line)]) -> (line, text) per row, tab-separated as in the text form.

    A grid column is kept only if some single-column cell in it holds real content (not a bare currency
    sign, not a lone ')' or '%'): empty spacer and currency-sign columns are dropped, a ')'/'%' column is
    appended to the value on its left, and a spanning cell lands on the first kept column it covers.
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
    index, next_kept, following = {}, [None] * (width + 1), None
    for c in range(width - 1, -1, -1):
        following = c if kept[c] else following
        next_kept[c] = following
    for c in range(width):
        if kept[c]:
            index[c] = len(index)
    out_rows, seen_values = [], False
    for tr_line, cells in rows:
        out, lines, col = [""] * len(index), [0] * len(index), 0
        for text, span, line in cells:
            start, col = col, col + span
            if not text:
                continue
            k = next_kept[start]
            if k is not None and k < col:
                out[index[k]], lines[index[k]] = text, line
            elif text in _SUFFIXES:
                left = (index[k] if k is not None else len(index)) - 1
                if left >= 0 and out[left]:
                    out[left] += text
            elif k is not None and not out[index[k]] and not (text in _SYMBOLS and out and out[0]):
                out[index[k]], lines[index[k]] = text, line  # a header over a spacer: onto the next column
        has_values = any(out[1:])
        if not has_values and not out[0]:
            continue
        if len(index) > 1 and (seen_values or has_values):
            seen_values = True
            number = next((ln for ln, v in zip(lines[1:], out[1:], strict=True) if v and ln), 0)
            out_rows.append((number or lines[0] or tr_line, "\t".join(out) if len(out) > 1 else out[0] + "\t"))
        elif out and out[0]:
            out_rows.append((lines[0] or tr_line, out[0]))  # a title row above the table, or a 1-column table
    return out_rows


def _body(blocks: list[tuple[int, str, tuple[int, ...], bool]], depth: dict[int, int]) -> list[tuple[int, str]]:
    """The article's blocks: the innermost content candidate holding most of the text, with the <h1> above it."""
    size: dict[int, int] = {}
    for _, text, cands, _ in blocks:
        for c in cands:
            size[c] = size.get(c, 0) + len(text)
    if not size:
        return [(line, text) for line, text, _, _ in blocks]
    most = max(size.values())
    chosen = max((c for c, n in size.items() if n >= 0.8 * most), key=lambda c: (depth[c], -c))
    first = next(i for i, b in enumerate(blocks) if chosen in b[2])
    return [(b[0], b[1]) for i, b in enumerate(blocks) if chosen in b[2] or (b[3] and i < first)]


def html_lines(text: str) -> list[Line]:
    """An HTML release page -> logical Lines (see module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    page = _Page()
    page.feed(text)
    page.close()
    while page.stack:  # elements left open at the end of the page
        page._close(page.stack.pop())
    page._flush()
    physical = text.split("\n")
    return [
        Line(number, normalize_line(logical), physical[number - 1] if 0 < number <= len(physical) else "")
        for number, logical in _body(page.blocks, page.depth)
    ]
