"""Issue 7: the shortcuts that make extraction fast give exactly what the plain code gives.

Each fast path is compared with the straightforward version it replaces: the HTML tokenizer with
html.parser, table values computed per cell with the frame expressions, the guarded normalize_line and the
title shortcut with their unguarded forms, the reworded figure regexes with the originals.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qfin_pipeline import catalog
from qfin_pipeline.extract.document import normalize_line, title_statement
from qfin_pipeline.extract.forms import html as page_module
from qfin_pipeline.extract.prose.figures import _TIMES_PHONES, MENTION
from qfin_pipeline.extract.tables import cell_value
from tests import forms
from tests.release_builder import build_release

TEXT = (Path(__file__).resolve().parents[1] / "raw" / "qfin-2024q3-earnings-release.txt").read_text(encoding="utf-8")
PAGES = {
    "html": forms.to_html(TEXT),
    "html-one-line": forms.to_html(TEXT).replace("\n", " "),
    "html-upper-tags": re.sub(r"</?[a-z][a-z0-9]*", lambda m: m.group(0).upper(), forms.to_html(TEXT)),
    "html-no-end-tags": re.sub(r"</(td|tr|p|li)>", "", forms.to_html(TEXT)),
    "html-2025q1": forms.to_html(build_release(2025, 1)),
}


# --- HTML: the fast tokenizer makes html.parser's calls ---------------------------------------------------

class _Recorder(HTMLParser):
    """Records every handler call with its line, under either tokenizer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.newlines, self.at = None, 0

    line = page_module._Page.line

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, attrs, self.line()))

    def handle_endtag(self, tag):
        self.events.append(("end", tag, self.line()))

    def handle_data(self, data):
        self.events.append(("data", data, self.line()))


def _events(text: str, fast: bool) -> list[tuple] | None:
    parser = _Recorder()
    if fast:
        return parser.events if page_module._feed_fast(parser, text, None) else None
    parser.feed(text)
    parser.close()
    return parser.events


_PIECES = [
    "<p>", "</p>", '<td colspan="2">', "<td colspan=3>", "<div class='x y'>", "</div>", "<br/>", "<br />", "<hr>",
    "<sup>", "</sup>", "<script>if (a < b) {}</script>", "<script\n>\nx\n</script\n>", "</SCRIPT >",
    '<style type="text/css">p>q{}</style>',
    "<!-- c -->", "<!-- a -- >", "<!DOCTYPE html>", '<a href="x?a=1&amp;b=2">', "<a href=x/>", "</a>",
    '<img src=a.png alt="">', "<td nowrap>", '<TD CLASS="A">', '<p\nclass="z"\n>', "text", " ", "\n", "&amp;",
    "&nbsp;", "&#160;", "&nbsp", "1,234", "<", ">", "&", '"', "'", "=", "/", "<x", "<?pi?>", "<![CDATA[x]]>",
    "<a b==c>", '<a b="c"d="e">', '<span\xa0class="q">', "</li >", "</ li>", "<p/>", "<a b= 'c'>", "<a b =c>",
    "<a b='>'>", '<a :x="1" data-y=2 _z>', "<a @x=1>", "<!x>", "</>", "<a b=c d>", "<a\tb=c\fd>", "<a b=c\x0b>",
]


@pytest.mark.parametrize("name", list(PAGES))
def test_the_fast_tokenizer_reads_release_pages_as_html_parser_does(name):
    page = PAGES[name]
    fast = _events(page, fast=True)
    assert fast is not None, "a plain newswire page should not need the slow path"
    assert fast == _events(page, fast=False)


def test_the_fast_tokenizer_makes_html_parsers_calls_or_steps_aside():
    rng, compared = random.Random(7), 0
    for _ in range(20_000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12)))
        fast = _events(text, fast=True)
        if fast is not None:
            compared += 1
            assert fast == _events(text, fast=False), text
    assert compared > 4_000


def test_pages_read_the_same_with_either_tokenizer(monkeypatch):
    """Whole pages (attributes filtered for _Page, html_lines' output, its errors) on generated markup."""
    pieces = [
        "<p>", "</p>", '<td colspan="2">', "<td COLSPAN=3>", "<div class='article x'>", '<div id="main-body">',
        "</div>", "<br/>", "<sup>", "</sup>", "1", "*2", "<script>x</script>", "<!-- c -->", '<a class="share">',
        "</a>", "Revenue ", " ", "\n", "&nbsp;", "&amp;", "1,234", "(5.6", ")", "%", "$", "<li>", "</li>", "<table>",
        "</table>", "<tr>", "</tr>", "<th>", "</td>", "<h1>", "</h1>", "<article>", "</article>", '<nav role="nav">',
        "</nav>", '<span itemprop="articleBody">', "</span>", "<header>", "</header>", '<td style="a" id="b">',
    ]

    def read(text: str):
        try:
            return [(ln.number, ln.text, ln.source) for ln in page_module.html_lines(text)]
        except Exception as exc:  # noqa: BLE001 - the same failure either way
            return repr(exc)

    rng = random.Random(11)
    for _ in range(3_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 50)))
        monkeypatch.setattr(page_module, "_FAST_PARSER", True)
        fast = read(text)
        monkeypatch.setattr(page_module, "_FAST_PARSER", False)
        assert fast == read(text), text


# --- tables: per-cell values equal the frame expressions ---------------------------------------------------

@pytest.mark.parametrize(("raw", "hint", "scale", "expected"), [
    ("16,259,330", "currency", 1000, (D("16259330000"), "currency", -3)),
    ("(1,410)", "currency", 1000, (D("-1410000"), "currency", -3)),
    ("-", "currency", 1000, (D(0), "currency", -3)),
    ("26.6%", "currency", 1000, (D("0.266"), "pure", 3)),
    ("12.18", "per_share", 1000, (D("12.18"), "per_share", 2)),
    ("290,601,938", "shares", 1000, (D("290601938"), "shares", 0)),
    ("4.5", "currency", 1_000_000, (D("4500000"), "currency", -5)),
])
def test_cell_values_are_exact(raw, hint, scale, expected):
    assert cell_value(raw, hint, scale) == expected


# --- lines: the guarded normalize_line and the title shortcut ----------------------------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def _normalize_line_plain(raw: str) -> str:
    """normalize_line as first written: every substitution on every line."""
    text = re.sub(r"[\u00a0\u2007\u202f\u2009\u200a]", " ", raw.replace("\ufeff", "").replace("\f", ""))
    text = text.replace("US\\$", "US$").replace("\\$", "$").replace("**", "")
    text = re.sub(r"^\s*([" + _SUPERSCRIPTS + r"]+)\s*",
                  lambda m: m.group(1).translate(str.maketrans(_SUPERSCRIPTS, "0123456789")) + " ", text)
    text = re.sub(r"\^\{\*?\d{1,2}\}|(?<=[A-Za-z)”\"’])\*\d{1,2}\b|(?<=[A-Za-z)”\"’.,])[" + _SUPERSCRIPTS + "]+",
                  "", text)
    text = re.sub(r"^\s*(?:[•·▪●◦*]|-(?!\d))\s+", "- ", text)
    if "\t" in text:
        row = "\t".join(cell.strip() for cell in text.rstrip("\r\n").split("\t")).rstrip("\t")
        return row if "\t" in row else row + "\t"
    return " ".join(text.split())


def test_normalize_line_equals_the_plain_version():
    for line in [*TEXT.splitlines(), *forms.markers(TEXT, "¹").splitlines(), *forms.nbsp(TEXT).splitlines()]:
        assert normalize_line(line) == _normalize_line_plain(line), line
    alphabet = [*"ab Z1 2\t\t  .,)\"”’*^{}-•·▪●◦\\$US\f\ufeff\u00a0\u2007\u202f\u2009\u200a\r\n", *_SUPERSCRIPTS,
                "**", "^{*1}", "^{12}", "US\\$", "\\$", "*3", " - ", "• ", "word"]
    rng = random.Random(3)
    for _ in range(50_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert normalize_line(line) == _normalize_line_plain(line), line


def test_title_shortcut_equals_the_catalog():
    lines = [ln for text in (TEXT, forms.title_case(TEXT)) for ln in text.splitlines()]
    lines += ["UNAUDITED CONDENSED CONSOLIDATED BALANCE SHEETS", "Statements of Cash Flow", "balance sheet",
              "Statement of Operations", "Reconciliations of GAAP and non-GAAP results", "Résumé balance sheets",
              "BALANCE SHEEtſ", "statements of comprehensive loss", ""]
    for line in lines:
        assert title_statement(line) == catalog.statement_for_title(line), line


# --- sentences: the figure regexes reworded for speed match as the originals -----------------------------

def test_figure_regexes_match_as_the_originals():
    originals = [
        (MENTION, re.compile(
            r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[.,:]\d)"
            r"(?P<scale>\s?(?:[Mm]illion|[Bb]illion|[Tt]housand|mn|bn)\b)?(?:(?P<pct>\s?%|\s?percent\b)|"
            r"(?P<unit>\s?(?:months?|days?|years?|hours?|minutes?|calendar\s+days)\b|\s?day\+|[-‐](?=[a-zA-Z])\w+))?",
            re.A)),
        (_TIMES_PHONES, re.compile(r"\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?|\d{1,4}(?:[ -]\(?\d{2,4}\)?){2,}", re.A)),
    ]
    alphabet = [*"0123456789012345678901234567890123456789,.,.:  -%()$", "million", " billion", "months", " days",
                "-day", "percent", "AM", "p.m.", "RMB", "US$", "a", "x", "‐", "calendar days", "day+"]
    rng = random.Random(5)
    texts = TEXT.splitlines() + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
                                 for _ in range(30_000)]
    for fast, original in originals:
        for text in texts:
            assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
                   [(m.span(), m.groups()) for m in original.finditer(text)], text
