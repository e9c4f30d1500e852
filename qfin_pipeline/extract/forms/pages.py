"""Page furniture of a paginated HTML document (an EDGAR exhibit): page breaks, page numbers, running headers.

A page break is an <hr> or an element styled page-break-before/after: always (break-before: page). Around
each break, page numbers ('12', '- 12 -', 'Page 12', '12 of 30') go, and so do running headers and
footers: the lines that open (close) the page after (before) a break and do so at another break too (a
table row counts when its text stands in its first cell alone). Breaks inside a table are rows of their
own. What is left reads as if the document had never been paginated.
"""

from __future__ import annotations

import re
from collections import Counter

BREAK = "\f"  # a page break among the blocks of the page
_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s+of\s+\d{1,3})?", re.I)

Unit = tuple[int, int, "str | None", bool]  # (block index, row index or -1, text or None for a break, may head a page)


def _units(blocks: list[tuple[int, object]]) -> list[Unit]:
    out: list[Unit] = []
    for b, (_, item) in enumerate(blocks):
        if isinstance(item, str):
            out.append((b, -1, None if item == BREAK else item, True))
            continue
        for r, (_, cells) in enumerate(item):
            if cells is None:
                out.append((b, r, None, False))
                continue
            texts = [text for text, _, _ in cells if text]
            if texts:
                out.append((b, r, " ".join(texts), bool(cells[0][0]) and len(texts) == 1))
    return out


def _is_number(unit: Unit) -> bool:
    return unit[2] is not None and bool(_PAGE_NUMBER.fullmatch(unit[2]))


def _repeated(units: list[Unit], starts: list[int], step: int, drop: set[int]) -> None:
    """Running headers (step 1: the lines opening a page) or footers (step -1: closing one): a text in that
    place after (before) at least two breaks, line by line while the one before it was furniture too."""
    fronts = sorted(set(starts))  # two break marks in a row (an <hr> in a page-break <div>) are one break
    for _ in range(3):  # a header of up to three lines
        texts = Counter(units[k][2] for k in fronts if 0 <= k < len(units) and units[k][3])
        furniture = [k for k in fronts if 0 <= k < len(units) and units[k][3] and texts[units[k][2]] >= 2]
        if not furniture:
            return
        drop.update(furniture)
        fronts = [k + step for k in furniture]


def drop_furniture(blocks: list[tuple[int, object]]) -> list[tuple[int, object]]:
    """Blocks (line, text or table rows) without page breaks, page numbers and running headers."""
    units = _units(blocks)
    breaks = [i for i, u in enumerate(units) if u[2] is None]
    if not breaks:
        return blocks
    drop = set(breaks)
    heads: list[int] = []
    feet: list[int] = []
    for i in breaks:
        j = i - 1
        while j >= 0 and _is_number(units[j]):
            drop.add(j)
            j -= 1
        feet.append(j)
        k = i + 1
        while k < len(units) and (units[k][2] is None or _is_number(units[k])):
            drop.add(k)
            k += 1
        heads.append(k)
    last = len(units) - 1
    while last >= 0 and _is_number(units[last]):
        drop.add(last)  # the last page's number
        last -= 1
    _repeated(units, heads, 1, drop)
    _repeated(units, [j for j in feet if j not in drop], -1, drop)
    rows_out: dict[int, set[int]] = {}
    blocks_out: set[int] = set()
    for i in drop:
        b, r, _, _ = units[i]
        if r < 0:
            blocks_out.add(b)
        else:
            rows_out.setdefault(b, set()).add(r)
    kept = []
    for b, (line, item) in enumerate(blocks):
        if b in blocks_out:
            continue
        if b in rows_out:
            item = [row for r, row in enumerate(item) if r not in rows_out[b]]
        kept.append((line, item))
    return kept
