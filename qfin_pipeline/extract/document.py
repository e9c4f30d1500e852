"""Raw release bytes -> normalized lines and the release's identity, all read from the document itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from qfin_pipeline import catalog
from qfin_pipeline.catalog import issuers
from qfin_pipeline.extract.periods import parse_date, quarter_end


class ReleaseError(ValueError):
    """A file that cannot be read as a release; the message names the file and the problem."""

    def __init__(self, source_file: str, problem: str, line: int | None = None):
        self.source_file, self.problem, self.line = source_file, problem, line
        where = f"{source_file}:{line}" if line else source_file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line of the raw file where this text stands
    text: str  # normalized text: table cells tab-separated, footnote markers removed
    source: str  # the raw line as printed (becomes facts.source_text)


@dataclass(frozen=True)
class ReleaseInfo:
    release_id: str
    ticker: str
    company: str
    fiscal_year: int
    fiscal_quarter: int
    period_end: date
    published_on: date
    title: str
    fx_rmb_per_usd: float | None
    fx_date: date | None


@dataclass(frozen=True)
class Document:
    source_file: str
    sha256: str
    form: str  # 'text' or 'html'
    info: ReleaseInfo
    lines: list[Line]


# Footnote markers as the newswire prints them: ^{*12}, ^{12}, *12 after a word, or superscript digits.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TABLE = str.maketrans(_SUPERSCRIPTS, "0123456789")
_MARKER = re.compile(r"\^\{\*?\d{1,2}\}|(?<=[A-Za-z)”\"’])\*\d{1,2}\b|(?<=[A-Za-z)”\"’.,])[" + _SUPERSCRIPTS + "]+")
_LEADING_SUP = re.compile(r"^\s*([" + _SUPERSCRIPTS + r"]+)\s*")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦*]|-(?!\d))\s+")
_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a]")
_HAS_SUP = re.compile("[" + _SUPERSCRIPTS + "]")
_BULLET_CHARS = frozenset("•·▪●◦*-")  # what _BULLET can start with


def normalize_line(raw: str) -> str:
    """One printed line -> the canonical text form the extractors read."""
    # Each substitution runs only where the characters it needs occur (plain ASCII lines skip most).
    text = raw
    if not text.isascii():
        text = _SPACES.sub(" ", text.replace("\ufeff", ""))
    if "\f" in text:
        text = text.replace("\f", "")
    if "\\" in text:
        text = text.replace("US\\$", "US$").replace("\\$", "$")
    if "**" in text:
        text = text.replace("**", "")
    sup = not text.isascii() and _HAS_SUP.search(text)
    if sup:
        text = _LEADING_SUP.sub(lambda m: m.group(1).translate(_SUP_TABLE) + " ", text)
    if sup or "^" in text or "*" in text:
        text = _MARKER.sub("", text)
    if text.lstrip()[:1] in _BULLET_CHARS:
        text = _BULLET.sub("- ", text)
    if "\t" in text:
        # A table row keeps at least one tab, so a value-less group row stays a table row.
        row = "\t".join([cell.strip() for cell in text.rstrip("\r\n").split("\t")]).rstrip("\t")
        return row if "\t" in row else row + "\t"
    return " ".join(text.split())


def decode(data: bytes, source_file: str) -> str:
    """Bytes -> text, refusing what is not a UTF-8 text document."""
    if not data.strip():
        raise ReleaseError(source_file, "empty file")
    if b"\x00" in data[:65536]:
        raise ReleaseError(source_file, "binary content (NUL bytes), not a text or HTML release")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReleaseError(
            source_file, f"not UTF-8 text (legacy encoding?): undecodable byte at offset {exc.start}"
        ) from None


def text_lines(text: str) -> list[Line]:
    """Text form: one Line per physical line (CR, LF or CRLF)."""
    return [Line(i, normalize_line(raw), raw.rstrip("\r\n")) for i, raw in enumerate(text.splitlines(), 1)]


_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_TITLE_QUARTER = re.compile(
    r"\b(first|second|third|fourth)\s+quarter(?:\s+and\s+(?:full|fiscal)\s+year)?\s+(?:of\s+)?(\d{4})", re.I
)
_MONTH_DATE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
_ENDED = re.compile(r"\b(?:quarter|year|months)\s+ended\s+(" + _MONTH_DATE + ")", re.I)
_DATELINE = re.compile(
    r"^(" + _MONTH_DATE + r")$|,\s*(" + _MONTH_DATE + r")\s*\((?:GLOBE NEWSWIRE|PR Newswire|BUSINESS WIRE)", re.I
)
_TICKER = re.compile(r"\(NASDAQ:\s*([A-Z]{1,6})", re.I)
_FX = re.compile(
    r"rate of RMB\s*([\d.]+)\s+to\s+US\$\s*1\.00.*?as of\s+(" + _MONTH_DATE + ")", re.I
)


def identify(lines: list[Line], source_file: str) -> ReleaseInfo:
    """Company, quarter, period end, publication date and FX rate, read from the document's own sentences."""
    body = [ln for ln in lines if ln.text]
    if not body:
        raise ReleaseError(source_file, "no text")
    head = "\n".join(ln.text for ln in body[:12])
    issuer = issuers().match(head)
    if issuer is None:
        raise ReleaseError(source_file, "not a release of a known issuer "
                                        "(no matching company name and ticker in the opening lines)")
    ticker_match = _TICKER.search(head)
    if ticker_match and ticker_match.group(1).upper() != issuer.ticker:
        raise ReleaseError(source_file, f"ticker {ticker_match.group(1)} is not {issuer.ticker}")
    title = next((ln.text for ln in body if _TITLE_QUARTER.search(ln.text)), None)
    if title is None:
        raise ReleaseError(source_file, "no title naming the quarter (e.g. 'Third Quarter 2024 ... Results')")
    quarter_match = _TITLE_QUARTER.search(title)
    fiscal_quarter = _QUARTER_WORDS[quarter_match.group(1).lower()]
    fiscal_year = int(quarter_match.group(2))
    period_end = quarter_end(fiscal_year, fiscal_quarter)
    ended = _ENDED.search(head)
    if ended and parse_date(ended.group(1)) != period_end:
        raise ReleaseError(
            source_file, f"title says Q{fiscal_quarter} {fiscal_year} but the text says ended {ended.group(1)}"
        )
    published = None
    for ln in body[:12]:
        m = _DATELINE.search(ln.text)
        if m:
            published = parse_date(m.group(1) or m.group(2))
            break
    if published is None:
        raise ReleaseError(source_file, "no publication date line (e.g. 'November 19, 2024')")
    fx = fx_date = None
    for ln in body:
        m = _FX.search(ln.text)
        if m:
            fx, fx_date = float(m.group(1)), parse_date(m.group(2))
            break
    return ReleaseInfo(
        release_id=f"{issuer.ticker}-{fiscal_year}Q{fiscal_quarter}",
        ticker=issuer.ticker,
        company=issuer.name,
        fiscal_year=fiscal_year,
        fiscal_quarter=fiscal_quarter,
        period_end=period_end,
        published_on=published,
        title=title,
        fx_rmb_per_usd=fx,
        fx_date=fx_date,
    )


def looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head or "<table" in head


def read_document(data: bytes, source_file: str, sha256: str) -> Document:
    """Bytes of a release in either form -> Document; raises ReleaseError naming the file and problem."""
    text = decode(data, source_file)
    if looks_like_html(text):
        from qfin_pipeline.extract.html import html_lines  # only HTML releases pay for the parser

        lines, form = html_lines(text), "html"
    else:
        lines, form = text_lines(text), "text"
    doc = Document(source_file, sha256, form, identify(lines, source_file), lines)
    missing = missing_statements(lines)
    if missing:
        raise ReleaseError(source_file, f"incomplete release (truncated?): no {', '.join(missing)} table")
    return doc


def missing_statements(lines: list[Line]) -> list[str]:
    """Core statements whose titled table does not appear (a title line followed later by table rows)."""
    seen, pending = set(), None
    for line in lines:
        if "\t" in line.text:
            if pending:
                seen.add(pending)
        elif line.text:
            pending = title_statement(line.text) or pending
    return [s.replace("_", " ") for s in catalog.required_statements() if s not in seen]


@cache
def _title_hint() -> re.Pattern | None:
    """All statement title patterns as one case-sensitive pattern for lowercased ASCII text: a line it does
    not match names no statement. None when a pattern is not plain lowercase ASCII (then no shortcut)."""
    patterns = catalog.load("statements")["title_pattern"].to_list()
    if not all(p.isascii() and p == p.lower() and "\\" not in p and "(?" not in p for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=4096)
def title_statement(text: str) -> str | None:
    """catalog.statement_for_title, skipping the per-statement searches for lines that name none."""
    hint = _title_hint()
    if hint is not None and text.isascii() and not hint.search(text.lower()):
        return None
    return catalog.statement_for_title(text)
