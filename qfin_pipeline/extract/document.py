"""Raw release bytes -> a Document: its logical lines (from the form readers) and its identity.

The one entry point is `read_document`; `Line`, `ReleaseInfo` and `ReleaseError` are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from qfin_pipeline import catalog
from qfin_pipeline.extract.errors import ReleaseError
from qfin_pipeline.extract.forms import read_lines
from qfin_pipeline.extract.identity import ReleaseInfo, identify
from qfin_pipeline.extract.lines import Line, normalize_line
from qfin_pipeline.extract.titles import title_statement

__all__ = ["Document", "Line", "ReleaseError", "ReleaseInfo", "decode", "normalize_line", "read_document",
           "title_statement"]


@dataclass(frozen=True)
class Document:
    source_file: str
    sha256: str
    form: str  # 'text' or 'html' (a newswire page or an EDGAR exhibit)
    info: ReleaseInfo
    lines: list[Line]


def decode(data: bytes, source_file: str) -> str:
    """Bytes -> text, refusing what is not a UTF-8 text document."""
    if not data.strip():
        raise ReleaseError(source_file, "empty file")
    if b"\x00" in data[:65536]:
        raise ReleaseError(source_file, "binary content (NUL bytes), not a text or HTML release")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReleaseError(
            source_file, f"not UTF-8 text (legacy encoding?): undecodable byte at offset {exc.start}"
        ) from None


def read_document(data: bytes, source_file: str, sha256: str) -> Document:
    """Bytes of a release in any form -> Document; raises ReleaseError naming the file and problem."""
    form, lines = read_lines(decode(data, source_file))
    doc = Document(source_file, sha256, form, identify(lines, source_file), lines)
    missing = missing_statements(lines)
    if missing:
        raise ReleaseError(source_file, f"incomplete release (truncated?): no {', '.join(missing)} table")
    return doc


def missing_statements(lines: list[Line]) -> list[str]:
    """Core statements whose titled table does not appear (a title line followed later by table rows)."""
    seen, pending = set(), None
    for line in lines:
        if "\t" in line.text:
            if pending:
                seen.add(pending)
        elif line.text:
            pending = title_statement(line.text) or pending
    return [s.replace("_", " ") for s in catalog.required_statements() if s not in seen]
