"""Operating KPIs, share-repurchase progress, outlook ranges and date wording of a generated release.

All deterministic functions of the quarter index n (see release_builder_values); rounded to the precision
the release prints, so stated changes recomputed from them are exact to the printed figures.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import cache, lru_cache

from tests.release_builder_values import N0, SHIPPED, factor, period, published, qindex, trend, year_quarter

ORDINALS = ("first", "second", "third", "fourth")
_AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
              "Dec.")


@lru_cache(maxsize=4096)
def long_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def ap_date(d: date) -> str:
    return f"{_AP_MONTHS[d.month - 1]} {d.day}, {d.year}"


def month_day(d: date) -> str:
    return f"{d:%B} {d.day}"


def _cumulative(base: float, n: int, growth: float) -> float:
    """A cumulative count: never decreases from one quarter to the next."""
    return base * math.exp(trend(n, growth))


@lru_cache(maxsize=8192)
def kpis(n: int) -> dict[str, float | int]:
    """Business-highlight figures of quarter n, each rounded as printed."""
    def share(key: str, ratio: float, amplitude: float) -> float:
        return min(0.95, ratio * factor(key, n, 0.0, amplitude))

    k: dict[str, float | int] = {
        "partners": round(_cumulative(162, n, 0.04)),
        "users": round(_cumulative(254.3, n, 0.11), 1),
        "approved": round(_cumulative(55.2, n, 0.115), 1),
        "borrowers": round(_cumulative(33.1, n, 0.118), 1),
        "loans": round(23_042_303 * factor("loans", n, 0.06, 0.12)),
        "vol": round(82_436 * factor("vol", n, 0.06, 0.12)),
        "disc": round(17_145 * factor("disc", n, 0.02, 0.15)),
        "bal": round(127_727 * factor("bal", n, 0.05, 0.08)),
        "dbal": round(31_901 * factor("dbal", n, 0.02, 0.12)),
        "tenor": round(10.12 * factor("tenor", n, 0.0, 0.05), 2),
        "dq90": round(2.72 * factor("dq90", n, 0.0, 0.1), 2),
        "repeat": round(min(99.0, 93.8 * factor("repeat", n, 0.0, 0.02)), 1),
        "day1": round(4.6 * factor("day1", n, 0.0, 0.1), 1),
        "coll30": round(min(99.0, 87.4 * factor("coll30", n, 0.0, 0.02)), 1),
    }
    fixed = stated().get(n, {})
    k.update((key, v) for key, v in fixed.items() if key in k)

    def put(key: str, value: float) -> None:
        k[key] = fixed.get(key, value)

    put("vpocket", round(k["loans"] * share("vpocket", 3_298_567 / 23_042_303, 0.1)))
    put("other_loans", k["loans"] - k["vpocket"])
    put("light", round(k["vol"] * share("light", 45_396 / 82_436, 0.08)))
    put("light_share", round(100 * k["light"] / k["vol"], 1))
    put("nearly", math.ceil(100 * k["light"] / k["vol"]))
    put("ice", round(k["light"] * share("ice", 29_635 / 45_396, 0.05)))
    put("tts", round(k["light"] * share("tts", 761 / 45_396, 0.2)))
    put("lbal", round(k["bal"] * share("lbal", 74_078 / 127_727, 0.06)))
    put("ice_bal", round(k["lbal"] * share("ice_bal", 42_898 / 74_078, 0.05)))
    put("tts_bal", round(k["lbal"] * share("tts_bal", 1_544 / 74_078, 0.2)))
    return k


@cache
def stated() -> dict[int, dict[str, float | int]]:
    """Quarter index -> the business-highlight figures the shipped release states for it (its own quarter,
    'the same period of 2023', 'the prior quarter'), read with the patterns the generator rewrites them by:
    those quarters' figures are the stated ones, so releases for them agree with the shipped prose."""
    from tests.release_builder_prose import highlight_figures  # both import this module
    from tests.release_builder_rules import HIGHLIGHTS

    offsets = {"": 0, "py": -4, "pq": -1}
    out: dict[int, dict[str, float | int]] = {}
    for line in SHIPPED.read_text(encoding="utf-8").splitlines():
        for pattern, keys, pairs in HIGHLIGHTS:
            if not pattern.search(line):
                continue
            for figure, key in zip(highlight_figures(line, len(keys), len(pairs))[0], keys, strict=True):
                name, _, when = key.partition("@")
                text = figure.group(0).replace(",", "")
                out.setdefault(N0 + offsets[when], {})[name] = float(text) if "." in text else int(text)
    return out


def change_phrase(current: float, prior: float, decimals: int = 1) -> str:
    """'an increase of 11.6%' / 'a decrease of 14.9%' from the printed figures."""
    pct = 100 * (current - prior) / prior if prior else 0.0
    word = "an increase" if pct >= 0 else "a decrease"
    return f"{word} of {abs(pct):.{decimals}f}%"


# --- share repurchase ------------------------------------------------------------------------------


def plan(year: int) -> tuple[int, str, str]:
    """The share repurchase plan for `year`: (US$ million, approved on, runs from)."""
    if year == 2024:
        return 350, "March 12, 2024", "April 1, 2024"
    size = {2025: 450}.get(year, 300 + 50 * (year % 4))
    return size, long_date(published(qindex(year - 1, 3))), f"January 1, {year}"


def repurchase_progress(n: int) -> tuple[str, str, str]:
    """(million ADSs, US$ million, average US$ price) bought under the year's plan by publication."""
    year, quarter = year_quarter(n)
    done = (0.3, 0.55, 0.85, 0.97)[quarter - 1] * plan(year)[0] * factor("buyback", n, 0.0, 0.02)
    price = round(21.7 * factor("ads_price", n, 0.08, 0.15), 1)
    amount = round(done)
    return f"{amount / price:.1f}", f"{amount:,}", f"{price:.1f}"


# --- outlook -----------------------------------------------------------------------------------------


def billions(thousands: int) -> str:
    """Thousands of RMB -> 'x.xx' billions, half up."""
    hundredths = (2 * thousands + 10_000) // 20_000
    sign = "-" if hundredths < 0 else ""
    return f"{sign}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"


def outlook(n: int) -> dict[str, str]:
    """Next quarter's net income and non-GAAP net income ranges (RMB billion) and the stated growth."""
    nxt = n + 1
    values, prior = period(nxt, 1), period(nxt - 4, 1)
    out: dict[str, str] = {}
    for key, metric in (("ni", "net_income"), ("ng", "non_gaap_net_income")):
        low = math.floor(values[metric] * 0.97 / 50_000) * 50_000
        out[f"{key}_low"], out[f"{key}_high"] = billions(low), billions(low + 100_000)
    base = prior["non_gaap_net_income"]
    lo, hi = (round(100 * (b - base) / abs(base)) for b in (low, low + 100_000))  # low: the non-GAAP range
    out["growth"] = f"representing a year-on-year growth between {lo}% and {hi}%"  # signed, as the extractor reads
    y, q = year_quarter(nxt)
    out["quarter"] = f"{ORDINALS[q - 1]} quarter of {y}"
    return out


# --- conference call ---------------------------------------------------------------------------------


def _us_dst(d: date) -> bool:
    def nth_sunday(month: int, nth: int) -> date:
        first = date(d.year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))
    return nth_sunday(3, 2) <= d < nth_sunday(11, 1)


def call_times(pub: date) -> dict[str, str]:
    nxt = pub + timedelta(days=1)
    return {"w1": f"{pub:%A}", "d1": long_date(pub), "t": "7:30 AM" if _us_dst(pub) else "8:30 AM",
            "w2": f"{nxt:%A}", "d2": long_date(nxt)}
