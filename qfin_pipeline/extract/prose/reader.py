"""Walks a release's prose lines in order: each sentence's bound figures become fact rows (or unread rows with
the reason they are not facts); titles, headings and sections that yield no facts give unread rows only."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract.document import Document, Line, ReleaseInfo
from qfin_pipeline.extract.facts import FACT_SCHEMA, PERIOD_TYPES, UNREAD_SCHEMA
from qfin_pipeline.extract.prose.binding import Sentence
from qfin_pipeline.extract.prose.figures import Figure, blank_out, find_figures, noise
from qfin_pipeline.extract.prose.periods import Period
from qfin_pipeline.extract.prose.sections import DATELINE, FOOTNOTE, Section, is_heading
from qfin_pipeline.extract.prose.sentences import sentence_spans
from qfin_pipeline.extract.prose.unread import FIGURE_REASONS, NUMBER, LineNumbers, classify

_DIGIT = re.compile(r"\d", re.A)


class _Reader:
    def __init__(self, info: ReleaseInfo):
        self.info, self.section = info, Section(info)
        self.records: list[tuple] = []
        self.unread: list[list] = []
        self.fact_keys: set[tuple] = set()  # (value, currency, percent) of every figure read as a fact

    def paragraph(self, line: Line) -> None:
        text = line.text
        footnote, quote = self.section.paragraph(text)
        first = _DIGIT.search(text)
        if not first:
            return
        at = footnote.end() if footnote else 0
        spans = sentence_spans(text[at:]) if first.start() >= at or _DIGIT.search(text, at) else []
        numbers = LineNumbers(line, [0, *(at + offset for offset, _ in spans[1:])])
        if footnote:
            numbers.span(0, at, "footnote marker")
        for offset, sentence in spans:
            if _DIGIT.search(sentence):
                self.sentence(Sentence(sentence, self.section.frame), line, quote, numbers, at + offset)
        self.unread.extend(numbers.rows(self.info.release_id))

    def sentence(self, s: Sentence, line: Line, quote: bool, numbers: LineNumbers, at: int) -> None:
        for m, period in s.fx_rates():
            rate = m.group("rate")
            start, end = m.span("rate")
            f = Figure(start, end, start, rate, None, Decimal(rate), len(rate.split(".")[1]), False, False, True)
            if self.add(line, "reference", "reference", "fx_rmb_per_usd", None, period, f, "pure"):
                numbers.fact(at + start)
            else:
                numbers.figure(at + start, at + start, at + end, "no period", f.key)
            numbers.span(at + m.start() + m.group().index("US$"), at + m.end(), "unit")
        for f in s.main:
            reason = self.figure(f, line, quote)
            for g in (f, *f.translations):
                if not reason:
                    numbers.fact(at + g.at)
                elif g.stated:
                    numbers.figure(at + g.at, at + g.start, at + g.end, reason, g.key)
                else:  # a bare number: what its form says ('91 to 180 days') before what binding did not find
                    form = classify(numbers.line.text, at + g.at, at + g.end)
                    numbers.span(form.start, form.end, reason if form.reason == "no pattern" else form.reason)
        for a, b, reason in s.noise:
            numbers.span(at + a, at + b, reason)

    def figure(self, f: Figure, line: Line, quote: bool) -> str | None:
        """Adds the facts a bound figure is (it and its translations); else says why it is none."""
        if f.label is None:
            return "no metric"
        kind, statement = self.kind_of(f.metric, quote, f.kind == "value" and f.role.comparative)
        if kind is None:
            return "no pattern"
        if f.kind is None or f.period is None:
            return "no period"
        if f.kind != "value":
            label = f.comparison
            if kind == "outlook" and label != "share_of_total":
                label = f"guidance_{label}" + (f"_{f.bound}" if f.bound else "")
            added = self.add(line, "reported_change", statement, f.metric, label, f.period, f, "pure", f.sign)
            return None if added else "no period"
        row = catalog.metric_rows()[f.metric]
        if not _fits(row["unit"], f):
            return "no metric"
        if f.period.type not in PERIOD_TYPES:
            return "no period"
        label = row["label"] + ((" guidance" + (f" {f.bound}" if f.bound else "")) if kind == "outlook" else "")
        for g in [f, *f.translations]:
            self.add(line, kind, statement, f.metric, label, f.period, g, row["unit"])
        return None

    def kind_of(self, metric: str, quote: bool, comparative: bool) -> tuple[str | None, str | None]:
        statement = catalog.metric_rows()[metric]["statement"]
        if statement in ("capital_return", "reference"):
            return statement, statement
        kind = self.section.kind
        if kind == "outlook":  # a prior actual quoted next to the guidance is narrative
            return ("narrative", statement) if comparative else ("outlook", "outlook")
        if kind == "highlight" or (quote and kind == "narrative"):
            return "highlight", "operating"
        return ("narrative", statement) if kind == "narrative" else (None, None)

    def add(self, line: Line, kind: str, statement: str, metric: str, label: str | None, period: Period,
            f: Figure, unit: str, sign: float = 1.0) -> bool:
        if period.type not in PERIOD_TYPES:
            return False
        self.records.append((  # FACT_SCHEMA order
            self.info.release_id, kind, statement, self.section.heading, label or catalog.metric_rows()[metric]["label"],
            metric, period.type, period.start, period.end, f.currency if unit in ("currency", "per_share") else None,
            unit, -f.value if sign < 0 else f.value, f.decimals, line.number, None, line.source,
        ))
        self.fact_keys.add(f.key)
        return True

    def numbers_only(self, line: Line, heading: bool) -> None:
        """A line no facts are read from (title, heading, a section that yields none): its numbers, unread."""
        text, numbers = line.text, LineNumbers(line)
        footnote = None if heading else FOOTNOTE.match(text)
        if footnote:
            numbers.span(0, footnote.end(), "footnote marker")
        for a, b in _around_numbers(text):  # a long paragraph is searched only near its numbers
            window = text[a:b]
            spans = noise(window)
            for f in find_figures(blank_out(window, [(s, e) for s, e, _ in spans])):
                if f.stated:
                    numbers.figure(a + f.at, a + f.start, a + f.end, "no pattern", f.key)
            for s, e, reason in spans:
                numbers.span(a + s, a + e, reason)
        self.unread.extend(numbers.rows(self.info.release_id))

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        for row in self.unread:  # a figure printed again where it is not read: the release states it as a fact
            if row[4] in FIGURE_REASONS and row[5] in self.fact_keys:
                row[4] = "repeated"
        return _frame(self.records, FACT_SCHEMA), _frame(self.unread, UNREAD_SCHEMA)


def _frame(rows: list, schema: dict) -> pl.DataFrame:
    """Rows (in schema order; extra trailing items ignored) -> a frame; exact decimals pass as digit strings."""
    if not rows:
        return pl.DataFrame(schema=schema)
    columns = []
    for name, values in zip(schema, zip(*rows, strict=True), strict=False):  # rows may carry extra items
        dtype = schema[name]
        if isinstance(dtype, pl.Decimal):
            columns.append(pl.Series(name, [format(v, "f") for v in values], pl.String).cast(dtype))
        else:
            columns.append(pl.Series(name, values, dtype))
    return pl.DataFrame(columns)


def read(doc: Document) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Document -> (prose facts in FACT_SCHEMA, unread numbers in UNREAD_SCHEMA)."""
    reader = _Reader(doc.info)
    for line in doc.lines:
        text = line.text
        if not text or "\t" in text:
            continue
        if text == doc.info.title:
            if _DIGIT.search(text):
                reader.numbers_only(line, heading=True)
        elif is_heading(text):
            if not DATELINE.match(text):
                reader.section.start(text)
            if _DIGIT.search(text):
                reader.numbers_only(line, heading=True)
        elif reader.section.kind is not None:
            reader.paragraph(line)
        elif _DIGIT.search(text):
            reader.numbers_only(line, heading=False)
    return reader.frames()


def _around_numbers(text: str, reach: int = 40) -> list[tuple[int, int]]:
    """Stretches of a line within `reach` characters of a number, widened to whole words (an address stays
    whole), overlapping ones merged."""
    out: list[list[int]] = []
    for m in NUMBER.finditer(text):
        a = text.rfind(" ", 0, max(0, m.start() - reach)) + 1
        b = text.find(" ", m.end() + reach)
        b = len(text) if b < 0 else b
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _fits(unit: str, f: Figure) -> bool:
    """Does the printed form fit the metric's unit? (A currency metric needs a currency, a rate a %...)"""
    if unit in ("currency", "per_share"):
        return f.currency is not None and not f.pct
    if unit == "pure":
        return f.pct
    if unit == "months":
        return f.months
    return f.currency is None and not f.pct and not f.months
