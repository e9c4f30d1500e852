"""Page furniture of a paginated HTML document (an EDGAR exhibit): page breaks, page numbers, running headers.

A page break is an <hr> or an element styled page-break-before/after: always (break-before: page). Around
each break, page numbers ('12', '- 12 -', 'Page 12', '12 of 30') go, and so does a running header: the
text that opens the page after a break and opens the page after another break too (a table row counts
when its text stands in its first cell alone). Breaks inside a table are rows of their own. What is left
reads as if the document had never been paginated.
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


def drop_furniture(blocks: list[tuple[int, object]]) -> list[tuple[int, object]]:
    """Blocks (line, text or table rows) without page breaks, page numbers and running headers."""
    units = _units(blocks)
    breaks = [i for i, u in enumerate(units) if u[2] is None]
    if not breaks:
        return blocks
    drop = set(breaks)
    openers: list[int] = []
    for i in breaks:
        j = i - 1
        while j >= 0 and units[j][2] is not None and _PAGE_NUMBER.fullmatch(units[j][2]):
            drop.add(j)
            j -= 1
        k = i + 1
        while k < len(units) and (units[k][2] is None or _PAGE_NUMBER.fullmatch(units[k][2])):
            drop.add(k)
            k += 1
        if k < len(units) and units[k][3]:
            openers.append(k)
    last = len(units) - 1
    while last >= 0 and units[last][2] is not None and _PAGE_NUMBER.fullmatch(units[last][2]):
        drop.add(last)  # the last page's number
        last -= 1
    repeated = Counter(units[k][2] for k in openers)
    drop.update(k for k in openers if repeated[units[k][2]] >= 2)
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
