"""Prose -> facts: every figure a release states in sentences (highlights, results, outlook, capital return).

It reads the grammar of sentences, not the sentences of one release (clauses.py binds each printed
number to the metric its sentence names, via catalog/prose_labels.csv, and to a period):

- Sections come from the printed headings: '... Business Highlights' (kind highlight, statement
  'operating', footnotes included), '... Financial Highlights' / '... Financial Results' (narrative, the
  metric's statement; management's quotes there are highlights), '... Outlook' (outlook), headings naming
  a repurchase, buyback or dividend (capital_return), 'Exchange Rate ...' (reference). Other sections
  (conference call, safe harbor, tables) are not read. Before the first heading only capital-return
  figures count (the lead paragraph); capital-return and reference metrics keep their kind anywhere.
- Periods: from doc.info and the sentence ('as of June 30, 2024', 'in the third quarter of 2024',
  'a year ago', 'in the same period of 2023', 'in the prior quarter', 'for the fourth quarter of 2024',
  'during the 12-month period from April 1, 2024'). Without one: the release's quarter (12 months under a
  'Full Year' heading, the next quarter under 'Outlook'), as an instant for stock metrics.
- `section` is the printed heading of the prose block; `label` the metric's catalog label, for outlook
  figures followed by ' guidance low' / ' guidance high' (a range) or ' guidance' (one figure). A prior
  actual quoted under Outlook ('compared to RMB1.15 billion in the same period of 2023') is narrative.
- reported_change rows (unit pure, currency NULL, value a fraction, a decrease negative) sit on the metric
  and period of the CURRENT figure they describe; `label` is the comparison, machine-readable:
  'yoy' (vs the same period a year earlier), 'qoq' (vs the prior quarter), 'share_of_total' (a part of its
  total), and under Outlook 'guidance_yoy_low' / 'guidance_yoy_high' (a guided growth range; a single
  guided growth is 'guidance_yoy'). A change whose comparison cannot be told is left out.
- A number is a fact only if bound to a metric whose unit fits how it is printed (a currency metric needs
  a currency, a rate a %, a tenor 'months'); dates, years, times, footnote numbers, '90 day+', 'Day-1',
  phone numbers and links never are.
"""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract.clauses import Frame, Sentence
from qfin_pipeline.extract.document import Document, Line, ReleaseInfo
from qfin_pipeline.extract.facts import FACT_SCHEMA, PERIOD_TYPES, empty_facts
from qfin_pipeline.extract.periods import add_months
from qfin_pipeline.extract.sentences import Mention, sentences
from qfin_pipeline.extract.timeframes import DATE, Period

_SECTIONS = [
    (re.compile(r"business\s+highlights|operational\s+highlights|operating\s+highlights", re.I), "highlight"),
    (re.compile(r"financial\s+(?:highlights|results)", re.I), "narrative"),
    (re.compile(r"outlook|guidance", re.I), "outlook"),
    (re.compile(r"repurchase|buy-?back|dividend", re.I), "capital_return"),
    (re.compile(r"exchange\s+rate", re.I), "reference"),
]
_SECTION_MONTHS = [
    (re.compile(r"full\s+year|fiscal\s+year|twelve\s+months|annual", re.I), 12),
    (re.compile(r"nine\s+months", re.I), 9),
    (re.compile(r"first\s+half|six\s+months|interim", re.I), 6),
]
_QUARTER = re.compile(r"\b(?:first|second|third|fourth)\s+quarter\b", re.I)
_DATELINE = re.compile(r"^" + DATE + r"$", re.I)
_FOOTNOTE = re.compile(r"^\d{1,2}\s+(?=[A-Z\"“‘'(])")
_SPEAKER = re.compile(r"\b(?:commented|added|said|stated|noted|remarked)[,:]?\s*[“\"]", re.I)
_DIGIT = re.compile(r"\d")


class _Reader:
    """Walks the prose lines in order, keeping the section and quote state."""

    def __init__(self, info: ReleaseInfo):
        self.info, self.kind, self.heading, self.quote = info, "lead", None, False
        self.frame = Frame(info.fiscal_year, info.period_end, 3)
        self.records: list[tuple] = []

    def heading_line(self, text: str) -> None:
        self.kind = next((kind for pattern, kind in _SECTIONS if pattern.search(text)), None)
        self.heading, self.quote = text, False
        months = 3 if _QUARTER.search(text) else next((n for pattern, n in _SECTION_MONTHS if pattern.search(text)), 3)
        outlook = self.kind == "outlook"
        end = add_months(self.info.period_end, 3) if outlook else self.info.period_end
        self.frame = Frame(self.info.fiscal_year, end, 3 if outlook else months)

    def paragraph(self, line: Line) -> None:
        text = line.text
        footnote = _FOOTNOTE.match(text)
        opens, closes = text.count("“"), text.count("”")
        quote = (self.quote or text.startswith(("“", '"'))
                 or (("“" in text or '"' in text) and bool(_SPEAKER.search(text)))) and not footnote
        self.quote = quote and (closes <= opens if self.quote else opens > closes)
        body = text[footnote.end():] if footnote else text
        if not _DIGIT.search(body):
            return  # no figure in any of its sentences
        for sentence in sentences(body):
            if _DIGIT.search(sentence):
                self.sentence(Sentence(sentence, self.frame), line, quote)

    def sentence(self, s: Sentence, line: Line, quote: bool) -> None:
        for rate, period in s.fx_rates():
            self.add(line, "reference", "reference", "fx_rmb_per_usd", None, period,
                     Mention(0, 0, rate, None, Decimal(rate), len(rate.split(".")[1]), False, False), "pure")
        for f in s.figures():
            kind, statement = self.kind_of(f.metric, quote, f.comparative)
            if kind is None or f.period is None:
                continue
            if f.role != "value":
                label = f.comparison
                if kind == "outlook" and label != "share_of_total":
                    label = f"guidance_{label}" + (f"_{f.bound}" if f.bound else "")
                self.add(line, "reported_change", statement, f.metric, label, f.period, f.mention, "pure", f.sign)
                continue
            row = catalog.metric_rows()[f.metric]
            if not _fits(row["unit"], f.mention):
                continue
            label = row["label"] + ((" guidance" + (f" {f.bound}" if f.bound else "")) if kind == "outlook" else "")
            for m in [f.mention, *f.translations]:
                self.add(line, kind, statement, f.metric, label, f.period, m, row["unit"])

    def kind_of(self, metric: str, quote: bool, comparative: bool) -> tuple[str | None, str | None]:
        statement = catalog.metric_rows()[metric]["statement"]
        if statement in ("capital_return", "reference"):
            return statement, statement
        if self.kind == "outlook":  # a prior actual quoted next to the guidance is narrative
            return ("narrative", statement) if comparative else ("outlook", "outlook")
        if self.kind == "highlight" or (quote and self.kind == "narrative"):
            return "highlight", "operating"
        return ("narrative", statement) if self.kind == "narrative" else (None, None)

    def add(self, line: Line, kind: str, statement: str, metric: str, label: str | None, period: Period,
            m: Mention, unit: str, sign: float = 1.0) -> None:
        if period.type not in PERIOD_TYPES:
            return
        self.records.append((  # FACT_SCHEMA order
            self.info.release_id, kind, statement, self.heading, label or catalog.metric_rows()[metric]["label"],
            metric, period.type, period.start, period.end, m.currency if unit in ("currency", "per_share") else None,
            unit, -m.value if sign < 0 else m.value, m.decimals, line.number, None, line.source,
        ))


def read_prose(doc: Document) -> pl.DataFrame:
    """Document -> prose facts in FACT_SCHEMA (see CONTRACT.md `facts`)."""
    reader = _Reader(doc.info)
    for line in doc.lines:
        text = line.text
        if not text or "\t" in text or text == doc.info.title:
            continue
        if _is_heading(text):
            if not _DATELINE.match(text):
                reader.heading_line(text)
        elif reader.kind is not None:
            reader.paragraph(line)
    if not reader.records:
        return empty_facts()
    columns = zip(*reader.records, strict=True)
    return pl.DataFrame(dict(zip(FACT_SCHEMA, map(list, columns), strict=True)), schema=FACT_SCHEMA)


def _is_heading(text: str) -> bool:
    return (len(text) <= 120 and len(text.split()) <= 16 and not text.startswith("- ")
            and not text.endswith((".", ":", ";", ",", "”", '"')) and (text[0].isupper() or text[0].isdigit()))


def _fits(unit: str, m: Mention) -> bool:
    """Does the printed form fit the metric's unit? (A currency metric needs a currency, a rate a %...)"""
    if unit in ("currency", "per_share"):
        return m.currency is not None and not m.pct
    if unit == "pure":
        return m.pct
    if unit == "months":
        return m.months
    return m.currency is None and not m.pct and not m.months

