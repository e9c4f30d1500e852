"""One exhibit: a safe name in the raw folder, a download to a hidden temporary name, identification, rename."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import httpx

from qfin_pipeline.edgar.client import EdgarClient
from qfin_pipeline.edgar.settings import is_safe_name
from qfin_pipeline.extract import ReleaseError, read_document


@dataclass(frozen=True)
class Outcome:
    """What a fetch did with one filing document (or with a filing, when `document` is None)."""

    accession: str
    form: str
    filing_date: date | None
    document: str | None = None
    outcome: str = "failed"  # 'release', 'not a release' or 'failed' (the next fetch retries it)
    release_id: str | None = None
    source_file: str | None = None
    reason: str | None = None  # why (printed and logged; not a column of fetched_filings)
    downloaded: bool = False


def raw_name(accession: str, document: str) -> str:
    """The contract's file name of a fetched release."""
    return f"edgar-{accession}-{document}"


def identify(data: bytes, name: str, ticker: str) -> tuple[str | None, str | None]:
    """(release_id, None) if the pipeline reads `data` as a quarterly results release of `ticker`, else (None, why)."""
    try:
        doc = read_document(data, name, hashlib.sha256(data).hexdigest())
    except ReleaseError as exc:
        return None, exc.problem
    if doc.info.ticker != ticker:
        return None, f"a release of {doc.info.ticker}, not of {ticker}"
    return doc.info.release_id, None


def fetch_document(client: EdgarClient, raw: Path, folder_url: str, filing: Outcome, ticker: str) -> Outcome:
    """Download one exhibit; keep it in `raw` only if it is a release. Never writes outside `raw`."""
    name = filing.document or ""
    if not is_safe_name(name) or not is_safe_name(filing.accession):
        return replace(filing, outcome="not a release", reason="refused: not a plain file name (EDGAR names are "
                                                                 "never used as paths)")
    target = raw / raw_name(filing.accession, name)
    if target.resolve().parent != raw.resolve():  # belt and braces: a plain name cannot leave the folder
        return replace(filing, outcome="not a release", reason="refused: would leave the raw folder")
    partial = raw / f".{target.name}.part"  # hidden: the folder scan ignores it until the rename
    try:
        if target.exists():  # e.g. the record was lost with a rebuilt warehouse: the file is the record
            release_id, why = identify(target.read_bytes(), target.name, ticker)
            if release_id:
                return replace(filing, outcome="release", release_id=release_id, source_file=target.name,
                               reason="already in the raw folder (not downloaded again)")
            return replace(filing, outcome="not a release", reason=f"already in the raw folder, but: {why}")
        client.download(f"{folder_url}/{name}", partial)
        release_id, why = identify(partial.read_bytes(), target.name, ticker)
        if release_id is None:
            return replace(filing, outcome="not a release", reason=why, downloaded=True)
        os.replace(partial, target)
        return replace(filing, outcome="release", release_id=release_id, source_file=target.name, downloaded=True)
    except (httpx.HTTPError, OSError) as exc:
        return replace(filing, outcome="failed", reason=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # the reader choking on one document must not stop the others: retried next fetch
        return replace(filing, outcome="failed", reason=f"could not read it: {type(exc).__name__}: {exc}")
    finally:
        partial.unlink(missing_ok=True)
