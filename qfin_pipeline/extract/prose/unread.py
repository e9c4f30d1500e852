"""Nothing is read silently: every number of a prose line is a fact or an unread row with its reason
(CONTRACT.md `unread_figures`; README "Unread figures" lists the reasons).

A number is a run of digits with its grouping commas, decimal point or a time's colon ('4,370.2', '7:30').
The reader claims the numbers of its facts and the stretches it knows (a figure it could not bind, a date, a
phone number ...); each claim that holds numbers is one row, printed as it stands ('September 30, 2024').
A number no claim holds is classified by its own form (a year, '180 days', 'Day-1', '360 Jietiao').
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from qfin_pipeline.extract.document import Line
from qfin_pipeline.extract.prose.sentences import sentence_starts

NUMBER = re.compile(r"\d+(?:[.,:]\d+)*", re.A)  # ASCII digits

REASONS = {  # reason -> what it means (README "## Unread figures" shows this list)
    "date": "a date ('September 30, 2024', 'Nov. 19, 2024')",
    "year": "a year on its own ('in 2023', 'the third quarter of 2024', 'Act of 1995')",
    "time": "a time of day ('7:30 PM')",
    "phone number": "a phone number ('+1-888-346-8982')",
    "footnote marker": "the number of a footnote's definition ('12 Including ...')",
    "url": "part of a web or e-mail address",
    "stock code": "an exchange code or rule number ('HKEx: 3660', 'Rule 10b5-1')",
    "name": "part of a name ('360 DigiTech', '360 Jietiao', 'H.10')",
    "ordinal": "a position, not an amount ('Day-1', 'Q3', '2nd')",
    "duration": "a length of time in a term or phrase ('30-day', '180 days', '12-month period')",
    "unit": "the unit a rate is quoted per ('to US$1.00')",
    "repeated": "a figure the release states as a fact elsewhere (same value and currency): a title, a heading, a quote",
    "no metric": "a figure no catalog phrase (prose_labels.csv) binds to a metric that fits how it is printed",
    "no period": "a figure bound to a metric whose period (for a stated change: its comparison) cannot be told",
    "no pattern": "any other number: one no pattern understands, or a figure where no facts are read",
}
FIGURE_REASONS = ("no metric", "no period", "no pattern")  # become 'repeated' when a fact prints the same figure

_DURATION = re.compile(r"(?:\s*(?:to|-|–|and|or)\s*\d+(?:\.\d+)?)?(?:\s?[-‐]\s?|\s)(?:calendar\s+)?"
                       r"(?:days?|months?|years?|hours?|minutes?|weeks?|quarters?)\b\+?", re.I)
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b", re.I)
_ORDINAL_BEFORE = re.compile(r"(?:\bDay[-\s]?|\bQ|\bNo\.\s?|#)$", re.I)
_CURRENCY_BEFORE = re.compile(r"(?:RMB|US\$|USD|\$)\s?-?$")
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")
_WORD_AFTER = re.compile(r"\w*")


@dataclass(slots=True)
class Claim:
    start: int
    end: int
    reason: str | None  # None: a fact
    key: tuple | None = None  # a figure's (value, currency, percent)
    numbers: list[tuple[int, int]] = field(default_factory=list)


def classify(text: str, start: int, end: int) -> Claim:
    """A number no claim holds, by its own form."""
    digits = text[start:end]
    if digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100:
        return Claim(start, end, "year")
    if m := _DURATION.match(text, end):
        return Claim(start, m.end(), "duration")
    if m := _ORDINAL_AFTER.match(text, end):
        return Claim(start, m.end(), "ordinal")
    before = text[max(0, start - 5):start]
    if m := _ORDINAL_BEFORE.search(before):
        return Claim(start - len(m.group()), end, "ordinal")
    if _CURRENCY_BEFORE.search(before):
        return Claim(start, end, "no pattern")
    glued = (start and (text[start - 1].isalpha() or text[start - 1] == "." and start > 1 and text[start - 2].isalpha())
             or end < len(text) and text[end].isalpha())
    if glued:  # 'H.10', 'V8': the whole word
        first = start
        while first and (text[first - 1].isalnum() or text[first - 1] in "._"):
            first -= 1
        return Claim(first, _WORD_AFTER.match(text, end).end(), "name")
    if m := _NAME_AFTER.match(text, end):  # '360 Jietiao'
        return Claim(start, _WORD_AFTER.match(text, m.end()).end(), "name")
    return Claim(start, end, "no pattern")


class LineNumbers:
    """The numbers of one prose line and what holds each: a fact, or a claim with the reason it is unread."""

    def __init__(self, line: Line, sentence_starts: list[int] | None = None):
        self.line, self.starts = line, sentence_starts
        self.facts: set[int] = set()  # where the digits of each fact's number start
        self.figures: dict[int, Claim] = {}  # unread figures, by where their digits start
        self.spans: list[Claim] = []  # dates, times, codes ... (each may hold several numbers)

    def fact(self, digits_at: int) -> None:
        self.facts.add(digits_at)

    def figure(self, digits_at: int, start: int, end: int, reason: str, key: tuple | None) -> None:
        self.figures[digits_at] = Claim(start, end, reason, key)

    def span(self, start: int, end: int, reason: str) -> None:
        self.spans.append(Claim(start, end, reason))

    def rows(self, release_id: str) -> list[list]:
        """UNREAD_SCHEMA rows, plus each figure's key (its reason is checked against the release's facts)."""
        text, facts, figures, spans = self.line.text, self.facts, self.figures, self.spans
        claims: list[Claim] = []
        fact_starts = sorted(facts)
        for m in NUMBER.finditer(text):
            a = m.start()
            if a in facts:
                continue
            claim = figures.get(a)
            if claim is None:
                b = m.end()
                for claim in spans:
                    if a < claim.end and claim.start < b:
                        break
                else:
                    n = bisect_right(fact_starts, a)
                    if n < len(fact_starts) and fact_starts[n] < b:  # a fact's digits inside an odd number ('1,23')
                        continue
                    claim = classify(text, a, b)
                    spans.append(claim)  # it may hold the numbers after it ('91 to 180 days')
            if not claim.numbers:
                claims.append(claim)
            claim.numbers.append(m.span())
        if not claims:
            return []
        starts = self.starts if self.starts is not None else sentence_starts(text)
        sentences: dict[int, str] = {}
        out = []
        for c in claims:
            a, b = c.numbers[0][0], c.numbers[-1][1]
            a, b = c.start if c.start < a else a, c.end if c.end > b else b
            if c.reason == "phone number" and a and text[a - 1] == "+":
                a -= 1
            n = bisect_right(starts, a)
            sentence = sentences.get(n)
            if sentence is None:
                sentence = sentences[n] = text[starts[n - 1]:starts[n] if n < len(starts) else len(text)].strip()
            out.append([release_id, self.line.number, text[a:b].strip(), sentence, c.reason, c.key])
        return out
