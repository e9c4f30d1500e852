"""Render the shipped text release into the other forms a release arrives in (pure functions str -> str).

`to_html` is a newswire-style HTML page; the rest are the drift text forms take in practice. Every renderer
keeps every number of the release.
"""

from __future__ import annotations

import html
import re

_MARK = re.compile(r"\^\{\*(\d{1,2})\}")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUP = str.maketrans(_SUPERSCRIPTS, "0123456789")
_LEADING_SUP = re.compile(r"^([" + _SUPERSCRIPTS + r"]+)\s*")
_INNER_SUP = re.compile(r"(?<=\S)([" + _SUPERSCRIPTS + r"]+)")
_FOOTNOTE_DEF = re.compile(r"^(\d{1,2}) (?=[A-Z\"“])")
_URL = re.compile(r"&lt;(https?://[^&\s]+)&gt;")
_HEADING = re.compile(r"^[A-Z][^.:$\t]{2,88}[A-Za-z0-9)]$")


def _kind(line: str) -> str:
    return "table" if "\t" in line else "ul" if line.startswith("- ") else "p" if line.strip() else ""


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Lines -> ('table', rows) for a run of tab rows (blank lines inside dropped), ('ul', items) for a
    run of bullets, ('p', lines) for a run of other non-blank lines."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        kind = _kind(line)
        run = []
        while i < len(lines):
            cur = lines[i]
            if kind == "table" and not cur.strip():
                j = next((k for k in range(i, len(lines)) if lines[k].strip()), len(lines))
                if j < len(lines) and "\t" in lines[j]:
                    i = j
                    continue
            if _kind(cur) != kind:
                break
            run.append(cur)
            i += 1
        out.append((kind, run))
    return out


def _inline(line: str) -> str:
    """One text line -> inline HTML: escaped, markers as <sup>, **bold** as <strong>, links as <a>."""
    text = html.escape(line.replace("US\\$", "US$").replace("\\$", "$"), quote=False)
    text = _LEADING_SUP.sub(lambda m: f"<sup>{m.group(1).translate(_FROM_SUP)}</sup> ", text)
    text = _FOOTNOTE_DEF.sub(r"<sup>\1</sup> ", text)
    text = _INNER_SUP.sub(lambda m: f"<sup>{m.group(1).translate(_FROM_SUP)}</sup>", text)
    text = _MARK.sub(r"<sup>\1</sup>", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return _URL.sub(r'<a href="\1" rel="nofollow" target="_blank">\1</a>', text)


_TD = '<td style="vertical-align: bottom; padding: 0 4px;">'
_NUM = '<td style="text-align: right; vertical-align: bottom;">&nbsp;{}&nbsp;</td>'
_SPACER = '<td style="width: 1%;">&nbsp;</td>'


def _table(rows: list[str]) -> list[str]:
    """Tab rows -> a newswire table: a spacer <td> between value columns, 'ended' headers as colspans."""
    cells = [r.split("\t") for r in rows]
    width = max(len(c) for c in cells) - 1
    out = ['<table style="border-collapse: collapse; width: 100%;">', "<tbody>"]
    for row in cells:
        label, values = row[0], (row[1:] + [""] * width)[:width]
        if not label.strip() and any("ended" in v for v in values):  # a spanning header row, one cell a line
            parts, j = ["<tr>", _TD + "&nbsp;</td>"], 0
            while j < width:
                k = next((m for m in range(j + 1, width) if values[m].strip()), width)
                if j:
                    parts.append(_SPACER)
                span = 2 * (k - j) - 1
                parts.append(f'<td colspan="{span}" style="text-align: center;"><strong>'
                             f"{html.escape(values[j])}</strong></td>")
                j = k
            out.extend(parts + ["</tr>"])
            continue
        shown = f"<strong>{html.escape(label)}</strong>" if label.isupper() else html.escape(label)
        tds = [_TD + shown + "</td>"]
        for j, value in enumerate(values):
            if j:
                tds.append(_SPACER)
            tds.append(_NUM.format(html.escape(value.strip())) if value.strip() else _TD + "</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return out + ["</tbody>", "</table>"]


_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | GlobeNewswire</title>
<meta name="description" content="Qifu Technology Announces Third Quarter 2023 Unaudited Financial Results">
<style>.article-body p {{ margin: 0 0 1em; }} td {{ font-size: 12px; }}</style>
<script type="text/javascript">var html = "<p>First Quarter 2019 Results 1,234</p>";</script>
</head>
<body class="page-news-release">
<header class="site-header">
  <a class="logo" href="/"><img src="/logo.svg" alt="GlobeNewswire"></a>
  <nav class="main-nav"><ul><li><a href="/newsroom">Newsroom</a></li>
    <li><a href="/q4">Fourth Quarter 2022 releases</a></li></ul></nav>
</header>
<div class="main-container">
<div class="main-header-container">
<h1 class="article-headline">{title}</h1>
<div class="article-social"><ul><li><a href="#">Share</a></li><li><a href="#">Tweet 2,048</a></li></ul></div>
</div>
<div class="main-body-container article-body" id="main-body-container" itemprop="articleBody">"""

_TAIL = """</div>
<div class="article-social share-bottom"><a href="#">Share on LinkedIn</a></div>
</div>
<footer class="site-footer"><p>&copy; 2024 GlobeNewswire, Inc. 1-800-307-6627</p></footer>
<script>document.querySelectorAll("td").forEach(function (c) {{ c.dataset.n = "9,999"; }});</script>
</body>
</html>
"""


def to_html(text: str) -> str:
    """The text release as a GlobeNewswire-style HTML page (chrome around an article div)."""
    blocks = _blocks(text)
    title = html.escape(blocks[0][1][0].replace("\\$", "$"), quote=False)
    out = [_HEAD.format(title=title)]
    for kind, run in blocks[1:]:
        if kind == "table":
            out.extend(_table(run))
        elif kind == "ul":
            out.append('<ul type="disc">')
            out.extend(f'<li style="margin-top: 0.5em;">{_inline(item[2:])}</li>' for item in run)
            out.append("</ul>")
        elif len(run) == 1 and _HEADING.match(run[0]) and not _FOOTNOTE_DEF.match(run[0]):
            out.append(f'<p align="justify"><strong>{_inline(run[0])}</strong></p>')
        else:  # consecutive lines of one paragraph are broken with <br>, one a physical line
            if run[0].startswith("Unaudited "):  # a table title, then its '(Amounts in ...' lines
                out.append(f'<p align="center"><strong>{_inline(run.pop(0))}</strong></p>')
            if run:
                out.append('<p align="justify">' + "<br>\n".join(_inline(line) for line in run) + "</p>")
    out.append(_TAIL.format())
    return "\n".join(out)


def to_edgar(text: str) -> str:
    """The text release as a filing agent's SEC EDGAR exhibit 99.1 (tests/forms_edgar.py)."""
    from tests.forms_edgar import render

    return render(text)


# --- text drift -----------------------------------------------------------------------------------------


def _rows(text: str, fn) -> str:
    """Apply fn(line, is_row) to every line, keeping the line endings."""
    return "".join(fn(line.rstrip("\r\n"), "\t" in line) + line[len(line.rstrip("\r\n")):]
                   for line in text.splitlines(keepends=True))


def crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + "\r\n"


def nbsp(text: str) -> str:
    """Non-breaking spaces: after 'RMB', before 'million', every third space of prose, around table values."""
    def fix(line: str, is_row: bool) -> str:
        if is_row:
            label, *values = line.split("\t")
            padded = [f"\u00a0{v}\u00a0" if v else v for v in values]
            return "\t".join([label.replace(" ", "\u00a0", 1), *padded])
        line = re.sub(r"RMB (?=\d)", "RMB\u00a0", line).replace(" million", "\u00a0million")
        parts = line.split(" ")
        return "".join(p + ("\u00a0" if i % 3 == 2 else "\u202f" if i % 7 == 6 else " ")
                       for i, p in enumerate(parts[:-1])) + parts[-1]
    return _rows(text, fix)


def bullets(text: str, mark: str = "•") -> str:
    return _rows(text, lambda line, _: mark + line[1:] if line.startswith("- ") else line)


def markers(text: str, style: str = "*1") -> str:
    """Footnote markers as '*1', '^{*1}' (as shipped), '^{1}' or superscript digits ('¹')."""
    if style == "¹":
        return _MARK.sub(lambda m: m.group(1).translate(str.maketrans("0123456789", _SUPERSCRIPTS)), text)
    template = {"*1": "*{}", "^{*1}": "^{{*{}}}", "^{1}": "^{{{}}}"}[style]
    return _MARK.sub(lambda m: template.format(m.group(1)), text)


def dollar(text: str, style: str = "US$") -> str:
    """'US\\$' (as shipped, markdown-escaped) or 'US$'."""
    plain = text.replace("US\\$", "US$")
    return plain if style == "US$" else plain.replace("US$", "US\\$")


def tabs(text: str, mode: str = "strip") -> str:
    """Trailing tabs of table rows removed ('strip') or two more added ('extra')."""
    if mode == "strip":
        return _rows(text, lambda line, is_row: line.rstrip("\t") if is_row else line)
    return _rows(text, lambda line, is_row: line + "\t\t" if is_row else line)


def _tables(lines: list[str]) -> list[tuple[int, int, int]]:
    """(title line, first row, last row) of each table: a run of tab rows (blank lines allowed) and the
    nearest heading-like line above it (not the '(Amounts in ...' lines)."""
    out, i = [], 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        first = last = i
        while i < len(lines) and ("\t" in lines[i] or not lines[i].strip()):
            last = i if "\t" in lines[i] else last
            i += 1
        title = first - 1
        while title > 0 and not _HEADING.match(lines[title]):
            title -= 1
        out.append((title, first, last))
    return out


def blank_lines_in_tables(text: str) -> str:
    """A blank line after every third table row, and between header rows."""
    lines, out, n = text.splitlines(), [], 0
    for line in lines:
        out.append(line)
        if "\t" in line:
            n += 1
            if n % 3 == 0 or not line.split("\t")[0].strip():
                out.append("")
    return "\n".join(out) + "\n"


def repeated_headers(text: str) -> str:
    """Repeat each table's title and header rows after its middle row, as a page break prints them."""
    lines = text.splitlines()
    insert: dict[int, list[str]] = {}
    for title, first, last in _tables(lines):
        labelled = [bool(ln.split("\t")[0].strip()) for ln in lines]
        middle = next(k for k in range((first + last) // 2, last) if labelled[k] and labelled[k + 1])
        headers, after_data = [], False
        for k in range(first, middle):  # the header rows in effect at the middle row
            if "\t" in lines[k] and not labelled[k]:
                headers = [lines[k]] if after_data else [*headers, lines[k]]
            after_data = labelled[k] if lines[k].strip() else after_data
        insert[middle] = ["", lines[title], "", *headers]
    return "\n".join(x for k, ln in enumerate(lines) for x in [ln, *insert.get(k, [])]) + "\n"


def _title_words(label: str) -> str:
    if label.isupper():
        return " ".join(w[:1] + w[1:].lower() for w in label.split(" "))
    return " ".join(w[:1].upper() + w[1:] for w in label.split(" "))


def title_case(text: str) -> str:
    """Headings and table titles upper-cased; table labels title-cased ('TOTAL ASSETS' -> 'Total Assets')."""
    lines, out = text.splitlines(), []
    titles = {t for t, _, _ in _tables(lines)}
    for k, line in enumerate(lines):
        before, after = lines[k - 1] if k else "", lines[k + 1] if k + 1 < len(lines) else ""
        blank_around = not before.strip() and not after.strip()
        if "\t" in line:
            label, *rest = line.split("\t")
            line = "\t".join([_title_words(label), *rest])
        elif k in titles or (blank_around and _HEADING.match(line)):
            line = line.upper()
        out.append(line)
    return "\n".join(out) + "\n"
