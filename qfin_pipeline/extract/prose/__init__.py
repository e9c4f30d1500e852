"""Prose -> facts: every figure a release states in sentences (highlights, results, outlook, capital return),
and every other number of its prose as an unread row with the reason it is not a fact.

It reads the grammar of sentences, not the sentences of one release. The parts, in reading order:

- reader.py     walks the lines: headings open sections, paragraphs split into sentences, figures become rows.
- sections.py   what a heading's section yields: '... Business Highlights' (kind highlight, statement
                'operating', footnotes included), '... Financial Highlights' / '... Financial Results' (narrative,
                the metric's statement; management's quotes there are highlights), '... Outlook' (outlook), a
                repurchase, buyback or dividend heading (capital_return), 'Exchange Rate ...' (reference). Other
                sections (conference call, safe harbor) yield none. Before the first heading only capital-return
                figures count (the lead paragraph); capital-return and reference metrics keep their kind anywhere.
- sentences.py  sentences, and the catalog phrases (catalog/prose_labels.csv) that name metrics.
- figures.py    printed figures as objects (span, currency, exact value, precision ...), and the noise that is
                never a figure: dates, times, phone numbers, stock codes, addresses, the issuer's names.
- periods.py    period phrases, one table row per wording ('as of June 30, 2024', 'a year ago', 'for 2025',
                'during the 12-month period from April 1, 2024'); without one a figure has the section's period
                (the release's quarter; 12 months under 'Full Year'; the next quarter under 'Outlook'), as an
                instant for stock metrics.
- binding.py    one sentence's figures bound to a metric, a role (current, comparative, stated change, share,
                end of a range) and a period.
- unread.py     every number that is not a fact, with its reason.
- patterns.py   the words a pattern starts with, read off the pattern: the period scan's anchor, and `Tell`s
                that skip a slow pattern where none of its words occurs.

Rows: `section` is the printed heading; `label` the metric's catalog label, for outlook figures followed by
' guidance low' / ' guidance high' (a range) or ' guidance' (one figure). reported_change rows (unit pure,
currency NULL, value a fraction, a decrease negative) sit on the metric and period of the CURRENT figure they
describe; their `label` is the comparison: 'yoy', 'qoq', 'share_of_total', under Outlook 'guidance_yoy_low' /
'guidance_yoy_high' (or 'guidance_yoy'). A number is a fact only if bound to a metric whose unit fits how it is
printed (a currency metric needs a currency, a rate a %, a tenor 'months').
"""

from __future__ import annotations

import polars as pl

from qfin_pipeline.extract.document import Document
from qfin_pipeline.extract.prose.reader import read

__all__ = ["read", "read_prose"]


def read_prose(doc: Document) -> pl.DataFrame:
    """Document -> prose facts in FACT_SCHEMA (see CONTRACT.md `facts`)."""
    return read(doc)[0]
