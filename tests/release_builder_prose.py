"""The template's prose lines -> renderers that restate every figure and period for a release.

A rule (tests/release_builder_rules.py) is a regular expression over a raw template line whose named
groups become slots: functions of the release context. Lines no rule touches print as in the template;
periods (quarter names, quarter ends, publication date, 'the same period of YYYY') are rewritten everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qfin_pipeline.extract.document import ReleaseInfo
from qfin_pipeline.extract.periods import add_months
from tests.release_builder_kpis import ORDINALS, ap_date, change_phrase, long_date

Slot = Callable[[object], "str | None"]
_MARKER = re.compile(r"\^\{\*?\d{1,2}\}|\*\*")
_LEADS = {  # the subject of a prose sentence -> its metric
    "total net revenue": "total_net_revenue",
    "net revenue from credit driven services": "credit_driven_services",
    "loan facilitation and servicing fees-capital heavy": "loan_facilitation_fees_capital_heavy",
    "financing income": "financing_income",
    "revenue from releasing of guarantee liabilities": "revenue_from_guarantee_release",
    "net revenue from platform services": "platform_services",
    "loan facilitation and servicing fees-capital light": "loan_facilitation_fees_capital_light",
    "referral services fees": "referral_services_fees",
    "total operating costs and expenses": "total_operating_costs",
    "facilitation, origination and servicing expenses": "facilitation_origination_servicing",
    "funding costs": "funding_costs",
    "sales and marketing expenses": "sales_and_marketing",
    "general and administrative expenses": "general_and_administrative",
    "provision for loans receivable": "provision_loans_receivable",
    "provision for financial assets receivable": "provision_financial_assets_receivable",
    "provision for accounts receivable and contract assets": "provision_accounts_receivable_contract_assets",
    "provision for contingent liability": "provision_contingent_liabilities",
    "provision for contingent liabilities": "provision_contingent_liabilities",
    "income from operations": "income_from_operations",
    "non-gaap income from operations": "non_gaap_income_from_operations",
    "income before income tax expense": "income_before_tax",
    "net income": "net_income",
    "non-gaap net income": "non_gaap_net_income",
    "net income attributed to the company": "net_income_attributable",
    "non-gaap net income attributed to the company": "non_gaap_net_income_attributable",
    "operating margin": "operating_margin",
    "non-gaap operating margin": "non_gaap_operating_margin",
    "net income margin": "net_income_margin",
    "non-gaap net income margin": "non_gaap_net_income_margin",
    "net income per fully diluted ads": "eps_ads_diluted",
    'net income per fully diluted american depositary share ("ads")': "eps_ads_diluted",
    "non-gaap net income per fully diluted ads": "non_gaap_eps_ads_diluted",
}
_OTHER_FEES = {"credit_driven_services": "credit_other_services_fees",
               "platform_services": "platform_other_services_fees"}


def millions(thousands: int) -> str:
    """Thousands -> '4,370.2' (RMB million, half up)."""
    tenths = (2 * thousands + 100) // 200
    return f"{'-' if tenths < 0 else ''}{abs(tenths) // 10:,}.{abs(tenths) % 10}"


def cents(value: int) -> str:
    return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"


def permille(value: int) -> str:
    return f"{'-' if value < 0 else ''}{abs(value) // 10}.{abs(value) % 10}"


def metric_of(lead: str, state: dict) -> str:
    """A sentence's subject -> metric ('Other services fees' belongs to the revenue group last named)."""
    key = _MARKER.sub("", lead).replace("“", '"').replace("”", '"').strip(" -").lower()
    if key == "other services fees":
        return _OTHER_FEES[state["group"]]
    if key not in _LEADS:
        raise ValueError(f"template sentence about {lead!r}: no metric known")
    if _LEADS[key] in _OTHER_FEES:
        state["group"] = _LEADS[key]
    return _LEADS[key]


def column_slot(role: str, metric: str, show: Callable[[int], str], usd: bool = False) -> Slot:
    return lambda c: show((c.usd_col(role) if usd else c.col(role))[metric])


def _directions(rest: str) -> tuple[str | None, str | None]:
    yoy = re.search(r"year-over-year (?:and sequential )?(increase|decrease)", rest)
    seq = re.search(r"(?:sequential|year-over-year and sequential) (increase|decrease)", rest)
    return (yoy.group(1) if yoy else None), (seq.group(1) if seq else None)


def fin_sentence(m: re.Match, state: dict) -> dict[str, Slot]:
    """'X was RMB… million (US$… million), compared to RMB… in the same period of Y[ and … prior quarter].'

    The explanation after it stays only while its stated directions still hold."""
    metric = metric_of(m.group("lead"), state)
    yoy, seq = _directions(m.group("rest") or "")
    seq = seq if m.group("pq") else None

    def rest(c) -> str:
        now, py, pq = (float(millions(c.col(r)[metric]).replace(",", "")) for r in ("3M", "3M_py", "3M_pq"))
        ok = all(word is None or ((word == "increase") == (now > other) and now != other)
                 for word, other in ((yoy, py), (seq, pq)))
        return m.group("rest") if ok else ""

    roles = {"cur": "3M", "py": "3M_py", "pq": "3M_pq"}
    slots = {group: column_slot(role, metric, millions) for group, role in roles.items()}
    return slots | {"usd": column_slot("3M", metric, millions, usd=True), "rest": rest}


_FIGURE = re.compile(  # a highlight figure: 254.3 million, 23,042,303 loans, 2.72%, 10.12 months
    r"(?<![\d.,{*])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?=%| million| billion| months| loans| financial)")


def kpi_spans(keys: list[str], pairs: list[tuple[str, str]]) -> Callable[[str], list[tuple[int, int, Slot]]]:
    """A business highlight: its figures in order (key, key@py a year before, key@pq a quarter before)
    and its stated changes ('an increase of 11.6%') recomputed from the printed figures."""
    def kpi(c, key: str):
        name, _, when = key.partition("@")
        return c.kpi(name, {"": 0, "py": -4, "pq": -1}[when])

    def figure(key: str, decimals: int) -> Slot:
        return lambda c: f"{kpi(c, key):,.{decimals}f}"

    def change(a: str, b: str, decimals: int) -> Slot:
        return lambda c: change_phrase(kpi(c, a), kpi(c, b), decimals)

    def spans(line: str) -> list[tuple[int, int, Slot]]:
        nums, pcts = highlight_figures(line, len(keys), len(pairs))
        out = [(t.start(), t.end(), figure(key, len(t.group(1) or "")))
               for t, key in zip(nums, keys, strict=True)]
        return out + [(p.start(), p.end(), change(a, b, len(p.group(1))))
                      for p, (a, b) in zip(pcts, pairs, strict=True)]

    return spans


def highlight_figures(line: str, figures: int, changes: int) -> tuple[list[re.Match], list[re.Match]]:
    """A highlight line's figures and its stated changes, in order (ValueError unless as many as expected)."""
    pcts = list(re.finditer(r"(?:an increase|a decrease) of \d+\.(\d+)%", line))
    nums = [t for t in _FIGURE.finditer(line) if not any(p.start() <= t.start() < p.end() for p in pcts)]
    if len(nums) != figures or len(pcts) != changes:
        raise ValueError(f"highlight line does not have the expected figures: {line[:60]!r}")
    return nums, pcts


def period_rule(info: ReleaseInfo) -> tuple[re.Pattern, dict[str, Slot]]:
    """The template's own period wording -> the release's."""
    y0, q0, end0 = info.fiscal_year, info.fiscal_quarter, info.period_end
    word = ORDINALS[q0 - 1]
    table: dict[str, Slot] = {
        f"{word.title()} Quarter {y0}": lambda c: f"{ORDINALS[c.q - 1].title()} Quarter {c.y}",
        f"{word} quarter of {y0}": lambda c: f"{ORDINALS[c.q - 1]} quarter of {c.y}",
        f"{word} quarter": lambda c: f"{ORDINALS[c.q - 1]} quarter",
        long_date(end0): lambda c: long_date(c.qe),
        long_date(add_months(end0, -12)): lambda c: long_date(c.qe_py),
        long_date(add_months(end0, -3)): lambda c: long_date(c.pqe),
        f"same period of {y0 - 1}": lambda c: f"same period of {c.y - 1}",
        long_date(info.published_on): lambda c: long_date(c.pub),
        ap_date(info.published_on): lambda c: ap_date(c.pub),
    }
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    return pattern, table


def compile_line(raw: str, state: dict, periods: tuple[re.Pattern, dict[str, Slot]]) -> str | Callable:
    """One prose line -> itself (nothing to restate) or a renderer (returning None drops the line)."""
    from tests.release_builder_rules import HIGHLIGHTS, RULES

    spans: list[tuple[int, int, Slot]] = []
    keeps = []

    def add(start: int, end: int, slot: Slot) -> None:
        if start < end and not any(s < end and start < e for s, e, _ in spans):
            spans.append((start, end, slot))

    for pattern, build, keep in RULES:
        for m in pattern.finditer(raw):
            keeps += [keep] if keep else []
            for group, slot in build(m, state).items():
                if m.group(group) is not None:
                    add(m.start(group), m.end(group), slot)
    for pattern, keys, pairs in HIGHLIGHTS:
        if pattern.search(raw):
            for span in kpi_spans(keys, pairs)(raw):
                add(*span)
    pattern, table = periods
    for m in pattern.finditer(raw):
        add(m.start(), m.end(), table[m.group(0)])
    if not spans:
        return raw
    pieces: list[str] = []  # the fixed text, with a '' where each slot goes
    slots: list[tuple[int, Slot]] = []
    at = 0
    for start, end, slot in sorted(spans, key=lambda s: s[0]):
        pieces.append(raw[at:start])
        slots.append((len(pieces), slot))
        pieces.append("")
        at = end
    pieces.append(raw[at:])

    def render(c) -> str | None:
        if keeps and not all(keep(c) for keep in keeps):
            return None
        out = pieces.copy()
        for i, slot in slots:
            out[i] = slot(c)
        return "".join(out)

    return render
