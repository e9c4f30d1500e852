"""An issuer's filings from the submissions API (recent and older pages), and the exhibits of one filing."""

from __future__ import annotations

from datetime import date

import polars as pl

from qfin_pipeline.edgar.client import EdgarClient
from qfin_pipeline.edgar.settings import EXHIBIT_NAME, FORMS, is_safe_name

FILINGS_SCHEMA = {"accession": pl.String, "form": pl.String, "filing_date": pl.Date, "primary_document": pl.String}
# submissions JSON columns (one array per field, one position per filing) -> our names
_COLUMNS = {"accessionNumber": "accession", "form": "form", "filingDate": "filing_date",
            "primaryDocument": "primary_document"}


class EdgarError(RuntimeError):
    """EDGAR answered in a shape we cannot read (the whole fetch stops: nothing is listed)."""


def filings_frame(columns: dict) -> pl.DataFrame:
    """A columnar page (`filings.recent`, or an older page's top level) -> one row per filing."""
    missing = [name for name in _COLUMNS if name not in columns]
    if missing:
        raise EdgarError(f"submissions page without {', '.join(missing)}")
    frame = pl.DataFrame({ours: columns[theirs] for theirs, ours in _COLUMNS.items()})
    return frame.with_columns(pl.col("filing_date").str.to_date("%Y-%m-%d", strict=False)).cast(FILINGS_SCHEMA)


def list_filings(client: EdgarClient, cik: str, since: date | None = None) -> pl.DataFrame:
    """Every filing of the issuer EDGAR lists (pages wholly older than `since` are not requested)."""
    base = f"{client.settings.data_url}/submissions"
    submissions = client.get_json(f"{base}/CIK{int(cik):010d}.json")
    try:
        filings = submissions["filings"]
        pages = [filings_frame(filings["recent"])]
        older = filings.get("files") or []
    except (KeyError, TypeError, AttributeError) as exc:
        raise EdgarError(f"submissions of CIK {cik} without filings.recent: {exc!r}") from None
    for page in older:
        name, until = page.get("name", ""), page.get("filingTo")
        if since and until and date.fromisoformat(until) < since:
            continue
        if not is_safe_name(name):
            raise EdgarError(f"submissions of CIK {cik} name an older page {name!r} that is not a plain file name")
        pages.append(filings_frame(client.get_json(f"{base}/{name}")))
    return pl.concat(pages).unique("accession", keep="first", maintain_order=True)


def current_reports(filings: pl.DataFrame, since: date | None = None) -> pl.DataFrame:
    """The 6-K and 6-K/A filings filed on or after `since`, oldest first."""
    keep = pl.col("form").is_in(FORMS)
    if since:
        keep &= pl.col("filing_date") >= since
    return filings.filter(keep).sort("filing_date", "accession")


def exhibit_names(index: dict) -> list[str]:
    """The exhibit 99 documents of a filing's index.json (`directory.item[].name`), in the index's order."""
    try:
        names = [item["name"] for item in index["directory"]["item"]]
    except (KeyError, TypeError) as exc:
        raise EdgarError(f"filing index without directory.item[].name: {exc!r}") from None
    return [name for name in names if isinstance(name, str) and EXHIBIT_NAME.search(name)]
