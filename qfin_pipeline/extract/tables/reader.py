"""The table reader: logical lines -> every numeric cell with its table, row and column context.

A table starts at a title (catalog statements.csv; a title no catalog knows makes a table of statement
'other'), takes its scale from its amounts note (else the one scale the release states elsewhere), its
columns from its header rows, and goes on across page breaks: the same title again or a '(Continued)'
title with the same header rows continue it. Labels map to metrics through the catalog; a line no catalog
knows gets a readable id from its statement and label (generated_id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from qfin_pipeline import catalog
from qfin_pipeline.extract.errors import ReleaseError
from qfin_pipeline.extract.lines import Line
from qfin_pipeline.extract.tables.headers import Column, header_columns
from qfin_pipeline.extract.tables.values import NUMBER
from qfin_pipeline.extract.titles import base_title, is_continued, scale_note, title_statement

OTHER = "other"  # the statement of a table under a title no catalog knows
_HAS_DIGIT = re.compile(r"\d")
_PER_SHARE = re.compile(r"per (ordinary )?share|per ads\b|\beps\b")
_SHARES = re.compile(r"weighted average|number of (shares|ads)")
_BOILERPLATE = re.compile(r"\b(?:unaudited|condensed|consolidated)\b", re.I)
_SCALE_WORDS = {1_000: "thousands", 1_000_000: "millions", 1_000_000_000: "billions"}


@dataclass
class _Table:
    statement: str
    title: str
    line: int  # where its title stands
    scale: int | None = None
    columns: dict[int, Column] = field(default_factory=dict)
    header_rows: list[list[str]] = field(default_factory=list)
    heading: str | None = None  # last value-less group row ('Current assets:')
    group: str | None = None  # last value-carrying group row ('Platform services')
    group_metric: str | None = None
    has_data: bool = False
    resumed: bool = False  # its title printed again after a page break: notes may follow before its rows

    @property
    def key(self) -> str:
        return base_title(self.title)


@lru_cache(maxsize=8192)
def _unit_guess(section: str | None, label: str) -> str:
    text = f"{section or ''} {label}".lower()
    if _PER_SHARE.search(text):
        return "per_share"
    if _SHARES.search(text):
        return "shares"
    return "currency"


@lru_cache(maxsize=8192)
def generated_id(statement: str, table: str | None, section: str | None, label: str) -> str:
    """The id of a line no catalog knows: readable and stable (an issuer name reads 'issuer' under every name).

    income_statement + 'Other gains, net' -> income_statement__other_gains_net; a table of statement 'other'
    adds its title (other__supplemental_information__...); a section is given only where the release prints
    the same label under two sections (read_cells), so that two lines never share an id."""
    parts = [statement]
    if statement == OTHER and table:
        parts.append(catalog.slug(_BOILERPLATE.sub(" ", table)) or "table")
    if section:
        parts.append(catalog.slug(section))
    parts.append(catalog.slug(label) or "line")
    return "__".join(p for p in parts if p)


def _qualify(out: list[tuple], generated: dict[tuple, list[tuple[int, str | None]]]) -> None:
    """Generated ids of a label printed under several sections of one table take their section."""
    for (statement, title, label), cells in generated.items():
        if len({section for _, section in cells}) < 2:
            continue
        for i, section in cells:
            out[i] = (*out[i][:3], generated_id(statement, title, section, label), *out[i][4:])


_metric_for = lru_cache(maxsize=8192)(catalog.metric_for)  # table labels repeat across releases
CELL_FIELDS = ("statement", "section", "label", "metric_id", "unit_hint", "scale", "raw", "period_type",
               "period_start", "period_end", "column_currency", "source_line", "source_column", "source_text")


def _title_like(text: str) -> bool:
    """A line that may title the table below it (not a sentence, not a note's second line)."""
    return len(text) <= 150 and text[:1].isupper() and not text.endswith((".", ")", ","))


def release_scale(lines: list[Line], source_file: str, table: _Table) -> int:
    """The scale a release states outside the table (every amounts note it prints), for a table with none."""
    stated = {s for ln in lines if "\t" not in ln.text and (s := scale_note(ln.text)) is not None}
    if len(stated) == 1:
        return stated.pop()
    found = f"it states several ({', '.join(_SCALE_WORDS.get(s, str(s)) for s in sorted(stated))})" if stated \
        else "it states none anywhere"
    raise ReleaseError(source_file, f"table '{table.title}' has no amounts note ('in thousands', 'in millions', "
                                    f"\"RMB'000\") and {found}: its scale cannot be read", table.line)


class _Walk:
    """The walk over a release's lines: the open table, and what may title an unknown table below."""

    def __init__(self, lines: list[Line], source_file: str):
        self.lines, self.source_file = lines, source_file
        self.out: list[tuple] = []  # CELL_FIELDS tuples
        self.unplaced: list[tuple[int, str, str, str]] = []  # (line, printed, reason, text)
        self.generated: dict[tuple, list[tuple[int, str | None]]] = {}  # (statement, title, label) -> cells
        self.table: _Table | None = None
        self.pending: tuple[str, int] | None = None  # a line that may title an unknown table below it
        self.pending_scale: int | None = None
        self.group_row = _before_labelled_row(lines)
        self.components = catalog.identity_components()
        self.units = catalog.metric_units()

    def text_line(self, index: int, text: str, number: int) -> str | None:
        """A line without tabs: a title, a note, prose; or a group row printed without its tabs (returned)."""
        table, statement, note = self.table, title_statement(text), scale_note(text)
        if (table and (table.columns or table.header_rows) and self.group_row[index]
                and base_title(text) != table.key and not statement and note is None):
            return text + "\t"
        if statement:
            if table and table.has_data and table.statement == statement and (
                    base_title(text) == table.key or is_continued(text)):
                table.resumed = True  # the table goes on after a page break
            else:
                self.table = _Table(statement, text, number)
        elif note is not None:
            if table and not table.has_data:
                table.scale = note
            elif table is None:
                self.pending_scale = note
        elif table is None or (table.has_data and not table.resumed):
            self.table = None  # prose after a table ends it
            if _title_like(text):
                self.pending, self.pending_scale = (text, number), None
            elif text.endswith("."):
                self.pending = None  # a sentence: the next table's title is below it
        return None

    def row(self, line: Line, text: str) -> None:
        cells = text.split("\t")
        label, values = cells[0], cells[1:]
        table = self.table
        if table is not None:
            table.resumed = False
        else:
            title, at = self.pending or ("untitled table", line.number)
            table = self.table = _Table(OTHER, title, at, self.pending_scale)
            self.pending, self.pending_scale = None, None
        if not label:
            if any(values):
                table.header_rows.append(values)
            return
        if table.header_rows:
            columns = header_columns(table.header_rows)
            if table.has_data and columns != table.columns:
                table.heading = table.group = None  # a new sub-table; the same headers again are a page break
            table.columns, table.header_rows = columns, []
        if not any(values):
            table.heading, table.group = label, None
            return
        table.has_data = True
        section, metric = self.line_metric(table, label)
        self.values(table, line, text, label, values, section, metric)

    def line_metric(self, table: _Table, label: str) -> tuple[str | None, str | None]:
        """The row's section and catalog metric (None: no catalog knows it)."""
        statement, section, metric, in_group = table.statement, table.heading, None, False
        if table.group:  # still inside a subtotal-carrying group row's components? (an unknown line stays in)
            metric = _metric_for(statement, table.group, label)
            in_group = metric is None or metric in self.components.get(table.group_metric, ())
            section = table.group if in_group else section
            table.group = table.group if in_group else None
        if not in_group:
            metric = _metric_for(statement, section, label)
            if metric in self.components:  # a total printed above its components
                table.group, table.group_metric = label, metric
        return section, metric

    def values(self, table: _Table, line: Line, text: str, label: str, values: list[str], section: str | None,
               metric: str | None) -> None:
        statement = table.statement
        unit = self.units.get(metric) if metric else None
        metric_id = unit_hint = None
        for j, raw in enumerate(values, 1):
            if not raw:
                continue
            column = table.columns.get(j)
            number = NUMBER.match(raw) is not None
            if column is None or not number:
                if statement == OTHER:  # an unknown table's cell with no period, or text: not a fact
                    if _HAS_DIGIT.search(raw):
                        reason = "not a number" if not number else "without a period header"
                        self.unplaced.append((line.number, raw, f"table cell {reason}", text))
                    continue
                problem = (f"table cell {raw!r} in column {j} of {label!r} is not a number" if not number
                           else f"value {raw!r} in column {j} of {label!r} has no period header")
                raise ReleaseError(self.source_file, problem, line.number)
            if metric_id is None:
                metric_id = metric or generated_id(statement, table.title, None, label)
                unit_hint = unit or _unit_guess(section, label)
            if metric is None:
                key = (statement, table.title if statement == OTHER else None, label)
                self.generated.setdefault(key, []).append((len(self.out), section))
            if table.scale is None and unit_hint == "currency" and not raw.endswith("%"):
                table.scale = release_scale(self.lines, self.source_file, table)
            self.out.append((
                statement, section, label, metric_id, unit_hint, table.scale or 1, raw, column.period_type,
                column.period_start, column.period_end, column.currency, line.number, j, line.source,
            ))


def read_cells(lines: list[Line], source_file: str) -> tuple[list[tuple], list[tuple[int, str, str, str]]]:
    """(cells as CELL_FIELDS tuples, numbers of unknown tables that are no facts as (line, printed, reason, text))."""
    walk = _Walk(lines, source_file)
    for index, line in enumerate(lines):
        text = line.text
        if "\t" not in text:
            if not text:
                continue
            text = walk.text_line(index, text, line.number)
            if text is None:
                continue
        walk.row(line, text)
    if walk.generated:
        _qualify(walk.out, walk.generated)
    return walk.out, walk.unplaced


def _before_labelled_row(lines: list[Line]) -> list[bool]:
    """For each line: is the next table row a labelled one, with at most one other tab-less line between?
    ('LIABILITIES AND EQUITY' / 'Current liabilities:' printed without their tabs; computed backwards.)"""
    out, labelled, gap = [False] * len(lines), False, 0
    for i in range(len(lines) - 1, -1, -1):
        out[i] = labelled and gap <= 1
        text = lines[i].text
        if "\t" in text:
            labelled, gap = bool(text.split("\t", 1)[0]), 0
        elif text:
            gap += 1
    return out
