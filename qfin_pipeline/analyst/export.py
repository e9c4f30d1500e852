"""Every mart, view and wide statement of the warehouse as files: Parquet or CSV (DuckDB COPY, one file each) or
one xlsx workbook (Polars write_excel via xlsxwriter, one sheet each, values as numbers, header row frozen)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

FORMATS = ("parquet", "csv", "xlsx")
EXPORTED = ("mart_", "v_", "wide_")  # marts, views, wide statements (CONTRACT.md "Marts and views")
SHEET_NAME_LIMIT = 31  # Excel's limit

# Exact DECIMAL values become Excel numbers; up to six decimals show (ratios, per-share figures, rates).
NUMBER_FORMATS = {
    pl.Decimal: "#,##0.00####",
    (pl.Float32, pl.Float64): "0.0000##",
    (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64): "0",
    pl.Date: "yyyy-mm-dd",
    pl.Datetime: "yyyy-mm-dd hh:mm:ss",
}


def exported_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the marts, views and wide statements in the warehouse, in that order."""
    names = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by table_name").fetchall()]
    return [name for prefix in EXPORTED for name in names if name.startswith(prefix)]


def export(con: duckdb.DuckDBPyConnection, fmt: str, to: str | Path) -> list[Path]:
    """Write every exported relation to `to`: a folder of .parquet/.csv files, or an .xlsx workbook (a folder gets
    qfin.xlsx). Returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    target = Path(to)
    names = exported_relations(con)
    if fmt == "xlsx":
        book = target / "qfin.xlsx" if target.is_dir() else target
        book.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(con, names, book)
        return [book]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = target / f"{name}.{fmt}"
        options = "format parquet" if fmt == "parquet" else "format csv, header true"
        con.execute(f"copy (select * from {quoted(name)}) to {literal(str(path))} ({options})")
        written.append(path)
    return written


def write_workbook(con: duckdb.DuckDBPyConnection, names: list[str], path: Path) -> None:
    sheet_names = unique_sheet_names(names)
    with xlsxwriter.Workbook(path) as book:
        for name in names:
            frame = con.sql(f"select * from {quoted(name)}").pl()
            # wide statements: the line's labels stay in view while the quarter columns scroll
            labels = frame.columns.index("label") + 1 if name.startswith("wide_") and "label" in frame.columns else 0
            frame.write_excel(book, worksheet=sheet_names[name], dtype_formats=NUMBER_FORMATS, freeze_panes=(1, labels),
                              autofit=frame.height > 0, table_style="Table Style Light 1")


def unique_sheet_names(names: list[str]) -> dict[str, str]:
    """Sheet names of at most 31 characters, unique (a clash keeps a numbered suffix)."""
    used: dict[str, str] = {}
    for name in names:
        sheet, n = name[:SHEET_NAME_LIMIT], 1
        while sheet in used.values():
            n += 1
            sheet = f"{name[:SHEET_NAME_LIMIT - len(str(n)) - 1]}~{n}"
        used[name] = sheet
    return used


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
