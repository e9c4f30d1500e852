"""The logical line every form reader yields: table cells tab-separated, footnote markers removed."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line of the raw file where this text stands
    text: str  # normalized text: table cells tab-separated, footnote markers removed
    source: str  # the raw line as printed (becomes facts.source_text)


# Footnote markers as the newswire prints them: ^{*12}, ^{12}, *12 after a word, or superscript digits.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TABLE = str.maketrans(_SUPERSCRIPTS, "0123456789")
_MARKER = re.compile(r"\^\{\*?\d{1,2}\}|(?<=[A-Za-z)”\"’])\*\d{1,2}\b|(?<=[A-Za-z)”\"’.,])[" + _SUPERSCRIPTS + "]+")
_LEADING_SUP = re.compile(r"^\s*([" + _SUPERSCRIPTS + r"]+)\s*")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦*]|-(?!\d))\s+")
_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a]")
_HAS_SUP = re.compile("[" + _SUPERSCRIPTS + "]")
_BULLET_CHARS = frozenset("•·▪●◦*-")  # what _BULLET can start with


def normalize_line(raw: str) -> str:
    """One printed line -> the canonical text form the extractors read."""
    # Each substitution runs only where the characters it needs occur (plain ASCII lines skip most).
    text = raw
    if not text.isascii():
        text = _SPACES.sub(" ", text.replace("\ufeff", ""))
    if "\f" in text:
        text = text.replace("\f", "")
    if "\\" in text:
        text = text.replace("US\\$", "US$").replace("\\$", "$")
    if "**" in text:
        text = text.replace("**", "")
    sup = not text.isascii() and _HAS_SUP.search(text)
    if sup:
        text = _LEADING_SUP.sub(lambda m: m.group(1).translate(_SUP_TABLE) + " ", text)
    if sup or "^" in text or "*" in text:
        text = _MARKER.sub("", text)
    if text.lstrip()[:1] in _BULLET_CHARS:
        text = _BULLET.sub("- ", text)
    if "\t" in text:
        # A table row keeps at least one tab, so a value-less group row stays a table row.
        row = "\t".join([cell.strip() for cell in text.rstrip("\r\n").split("\t")]).rstrip("\t")
        return row if "\t" in row else row + "\t"
    return " ".join(text.split())
