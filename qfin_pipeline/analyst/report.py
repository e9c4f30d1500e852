"""The one-page report: quarterly charts, the income statement's last eight quarters, guidance against actuals,
and each release's checks, restatements and unread figures. One self-contained HTML file: inline CSS and SVG,
no script, font, stylesheet or image from the network."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from qfin_pipeline.analyst.charts import CHARTS, chart_svg
from qfin_pipeline.analyst.html import Markup, exact, figure, join, table, tag, td
from qfin_pipeline.analyst.style import STYLE
from qfin_pipeline.settings import REPO_ROOT

REPORT_NAME = "report.html"
QUARTER_COLUMN = re.compile(r"^\d{4}Q[1-4]$")
QUARTERS_SHOWN = 8
ROWS_SHOWN = 200
REQUIRED = ("releases", "check_results", "dim_metric", "mart_quarterly", "wide_income_statement",
            "v_guidance_vs_actual", "v_restatements")


def default_report_path(warehouse: str | None) -> Path:
    """`report.html` beside a warehouse file; for a connection string (md:..., s3://...) in the repo's warehouse/."""
    local = bool(warehouse) and "://" not in warehouse and not re.match(r"^[a-z]+:(?![\\/])", warehouse)
    return (Path(warehouse).resolve().parent if local else REPO_ROOT / "warehouse") / REPORT_NAME


def report_path(con: duckdb.DuckDBPyConnection) -> Path:
    """The default report path for the database `con` is connected to (its file, whatever opened it)."""
    found = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()
    return default_report_path(found[0][0] if found else None)


def write_report(con: duckdb.DuckDBPyConnection, path: str | Path) -> Path:
    """Build the report and replace `path` with it in one step (a reader never sees half a page)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = build_report(con)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the page is for anyone who can read the warehouse folder
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def build_report(con: duckdb.DuckDBPyConnection) -> str:
    """The page as HTML text, from the warehouse's marts and views (LookupError if they are not built yet)."""
    tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    missing = [name for name in REQUIRED if name not in tables]
    if missing:
        raise LookupError(f"the warehouse has no {', '.join(missing)}: run `qfin run` first")
    currency = reporting_currency(con)
    body = join([
        header(con),
        section("By quarter", charts(con, currency), "charts"),
        section(f"Income statement, last {QUARTERS_SHOWN} quarters ({currency or 'all currencies'})",
                income_statement(con, currency), "income-statement"),
        section("Guidance against actuals", guidance(con), "guidance"),
        section("Checks by release", checks(con), "checks"),
        section("Restatements", restatements(con), "restatements"),
        section("Unread figures", unread(con, "unread_figures" in tables), "unread"),
    ])
    return ("<!DOCTYPE html>\n" + tag("html", join([
        Markup('<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'),
        tag("title", "QFIN: the analyst's view"), Markup(f"<style>{STYLE}</style></head>"),
        tag("body", body)]), lang="en") + "\n")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def section(title: str, content: Markup, anchor: str) -> Markup:
    return tag("section", join([tag("h2", title), content]), id=anchor)


def reporting_currency(con: duckdb.DuckDBPyConnection) -> str | None:
    """The currency most mart values are in (the statements' own; others are convenience translations)."""
    found = con.execute("""select currency from mart_quarterly where currency is not null
                           group by currency order by count(*) desc, currency limit 1""").fetchall()
    return found[0][0] if found else None


def header(con: duckdb.DuckDBPyConnection) -> Markup:
    loaded = rows(con, "select release_id, published_on from releases order by published_on")
    listed = ", ".join(f"{r['release_id']} (published {r['published_on']})" for r in loaded.iter_rows(named=True))
    return tag("header", join([
        tag("h1", "QFIN: the analyst's view"),
        tag("p", f"{loaded.height} release(s) loaded: {listed or 'none yet'}. Built {datetime.now():%Y-%m-%d %H:%M}. "
                 "Currency figures in millions; hover a figure for its exact value."),
    ]))


def charts(con: duckdb.DuckDBPyConnection, currency: str | None) -> Markup:
    metrics = sorted({m for chart in CHARTS for m in chart.metrics})
    quarterly = rows(con, """
        select q.metric_id, coalesce(m.label, q.label) as series, q.fiscal_year || 'Q' || q.fiscal_quarter as quarter,
               q.value::double as value, q.unit, q.currency
        from mart_quarterly q left join dim_metric m using (metric_id)
        where list_contains(?, q.metric_id) order by q.period_end""", [metrics])
    figures = []
    for chart in CHARTS:
        svg = chart_svg(chart, quarterly, currency)
        figures.append(tag("figure", Markup(svg) if svg else tag("p", f"{chart.title}: no quarter reported yet."),
                           class_="chart"))
    return tag("div", join(figures), class_="charts")


def income_statement(con: duckdb.DuckDBPyConnection, currency: str | None) -> Markup:
    wide = rows(con, "select * from wide_income_statement order by line_order")
    wide = wide.filter(pl.col("currency").is_null() | pl.col("currency").eq_missing(currency))
    quarters = sorted(c for c in wide.columns if QUARTER_COLUMN.match(c))[-QUARTERS_SHOWN:]
    body, heading, previous = [], None, None
    for line in wide.iter_rows(named=True):
        # a section prints as a heading row, unless the line just above is the subtotal it breaks down
        if line["section"] and line["section"] not in (heading, previous):
            body.append([td(line["section"], class_="section", colspan=len(quarters) + 1)])
        heading, previous = line["section"], line["label"]
        derived = set((line["derived_columns"] or "").split(", "))
        body.append([td(line["label"], class_="indent" if line["section"] else None)] + [
            td(figure(line[q], line["unit"]), title=exact(line[q]), class_="num derived" if q in derived else "num")
            for q in quarters])
    note = tag("p", "Italic figures are derived from year-to-date figures (e.g. Q4 = 12M − 9M); per-share figures "
                    "in units, share counts in shares, margins in %.", class_="note")
    return join([table(["", *quarters], body, numeric=set(range(1, len(quarters) + 1)), class_="statement"), note])


def guidance(con: duckdb.DuckDBPyConnection) -> Markup:
    found = rows(con, """select g.*, coalesce(m.label, g.metric_id) as metric_label from v_guidance_vs_actual g
                         left join dim_metric m using (metric_id) order by g.period_end, g.metric_id""")
    if found.is_empty():
        return tag("p", "No release has given guidance yet.")
    body = []
    for g in found.iter_rows(named=True):
        low, high, unit = figure(g["guidance_low"], g["unit"]), figure(g["guidance_high"], g["unit"]), g["unit"]
        source = "–" if g["actual_release_id"] is None else (
            f"{g['actual_release_id']} ({'derived' if g['actual_derived'] else g['actual_kind']})")
        body.append([g["metric_label"], g["period"], g["currency"] or "", low if low == high else f"{low} – {high}",
                     td(figure(g["actual_value"], unit), title=exact(g["actual_value"]), class_="num"),
                     td(g["verdict"], class_=f"verdict {g['verdict']}"),
                     figure(g["difference_from_midpoint"], unit) if g["actual_value"] is not None else "–",
                     g["guidance_release_id"], source])
    return table(["Metric", "Period", "Currency", "Guidance", "Actual", "Verdict", "Actual − midpoint", "Guided in",
                  "Actual from"], body, numeric={3, 4, 6})


def checks(con: duckdb.DuckDBPyConnection) -> Markup:
    summary = rows(con, """
        select c.release_id, r.published_on, r.source_file,
               count(*) filter (where c.status = 'passed') as passed,
               count(*) filter (where c.status = 'warning') as warnings,
               count(*) filter (where c.status = 'failed') as failed
        from check_results c left join releases r using (release_id)
        group by all order by r.published_on nulls last, c.release_id""")
    issues = rows(con, f"""select release_id, check_name, status, severity, detail from check_results
                           where status <> 'passed' order by release_id, status, check_name limit {ROWS_SHOWN}""")
    parts = [table(["Release", "Published", "File", "Passed", "Warnings", "Failed"],
                   [list(r) for r in summary.iter_rows()], numeric={3, 4, 5})]
    if not issues.is_empty():
        parts.append(table(["Release", "Check", "Status", "Severity", "Detail"], [list(r) for r in issues.iter_rows()],
                           caption="Checks not passed", class_="details"))
    return join(parts)


def restatements(con: duckdb.DuckDBPyConnection) -> Markup:
    total = con.execute("select count(*) from v_restatements").fetchall()[0][0]
    if not total:
        return tag("p", "No release disagrees with another beyond rounding.")
    found = rows(con, f"""
        select r.*, m.unit from v_restatements r left join dim_metric m using (metric_id)
        order by r.period_end desc, r.metric_id, r.restated_release_id limit {ROWS_SHOWN}""")
    body = [[r["label"], f"{r['period_type']} to {r['period_end']}", r["currency"] or "",
             f"{r['original_release_id']} ({r['original_kind']})",
             td(figure(r["original_value"], r["unit"]), title=exact(r["original_value"]), class_="num"),
             f"{r['restated_release_id']} ({r['restated_kind']})",
             td(figure(r["restated_value"], r["unit"]), title=exact(r["restated_value"]), class_="num"),
             td(figure(r["difference"], r["unit"]), title=exact(r["difference"]), class_="num")]
            for r in found.iter_rows(named=True)]
    shown = "" if total <= ROWS_SHOWN else f" (first {ROWS_SHOWN} of {total}; all in v_restatements)"
    return table(["Line", "Period", "Currency", "First in", "Value", "Then in", "Value", "Difference"], body,
                 numeric={4, 6, 7}, caption=f"{total} disagreement(s) beyond rounding{shown}")


def unread(con: duckdb.DuckDBPyConnection, exists: bool) -> Markup:
    if not exists:
        return tag("p", "This warehouse has no unread_figures table.")
    counts = rows(con, "select release_id, reason, count(*) as figures from unread_figures group by all order by all")
    if counts.is_empty():
        return tag("p", "Every number in the loaded releases' prose was read as a fact.")
    listed = rows(con, f"""select release_id, source_line, printed, sentence from unread_figures
                           where reason = 'no pattern' order by release_id, source_line limit {ROWS_SHOWN}""")
    parts = [table(["Release", "Reason", "Figures"], [list(r) for r in counts.iter_rows()], numeric={2})]
    if not listed.is_empty():
        parts.append(table(["Release", "Line", "Printed", "Sentence"], [list(r) for r in listed.iter_rows()],
                           caption="Figures no pattern reads", class_="details"))
    return join(parts)
