"""The catalog drives labels, aliases and periods; label matching is by rule, not by similarity."""

import polars as pl
import pytest

from qfin_pipeline import catalog
from qfin_pipeline.extract import apply_aliases
from qfin_pipeline.extract.periods import period_start
from qfin_pipeline.extract.tables import parse_column_header


def test_label_matching_ignores_case_dashes_and_colons_but_not_words():
    assert catalog.metric_for("balance_sheet", None, "Total Assets") == "total_assets"
    assert catalog.metric_for("balance_sheet", None, "Total current assets:") == "total_current_assets"
    assert catalog.metric_for("income_statement", None, "Loan facilitation and servicing fees – capital heavy") == (
        "loan_facilitation_fees_capital_heavy")
    assert catalog.metric_for("income_statement", None, "Total net revenues") is None  # no fuzzy matching


def test_repeated_labels_resolve_by_their_section():
    assert catalog.metric_for("income_statement", "Credit driven services", "Other services fees") == (
        "credit_other_services_fees")
    assert catalog.metric_for("income_statement", "Platform services", "Other services fees") == (
        "platform_other_services_fees")
    assert catalog.metric_for("income_statement", "Weighted average shares used in calculating net income per "
                              "ordinary share", "Basic") == "weighted_avg_shares_basic"
    assert catalog.metric_for("income_statement", "Other services fees", None or "Other services fees") is None


def test_aliases_map_renamed_metric_ids_explicitly():
    facts = pl.DataFrame({"metric_id": ["funding_cost", "funding_costs", "sales_and_marketing"]})
    renamed = apply_aliases(facts, {"funding_cost": "funding_costs"})
    assert renamed["metric_id"].to_list() == ["funding_costs", "funding_costs", "sales_and_marketing"]
    assert set(catalog.metric_aliases().values()) <= set(catalog.load("metrics")["metric_id"])


def test_column_headers_give_periods_for_any_quarter():
    q4 = parse_column_header("Year ended December 31, 2025 RMB")
    assert (q4.period_type, str(q4.period_start), str(q4.period_end), q4.currency) == (
        "12M", "2025-01-01", "2025-12-31", "RMB")
    h1 = parse_column_header("Six months ended June 30, 2023 US$")
    assert (h1.period_type, str(h1.period_start), h1.currency) == ("6M", "2023-01-01", "USD")
    assert parse_column_header("As of March 31, 2026 RMB").period_type == "instant"
    assert str(period_start(parse_column_header("Three months ended June 30, 2024").period_end, 3)) == "2024-04-01"


def test_issuer_names_are_data():
    rows = catalog.load("issuers")
    assert rows.columns[:2] == ["ticker", "name"]
    assert rows["name"].to_list() == ["360 Finance, Inc.", "360 DigiTech, Inc.", "Qifu Technology, Inc."]
    for printed, name in [("360 FINANCE INC (NASDAQ: QFIN)", "360 Finance, Inc."),
                          ("Shanghai, 360 DigiTech, Inc. (NASDAQ: QFIN)", "360 DigiTech, Inc."),
                          ("qifu technology announces", "Qifu Technology, Inc.")]:
        issuer, matched = catalog.issuers().match_name(printed)
        assert (issuer.ticker, matched, issuer.name) == ("QFIN", name, "Qifu Technology, Inc.")
        assert catalog.issuers().match(printed) is issuer
    assert catalog.issuers().match("360 Group announces") is None


@pytest.mark.parametrize("label", [
    "TOTAL 360 FINANCE INC EQUITY", "Total 360 DigiTech, Inc. equity", "TOTAL QIFU TECHNOLOGY INC EQUITY",
    "Total Qifu Technology Inc equity", "total 360  finance, inc. equity",
])
def test_any_name_in_a_label_maps_to_the_same_metric(label):
    assert catalog.label_key(label) == "total <issuer> equity"
    assert catalog.metric_for("balance_sheet", None, label) == "total_company_equity"
    for name in ("360 Finance, Inc.", "360 DigiTech Inc", "QIFU TECHNOLOGY INC"):
        assert catalog.metric_for("non_gaap", None, f"Non-GAAP net income attributable to shareholders of {name}") \
            == "non_gaap_net_income_attributable"
