"""The numbers of a generated release: deterministic functions of (fiscal year, quarter) only.

Quarter index n = 4·year + quarter − 1; t = (n − n0) / 4 years from the shipped quarter (2024 Q3).
- Flow leaves (income statement, cash flow, comprehensive income, non-GAAP): the shipped 3M 2024 value ×
  exp(8g·tanh(t/8))·(1 + a·(w(n) − w(n0))), w a per-line sine; rounded to whole thousands. At n0 they
  equal the shipped values. Financing cash flow is the plug op + inv + fin + fx = cash(n) − cash(n−1).
- Balance-sheet leaves: the shipped 2024-09-30 value × the same kind of factor; company equity is the
  plug that makes the sheet balance; cash(n) = cash and cash equivalents + restricted cash.
- Every total comes from catalog/identities.csv (topological order), so every column foots exactly;
  a period of k quarters is the exact sum of its quarters' leaves.
- Weighted shares: shipped counts × a slow factor per quarter; a k-quarter period uses their mean.
Values: currency in thousands (int), shares (int), per-share figures in cents (int), margins in
tenths of a percent (int).
"""

from __future__ import annotations

import math
import zlib
from datetime import date, timedelta
from functools import cache, lru_cache
from graphlib import TopologicalSorter
from pathlib import Path

from qfin_pipeline import catalog
from qfin_pipeline.extract import read_document
from qfin_pipeline.extract.periods import quarter_end
from qfin_pipeline.extract.tables import read_tables

SHIPPED = Path(__file__).resolve().parent.parent / "raw" / "qfin-2024q3-earnings-release.txt"
N0 = 4 * 2024 + 3 - 1  # the shipped quarter
FX0 = 7.0176
PLUGS = {"net_cash_financing", "total_company_equity", "comprehensive_loss_attributable_to_nci",
         "cash_beginning_of_period"}
MARGINS = {"operating_margin": "income_from_operations",
           "non_gaap_operating_margin": "non_gaap_income_from_operations",
           "net_income_margin": "net_income", "non_gaap_net_income_margin": "non_gaap_net_income"}


def qindex(year: int, quarter: int) -> int:
    return 4 * year + quarter - 1


def year_quarter(n: int) -> tuple[int, int]:
    return n // 4, n % 4 + 1


def rhu(num: int, den: int) -> int:
    """Round num/den half up, in exact integer arithmetic (den > 0)."""
    return (2 * num + den) // (2 * den)


def _wave(key: str, n: int, speed: float = 0.9) -> float:
    phase = (zlib.crc32(key.encode()) % 6283) / 1000
    return math.sin(speed * n + phase) - math.sin(speed * N0 + phase)


def trend(n: int, growth: float) -> float:
    """Growth at `growth` a year near 2024, flattening over decades (values stay realistic for any year)."""
    return growth * 8 * math.tanh((n - N0) / 32)


def factor(key: str, n: int, growth: float, amplitude: float) -> float:
    return math.exp(trend(n, growth)) * (1 + amplitude * _wave(key, n))


# --- the catalog's subtotal trees ------------------------------------------------------------------


@cache
def rules() -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    """(total, ((component, sign), ...)) in topological order: each total from its first identity,
    plus the generator's plugs (company equity balances the sheet; comprehensive NCI = net NCI)."""
    chosen: dict[str, list[tuple[str, int]]] = {}
    first_identity: dict[str, str] = {}
    for row in catalog.load("identities").to_dicts():
        total = row["total_metric_id"]
        first_identity.setdefault(total, row["identity"])
        if first_identity[total] == row["identity"]:
            chosen.setdefault(total, []).append((row["component_metric_id"], int(row["sign"])))
    chosen["total_company_equity"] = [("total_assets", 1), ("total_liabilities", -1),
                                      ("noncontrolling_interests", -1)]
    chosen["comprehensive_loss_attributable_to_nci"] = [("net_loss_attributable_to_nci", 1)]
    graph = TopologicalSorter({t: [c for c, _ in comps if c in chosen] for t, comps in chosen.items()})
    return tuple((t, tuple(chosen[t])) for t in graph.static_order())


def foot(values: dict[str, int]) -> dict[str, int]:
    """Leaves -> leaves and every total whose components are all present."""
    for total, comps in rules():
        if all(c in values for c, _ in comps):
            values[total] = sum(sign * values[c] for c, sign in comps)
    return values


@cache
def _totals() -> frozenset[str]:
    return frozenset(t for t, _ in rules())


# --- the shipped release: base values --------------------------------------------------------------


@cache
def base() -> dict:
    data = SHIPPED.read_bytes()
    facts = read_tables(read_document(data, SHIPPED.name, "")).to_dicts()
    end = date(2024, 9, 30)
    flows, instants, shares = {}, {}, {}
    for f in facts:
        if f["period_end"] != end or f["source_column"] != 2:  # the current quarter's RMB column
            continue
        v = int(round(f["value"] / 1000)) if f["unit"] == "currency" else f["value"]
        if f["period_type"] == "3M":
            if f["unit"] == "shares":
                shares.setdefault(f["metric_id"], int(v))
            else:
                flows.setdefault(f["metric_id"], v)
        elif f["period_type"] == "instant":
            instants.setdefault(f["metric_id"], v)
    ratio = round(shares["weighted_avg_shares_diluted"] / shares["weighted_avg_ads_diluted"])
    components = {c for _, comps in rules() for c, _ in comps}
    flow_leaves = sorted(m for m in components - _totals() - PLUGS if m in flows)
    bs_leaves = sorted(m for m in components - _totals() - PLUGS if m in instants)
    return {"flows": {m: int(flows[m]) for m in flow_leaves},
            "instants": {m: int(instants[m]) for m in bs_leaves}, "shares": shares, "ads_ratio": ratio}


def restatable() -> frozenset[str]:
    b = base()
    return frozenset(b["flows"]) | frozenset(b["instants"]) | {"net_cash_financing"}


# --- quarters, periods, instants -------------------------------------------------------------------


@lru_cache(maxsize=8192)
def balance_leaves(n: int) -> dict[str, int]:
    return {m: round(v * factor(m, n, 0.04, 0.08)) for m, v in base()["instants"].items()}


@lru_cache(maxsize=8192)
def balance(n: int) -> dict[str, int]:
    return foot(dict(balance_leaves(n)))


def cash(n: int) -> int:
    leaves = balance_leaves(n)
    return leaves["cash_and_cash_equivalents"] + leaves["restricted_cash"]


@lru_cache(maxsize=8192)
def quarter_leaves(n: int) -> dict[str, int]:
    leaves = {m: round(v * factor(m, n, 0.03, 0.12)) for m, v in base()["flows"].items()}
    other = leaves["net_cash_operating"] + leaves["net_cash_investing"] + leaves["fx_effect_on_cash"]
    leaves["net_cash_financing"] = cash(n) - cash(n - 1) - other
    return leaves


@lru_cache(maxsize=8192)
def quarter_shares(n: int) -> tuple[int, int]:
    b = base()["shares"]
    basic = round(b["weighted_avg_shares_basic"] * factor("shares", n, -0.02, 0.01))
    dilution = b["weighted_avg_shares_diluted"] - b["weighted_avg_shares_basic"]
    return basic, basic + round(dilution * factor("dilution", n, 0.0, 0.1))


def period_leaves(n: int, quarters: int) -> dict[str, int]:
    """Leaves of the period of `quarters` quarters ending with quarter n (exact sums)."""
    total: dict[str, int] = {}
    for k in range(n - quarters + 1, n + 1):
        for m, v in quarter_leaves(k).items():
            total[m] = total.get(m, 0) + v
    total["cash_beginning_of_period"] = cash(n - quarters)
    return total


def period_shares(n: int, quarters: int) -> tuple[int, int]:
    counts = [quarter_shares(k) for k in range(n - quarters + 1, n + 1)]
    return tuple(rhu(sum(c[i] for c in counts), quarters) for i in (0, 1))


def finish(leaves: dict[str, int], shares: tuple[int, int]) -> dict[str, int]:
    """Leaves + weighted shares -> every total, share count, per-share figure (cents) and margin (‰)."""
    v = foot(dict(leaves))
    r = base()["ads_ratio"]
    basic, diluted = shares
    ads = rhu(diluted, r)
    v.update(weighted_avg_shares_basic=basic, weighted_avg_shares_diluted=diluted,
             weighted_avg_ads_diluted=ads, weighted_avg_ads_basic=rhu(basic, r))
    v["eps_basic"] = rhu(v["net_income_attributable"] * 100_000, basic)
    v["eps_diluted"] = rhu(v["net_income_attributable"] * 100_000, diluted)
    v["eps_ads_basic"], v["eps_ads_diluted"] = r * v["eps_basic"], r * v["eps_diluted"]
    v["non_gaap_eps_ads_diluted"] = rhu(v["non_gaap_net_income_attributable"] * 100_000, ads)
    for margin, numerator in MARGINS.items():
        v[margin] = rhu(v[numerator] * 1000, v["total_net_revenue"])
    return v


@lru_cache(maxsize=8192)
def period(n: int, quarters: int = 1) -> dict[str, int]:
    return finish(period_leaves(n, quarters), period_shares(n, quarters))


def restated_period(n: int, quarters: int, restate: dict[str, int]) -> dict[str, int]:
    leaves = period_leaves(n, quarters)
    leaves.update({m: v for m, v in restate.items() if m in leaves})
    return finish(leaves, period_shares(n, quarters))


def restated_balance(n: int, restate: dict[str, int]) -> dict[str, int]:
    leaves = dict(balance_leaves(n))
    leaves.update({m: v for m, v in restate.items() if m in leaves})
    return foot(leaves)


def usd(values: dict[str, int], fx: float) -> dict[str, int]:
    """A column translated cell by cell: thousands / fx; per-share figures so that the printed USD
    figure is within half a cent of both the RMB figure / fx and the USD numerator / denominator."""
    out = {m: round(v / fx) for m, v in values.items()}
    if "net_income_attributable" not in values:  # a balance sheet
        return out
    for key in ("weighted_avg_shares_basic", "weighted_avg_shares_diluted", "weighted_avg_ads_diluted",
                "weighted_avg_ads_basic"):
        out[key] = values[key]
    nia = values["net_income_attributable"] * 100_000
    out["eps_basic"] = round(nia / (values["weighted_avg_shares_basic"] * fx))
    out["eps_diluted"] = round(nia / (values["weighted_avg_shares_diluted"] * fx))
    for key in ("eps_ads_basic", "eps_ads_diluted", "non_gaap_eps_ads_diluted"):
        out[key] = round(values[key] / fx)
    for key in MARGINS:
        out[key] = values[key]
    return out


# --- rates and dates -------------------------------------------------------------------------------


def fx_rate(n: int) -> float:
    return round(FX0 + 0.12 * (math.sin(0.7 * n) - math.sin(0.7 * N0)), 4)


def period_end(n: int) -> date:
    return quarter_end(*year_quarter(n))


def published(n: int) -> date:
    """About seven weeks after the quarter end, on a weekday (2024 Q3 -> 2024-11-19)."""
    day = period_end(n) + timedelta(days=50)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
