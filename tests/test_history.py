"""History across releases: period algebra, derived quarters, precedence, restatements, YoY/QoQ over time."""

from __future__ import annotations

import pytest

from qfin_pipeline.extract.periods import quarter_end
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


# --- a history of QFIN releases in every form it published: one run, three names ------------------------

# (year, quarter) -> the form of its release (tests/release_builder_forms.release arguments; edgar: the
# filing agent's exhibit 99.1 instead of the newswire text)
HISTORY = {
    (2019, 3): {"date_line": False},  # 360 Finance, Inc.; PR Newswire dateline, no date line of its own
    (2019, 4): {},  # PR Newswire; full-year columns
    (2020, 1): {"edgar": True, "exhibit": True},  # three-month columns only; the EDGAR exhibit
    (2020, 2): {"wire": "businesswire"},
    (2020, 3): {"date_line": False},  # 360 DigiTech, Inc.; GlobeNewswire
    (2020, 4): {"edgar": True, "wire": "plain"},  # full year, EDGAR, a city-and-date dateline
    (2021, 1): {"notes": "varied"},  # every amounts note in another form; the cash flow statement has none
    (2021, 2): {"wire": "businesswire", "date_line": False},
    (2021, 3): {"unknown_table": True},  # 'Unaudited Supplemental Information'
    (2021, 4): {"millions": True},  # tables in RMB millions
    (2022, 1): {"edgar": True, "wire": "plain", "date_line": False},
    (2022, 2): {"unknown_line": True},  # 'Other receivables, net' inside current assets
    (2022, 3): {},  # the release the issue saw rejected whole
    (2022, 4): {"edgar": True},
    (2023, 1): {"exhibit": True, "wire": "plain"},  # Qifu Technology, Inc.
    (2023, 2): {"notes": "varied"},
}


def _history_files() -> list[tuple[str, str]]:
    from tests import forms
    from tests.release_builder_forms import release, release_file

    files = []
    for (year, quarter), form in HISTORY.items():
        form = dict(form)
        edgar = form.pop("edgar", False)
        text = release(year, quarter, **form)
        files.append((release_file(year, quarter, edgar), forms.to_edgar(text) if edgar else text))
    return files


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Warehouse:
    """Sixteen consecutive quarters, 2019 Q3 to 2023 Q2, loaded in one `qfin run`."""
    wh = Warehouse(tmp_path_factory.mktemp("history"))
    load(wh, *_history_files())
    return wh


def _n(year: int, quarter: int) -> int:
    return 4 * year + quarter - 1


def test_history_loads_in_one_run_under_three_names(history):
    from tests.release_builder_values import published

    assert history.scalar("select count(*) from rejected_files") == 0
    releases = history.sql("select release_id, published_on, source_file from releases order by period_end")
    assert [r[0] for r in releases] == [f"QFIN-{y}Q{q}" for y, q in HISTORY]
    assert [r[1] for r in releases] == [published(_n(y, q)) for y, q in HISTORY]
    assert sum(r[2].endswith(".htm") for r in releases) == 4
    assert history.scalar("select count(*) from check_results where status = 'failed'") == 0
    periods = dict(history.sql("""select release_id, string_agg(distinct period_type, ',' order by period_type)
                                  from facts where kind = 'table' group by release_id"""))
    assert periods["QFIN-2020Q1"] == periods["QFIN-2023Q1"] == "3M,instant"  # a Q1: three-month columns only
    assert periods["QFIN-2019Q4"] == periods["QFIN-2021Q4"] == "12M,3M,instant"  # a Q4: full-year columns
    assert periods["QFIN-2022Q3"] == "3M,9M,instant"
    # the lines that print the company's name, under each of its names, on one metric
    labels = dict(history.sql("""select release_id, label from facts where metric_id = 'total_company_equity'
                                 and kind = 'table' group by all"""))
    assert labels["QFIN-2019Q3"] == "TOTAL 360 FINANCE INC EQUITY"
    assert labels["QFIN-2022Q3"] == "TOTAL 360 DIGITECH INC EQUITY"
    assert labels["QFIN-2023Q1"] == "TOTAL QIFU TECHNOLOGY INC EQUITY"
    for metric in ("total_company_equity", "net_income_attributable", "non_gaap_net_income_attributable",
                   "eps_ads_diluted", "non_gaap_eps_ads_diluted"):
        assert history.scalar(f"select count(distinct release_id) from facts where metric_id = '{metric}' "
                              "and kind = 'table'") == len(HISTORY), metric
    assert history.scalar("""select count(*) from facts where kind = 'table' and metric_id not in
                             (select metric_id from dim_metric)""") == 3 + 12


def test_history_values_are_the_releases_figures(history):
    from tests.release_builder_values import balance, period

    revenue = dict(history.sql("""select period_end::varchar, value from mart_quarterly where metric_id =
                                  'total_net_revenue' and currency = 'RMB' and period_type = '3M'"""))
    for year, quarter in HISTORY:
        end = quarter_end(year, quarter).isoformat()
        assert revenue[end] == period(_n(year, quarter))["total_net_revenue"] * 1000, end
    # the 360 DigiTech Q3 2022 release: its name-carrying lines exact in RMB and USD
    rows = dict(history.sql("""select currency || ' ' || period_end::varchar, value from facts
                               where release_id = 'QFIN-2022Q3' and metric_id = 'total_company_equity'"""))
    assert rows["RMB 2022-09-30"] == balance(_n(2022, 3))["total_company_equity"] * 1000
    assert rows["RMB 2021-12-31"] == balance(_n(2021, 4))["total_company_equity"] * 1000


def test_yoy_and_qoq_across_the_renames(history):
    from tests.release_builder_values import balance, period

    def value(metric: str, n: int) -> int:
        source = balance(n) if metric in ("total_assets", "total_company_equity") else period(n)
        return source[metric] * 1000

    for year, quarter in ((2020, 3), (2023, 1)):  # the first quarters under 360 DigiTech and Qifu Technology
        n, end = _n(year, quarter), quarter_end(year, quarter)
        for metric in ("total_net_revenue", "net_income", "total_assets", "total_company_equity"):
            period_type = "instant" if metric in ("total_assets", "total_company_equity") else "3M"
            for view, back in (("v_yoy", 4), ("v_qoq", 1)):
                rows = history.sql(f"""select value, prior_value, release_id, prior_release_id from {view}
                                       where metric_id = ? and currency = 'RMB' and period_type = ?
                                       and period_end = ?""", [metric, period_type, end])
                assert len(rows) == 1, (view, metric, end)
                assert rows[0][:2] == (value(metric, n), value(metric, n - back)), (view, metric, end)
    # a balance sheet is printed by its own release and the next year's: the priors come from the old name
    prior = dict(history.sql("""select period_end::varchar, prior_release_id from v_yoy
                                where metric_id = 'total_assets' and currency = 'RMB' and period_type = 'instant'"""))
    assert prior["2020-09-30"] == "QFIN-2019Q3" and prior["2023-03-31"] == "QFIN-2022Q1"


def test_unknown_line_and_table_load_and_foot(history):
    from tests.release_builder_forms import supplemental

    line = history.sql("""select period_end::varchar, currency, value from facts
                          where metric_id = 'balance_sheet__other_receivables_net' order by source_column""")
    assert [(e, c) for e, c, _ in line] == [("2021-12-31", "RMB"), ("2022-06-30", "RMB"), ("2022-06-30", "USD")]
    assert line[0][2] == 0
    identities = history.sql("""select status, detail from check_results where release_id = 'QFIN-2022Q2'
                                and check_name = 'identities' and detail like '%other_receivables%'""")
    assert len(identities) == 3 and {s for s, _ in identities} == {"passed"}
    mapped = history.scalar("""select detail from check_results where release_id = 'QFIN-2022Q2'
                               and check_name = 'metric_mapped' and status = 'warning'""")
    assert ('balance_sheet,Current assets:,"Other receivables, net",balance_sheet__other_receivables_net'
            in mapped)
    table = dict(history.sql("""select label || ' ' || period_end::varchar, value from facts
                                where release_id = 'QFIN-2021Q3' and statement = 'other' and currency = 'RMB'"""))
    assert len(table) == 8
    for n, end in ((_n(2021, 3), "2021-09-30"), (_n(2020, 3), "2020-09-30")):
        for label, thousands in supplemental(n).items():
            assert table[f"{label} {end}"] == thousands * 1000
