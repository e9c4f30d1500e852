"""End to end: the shipped release through the real Dagster graph into a real DuckDB file."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from tests.conftest import SHIPPED

FACT = """select value from facts where kind = 'table' and metric_id = ? and period_type = ?
          and period_end = ?::date and currency is not distinct from ? {extra}"""


def table_value(wh, metric, period_type, end, currency, extra=""):
    rows = wh.sql(FACT.format(extra=extra), [metric, period_type, end, currency])
    assert len({r[0] for r in rows}) == 1, rows
    return rows[0][0]


def test_contract_figures(shipped_warehouse):
    wh = shipped_warehouse
    assert table_value(wh, "total_net_revenue", "3M", "2024-09-30", "RMB") == 4_370_158_000
    assert table_value(wh, "total_assets", "instant", "2024-09-30", "USD") == 6_695_808_000
    assert table_value(wh, "eps_ads_diluted", "9M", "2024-09-30", "RMB") == D("28.22")
    assert table_value(wh, "investment_loss", "3M", "2024-09-30", "RMB") == 0
    assert table_value(wh, "fx_gain_loss", "3M", "2024-09-30", "RMB") == -1_410_000
    start = wh.scalar("select period_start from facts where metric_id = 'total_net_revenue' and period_type = '3M' "
                      "and period_end = '2024-09-30' limit 1")
    assert str(start) == "2024-07-01"


def test_every_table_cell_once(shipped_warehouse, shipped_text):
    numeric = [c for line in shipped_text.splitlines() if "\t" in line for c in line.split("\t")[1:]
               if re.fullmatch(r"\(?[\d,]+(\.\d+)?\)?%?|-", c.strip())]
    headers = [c for line in shipped_text.splitlines() if line.startswith("\t")
               for c in line.split("\t")[1:] if re.fullmatch(r"(19|20)\d\d", c.strip())]
    assert shipped_warehouse.scalar("select count(*) from facts where kind = 'table'") == len(numeric) - len(headers) == 499
    dupes = shipped_warehouse.scalar("""select count(*) from (select source_line, source_column from facts
                                        where kind = 'table' group by all having count(*) > 1)""")
    assert dupes == 0


def test_scaling_signs_sections_and_units(shipped_warehouse):
    wh = shipped_warehouse
    rows = wh.sql("""select section, value, currency, unit, decimals from facts where kind = 'table'
                     and label = 'Other services fees' and period_type = '3M' and period_end = '2024-09-30'
                     and currency = 'RMB' order by source_line""")
    assert rows == [("Credit driven services", 103_662_000, "RMB", "currency", -3),
                    ("Platform services", 131_388_000, "RMB", "currency", -3)]
    # a share count in the USD column is its own row, currency NULL, unscaled
    shares = wh.sql("""select source_column, currency, value, unit from facts where metric_id = 'weighted_avg_shares_basic'
                       and period_type = '3M' and period_end = '2024-09-30' order by source_column""")
    assert shares == [(2, None, 290_601_938, "shares"), (3, None, 290_601_938, "shares")]
    margin = wh.sql("""select value, decimals, unit, currency from facts where metric_id = 'operating_margin'
                       and kind = 'table' and period_type = '9M' and period_end = '2024-09-30'""")
    assert margin == [(D("0.445"), 3, "pure", None)]
    text = wh.scalar("""select source_text from facts where kind = 'table' and metric_id = 'total_assets'
                        and currency = 'USD'""")
    assert "6,695,808" in text


def test_views_and_marts(shipped_warehouse):
    wh = shipped_warehouse
    pct = wh.scalar("""select pct_change from v_yoy where metric_id = 'total_net_revenue' and period_type = '3M'
                       and currency = 'RMB' and period_end = '2024-09-30'""")
    assert pct == pytest.approx(0.0208, abs=5e-5)
    nine = wh.scalar("""select value from mart_nine_month where metric_id = 'net_income' and currency = 'RMB'
                        and fiscal_year = 2024""")
    assert nine == 4_335_449_000
    assert wh.scalar("select count(*) from v_yoy where period_type = '9M'") > 0
    users = wh.sql("""select value, prior_value from v_yoy where period_type = 'instant' and metric_id = 'registered_users'
                      and period_end = '2024-09-30'""")
    assert users == [(254_300_000, 227_900_000)]  # a quarter-end figure stated only in prose, against its prior year
    release = wh.sql("select release_id, fiscal_year, fiscal_quarter, period_end, published_on, source_file, "
                     "fx_rmb_per_usd from releases")
    assert [tuple(map(str, r)) for r in release] == [
        ("QFIN-2024Q3", "2024", "3", "2024-09-30", "2024-11-19", SHIPPED.name, "7.0176")]


def test_values_are_exact_decimals(shipped_warehouse):
    """facts.value, every mart value and the check figures are DECIMAL(38, 6): other tools show 4370158000, not 4.37e9."""
    types = dict(shipped_warehouse.sql("""select table_name || '.' || column_name, data_type from information_schema.columns
                                          where column_name in ('value', 'expected', 'actual', 'tolerance')
                                            and table_name in ('facts', 'check_results', 'quarantined_checks',
                                                               'mart_quarterly', 'mart_nine_month', 'mart_year_to_date')"""))
    assert len(types) == 10 and set(types.values()) == {"DECIMAL(38,6)"}, types
    # sums are exact: the per-ADS figures of both tables (6.94, 12.18, 19.22, 28.22, each printed twice)
    total = shipped_warehouse.scalar("select sum(value) from facts where kind = 'table' and currency = 'RMB' "
                                     "and metric_id = 'eps_ads_diluted'")
    assert total == D("133.12")


def test_second_run_leaves_the_same_warehouse(shipped_warehouse):
    wh = shipped_warehouse
    snapshot = "select * from facts order by source_line, source_column, kind, metric_id"
    before = wh.sql(snapshot)
    assert wh.run() == 0
    assert wh.run("--force") == 0
    assert wh.sql(snapshot) == before
    assert wh.scalar("select count(*) from releases") == 1


def test_another_quarter_and_year_is_read_by_the_same_code(warehouse):
    """A Q2 2026 release built from the shipped one (other periods, other values, six-month columns)."""
    from tests.release_builder import build_release, release_name

    text = build_release(2026, 2)
    warehouse.add(release_name(2026, 2), text)
    assert warehouse.run() == 0
    assert warehouse.sql("select release_id, period_end::varchar, published_on > period_end from releases") == [
        ("QFIN-2026Q2", "2026-06-30", True)]
    row = next(line for line in text.splitlines() if line.startswith("Total net revenue\t")).split("\t")
    cells = {(r[0], r[1], r[2]) for r in warehouse.sql(
        "select period_type, period_end::varchar, currency from facts where kind = 'table' and "
        "metric_id = 'total_net_revenue'")}
    assert cells == {("3M", "2025-06-30", "RMB"), ("3M", "2026-06-30", "RMB"), ("3M", "2026-06-30", "USD"),
                     ("6M", "2025-06-30", "RMB"), ("6M", "2026-06-30", "RMB"), ("6M", "2026-06-30", "USD")}
    printed = int(row[2].replace(",", "")) * 1000
    assert table_value(warehouse, "total_net_revenue", "3M", "2026-06-30", "RMB") == printed != 4_370_158_000
    assert warehouse.scalar("select count(*) from mart_year_to_date where period_type = '6M'") > 0


def test_prose_figures_land_on_their_metrics(shipped_warehouse):
    wh = shipped_warehouse

    def fact(kind, metric, period_type, end, extra=""):
        return wh.sql(f"""select value, unit, currency from facts where kind = ? and metric_id = ? and period_type = ?
                          and period_end = ?::date {extra}""", [kind, metric, period_type, end])

    assert (254_300_000, "count", None) in fact("highlight", "registered_users", "instant", "2024-09-30")
    assert (227_900_000, "count", None) in fact("highlight", "registered_users", "instant", "2023-09-30")
    assert (72_864_000_000, "currency", "RMB") in fact("highlight", "loan_volume_ongoing", "3M", "2024-06-30")
    assert (-213_300_000, "currency", "RMB") in fact("narrative", "provision_contingent_liabilities", "3M", "2024-06-30")
    assert {r[0] for r in fact("outlook", "net_income", "3M", "2024-12-31")} == {1_750_000_000, 1_850_000_000}
    assert [r[0] for r in fact("highlight", "delinquency_rate_90dpd", "instant", "2024-09-30")] == [D("0.0272")]
    assert D("-0.149") in [r[0] for r in fact("reported_change", "loan_volume_ongoing", "3M", "2024-09-30")]
    assert [r[0] for r in fact("reference", "fx_rmb_per_usd", "instant", "2024-09-30")] == [D("7.0176")]


def test_qoq_for_every_income_statement_line_with_a_narrative_prior_quarter(shipped_warehouse):
    wh = shipped_warehouse
    prior = {r[0] for r in wh.sql("""select distinct metric_id from facts where kind = 'narrative'
                                     and period_type = '3M' and period_end = '2024-06-30' and currency = 'RMB'
                                     and statement in ('income_statement', 'non_gaap')""")}
    qoq = {r[0] for r in wh.sql("""select metric_id from v_qoq where period_end = '2024-09-30' and currency = 'RMB'
                                   and period_type = '3M'""")}
    assert len(prior) >= 20 and prior <= qoq


def test_every_fact_prints_its_number_in_source_text(shipped_warehouse):
    rows = shipped_warehouse.sql("select kind, value, unit, decimals, source_column, source_text from facts")
    for kind, value, unit, decimals, column, text in rows:
        if kind == "table":
            cell = text.split("\t")[column].strip()
            digits = re.sub(r"[^\d.]", "", cell)
            printed = D(0) if cell == "-" else D(digits) * (-1 if cell.startswith("(") else 1)
            scale = D("0.01") if cell.endswith("%") else (1000 if unit == "currency" else 1)
            assert printed * scale == value, (cell, value)  # exact: DECIMAL(38, 6), no float on the way
        else:
            percent = unit == "pure" and kind != "reference"
            shown, places = (abs(value) * 100, decimals - 2) if percent else (abs(value), decimals)
            forms = [f"{shown / 10 ** e:,.{max(0, e + places)}f}" for e in (0, 3, 6, 9)] if places < 0 else [
                f"{shown:,.{places}f}"]
            assert any(f in text or f.replace(",", "") in text for f in forms), (kind, value, decimals, text)
