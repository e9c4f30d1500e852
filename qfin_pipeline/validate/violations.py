"""SchemaViolation and its message: file, raw line(s), rule and the offending value of every failure."""

from __future__ import annotations

import polars as pl


class SchemaViolation(ValueError):
    """A frame that breaks its model; the message names the file, the raw line(s) and each rule broken."""

    def __init__(self, source_file: str, problems: list[str], failure_cases: pl.DataFrame | None = None):
        self.source_file, self.problems, self.failure_cases = source_file, problems, failure_cases
        shown = problems[:_MAX_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown) + (f"\n... and {more} more schema problems" if more else ""))


_MAX_PROBLEMS = 25
_COLUMN_PRESENCE = {
    "column_in_dataframe": "a missing column",
    "column_in_schema": "a column the schema does not know",
}
_MAX_LINES = 12


def describe(
    cases: pl.DataFrame,
    frame: pl.DataFrame,
    source_file: str,
    schema: str,
    row_checks: dict[str, tuple[str, ...]],
) -> list[str]:
    """pandera's failure_cases (failure_case, schema_context, column, check, check_number, index) -> one
    message per (rule, value), naming the source lines of its rows (row numbers without a source_line).

    `row_checks` names the columns a row-level (dataframe) check concerns: its message shows them.
    """
    lines = frame["source_line"].to_list() if "source_line" in frame.columns else None
    groups: dict[tuple[str, str, str], list[int]] = {}
    for case in cases.iter_rows(named=True):
        column, check, index = case["column"], case["check"], case["index"]
        if case["schema_context"] == "DataFrameSchema" and index is not None:
            shown = row_checks.get(check, ())
            column = ",".join(shown) if shown else "*"
            value = ", ".join(f"{c}={_show(frame, c, index)}" for c in shown if c in frame.columns)
        elif check in _COLUMN_PRESENCE:  # the failure case is the column's name
            column, value = str(case["failure_case"]), _COLUMN_PRESENCE[check]
        elif index is not None and column in frame.columns:
            value = _show(frame, column, index)
        else:
            value = str(case["failure_case"])
        where = groups.setdefault((column, check, value), [])
        if index is not None:
            where.append(
                lines[index] if lines is not None and lines[index] is not None else f"row {index + 1}"
            )
    out = []
    for (column, check, value), where in sorted(groups.items(), key=lambda g: _first(g[1])):
        spots = sorted(set(where), key=_first_key)
        at = ",".join(str(s) for s in spots[:_MAX_LINES]) + (
            f",... ({len(spots)} rows)" if len(spots) > _MAX_LINES else ""
        )
        prefix = f"{source_file}:{at}" if spots else source_file
        out.append(f"{prefix}: {schema}.{column}: {check} failed for {value}")
    return out


def _show(frame: pl.DataFrame, column: str, index: int) -> str:
    value = frame[column][index]
    return repr(value) if isinstance(value, str) else ("NULL" if value is None else str(value))


def _first_key(spot: int | str) -> tuple[int, int]:
    return (0, spot) if isinstance(spot, int) else (1, int(spot.split()[-1]))


def _first(spots: list[int | str]) -> tuple[int, int]:
    return min((_first_key(s) for s in spots), default=(-1, 0))
