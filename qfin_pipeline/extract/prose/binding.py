"""One sentence -> its figures, bound: the metric each printed number is, its role and its period.

Binding: a catalog phrase right after the number ('254.3 million consumers', 'RMB42,898 million for ICE'),
else the leftmost phrase before it joined by a verb or a short link ('Funding costs were RMB146.8 million',
'a net income between RMB1.75 billion'), else the subject of the figure before it in the sentence.
Roles: a current figure, a comparative ('compared to X in the same period of 2023', 'from X a year ago'),
a stated change ('a decrease of 14.9%'), a share ('representing 55.1% of the total'), ends of a range.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qfin_pipeline import catalog
from qfin_pipeline.extract.prose import periods as tf
from qfin_pipeline.extract.prose.figures import FX, Figure, Role, blank_out, find_figures, noise
from qfin_pipeline.extract.prose.patterns import Tell
from qfin_pipeline.extract.prose.periods import Period, PeriodPhrase
from qfin_pipeline.extract.prose.sections import Frame
from qfin_pipeline.extract.prose.sentences import phrases, tokens

_COPULA = re.compile(
    r"\b(?:was|were|is|are|be|been|reached|totall?ed|amounted\s+to|stood\s+at|came\s+in\s+at|accounted\s+for"
    r"|grew|rose|increased|decreased|declined|fell|dropped|improved|expanded|remained|generated?)\b", re.I)
_LINK = re.compile(r"[\W_]*(?:(?:of|up|to|between|at|approximately|about|around|nearly|roughly|over|an?|the"
                   r"|in|range|some|down|by)[\W_]+){0,5}", re.I)
_POSTFIX = re.compile(r"[\s\"“”'(]*(?:(?:out\s+)?of\s+(?:such|the|those|this)\s+[a-z ]{0,30}?\s+)?"
                      r"(?:(?:was|were|is|are)\s+)?(?:(?:under|for|across|through|via|in)\s+)?[\s\"“”'(]*", re.I)
# (a Tell: searched only in text holding one of the words it starts with; see patterns.py)
_COMPARATIVE = Tell(r"\b(?:from|compared\s+(?:to|with)|versus|vs\.?|against|relative\s+to)\s*$", re.I)
_CONTINUE = re.compile(r"[\s,]*(?:and|as\s+well\s+as)\s*", re.I)
_FROM = Tell(r"\bfrom\s*$", re.I)
_LOW = Tell(r"\b(?:between|range\s+of)\s*$", re.I)
_HIGH = re.compile(r"\s*(?:and|to|-|–)\s*", re.I)
_CHANGE_WORD = r"increase[sd]?|growth|grew|rise|rose|decrease[sd]?|decline[sd]?|drop(?:ped)?|fell|up|down|reduction"
_CHANGE_BEFORE = Tell(rf"\b(?P<w>{_CHANGE_WORD})\s+(?:of\s+|by\s+|between\s+|at\s+)?"
                      r"(?:(?:approximately|about|around|nearly|roughly|over)\s+)?$", re.I)
_CHANGE_AFTER = re.compile(r"\s*(?:(?:year-over-year|year-on-year|yoy|sequential|quarter-over-quarter"
                           rf"|quarter-on-quarter)\s+)?(?P<w>{_CHANGE_WORD})\b", re.I)
_DOWN = re.compile(r"decrease|decline|drop|fell|down|reduction", re.I)
_YOY = Tell(r"year[-\s](?:over|on)[-\s]year|\byoy\b", re.I)
_QOQ = Tell(r"quarter[-\s](?:over|on)[-\s]quarter|sequential|\bqoq\b", re.I)
_SHARE = re.compile(r"\s*of\s+(?:the\s+)?total\b", re.I)
_OPEN, _CLOSE = re.compile(r"\s*\(\s*"), re.compile(r"\s*\)")


@lru_cache(maxsize=256)
def _context(context: str) -> str:
    """A catalog context as the words it must find ('purchased' also finds 'repurchased')."""
    return " ".join(tokens(context)) + " "


class Sentence:
    """A sentence's figures (`main`: each with its translations), bound to metrics, roles and periods;
    its exchange rates; and the noise (dates, times, codes ...) that stands in it."""

    def __init__(self, text: str, frame: Frame):
        self.text, self.frame = text, frame
        self.fx = list(FX.finditer(text)) if "RMB" in text else []
        self.noise = noise(text)
        blanks = [(a, b) for a, b, _ in self.noise] + [m.span() for m in self.fx]
        self.figures = find_figures(blank_out(text, blanks))
        self.main: list[Figure] = []
        if not self.figures:  # no candidate figure: nothing to read
            self.periods = tf.period_phrases(text, frame.fiscal_year) if self.fx else []
            return
        self.periods = tf.period_phrases(text, frame.fiscal_year)
        self.phrases, self.words = phrases(text)
        spans = [(p.start, p.end) for p in self.periods] + [(p.start, p.end) for p in self.phrases]
        if spans:
            self.figures = [f for f in self.figures if not any(a < f.end and f.start < b for a, b in spans)]
        # the sentence with noise and period phrases blanked out: the words between figures
        self.blank = blank_out(text, blanks + [(p.start, p.end) for p in self.periods])
        self._link_translations()
        self._bind()
        self._roles()
        comparative = {id(self._trailing(f)) for f in self.main if f.role.comparative}
        self.base = next((p for p in self.periods if p.period and not p.window and id(p) not in comparative), None)
        self._periods()

    def fx_rates(self) -> list[tuple[re.Match, Period]]:
        asof = next((p.period for p in self.periods if p.period and p.period.type == "instant"), None)
        return [(m, asof or tf.instant(self.frame.period_end)) for m in self.fx]

    def _link_translations(self) -> None:
        """'RMB4,370.2 million (US$622.7 million)': the USD figure translates the one before it."""
        prev = None
        for f in self.figures:
            f.tail = f.end
            if prev is not None and f.currency == "USD" and prev.currency:
                close = _CLOSE.match(self.blank, f.end)
                if close and _OPEN.fullmatch(self.blank, prev.end, f.start):
                    f.translated, prev.tail = True, close.end()
                    if not prev.translated:
                        prev.translations += (f,)
            prev = f
        self.main = [f for f in self.figures if not f.translated]
        for n, (f, following) in enumerate(zip(self.main, self.main[1:] + [None], strict=True)):
            f.index, f.next_start = n, following.start if following else len(self.text)

    def _resolve(self, key: str, slot: str) -> catalog.ProseLabel | None:
        rows = [r for r in catalog.prose_labels()[key] if r.slot in ("any", slot)
                and (not r.context or _context(r.context) in self.words)]
        rows = [r for r in rows if r.context] or rows
        if len(rows) > 1:  # 'Other services fees': the group whose total was named last
            components = catalog.identity_components()
            for total in reversed(self.frame.recent):
                picked = [r for r in rows if r.metric_id in components.get(total, ())]
                if picked:
                    return picked[0]
        return rows[0] if rows else None

    def _bind(self) -> None:
        subject, seg, used = None, 0, set()
        for f in self.main:
            label, chosen = None, None
            post = next((p for p in self.phrases if p.start >= f.tail), None)
            if post and post.start < f.next_start and _POSTFIX.fullmatch(self.blank[f.tail:post.start]):
                label, chosen = self._resolve(post.key, "postfix"), post
            for p in self.phrases if label is None else []:
                gap = self.blank[p.end:f.start]
                if p.start < seg or p.end > f.start or p in used:
                    continue
                if (_COPULA.search(gap) and len(gap.split()) <= 30) or _LINK.fullmatch(gap):
                    label, chosen = self._resolve(p.key, "prefix"), p
                    if label:
                        break
            if label:
                subject = label
                used.add(chosen)
                self.frame.recent.append(label.metric_id)
            if subject:
                f.label, f.metric = subject, subject.metric_id
            seg = f.tail

    def _roles(self) -> None:
        prev = None
        for n, f in enumerate(self.main):
            gap = self.blank[prev.tail if prev is not None else 0:f.start]
            after = self.blank[f.end:f.next_start]
            p = prev.role if prev is not None else None
            same = p is not None and prev.metric == f.metric
            ahead = self.blank[f.tail:f.next_start].strip() if n + 1 < len(self.main) else ""
            # 'between A and B', 'of 10% to 15%'; but 'from A to B' is a comparative and a current figure
            low = bool(_LOW.search(gap)) or (ahead in ("to", "-", "–") and not _FROM.search(gap))
            high = same and p.low and bool(_HIGH.fullmatch(gap))
            change = None
            if f.pct:
                word = _CHANGE_BEFORE.search(gap) or _CHANGE_AFTER.match(after)
                change = ("down" if _DOWN.search(word.group("w")) else "up") if word else None
                change = p.change if high and not change else change
            comparative = not (low or high or change) and (bool(_COMPARATIVE.search(gap)) or (
                same and p.comparative and bool(_CONTINUE.fullmatch(gap))))
            share = f.pct and not change and bool(_SHARE.match(after))
            f.role = Role(low, high, comparative, change, share, gap + " " + after, prev)
            prev = f

    def _periods(self) -> None:
        """Each bound figure's period; for a stated change or share, what it compares with."""
        bound = [f for f in self.main if f.label]
        found: dict[int, Period | None] = {}  # figure index -> its period
        for f in bound:  # current figures first: comparatives and changes resolve against them
            if not f.role.comparative:
                found[f.index] = self._current_period(f)
        # (index, metric, period) of the current figures: what a comparative or a change is measured against
        self.current = [(f.index, f.metric, found[f.index]) for f in bound if not (
            f.role.comparative or f.role.change or f.role.share) and found[f.index]]
        for f in bound:
            if f.role.comparative:
                found[f.index] = self._comparative_period(f)
        for f in bound:
            role = f.role
            f.bound = "low" if role.low else "high" if role.high else None
            if f.pct and (role.change or role.share):
                f.period = self._period_of_current(f)
                f.comparison = "share_of_total" if role.share else self._comparison(f, found, f.period)
                if f.comparison:
                    f.kind, f.sign = ("share" if role.share else "change"), -1.0 if role.change == "down" else 1.0
                    if f.sign < 0 and f.bound:  # 'a decrease between 27% and 31%': the low end is -31%
                        f.bound = "high" if f.bound == "low" else "low"
            else:
                f.kind, f.period = "value", found.get(f.index)

    def _comparison(self, f: Figure, found: dict, cur: Period | None) -> str | None:
        role = f.role
        if role.high:
            return self._comparison(role.prev, found, cur)
        if _YOY.search(role.window):
            return "yoy"
        if _QOQ.search(role.window):
            return "qoq"
        compared = [g.index for g in self.main if g.metric == f.metric and g.role.comparative]
        after = [n for n in compared if n > f.index]  # 'a decrease of 14.9% from RMB96,923 million ...'
        base = found.get(after[0] if after else compared[-1]) if compared else None
        if cur is None or base is None or base.type != cur.type:
            return None
        return {12: "yoy", 3: "qoq"}.get(tf.months_between(cur.end, base.end))

    def _trailing(self, f: Figure) -> PeriodPhrase | None:
        """The period phrase that follows a figure inside its clause ('RMB96,923 million in the same ...')."""
        if f.trailing is not False:
            return f.trailing
        f.trailing = None
        for p in self.periods:
            if f.tail <= p.start < f.next_start:
                gap = self.text[f.tail:p.start]
                f.trailing = p if ("," not in gap and ";" not in gap and len(gap.split()) <= 12) else None
                break
        return f.trailing

    def _default(self, kind: str) -> Period:
        end = self.frame.period_end
        return tf.instant(end) if kind == "instant" else tf.duration(end, self.frame.months)

    def _adapt(self, period: Period, kind: str) -> Period | None:
        """A phrase's period as the metric's kind: an instant at a duration's end, a duration ending at an instant."""
        if kind == "instant":
            return period if period.type == "instant" else tf.instant(period.end)
        if period.type != "instant":
            return period
        return tf.duration(period.end, self.frame.months) if tf.is_month_end(period.end) else None

    def _current_period(self, f: Figure) -> Period | None:
        kind, own = f.label.period, self._trailing(f)
        if kind == "window":
            phrase = next((p for p in self.periods if p.window), None) or next(
                (p for p in [own, *self.periods] if p and p.period and p.period.type == "12M"), None)
            return phrase.period if phrase else None
        anchor = self._adapt(self.base.period, kind) if self.base else self._default(kind)
        if own is None or own.window:
            return anchor
        return self._adapt(own.period, kind) if own.period else tf.relative(own, anchor)

    def _period_of_current(self, f: Figure) -> Period | None:
        """The period of the current figure a change or share speaks of (the nearest one of its metric)."""
        before = after = None
        for n, metric, period in self.current:
            if metric == f.metric:
                if n < f.index:
                    before = period
                elif n > f.index and after is None:
                    after = period
        return before or after or self._current_period(f)

    def _comparative_period(self, f: Figure) -> Period | None:
        own, kind = self._trailing(f), f.label.period
        if own is None or own.window:
            return None
        return self._adapt(own.period, kind) if own.period else tf.relative(own, self._period_of_current(f))
