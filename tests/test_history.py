"""History across releases: period algebra, derived quarters, precedence, restatements, YoY/QoQ over time."""

from __future__ import annotations

import pytest

from tests.conftest import SHIPPED, Warehouse
from tests.release_builder import build_release, release_name

MARTS = ("mart_quarterly", "mart_nine_month", "mart_year_to_date", "v_yoy", "v_qoq", "v_restatements",
         "v_first_reported", "v_underived_quarters")


def q4_release() -> str:
    return build_release(2024, 4)


def load(wh: Warehouse, *releases: tuple[str, str]) -> None:
    for name, text in releases:
        wh.add(name, text)
    assert wh.run() == 0


def snapshot(wh: Warehouse) -> dict[str, list[tuple]]:
    return {m: sorted(map(repr, wh.sql(f"select * from {m}"))) for m in MARTS}


@pytest.fixture(scope="module")
def q3_q4(tmp_path_factory) -> Warehouse:
    """The shipped Q3 2024 release and a consistent Q4 2024 release (full-year columns) in one folder."""
    wh = Warehouse(tmp_path_factory.mktemp("q3q4"))
    wh.raw.mkdir()
    load(wh, (SHIPPED.name, SHIPPED.read_text(encoding="utf-8")), (release_name(2024, 4), q4_release()))
    return wh


def test_q4_release_is_read_with_full_year_columns(q3_q4):
    periods = {r[0] for r in q3_q4.sql("select distinct period_type from facts where release_id = 'QFIN-2024Q4'")}
    assert {"3M", "12M", "instant"} <= periods and "9M" not in periods
    assert q3_q4.sql("select fiscal_quarter, period_end::varchar from releases where release_id = 'QFIN-2024Q4'") == [
        (4, "2024-12-31")]


def test_mart_quarterly_holds_q4_for_every_income_statement_line(q3_q4):
    lines = {r[0] for r in q3_q4.sql("select distinct metric_id from facts where kind = 'table' and unit = 'currency' "
                                      "and statement = 'income_statement' and release_id = 'QFIN-2024Q4'")}
    q4 = {r[0] for r in q3_q4.sql("select metric_id from mart_quarterly where fiscal_year = 2024 "
                                   "and fiscal_quarter = 4 and period_type = '3M' and currency = 'RMB'")}
    assert lines <= q4
    # wherever 12M and 9M are both reported, Q4 = 12M - 9M, and the check of reported vs derived passes
    pairs = q3_q4.sql("""select d.metric_id, d.value, f.value from derived_quarters d
                         join facts f on f.kind = 'table' and f.period_type = '3M' and f.metric_id = d.metric_id
                          and f.currency = d.currency and f.period_end = d.period_end
                         where d.period_end = '2024-12-31' and d.currency = 'RMB'""")
    assert len({p[0] for p in pairs}) >= 30
    for metric, derived, reported in pairs:
        assert derived == pytest.approx(reported, abs=1500), metric


def test_per_share_and_ratios_are_never_derived(q3_q4):
    derived_units = {r[0] for r in q3_q4.sql("select distinct unit from mart_quarterly where derived")}
    assert derived_units <= {"currency"}
    assert q3_q4.scalar("""select count(*) from derived_quarters d join dim_metric m using (metric_id)
                           where not m.additive""") == 0


def test_qoq_gives_q4_vs_q3_for_every_line(q3_q4):
    lines = {r[0] for r in q3_q4.sql("select distinct metric_id from facts where kind = 'table' and "
                                      "statement = 'income_statement' and period_type = '3M' and unit = 'currency' "
                                      "and release_id = 'QFIN-2024Q4'")}
    qoq = {r[0] for r in q3_q4.sql("select metric_id from v_qoq where period_end = '2024-12-31' "
                                    "and prior_period_end = '2024-09-30' and currency = 'RMB'")}
    assert lines <= qoq
    rev = q3_q4.sql("select prior_release_id, prior_value from v_qoq where metric_id = 'total_net_revenue' "
                    "and currency = 'RMB' and period_end = '2024-12-31'")
    assert rev == [("QFIN-2024Q3", 4_370_158_000)]


def test_yoy_covers_3m_9m_12m_and_instants(q3_q4):
    kinds = {r[0] for r in q3_q4.sql("select distinct period_type from v_yoy")}
    assert {"3M", "9M", "12M", "instant"} <= kinds


def test_marts_trace_to_facts(q3_q4):
    untraced = q3_q4.scalar("""select count(*) from mart_quarterly q where not derived and not exists (
        select 1 from facts f where f.release_id = q.release_id and f.source_line = q.source_line
        and f.metric_id = q.metric_id)""")
    assert untraced == 0
    assert q3_q4.scalar("select count(*) from mart_quarterly where derived and derived_from is null") == 0


def test_load_order_does_not_matter(q3_q4, tmp_path):
    q3 = (SHIPPED.name, SHIPPED.read_text(encoding="utf-8"))
    q4 = (release_name(2024, 4), q4_release())
    reverse = Warehouse(tmp_path / "reverse")
    reverse.raw.mkdir(parents=True)
    load(reverse, q4)
    load(reverse, q3)
    assert snapshot(reverse) == snapshot(q3_q4)


def test_restated_figure_is_listed(tmp_path):
    wh = Warehouse(tmp_path)
    wh.raw.mkdir()
    q3_2024 = (SHIPPED.name, SHIPPED.read_text(encoding="utf-8"))
    # next year's Q3 release restates last year's Q3 funding costs in its comparative column
    restated = (release_name(2025, 3), build_release(2025, 3, restate={"funding_costs": 150_000}))
    load(wh, q3_2024, restated)
    rows = wh.sql("""select original_release_id, original_value, restated_release_id, restated_value
                     from v_restatements where metric_id = 'funding_costs' and period_type = '3M'
                     and period_end = '2024-09-30' and currency = 'RMB'""")
    assert ("QFIN-2024Q3", 146_829_000, "QFIN-2025Q3", 150_000_000) in rows
    # the mart uses the most recent release; facts keep both; v_first_reported gives the original
    assert wh.scalar("""select value from mart_quarterly where metric_id = 'funding_costs' and currency = 'RMB'
                        and period_end = '2024-09-30'""") == 150_000_000
    assert wh.scalar("""select value from v_first_reported where metric_id = 'funding_costs' and currency = 'RMB'
                        and period_type = '3M' and period_end = '2024-09-30'""") == 146_829_000
