"""What stands above a table: its title (which statement, or a continuation) and its amounts note (the scale)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from qfin_pipeline import catalog


@cache
def _title_hint() -> re.Pattern | None:
    """All statement title patterns as one case-sensitive pattern for lowercased ASCII text: a line it does
    not match names no statement. None when a pattern is not plain lowercase ASCII (then no shortcut)."""
    patterns = catalog.load("statements")["title_pattern"].to_list()
    if not all(p.isascii() and p == p.lower() and "\\" not in p and "(?" not in p for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=4096)
def title_statement(text: str) -> str | None:
    """catalog.statement_for_title, skipping the per-statement searches for lines that name none."""
    hint = _title_hint()
    if hint is not None and text.isascii() and not hint.search(text.lower()):
        return None
    return catalog.statement_for_title(text)


# '(Continued)', '- continued', ', Continued', '(cont'd)' after a title printed again on the next page
_CONTINUED = re.compile(r"\s*(?:[(\[]\s*(?:continued|cont['’]?d\.?)\s*[)\]]|[-–—,:]?\s+continued)\s*$", re.I)


def base_title(text: str) -> str:
    """A title without its '(Continued)' mark, as compared: 'Balance Sheets (Continued)' -> 'balance sheets'."""
    return " ".join(_CONTINUED.sub("", text).casefold().split())


def is_continued(text: str) -> bool:
    return bool(_CONTINUED.search(text))


# The amounts note in its common forms -> the scale of the table's currency cells:
# '(Amounts in thousands of Renminbi ...', '(in thousands, except per share data)', 'RMB'000',
# '(In millions of RMB, except per share data)', 'in RMB millions', 'US$ in billions'.
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NOTE = re.compile(
    r"\bin\s+(?:(?:rmb|renminbi|us\$|usd|u\.s\. dollars|\$)\s+)?(thousand|million|billion)s?\b"
    r"|(?:rmb|us\$|usd|hk\$|\$)\s*['’‘]\s*(000(?:,000)?)\b",
    re.I,
)
_NOTE_HINT = re.compile(r"thousand|million|billion|'0|’0|‘0", re.I)
NOTE_MAX = 240  # a note is short; a prose sentence that mentions 'in millions' is not a note


@lru_cache(maxsize=4096)
def scale_note(text: str) -> int | None:
    """The scale an amounts note states (1,000 for thousands), None if the line is not an amounts note."""
    if len(text) > NOTE_MAX or not _NOTE_HINT.search(text):
        return None
    m = _NOTE.search(text)
    if m is None:
        return None
    if m.group(1):
        return _SCALES[m.group(1).lower()]
    return 1_000 if m.group(2) == "000" else 1_000_000
