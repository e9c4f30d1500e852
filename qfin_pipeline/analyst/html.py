"""Small HTML builders for the report. Every text is escaped unless it is our own markup (`Markup`): a release is
untrusted input, so a label like `Other income <script>…</script>` shows as text."""

from __future__ import annotations

from decimal import Decimal
from html import escape


class Markup(str):
    """HTML this package wrote itself (never text from a release)."""


class Cell(Markup):
    """A whole table cell (`td`), with its own attributes."""


def esc(value: object) -> Markup:
    return value if isinstance(value, Markup) else Markup(escape("" if value is None else str(value), quote=True))


def tag(name: str, content: object = "", **attrs: object) -> Markup:
    rendered = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None)
    return Markup(f"<{name}{rendered}>{esc(content)}</{name}>")


def td(content: object, **attrs: object) -> Cell:
    return Cell(tag("td", content, **attrs))


def join(parts) -> Markup:
    return Markup("".join(esc(p) for p in parts))


def table(columns: list[str], rows: list[list[object]], numeric: set[int] = frozenset(), class_: str | None = None,
          caption: str | None = None) -> Markup:
    """A plain table; `numeric` holds the indexes of right-aligned columns."""
    head = tag("tr", join(tag("th", c, class_="num" if i in numeric else None) for i, c in enumerate(columns)))
    body = join(tag("tr", join(cell if isinstance(cell, Cell) else td(cell, class_="num" if i in numeric else None)
                               for i, cell in enumerate(row))) for row in rows)
    return tag("table", join([tag("caption", caption) if caption else "", tag("thead", head), tag("tbody", body)]),
               class_=class_)


def figure(value: Decimal | float | None, unit: str | None) -> str:
    """A value as the report shows it: currency in millions, ratios in %, per-share to two decimals."""
    if value is None:
        return "–"
    number = float(value)
    if unit == "currency":
        return f"{number / 1e6:,.1f}"
    if unit == "pure":
        return f"{number * 100:,.2f}%"
    if unit == "per_share":
        return f"{number:,.2f}"
    if unit == "months":
        return f"{number:,.1f}"
    return f"{number:,.0f}"


def exact(value: Decimal | float | None) -> str | None:
    """The exact stored value (a cell's tooltip)."""
    if value is None:
        return None
    return format(value.normalize(), "f") if isinstance(value, Decimal) else repr(value)
