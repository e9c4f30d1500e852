"""The metric catalog: data files in this folder, loaded once, shared by extraction, checks and marts.

- metrics.csv       one row per metric (dim_metric): statement, label, unit, additive, definition
- table_labels.csv  how each metric is printed in a table: statement, section keyword, label
- identities.csv    subtotal trees and statement identities: total = sum(sign * component)
- ratios.csv        ratio metrics: metric = numerator / denominator (margins, per-share)
- aliases.csv       renamed metrics: an old metric_id and the metric it is now
- statements.csv    table titles -> statement codes
- issuers.csv       the companies whose releases we read: one row per (ticker, name), former names too, and the SEC CIK
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import polars as pl

CATALOG_DIR = Path(__file__).parent


@cache
def load(name: str) -> pl.DataFrame:
    """One catalog file as a frame (empty strings read as null)."""
    return pl.read_csv(CATALOG_DIR / f"{name}.csv", infer_schema=False)


_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")


def norm_label(text: str) -> str:
    """A label as compared: case, quotes, dashes, spacing and a trailing colon don't matter."""
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    text = _DASHES.sub("-", text.casefold())
    return " ".join(text.split()).rstrip(":").strip()


@dataclass(frozen=True)
class Issuer:
    ticker: str
    names: tuple[str, ...]  # every name it has published under, in issuers.csv order ('360 Finance, Inc.', ...)
    pattern: re.Pattern  # any of its names, any case, with or without ', Inc.'
    cik: str | None = None  # SEC Central Index Key: where `qfin fetch` finds the issuer's filings on EDGAR

    @property
    def name(self) -> str:
        """Its current name (the last of issuers.csv)."""
        return self.names[-1]


# A company-form suffix: '360 Finance, Inc.', 'Qifu Technology Inc', 'QIFU TECHNOLOGY INC'.
_SUFFIX = r"(?:,?\s+(?:inc|ltd|limited|corp|corporation)\b\.?)?"


def _core(name: str) -> str:
    """'360 DigiTech, Inc.' -> '360 DigiTech' (the words of a name without its company-form suffix)."""
    return re.sub(r",?\s+(?:inc|ltd|limited|corp|corporation)\.?$", "", name.strip(), flags=re.I)


def name_pattern(names: list[str] | tuple[str, ...]) -> re.Pattern:
    """Any of `names` in any case, with or without its suffix (longest first)."""
    cores = sorted({_core(n) for n in names}, key=len, reverse=True)
    words = "|".join(r"\s+".join(map(re.escape, core.split())) for core in cores)
    return re.compile(rf"(?<![\w])(?:{words}){_SUFFIX}(?![\w])", re.I)


def _words(name: str) -> str:
    return " ".join(_core(name).casefold().split())


class Issuers:
    def __init__(self, rows: list[Issuer]):
        self.rows = rows

    def match(self, text: str) -> Issuer | None:
        """The issuer named in `text` under any of its names."""
        found = self.match_name(text)
        return found[0] if found else None

    def match_name(self, text: str) -> tuple[Issuer, str] | None:
        """The issuer named in `text` and the name it is printed under (the first name found)."""
        for issuer in self.rows:
            found = issuer.pattern.search(text)
            if found:
                printed = _words(found.group(0))
                return issuer, next((n for n in issuer.names if _words(n) == printed), issuer.names[-1])
        return None


@cache
def issuers() -> Issuers:
    """issuers.csv: one row per (ticker, name); an issuer is a ticker with all its names."""
    names: dict[str, list[str]] = {}
    ciks: dict[str, str | None] = {}
    for row in load("issuers").to_dicts():
        names.setdefault(row["ticker"], []).append(row["name"])
        ciks[row["ticker"]] = ciks.get(row["ticker"]) or row.get("cik")
    return Issuers([Issuer(ticker, tuple(ns), name_pattern(ns), ciks[ticker]) for ticker, ns in names.items()])


ISSUER_PLACEHOLDER = "<issuer>"


@cache
def _label_names() -> re.Pattern:
    return name_pattern([name for issuer in issuers().rows for name in issuer.names])


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A table label as looked up: norm_label, and any issuer name (any of its names) as one placeholder,
    so 'TOTAL 360 FINANCE INC EQUITY' and 'Total Qifu Technology, Inc. equity' are the same line."""
    return _label_names().sub(ISSUER_PLACEHOLDER, norm_label(text))


@cache
def _statement_patterns() -> list[tuple[str, re.Pattern]]:
    return [(r["statement"], re.compile(r["title_pattern"], re.I)) for r in load("statements").to_dicts()]


def statement_for_title(title: str) -> str | None:
    """'Unaudited Condensed Consolidated Balance Sheets' -> 'balance_sheet' (None if not a statement title)."""
    return next((code for code, pattern in _statement_patterns() if pattern.search(title)), None)


@cache
def table_labels() -> dict[tuple[str, str], list[tuple[str | None, str]]]:
    """(statement, normalized label) -> [(section keyword or None, metric_id)], most specific first."""
    out: dict[tuple[str, str], list[tuple[str | None, str]]] = {}
    for row in load("table_labels").to_dicts():
        key = (row["statement"], label_key(row["label"]))
        section = label_key(row["section"]) if row["section"] else None
        out.setdefault(key, []).append((section, row["metric_id"]))
    for options in out.values():
        options.sort(key=lambda o: o[0] is None)
    return out


def metric_for(statement: str, section: str | None, label: str) -> str | None:
    """The catalog's metric for a printed table row, or None if the catalog does not know it."""
    options = table_labels().get((statement, label_key(label)))
    if not options:
        return None
    sec = label_key(section) if section else ""
    # The longest section keyword found in the printed section wins ('weighted average shares' beats 'per ordinary share').
    hits = [(len(keyword or ""), metric) for keyword, metric in options if keyword is None or keyword in sec]
    return max(hits)[1] if hits else None


@cache
def metric_units() -> dict[str, str]:
    return dict(zip(load("metrics")["metric_id"], load("metrics")["unit"], strict=True))


def slug(text: str) -> str:
    """'Other gains, net' -> 'other_gains_net'; an issuer name becomes 'issuer' (the same under every name)."""
    return re.sub(r"[^a-z0-9]+", "_", label_key(text)).strip("_")


@cache
def identity_components() -> dict[str, frozenset[str]]:
    """total metric_id -> the metric_ids of its components, over every identity it totals."""
    out: dict[str, set[str]] = {}
    for row in load("identities").to_dicts():
        out.setdefault(row["total_metric_id"], set()).add(row["component_metric_id"])
    return {k: frozenset(v) for k, v in out.items()}


def dim_metric() -> pl.DataFrame:
    """metrics.csv with each metric's parent subtotal and sign (its first identity as a component)."""
    parents = (
        load("identities").group_by("component_metric_id", maintain_order=True)
        .agg(parent_metric_id=pl.col("total_metric_id").first(), sign=pl.col("sign").first().cast(pl.Int32))
        .rename({"component_metric_id": "metric_id"})
    )
    return load("metrics").join(parents, on="metric_id", how="left").select(
        "metric_id", "statement", "label", "parent_metric_id", "sign", "unit",
        pl.col("additive").eq("true").alias("additive"), "definition",
    )


# --- validation (qfin_pipeline.validate) ---------------------------------------------------------
# - checks.csv               every data check: name, severity (blocking/warning), one-line description
# - ads_equivalents.csv      per-ADS metric <-> per-share metric, ADS count <-> share count
# - required_statements.csv  the statements whose tables every release must print


@cache
def checks() -> pl.DataFrame:
    """check_name, severity, description of every check `qfin_pipeline.validate` runs."""
    return load("checks")


@cache
def check_severity() -> dict[str, str]:
    return dict(zip(checks()["check_name"], checks()["severity"], strict=True))


@cache
def ads_equivalents() -> pl.DataFrame:
    """ads_metric_id, share_metric_id and the pair's unit ('per_share' or 'shares', from metrics.csv)."""
    units = metric_units()
    return load("ads_equivalents").with_columns(
        unit=pl.col("share_metric_id").replace_strict(units, default=None)
    )


@cache
def required_statements() -> tuple[str, ...]:
    return tuple(load("required_statements")["statement"])


@dataclass(frozen=True)
class ProseLabel:
    """One way a sentence names a metric (prose_labels.csv)."""

    metric_id: str
    slot: str  # 'any': the phrase may stand before or after its number; 'postfix': only right after it
    context: str | None  # normalized words the sentence must also contain, else None
    period: str  # 'instant', 'duration' or 'window' (a plan's start..end)


@cache
def prose_labels() -> dict[str, tuple[ProseLabel, ...]]:
    """Normalized phrase (norm_label) -> the metrics it can name, in file order."""
    out: dict[str, list[ProseLabel]] = {}
    for row in load("prose_labels").to_dicts():
        context = norm_label(row["context"]) if row["context"] else None
        label = ProseLabel(row["metric_id"], row["slot"] or "any", context, row["period"])
        out.setdefault(norm_label(row["phrase"]), []).append(label)
    return {phrase: tuple(labels) for phrase, labels in out.items()}


@cache
def metric_rows() -> dict[str, dict]:
    """metric_id -> its metrics.csv row (statement, label, unit, additive, definition)."""
    return {row["metric_id"]: row for row in load("metrics").to_dicts()}


@cache
def metric_aliases() -> dict[str, str]:
    """aliases.csv: a metric id a line had in earlier releases -> the id it has now (explicit, never guessed)."""
    rows = load("aliases")
    return dict(zip(rows["alias_metric_id"], rows["metric_id"], strict=True))
