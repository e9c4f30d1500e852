"""One sentence -> its figures: the metric each printed number is, its period, and its role.

Binding: a catalog phrase right after the number ('254.3 million consumers', 'RMB42,898 million for ICE'),
else the leftmost phrase before it joined by a verb or a short link ('Funding costs were RMB146.8 million',
'a net income between RMB1.75 billion'), else the subject of the figure before it in the sentence.
Roles: a current figure, a comparative ('compared to X in the same period of 2023', 'from X a year ago'),
a stated change ('a decrease of 14.9%'), a share ('representing 55.1% of the total'), ends of a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from qfin_pipeline import catalog
from qfin_pipeline.extract import timeframes as tf
from qfin_pipeline.extract.sentences import FX, Mention, blank_out, mentions, noise_spans, phrases, tokens
from qfin_pipeline.extract.timeframes import Period, PeriodPhrase

_COPULA = re.compile(
    r"\b(?:was|were|is|are|be|been|reached|totall?ed|amounted\s+to|stood\s+at|came\s+in\s+at|accounted\s+for"
    r"|grew|rose|increased|decreased|declined|fell|dropped|improved|expanded|remained|generated?)\b", re.I)
_LINK = re.compile(r"[\W_]*(?:(?:of|up|to|between|at|approximately|about|around|nearly|roughly|over|an?|the"
                   r"|in|range|some|down|by)[\W_]+){0,5}", re.I)
_POSTFIX = re.compile(r"[\s\"“”'(]*(?:(?:out\s+)?of\s+(?:such|the|those|this)\s+[a-z ]{0,30}?\s+)?"
                      r"(?:(?:was|were|is|are)\s+)?(?:(?:under|for|across|through|via|in)\s+)?[\s\"“”'(]*", re.I)
_COMPARATIVE = re.compile(r"\b(?:from|compared\s+(?:to|with)|versus|vs\.?|against|relative\s+to)\s*$", re.I)
_CONTINUE = re.compile(r"[\s,]*(?:and|as\s+well\s+as)\s*", re.I)
_FROM = re.compile(r"\bfrom\s*$", re.I)
_LOW = re.compile(r"\b(?:between|range\s+of)\s*$", re.I)
_HIGH = re.compile(r"\s*(?:and|to|-|–)\s*", re.I)
_CHANGE_WORD = r"increase[sd]?|growth|grew|rise|rose|decrease[sd]?|decline[sd]?|drop(?:ped)?|fell|up|down|reduction"
_CHANGE_BEFORE = re.compile(rf"\b(?P<w>{_CHANGE_WORD})\s+(?:of\s+|by\s+|between\s+|at\s+)?"
                            r"(?:(?:approximately|about|around|nearly|roughly|over)\s+)?$", re.I)
_CHANGE_AFTER = re.compile(r"\s*(?:(?:year-over-year|year-on-year|yoy|sequential|quarter-over-quarter"
                           rf"|quarter-on-quarter)\s+)?(?P<w>{_CHANGE_WORD})\b", re.I)
_DOWN = re.compile(r"decrease|decline|drop|fell|down|reduction", re.I)
_YOY = re.compile(r"year[-\s](?:over|on)[-\s]year|\byoy\b", re.I)
_QOQ = re.compile(r"quarter[-\s](?:over|on)[-\s]quarter|sequential|\bqoq\b", re.I)
_SHARE = re.compile(r"\s*of\s+(?:the\s+)?total\b", re.I)
_OPEN, _CLOSE = re.compile(r"\s*\(\s*"), re.compile(r"\s*\)")


@lru_cache(maxsize=256)
def _context(context: str) -> str:
    """A catalog context as the words it must find ('purchased' also finds 'repurchased')."""
    return " ".join(tokens(context)) + " "


@dataclass
class Frame:
    """What a sentence needs from around it."""

    fiscal_year: int
    period_end: date  # where figures without a period phrase end (the next quarter's under 'Outlook')
    months: int  # their duration: 3, or 12 under a 'Full Year' heading
    recent: list[str] = field(default_factory=list)  # metrics named so far in the section


@dataclass(slots=True)
class Figure:
    metric: str
    mention: Mention
    translations: list[Mention]  # '(US$622.7 million)' after it
    period: Period | None
    role: str  # 'value', 'change' or 'share'
    comparison: str | None = None  # change/share: 'yoy', 'qoq', 'share_of_total'
    bound: str | None = None  # 'low' / 'high' end of a range
    sign: float = 1.0
    comparative: bool = False  # a prior-period figure quoted for comparison


@dataclass(slots=True)
class _Role:
    low: bool
    high: bool
    comparative: bool
    change: str | None  # 'up' / 'down' for a stated change
    share: bool
    window: str  # the words around it, for 'year-over-year' / 'sequential'
    prev: int | None


class Sentence:
    def __init__(self, text: str, frame: Frame):
        self.text, self.frame = text, frame
        self.fx = list(FX.finditer(text)) if "RMB" in text else []
        noise = noise_spans(text) + [m.span() for m in self.fx]
        self.ms = mentions(blank_out(text, noise))
        if not self.ms:  # no candidate figure: nothing to read
            self.fx_only = True
            self.periods = tf.period_phrases(text, frame.fiscal_year) if self.fx else []
            return
        self.fx_only = False
        self.periods = tf.period_phrases(text, frame.fiscal_year)
        self.phrases, self.words = phrases(text)
        spans = [(p.start, p.end) for p in self.periods] + [(p.start, p.end) for p in self.phrases]
        if spans:
            self.ms = [m for m in self.ms if not any(a < m.end and m.start < b for a, b in spans)]
        # the sentence with dates and period phrases blanked out: the words between figures
        self.blank = blank_out(text, noise + [(p.start, p.end) for p in self.periods])
        self.labels: dict[int, catalog.ProseLabel] = {}
        self._link_translations()
        self._bind()
        self.roles = self._roles()
        comparative = {id(self._trailing(i)) for i, r in self.roles.items() if r.comparative}
        self.base = next((p for p in self.periods if p.period and not p.window and id(p) not in comparative), None)

    def fx_rates(self) -> list[tuple[str, Period]]:
        asof = next((p.period for p in self.periods if p.period and p.period.type == "instant"), None)
        return [(m.group("rate"), asof or tf.instant(self.frame.period_end)) for m in self.fx]

    def _link_translations(self) -> None:
        self.tail = [m.end for m in self.ms]
        for i in range(1, len(self.ms)):
            prev, m = self.ms[i - 1], self.ms[i]
            if m.currency != "USD" or not prev.currency:
                continue
            close = _CLOSE.match(self.blank, m.end)
            if close and _OPEN.fullmatch(self.blank, prev.end, m.start):
                m.parent, self.tail[i - 1] = i - 1, close.end()
        self.main = [i for i, m in enumerate(self.ms) if m.parent is None]
        following = [self.ms[j].start for j in self.main[1:]] + [len(self.text)]
        self.next_start = dict(zip(self.main, following, strict=False))

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
        for i in self.main:
            m, label, chosen = self.ms[i], None, None
            post = next((p for p in self.phrases if p.start >= self.tail[i]), None)
            if post and post.start < self.next_start[i] and _POSTFIX.fullmatch(self.blank[self.tail[i]:post.start]):
                label, chosen = self._resolve(post.key, "postfix"), post
            for p in self.phrases if label is None else []:
                gap = self.blank[p.end:m.start]
                if p.start < seg or p.end > m.start or p in used:
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
                self.labels[i], m.metric = subject, subject.metric_id
            seg = self.tail[i]

    def _roles(self) -> dict[int, _Role]:
        roles: dict[int, _Role] = {}
        prev = None
        for n, i in enumerate(self.main):
            m = self.ms[i]
            gap = self.blank[self.tail[prev] if prev is not None else 0:m.start]
            after = self.blank[m.end:self.next_start[i]]
            p = roles.get(prev)
            same = p is not None and self.ms[prev].metric == m.metric
            ahead = self.blank[self.tail[i]:self.next_start[i]].strip() if n + 1 < len(self.main) else ""
            # 'between A and B', 'of 10% to 15%'; but 'from A to B' is a comparative and a current figure
            low = bool(_LOW.search(gap)) or (ahead in ("to", "-", "–") and not _FROM.search(gap))
            high = same and p.low and bool(_HIGH.fullmatch(gap))
            change = None
            if m.pct:
                word = _CHANGE_BEFORE.search(gap) or _CHANGE_AFTER.match(after)
                change = ("down" if _DOWN.search(word.group("w")) else "up") if word else None
                change = p.change if high and not change else change
            comparative = not (low or high or change) and (bool(_COMPARATIVE.search(gap)) or (
                same and p.comparative and bool(_CONTINUE.fullmatch(gap))))
            share = m.pct and not change and bool(_SHARE.match(after))
            roles[i] = _Role(low, high, comparative, change, share, gap + " " + after, prev)
            prev = i
        return roles

    def figures(self) -> list[Figure]:
        if self.fx_only:
            return []
        periods: dict[int, Period | None] = {}
        for i in self.main:  # current figures first: comparatives and changes resolve against them
            if i in self.labels and not self.roles[i].comparative:
                periods[i] = self._current_period(i)
        for i in self.main:
            if i in self.labels and self.roles[i].comparative:
                periods[i] = self._comparative_period(i, periods)
        out = []
        for i in self.main:
            if i not in self.labels:
                continue
            m, role = self.ms[i], self.roles[i]
            bound = "low" if role.low else "high" if role.high else None
            extra = [t for t in self.ms if t.parent == i]
            if m.pct and (role.change or role.share):
                cur = self._period_of_current(i, periods)
                cmp = "share_of_total" if role.share else self._comparison(i, periods, cur)
                if cmp:
                    sign = -1.0 if role.change == "down" else 1.0
                    if sign < 0 and bound:  # 'a decrease between 27% and 31%': the low end is -31%
                        bound = "high" if bound == "low" else "low"
                    out.append(Figure(m.metric, m, [], cur, "share" if role.share else "change", cmp, bound, sign))
            else:
                out.append(Figure(m.metric, m, extra, periods.get(i), "value", None, bound,
                                  comparative=role.comparative))
        return out

    def _comparison(self, i: int, periods: dict, cur: Period | None) -> str | None:
        role = self.roles[i]
        if role.high:
            return self._comparison(role.prev, periods, cur)
        if _YOY.search(role.window):
            return "yoy"
        if _QOQ.search(role.window):
            return "qoq"
        metric = self.ms[i].metric
        compared = [j for j in self.main if self.ms[j].metric == metric and self.roles[j].comparative]
        after = [j for j in compared if j > i]  # 'a decrease of 14.9% from RMB96,923 million ...'
        base = periods.get(after[0] if after else compared[-1]) if compared else None
        if cur is None or base is None or base.type != cur.type:
            return None
        return {12: "yoy", 3: "qoq"}.get(tf.months_between(cur.end, base.end))

    def _trailing(self, i: int) -> PeriodPhrase | None:
        """The period phrase that follows a figure inside its clause ('RMB96,923 million in the same ...')."""
        for p in self.periods:
            if self.tail[i] <= p.start < self.next_start[i]:
                gap = self.text[self.tail[i]:p.start]
                return p if ("," not in gap and ";" not in gap and len(gap.split()) <= 12) else None
        return None

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

    def _current_period(self, i: int) -> Period | None:
        kind, own = self.labels[i].period, self._trailing(i)
        if kind == "window":
            found = next((p for p in self.periods if p.window), None) or next(
                (p for p in [own, *self.periods] if p and p.period and p.period.type == "12M"), None)
            return found.period if found else None
        anchor = self._adapt(self.base.period, kind) if self.base else self._default(kind)
        if own is None or own.window:
            return anchor
        return self._adapt(own.period, kind) if own.period else tf.relative(own, anchor)

    def _period_of_current(self, i: int, periods: dict) -> Period | None:
        """The period of the current figure a change or share speaks of (the nearest one of its metric)."""
        metric = self.ms[i].metric
        current = [j for j in self.main if periods.get(j) and self.ms[j].metric == metric
                   and not (self.roles[j].comparative or self.roles[j].change or self.roles[j].share)]
        before, after = [periods[j] for j in current if j < i], [periods[j] for j in current if j > i]
        return (before[-1:] or after[:1] or [self._current_period(i)])[0]

    def _comparative_period(self, i: int, periods: dict) -> Period | None:
        own, kind = self._trailing(i), self.labels[i].period
        if own is None or own.window:
            return None
        return self._adapt(own.period, kind) if own.period else tf.relative(own, self._period_of_current(i, periods))
