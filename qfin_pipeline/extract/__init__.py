"""Pure extraction: release bytes in, Polars fact frames out. Imports nothing from Dagster."""

from __future__ import annotations

import polars as pl

from qfin_pipeline.extract.document import Document, ReleaseError, read_document
from qfin_pipeline.extract.tables import read_tables

__all__ = ["Document", "ReleaseError", "extract_facts", "read_document"]


def extract_facts(doc: Document) -> pl.DataFrame:
    """Every number the release prints: table cells, then the prose figures."""
    frames = [read_tables(doc)]
    try:
        from qfin_pipeline.extract.prose import read_prose
    except ImportError:  # prose extraction lands with its own module
        read_prose = None
    if read_prose is not None:
        frames.append(read_prose(doc))
    return pl.concat(frames, how="vertical")
