"""The table reader: tab-separated table rows -> table facts, each cell on the period and currency of its column.

- headers.py: column headers -> each value column's period and currency
- reader.py: the walk over the lines (titles, notes, headers, sections, groups, metric ids)
- values.py: printed cells -> exact values in base units, the facts frame
"""

from __future__ import annotations

import polars as pl

from qfin_pipeline.extract.facts import UNREAD_SCHEMA
from qfin_pipeline.extract.tables.headers import Column, header_columns, parse_column_header
from qfin_pipeline.extract.tables.reader import CELL_FIELDS, OTHER, generated_id, read_cells
from qfin_pipeline.extract.tables.values import cell_value, facts_of_cells

__all__ = ["OTHER", "Column", "cell_value", "generated_id", "header_columns", "parse_column_header", "read_tables",
           "read_tables_and_unread", "table_cells"]

_CELL_SCHEMA = dict(zip(CELL_FIELDS, (
    pl.String, pl.String, pl.String, pl.String, pl.String, pl.Int64, pl.String, pl.String, pl.Date, pl.Date,
    pl.String, pl.Int32, pl.Int32, pl.String), strict=True))


def table_cells(doc) -> pl.DataFrame:
    """Every numeric cell of every table as raw strings with their row and column context."""
    cells, _ = read_cells(doc.lines, doc.source_file)
    if not cells:
        return pl.DataFrame()
    return pl.DataFrame(dict(zip(_CELL_SCHEMA, map(list, zip(*cells, strict=True)), strict=True)), schema=_CELL_SCHEMA)


def read_tables(doc) -> pl.DataFrame:
    """Document -> table facts in base units (see CONTRACT.md `facts`): one pass over the cells, one frame."""
    cells, _ = read_cells(doc.lines, doc.source_file)
    return facts_of_cells(doc.info.release_id, cells)


def read_tables_and_unread(doc) -> tuple[pl.DataFrame, pl.DataFrame]:
    """read_tables, and the numbers of tables no catalog knows that are no facts (UNREAD_SCHEMA: a cell
    without a period column, or a cell that is not a number), so that none is dropped silently."""
    cells, unplaced = read_cells(doc.lines, doc.source_file)
    unread = pl.DataFrame(
        {"release_id": [doc.info.release_id] * len(unplaced), "source_line": [u[0] for u in unplaced],
         "printed": [u[1] for u in unplaced], "sentence": [u[3].replace("\t", " | ") for u in unplaced],
         "reason": [u[2] for u in unplaced]},
        schema=UNREAD_SCHEMA,
    )
    return facts_of_cells(doc.info.release_id, cells), unread
