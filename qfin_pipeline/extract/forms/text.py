"""Text form of a release (the newswire's plain text): one Line per physical line."""

from __future__ import annotations

from qfin_pipeline.extract.lines import Line, normalize_line


def text_lines(text: str) -> list[Line]:
    """One Line per physical line (CR, LF or CRLF)."""
    return [Line(i, normalize_line(raw), raw.rstrip("\r\n")) for i, raw in enumerate(text.splitlines(), 1)]
