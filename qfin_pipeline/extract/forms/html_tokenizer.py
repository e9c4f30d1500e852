"""A faster tokenizer for the common newswire page, making the same handler calls as html.parser."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# --- a faster tokenizer for the common page ---------------------------------------------------------------
# html.parser spends most of its time in per-token Python bookkeeping. _feed_fast makes the same handler
# calls (same arguments, same getpos line) that HTMLParser(convert_charrefs=True).feed(text) + close() make,
# for pages built only of text, well-formed start/end tags (plain names and attributes), comments, a doctype
# and script/style content. Anything else (a stray '<', '<?', '<![', an unusual attribute, an unclosed
# tag...) returns False and the page is read by html.parser itself. It mirrors the html.parser code it was
# checked against; tests compare both
# tokenizers on the release pages and on generated markup.

_WS = r"[ \t\n\r\f]"  # what ends a tag name for html.parser (and is whitespace to its attribute regexes)
_ATTR_NAME = r"[a-zA-Z_:][-a-zA-Z0-9_:.]*"
_ATTR_VALUE = r"\"[^\"]*\"|'[^']*'|(?![\"'=])[^\s>]+"
_ATTR = re.compile(rf"{_WS}+({_ATTR_NAME})(?:{_WS}*={_WS}*({_ATTR_VALUE}))?")
# One token: the text before the next markup, then that markup (or the end of the page).
_TOKEN = re.compile(
    r"([^<]*)(?:"
    rf"<([a-zA-Z][a-zA-Z0-9]*)((?:{_WS}+{_ATTR_NAME}(?:{_WS}*={_WS}*(?:{_ATTR_VALUE}))?)*){_WS}*(/?)>"  # start tag
    r"|</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>"  # end tag (html.parser.endtagfind)
    r"|(<!--)|(<![dD][oO][cC][tT][yY][pP][eE])|\Z)"  # comment, doctype, the end of the page
)
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")  # html.parser.endtagfind
_COMMENT_END = re.compile(r"--\s*>")  # _markupbase._commentclose
# html.parser.HTMLParser.set_cdata_mode's pattern
_CDATA_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in HTMLParser.CDATA_CONTENT_ELEMENTS}
_NEWLINE = re.compile("\n")


def _attrs(source: str) -> list[tuple[str, str | None]]:
    out = []
    for name, value in _ATTR.findall(source):
        if not value:  # no '=' (a value is never empty here: quotes stay on until below)
            value = None
        else:
            if value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
                value = value[1:-1]
            if "&" in value:
                value = unescape(value)
        out.append((name.lower(), value))
    return out


def read_attrs_pattern(names) -> re.Pattern:
    """A start tag whose attributes may hold one of `names` (with a value): the others pass no attributes."""
    return re.compile(rf"{_WS}(?:{'|'.join(sorted(names))}){_WS}*=", re.I)


def feed_fast(page: HTMLParser, text: str, read_attrs) -> bool:
    """page.feed(text) + page.close() for a page of plain markup; False (page half-fed) for anything else.
    Start tags pass their attributes only where `read_attrs.search(source)` finds one (the page ignores the
    rest); None: every start tag passes them."""
    page.newlines = [m.start() for m in _NEWLINE.finditer(text)]
    n = len(text)
    match = _TOKEN.scanner(text).match
    while m := match():
        data, tag, source, closed, end, comment, doctype = m.groups()
        i = m.end(1)
        if data:
            page.at = m.start()
            if "&" in data:  # '&nbsp;' alone needs no full unescape (it is always U+00A0)
                plain = data.replace("&nbsp;", "\xa0")
                data = unescape(data) if "&" in plain else plain
            page.handle_data(data)
        page.at = i
        if tag:
            tag = tag.lower()
            attrs = _attrs(source) if source and (read_attrs is None or read_attrs.search(source)) else []
            if closed:
                page.handle_startendtag(tag, attrs)
            else:
                page.handle_starttag(tag, attrs)
                if tag in _CDATA_END:  # script/style: raw text up to the closing tag
                    i = m.end()
                    close = _CDATA_END[tag].search(text, i)
                    end_match = close and _END_TAG.match(text, close.start())
                    if not end_match or end_match.group(1).lower() != tag:
                        return False
                    if i < close.start():
                        page.at = i
                        page.handle_data(text[i:close.start()])
                    page.at = close.start()
                    page.handle_endtag(tag)
                    match = _TOKEN.scanner(text, end_match.end()).match
        elif end:
            page.handle_endtag(end.lower())
        elif comment:
            close = _COMMENT_END.search(text, i + 4)
            if close is None:
                return False
            match = _TOKEN.scanner(text, close.end()).match
        elif doctype:
            gt = text.find(">", i + 9)
            if gt < 0:
                return False
            match = _TOKEN.scanner(text, gt + 1).match
        elif m.end() == n:
            return True
    return False
