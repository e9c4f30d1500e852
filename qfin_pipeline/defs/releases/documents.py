"""Document <-> one frame row, so identified release text can cross an asset boundary as Parquet."""

from __future__ import annotations

import polars as pl

from qfin_pipeline.extract.document import Document, Line, ReleaseInfo

DOCUMENT_SCHEMA = {
    "release_id": pl.String, "source_file": pl.String, "sha256": pl.String, "form": pl.String,
    "ticker": pl.String, "company": pl.String, "fiscal_year": pl.Int32, "fiscal_quarter": pl.Int32,
    "period_end": pl.Date, "published_on": pl.Date, "title": pl.String, "fx_rmb_per_usd": pl.Float64,
    "fx_date": pl.Date, "problem": pl.String,
    "claim_rank": pl.Int32,  # several files may claim one release: the order in which they get the claim
    # the lines as three parallel lists (cheaper to build and read back than a list of structs)
    "line_numbers": pl.List(pl.Int32), "line_texts": pl.List(pl.String), "line_sources": pl.List(pl.String),
}


def document_row(doc: Document, claim_rank: int = 0) -> dict:
    info = doc.info.__dict__
    return info | {
        "source_file": doc.source_file, "sha256": doc.sha256, "form": doc.form, "problem": None, "claim_rank": claim_rank,
        "line_numbers": [ln.number for ln in doc.lines], "line_texts": [ln.text for ln in doc.lines],
        "line_sources": [ln.source for ln in doc.lines],
    }


def problem_row(release_id: str, source_file: str | None, sha256: str | None, problem: str, claim_rank: int = 0) -> dict:
    return {"release_id": release_id, "source_file": source_file, "sha256": sha256, "problem": problem,
            "claim_rank": claim_rank}


def documents_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DOCUMENT_SCHEMA)


def to_document(row: dict) -> Document:
    info = ReleaseInfo(**{k: row[k] for k in ReleaseInfo.__dataclass_fields__})
    lines = list(map(Line, row["line_numbers"], row["line_texts"], row["line_sources"]))
    return Document(row["source_file"], row["sha256"], row["form"], info, lines)
