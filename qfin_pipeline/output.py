"""Printing frames for people (table) and programs (csv, json)."""

from __future__ import annotations

import sys

import polars as pl


def print_frame(frame: pl.DataFrame, fmt: str = "table") -> None:
    if fmt == "csv":
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        with pl.Config(tbl_rows=200, tbl_cols=30, fmt_str_lengths=80, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True, fmt_float="full"):
            print(frame)
