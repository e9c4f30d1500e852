"""The words of release prose: paragraphs split into sentences, and the catalog phrases (prose_labels.csv) a
sentence names metrics by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import compress, count, islice

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
# ASCII text: letters and digits lower-cased, every other character a space (split() then gives the words)
_WORDS_ONLY = str.maketrans({c: c.lower() if c.isalnum() else " " for c in map(chr, range(128)) if c != "+"})


def _words(text: str) -> tuple[list[str], str | None]:
    """The words of a text, lower case: runs of letters and digits ('day+' keeps its plus); and, for plain
    ASCII text, the text with every other character a space (the words stand where they stood)."""
    if text.isascii():
        spaced = text.translate(_WORDS_ONLY)
        if "+" not in spaced:  # (a '+' needs the pattern: it ends a word, or stands alone)
            return spaced.split(), spaced
    return [w.lower() for w in _WORD.findall(text)], None


def tokens(text: str) -> list[str]:
    return _words(text)[0]


@cache
def _phrase_trie() -> dict[str, list]:
    """The catalog phrases as a word trie: word -> [the words that may follow, the phrase ending here or None].
    Two phrases with the same words ('90 day+ ...', '90-day+ ...'): the first in the catalog stands."""
    trie: dict[str, list] = {}
    for phrase in catalog.prose_labels():
        node: list = [trie, None]
        for word in tokens(phrase):
            node = node[0].setdefault(word, [{}, None])
        if node[1] is None:
            node[1] = phrase
    return trie


@dataclass(slots=True, eq=False)
class Phrase:
    start: int
    end: int
    key: str  # the catalog phrase (norm_label form)


def phrases(text: str) -> tuple[list[Phrase], str]:
    """Catalog phrases in a sentence, leftmost-longest, whatever quotes, dashes or commas stand between
    their words; and the sentence's words joined by single spaces (for context checks)."""
    lower, spaced = _words(text)
    trie, found, done = _phrase_trie(), [], 0
    for i in compress(count(), map(trie.__contains__, lower)):  # words a phrase starts with
        if i < done:
            continue
        node, j, last = trie[lower[i]], i, None
        while True:  # the longest phrase starting here
            if node[1] is not None:
                last = (j, node[1])
            j += 1
            if j == len(lower) or lower[j] not in node[0]:
                break
            node = node[0][lower[j]]
        if last:
            found.append((i, *last))
            done = last[0] + 1
    out = []
    if found:  # where the words stand: only as far as the last phrase
        if spaced is not None:
            spans, pos = [], 0
            for word in lower[:found[-1][1] + 1]:
                pos = spaced.find(word, pos)
                spans.append((pos, pos + len(word)))
                pos += len(word)
        else:
            spans = [m.span() for m in islice(_WORD.finditer(text), found[-1][1] + 1)]
        out = [Phrase(spans[i][0], spans[j][1], key) for i, j, key in found]
    return out, " " + " ".join(lower) + " "
