"""An HTML <table> -> logical lines: a financial table as tab-separated rows, a layout table as prose.

Filing agents lay out bullets and footnotes as tables (a glyph or marker cell, then the text) and print a
value across several cells (a currency symbol, an opening '(', the digits, a closing ')' or '%'): a table
none of whose value cells is a number is layout, read as one prose line per row ('- ' for a bullet
glyph); a financial table keeps one column per value.
"""

from __future__ import annotations

import re

from qfin_pipeline.extract.tables.values import NUMBER

Row = tuple[int, "list[tuple[str, int, int]] | None"]  # (tr line, [(cell text, colspan, line)]); None: a page break
_SYMBOLS = frozenset({"$", "US$", "RMB", "USD", "¥", "￥", "HK$", "€", "£", "RMB$"})  # currency-sign layout columns
_SUFFIXES = frozenset({")", "%", ")%", "%)"})  # '(659' + ')' printed in a column of its own
_PREFIXES = frozenset({"(", "$(", "($"})  # '(' + '659' + ')'
_GLYPH = re.compile(r"[^\w\s]{1,2}|[oq§ØünlvÞ]")  # a bullet glyph (Symbol and Wingdings fonts print letters)


def _is_value(text: str) -> bool:
    return bool(NUMBER.match(text)) or text in _SUFFIXES or text in _PREFIXES


def table_lines(rows: list[Row]) -> list[tuple[int, str]]:
    """Rows of a <table> -> (line, text): a layout table's rows as prose, a financial table's as tab rows."""
    rows = [(ln, cells) for ln, cells in rows if cells and any(text for text, _, _ in cells)]
    if not any(_is_value(text) for _, cells in rows for text in [t for t, _, _ in cells if t][1:]):
        return [_prose(cells, ln) for ln, cells in rows]
    return grid_lines(rows)


def _prose(cells: list[tuple[str, int, int]], tr_line: int) -> tuple[int, str]:
    texts = [(text, line) for text, _, line in cells if text]
    first = texts[0][0]
    words = [t for t, _ in texts]
    if len(texts) > 1 and _GLYPH.fullmatch(first):
        words = ["-", *words[1:]]
    return next((line for _, line in texts if line), tr_line), " ".join(words)


def grid_lines(rows: list[tuple[int, list[tuple[str, int, int]]]]) -> list[tuple[int, str]]:
    """Rows of (tr line, [(cell text, colspan, line)]) -> (line, text), tab-separated as in the text form.

    A grid column is kept only if some single-column cell in it holds real content (not a bare currency
    sign, not a lone '(', ')' or '%'): empty spacer and currency-sign columns are dropped, a ')'/'%' column is
    appended to the value on its left, a '(' column prefixed to the value on its right, and a spanning cell
    lands on the first kept column it covers. Label-only rows above the first row with values (a title
    inside the table) stay prose lines.
    """
    width = max((sum(span for _, span, _ in cells) for _, cells in rows), default=0)
    kept = [False] * width
    for _, cells in rows:
        col = 0
        for text, span, _ in cells:
            if span == 1 and text and text not in _SYMBOLS and text not in _SUFFIXES and text not in _PREFIXES:
                kept[col] = True
            col += span
    index = {c: i for i, c in enumerate(c for c in range(width) if kept[c])}
    next_kept: list[int | None] = [None] * (width + 1)
    for c in range(width - 1, -1, -1):
        next_kept[c] = c if kept[c] else next_kept[c + 1]
    out_rows, seen_values = [], False
    for tr_line, cells in rows:
        out, lines, col, prefix = [""] * len(index), [0] * len(index), 0, ""
        for text, span, line in cells:
            start, col = col, col + span
            k = next_kept[start]
            if not text:
                continue
            if text in _PREFIXES:
                prefix += text.replace("$", "")
            elif k is not None and k < col:
                out[index[k]], lines[index[k]] = prefix + text, line
                prefix = ""
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
