"""Which blocks of a page are the release: the article body of a newswire page (all of <body> otherwise)."""

from __future__ import annotations

# (line, text or a table's rows, open content candidates, is the <h1>); pages.BREAK text is a page break
Block = tuple[int, "str | list", tuple[int, ...], bool]


def _size(item: str | list) -> int:
    if isinstance(item, str):
        return len(item)
    return sum(len(text) for _, cells in item if cells for text, _, _ in cells)


def article_blocks(blocks: list[Block], depth: dict[int, int]) -> list[tuple[int, str | list]]:
    """The blocks of the innermost content candidate holding most of the text, and the <h1> above it
    (a candidate: <article>, <main>, or a class/id/itemprop naming an article or main body)."""
    size: dict[int, int] = {}
    sizes = [_size(item) for _, item, _, _ in blocks]
    for (_, _, cands, _), n in zip(blocks, sizes, strict=True):
        for c in cands:
            size[c] = size.get(c, 0) + n
    most = max(size.values(), default=0)
    if most < 0.5 * sum(sizes):  # no container holds the article: all of <body>
        return [(line, text) for line, text, _, _ in blocks]
    chosen = max((c for c, n in size.items() if n >= 0.8 * most), key=lambda c: (depth[c], -c))
    first = next(i for i, b in enumerate(blocks) if chosen in b[2])
    return [(b[0], b[1]) for i, b in enumerate(blocks) if chosen in b[2] or (b[3] and i < first)]
