"""`qfin fetch`: list each catalog issuer's 6-K filings, download the exhibits that are releases, record them all."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import httpx
import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.edgar.client import EdgarClient
from qfin_pipeline.edgar.documents import Outcome, fetch_document
from qfin_pipeline.edgar.listing import EdgarError, current_reports, exhibit_names, list_filings
from qfin_pipeline.edgar.records import RECORD_SCHEMA, FetchRecord, settled
from qfin_pipeline.edgar.settings import ACCESSION, EdgarSettings


@dataclass
class FetchReport:
    fetched_at: datetime
    listed: int = 0  # filings EDGAR lists for the issuers (every form)
    current_reports: int = 0  # of those, 6-K and 6-K/A filed since the date
    already_recorded: int = 0  # of those, settled by an earlier fetch (not looked at again)
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def downloaded(self) -> int:
        return sum(o.downloaded for o in self.outcomes)

    def lines(self) -> list[str]:
        """One line per document looked at, then the totals."""
        out = []
        for o in self.outcomes:
            line = f"  {o.outcome:<13} {o.accession} {o.form} {o.filing_date} {o.document or '(the filing)'}"
            line += f" -> {o.source_file} ({o.release_id})" if o.outcome == "release" else ""
            out.append(line + (f": {o.reason}" if o.reason else ""))
        out.append(f"  {self.listed} filing(s) listed; {self.current_reports} of them 6-K in range, "
                   f"{self.already_recorded} settled by earlier fetches; documents: {self.count('release')} release(s), "
                   f"{self.count('not a release')} not a release, {self.count('failed')} failed; "
                   f"{self.downloaded} downloaded")
        return out


def fetch(raw_dir: str | Path, record: FetchRecord, since: date | None = None,
          settings: EdgarSettings | None = None, client: EdgarClient | None = None) -> FetchReport:
    """Download every release filed since `since` that no earlier fetch settled; record what was looked at
    (`record`: FetchRecord.published(warehouse) for `qfin fetch`, the run's connection in Dagster)."""
    settings = settings or (client.settings if client else EdgarSettings.from_env())
    raw = Path(raw_dir)
    raw.mkdir(parents=True, exist_ok=True)
    report = FetchReport(fetched_at=datetime.now())  # local time, like releases.loaded_at
    done_filings, done_documents = settled(record.recorded())
    # the warehouse is not held while downloading: read above, one short write below
    with contextlib.nullcontext(client) if client else EdgarClient(settings) as http:
        for issuer in (i for i in catalog.issuers().rows if i.cik):
            filings = list_filings(http, issuer.cik, since)
            reports = current_reports(filings, since)
            todo = reports.filter(~pl.col("accession").is_in(list(done_filings)))
            report.listed += filings.height
            report.current_reports += reports.height
            report.already_recorded += reports.height - todo.height
            for row in todo.iter_rows(named=True):
                filing = Outcome(row["accession"], row["form"], row["filing_date"])
                report.outcomes.extend(_fetch_filing(http, raw, issuer, filing, done_documents))
    record.record(_record_rows(report))
    return report


def _fetch_filing(http: EdgarClient, raw: Path, issuer: catalog.Issuer, filing: Outcome,
                  done_documents: set[tuple[str, str]]) -> list[Outcome]:
    """Every exhibit of one filing not yet settled; a failure here is this filing's alone."""
    if not ACCESSION.fullmatch(filing.accession):
        return [replace(filing, outcome="not a release", reason="refused: not an accession number")]
    folder_url = (f"{http.settings.archives_url}/Archives/edgar/data/{int(issuer.cik)}/"
                  f"{filing.accession.replace('-', '')}")
    try:
        names = exhibit_names(http.get_json(f"{folder_url}/index.json"))
    except (httpx.HTTPError, ValueError, EdgarError) as exc:
        return [replace(filing, outcome="failed", reason=f"index: {type(exc).__name__}: {exc}")]
    if not names:
        return [replace(filing, outcome="not a release", reason="no exhibit 99 document in the filing")]
    return [fetch_document(http, raw, folder_url, replace(filing, document=name), issuer.ticker)
            for name in names if (filing.accession, name) not in done_documents]


def _record_rows(report: FetchReport) -> pl.DataFrame:
    rows = [{name: getattr(o, name, None) for name in RECORD_SCHEMA} | {"fetched_at": report.fetched_at}
            for o in report.outcomes]
    return pl.DataFrame(rows, schema=RECORD_SCHEMA)
