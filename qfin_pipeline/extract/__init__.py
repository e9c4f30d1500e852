"""Pure extraction: release bytes in, Polars fact frames out. Imports nothing from Dagster."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract import prose
from qfin_pipeline.extract.document import Document, ReleaseError, read_document
from qfin_pipeline.extract.tables import read_tables_and_unread

__all__ = ["Document", "Extraction", "ReleaseError", "apply_aliases", "extract_facts", "extract_release", "read_document"]


@dataclass(frozen=True)
class Extraction:
    """What one release yields: its facts (FACT_SCHEMA) and the prose numbers that are not facts (UNREAD_SCHEMA)."""

    facts: pl.DataFrame
    unread: pl.DataFrame


def apply_aliases(facts: pl.DataFrame, aliases: dict[str, str]) -> pl.DataFrame:
    """A renamed metric keeps one id across releases: old ids map to current ones (catalog aliases.csv)."""
    if not aliases:
        return facts
    return facts.with_columns(pl.col("metric_id").replace(aliases))


def extract_release(doc: Document) -> Extraction:
    """Every number the release prints: table cells, then the prose figures; and the prose numbers left unread."""
    tables, tables_unread = read_tables_and_unread(doc)
    prose_facts, prose_unread = prose.read(doc)
    facts = pl.concat([tables, prose_facts], how="vertical")
    unread = pl.concat([tables_unread, prose_unread], how="vertical")
    return Extraction(apply_aliases(facts, catalog.metric_aliases()), unread)


def extract_facts(doc: Document) -> pl.DataFrame:
    """The facts of extract_release."""
    return extract_release(doc).facts
