"""Prose extraction: the shipped release's figures, rephrased and other-quarter releases, and non-figures."""

from __future__ import annotations

import math
import re
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from qfin_pipeline import catalog
from qfin_pipeline.extract import extract_release
from qfin_pipeline.extract.document import read_document
from qfin_pipeline.extract.facts import CURRENCIES, FACT_SCHEMA, KINDS, PERIOD_TYPES, STATEMENTS, UNITS, UNREAD_SCHEMA
from qfin_pipeline.extract.prose import read as read_prose_and_unread
from qfin_pipeline.extract.prose import read_prose as _read_prose
from qfin_pipeline.extract.prose.patterns import Tell, first_words
from qfin_pipeline.extract.prose.periods import RULES
from qfin_pipeline.extract.prose.sentences import sentences
from qfin_pipeline.extract.prose.unread import REASONS
from qfin_pipeline.extract.tables import read_tables
from tests import forms
from tests.release_builder import build_release

SHIPPED = Path(__file__).resolve().parents[1] / "raw" / "qfin-2024q3-earnings-release.txt"
TEXT = SHIPPED.read_text(encoding="utf-8")
Q3, Q3_23, Q2 = date(2024, 9, 30), date(2023, 9, 30), date(2024, 6, 30)
CHANGE_LABELS = {"yoy", "qoq", "share_of_total", "guidance_yoy", "guidance_yoy_low", "guidance_yoy_high"}


def read_prose(doc) -> pl.DataFrame:
    """Prose facts with values as floats: these tests are about binding and periods, so a literal like 0.149
    compares with the exact Decimal('0.149') read (exactness itself: test_pipeline on the warehouse)."""
    return _read_prose(doc).with_columns(pl.col("value").cast(pl.Float64))


def release(text: str):
    return read_document(text.encode("utf-8"), "test-release.txt", "0" * 64)


@pytest.fixture(scope="module")
def doc():
    return read_document(SHIPPED.read_bytes(), SHIPPED.name, "0" * 64)


@pytest.fixture(scope="module")
def facts(doc):
    return read_prose(doc)


def pick(facts: pl.DataFrame, metric: str, **where) -> list[dict]:
    """Rows of a metric; stated changes only when a change label or kind is asked for."""
    rows = facts.filter(pl.col("metric_id") == metric)
    if "kind" not in where and where.get("label") not in CHANGE_LABELS:
        rows = rows.filter(pl.col("kind") != "reported_change")
    for column, value in where.items():
        rows = rows.filter(pl.col(column).is_null() if value is None else pl.col(column) == value)
    return rows.to_dicts()


def one(facts: pl.DataFrame, metric: str, **where) -> dict:
    rows = pick(facts, metric, **where)
    assert len(rows) == 1, (metric, where, rows)
    return rows[0]


def value_at(facts, metric, end, kind=None, currency="RMB", ptype="3M", **where) -> float:
    where = {"period_end": end, "period_type": ptype, "currency": currency, **where}
    return one(facts, metric, **({"kind": kind} if kind else {}), **where)["value"]


def test_frame_follows_the_contract(doc, facts):
    assert _read_prose(doc).schema == pl.Schema(FACT_SCHEMA)  # values exact: DECIMAL(38, 6)
    assert facts["kind"].is_in(KINDS).all() and facts["statement"].is_in(STATEMENTS).all()
    assert facts["period_type"].is_in(PERIOD_TYPES).all() and facts["unit"].is_in(UNITS).all()
    assert facts["currency"].drop_nulls().is_in(CURRENCIES).all()
    assert facts["source_column"].is_null().all() and (facts["release_id"] == "QFIN-2024Q3").all()
    assert facts.filter(pl.col("unit").is_in(["pure", "count", "shares", "months"]))["currency"].is_null().all()
    assert (facts.filter(pl.col("period_type") == "instant")["period_start"].is_null()).all()
    assert facts.filter(pl.col("kind") == "table").is_empty()
    changes = facts.filter(pl.col("kind") == "reported_change")
    assert changes["label"].is_in(list(CHANGE_LABELS)).all() and (changes["unit"] == "pure").all()
    assert set(facts["metric_id"]) <= set(catalog.metric_rows())
    assert facts.group_by("kind").len().sort("kind").rows() == [
        ("capital_return", 7), ("highlight", 42), ("narrative", 139), ("outlook", 4), ("reference", 1),
        ("reported_change", 19)]


def test_every_printed_number_stands_in_its_source_line(facts):
    for f in facts.iter_rows(named=True):
        value, decimals = abs(f["value"]), f["decimals"]
        if f["unit"] == "pure" and f["metric_id"] != "fx_rmb_per_usd":
            value, decimals = value * 100, decimals - 2
        printed = set()
        for power in (0, 3, 6, 9):  # as printed with thousands / million / billion
            places = decimals + power
            if places >= 0:
                shown = value / 10**power
                printed |= {f"{shown:,.{places}f}", f"{shown:.{places}f}"}
        assert any(p in f["source_text"] for p in printed), (f["metric_id"], f["value"], f["source_text"][:80])


@pytest.mark.parametrize("form", ["html", "nbsp", "markers", "title_case", "crlf"])
def test_every_form_of_the_release_states_the_same_figures(facts, form):
    render = {"html": forms.to_html, "nbsp": forms.nbsp, "markers": lambda t: forms.markers(t, "¹"),
              "title_case": forms.title_case, "crlf": forms.crlf}[form]
    name = "release.html" if form == "html" else "release.txt"
    other = read_prose(read_document(render(TEXT).encode(), name, "0"))
    columns = ["kind", "metric_id", "label", "period_type", "period_start", "period_end", "currency", "value",
               "decimals"]
    assert other.select(columns).sort(columns).equals(facts.select(columns).sort(columns))
    test_every_printed_number_stands_in_its_source_line(other)


def test_sentences_split_after_a_period_but_not_after_an_abbreviation():
    assert sentences("Operating margin was 52.4%. Non-GAAP operating margin was 53.0%.") == [
        "Operating margin was 52.4%. ", "Non-GAAP operating margin was 53.0%."]
    assert sentences("Mr. Alex Xu of Qifu Technology, Inc. (NASDAQ: QFIN) spoke at 7:30 PM U.S. Eastern Time.") == [
        "Mr. Alex Xu of Qifu Technology, Inc. (NASDAQ: QFIN) spoke at 7:30 PM U.S. Eastern Time."]
    assert len(sentences("“We are pleased. Total net revenue was RMB4.37 billion,” Mr. Xu said. “Next.”")) == 3


def test_business_highlights(facts):
    assert one(facts, "registered_users", period_end=Q3)["value"] == 254_300_000
    a_year_ago = one(facts, "registered_users", period_end=Q3_23)
    assert (a_year_ago["value"], a_year_ago["period_type"], a_year_ago["decimals"]) == (227_900_000, "instant", -5)
    assert one(facts, "financial_institution_partners")["value"] == 162
    assert one(facts, "users_with_approved_credit_lines", period_end=Q3)["value"] == 55_200_000
    assert one(facts, "cumulative_borrowers", period_end=Q3_23)["value"] == 29_400_000
    loans = one(facts, "loans_originated")
    assert (loans["value"], loans["period_type"], loans["period_start"], loans["unit"]) == (
        23_042_303, "3M", date(2024, 7, 1), "count")
    assert one(facts, "loans_originated_vpocket")["value"] == 3_298_567
    assert one(facts, "loans_originated_other_products")["value"] == 19_743_736
    volume = "loan_volume_ongoing"
    assert value_at(facts, volume, Q3, "highlight") == 82_436_000_000
    assert one(facts, volume, period_end=Q3_23)["period_start"] == date(2023, 7, 1)
    assert value_at(facts, volume, Q3_23) == 96_923_000_000 and value_at(facts, volume, Q2) == 72_864_000_000
    assert value_at(facts, "capital_light_loan_volume_ongoing", Q2) == 39_344_000_000
    assert value_at(facts, "discontinued_loan_volume", Q3_23) == 26_226_000_000
    assert value_at(facts, "loan_balance_ongoing", Q2, ptype="instant") == 123_551_000_000
    assert value_at(facts, "capital_light_loan_balance_ongoing", Q3, ptype="instant") == 74_078_000_000
    assert value_at(facts, "discontinued_loan_balance", Q3_23, ptype="instant") == 41_863_000_000
    assert value_at(facts, "ice_loan_volume", Q3) == 29_635_000_000
    assert value_at(facts, "tts_loan_volume", Q3) == 761_000_000
    assert value_at(facts, "ice_loan_balance", Q3, ptype="instant") == 42_898_000_000
    assert value_at(facts, "tts_loan_balance", Q3, ptype="instant") == 1_544_000_000
    tenor = {f["period_end"]: f["value"] for f in pick(facts, "avg_contract_tenor")}
    assert tenor == {Q3: 10.12, Q3_23: 11.23} and one(facts, "avg_contract_tenor", period_end=Q3)["unit"] == "months"
    dpd = one(facts, "delinquency_rate_90dpd")
    assert (dpd["value"], dpd["unit"], dpd["decimals"], dpd["period_type"], dpd["currency"]) == (
        0.0272, "pure", 4, "instant", None)
    assert one(facts, "repeat_borrower_contribution")["value"] == pytest.approx(0.938)


def test_management_quotes_are_highlights(facts):
    revenue = one(facts, "total_net_revenue", kind="highlight")
    assert (revenue["value"], revenue["decimals"], revenue["statement"]) == (4_370_000_000, -7, "operating")
    assert one(facts, "non_gaap_net_income", kind="highlight")["value"] == 1_830_000_000
    assert one(facts, "day1_delinquency_rate")["value"] == pytest.approx(0.046)
    assert one(facts, "collection_rate_30day")["value"] == pytest.approx(0.874)
    cash = one(facts, "total_cash")
    assert (cash["value"], cash["period_type"], cash["period_end"]) == (9_770_000_000, "instant", Q3)
    operations = one(facts, "net_cash_operating", kind="highlight")
    assert (operations["value"], operations["period_type"]) == (2_370_000_000, "3M")
    share = one(facts, "capital_light_loan_volume_ongoing", label="share_of_total", decimals=2)
    assert share["value"] == pytest.approx(0.55)  # 'accounted for nearly 55% of total volume'


def test_financial_results(facts):
    narrative = facts.filter(pl.col("kind") == "narrative")
    funding = {(f["period_end"], f["currency"]): (f["value"], f["decimals"]) for f in pick(narrative, "funding_costs")}
    assert funding == {(Q3, "RMB"): (146_800_000, -5), (Q3, "USD"): (20_900_000, -5),
                       (Q3_23, "RMB"): (160_200_000, -5), (Q2, "RMB"): (161_300_000, -5)}
    assert value_at(narrative, "credit_driven_services", Q3) == 2_901_000_000
    assert value_at(narrative, "platform_services", Q2) == 1_247_900_000
    assert value_at(narrative, "credit_other_services_fees", Q3) == 103_700_000
    assert value_at(narrative, "platform_other_services_fees", Q3) == 131_400_000
    assert value_at(narrative, "provision_contingent_liabilities", Q2) == -213_300_000
    assert value_at(narrative, "net_income_attributable", Q3, currency="USD") == 256_900_000
    assert value_at(narrative, "non_gaap_net_income_attributable", Q2) == 1_417_400_000
    eps = one(narrative, "eps_ads_diluted", period_end=Q3, currency="RMB", source_line=58)
    assert (eps["value"], eps["decimals"], eps["unit"]) == (12.18, 2, "per_share")
    assert value_at(narrative, "eps_ads_diluted", Q3_23) == 6.94
    assert value_at(narrative, "eps_ads_diluted", Q3, currency="USD", source_line=137) == 1.74
    margin = one(narrative, "operating_margin", source_line=54)
    assert (margin["value"], margin["decimals"], margin["unit"]) == (0.524, 3, "pure")
    assert one(narrative, "non_gaap_net_income_margin", source_line=57)["value"] == pytest.approx(0.418)
    basic = one(narrative, "weighted_avg_ads_basic")
    assert (basic["value"], basic["decimals"], basic["unit"]) == (145_300_000, -4, "shares")
    assert one(narrative, "weighted_avg_ads_diluted")["value"] == 148_100_000


def test_reported_changes(facts):
    changes = facts.filter(pl.col("kind") == "reported_change")
    yoy = one(changes, "loan_volume_ongoing", label="yoy")
    assert (yoy["value"], yoy["decimals"], yoy["period_end"], yoy["period_type"]) == (-0.149, 3, Q3, "3M")
    assert one(changes, "loan_volume_ongoing", label="qoq")["value"] == pytest.approx(0.131)
    assert one(changes, "capital_light_loan_volume_ongoing", label="share_of_total", decimals=3)["value"] == 0.551
    assert one(changes, "loan_balance_ongoing", label="qoq")["period_type"] == "instant"
    assert one(changes, "registered_users", label="yoy")["value"] == pytest.approx(0.116)
    low, high = (one(changes, "non_gaap_net_income", label=f"guidance_yoy_{e}") for e in ("low", "high"))
    assert (low["value"], high["value"], low["period_end"]) == (0.57, 0.65, date(2024, 12, 31))
    assert low["statement"] == high["statement"] == "outlook"


def test_outlook(facts):
    outlook = facts.filter(pl.col("kind") == "outlook")
    guided = {(f["metric_id"], f["label"]): f["value"] for f in outlook.iter_rows(named=True)}
    assert guided == {("net_income", "Net income guidance low"): 1_750_000_000,
                      ("net_income", "Net income guidance high"): 1_850_000_000,
                      ("non_gaap_net_income", "Non-GAAP net income guidance low"): 1_800_000_000,
                      ("non_gaap_net_income", "Non-GAAP net income guidance high"): 1_900_000_000}
    assert set(outlook["period_start"]) == {date(2024, 10, 1)} and set(outlook["period_end"]) == {date(2024, 12, 31)}


def test_capital_return_and_reference(facts):
    plans = {(f["period_start"], f["period_end"], f["period_type"]): f["value"]
             for f in pick(facts, "share_repurchase_plan_amount", currency="USD")}
    assert plans == {(date(2024, 4, 1), date(2025, 3, 31), "12M"): 350_000_000,
                     (date(2025, 1, 1), date(2025, 12, 31), "12M"): 450_000_000}
    bought = one(facts, "share_repurchase_ads_purchased")
    assert (bought["value"], bought["unit"], bought["period_end"], bought["kind"]) == (
        13_700_000, "shares", date(2024, 11, 19), "capital_return")
    assert one(facts, "share_repurchase_amount_paid")["value"] == 298_000_000
    price = one(facts, "share_repurchase_avg_price")
    assert (price["value"], price["unit"], price["currency"]) == (21.7, "per_share", "USD")
    fx = one(facts, "fx_rmb_per_usd")
    assert (fx["value"], fx["unit"], fx["currency"], fx["period_end"], fx["decimals"], fx["kind"]) == (
        7.0176, "pure", None, Q3, 4, "reference")


def test_narrative_agrees_with_tables(doc, facts):
    table = read_tables(doc).with_columns(pl.col("value").cast(pl.Float64))
    cells = {(r["metric_id"], r["period_type"], r["period_end"], r["currency"]): r
             for r in table.iter_rows(named=True)}
    checked = 0
    for f in facts.filter(pl.col("kind").is_in(["narrative", "highlight"])).iter_rows(named=True):
        if f["period_end"] not in (Q3, Q3_23) or f["metric_id"] not in set(table["metric_id"]):
            continue
        cell = cells.get((f["metric_id"], f["period_type"], f["period_end"], f["currency"]))
        assert cell is not None or f["kind"] == "highlight", f
        if cell is None:
            continue
        tolerance = 0.5 * 10 ** -f["decimals"] + 0.5 * 10 ** -cell["decimals"]
        assert abs(f["value"] - cell["value"]) <= tolerance * (1 + 1e-9), (f, cell["value"])
        checked += 1
    assert checked >= 90
    narrative_ids = set(facts.filter(pl.col("kind") == "narrative")["metric_id"])
    assert narrative_ids <= set(table["metric_id"]) | set(catalog.metric_rows())
    components = ("cash_and_cash_equivalents", "restricted_cash", "security_deposit_prepaid", "short_term_investments")
    total = sum(cells[(m, "instant", Q3, "RMB")]["value"] for m in components)  # footnote 12's definition
    assert math.isclose(one(facts, "total_cash")["value"], total, abs_tol=0.5e7)


def test_no_figures_from_non_figures(facts):
    never = [1995.0, 2024.0, 2023.0, 90.0, 30.0, 180.0, 360.0, 3660.0, 7.3, 1.0, 12.0, 8.3, 10.0]
    assert facts.filter(pl.col("value").is_in(never)).is_empty()
    assert facts["source_line"].max() <= 197 and 171 not in set(facts["source_line"])  # conference call
    assert not set(facts["source_line"]) & {5, 11, 25, 27, 31, 37, 39, 41, 45, 47, 149, 173}


NOT_FIGURES = [
    "Management will host a call at 7:30 PM U.S. Eastern Time on November 19, 2024; dial +1-888-346-8982 or "
    "+86 400 120 2840, or visit https://ir.qifu.tech/2024 for details.",
    "The 90 day+ delinquency rate, the Day-1 delinquency rate and the 30-day collection rate improved in 2024 "
    "and over the past 3 years.",
    "Qifu Jietiao, previously known as 360 Jietiao, and Fuzhou Microcredit serve 2 million users in 31 provinces.",
    "12 Including loans of the 2023 vintage and loans more than 180 days past due.",
    "Statements are made under the Private Securities Litigation Reform Act of 1995, Section 21E and Rule 10b5-1.",
    "In the third quarter, 12 financial institutions joined (NASDAQ: QFIN; HKEx: 3660), see the H.10 release.",
]


def with_paragraphs(heading: str, paragraphs: list[str], text: str = TEXT) -> tuple[pl.DataFrame, list[int]]:
    assert heading + "\n" in text
    text = text.replace(heading + "\n", heading + "\n\n" + "\n\n".join(paragraphs) + "\n", 1)
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line in paragraphs]
    facts = read_prose(release(text))
    return facts.filter(pl.col("source_line").is_in(lines)), lines


def test_sentences_that_state_no_figure():
    for heading in ("Third Quarter 2024 Business Highlights", "Third Quarter 2024 Financial Results"):
        found, lines = with_paragraphs(heading, NOT_FIGURES)
        assert len(lines) == len(NOT_FIGURES) and found.is_empty(), found.to_dicts()


def test_rephrased_results():
    found, _ = with_paragraphs("Third Quarter 2024 Financial Results", [
        "Funding costs were RMB146.8 million (US$20.9 million), compared with RMB160.2 million in the same "
        "period of 2023 and RMB161.3 million in the prior quarter.",
        "Total net revenue increased by 2.1% year-over-year to RMB4,370.2 million.",
        "Net income was approximately RMB 1.80 billion, a decrease of 5.0% from RMB1,894.7 million in the prior "
        "quarter.",
        "Sales and marketing expenses decreased by 20.7% year-over-year to RMB419.9 million.",
        "Income from operations grew 64.8% to RMB2,289.2 million from RMB1,388.9 million in the same period last year.",
        "Operating margin was 52.4%, compared to 32.4% in the same period of 2023.",
    ])
    changes = found.filter(pl.col("kind") == "reported_change")
    assert {(f["metric_id"], f["label"], f["value"]) for f in changes.iter_rows(named=True)} == {
        ("total_net_revenue", "yoy", 0.021), ("net_income", "qoq", -0.05), ("sales_and_marketing", "yoy", -0.207),
        ("income_from_operations", "yoy", 0.648)}
    assert set(changes["period_end"]) == {Q3}
    assert value_at(found, "funding_costs", Q2) == 161_300_000
    assert value_at(found, "funding_costs", Q3, currency="USD") == 20_900_000
    income = one(found, "net_income", period_end=Q3)
    assert (income["value"], income["decimals"]) == (1_800_000_000, -7)
    assert value_at(found, "income_from_operations", Q3_23) == 1_388_900_000
    assert value_at(found, "operating_margin", Q3_23, currency=None) == pytest.approx(0.324)


def test_rephrased_highlights():
    found, _ = with_paragraphs("Third Quarter 2024 Business Highlights", [
        "- Total facilitation and origination loan volume of ongoing services was RMB82,436 million, compared "
        "with RMB96,923 million in the same period of 2023, representing a decrease of 14.9%.",
        "- Out of those loans, RMB45,396 million was under capital-light model, \"ICE\" and total technology "
        "solutions, representing 55.1% of the total.",
        "- As of September 30, 2024, the 90 day+ delinquency rate was 2.72%, compared with 2.84% as of June 30, 2024.",
        "- Cumulative registered users reached 254.3 million as of September 30, 2024, an increase of 11.6% "
        "year-over-year.",
    ])
    assert one(found, "loan_volume_ongoing", label="yoy")["value"] == -0.149
    assert one(found, "capital_light_loan_volume_ongoing", label="share_of_total")["value"] == 0.551
    assert value_at(found, "delinquency_rate_90dpd", Q2, currency=None, ptype="instant") == 0.0284
    assert one(found, "registered_users", label="yoy")["period_type"] == "instant"


def test_outlook_and_capital_return_grammar():
    found, _ = with_paragraphs("Business Outlook", [
        "For the full year of 2025, the Company expects to generate a net income between RMB7.0 billion and "
        "RMB7.5 billion, representing a year-over-year growth of 10% to 15%.",
        "For the fourth quarter of 2024, the Company expects total net revenue to be approximately RMB4.5 billion.",
    ])
    guided = {(f["metric_id"], f["label"], f["period_type"], f["period_end"]): f["value"]
              for f in found.iter_rows(named=True)}
    end = date(2025, 12, 31)
    assert guided == {
        ("net_income", "Net income guidance low", "12M", end): 7_000_000_000,
        ("net_income", "Net income guidance high", "12M", end): 7_500_000_000,
        ("net_income", "guidance_yoy_low", "12M", end): 0.10, ("net_income", "guidance_yoy_high", "12M", end): 0.15,
        ("total_net_revenue", "Total net revenue guidance", "3M", date(2024, 12, 31)): 4_500_000_000}
    found, _ = with_paragraphs("Update on Share Repurchase Plan of 2024", [
        "In accordance with the dividend policy, the board of directors approved a dividend of US$0.30 per Class A "
        "ordinary share, or US$0.60 per ADS, for the first half of 2024, payable on or around October 16, 2024 "
        "to shareholders of record as of September 27, 2024.",
        "The board declared a cash dividend of US$0.38 per ordinary share, or US$0.76 per ADS, for the second half "
        "of 2024.",
    ])
    dividends = {(f["metric_id"], f["period_start"], f["period_end"]): f["value"] for f in found.iter_rows(named=True)}
    assert dividends == {
        ("dividend_per_share", date(2024, 1, 1), date(2024, 6, 30)): 0.30,
        ("dividend_per_ads", date(2024, 1, 1), date(2024, 6, 30)): 0.60,
        ("dividend_per_share", date(2024, 7, 1), date(2024, 12, 31)): 0.38,
        ("dividend_per_ads", date(2024, 7, 1), date(2024, 12, 31)): 0.76}
    assert set(found["kind"]) == {"capital_return"} and set(found["currency"]) == {"USD"}


def retitled(pairs: list[tuple[str, str]]) -> str:
    text = TEXT
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_a_first_quarter_release_reads_its_own_periods():
    text = retitled([
        ("Third Quarter 2024", "First Quarter 2025"), ("third quarter ended September 30, 2024",
                                                        "first quarter ended March 31, 2025"),
        ("November 19, 2024", "May 20, 2025"), ("Nov. 19, 2024", "May 20, 2025"),
        ("September 30, 2024", "March 31, 2025"), ("September 30, 2023", "March 31, 2024"),
        ("June 30, 2024", "December 31, 2024"), ("same period of 2023", "same period of 2024"),
        ("third quarter of 2024", "first quarter of 2025"), ("fourth quarter of 2024", "second quarter of 2025")])
    facts = read_prose(release(text))
    assert set(facts["release_id"]) == {"QFIN-2025Q1"}
    funding = {(f["period_start"], f["period_end"]) for f in pick(facts, "funding_costs", currency="RMB")}
    assert funding == {(date(2025, 1, 1), date(2025, 3, 31)), (date(2024, 1, 1), date(2024, 3, 31)),
                       (date(2024, 10, 1), date(2024, 12, 31))}  # 'prior quarter' = Q4 2024
    assert one(facts, "delinquency_rate_90dpd")["period_end"] == date(2025, 3, 31)
    assert value_at(facts, "loan_balance_ongoing", date(2024, 12, 31), ptype="instant") == 123_551_000_000
    assert set(facts.filter(pl.col("kind") == "outlook")["period_end"]) == {date(2025, 6, 30)}
    assert one(facts, "share_repurchase_ads_purchased")["period_end"] == date(2025, 5, 20)


def test_a_fourth_quarter_and_full_year_release():
    text = retitled([
        ("Third Quarter 2024 Unaudited", "Fourth Quarter and Full Year 2024 Unaudited"),
        ("Third Quarter 2024", "Fourth Quarter 2024"), ("third quarter ended September 30, 2024",
                                                         "fourth quarter ended December 31, 2024"),
        ("November 19, 2024", "March 16, 2025"), ("Nov. 19, 2024", "March 16, 2025"),
        ("September 30, 2024", "December 31, 2024"), ("September 30, 2023", "December 31, 2023"),
        ("June 30, 2024", "September 30, 2024"), ("third quarter of 2024", "fourth quarter of 2024"),
        ("for the fourth quarter of 2024, the Company", "for the first quarter of 2025, the Company")])
    full_year = ("Full Year 2024 Financial Results", [
        "Total net revenue was RMB17,165.7 million (US$2,351.7 million), compared to RMB16,290.0 million in 2023.",
        "Net income was RMB6,248.1 million, an increase of 46.4% from RMB4,268.6 million in 2023."])
    section = f"{full_year[0]}\n\n" + "\n\n".join(full_year[1]) + "\n\n"
    text = text.replace("Business Outlook\n", section + "Business Outlook\n")
    facts = read_prose(release(text))
    year, last_year = date(2024, 12, 31), date(2023, 12, 31)
    assert value_at(facts, "total_net_revenue", year, "narrative", ptype="12M") == 17_165_700_000
    assert value_at(facts, "total_net_revenue", year, "narrative", currency="USD", ptype="12M") == 2_351_700_000
    assert value_at(facts, "total_net_revenue", last_year, ptype="12M") == 16_290_000_000
    assert one(facts, "net_income", label="yoy", period_type="12M")["value"] == pytest.approx(0.464)
    assert value_at(facts, "funding_costs", year, "narrative") == 146_800_000  # the quarter's section stays 3M
    assert value_at(facts, "funding_costs", date(2024, 9, 30), "narrative") == 161_300_000
    assert set(facts.filter(pl.col("kind") == "outlook")["period_end"]) == {date(2025, 3, 31)}


def test_prose_pass_is_fast(doc):
    read_prose(doc)
    runs = []
    for _ in range(5):
        start = time.process_time()
        read_prose(doc)
        runs.append(time.process_time() - start)
    assert min(runs) < 0.25, runs  # a few ms on an idle machine; the bound only catches pathologies


def test_a_guided_decrease_range_keeps_low_below_high():
    import hashlib

    from qfin_pipeline.extract.document import read_document
    from tests.conftest import SHIPPED

    text = SHIPPED.read_text(encoding="utf-8").replace(
        "representing a year-on-year growth between 57% and 65%",
        "representing a year-on-year decrease between 27% and 31%")
    data = text.encode()
    facts = read_prose(read_document(data, "decrease.txt", hashlib.sha256(data).hexdigest()))
    guided = dict(facts.filter(facts["label"].str.starts_with("guidance_yoy")).select("label", "value").iter_rows())
    assert guided == {"guidance_yoy_low": pytest.approx(-0.31), "guidance_yoy_high": pytest.approx(-0.27)}


# --- nothing is read silently: every number of the prose is a fact or an unread row ----------------------

DIGITS = re.compile(r"[0-9]+(?:[.,:][0-9]+)*")  # a printed number: '4,370.2', '2.72', '7:30', '2024'
FIGURE_REASONS = ["no pattern", "no metric", "no period"]


def numbers_accounted(text: str, name: str) -> tuple[object, object, dict[int, tuple[int, int]]]:
    """(doc, extraction, {line: (numbers printed, numbers read)}) for every prose line of a release. A fact
    is one printed number; an unread row holds as many as its printed text (a date holds two: 'Nov. 19, 2024')."""
    data = text.encode("utf-8")
    doc = read_document(data, name, "0" * 64)
    extraction = extract_release(doc)
    facts = dict(extraction.facts.filter(pl.col("kind") != "table").group_by("source_line").len().iter_rows())
    unread: dict[int, int] = {}
    for line, printed in extraction.unread.select("source_line", "printed").iter_rows():
        unread[line] = unread.get(line, 0) + len(DIGITS.findall(printed))
    counts = {line.number: (len(DIGITS.findall(line.text)), facts.get(line.number, 0) + unread.get(line.number, 0))
              for line in doc.lines if line.text and "\t" not in line.text}
    return doc, extraction, counts


@pytest.fixture(scope="module")
def shipped_accounting():
    return numbers_accounted(TEXT, "release.txt")


def test_unread_frame_follows_the_contract(shipped_accounting):
    doc, extraction, _ = shipped_accounting
    unread = extraction.unread
    assert unread.schema == pl.Schema(UNREAD_SCHEMA) and (unread["release_id"] == "QFIN-2024Q3").all()
    assert set(unread["reason"]) <= set(REASONS)
    assert read_prose_and_unread(doc)[1].equals(unread)  # extract_release hands on the prose reader's rows
    text = {line.number: line.text for line in doc.lines}
    for row in unread.iter_rows(named=True):  # printed as it stands, in its sentence, in its line
        assert row["printed"] in row["sentence"] and row["sentence"] in text[row["source_line"]], row
        assert DIGITS.search(row["printed"]), row


def test_every_number_of_the_shipped_prose_is_a_fact_or_unread(shipped_accounting):
    doc, extraction, counts = shipped_accounting
    assert {line: c for line, c in counts.items() if c[0] != c[1]} == {}
    assert sum(printed for printed, _ in counts.values()) == 394
    assert extraction.facts.filter(pl.col("kind") != "table").height == 212
    # the conference call, safe harbor and contact sections are accounted for too
    assert counts[173] == (6, 6) and counts[201] == (2, 2) and counts[206] == (1, 1)


def test_the_shipped_release_leaves_no_figure_without_a_reading(shipped_accounting):
    unread = shipped_accounting[1].unread
    # no financial or operating figure is left as 'no pattern' (nor unbound: 'no metric' / 'no period')
    assert unread.filter(pl.col("reason").is_in(FIGURE_REASONS)).is_empty()
    assert dict(unread.group_by("reason").len().iter_rows()) == {
        "year": 57, "date": 26, "duration": 16, "footnote marker": 16, "url": 4, "name": 3, "repeated": 3,
        "ordinal": 2, "time": 2, "stock code": 1, "unit": 1}
    def rows(reason):
        return set(unread.filter(pl.col("reason") == reason).select("source_line", "printed").iter_rows())
    # the title, a heading and a quote restate the repurchase plans read as facts on lines 157 and 163
    assert rows("repeated") == {(5, "US$450 Million"), (69, "US$350 million"), (161, "US$450 Million")}
    assert rows("name") == {(33, "360 Jietiao"), (197, "H.10"), (201, "360 Group")}
    assert rows("time") == {(173, "7:30 PM"), (173, "8:30 AM")} and rows("stock code") == {(9, "HKEx: 3660")}
    assert rows("unit") == {(197, "US$1.00")} and rows("ordinal") == {(71, "Day-1"), (75, "Day-1")}
    assert {(45, "91 to 180 calendar days"), (147, "30 Day+"), (163, "12 months"), (179, "10 minutes"),
            (157, "12-month")} <= rows("duration")
    assert rows("footnote marker") >= {(25, "1"), (61, "11"), (169, "16")}


@pytest.mark.parametrize(("year", "quarter"), [(2025, 1), (2026, 2), (2021, 4)])
def test_every_number_of_a_built_release_is_a_fact_or_unread(year, quarter):
    _, extraction, counts = numbers_accounted(build_release(year, quarter), "release.txt")
    assert {line: c for line, c in counts.items() if c[0] != c[1]} == {}
    assert sum(printed for printed, _ in counts.values()) > 350
    assert extraction.unread.filter(pl.col("reason").is_in(FIGURE_REASONS)).is_empty()
    assert set(extraction.unread["release_id"]) == {f"QFIN-{year}Q{quarter}"}


def test_every_number_of_the_html_page_is_a_fact_or_unread():
    _, extraction, counts = numbers_accounted(forms.to_html(build_release(2025, 1)), "release.html")
    assert {line: c for line, c in counts.items() if c[0] != c[1]} == {}
    assert extraction.unread.filter(pl.col("reason").is_in(FIGURE_REASONS)).is_empty()


def unread_in(heading: str, paragraphs: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Facts and unread rows of the paragraphs, placed under the heading of the shipped release."""
    assert heading + "\n" in TEXT
    text = TEXT.replace(heading + "\n", heading + "\n\n" + "\n\n".join(paragraphs) + "\n", 1)
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line in paragraphs]
    facts, unread = read_prose_and_unread(release(text))
    mine = pl.col("source_line").is_in(lines)
    return facts.filter(mine), unread.filter(mine)


def test_numbers_that_are_not_figures_are_unread_with_their_reason():
    facts, unread = unread_in("Third Quarter 2024 Financial Results", NOT_FIGURES)
    assert facts.is_empty()
    assert set(unread.select("printed", "reason").iter_rows()) == {
        ("November 19, 2024", "date"), ("7:30 PM", "time"), ("+1-888-346-8982", "phone number"),
        ("+86 400 120 2840", "phone number"), ("https://ir.qifu.tech/2024", "url"), ("90 day+", "duration"),
        ("Day-1", "ordinal"), ("30-day", "duration"), ("2024", "year"), ("3 years", "duration"),
        ("2 million", "no metric"), ("31", "no metric"), ("360 Jietiao", "name"), ("12", "footnote marker"),
        ("2023", "year"), ("180 days", "duration"), ("1995", "year"), ("Section 21E", "stock code"),
        ("Rule 10b5-1", "stock code"), ("12", "no metric"), ("HKEx: 3660", "stock code"), ("H.10", "name")}


def test_figures_without_a_reading_say_why():
    facts, unread = unread_in("Third Quarter 2024 Business Highlights", [
        "- Revenue from a new product line was RMB12.3 million.",  # no catalog phrase names it
        "- The board approved a US$123 million share repurchase program.",  # a plan without its window
    ])
    assert facts.is_empty()
    assert set(unread.select("printed", "reason").iter_rows()) == {
        ("RMB12.3 million", "no metric"), ("US$123 million", "no period")}
    facts, unread = unread_in("Conference Call Preregistration", [  # a section no facts are read from
        "Participants hold assets of RMB5.5 billion.", "The plan of US$450 million is described above."])
    assert facts.is_empty()
    assert set(unread.select("printed", "reason").iter_rows()) == {
        ("RMB5.5 billion", "no pattern"), ("US$450 million", "repeated")}


OLDER_WORDINGS = [  # how 360 Finance (2019-2020) and 360 DigiTech (2020-2023) releases worded the same lines
    "- Loan origination volume was RMB51,234 million, an increase of 85% from RMB27,700 million in the same "
    "period of 2023, and an increase of 12% from RMB45,745 million in the prior quarter.",
    "- Outstanding loan balance was RMB70,100 million as of September 30, 2024, an increase of 40.2% from "
    "RMB50,000 million as of September 30, 2023.",
    "- The weighted average tenor of loans originated was approximately 7.81 months, compared with 8.12 months "
    "in the same period of 2023.",
    "- 90 day+ delinquency ratio was 1.21% as of September 30, 2024.",
    "- Total outstanding balance of the loans originated by financial institutional partners through our "
    "platform was RMB117,800 million as of June 30, 2024.",
    "- Out of those loans originated by financial institutions, RMB49,100 million was under capital-light model "
    "and other technology solutions, representing 56.3% of the total.",
    "- RMB58,190 million of such loan balance was under capital-light model and other technology solutions.",
    "- Loan facilitation volume under capital-light model within Platform Services was RMB21,900 million.",
    "- Total loan facilitation and origination volume reached RMB69,100 million.",
    "- The percentage of funding from financial institutions in the third quarter was 97%.",
]
OLDER_RESULTS = [
    "Net income attributed to 360 DigiTech was RMB992.8 million (US$139.6 million), compared to RMB1,564.1 "
    "million in the same period of 2023 and RMB979.8 million in the prior quarter.",
    "Net income attributable to ordinary shareholders of 360 Finance, Inc. was RMB876.5 million.",
    "Non-GAAP net income attributed to 360 DigiTech was RMB1,042.4 million (US$146.5 million).",
    "360 FINANCE, INC. and 360 DigiTech, Inc. are its former names; 360 Group holds its shares.",
]


def test_older_releases_name_the_same_metrics():
    facts, unread = unread_in("Third Quarter 2024 Business Highlights", OLDER_WORDINGS)
    facts = facts.with_columns(pl.col("value").cast(pl.Float64))
    values = facts.filter(pl.col("kind") == "highlight")
    assert set(values.select("metric_id", "period_type", "period_end", "value").iter_rows()) == {
        ("loan_volume", "3M", Q3, 51_234_000_000), ("loan_volume", "3M", Q3_23, 27_700_000_000),
        ("loan_volume", "3M", Q2, 45_745_000_000), ("loan_balance", "instant", Q3, 70_100_000_000),
        ("loan_balance", "instant", Q3_23, 50_000_000_000), ("avg_contract_tenor", "3M", Q3, 7.81),
        ("avg_contract_tenor", "3M", Q3_23, 8.12), ("delinquency_rate_90dpd", "instant", Q3, 0.0121),
        ("loan_balance", "instant", Q2, 117_800_000_000), ("capital_light_loan_volume", "3M", Q3, 49_100_000_000),
        ("capital_light_loan_balance", "instant", Q3, 58_190_000_000),
        ("capital_light_loan_volume", "3M", Q3, 21_900_000_000), ("loan_volume", "3M", Q3, 69_100_000_000)}
    assert one(facts, "loan_volume", label="qoq")["value"] == pytest.approx(0.12)
    assert one(facts, "capital_light_loan_volume", label="share_of_total")["value"] == pytest.approx(0.563)
    assert set(unread.filter(pl.col("reason").is_in(FIGURE_REASONS)).select("printed", "reason").iter_rows()) == {
        ("97%", "no metric")}  # catalog/metrics.csv has no metric for the share of funding from institutions
    facts, unread = unread_in("Third Quarter 2024 Financial Results", OLDER_RESULTS)
    facts = facts.with_columns(pl.col("value").cast(pl.Float64))  # literals compare with the exact values read
    assert set(facts.select("metric_id", "period_end", "currency", "value").iter_rows()) == {
        ("net_income_attributable", Q3, "RMB", 992_800_000), ("net_income_attributable", Q3, "USD", 139_600_000),
        ("net_income_attributable", Q3_23, "RMB", 1_564_100_000), ("net_income_attributable", Q2, "RMB", 979_800_000),
        ("net_income_attributable", Q3, "RMB", 876_500_000),
        ("non_gaap_net_income_attributable", Q3, "RMB", 1_042_400_000),
        ("non_gaap_net_income_attributable", Q3, "USD", 146_500_000)}
    assert 360.0 not in set(facts["value"])  # a company name never is a figure
    assert {(p, r) for p, r in unread.select("printed", "reason").iter_rows() if "360" in p} == {
        ("360 DigiTech", "name"), ("360 Finance, Inc.", "name"), ("360 FINANCE, INC.", "name"),
        ("360 DigiTech, Inc.", "name"), ("360 Group", "name")}  # a name as printed, with its ', Inc.'


# --- the grammar's tables: what a pattern starts with is read off the pattern ----------------------------

def test_period_rules_are_indexed_by_the_words_they_start_with():
    assert first_words(r"(?:as\s+of|at)\s+the\s+end", "x") == {"as", "at"}
    assert first_words(r"(?:in\s+)?the\s+same|a\s+year|last\s+year\b", "x") == {"in", "the", "a", "last"}
    assert all(first_words(rule.pattern, rule.name) for rule in RULES)
    for pattern in (r"\d{4}", r"[a-z]+\s", r"x.y"):  # could start with anything: refused
        with pytest.raises(ValueError, match="must start with a literal word"):
            first_words(pattern, "bad")


def test_a_tell_searches_as_its_pattern_does():
    patterns = [r"\b(?:from|compared\s+(?:to|with)|versus|vs\.?)\s*$", r"\b(?:between|range\s+of)\s*$",
                r"year[-\s](?:over|on)[-\s]year|\byoy\b", r"\b(?:commented|said)[,:]?\s*[“\"]"]
    texts = [line[a:b] for line in TEXT.splitlines() for a in range(0, len(line), 37) for b in (a + 40, a + 90)]
    texts += ["Compared To ", "FROM", "ranGe  of", "ſaid “", "YEAR-over-Year", "sequentıal", "vs."]
    for pattern in patterns:
        tell, plain = Tell(pattern, re.I), re.compile(pattern, re.I)
        for text in texts:
            assert (tell.search(text) is None) == (plain.search(text) is None), (pattern, text)


def test_readme_explains_every_reason():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Unread figures\n", 1)[1].split("\n## ", 1)[0]
    assert readme.index("## Unread figures") > readme.index("## Checks")
    assert set(re.findall(r"^\| `([a-z ]+)` \|", section, re.M)) == set(REASONS)
