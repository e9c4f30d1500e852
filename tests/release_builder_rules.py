"""The sentence patterns of a QFIN release whose figures the generator restates (see release_builder_prose).

RULES: (pattern, build, keep): build(match, state) -> {group: slot}; a slot is a function of the release
context returning the group's new text; keep(release) False drops the line (Q3-only repurchase news).
HIGHLIGHTS: (pattern, figures in order, stated changes) of the business highlights and their footnotes.
"""

from __future__ import annotations

import re

from tests.release_builder_kpis import ORDINALS, billions, long_date
from tests.release_builder_prose import cents, column_slot, fin_sentence, metric_of, permille

_M = r"-?[\d,]+\.\d"  # RMB4,370.2 million
_D = r"[A-Z][a-z]+ \d{1,2}, \d{4}"  # November 19, 2024
_USD = r"US\\?\$"
_MARK = r"(?:\^\{\*?\d+\})?"


def _dollar(m: re.Match) -> str:
    return "US\\$" if "US\\$" in m.group(0) else "US$"


def _in_q3(text):
    return lambda c: text(c) if c.q == 3 else ""


def _title(m, st):
    def quarter(c):
        if c.q == 4:
            return f"Fourth Quarter and Full Year {c.y}"
        return f"{ORDINALS[c.q - 1].title()} Quarter {c.y}"

    def plan(c):
        size = c.plan(c.y + 1)[0]
        return f" and Launches A New {_dollar(m)}{size} Million Share Repurchase Plan for {c.y + 1}"

    return {"qp": quarter, "plan": _in_q3(plan)}


def _launched(m, st):
    return {"v": _in_q3(lambda c: f" and launched a new {_dollar(m)}{c.plan(c.y + 1)[0]} million share "
                                  f"repurchase plan for {c.y + 1}")}


def _margin(m, st):
    return {"v": column_slot("3M", metric_of(m.group("lead"), st), permille)}


def _per_ads(m, st):
    metric = metric_of(m.group("lead"), st)
    return {"cur": column_slot("3M", metric, cents), "usd": column_slot("3M", metric, cents, usd=True),
            "py": column_slot("3M_py", metric, cents)}


def _ads_count(m, st):
    metric = f"weighted_avg_ads_{m.group('kind')}"
    return {"v": lambda c: f"{c.col('3M')[metric] / 1e6:,.2f}"}


def _bn(metric):
    return lambda m, st: {"v": lambda c: billions(c.col("3M")[metric])}


def _new_plan_sentence(m, st):
    def text(c):
        return re.sub(r"\d+ million share repurchase program for \d{4}",
                      f"{c.plan(c.y + 1)[0]} million share repurchase program for {c.y + 1}", m.group("v"))
    return {"v": _in_q3(text)}


def _from(source, groups):
    return lambda m, st: {g: (lambda c, g=g: source(c)[g]) for g in groups}


def _q3_only(c) -> bool:
    return c.q == 3


RULES = [(re.compile(p), build, keep) for p, build, keep in [
    (r"Announces (?P<qp>(?:First|Second|Third|Fourth) Quarter(?: and Full Year)? \d{4}) Unaudited Financial "
     rf"Results(?P<plan> and Launches A New {_USD}\d+ Million Share Repurchase Plan for \d{{4}})?",
     _title, None),
    (rf"(?P<v> and launched a new {_USD}\d+ million share repurchase plan for \d{{4}})", _launched, None),
    (rf"(?P<lead>[A-Z][\w ,\-^{{}}*]*?) (?:was|were) RMB ?(?P<cur>{_M}) million \({_USD}(?P<usd>{_M}) "
     rf"million\), compared to RMB ?(?P<py>{_M}) million in the same period of \d{{4}}"
     rf"(?:,? and RMB ?(?P<pq>{_M}) million in the prior quarter)?\.(?P<rest>.*)$", fin_sentence, None),
    (r"(?P<lead>(?:\*\*)?(?:Non-GAAP )?(?:[Oo]perating|[Nn]et income) margin(?:\*\*)?) was (?P<v>-?\d+\.\d)%",
     _margin, None),
    (r"(?P<lead>(?:Non-GAAP )?[Nn]et income per fully diluted (?:ADS|American depositary share \(“ADS”\))) "
     rf"was RMB(?P<cur>-?\d+\.\d\d) \({_USD}(?P<usd>-?\d+\.\d\d)\)"
     r"(?:, compared to RMB(?P<py>-?\d+\.\d\d) in the same)?", _per_ads, None),
    (r"Weighted average (?P<kind>basic|diluted) ADS used in calculating .*? was (?P<v>[\d,]+\.\d\d) million",
     _ads_count, None),
    (r"Total net revenue was RMB(?P<v>\d+\.\d\d) billion", _bn("total_net_revenue"), None),
    (r"Non-GAAP net income was RMB(?P<v>\d+\.\d\d) billion", _bn("non_gaap_net_income"), None),
    (r"approximately RMB(?P<v>\d+\.\d\d) billion cash from operations", _bn("net_cash_operating"), None),
    (rf"cash equivalent{_MARK} was approximately RMB(?P<v>\d+\.\d\d) billion",
     lambda m, st: {"v": lambda c: billions(c.cash_total())}, None),
    (rf"execute the {_USD}(?P<v>\d+) million share repurchase program",
     lambda m, st: {"v": lambda c: str(c.plan(c.y)[0])}, None),
    (rf"(?P<v> The newly approved {_USD}\d+ million share repurchase program for \d{{4}}[^”\"]*)",
     _new_plan_sentence, None),
    (rf"Day-1 delinquency rate{_MARK} was (?P<a>\d+\.\d)%, and 30-day collection rate{_MARK} was "
     r"approximately (?P<b>\d+\.\d)%",
     _from(lambda c: {"a": f"{c.kpi('day1', 0):.1f}", "b": f"{c.kpi('coll30', 0):.1f}"}, "ab"), None),
    (r"for the (?P<quarter>(?:first|second|third|fourth) quarter of \d{4}), the Company expects to generate "
     r"a net income between RMB(?P<ni_low>\d+\.\d\d) billion and RMB(?P<ni_high>\d+\.\d\d) billion and a "
     rf"non-GAAP net income{_MARK} between RMB(?P<ng_low>\d+\.\d\d) billion and RMB(?P<ng_high>\d+\.\d\d) "
     r"billion, (?P<growth>representing a year-on-year growth between -?\d+% and -?\d+%)",
     _from(lambda c: c.outlook(), ("quarter", "ni_low", "ni_high", "ng_low", "ng_high", "growth")), None),
    (r"^Update on Share Repurchase Plan of (?P<v>\d{4})$", lambda m, st: {"v": lambda c: str(c.y)}, None),
    (rf"^On (?P<a>{_D}), the Company's board of directors approved a share repurchase plan .*?up to "
     rf"{_USD}(?P<s>\d+) million during the 12-month period from (?P<b>{_D})\.",
     _from(lambda c: dict(zip("sab", map(str, c.plan(c.y)), strict=True)), "sab"), None),
    (rf"approximately (?P<a>\d+\.\d) million ADSs .*?approximately {_USD}(?P<b>[\d,]+) million .*?"
     rf"average price of {_USD}(?P<c>\d+\.\d) per ADS",
     _from(lambda c: dict(zip("abc", c.progress(), strict=True)), "abc"), None),
    (rf"^New {_USD}(?P<s>\d+) Million Share Repurchase Plan of (?P<y>\d{{4}})$",
     lambda m, st: {"s": lambda c: str(c.plan(c.y + 1)[0]), "y": lambda c: str(c.y + 1)}, _q3_only),
    (rf"^On (?P<d>{_D}), the Company's board of directors approved a new share repurchase plan .*?up to "
     rf"{_USD}(?P<s>\d+) million .*?starting from (?P<b>January 1, \d{{4}})\.",
     lambda m, st: {"d": lambda c: long_date(c.pub), "s": lambda c: str(c.plan(c.y + 1)[0]),
                    "b": lambda c: f"January 1, {c.y + 1}"}, _q3_only),
    (rf"on (?P<w1>[A-Z][a-z]+day), (?P<d1>{_D}) \((?P<t>\d{{1,2}}:\d\d [AP]M) Beijing Time on "
     rf"(?P<w2>[A-Z][a-z]+day), (?P<d2>{_D})\)",
     _from(lambda c: c.call(), ("w1", "d1", "t", "w2", "d2")), None),
    (r"rate of RMB ?(?P<v>\d+\.\d{4}) to US", lambda m, st: {"v": lambda c: f"{c.fx:.4f}"}, None),
]]


def _both(key: str) -> list[tuple[str, str]]:
    return [(key, key + "@py"), (key, key + "@pq")]


def _now_and_before(key: str) -> list[str]:
    return [key, key + "@py", key + "@pq"]


HIGHLIGHTS = [(re.compile(p), keys, pairs) for p, keys, pairs in [
    (r"platform has connected", ["partners", "users", "users@py"], [("users", "users@py")]),
    (r"^- Cumulative users with approved credit lines", ["approved", "approved@py"],
     [("approved", "approved@py")]),
    (r"^- Cumulative borrowers with successful drawdown", ["borrowers", "borrowers@py"],
     [("borrowers", "borrowers@py")]),
    (r"partners originated [\d,]+ loans", ["loans"], []),
    (r"^- Total facilitation and origination loan volume",
     [*_now_and_before("vol"), "light", "light_share", "light@py", "light@pq"],
     _both("vol") + _both("light")),
    (r"^- Loan facilitation volume of intended discontinued", _now_and_before("disc"), _both("disc")),
    (r"^- Total outstanding loan balance", _now_and_before("bal") + _now_and_before("lbal"),
     _both("bal") + _both("lbal")),
    (r"^- Outstanding loan balance of intended discontinued", _now_and_before("dbal"), _both("dbal")),
    (r"^- The weighted average contractual tenor", ["tenor", "tenor@py"], []),
    (r"^- 90 day\+ delinquency rate", ["dq90"], []),
    (r"^- Repeat borrower contribution", ["repeat"], []),
    (r"^\d+ Including [\d,]+ loans", ["vpocket", "other_loans"], []),
    (r"Loan facilitation volume through .ICE. was", ["ice"], []),
    (r"through total technology solutions was RMB", ["tts"], []),
    (r"outstanding loan balance was RMB[\d,]+ million for", ["ice_bal", "tts_bal"], []),
    (r"accounted for nearly \d+%", ["nearly"], []),
]]
