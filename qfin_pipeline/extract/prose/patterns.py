"""What a pattern can start with, read off the pattern itself: lets a scan try a table of patterns only where
one of them can match, without an index kept in step with the patterns by hand."""

from __future__ import annotations

import re
from re import _constants as sre
from re import _parser

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)


class _Unclear(Exception):
    pass


def first_words(pattern: str, name: str = "") -> frozenset[str]:
    """The words (lower case) every match of `pattern` starts with: 'in the same period of (?P<y>\\d{4})' ->
    {'in'}; '(?:as\\s+of|at)\\s+the end' -> {'as', 'at'}. A pattern that can start with anything but a whole
    literal word (a digit, any letter) is refused, naming `name`."""
    words: set[str] = set()

    def finish(prefix: str) -> None:
        if not prefix or not prefix.isascii() or len(words) > 256:
            raise _Unclear
        words.add(prefix)

    def walk(items: list, prefix: str) -> None:
        if not items:
            return finish(prefix)
        (op, av), rest = items[0], items[1:]
        if op is sre.LITERAL:
            char = chr(av)
            return walk(rest, prefix + char.lower()) if char.isalpha() else finish(prefix)
        if op is sre.IN:
            letters = _letters(av)
            if letters is None:
                return finish(prefix)  # a class of non-letters ends the word
            for letter in letters:
                walk(rest, prefix + letter)
            return None
        if op is sre.BRANCH:
            for alternative in av[1]:
                walk(list(alternative) + rest, prefix)
            return None
        if op is sre.SUBPATTERN:
            return walk(list(av[3]) + rest, prefix)
        if op in _REPEATS:
            low, high, body = av
            if low == 0:
                walk(rest, prefix)
            if high != 0:
                again = [] if high == 1 else [(op, (max(low - 1, 0), high if high == sre.MAXREPEAT else high - 1, body))]
                if len(prefix) > 40:
                    raise _Unclear
                walk(list(body) + again + rest, prefix)
            return None
        if op in _ZERO_WIDTH:
            return walk(rest, prefix)
        raise _Unclear

    try:
        walk(list(_parser.parse(pattern, re.I | re.A)), "")
    except _Unclear:
        raise ValueError(f"pattern {name or pattern!r} must start with a literal word") from None
    return frozenset(words)


def _letters(members: list) -> set[str] | None:
    """A character class as the letters it matches (lower case), or None if it matches no letter."""
    letters: set[str] = set()
    others = False
    for op, av in members:
        if op is sre.LITERAL and chr(av).isalpha():
            letters.add(chr(av).lower())
        elif (op is sre.LITERAL or op is sre.CATEGORY and av in (sre.CATEGORY_SPACE, sre.CATEGORY_DIGIT)
              or op is sre.RANGE and not any(chr(c).isalpha() for c in range(av[0], av[1] + 1))):
            others = True
        else:
            raise _Unclear
    if letters and others:
        raise _Unclear  # letters mixed with non-letters: the word may or may not go on
    return letters or None


class Tell:
    """A pattern searched only in text holding one of the words every match starts with (read off the
    pattern): most text holds none, and a substring test is far cheaper than a regex scan."""

    def __init__(self, pattern: str, flags: int = 0, name: str = ""):
        self.regex = re.compile(pattern, flags)
        words = first_words(pattern, name)  # 'decrease' stands for 'decreased' too
        self.words = tuple(sorted(w for w in words if not any(v != w and v in w for v in words)))

    def search(self, text: str) -> re.Match | None:
        # casefold: whatever re.I lets stand for a letter folds to it, except the dotless i
        low = text.lower() if text.isascii() else text.casefold().replace("ı", "i")
        for word in self.words:
            if word in low:
                return self.regex.search(text)
        return None
