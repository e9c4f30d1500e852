"""The analyst's view: wide statements, guidance against actuals, exports and the report, on the shipped release
plus a builder-made Q4 2024 release with full-year columns (as printed, and without its three-month columns)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import SHIPPED, Warehouse
from tests.release_builder import build_release, release_name

MARKUP_LABEL = "Other income <script>alert(1)</script>"
HEADER_ROW = re.compile(r"^\t.*\bended\b", re.I)  # a table's period header ("Three months ended ...")
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
MILLION = Decimal(1_000_000)


def without_quarter_columns(text: str) -> str:
    """The release as if it printed no three-month columns: those cells go, and a table of only them goes whole."""
    out, drop, skipping = [], set(), False
    for line in text.split("\n"):
        cells = line.split("\t")
        if HEADER_ROW.match(line):
            starts = [i for i, c in enumerate(cells) if c.strip()] + [len(cells)]
            drop = {i for a, b in zip(starts, starts[1:], strict=False) if re.search(r"three\s+months", cells[a], re.I)
                    for i in range(a, b)}
            skipping = drop >= set(range(1, len(cells)))
        elif "\t" not in line and line.strip():  # a title or prose: the table is over
            drop, skipping = set(), False
        if not skipping:
            out.append("\t".join(c for i, c in enumerate(cells) if i not in drop) if drop and "\t" in line else line)
    return "\n".join(out)


def with_line_after(text: str, label: str, new_label: str) -> str:
    """A new table line (all cells '-') printed right after the line `label`."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(label + "\t"))
    return "\n".join([*lines[: at + 1], new_label + "\t-" * (len(lines[at].split("\t")) - 1), *lines[at + 1:]])


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def loaded(root: Path, *releases: tuple[str, str]) -> Warehouse:
    wh = Warehouse(root)
    wh.raw.mkdir()
    for name, text in releases:
        wh.add(name, text)
    assert wh.run() == 0
    return wh


@pytest.fixture(scope="module")
def q4_printed(tmp_path_factory) -> Warehouse:
    """The shipped Q3 release and a Q4 2024 release as the builder prints it, plus one table line holding markup."""
    q4 = with_line_after(build_release(2024, 4), "Other income, net", MARKUP_LABEL)
    return loaded(tmp_path_factory.mktemp("q4_printed"), (SHIPPED.name, SHIPPED.read_text(encoding="utf-8")),
                  (release_name(2024, 4), q4))


@pytest.fixture(scope="module")
def q4_derived(tmp_path_factory) -> Warehouse:
    """The shipped Q3 release (its outlook restated: a range Q4 meets, a range Q4 beats, a single figure) and a Q4
    2024 release without three-month columns: its quarter is 12M - 9M."""
    q3 = edited(SHIPPED.read_text(encoding="utf-8"),
                "net income between RMB1.75 billion and RMB1.85 billion and a non-GAAP net income^{*16} between "
                "RMB1.80 billion and RMB1.90 billion",
                "net income between RMB1.65 billion and RMB1.70 billion and a non-GAAP net income^{*16} between "
                "RMB1.60 billion and RMB1.70 billion")
    q3 = edited(q3, "This outlook reflects", "For the fourth quarter of 2024, the Company expects total net revenue "
                "to be approximately RMB4.3 billion. This outlook reflects")
    return loaded(tmp_path_factory.mktemp("q4_derived"), (SHIPPED.name, q3),
                  (release_name(2024, 4), without_quarter_columns(build_release(2024, 4))))


def frame(wh: Warehouse, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(wh.path), read_only=True) as con:
        return con.sql(sql).pl()


def line(wh: Warehouse, model: str, metric: str, currency: str | None = "RMB") -> dict:
    rows = frame(wh, f"select * from {model} where metric_id = '{metric}' and currency is not distinct from "
                     f"{repr(currency) if currency else 'null'}").to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def cell(wh: Warehouse, release: str, metric: str, period_type: str, period_end: str) -> Decimal:
    return wh.scalar("""select value from facts where release_id = ? and kind = 'table' and metric_id = ?
                        and currency = 'RMB' and period_type = ? and period_end = ? order by source_line limit 1""",
                     [release, metric, period_type, period_end])


# --- wide statements ---------------------------------------------------------------------------------------------

def test_q4_variant_prints_no_quarter_column(q4_derived):
    periods = {r[0] for r in q4_derived.sql("select distinct period_type from facts "
                                            "where release_id = 'QFIN-2024Q4' and kind = 'table'")}
    assert periods == {"12M", "instant"}


@pytest.mark.parametrize("metric", ["total_net_revenue", "net_income", "funding_costs", "income_tax_expense"])
def test_wide_income_statement_q4_is_12m_minus_9m(q4_derived, metric):
    row = line(q4_derived, "wide_income_statement", metric)
    full_year = cell(q4_derived, "QFIN-2024Q4", metric, "12M", "2024-12-31")
    nine_months = cell(q4_derived, "QFIN-2024Q3", metric, "9M", "2024-09-30")
    assert row["2024Q4"] == full_year - nine_months
    assert row["2024Q3"] == cell(q4_derived, "QFIN-2024Q3", metric, "3M", "2024-09-30")
    assert "2024Q4" in row["derived_columns"].split(", ") and "2024Q3" not in row["derived_columns"]


def test_wide_income_statement_exact_values(q4_derived):
    revenue = line(q4_derived, "wide_income_statement", "total_net_revenue")
    assert (revenue["2024Q3"], revenue["2024Q4"]) == (Decimal("4370158000"), Decimal("4230908000"))  # 16,914,312 - 12,683,404
    net_income = line(q4_derived, "wide_income_statement", "net_income")
    assert (net_income["2024Q3"], net_income["2024Q4"]) == (Decimal("1798797000"), Decimal("1679017000"))
    # Q4 2023 too: 12M 2023 of the Q4 release minus 9M 2023 of the Q3 release
    assert revenue["2023Q4"] == Decimal("16310733000") - Decimal("11794524000")
    assert dict(frame(q4_derived, "describe wide_income_statement").select("column_name", "column_type")
                .iter_rows())["2024Q4"] == "DECIMAL(38,6)"


def test_wide_statement_lines_follow_the_latest_release(q4_printed):
    printed = [r[0] for r in q4_printed.sql("""
        select label from facts where release_id = 'QFIN-2024Q4' and kind = 'table' and statement = 'income_statement'
        and currency = 'RMB' group by section, label, metric_id order by min(source_line)""")]
    wide = frame(q4_printed, "select label from wide_income_statement where currency = 'RMB' order by line_order")
    assert wide["label"].to_list() == printed
    assert MARKUP_LABEL in printed
    sections = frame(q4_printed, "select section, label from wide_income_statement where metric_id = 'eps_ads_basic'")
    assert set(sections["section"]) == {"Net income per ADS attributable to ordinary shareholders of Qifu Technology, Inc."}


def test_period_columns_follow_the_data(shipped_warehouse, q4_derived):
    def columns(wh: Warehouse, model: str) -> list[str]:
        return [c for c in frame(wh, f"select * from {model} limit 0").columns if re.match(r"^(\d{4}Q\d|9M\d{4}|FY\d{4})$", c)]

    assert columns(shipped_warehouse, "wide_income_statement") == ["2023Q3", "2024Q2", "2024Q3"]  # Q2: prose only
    assert columns(q4_derived, "wide_income_statement") == ["2023Q3", "2023Q4", "2024Q2", "2024Q3", "2024Q4"]
    assert columns(q4_derived, "wide_balance_sheet") == ["2023Q4", "2024Q3", "2024Q4"]
    assert columns(q4_derived, "wide_nine_months") == ["9M2023", "9M2024"]
    assert columns(q4_derived, "wide_full_year") == ["FY2023", "FY2024"]
    full_year = frame(q4_derived, """select "FY2024" from wide_full_year where statement = 'income_statement'
                                      and metric_id = 'net_income' and currency = 'RMB'""")
    assert full_year.item() == Decimal("6014466000")


# --- guidance against actuals --------------------------------------------------------------------------------------

def guidance(wh: Warehouse, metric: str, period: str) -> dict:
    rows = frame(wh, f"select * from v_guidance_vs_actual where metric_id = '{metric}' and period = '{period}'").to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_guidance_is_pending_while_only_the_shipped_release_is_loaded(shipped_warehouse):
    g = guidance(shipped_warehouse, "net_income", "2024Q4")
    assert (g["guidance_low"], g["guidance_high"], g["guidance_release_id"]) == (
        Decimal("1750000000"), Decimal("1850000000"), "QFIN-2024Q3")
    assert (g["verdict"], g["actual_value"], g["difference_from_midpoint"]) == ("pending", None, None)
    assert (g["unit"], g["currency"], g["period_type"], str(g["period_end"])) == ("currency", "RMB", "3M", "2024-12-31")


def test_guidance_verdict_from_the_q4_release_table(q4_printed):
    g = guidance(q4_printed, "net_income", "2024Q4")
    printed = cell(q4_printed, "QFIN-2024Q4", "net_income", "3M", "2024-12-31")
    assert printed == Decimal("1679017000")
    assert (g["actual_value"], g["actual_release_id"], g["actual_kind"], g["actual_derived"]) == (
        printed, "QFIN-2024Q4", "table", False)
    assert g["verdict"] == "below"  # 1,679.0 million against RMB1.75-1.85 billion
    assert g["difference_from_midpoint"] == Decimal("-120983000")
    assert (g["guidance_decimals"], g["actual_decimals"]) == (-7, -3)
    # the Q4 release guides Q1 2025, which no release reports yet
    assert guidance(q4_printed, "net_income", "2025Q1")["verdict"] == "pending"


def test_guidance_verdicts_within_above_and_single_figure(q4_derived):
    within = guidance(q4_derived, "net_income", "2024Q4")  # 1,679.017 million in 1.65-1.70 billion
    assert (within["verdict"], within["actual_value"], within["actual_derived"]) == (
        "within", Decimal("1679017000"), True)
    above = guidance(q4_derived, "non_gaap_net_income", "2024Q4")  # 1,703.588 million above 1.60-1.70 billion
    assert (above["verdict"], above["difference_from_midpoint"]) == ("above", Decimal("53588000"))
    single = guidance(q4_derived, "total_net_revenue", "2024Q4")  # approximately RMB4.3 billion
    assert (single["guidance_low"], single["guidance_high"]) == (Decimal("4300000000"), Decimal("4300000000"))
    assert (single["verdict"], single["difference_from_midpoint"]) == ("below", Decimal("-69092000"))


def test_views_bind_in_the_duckdb_1_5_cli(q4_printed, tmp_path):
    """The warehouse file must open in the DuckDB 1.4/1.5 clients: every view's SQL binds there."""
    cli = Path(sys.executable).with_name("duckdb")
    copy = tmp_path / "compat.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{q4_printed.path}' as src (read_only)")
        con.execute(f"attach '{copy}' as dst (storage_version 'v1.4.0')")
        con.execute("copy from database src to dst")
    views = [r[0] for r in q4_printed.sql("select view_name from duckdb_views() where not internal")]
    assert "v_guidance_vs_actual" in views
    sql = ";".join(f"select '{v}', count(*) from {v}" for v in views)
    out = subprocess.run([str(cli), "-readonly", "-csv", "-noheader", str(copy), "-c", sql], capture_output=True,
                         text=True, check=True).stdout
    assert "v_guidance_vs_actual,4" in out and out.count("\n") == len(views)


# --- exports -------------------------------------------------------------------------------------------------------

def exported(wh: Warehouse) -> list[str]:
    names = [r[0] for r in wh.sql("select table_name from information_schema.tables")]
    return [n for n in names if n.startswith(("mart_", "v_", "wide_"))]


def qfin(wh: Warehouse, *args: str) -> int:
    from qfin_pipeline.cli import main

    return main([*args, "--warehouse", str(wh.path)])


def test_xlsx_holds_exact_numbers_as_numbers(q4_printed, tmp_path):
    book = tmp_path / "qfin.xlsx"
    assert qfin(q4_printed, "export", "--format", "xlsx", "--to", str(book)) == 0
    sheets = pl.read_excel(book, sheet_id=0)
    assert sorted(sheets) == sorted(exported(q4_printed)) and len(sheets) >= 17
    wide = sheets["wide_income_statement"].filter((pl.col("metric_id") == "total_net_revenue") & (pl.col("currency") == "RMB"))
    assert wide.schema["2024Q4"].is_numeric() and wide["2024Q4"].item() == 4_230_908_000
    margin = sheets["mart_quarterly"].filter((pl.col("metric_id") == "net_income_margin") & (pl.col("fiscal_quarter") == 4)
                                             & (pl.col("fiscal_year") == 2024))
    assert margin["value"].item() == float(cell_any(q4_printed, "net_income_margin", "2024-12-31"))
    g = sheets["v_guidance_vs_actual"].filter(pl.col("period") == "2024Q4").sort("metric_id")
    assert g["actual_value"].to_list() == [1_679_017_000, 1_703_588_000]
    assert g["difference_from_midpoint"].to_list() == [-120_983_000, -146_412_000]
    with zipfile.ZipFile(book) as z:  # header rows frozen, values formatted as numbers
        assert 'state="frozen"' in z.read("xl/worksheets/sheet1.xml").decode()
        assert "#,##0.00####" in z.read("xl/styles.xml").decode()


def cell_any(wh: Warehouse, metric: str, period_end: str) -> Decimal:
    return wh.scalar("select value from mart_quarterly where metric_id = ? and period_end = ?", [metric, period_end])


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_parquet_and_csv_one_file_per_relation(q4_printed, tmp_path, fmt):
    assert qfin(q4_printed, "export", "--format", fmt, "--to", str(tmp_path)) == 0
    files = sorted(p.stem for p in tmp_path.glob(f"*.{fmt}"))
    assert files == sorted(exported(q4_printed))
    read = pl.read_parquet if fmt == "parquet" else pl.read_csv
    quarterly = read(tmp_path / f"mart_quarterly.{fmt}")
    assert quarterly.height == q4_printed.scalar("select count(*) from mart_quarterly")
    revenue = quarterly.filter((pl.col("metric_id") == "total_net_revenue") & (pl.col("currency") == "RMB")
                               & (pl.col("fiscal_year") == 2024) & (pl.col("fiscal_quarter") == 4))["value"]
    if fmt == "parquet":
        assert revenue.dtype == pl.Decimal(38, 6) and revenue.item() == Decimal("4230908000")
    else:
        assert revenue.item() == 4_230_908_000


# --- the report ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_html(q4_printed) -> str:
    """The page `qfin run` wrote beside the warehouse (the `report` asset)."""
    return (q4_printed.root / "report.html").read_text(encoding="utf-8")


def test_report_is_an_asset_of_every_run_with_its_path(q4_printed):
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(q4_printed.root / "dagster_home"))
    event = instance.get_latest_materialization_event(dg.AssetKey("report"))
    assert event.asset_materialization.metadata["path"].value == str(q4_printed.root / "report.html")
    before = (q4_printed.root / "report.html").stat().st_mtime_ns
    assert q4_printed.run() == 0  # nothing new in the folder: the refresh run rebuilds the page
    assert (q4_printed.root / "report.html").stat().st_mtime_ns > before


def test_report_is_self_contained_with_four_charts(report_html):
    assert report_html.count("<svg") >= 4
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", report_html, re.I)
    assert not re.search(r"<script|<link|@import|url\(", report_html, re.I)
    for heading in ("By quarter", "Income statement, last 8 quarters", "Guidance against actuals", "Checks by release",
                    "Restatements", "Unread figures"):
        assert f"<h2>{heading}" in report_html


def test_report_escapes_release_text(report_html):
    assert "Other income &lt;script&gt;alert(1)&lt;/script&gt;" in report_html
    assert "<script" not in report_html and "alert(1)</" not in report_html


def test_report_shows_the_income_statement_and_guidance(report_html):
    statement = report_html[report_html.index('id="income-statement"'):report_html.index('id="guidance"')]
    assert re.findall(r"<th class=\"num\">(\d{4}Q\d)</th>", statement) == ["2023Q3", "2023Q4", "2024Q2", "2024Q3",
                                                                              "2024Q4"]
    assert 'title="4230908000" class="num">4,230.9<' in statement
    verdicts = report_html[report_html.index('id="guidance"'):report_html.index('id="checks"')]
    assert '<td class="verdict below">below</td>' in verdicts and '<td class="verdict pending">pending</td>' in verdicts


def test_qfin_report_writes_the_page(q4_printed, tmp_path):
    out = tmp_path / "page.html"
    assert qfin(q4_printed, "report", "--out", str(out)) == 0
    assert out.read_text(encoding="utf-8").count("<svg") >= 4


def test_report_renders_in_headless_chromium(q4_printed, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on PATH: .ci/run installs Debian's chromium package; it could not be installed here")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path}",
         "--dump-dom", (q4_printed.root / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert dom.count("<svg") >= 4 and "Guidance against actuals" in dom
    assert "Other income &lt;script&gt;alert(1)&lt;/script&gt;" in dom and "<script" not in dom
