"""Releases as QFIN published them over its history: build_release's values and wording, in other forms.

    release(year, quarter, *, name=None, wire=None, date_line=True, exhibit=False, notes="as built",
            millions=False, unknown_line=False, unknown_table=False) -> str

- `name`: the issuer's name printed everywhere the release prints it (headline, dateline, prose, table
  labels such as 'TOTAL 360 FINANCE INC EQUITY'); by default the name of the period (issuer_name).
- `wire`: the dateline: 'globe' (GlobeNewswire, as built), 'prnewswire', 'businesswire' or 'plain' (a
  city and date and no newswire); by default the newswire of the period. `date_line`: the standalone date
  line above it stays (True) or goes. `exhibit`: an 'Exhibit 99.1' label on top, as an EDGAR filing has.
- `notes`: 'as built' or 'varied' (each table's amounts note in another common form; the cash flow
  statement without one, taking the scale the release states elsewhere).
- `millions`: tables in RMB/US$ millions (build_release(millions=True)), notes in varied million forms.
- `unknown_line`: 'Other receivables, net', a line no catalog knows, carved out of 'Prepaid expenses and
  other assets' in the quarter-end balance sheet (its RMB and USD cells: the part, and the rest stays on
  the known line, so total current assets foot in RMB and USD; '-' in the year-end column). A Q4 sheet is
  printed again by the next year's releases, so only Q1..Q3 releases carry it.
- `unknown_table`: 'Unaudited Supplemental Information', a table no catalog knows: share-based
  compensation by the line it is included in, for the quarter and the same quarter a year before (RMB
  and USD), deterministic in (year, quarter) like every other value.
The EDGAR exhibit of any of them: tests/forms.to_edgar(text).
"""

from __future__ import annotations

import re

from tests import release_builder_values as values
from tests.release_builder import build_release
from tests.release_builder_kpis import long_date, month_day
from tests.release_builder_tables import fmt

NAMES = (((2020, 2), "360 Finance, Inc."), ((2022, 4), "360 DigiTech, Inc."), ((9999, 4), "Qifu Technology, Inc."))
WIRES = ("globe", "prnewswire", "businesswire", "plain")
_BUILT_NAME = "Qifu Technology"
_DATELINE = re.compile(r"^SHANGHAI, China, (?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4}) \(GLOBE NEWSWIRE\) -- ", re.M)
_LISTING = "; HKEx: 3660"


def issuer_name(year: int, quarter: int) -> str:
    """The name QFIN published under: 360 Finance, Inc. up to 2020 Q2, 360 DigiTech, Inc. to 2022 Q4."""
    return next(name for last, name in NAMES if (year, quarter) <= last)


def default_wire(year: int, quarter: int) -> str:
    """PR Newswire for the 360 Finance releases, GlobeNewswire after."""
    return "prnewswire" if (year, quarter) <= NAMES[0][0] else "globe"


def rename(text: str, name: str) -> str:
    """The built release under another name, wherever it prints it ('Qifu Technology', 'QIFU TECHNOLOGY')."""
    core = name.removesuffix(", Inc.")
    return text.replace(_BUILT_NAME, core).replace(_BUILT_NAME.upper(), core.upper())


def dateline(text: str, wire: str, *, date_line: bool = True) -> str:
    """The dateline of another newswire (or none), with or without the date line above it."""
    m = _DATELINE.search(text)
    if m is None:
        raise ValueError("no GlobeNewswire dateline to rewrite")
    dated = m.group("date")
    published = values.published(_quarter_index(text))
    lead = {
        "globe": f"SHANGHAI, China, {dated} (GLOBE NEWSWIRE) -- ",
        "prnewswire": f"SHANGHAI, China, {dated} /PRNewswire/ -- ",
        "businesswire": "SHANGHAI, China--(BUSINESS WIRE)--" if date_line else f"SHANGHAI, China, {dated}--(BUSINESS WIRE)--",
        "plain": f"Shanghai, China, {long_date(published)}, ",
    }[wire]
    text = text[: m.start()] + lead + text[m.end():]
    if not date_line:
        text = re.sub(rf"^{re.escape(long_date(published))}\n\n", "", text, count=1, flags=re.M)
    return text


def _quarter_index(text: str) -> int:
    m = re.search(r"(First|Second|Third|Fourth) Quarter(?: and Full Year)? (\d{4})", text)
    return values.qindex(int(m.group(2)), ("First", "Second", "Third", "Fourth").index(m.group(1)) + 1)


_NOTE = re.compile(r"^\(Amounts in (thousands|millions) of [^\n]*\nexcept for number of shares and per share data, "
                   r"or otherwise noted\)\n", re.M)
_THOUSANDS = ("(RMB'000, except for number of shares and per share data)",
              "(Amounts in thousands of Renminbi (\"RMB\") and U.S. dollars (\"US$\"), except per share data)",
              None,  # the cash flow statement: no note of its own
              "(in thousands, except for share and per share data)",
              "(In thousands of RMB and US$, except per share data)")
_MILLIONS = ("(In millions of RMB, except per share data)",
             "(Amounts in millions of Renminbi (\"RMB\") and U.S. dollars (\"US$\"), except per share data)",
             None,
             "(in RMB and US$ millions, except for share and per share data)",
             "(In millions of RMB and US$, except per share data)")


def varied_notes(text: str) -> str:
    """Each table's amounts note in another common form (by table order); the third table has none."""
    forms = iter(_MILLIONS if "Amounts in millions of" in text else _THOUSANDS)

    def note(_: re.Match) -> str:
        form = next(forms, None)
        return "" if form is None else form + "\n"

    return _NOTE.sub(note, text)


def _cells(line: str) -> list[str]:
    return line.split("\t")


def _number(cell: str) -> int:
    return 0 if cell.strip() in ("-", "") else (-1 if cell.startswith("(") else 1) * int(re.sub(r"[^\d]", "", cell))


def with_unknown_line(text: str, year: int, quarter: int) -> str:
    """'Other receivables, net' carved out of 'Prepaid expenses and other assets' at the quarter end."""
    if quarter == 4:
        raise ValueError("a Q4 balance sheet is printed again by later releases: carve a Q1..Q3 one")
    fx = values.fx_rate(values.qindex(year, quarter))
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("Prepaid expenses and other assets\t"))
    label, year_end, rmb, usd = _cells(lines[at])[:4]
    part_rmb = _number(rmb) * 7 // 20
    part_usd = round(part_rmb / fx)
    lines[at] = "\t".join([label, year_end, fmt(_number(rmb) - part_rmb, "currency"),
                           fmt(_number(usd) - part_usd, "currency")])
    lines.insert(at + 1, "\t".join(["Other receivables, net", "-", fmt(part_rmb, "currency"),
                                    fmt(part_usd, "currency")]))
    return "\n".join(lines)


def split_line(text: str, label: str, new_label: str, fx: float, *, share: tuple[int, int] = (2, 5),
               after: bool = True) -> str:
    """A known table line split in two in every column: `new_label` (a line no catalog knows) takes `share`
    of each RMB cell, its USD cell that part / fx; the known line keeps the rest. Its subtotal is unchanged."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(label + "\t"))
    header = next(lines[i] for i in range(at, -1, -1) if lines[i].startswith("\t") and ("RMB" in lines[i]))
    currencies = ["USD" if "USD" in cell else "RMB" for cell in _cells(header)[1:]]
    old, new = [label], [new_label]
    part_rmb = 0
    for cell, currency in zip(_cells(lines[at])[1:], currencies, strict=False):
        value = _number(cell)
        part = round(part_rmb / fx) if currency == "USD" else value * share[0] // share[1]
        part_rmb = part if currency == "RMB" else part_rmb
        old.append(fmt(value - part, "currency") if cell else "")
        new.append(fmt(part, "currency") if cell else "")
    lines[at] = "\t".join(old)
    lines.insert(at + 1 if after else at, "\t".join(new))
    return "\n".join(lines)


SBC_SPLIT = (("Facilitation, origination and servicing", 3), ("Sales and marketing", 2),
             ("General and administrative", 5))  # tenths of the share-based compensation of the quarter


def supplemental(n: int) -> dict[str, int]:
    """Share-based compensation of quarter n by the line it is included in (thousands of RMB), and its total."""
    total = values.period(n, 1)["share_based_compensation"]
    parts = {label: total * tenths // 10 for label, tenths in SBC_SPLIT[:-1]}
    parts[SBC_SPLIT[-1][0]] = total - sum(parts.values())
    return parts | {"Total share-based compensation expenses": total}


def with_unknown_table(text: str, year: int, quarter: int) -> str:
    """A 'Supplemental Information' table (statement 'other') before the non-GAAP reconciliations."""
    n = values.qindex(year, quarter)
    fx = values.fx_rate(n)
    now, before = supplemental(n), supplemental(n - 4)
    rows = [
        "Unaudited Supplemental Information",
        "(Amounts in thousands of Renminbi (“RMB”) and U.S. dollars (“USD”))",
        "",
        f"\tThree months ended {month_day(values.period_end(n))},\t\t",
        f"\t{year - 1}\t{year}\t{year}",
        "\tRMB\tRMB\tUSD",
        "Share-based compensation expenses included in:\t\t\t",
        *("\t".join([label, fmt(before[label], "currency"), fmt(value, "currency"), fmt(round(value / fx), "currency")])
          for label, value in now.items()),
        "",
    ]
    at = re.search(r"^Unaudited Reconciliations of GAAP and Non-GAAP Results$", text, re.M).start()
    return text[:at] + "\n".join(rows) + "\n" + text[at:]


def release(year: int, quarter: int, *, name: str | None = None, wire: str | None = None, date_line: bool = True,
            exhibit: bool = False, notes: str = "as built", millions: bool = False, unknown_line: bool = False,
            unknown_table: bool = False) -> str:
    """The text of the QFIN release of `year`, `quarter` in the form the arguments name (module docstring)."""
    text = build_release(year, quarter, millions=millions)
    if unknown_line:
        text = with_unknown_line(text, year, quarter)
    if unknown_table:
        text = with_unknown_table(text, year, quarter)
    if notes == "varied" or millions:
        text = varied_notes(text)
    if (year, quarter) < (2022, 4):  # listed in Hong Kong since late 2022
        text = text.replace(_LISTING, "")
    text = dateline(text, wire or default_wire(year, quarter), date_line=date_line)
    text = rename(text, name or issuer_name(year, quarter))
    return ("Exhibit 99.1\n\n" + text) if exhibit else text


def release_file(year: int, quarter: int, edgar: bool = False) -> str:
    """A file name: qfin-2021q3-earnings-release.txt, or an EDGAR exhibit's ex99-1 name."""
    return f"qfin-{year}q{quarter}-ex99-1.htm" if edgar else f"qfin-{year}q{quarter}-earnings-release.txt"


__all__ = ["NAMES", "WIRES", "dateline", "default_wire", "issuer_name", "release", "release_file", "rename",
           "split_line", "supplemental", "varied_notes", "with_unknown_line", "with_unknown_table"]
