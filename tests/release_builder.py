"""Generate realistic, internally consistent QFIN earnings releases in the shipped text form.

    build_release(year, quarter, *, form_template=None, restate=None, millions=False) -> str

- Layout and wording: the shipped release raw/qfin-2024q3-earnings-release.txt, or `form_template`
  (the text of another release in that layout: same sentence patterns, any labels the catalog maps).
  The template is parsed once (cached); it never changes a value.
- Values: deterministic functions of (year, quarter) only (tests/release_builder_values.py), so releases
  agree with each other: Q3's 9M + Q4's 3M == Q4's 12M, a prior-year column equals the earlier release's
  own column, the prior Dec 31 balance sheet equals the Q4 release's. Every subtotal of
  catalog/identities.csv foots exactly in every RMB column; USD cells are RMB cell / rate, cell by cell.
- Anchored to the shipped release: build_release(2024, 3) prints every table cell of it exactly (3M and
  9M of 2023 and 2024, both balance sheets, cash beginnings and ends, shares, per-share figures, margins,
  its USD columns as printed), so every other release agrees with the shipped one where they overlap
  (2024 Q4's 12M = shipped 9M + its 3M; 2024 Q1 + Q2 = shipped 9M - shipped Q3; the 2023-12-31 sheet).
  Its prose too, but for the Q4 outlook (from the generated Q4 2024) and one stated change the company
  computed from unrounded balances: 2024 Q2 rounds to its 'prior quarter' figures, and the business
  highlights it states for 2023 Q3 and 2024 Q2 are those quarters' figures (release_builder_kpis.stated).
- Prose: every figure and period restated from the same values (business highlights, financial
  highlights and results with their comparatives, margins, per-ADS, CFO figures, outlook for the next
  quarter, repurchase progress, exchange rate); explanations whose stated direction ('the year-over-year
  decrease ...') no longer holds are dropped. A Q3 release announces next year's repurchase plan.
- `restate`: {metric_id: value in thousands of RMB}. A flow line (income statement, cash flow,
  comprehensive income, non-GAAP leaf, or net_cash_financing) replaces that line in the prior-year
  3M column only; a balance-sheet line replaces it in the prior Dec 31 column. Totals, per-share figures
  and margins of that column are recomputed (so the release still foots), prose comparatives follow.
  Only leaves can be restated (ValueError otherwise); balance-sheet changes land in company equity.
- `millions`: currency table cells in RMB/US$ millions to one decimal (half away from zero) and each
  amounts note saying so; the same values, printed less precisely.
- Other forms of the same release (the issuer's name by period, datelines, an exhibit label, amounts
  notes, a line or a table no catalog knows): tests/release_builder_forms.py; the EDGAR exhibit:
  tests/forms.to_edgar.
- Per-share: EPS = net income attributable / weighted shares (half up, 2 dp), per-ADS = ADS ratio × EPS;
  USD EPS = round(net income attributable / (shares × rate)) and USD per-ADS = round(RMB per-ADS / rate),
  the one choice that passes both the usd_translation and ratios checks within their tolerances.
- Limits: any year generates, but the extractor reads table header years only as 19xx/20xx, so releases
  for 1901..2099 (796 distinct quarters) are readable. Outside 2023 Q1..Q3 and 2024 Q1..Q3 the financing
  cash flow is a plug.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from qfin_pipeline.extract import read_document
from tests import release_builder_kpis as kpis
from tests import release_builder_values as values
from tests.release_builder_prose import compile_line, period_rule
from tests.release_builder_tables import compile_tables

__all__ = ["build_release", "release_name"]


class Release:
    """What the line renderers read: the release's periods, columns, KPIs and wording helpers."""

    def __init__(self, year: int, quarter: int, restate: dict[str, int] | None, millions: bool = False):
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1..4, not {quarter!r}")
        self.y, self.q, self.n = year, quarter, values.qindex(year, quarter)
        self.fx = values.fx_rate(self.n)
        self.qe, self.pqe = values.period_end(self.n), values.period_end(self.n - 1)
        self.qe_py = values.period_end(self.n - 4)
        self.pub: date = values.published(self.n)
        self.restate = dict(restate or {})
        self.millions = millions
        unknown = set(self.restate) - values.restatable()
        if unknown:
            known = sorted(values.restatable())
            raise ValueError(f"cannot restate {sorted(unknown)}: only leaf lines ({known})")
        self._cols: dict[str, dict[str, int]] = {}
        self._columns: dict[tuple[str, bool], dict[str, int]] = {}

    def col(self, role: str) -> dict[str, int]:
        if role not in self._cols:
            n, q = self.n, self.q
            stock = {m: v for m, v in self.restate.items() if m in values.base()["instants"]}
            flows = {m: v for m, v in self.restate.items() if m not in stock}
            self._cols[role] = {
                "3M": lambda: values.period(n, 1),
                "3M_py": lambda: values.restated_period(n - 4, 1, flows) if flows else values.period(n - 4),
                "3M_pq": lambda: values.period(n - 1, 1),
                "YTD": lambda: values.period(n, q),
                "YTD_py": lambda: values.period(n - 4, q),
                "BS": lambda: values.balance(n),
                "BS_ye": lambda: values.restated_balance(n - q, stock) if stock else values.balance(n - q),
            }[role]()
        return self._cols[role]

    def usd_col(self, role: str) -> dict[str, int]:
        return self.column((role, True))

    def column(self, spec: tuple[str, bool]) -> dict[str, int]:
        """A table column: (role, in USD) -> metric -> value."""
        found = self._columns.get(spec)
        if found is None:
            role, in_usd = spec
            found = values.usd(self.col(role), self.fx, self._printed_usd(role)) if in_usd else self.col(role)
            self._columns[spec] = found
        return found

    def _printed_usd(self, role: str) -> dict[str, int]:
        """The shipped quarter's own USD columns as printed (they foot in USD: not cell / rate throughout)."""
        quarters = {"3M": 1, "YTD": self.q, "BS": 0}.get(role)
        return {} if quarters is None else values.shipped_usd(self.n, quarters)

    def kpi(self, key: str, offset: int):
        return kpis.kpis(self.n + offset)[key]

    def cash_total(self) -> int:
        """Cash and cash equivalents, restricted cash, security deposits and short-term investments."""
        bs = self.col("BS")
        return sum(bs[m] for m in ("cash_and_cash_equivalents", "restricted_cash", "security_deposit_prepaid",
                                   "short_term_investments"))

    def plan(self, year: int) -> tuple[int, str, str]:
        return kpis.plan(year)

    def progress(self) -> tuple[str, str, str]:
        return kpis.repurchase_progress(self.n)

    def outlook(self) -> dict[str, str]:
        return kpis.outlook(self.n)

    def call(self) -> dict[str, str]:
        return kpis.call_times(self.pub)


@lru_cache(maxsize=8)
def _compile(template: str) -> tuple[list, str]:
    """Template text -> one item per line: a fixed string or a renderer of a Release."""
    doc = read_document(template.encode(), "template.txt", "")
    raw_lines = template.splitlines()
    tables = compile_tables(raw_lines, doc)
    periods = period_rule(doc.info)
    state = {"group": "credit_driven_services"}
    items = [tables.get(i) or compile_line(raw, state, periods) for i, raw in enumerate(raw_lines)]
    return items, "\n" if template.endswith(("\n", "\r")) else ""


@lru_cache(maxsize=1)
def _shipped() -> str:
    return values.SHIPPED.read_text(encoding="utf-8")


def build_release(year: int, quarter: int, *, form_template: str | None = None,
                  restate: dict[str, int] | None = None, millions: bool = False) -> str:
    """The full text of the QFIN release for fiscal `year`, `quarter` (see the module docstring)."""
    items, tail = _compile(form_template if form_template is not None else _shipped())
    release = Release(year, quarter, restate, millions)
    out: list[str] = []
    skip_blank = False
    for item in items:
        line = item if isinstance(item, str) else item(release)
        if line is None:  # a dropped line takes one following blank line with it
            skip_blank = True
            continue
        if skip_blank and not line.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(line)
    text = "\n".join(out) + tail
    return text.replace("Amounts in thousands of", "Amounts in millions of") if millions else text


def release_name(year: int, quarter: int) -> str:
    """A file name for a generated release: qfin-2025q1-earnings-release.txt."""
    return f"qfin-{year}q{quarter}-earnings-release.txt"
