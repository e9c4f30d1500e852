"""Printed figures in a sentence — each a small object carrying its span, currency, value and precision, and
(once binding.py has read its sentence) its translations, metric, role and period — and the noise around
them that is never a figure: dates, times, phone numbers, stock codes, addresses, company names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from qfin_pipeline import catalog

if TYPE_CHECKING:
    from qfin_pipeline.catalog import ProseLabel
    from qfin_pipeline.extract.prose.periods import Period, PeriodPhrase

# A printed figure, found from its first digit (fast); a currency before it is read by _currency_before.
# (The leading \d stands outside the alternation so the scan can skip to digits.)
MENTION = re.compile(
    r"(?P<num>\d(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))(?!\d|[.,:]\d)"
    r"(?P<scale>\s?(?:[Mm]illion|[Bb]illion|[Tt]housand|mn|bn)\b)?(?:(?P<pct>\s?%|\s?percent\b)|"
    r"(?P<unit>\s?(?:months?|days?|years?|hours?|minutes?|calendar\s+days)\b|\s?day\+|[-‐](?=[a-zA-Z])\w+))?",
    re.A,
)
_BEFORE_FIGURE = frozenset("_.$/#:+-−") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SCALES = {"thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9}
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")
FX = re.compile(r"RMB(?<!\wRMB)\s?(?P<rate>\d+\.\d+)\s+to\s+US\$\s?1(?:\.0+)?\b")  # 'RMB' first: a fast scan

# Dates as releases print them ('September 30, 2024', 'Nov. 19, 2024', 'November 2024'): month-led, so
# the scan skips ahead by first letter. Times and phone numbers: digit-led.
_DATES = re.compile(
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER"
    r"|OCTOBER|NOVEMBER|DECEMBER)\.?\s+(?:\d{1,2},?\s+)?\d{4}\b",
    re.A,
)
_TIMES_PHONES = re.compile(r"\d(?:\d?:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?|\d{0,3}+(?:[ -]\(?\d{2,4}+\)?){2,})", re.A)
_PHONE_TELL = re.compile(r"\d[ -]\(?\d", re.A)
# Word-led noise: (reason, tell, pattern), each tried only where its tell-tale text occurs.
_WORD_LED = [
    ("stock code", ":", re.compile(r"\b(?:NASDAQ|NYSE|HKEx|SEHK|stock\s+code)\s*:?\s*\w+", re.I)),
    ("url", "@", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", "/", re.compile(r"<?https?://\S+", re.I)),
    ("url", "www.", re.compile(r"\bwww\.\S+", re.I)),
    ("stock code", "Rule", re.compile(r"\bRule\s+\d\w*(?:-\d+)?")),
    ("stock code", "Section", re.compile(r"\bSection\s+\d\w*")),
]


@cache
def _issuer_names() -> tuple[re.Pattern, tuple[str, ...]]:
    """The issuer's names (catalog issuers.csv: Qifu Technology, 360 DigiTech, 360 Finance), and the digits
    they hold (a sentence without them holds no such name)."""
    patterns = [i.pattern.pattern for i in catalog.issuers().rows]
    digits = {m.group() for p in patterns for m in re.finditer(r"\d+", p)}
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I), tuple(sorted(digits))


def noise(text: str) -> list[tuple[int, int, str]]:
    """(start, end, reason) of every stretch of a sentence that holds digits but no figure."""
    spans = [(m.start(), m.end(), "date") for m in _DATES.finditer(text)]
    if ":" in text or _PHONE_TELL.search(text):  # a time has its colon, a phone number digits apart
        for m in _TIMES_PHONES.finditer(text):
            if not (m.start() and text[m.start() - 1].isalnum()):
                spans.append((m.start(), m.end(), "time" if ":" in m.group() else "phone number"))
    for reason, tell, pattern in _WORD_LED:
        if tell in text:
            spans.extend((m.start(), m.end(), reason) for m in pattern.finditer(text))
    names, digits = _issuer_names()
    if any(d in text for d in digits):  # a name with digits in it ('360 DigiTech') is never a figure
        spans.extend((m.start(), m.end(), "name") for m in names.finditer(text) if any(c.isdigit() for c in m.group()))
    return spans


def blank_out(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans replaced by spaces (positions kept)."""
    if not spans:
        return text
    out, pos = [], 0
    for a, b in sorted(spans):
        if b > pos:
            out += [text[pos:max(a, pos)], " " * (b - max(a, pos))]
            pos = b
    return "".join(out) + text[pos:]


@dataclass(slots=True, eq=False)
class Role:
    """How a figure stands in its sentence (binding.py)."""

    low: bool  # the low end of a range ('between A and B', 'of 10% to 15%')
    high: bool  # its high end
    comparative: bool  # a prior-period figure quoted for comparison
    change: str | None  # 'up' / 'down' for a stated change
    share: bool  # 'representing 55.1% of the total'
    window: str  # the words around it, for 'year-over-year' / 'sequential'
    prev: Figure | None  # the figure before it in the sentence (translations aside)


@dataclass(slots=True, eq=False)
class Figure:
    """One printed number of a sentence that may be a fact."""

    start: int  # span in the sentence, currency code to scale word or %
    end: int
    at: int  # where its digits start
    printed: str  # the digits as printed ('4,370.2')
    currency: str | None
    value: Decimal  # exact: the printed digits times a power of ten (a percentage as a fraction)
    decimals: int
    pct: bool
    months: bool
    stated: bool  # printed with a currency, scale, % or 'months' (not a bare number)
    # --- what binding.py reads from the sentence ---
    index: int = 0  # its place among the sentence's figures (translations aside)
    tail: int = 0  # end of the figure with its translation: '... (US$622.7 million)'
    next_start: int = 0  # where the next figure (not a translation) starts
    translations: tuple[Figure, ...] = ()  # '(US$622.7 million)' after it
    translated: bool = False  # it is itself a translation
    label: ProseLabel | None = None  # the catalog phrase that names its metric
    metric: str | None = None  # its metric_id
    role: Role | None = None
    trailing: PeriodPhrase | None | bool = False  # the period phrase right after it (False: not looked for yet)
    kind: str | None = None  # 'value', 'change' or 'share'; None: a change whose comparison cannot be told
    period: Period | None = None
    comparison: str | None = None  # change/share: 'yoy', 'qoq', 'share_of_total'
    bound: str | None = None  # 'low' / 'high' end of a range
    sign: float = 1.0

    @property
    def key(self) -> tuple:
        """What another printing of the same figure shares: value, currency, percent."""
        return self.value, self.currency, self.pct


_CODES = (("RMB", "RMB"), ("US$", "USD"), ("USD", "USD"), ("$", "USD"))


def find_figures(text: str) -> list[Figure]:
    """Printed figures in a sentence (noise blanked out), minus numbers that are not figures."""
    out = []
    for m in MENTION.finditer(text):
        num, scale, pct_text, unit = m.groups()
        if unit and not unit.lstrip().startswith("month"):
            continue  # '30-day', '180 days', '12-month'
        start, end = at, _ = m.span()
        # the currency and minus before it: 'RMB-213.3', 'US$ 1.74', '-5%' (every code ends in B, $ or D)
        neg = start > 0 and text[start - 1] in "-−"
        if neg:
            start -= 1
        gap = start - 1 if start > 0 and text[start - 1] == " " else start
        currency = None
        if gap and text[gap - 1] in "B$D":
            for code, name in _CODES:
                if text.startswith(code, gap - len(code)):
                    start, currency = gap - len(code), name
                    break
        if start and text[start - 1] in _BEFORE_FIGURE:
            continue  # 'H.10', 'Day-1', 'Q3'
        pct = pct_text is not None
        stated = bool(currency or scale or pct or unit)
        if not stated:  # a plain number
            if "," not in num and "." not in num and 1900 <= int(num) <= 2100:
                continue  # a year
            if _NAME_AFTER.match(text, end):
                continue  # part of a name ('360 Jietiao')
        whole, _, frac = num.replace(",", "").partition(".")
        power = -2 if pct else _SCALES[scale.strip().lower()] if scale else 0
        shift = power - len(frac)
        value = Decimal(f"{whole}{frac}E{shift}")
        out.append(Figure(start, end, at, num, currency, -value if neg else value, -shift, pct, bool(unit), stated))
    return out
