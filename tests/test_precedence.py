"""Precedence in the marts (CONTRACT.md "Marts and views"): a table value is never displaced by prose, from any
release; across releases the latest table value stands; prose fills only periods no table reports; prose that
disagrees with a table beyond rounding is listed in v_restatements with both sources."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.conftest import Warehouse
from tests.release_builder import build_release, release_name

GOODWILL_RESTATED = 45_000  # thousands of RMB; the Q3 2024 release prints 41,210 for December 31, 2023


def restating_q4() -> str:
    """Q4 2024 restates goodwill at December 31, 2023 in its balance sheet, and its narrative states a prior-quarter
    (Q3 2024) total net revenue 20.0 million above the Q3 release's table."""
    text = build_release(2024, 4, restate={"goodwill": GOODWILL_RESTATED})
    sentence = re.compile(r"(Total net revenue was RMB[^\n]*? and RMB)([\d,]+\.\d)( million in the prior quarter)")
    found = sentence.search(text)
    assert found and found.group(2) == "4,370.2"  # the builder states the Q3 table's figure, rounded
    return sentence.sub(r"\g<1>4,390.2\g<3>", text, count=1)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("precedence"))
    wh.raw.mkdir()
    wh.add(release_name(2024, 3), build_release(2024, 3))
    wh.add(release_name(2024, 4), restating_q4())
    assert wh.run() == 0
    return wh


def mart(wh: Warehouse, metric: str, period_type: str, period_end: str) -> tuple:
    rows = wh.sql("""select value, release_id, kind, derived from period_values where metric_id = ? and currency = 'RMB'
                     and period_type = ? and period_end = ?""", [metric, period_type, period_end])
    assert len(rows) == 1, rows
    return rows[0]


def test_later_prose_never_displaces_an_earlier_table_value(history):
    # the Q4 release's narrative states Q3 2024 revenue as 4,390.2 million: a fact, but not the mart's value
    stated = history.sql("""select value from facts where release_id = 'QFIN-2024Q4' and kind = 'narrative'
                            and metric_id = 'total_net_revenue' and currency = 'RMB' and period_end = '2024-09-30'""")
    assert stated == [(Decimal("4390200000"),)]
    assert mart(history, "total_net_revenue", "3M", "2024-09-30") == (Decimal("4370158000"), "QFIN-2024Q3", "table", False)
    assert history.scalar("""select value from mart_quarterly where metric_id = 'total_net_revenue' and currency = 'RMB'
                             and period_end = '2024-09-30'""") == Decimal("4370158000")


def test_prose_agreeing_within_rounding_leaves_the_exact_table_value(history):
    # "RMB1,798.8 million in the prior quarter" (Q4 narrative) vs the Q3 table's 1,798,797 thousand
    assert history.scalar("""select count(*) from facts where release_id = 'QFIN-2024Q4' and kind = 'narrative'
                             and metric_id = 'net_income' and period_end = '2024-09-30' and value = 1798800000""") == 1
    assert mart(history, "net_income", "3M", "2024-09-30") == (Decimal("1798797000"), "QFIN-2024Q3", "table", False)


def test_latest_table_value_stands(history):
    # December 31, 2023: the Q3 release prints 41,210; the later Q4 release restates it
    assert mart(history, "goodwill", "instant", "2023-12-31") == (Decimal("45000000"), "QFIN-2024Q4", "table", False)
    restated = history.sql("""select original_release_id, original_kind, original_value, restated_release_id,
                                     restated_kind, restated_value from v_restatements
                              where metric_id = 'goodwill' and period_end = '2023-12-31' and currency = 'RMB'""")
    assert restated == [("QFIN-2024Q3", "table", Decimal("41210000"), "QFIN-2024Q4", "table", Decimal("45000000"))]


def test_prose_fills_only_periods_no_table_reports(history):
    # no release prints a Q2 2024 column (nor a 6M to derive it from): the Q3 release's "prior quarter" prose fills it
    assert history.scalar("""select count(*) from facts where kind = 'table' and period_end = '2024-06-30'
                             and period_type in ('3M', '6M')""") == 0
    assert mart(history, "total_net_revenue", "3M", "2024-06-30") == (Decimal("4160100000"), "QFIN-2024Q3", "narrative", False)
    # wherever a table reports a period, the marts hold a table value
    displaced = history.scalar("""
        select count(*) from period_values p
        where p.kind <> 'table' and exists (
            select 1 from facts f where f.kind = 'table' and f.metric_id = p.metric_id
            and f.currency is not distinct from p.currency and f.period_type = p.period_type
            and f.period_start is not distinct from p.period_start and f.period_end = p.period_end)""")
    assert displaced == 0


def test_prose_disagreeing_with_a_table_is_listed_with_both_sources(history):
    rows = history.sql("""select original_release_id, original_kind, original_value, original_source_line,
                                 restated_release_id, restated_kind, restated_value, difference
                          from v_restatements where metric_id = 'total_net_revenue' and period_type = '3M'
                          and period_end = '2024-09-30' and currency = 'RMB'""")
    assert len(rows) == 1
    original_release, original_kind, original, line, later_release, later_kind, later, difference = rows[0]
    assert (original_release, original_kind, original) == ("QFIN-2024Q3", "table", Decimal("4370158000"))
    assert (later_release, later_kind, later, difference) == ("QFIN-2024Q4", "narrative", Decimal("4390200000"),
                                                               Decimal("20042000"))
    assert history.scalar("select source_text from facts where release_id = 'QFIN-2024Q3' and source_line = ? "
                          "and metric_id = 'total_net_revenue' and kind = 'table' limit 1", [line]).startswith(
        "Total net revenue\t")
