"""The template's tab-separated tables -> per-line renderers that print a release's values in its layout.

Every table row keeps its template label and cell layout; each value cell is the row's metric (as the
extractor maps it) in the column's role: '3M', '3M_py', 'YTD', 'YTD_py' (durations of the release's own
and prior year), 'BS', 'BS_ye' (quarter end, prior year end), in RMB or USD. A Q1 release drops the
year-to-date columns and the year-to-date blocks of the comprehensive income and non-GAAP tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from qfin_pipeline import catalog
from qfin_pipeline.extract.document import Document
from qfin_pipeline.extract.tables import Column, header_columns, table_cells
from tests.release_builder_kpis import long_date, month_day

Render = Callable[[object], "str | None"]
_YTD_HEAD = {2: "Six months ended June 30,", 3: "Nine months ended September 30,",
             4: "Year ended December 31,"}
_DATE = re.compile(r"([A-Z][a-z]+\.? \d{1,2}), (\d{4})")
_NET_CHANGE = {(True, False): "Net increase in cash and cash equivalents",
               (False, True): "Net decrease in cash and cash equivalents",
               (True, True): "Net (decrease) increase in cash and cash equivalents"}


def _currency(value: int) -> str:
    return "-" if value == 0 else f"({-value:,})" if value < 0 else f"{value:,}"


def _per_share(value: int) -> str:
    text = f"{abs(value) // 100}.{abs(value) % 100:02d}"
    return f"({text})" if value < 0 else text


def _millions(value: int) -> str:
    """Thousands -> millions to one decimal, half away from zero: 4,370,158 -> '4,370.2'."""
    tenths = (2 * abs(value) + 100) // 200
    text = f"{tenths // 10:,}.{tenths % 10}"
    return "-" if value == 0 else f"({text})" if value < 0 and tenths else text


def _percent(value: int) -> str:  # margins, in tenths of a percent
    text = f"{abs(value) // 10}.{abs(value) % 10}%"
    return "-" + text if value < 0 else text


FORMATS: dict[str, Callable[[int], str]] = {
    "currency": _currency, "shares": "{:,}".format, "per_share": _per_share, "pure": _percent,
}


def fmt(value: int, unit: str) -> str:
    """A cell as the release prints it: thousands separators, parentheses for negatives, '-' for zero."""
    return FORMATS[unit](value)


def _role(column: Column, template_end: date) -> tuple[str, bool]:
    own = column.period_end == template_end
    kind = {"instant": "BS", "3M": "3M"}.get(column.period_type, "YTD")
    suffix = "" if own else ("_ye" if kind == "BS" else "_py")
    return kind + suffix, column.currency == "USD"


def _header_cell(text: str, y0: int, q0_end: date) -> Callable[[object], str]:
    """A header cell rewritten for the release: its quarter end, its year-to-date span, shifted years."""
    if re.match(r"(?i)three months ended", text):
        return lambda c: f"Three months ended {month_day(c.qe)},"
    if re.match(r"(?i)(six|nine|twelve) months ended|year ended", text):
        return lambda c: _YTD_HEAD[c.q]
    if re.fullmatch(r"\d{4}", text):
        return lambda c: str(int(text) + c.y - y0)
    m = _DATE.search(text)
    if not m:
        return lambda c: text
    head, tail = text[: m.start()], text[m.end():]
    if m.group(1) == month_day(q0_end) and int(m.group(2)) == y0:
        return lambda c: head + long_date(c.qe) + tail
    return lambda c: head + m.group(1) + f", {int(m.group(2)) + c.y - y0}" + tail


def compile_tables(raw_lines: list[str], doc: Document) -> dict[int, Render]:
    """0-based raw line index -> renderer, for every table row of the template."""
    info = doc.info
    cells = table_cells(doc)
    metric_of = dict(zip(cells["source_line"], cells["metric_id"], strict=True)) if len(cells) else {}
    units = catalog.metric_units()
    out: dict[int, Render] = {}
    group: list[int] = []  # line indexes of the current header rows
    roles: dict[int, tuple[str, bool]] = {}
    ytd_only = False
    for i, raw in enumerate(raw_lines):
        if "\t" not in raw:
            if raw.strip():
                roles, ytd_only = {}, False  # a title or prose line: the next table has its own header
            continue
        parts = [p.strip() for p in raw.rstrip("\r\n").split("\t")]
        label, values = parts[0], parts[1:]
        if not label:
            if any(values):
                group.append(i)
            continue
        if group:
            rows = [[p.strip() for p in doc.lines[g].text.split("\t")[1:]] for g in group]
            roles = {j: _role(col, info.period_end) for j, col in header_columns(rows).items()}
            ytd_only = all(r[0].startswith("YTD") for r in roles.values())
            for g in group:
                out[g] = _header_renderer(raw_lines[g], roles, ytd_only, info.fiscal_year, info.period_end)
            group = []
        metric = metric_of.get(i + 1)
        out[i] = _row_renderer(label, values, metric, units.get(metric, "currency"), roles, ytd_only)
    return out


def _keep(roles: dict[int, tuple[str, bool]], ytd_only: bool) -> Callable[[object, int], bool]:
    return lambda c, j: c.q > 1 or (not ytd_only and not roles.get(j, ("",))[0].startswith("YTD"))


def _header_renderer(raw: str, roles, ytd_only: bool, y0: int, q0_end: date) -> Render:
    parts = raw.rstrip("\r\n").split("\t")
    cell_fns = [_header_cell(p.strip(), y0, q0_end) if p.strip() else None for p in parts[1:]]
    keep = _keep(roles, ytd_only)

    def render(c) -> str | None:
        if c.q == 1 and ytd_only:
            return None
        kept = [fn(c) if fn else "" for j, fn in enumerate(cell_fns, 1) if keep(c, j)]
        return "\t".join([parts[0], *kept])

    return render


def _row_renderer(label: str, values: list[str], metric: str | None, unit: str, roles,
                  ytd_only: bool) -> Render:
    keep = _keep(roles, ytd_only)
    if any(values) and metric is None:
        raise ValueError(f"template row {label!r} maps to no catalog metric")
    full = [roles[j] if v else None for j, v in enumerate(values, 1)]  # (role, in USD) of each printed cell
    first_quarter = [spec for j, spec in enumerate(full, 1) if keep(_Q1, j)]
    plain = FORMATS[unit]

    def render(c) -> str | None:
        if c.q == 1 and ytd_only:
            return None
        show = _millions if c.millions and unit == "currency" else plain
        specs = first_quarter if c.q == 1 else full
        numbers = [None if spec is None else c.column(spec)[metric] for spec in specs]
        text = label
        if metric == "net_change_in_cash":
            signs = {v >= 0 for v in numbers if v is not None}
            text = _NET_CHANGE[(True in signs, False in signs)]
        return "\t".join([text, *("" if v is None else show(v) for v in numbers)])

    return render


class _Q1:
    q = 1
