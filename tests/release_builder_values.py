"""The numbers of a generated release: deterministic functions of (fiscal year, quarter) only.

Quarter index n = 4·year + quarter − 1; n0 = the shipped quarter (2024 Q3).
- Anchored to the shipped release: every figure it prints is reproduced exactly. Its 3M columns are
  the quarters 2024 Q3 and 2023 Q3; each 9M column less its Q3 is that year's first half, split into Q1
  and Q2 (exact integers that sum exactly): 2024 Q2 so that every figure the shipped prose states for
  'the prior quarter' (tenths of RMB million) rounds to the stated one, each unstated line near half.
  Its balance sheets are the 2023-12-31 and 2024-09-30 instants; its cash-flow beginnings and ends fix
  the cash (cash and cash equivalents + restricted cash) at every quarter end from 2022-12-31 to
  2024-09-30, and its weighted shares fix those quarters' share counts (H1 = 3 × 9M − Q3, split).
  Per-share figures and margins follow from the formulas below and equal the printed ones; the shipped
  quarter's USD columns are the printed USD cells (the company makes its USD columns foot).
- Other quarters' flow leaves (income statement, cash flow, comprehensive income, non-GAAP): the shipped
  3M 2024 value × exp(8g·tanh(t/8))·(1 + a·(w(n) − w(n0))), t = (n − n0)/4 years, w a per-line sine;
  rounded to whole thousands. Their financing cash flow is the plug op + inv + fin + fx = cash(n) − cash(n−1).
- Balance-sheet leaves: the nearest shipped sheet × the same kind of factor (2024-09-30 after it,
  2023-12-31 before it, linear between the two); company equity is the plug that makes the sheet balance;
  at a quarter end whose cash the shipped release fixes, cash and cash equivalents takes the difference.
- Every total comes from catalog/identities.csv (topological order), so every column foots exactly;
  a period of k quarters is the exact sum of its quarters' leaves.
- Weighted shares: the nearest shipped quarter's counts × a slow factor; a k-quarter period uses their mean.
Values: currency in thousands (int), shares (int), per-share figures in cents (int), margins in
tenths of a percent (int).
"""

from __future__ import annotations

import math
import re
import zlib
from datetime import date, timedelta
from decimal import Decimal
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
END, END_PY, YEAR_END = date(2024, 9, 30), date(2023, 9, 30), date(2023, 12, 31)  # the shipped columns
PLUGS = {"net_cash_financing", "total_company_equity", "comprehensive_loss_attributable_to_nci",
         "cash_beginning_of_period"}
MARGINS = {"operating_margin": "income_from_operations",
           "non_gaap_operating_margin": "non_gaap_income_from_operations",
           "net_income_margin": "net_income", "non_gaap_net_income_margin": "non_gaap_net_income"}
CASH_FLOWS = ("net_cash_operating", "net_cash_investing", "net_cash_financing", "fx_effect_on_cash")
_UNIT_SCALE = {"currency": Decimal("0.001"), "per_share": 100, "pure": 1000, "shares": 1}


def qindex(year: int, quarter: int) -> int:
    return 4 * year + quarter - 1


def year_quarter(n: int) -> tuple[int, int]:
    return n // 4, n % 4 + 1


def rhu(num: int, den: int) -> int:
    """Round num/den half up, in exact integer arithmetic (den > 0)."""
    return (2 * num + den) // (2 * den)


def _phase(key: str) -> float:
    return (zlib.crc32(key.encode()) % 6283) / 1000


def _wave(key: str, n: int, speed: float = 0.9) -> float:
    phase = _phase(key)
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


# --- the shipped release: its printed columns -----------------------------------------------------


@cache
def shipped() -> dict[tuple[str, date, str], dict[str, int]]:
    """Every column the shipped release prints: (period type, period end, 'RMB' or 'USD') -> metric ->
    value in the units above (first printing). Share counts and margins are in the RMB columns."""
    facts = read_tables(read_document(SHIPPED.read_bytes(), SHIPPED.name, "")).to_dicts()
    out: dict[tuple[str, date, str], dict[str, int]] = {}
    for f in facts:
        column = out.setdefault((f["period_type"], f["period_end"], f["currency"] or "RMB"), {})
        column.setdefault(f["metric_id"], round(f["value"] * _UNIT_SCALE[f["unit"]]))
    return out


@cache
def base() -> dict:
    """The shipped quarter's flow leaves, balance-sheet leaves and share counts; the ADS ratio."""
    now, sheet = shipped()[("3M", END, "RMB")], shipped()[("instant", END, "RMB")]
    shares = {m: now[m] for m in ("weighted_avg_shares_basic", "weighted_avg_shares_diluted",
                                  "weighted_avg_ads_diluted")}
    ratio = round(shares["weighted_avg_shares_diluted"] / shares["weighted_avg_ads_diluted"])
    leaves = {c for _, comps in rules() for c, _ in comps} - _totals() - PLUGS
    return {"flows": {m: now[m] for m in sorted(leaves & set(now))},
            "instants": {m: sheet[m] for m in sorted(leaves & set(sheet))}, "shares": shares, "ads_ratio": ratio}


def restatable() -> frozenset[str]:
    b = base()
    return frozenset(b["flows"]) | frozenset(b["instants"]) | {"net_cash_financing"}


def _tenths(thousands: int) -> int:
    """Thousands -> tenths of a million, half up (as the prose prints RMB million)."""
    return (2 * thousands + 100) // 200


_PRIOR_QUARTER = re.compile(
    r"(?P<lead>[A-Z][\w ,\-^{}*]*?) (?:was|were) RMB ?-?[\d,]+\.\d million \(US\\?\$-?[\d,]+\.\d million\), "
    r"compared to RMB ?-?[\d,]+\.\d million in the same period of \d{4}"
    r"(?:,? and RMB ?(?P<pq>-?[\d,]+\.\d) million in the prior quarter)?")


@cache
def prior_quarter_prose() -> dict[str, int]:
    """metric -> the shipped prose's figure for the prior quarter (2024 Q2), in tenths of RMB million."""
    from tests.release_builder_prose import metric_of  # the prose module imports this one

    state = {"group": "credit_driven_services"}
    out: dict[str, int] = {}
    for line in SHIPPED.read_text(encoding="utf-8").splitlines():
        for m in _PRIOR_QUARTER.finditer(line):
            metric = metric_of(m.group("lead"), state)
            if m.group("pq"):
                out.setdefault(metric, round(10 * float(m.group("pq").replace(",", ""))))
    return out


def _fit(guess: dict[str, int], printed: dict[str, int]) -> dict[str, int]:
    """Leaves near `guess` whose lines in `printed` (tenths of RMB million) all round to the printed figure.

    Printed leaves start at their figure; then each printed total in turn (topological order) closes its
    gap with its own unprinted leaves (in proportion to their size) or else its printed leaves (within
    their rounding); a leaf used for one total stays put for the later ones."""
    out = dict(guess)
    bounds: dict[str, tuple[int, int]] = {}
    for m, tenths in printed.items():
        if m in out:
            out[m] = 100 * tenths
            bounds[m] = (100 * tenths - 50, 100 * tenths + 49)
    used: set[str] = set()
    for total, comps in rules():
        if total not in printed:
            continue
        gap = 100 * printed[total] - foot(dict(out))[total]
        leaves = [(c, s) for c, s in comps if c in out and c not in used]
        free = [(c, s) for c, s in leaves if c not in bounds and out[c]]
        if gap and free:
            weight, left = sum(abs(out[c]) for c, _ in free), gap
            for i, (c, s) in enumerate(free):
                part = left if i == len(free) - 1 else round(gap * abs(out[c]) / weight)
                out[c] += s * part
                left -= part
        else:
            for c, s in leaves:
                lo, hi = bounds.get(c, (out[c], out[c]))
                step = min(max(s * gap, lo - out[c]), hi - out[c])
                out[c] += step
                gap -= s * step
        used.update(c for c, _ in leaves)
    footed = foot(dict(out))
    wrong = sorted(m for m, tenths in printed.items() if _tenths(footed[m]) != tenths)
    if wrong:
        raise ValueError(f"no split of the first half matches the printed prior-quarter figures of {wrong}")
    return out


def _second_quarter_share(key: str, year: int) -> float:
    """The share of a first-half figure that falls in the second quarter: near half, per line and year."""
    return 0.5 + 0.06 * math.sin(_phase(key) + year)


@cache
def anchored() -> tuple[dict[int, dict[str, int]], dict[int, int], dict[int, tuple[int, int]]]:
    """What the shipped release fixes: quarter index -> flow leaves (2023 and 2024 Q1..Q3), quarter-end
    cash (2022-12-31 .. 2024-09-30) and weighted shares (basic, diluted) of 2023 and 2024 Q1..Q3."""
    cols = shipped()
    names = [*base()["flows"], "net_cash_financing"]
    flows: dict[int, dict[str, int]] = {}
    cash_at: dict[int, int] = {}
    shares: dict[int, tuple[int, int]] = {}
    for n, end in ((N0, END), (N0 - 4, END_PY)):
        q3, nine = cols[("3M", end, "RMB")], cols[("9M", end, "RMB")]
        half = {m: nine[m] - q3[m] for m in names}
        guess = {m: round(v * _second_quarter_share(m, end.year)) for m, v in half.items()}
        q2 = _fit(guess, prior_quarter_prose() if n == N0 else {})
        q1 = {m: half[m] - q2[m] for m in names}
        flows.update({n: {m: q3[m] for m in names}, n - 1: q2, n - 2: q1})
        cash_at.update({n: q3["cash_end_of_period"], n - 1: q3["cash_beginning_of_period"],
                        n - 3: nine["cash_beginning_of_period"]})
        cash_at[n - 2] = cash_at[n - 3] + sum(q1[m] for m in CASH_FLOWS)
        counts = [(q3[f"weighted_avg_shares_{k}"], nine[f"weighted_avg_shares_{k}"]) for k in ("basic", "diluted")]
        first = [round((3 * y - q) * 0.502) for q, y in counts]  # the first half's quarters: Q1 a bit above Q2
        shares.update({n: tuple(q for q, _ in counts), n - 2: tuple(first),
                       n - 1: tuple(3 * y - q - f for (q, y), f in zip(counts, first, strict=True))})
    return flows, cash_at, shares


def shipped_usd(n: int, quarters: int) -> dict[str, int]:
    """The shipped USD cells of the shipped quarter's period of `quarters` quarters (0: its balance sheet)."""
    if n != N0 or quarters not in (0, 1, 3):
        return {}
    return shipped().get(({0: "instant", 1: "3M", 3: "9M"}[quarters], END, "USD"), {})


# --- quarters, periods, instants -------------------------------------------------------------------


@lru_cache(maxsize=8192)
def balance_leaves(n: int) -> dict[str, int]:
    now, year_end = base()["instants"], shipped()[("instant", YEAR_END, "RMB")]
    if n >= N0:
        leaves = {m: round(v * factor(m, n, 0.04, 0.08)) for m, v in now.items()}
    elif n <= N0 - 3:
        leaves = {m: round(year_end[m] * factor(m, n, 0.04, 0.08) / factor(m, N0 - 3, 0.04, 0.08))
                  for m in now}
    else:  # between the two shipped sheets
        w = (n - (N0 - 3)) / 3
        leaves = {m: round(year_end[m] + (v - year_end[m]) * w) for m, v in now.items()}
    fixed = anchored()[1].get(n)
    if fixed is not None:
        leaves["cash_and_cash_equivalents"] = fixed - leaves["restricted_cash"]
    return leaves


@lru_cache(maxsize=8192)
def balance(n: int) -> dict[str, int]:
    return foot(dict(balance_leaves(n)))


def cash(n: int) -> int:
    fixed = anchored()[1].get(n)
    if fixed is not None:
        return fixed
    leaves = balance_leaves(n)
    return leaves["cash_and_cash_equivalents"] + leaves["restricted_cash"]


@lru_cache(maxsize=8192)
def quarter_leaves(n: int) -> dict[str, int]:
    fixed = anchored()[0].get(n)
    if fixed is not None:
        return dict(fixed)
    leaves = {m: round(v * factor(m, n, 0.03, 0.12)) for m, v in base()["flows"].items()}
    other = leaves["net_cash_operating"] + leaves["net_cash_investing"] + leaves["fx_effect_on_cash"]
    leaves["net_cash_financing"] = cash(n) - cash(n - 1) - other
    return leaves


@lru_cache(maxsize=8192)
def quarter_shares(n: int) -> tuple[int, int]:
    counts = anchored()[2]
    if n in counts:
        return counts[n]
    anchor = N0 if n > N0 else N0 - 4
    basic0, diluted0 = counts[anchor]

    def scaled(value: int, key: str, growth: float, amplitude: float) -> int:
        return round(value * factor(key, n, growth, amplitude) / factor(key, anchor, growth, amplitude))

    basic = scaled(basic0, "shares", -0.02, 0.01)
    return basic, basic + scaled(diluted0 - basic0, "dilution", 0.0, 0.1)


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


def usd(values: dict[str, int], fx: float, printed: dict[str, int] | None = None) -> dict[str, int]:
    """A column translated cell by cell: thousands / fx; per-share figures so that the printed USD
    figure is within half a cent of both the RMB figure / fx and the USD numerator / denominator.
    `printed`: cells a release printed for this column (shipped_usd), which take precedence."""
    out = {m: round(v / fx) for m, v in values.items()}
    if "net_income_attributable" not in values:  # a balance sheet
        return out | (printed or {})
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
    return out | (printed or {})


# --- rates and dates -------------------------------------------------------------------------------


def fx_rate(n: int) -> float:
    return round(FX0 + 0.12 * (math.sin(0.7 * n) - math.sin(0.7 * N0)), 4)


def period_end(n: int) -> date:
    return quarter_end(*year_quarter(n))


def published(n: int) -> date:
    """About seven weeks after the quarter end, on a weekday (2024 Q3 -> 2024-11-19)."""
    day = period_end(n) + timedelta(days=50)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
