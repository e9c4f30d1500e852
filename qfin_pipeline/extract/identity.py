"""Document identity: issuer (under any of its names), quarter, period end, publication date and exchange
rate, all read from the release's own opening lines and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qfin_pipeline.catalog import issuers
from qfin_pipeline.extract.errors import ReleaseError
from qfin_pipeline.extract.lines import Line
from qfin_pipeline.extract.periods import parse_date, quarter_end


@dataclass(frozen=True)
class ReleaseInfo:
    release_id: str
    ticker: str
    company: str  # the issuer's name as this release prints it (issuers.csv)
    fiscal_year: int
    fiscal_quarter: int
    period_end: date
    published_on: date
    title: str
    fx_rmb_per_usd: float | None
    fx_date: date | None


OPENING = 15  # the lines that hold the headline, the date line and the dateline (an 'Exhibit 99.1' above them)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_TITLE_QUARTER = re.compile(
    r"\b(first|second|third|fourth)\s+quarter(?:\s+and\s+(?:full|fiscal)\s+year)?\s+(?:of\s+)?(\d{4})", re.I
)
_MONTH_DATE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
_ENDED = re.compile(r"\b(?:quarter|year|months)\s+ended\s+(" + _MONTH_DATE + ")", re.I)
_PLACE = r"[A-Za-z][A-Za-z .'-]{1,40}"
# The publication date: a date line of its own ('November 19, 2024', a time may follow), or a dateline:
# place, date, then a newswire's mark (GlobeNewswire, PR Newswire, Business Wire) or the text itself.
_DATELINE = re.compile(
    rf"^({_MONTH_DATE})(?:\s+\d{{1,2}}:\d\d\b.*)?$"
    rf"|^{_PLACE}(?:,\s*{_PLACE}){{0,3}},\s*({_MONTH_DATE})\s*"
    r"(?:\(GLOBE\s*NEWSWIRE\)|/PR\s?Newswire[\w-]*/|-*\s*\(BUSINESS\s+WIRE\)|,|--|[—–])",
    re.I,
)
_LOOKED_FOR = ("no publication date in the opening lines: looked for a date line ('November 19, 2024'), a "
               "newswire dateline ('SHANGHAI, China, Nov. 19, 2024 (GLOBE NEWSWIRE) --', '... /PRNewswire/ --', "
               "'...--(BUSINESS WIRE)--') and a place-and-date dateline ('Shanghai, China, November 19, 2024, ...')")
_TICKER = re.compile(r"\(NASDAQ:\s*([A-Z]{1,6})", re.I)
_FX = re.compile(r"rate of RMB\s*([\d.]+)\s+to\s+US\$\s*1\.00.*?as of\s+(" + _MONTH_DATE + ")", re.I)


def identify(lines: list[Line], source_file: str) -> ReleaseInfo:
    """Company, quarter, period end, publication date and FX rate, read from the document's own sentences."""
    body = [ln for ln in lines if ln.text]
    if not body:
        raise ReleaseError(source_file, "no text")
    opening = body[:OPENING]
    head = "\n".join(ln.text for ln in opening)
    found = issuers().match_name(head)
    if found is None:
        raise ReleaseError(source_file, "not a release of a known issuer "
                                        "(no company name of catalog/issuers.csv in the opening lines)")
    issuer, company = found
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
    published = next((m for ln in opening if "\t" not in ln.text and (m := _DATELINE.search(ln.text))), None)
    if published is None:
        raise ReleaseError(source_file, _LOOKED_FOR)
    fx = fx_date = None
    for ln in body:
        m = _FX.search(ln.text)
        if m:
            fx, fx_date = float(m.group(1)), parse_date(m.group(2))
            break
    return ReleaseInfo(
        release_id=f"{issuer.ticker}-{fiscal_year}Q{fiscal_quarter}",
        ticker=issuer.ticker,
        company=company,
        fiscal_year=fiscal_year,
        fiscal_quarter=fiscal_quarter,
        period_end=period_end,
        published_on=parse_date(published.group(1) or published.group(2)),
        title=title,
        fx_rmb_per_usd=fx,
        fx_date=fx_date,
    )
