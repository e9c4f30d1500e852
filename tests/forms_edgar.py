"""The text release as a filing agent's SEC EDGAR exhibit 99.1 (a 6-K exhibit, as Toppan Merrill or
Donnelley produce it): ASCII-only HTML, every run of text in <font> wrappers, bullets and footnotes laid
out as two- or three-cell tables (a glyph or marker cell, then the text), financial tables on a grid of
five cells per value column (spacer, currency symbol, opening '(', value, closing ')' or '%'), an em dash
for zero, page numbers and page-break rules between paragraphs and inside tables, a running page header
on every page but the first, and a long statement continued on the next page under a '(Continued)' title
with its notes and header rows repeated. Every number of the text stays; only page furniture is added.
"""

from __future__ import annotations

import html
import re

from tests.forms import _FOOTNOTE_DEF, _HEADING, _LEADING_SUP, _blocks, _inline

_FONT = '<font style="font-family: Times New Roman, Times, Serif; font-size: {size}pt">{text}</font>'
_P = '<p style="font: 10pt Times New Roman, Times, Serif; margin: 0pt 0{extra}">{body}</p>'
_SPACER_P = '<p style="font: 10pt Times New Roman, Times, Serif; margin: 0pt 0">&#160;</p>'
_GLYPHS = ('<font style="font-family: Symbol">&#183;</font>', "&#8226;", "&#9679;")
_BREAKS = (
    '<div style="page-break-before: always; margin-top: 6pt; margin-bottom: 6pt">'
    '<hr style="color: Black; height: 2px; width: 100%"></div>',
    '<hr style="page-break-after: always; width: 100%; height: 1px">',
    '<!-- Field: Page; Sequence: {n} --><div style="break-before: page"><p style="margin: 0">&#160;</p></div>',
)
_PAGE_EVERY = 9  # paragraphs and bullet tables per page
_TABLE_PAGE = 24  # rows of a financial table per page
_NAME = re.compile(r"\b((?:[A-Z0-9][\w]*\s){1,3}?[A-Z][\w]*),? Inc\.")


def _p(text: str, *, size: int = 10, align: str = "justify", bold: bool = False) -> str:
    body = _FONT.format(size=size, text=f"<b>{text}</b>" if bold else text)
    return _P.format(extra=f"; text-align: {align}", body=body)


class _Pages:
    """Numbers the pages and prints the furniture at each page break."""

    def __init__(self, header: str):
        self.page, self.header = 1, header

    def number(self) -> str:
        return _p(str(self.page), align="center")

    def row_number(self, width: int) -> str:
        return f'<tr><td colspan="{width}" style="text-align: center">{_FONT.format(size=10, text=self.page)}</td></tr>'

    def paragraph_break(self) -> list[str]:
        out = [_SPACER_P, self.number(), _BREAKS[self.page % len(_BREAKS)].format(n=self.page)]
        self.page += 1
        return [*out, _p(f"<i>{self.header}</i>", size=8, align="right"), _SPACER_P]

    def row_break(self, width: int) -> list[str]:
        out = [self.row_number(width),
               f'<tr style="page-break-after: always"><td colspan="{width}"><hr style="height: 2px"></td></tr>']
        self.page += 1
        return [*out, f'<tr><td colspan="{width}" style="text-align: right">'
                      f'{_FONT.format(size=8, text=f"<i>{self.header}</i>")}</td></tr>']


def _cells(value: str, split_open: bool) -> tuple[str, str, str]:
    """A printed value -> (opening cell, value cell, closing cell): '(659)' -> ('', '(659', ')')."""
    value = value.strip()
    if value in ("-", "–", "—"):
        return "", "&#8212;", ""
    opening = closing = ""
    if value.endswith("%"):
        value, closing = value[:-1], "%"
    if value.startswith("(") and value.endswith(")"):
        value, closing = value[:-1], ")" + closing
        if split_open:
            opening, value = "(", value[1:]
    return opening, html.escape(value), closing


_TD = '<td style="{style}">{text}</td>'


def _financial_table(rows: list[str], title: list[str], notes: list[str], pages: _Pages, index: int) -> list[str]:
    """Tab rows -> the grid table, split across pages (in the table, or as a '(Continued)' table)."""
    cells = [r.split("\t") for r in rows]
    n = max(len(c) for c in cells) - 1
    width = 1 + 5 * n
    split_open = index % 2 == 1
    currency = [""] * n
    open_table = ('<table cellpadding="0" cellspacing="0" style="font: 8pt Times New Roman, Times, Serif; '
                  'width: 100%; border-collapse: collapse">')
    out = [open_table]
    headers: list[str] = []
    body_rows, first_data, after_data = 0, True, False
    for row in cells:
        label, values = row[0].strip(), [v.strip() for v in (row[1:] + [""] * n)[:n]]
        if not label and any(values):
            for j, v in enumerate(values):
                currency[j] = "RMB" if "RMB" in v else "US$" if "USD" in v else currency[j]
            html_row = _header_row(values)
            headers = [html_row] if after_data else [*headers, html_row]
            after_data = False
            out.append(html_row)
            continue
        after_data = True
        if body_rows and body_rows % _TABLE_PAGE == 0 and any(values):
            if (body_rows // _TABLE_PAGE + index) % 2:  # a page break inside the table
                out += pages.row_break(width) + headers
            else:  # the table ends; the statement goes on under a '(Continued)' title
                out += ["</table>", *pages.paragraph_break()]
                out += [_p(f"{html.escape(title[0])} (Continued)", align="center", bold=True)]
                out += [_p(html.escape(line), align="center") for line in notes]
                out += [_SPACER_P, open_table, *headers]
        body_rows += 1
        symbol = first_data or label.lower().startswith("total")
        tds = [_TD.format(style="width: 46%; text-align: left; padding-left: 4pt",
                          text=_FONT.format(size=8, text="&#160;&#160;" + html.escape(label)) if label else "&#160;")]
        for j, v in enumerate(values):
            opening, number, closing = _cells(v, split_open) if v else ("", "", "")
            sign = currency[j] if v and symbol and currency[j] else ""
            tds += [_TD.format(style="width: 1%", text="&#160;"),
                    _TD.format(style="width: 1%; text-align: left", text=sign),
                    _TD.format(style="width: 1%; text-align: right", text=opening),
                    _TD.format(style="width: 10%; text-align: right", text=number or "&#160;"),
                    _TD.format(style="width: 1%; text-align: left", text=closing)]
        first_data = first_data and not any(values)
        out.append('<tr style="vertical-align: bottom">' + "".join(tds) + "</tr>")
    return [*out, "</table>"]


def _header_row(values: list[str]) -> str:
    tds, j = ['<td style="font-weight: bold">&#160;</td>'], 0
    n = len(values)
    while j < n:
        if not values[j]:
            tds += ["<td>&#160;</td>"] * 5
            j += 1
            continue
        k = next((m for m in range(j + 1, n) if values[m]), n)
        tds += ["<td>&#160;</td>", f'<td colspan="{5 * (k - j) - 1}" style="border-bottom: Black 1pt solid; '
                                   f'text-align: center; font-weight: bold">{html.escape(values[j])}</td>']
        j = k
    return '<tr style="vertical-align: bottom">' + "".join(tds) + "</tr>"


def _list_table(marker: str, text: str, three: bool) -> str:
    cells = ['<td style="width: 0.25in">&#160;</td>'] if three else []
    cells += [f'<td style="width: 0.25in; vertical-align: top">{marker}</td>',
              f'<td style="text-align: justify">{_FONT.format(size=10, text=text)}</td>']
    return ('<table cellpadding="0" cellspacing="0" style="font: 10pt Times New Roman, Times, Serif; width: 100%">'
            '<tr style="vertical-align: top">' + "".join(cells) + "</tr></table>")


def _footnote(line: str, three: bool) -> str | None:
    """'1 Refers to ...' (or a superscript number) -> a marker cell and a text cell."""
    sup = _LEADING_SUP.match(line)
    m = sup or _FOOTNOTE_DEF.match(line)
    if not m:
        return None
    number = m.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
    return _list_table(f"<sup>{number}</sup>", _inline(line[m.end():].lstrip()), three)


_TAG = re.compile(r"(<[^>]*>)")


def _wrap(line: str, width: int = 100) -> str:
    """A long line of markup broken at spaces in its text (filing agents wrap their HTML)."""
    if len(line) <= width:
        return line
    out, length = [], 0
    for piece in _TAG.split(line):
        if piece.startswith("<"):
            out.append(piece)
            length += len(piece)
            continue
        words = piece.split(" ")
        for i, word in enumerate(words):
            if i:
                if length > width:
                    out.append("\n")
                    length = 0
                else:
                    out.append(" ")
                    length += 1
            out.append(word)
            length += len(word)
    return "".join(out)


def render(text: str) -> str:
    blocks = _blocks(text)
    name = _NAME.search(text)
    pages = _Pages(html.escape(name.group(0) if name else "Exhibit 99.1"))
    out = ["<html>", "<head>", "<title></title>",
           '<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">', "</head>",
           '<body style="font: 10pt Times New Roman, Times, Serif">',
           '<!-- Field: Set; Name: xdx; ID: xdx_021_US%2DGAAP%2D2024 -->',
           _p("Exhibit 99.1", align="right", bold=True), _SPACER_P]
    since_break, tables, bullets = 0, 0, 0
    title: list[str] = []
    notes: list[str] = []
    for kind, run in blocks:
        if since_break >= _PAGE_EVERY and kind != "table":
            out += pages.paragraph_break()
            since_break = 0
        if kind == "table":
            out += _financial_table(run, title or ["Table"], notes, pages, tables)
            tables += 1
            title, notes = [], []
        elif kind == "ul":
            for item in run:
                bullets += 1
                out.append(_list_table(_GLYPHS[bullets % len(_GLYPHS)], _inline(item[2:]), bullets % 2 == 0))
                since_break += 1
        else:
            for line in run:
                footnote = _footnote(line, since_break % 2 == 0)
                if footnote:
                    out.append(footnote)
                elif line.startswith("Unaudited "):  # a statement's title, then its amounts note
                    title, notes = [line], []
                    out.append(_p(_inline(line), align="center", bold=True))
                elif title:
                    notes.append(line)
                    out.append(_p(_inline(line), align="center"))
                elif len(run) == 1 and _HEADING.match(line):
                    out.append(_p(f"<u>{_inline(line)}</u>", bold=True, align="left"))
                else:
                    out.append(_p(_inline(line)))
            since_break += 1
        out.append(_SPACER_P)
    out += [pages.number(), "</body>", "</html>", ""]
    page = "\n".join(_wrap(line) for line in out)
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")
