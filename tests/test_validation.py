"""Validation: pandera schemas and the catalog-driven accounting checks, on the shipped release (no mocks)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from qfin_pipeline.extract import Document, extract_facts, read_document
from qfin_pipeline.extract.document import Line
from qfin_pipeline.extract.facts import facts_frame
from qfin_pipeline.extract.tables import read_tables
from qfin_pipeline.validate import (
    CheckResultsModel,
    ReleasesModel,
    SchemaViolation,
    blocking_failures,
    check_catalog,
    run_checks,
    summary,
    validate_facts,
    validate_frame,
)
from qfin_pipeline.validate.ratios import ads_factors

SHIPPED = Path(__file__).resolve().parent.parent / "raw" / "qfin-2024q3-earnings-release.txt"
FILE = SHIPPED.name
Q3 = ("3M", date(2024, 7, 1), date(2024, 9, 30))


@pytest.fixture(scope="module")
def doc() -> Document:
    data = SHIPPED.read_bytes()
    return read_document(data, FILE, hashlib.sha256(data).hexdigest())


@pytest.fixture(scope="module")
def facts(doc) -> pl.DataFrame:
    return extract_facts(doc)


@pytest.fixture(scope="module")
def tables(doc) -> pl.DataFrame:
    """The shipped release's table cells only (tests add prose figures by hand where they need them)."""
    return read_tables(doc)


def prose(
    kind: str,
    metric: str,
    value: float,
    decimals: int,
    line: int,
    label: str,
    *,
    unit="currency",
    currency: str | None = "RMB",
    period=Q3,
    statement="income_statement",
) -> dict:
    """A hand-made prose fact (kind narrative/highlight/reported_change) as the prose extractor emits it."""
    period_type, start, end = period
    return {
        "release_id": "QFIN-2024Q3",
        "kind": kind,
        "statement": statement,
        "section": None,
        "label": label,
        "metric_id": metric,
        "period_type": period_type,
        "period_start": start,
        "period_end": end,
        "currency": currency,
        "unit": unit,
        "value": value,
        "decimals": decimals,
        "source_line": line,
        "source_column": None,
        "source_text": f"(hand-made {kind} on line {line})",
    }


def with_rows(facts: pl.DataFrame, *rows: dict) -> pl.DataFrame:
    return pl.concat([facts, facts_frame(list(rows))], how="vertical")


# --- the shipped release --------------------------------------------------------------------------------


def test_shipped_release_passes_every_check(facts, doc):
    """Every printed number of the release (tables and prose) passes every check, warnings included."""
    results = run_checks(validate_facts(facts, FILE), doc.info.fx_rmb_per_usd)
    counts = summary(results)
    print(
        "\n"
        + "\n".join(
            f"{r['check_name']:>20}: {r['evaluations']:>4} evaluations" for r in counts.iter_rows(named=True)
        )
    )
    assert results.filter(pl.col("status") != "passed").is_empty(), results.filter(
        pl.col("status") != "passed"
    )["detail"].to_list()
    evaluated = dict(zip(counts["check_name"], counts["evaluations"], strict=True))
    for check in (
        "identities",
        "repeated_figures",
        "usd_translation",
        "ratios",
        "ads_ratio",
        "metric_mapped",
    ):
        assert evaluated.get(check, 0) > 0, check
    assert evaluated["statements_present"] == 3
    assert evaluated["metric_mapped"] == facts.filter(pl.col("kind") == "table")["source_line"].n_unique()
    CheckResultsModel.validate(results.with_columns(checked_at=pl.lit(datetime(2024, 11, 20))), lazy=True)


def test_every_identity_of_the_catalog_is_evaluated(tables, doc):
    """Each identity of identities.csv has its total and components printed in the shipped release."""
    from qfin_pipeline import catalog

    results = run_checks(tables, doc.info.fx_rmb_per_usd).filter(pl.col("check_name") == "identities")
    names = set(results["detail"].str.extract(r"^(\w+):"))
    assert names == set(catalog.load("identities")["identity"])


def test_identity_tolerance_states_the_rounding_rule(tables, doc):
    row = (
        run_checks(tables, doc.info.fx_rmb_per_usd)
        .filter(
            pl.col("detail").str.starts_with("current_assets_sum")
            & pl.col("detail").str.contains("2023-12-31 RMB")
        )
        .row(0, named=True)
    )
    assert row["tolerance"] == pytest.approx(
        0.5 * 1000 * 11
    )  # 10 components + the total, each to RMB thousands
    assert "line 227" in row["detail"] and "line 216" in row["detail"] and "0.5·10^-decimals" in row["detail"]


def test_without_a_stated_rate_the_table_rate_is_used(tables, doc):
    results = run_checks(tables, None).filter(pl.col("check_name") == "usd_translation")
    assert results.height > 0 and (results["status"] == "passed").all()
    assert results["detail"].str.contains("implied").all()
    # Several releases at once: one stated rate per release_id.
    per_release = run_checks(tables, {"QFIN-2024Q3": doc.info.fx_rmb_per_usd})
    assert per_release.equals(run_checks(tables, doc.info.fx_rmb_per_usd))


# --- mutations: every printed number, changed alone, must fail a blocking check ---------------------------


def bump(cell: str, unit: str) -> str:
    """One printed cell + 1,000 (thousands or shares), + 1.00 (per share) or + 1.0 point (percent).

    '4,370,158' -> '4,371,158', '(659)' -> '(1,659)', '-' -> '1,000', '3.56' -> '4.56', '26.6%' -> '27.6%'.
    """
    if re.fullmatch(r"[-–—]", cell):
        return "1,000"
    core = cell.strip("()").rstrip("%")
    places = len(core.split(".")[1]) if "." in core else 0
    if unit in ("pure", "per_share"):  # +1.0 point / +1.00
        out = f"{float(core.replace(',', '')) + 1:,.{places}f}"
    else:  # thousands of RMB/USD or a share count: +1,000
        out = f"{int(core.replace(',', '')) + 1000:,}"
    out += "%" if cell.endswith("%") else ""
    return f"({out})" if cell.startswith("(") else out


def mutant(doc: Document, line_number: int, column: int, unit: str) -> Document:
    """The document with one table cell changed (normalized text and raw source alike)."""
    index = next(i for i, line in enumerate(doc.lines) if line.number == line_number)
    line = doc.lines[index]
    cells, raw = line.text.split("\t"), line.source.split("\t")
    cells[column] = bump(cells[column], unit)
    if len(raw) == len(cells):
        raw[column] = cells[column]
    lines = list(doc.lines)
    lines[index] = Line(line.number, "\t".join(cells), "\t".join(raw))
    return replace(doc, lines=lines)


# Weighted average basic shares of the prior-year columns: no other printed figure pins them to 1,000
# shares (EPS basic to the cent allows ±0.14% ≈ ±450,000 shares; no ADS basic count is printed; the
# 2024 columns repeat in the USD column and are caught as repeated figures).
UNCATCHABLE = {
    ("weighted_avg_shares_basic", "3M", date(2023, 9, 30)),
    ("weighted_avg_shares_basic", "9M", date(2023, 9, 30)),
}


@pytest.fixture(scope="module")
def mutation_results(tables, doc):
    cells = tables.filter(pl.col("kind") == "table").with_row_index("mutant")
    frames = [
        read_tables(mutant(doc, line, column, unit)).with_columns(release_id=pl.lit(f"M{i:03d}"))
        for i, line, column, unit in cells.select(
            "mutant", "source_line", "source_column", "unit"
        ).iter_rows()
    ]
    return cells, frames, run_checks(pl.concat(frames), doc.info.fx_rmb_per_usd)


def test_every_table_cell_mutation_fails_a_blocking_check(mutation_results, tables):
    cells, frames, results = mutation_results
    assert cells.height == 499
    for i, frame in enumerate(frames):  # each mutant changes exactly the one cell it targets
        changed = frame.with_row_index("row").filter(pl.col("value") != tables["value"])
        assert changed["row"].to_list() == [i], (i, changed)
    caught = set(blocking_failures(results)["release_id"].unique())
    missed = cells.filter(
        ~pl.format("M{}", pl.col("mutant").cast(pl.String).str.zfill(3)).is_in(list(caught))
    )
    print(
        f"\nmutations caught by a blocking check: {len(caught)}/{cells.height}; missed: "
        + ", ".join(
            f"line {r['source_line']} col {r['source_column']} {r['metric_id']}"
            for r in missed.iter_rows(named=True)
        )
    )
    assert set(missed.select("metric_id", "period_type", "period_end").rows()) == UNCATCHABLE
    assert len(caught) == cells.height - len(UNCATCHABLE)


def test_batched_mutants_check_like_single_releases(mutation_results, doc):
    """run_checks on 499 mutants at once (one release_id each) gives each the rows it gets alone."""
    _, frames, results = mutation_results
    for i in (0, 137, 498):
        alone = run_checks(frames[i], doc.info.fx_rmb_per_usd)
        batched = results.filter(pl.col("release_id") == f"M{i:03d}")
        assert alone.equals(batched)


# --- catalog-driven rules ---------------------------------------------------------------------------------


def test_ads_ratio_is_derived_from_the_facts(tables, doc):
    assert ads_factors(tables.filter(pl.col("kind") == "table"))["r"].to_list() == [2.0]
    # A release with 4 shares per ADS: ADS counts halve, per-ADS figures double; the checks follow the facts.
    ads_count = pl.col("metric_id") == "weighted_avg_ads_diluted"
    per_ads = pl.col("metric_id").is_in(["eps_ads_basic", "eps_ads_diluted", "non_gaap_eps_ads_diluted"])
    four = tables.with_columns(
        value=pl.when(ads_count)
        .then((pl.col("value") / 2).round(0))
        .when(per_ads)
        .then(pl.col("value") * 2)
        .otherwise(pl.col("value"))
    )
    assert ads_factors(four.filter(pl.col("kind") == "table"))["r"].to_list() == [4.0]
    results = run_checks(four, doc.info.fx_rmb_per_usd).filter(
        pl.col("check_name").is_in(["ads_ratio", "ratios"])
    )
    assert (results["status"] == "passed").all(), results.filter(pl.col("status") != "passed")[
        "detail"
    ].to_list()


def test_a_line_read_under_the_wrong_metric_breaks_its_identity(tables, doc):
    # Line 231 is the non-current 'Amounts due from related parties': read as the current one, the
    # non-current assets no longer foot (its component is missing) and the current figure is printed twice.
    wrong = tables.with_columns(
        metric_id=pl.when(pl.col("source_line") == 231)
        .then(pl.lit("amounts_due_from_related_parties"))
        .otherwise(pl.col("metric_id"))
    )
    failed = blocking_failures(run_checks(wrong, doc.info.fx_rmb_per_usd))
    non_current = failed.filter(pl.col("detail").str.starts_with("non_current_assets_sum"))
    assert non_current.height == 3
    assert (
        non_current["detail"]
        .str.contains("amounts_due_from_related_parties_noncurrent \\(not printed: 0\\)")
        .all()
    )
    assert failed.filter(pl.col("check_name") == "repeated_figures")["detail"].str.contains("line 231").all()


def test_missing_statement_is_blocking(tables, doc):
    results = run_checks(tables.filter(pl.col("statement") != "cash_flow"), doc.info.fx_rmb_per_usd)
    failed = blocking_failures(results).filter(pl.col("check_name") == "statements_present")
    assert failed["detail"].to_list() == [
        "cash_flow table missing: no table with a title of that statement was read"
    ]
    empty = run_checks(tables.clear(), doc.info.fx_rmb_per_usd, release_id="QFIN-2024Q3")
    assert blocking_failures(empty).height == 3


def test_unmapped_table_line_is_a_warning(tables, doc):
    unmapped = tables.with_columns(
        metric_id=pl.when(pl.col("source_line") == 226)
        .then(pl.lit("unmapped__prepaid_stuff"))
        .otherwise(pl.col("metric_id"))
    )
    results = run_checks(unmapped, doc.info.fx_rmb_per_usd).filter(pl.col("check_name") == "metric_mapped")
    flagged = results.filter(pl.col("status") != "passed")
    assert (
        flagged.height == 1
        and flagged["severity"].to_list() == ["warning"]
        and flagged["status"].to_list() == ["warning"]
    )
    assert (
        flagged["detail"][0].startswith("line 226 (balance_sheet")
        and "table_labels.csv" in flagged["detail"][0]
    )


def test_check_catalog_describes_every_check(tables, doc):
    catalog = check_catalog()
    assert catalog["description"].str.len_chars().min() > 30
    assert set(catalog["severity"]) <= {"blocking", "warning"}
    produced = set(run_checks(tables, doc.info.fx_rmb_per_usd)["check_name"])
    assert produced <= set(catalog["check_name"])


# --- prose vs tables: hand-made prose facts on the table facts (independent of the prose extractor) ---


def test_narrative_vs_table(tables, doc):
    ok = prose(
        "narrative", "total_net_revenue", 4_370_200_000, -5, 40, "Total net revenue"
    )  # RMB4,370.2 million
    off = prose("highlight", "total_net_revenue", 4_470_200_000, -5, 41, "Total net revenue")  # a misprint
    margin = prose(
        "narrative",
        "operating_margin",
        0.524,
        3,
        42,
        "Operating margin",
        unit="pure",
        currency=None,
        statement="non_gaap",
    )
    results = run_checks(with_rows(tables, ok, off, margin), doc.info.fx_rmb_per_usd)
    prose_rows = results.filter(pl.col("check_name") == "narrative_vs_table")
    assert prose_rows["status"].to_list() == ["passed", "warning", "passed"]
    flagged = prose_rows.row(1, named=True)
    assert flagged["severity"] == "warning" and flagged["detail"].startswith("line 41 (highlight")
    assert "table line 279" in flagged["detail"] and flagged["tolerance"] == pytest.approx(50_000 + 500)
    assert blocking_failures(results).filter(pl.col("check_name") == "narrative_vs_table").is_empty()


def test_reported_change_vs_computed(tables, doc):
    # Total net revenue 3M: 4,370,158 vs 4,281,026 a year earlier: +2.08%.
    right = prose("reported_change", "total_net_revenue", 0.021, 3, 50, "yoy", unit="pure", currency=None)
    wrong = prose("reported_change", "total_net_revenue", 0.031, 3, 51, "yoy", unit="pure", currency=None)
    no_prior = prose("reported_change", "total_net_revenue", 0.05, 3, 52, "qoq", unit="pure", currency=None)
    share = prose(
        "reported_change", "total_net_revenue", 0.6, 1, 53, "share_of_total", unit="pure", currency=None
    )
    rows = run_checks(with_rows(tables, right, wrong, no_prior, share), doc.info.fx_rmb_per_usd).filter(
        pl.col("check_name") == "reported_change"
    )
    assert rows["status"].to_list() == ["passed", "warning"]  # qoq has no prior quarter among the tables
    assert rows["expected"][0] == pytest.approx(4_370_158 / 4_281_026 - 1)
    assert rows["detail"][1].startswith("line 51: yoy total_net_revenue")


# --- schemas ----------------------------------------------------------------------------------------------


def broken(facts: pl.DataFrame, line: int, column: int, **values) -> pl.DataFrame:
    at = (pl.col("source_line") == line) & (pl.col("source_column") == column)
    return facts.with_columns(
        **{
            name: pl.when(at).then(pl.lit(v, dtype=facts.schema[name])).otherwise(pl.col(name))
            for name, v in values.items()
        }
    )


def violation(frame: pl.DataFrame) -> str:
    with pytest.raises(SchemaViolation) as info:
        validate_facts(frame, FILE)
    assert isinstance(info.value, ValueError) and info.value.source_file == FILE
    return str(info.value)


def test_shipped_facts_satisfy_the_schema(facts):
    assert validate_facts(facts, FILE).equals(facts)


def test_schema_names_file_line_and_rule(tables):
    message = violation(broken(tables, 279, 2, period_type="7M"))
    assert (
        f"{FILE}:279: facts.period_type: isin(['instant', '3M', '6M', '9M', '12M']) failed for '7M'"
        in message
    )
    message = violation(broken(tables, 216, 1, unit="dollars"))
    assert f"{FILE}:216: facts.unit: isin(" in message and "failed for 'dollars'" in message


def test_schema_rejects_duplicate_fact_key(tables):
    message = violation(pl.concat([tables, tables.filter(pl.col("source_line") == 297).head(1)]))
    assert (
        f"{FILE}:297: facts.metric_id,label,period_type,period_end,currency,source_column: "
        "multiple_fields_uniqueness failed for metric_id='net_income'" in message
    )


def test_schema_checks_period_coherence_currency_and_precision(tables):
    bad = broken(tables, 216, 1, period_start=date(2023, 12, 1))  # an instant with a start
    bad = broken(bad, 279, 2, period_start=date(2024, 6, 1))  # a 3M period of four months
    bad = broken(bad, 363, 1, currency="RMB")  # a margin with a currency
    bad = broken(bad, 301, 1, decimals=12)
    message = violation(bad)
    assert f"{FILE}:216: facts.period_type,period_start: instant_has_no_period_start failed" in message
    assert (
        f"{FILE}:279: facts.period_type,period_start,period_end: "
        "duration_span_matches_period_type failed for "
        "period_type='3M', period_start=2024-06-01, period_end=2024-09-30"
    ) in message
    assert (
        f"{FILE}:363: facts.unit,currency: unitless_has_no_currency failed for unit='pure', currency='RMB'"
        in message
    )
    assert f"{FILE}:301: facts.decimals: in_range(-9, 6) failed for 12" in message


def test_schema_checks_types_and_columns(tables):
    message = violation(tables.with_columns(pl.col("decimals").cast(pl.Int64)).drop("source_text"))
    assert f"{FILE}: facts.decimals: dtype('Int32') failed for Int64" in message
    assert f"{FILE}: facts.source_text: column_in_dataframe failed for a missing column" in message


def test_release_and_check_result_models():
    release = {
        "release_id": "QFIN-2024Q3",
        "ticker": "QFIN",
        "fiscal_year": 2024,
        "fiscal_quarter": 3,
        "period_end": date(2024, 9, 30),
        "published_on": date(2024, 11, 19),
        "title": "Third Quarter 2024",
        "source_file": FILE,
        "sha256": "0" * 64,
        "fx_rmb_per_usd": 7.0176,
        "loaded_at": datetime(2024, 11, 20, 8),
    }
    assert validate_frame(ReleasesModel, pl.DataFrame([release]), "releases").height == 1
    with pytest.raises(
        SchemaViolation,
        match=r"releases\.release_id,ticker,fiscal_year,fiscal_quarter: "
        r"release_id_names_ticker_and_quarter failed",
    ):
        validate_frame(
            ReleasesModel,
            pl.DataFrame([{**release, "fiscal_quarter": 2, "period_end": date(2024, 6, 30)}]),
            "releases",
        )
    bad = pl.DataFrame(
        [
            {
                "release_id": "QFIN-2024Q3",
                "check_name": "identities",
                "status": "warning",
                "severity": "blocking",
                "expected": 1.0,
                "actual": 2.0,
                "tolerance": 0.5,
                "detail": "x",
            }
        ]
    )
    with pytest.raises(SchemaViolation, match="status_matches_severity"):
        validate_frame(CheckResultsModel, bad, "check_results")
