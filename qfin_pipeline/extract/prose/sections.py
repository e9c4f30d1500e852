"""Sections of a release's prose, from its printed headings: what kind of fact each yields, and the period a
figure there has when its sentence names none. Also quotes (management's words) and footnote definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from qfin_pipeline.extract.document import ReleaseInfo
from qfin_pipeline.extract.periods import add_months
from qfin_pipeline.extract.prose.patterns import Tell
from qfin_pipeline.extract.prose.periods import DATE

SECTIONS = [  # heading pattern -> the kind of its facts (no match: a section that yields none)
    (re.compile(r"business\s+highlights|operational\s+highlights|operating\s+highlights", re.I), "highlight"),
    (re.compile(r"financial\s+(?:highlights|results)", re.I), "narrative"),
    (re.compile(r"outlook|guidance", re.I), "outlook"),
    (re.compile(r"repurchase|buy-?back|dividend", re.I), "capital_return"),
    (re.compile(r"exchange\s+rate", re.I), "reference"),
]
SECTION_MONTHS = [  # heading pattern -> months its figures cover (else a quarter)
    (re.compile(r"full\s+year|fiscal\s+year|twelve\s+months|annual", re.I), 12),
    (re.compile(r"nine\s+months", re.I), 9),
    (re.compile(r"first\s+half|six\s+months|interim", re.I), 6),
]
_QUARTER = re.compile(r"\b(?:first|second|third|fourth)\s+quarter\b", re.I)
DATELINE = re.compile(r"^" + DATE + r"$", re.I)
FOOTNOTE = re.compile(r"^\d{1,2}\s+(?=[A-Z\"“‘'(])")
_SPEAKER = Tell(r"\b(?:commented|added|said|stated|noted|remarked)[,:]?\s*[“\"]", re.I)


@dataclass
class Frame:
    """What a sentence needs from around it."""

    fiscal_year: int
    period_end: date  # where figures without a period phrase end (the next quarter's under 'Outlook')
    months: int  # their duration: 3, or 12 under a 'Full Year' heading
    recent: list[str] = field(default_factory=list)  # metrics named so far in the section


def is_heading(text: str) -> bool:
    return (len(text) <= 120 and not text.startswith("- ") and not text.endswith((".", ":", ";", ",", "”", '"'))
            and (text[0].isupper() or text[0].isdigit()) and len(text.split()) <= 16)


class Section:
    """The section being read: its kind ('lead' before the first heading, None for one that yields no facts),
    heading, frame, and whether a quote is open."""

    def __init__(self, info: ReleaseInfo):
        self.info, self.kind, self.heading, self.quote = info, "lead", None, False
        self.frame = Frame(info.fiscal_year, info.period_end, 3)

    def start(self, heading: str) -> None:
        self.kind = next((kind for pattern, kind in SECTIONS if pattern.search(heading)), None)
        self.heading, self.quote = heading, False
        months = 3 if _QUARTER.search(heading) else next((n for p, n in SECTION_MONTHS if p.search(heading)), 3)
        outlook = self.kind == "outlook"
        end = add_months(self.info.period_end, 3) if outlook else self.info.period_end
        self.frame = Frame(self.info.fiscal_year, end, 3 if outlook else months)

    def paragraph(self, text: str) -> tuple[re.Match | None, bool]:
        """A paragraph's footnote number (a footnote's definition) and whether it stands in a quote."""
        footnote = FOOTNOTE.match(text)
        opens, closes = text.count("“"), text.count("”")
        quote = (self.quote or text.startswith(("“", '"'))
                 or (("“" in text or '"' in text) and bool(_SPEAKER.search(text)))) and not footnote
        self.quote = quote and (closes <= opens if self.quote else opens > closes)
        return footnote, quote
