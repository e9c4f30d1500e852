"""Pure extraction: release bytes in, Polars fact frames out. Imports nothing from Dagster."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract.document import Document, ReleaseError, read_document
from qfin_pipeline.extract.prose import read_prose
from qfin_pipeline.extract.tables import read_tables

__all__ = ["Document", "ReleaseError", "apply_aliases", "extract_facts", "read_document"]


def apply_aliases(facts: pl.DataFrame, aliases: dict[str, str]) -> pl.DataFrame:
    """A renamed metric keeps one id across releases: old ids map to current ones (catalog aliases.csv)."""
    if not aliases:
        return facts
    return facts.with_columns(pl.col("metric_id").replace(aliases))


def extract_facts(doc: Document) -> pl.DataFrame:
    """Every number the release prints: table cells, then the prose figures."""
    facts = pl.concat([read_tables(doc), read_prose(doc)], how="vertical")
    return apply_aliases(facts, catalog.metric_aliases())
