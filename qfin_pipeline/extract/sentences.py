"""The words of release prose: sentences, printed figures, noise that is never a figure, catalog phrases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from qfin_pipeline import catalog

# A printed figure, found from its first digit (fast); a currency before it is read by _CURRENCY.
# (The leading \d stands outside the alternation so the scan can skip to digits.)
MENTION = re.compile(
    r"(?P<num>\d(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))(?!\d|[.,:]\d)"
    r"(?P<scale>\s?(?:[Mm]illion|[Bb]illion|[Tt]housand|mn|bn)\b)?(?:(?P<pct>\s?%|\s?percent\b)|"
    r"(?P<unit>\s?(?:months?|days?|years?|hours?|minutes?|calendar\s+days)\b|\s?day\+|[-‐](?=[a-zA-Z])\w+))?",
    re.A,
)
_BEFORE_FIGURE = frozenset("_.$/#:+-−") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SCALES = {"thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9}
# Dates as releases print them ('September 30, 2024', 'Nov. 19, 2024', 'November 2024'): month-led, so
# the scan skips ahead by first letter. Times and phone numbers: digit-led.
_DATES = re.compile(
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER"
    r"|OCTOBER|NOVEMBER|DECEMBER)\.?\s+(?:\d{1,2},?\s+)?\d{4}\b",
    re.A,
)
_TIMES_PHONES = re.compile(r"\d(?:\d?:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?|\d{0,3}(?:[ -]\(?\d{2,4}\)?){2,})", re.A)
# Word-led noise, each family tried only where its tell-tale text occurs.
_NOISE = [
    (":", re.compile(r"\b(?:NASDAQ|NYSE|HKEx|SEHK|stock\s+code)\s*:?\s*\w+", re.I)),
    ("@", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("/", re.compile(r"<?https?://\S+|\bwww\.\S+", re.I)),
    ("Rule", re.compile(r"\bRule\s+\d\w*(?:-\d+)?")),
    ("Section", re.compile(r"\bSection\s+\d\w*")),
]
FX = re.compile(r"\bRMB\s?(?P<rate>\d+\.\d+)\s+to\s+US\$\s?1(?:\.0+)?\b")
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")


def noise_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _DATES.finditer(text)]
    spans += [m.span() for m in _TIMES_PHONES.finditer(text) if not (m.start() and text[m.start() - 1].isalnum())]
    for tell, pattern in _NOISE:
        if tell in text:
            spans.extend(m.span() for m in pattern.finditer(text))
    return spans


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    printed: str  # the digits as printed ('4,370.2')
    currency: str | None
    value: Decimal
    decimals: int
    pct: bool
    months: bool
    metric: str | None = None
    parent: int | None = None  # index of the figure this one translates ('(US$622.7 million)')


def _currency_before(text: str, start: int) -> tuple[int, str | None, bool]:
    """Where a figure really starts, its currency and its minus: 'RMB-213.3', 'US$ 1.74', '-5%'."""
    neg = start > 0 and text[start - 1] in "-−"
    at = start - 1 if neg else start
    gap = at - 1 if at > 0 and text[at - 1] == " " else at
    if gap >= 3 and text[gap - 1] not in "B$D":  # every code ends in one of these
        return at, None, neg
    for code in ("RMB", "US$", "USD", "$"):
        if text.startswith(code, gap - len(code)):
            return gap - len(code), code, neg
    return at, None, neg


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


def mentions(text: str) -> list[Mention]:
    """Printed figures in a sentence (noise blanked out), minus numbers that are not figures."""
    out = []
    for m in MENTION.finditer(text):
        num, scale, pct_text, unit = m.groups()
        if unit and not unit.lstrip().startswith("month"):
            continue  # '30-day', '180 days', '12-month'
        first, end = m.span()
        start, code, neg = _currency_before(text, first)
        if start and text[start - 1] in _BEFORE_FIGURE:
            continue  # 'H.10', 'Day-1', 'Q3'
        pct = pct_text is not None
        if not (code or scale or pct or unit):  # a plain number
            if "," not in num and "." not in num and 1900 <= int(num) <= 2100:
                continue  # a year
            if _NAME_AFTER.match(text, end):
                continue  # part of a name ('360 Jietiao')
        whole, _, frac = num.replace(",", "").partition(".")
        power = -2 if pct else _SCALES[scale.strip().lower()] if scale else 0
        shift = power - len(frac)
        value = Decimal(int(whole + frac)).scaleb(shift)  # exact: the printed digits times a power of ten
        currency = None if not code else "RMB" if code == "RMB" else "USD"
        out.append(Mention(start, end, num, currency, -value if neg else value, -shift, pct, bool(unit)))
    return out


_ABBREV = re.compile(r"(?:\b(?:Mr|Ms|Mrs|Dr|Inc|Co|Ltd|Corp|No|vs|approx|St|Jr|Sr|etc)|\b[A-Z])\.[\"”’]?$")
_SPLIT = re.compile(r"[.!?][\"”’]?\s+(?=[A-Z“\"(]|RMB|US\$)")


def sentences(text: str) -> list[str]:
    """A paragraph -> its sentences, not splitting after 'Mr.', 'Inc.', 'U.S.'."""
    if "." not in text and "!" not in text and "?" not in text:
        return [text]
    cuts = [m.end() for m in _SPLIT.finditer(text) if not _ABBREV.search(text, max(0, m.start() - 7), m.start() + 1)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


_WORD = re.compile(r"[A-Za-z0-9]+\+?", re.A)


def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@cache
def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (words, phrase) of every catalog phrase starting with it, longest first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase in catalog.prose_labels():
        words = tuple(tokens(phrase))
        index.setdefault(words[0], []).append((words, phrase))
    for options in index.values():
        options.sort(key=lambda o: -len(o[0]))
    return index


@dataclass(frozen=True, slots=True)
class Phrase:
    start: int
    end: int
    key: str  # the catalog phrase (norm_label form)


def phrases(text: str) -> tuple[list[Phrase], str]:
    """Catalog phrases in a sentence, leftmost-longest, whatever quotes, dashes or commas stand between
    their words; and the sentence's words joined by single spaces (for context checks)."""
    if text.isascii():
        found = list(_WORD.finditer(text.lower()))
        lower = list(map(re.Match.group, found))
    else:
        found = list(_WORD.finditer(text))
        lower = [m.group().lower() for m in found]
    index, out, done = _phrase_index(), [], 0
    for i, word in enumerate(lower):
        if i < done or word not in index:
            continue
        for option, key in index[word]:
            n = len(option)
            if tuple(lower[i:i + n]) == option:
                out.append(Phrase(found[i].start(), found[i + n - 1].end(), key))
                done = i + n
                break
    return out, " " + " ".join(lower) + " "
