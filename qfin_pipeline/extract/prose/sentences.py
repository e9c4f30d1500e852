"""The words of release prose: paragraphs split into sentences, and the catalog phrases (prose_labels.csv) a
sentence names metrics by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import islice

from qfin_pipeline import catalog

_ABBREV = re.compile(r"(?:\b(?:Mr|Ms|Mrs|Dr|Inc|Co|Ltd|Corp|No|vs|approx|St|Jr|Sr|etc)|\b[A-Z])\.[\"”’]?$")
_SPLIT = re.compile(r"[.!?][\"”’]?\s+(?=[A-Z“\"(]|RMB|US\$)")


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of a paragraph starts, not splitting after 'Mr.', 'Inc.', 'U.S.'."""
    if "." not in text and "!" not in text and "?" not in text:
        return [0]
    return [0, *(m.end() for m in _SPLIT.finditer(text)
                 if not _ABBREV.search(text, max(0, m.start() - 7), m.start() + 1))]


def sentence_spans(text: str) -> list[tuple[int, str]]:
    """A paragraph -> (offset, sentence) of each of its sentences."""
    bounds = [*sentence_starts(text), len(text)]
    return [(a, text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def sentences(text: str) -> list[str]:
    """A paragraph -> its sentences."""
    return [sentence for _, sentence in sentence_spans(text)]


_WORD = re.compile(r"[A-Za-z0-9]+\+?", re.A)


def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@cache
def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (words, phrase) of every catalog phrase starting with it, longest first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase in catalog.prose_labels():
        words = tuple(tokens(phrase))
        index.setdefault(words[0], []).append((words, phrase))
    for options in index.values():
        options.sort(key=lambda o: -len(o[0]))
    return index


@dataclass(slots=True, eq=False)
class Phrase:
    start: int
    end: int
    key: str  # the catalog phrase (norm_label form)


def phrases(text: str) -> tuple[list[Phrase], str]:
    """Catalog phrases in a sentence, leftmost-longest, whatever quotes, dashes or commas stand between
    their words; and the sentence's words joined by single spaces (for context checks)."""
    low = text.lower() if text.isascii() else None
    lower = _WORD.findall(low) if low is not None else [w.lower() for w in _WORD.findall(text)]
    index, found, done = _phrase_index(), [], 0
    for i in [i for i, word in enumerate(lower) if word in index]:
        if i < done:
            continue
        for option, key in index[lower[i]]:
            n = len(option)
            if n == 1 or tuple(lower[i:i + n]) == option:
                found.append((i, i + n - 1, key))
                done = i + n
                break
    out = []
    if found:  # where the words stand: only as far as the last phrase
        words = _WORD.finditer(low if low is not None else text)
        spans = [m.span() for m in islice(words, found[-1][1] + 1)]
        out = [Phrase(spans[i][0], spans[j][1], key) for i, j, key in found]
    return out, " " + " ".join(lower) + " "
