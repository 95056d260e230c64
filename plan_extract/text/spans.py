"""Where an item sits in its plan: its innermost section and its clause."""

from __future__ import annotations

from bisect import bisect_right
from typing import Optional, Sequence

import regex

from ..core.document import Section
from .punctuation import (CLAUSE_BREAKS, CLOSE_BRACKETS, OPEN_BRACKETS, QUOTE_CLOSE, QUOTE_OPEN, SENTENCE_BREAKS,
                          char_class)

OPENERS, CLOSERS = OPEN_BRACKETS, CLOSE_BRACKETS
_BREAK = regex.compile(char_class(CLAUSE_BREAKS))
_BRACKET = regex.compile(char_class(OPENERS + CLOSERS))
# Searched backwards from a position: the cost is the distance to the nearest
# end, not the length of the text before it (seven rfinds scanned it all).
_LAST_SENTENCE_END = regex.compile(char_class(SENTENCE_BREAKS), flags=regex.REVERSE)


LINE_REACH = 400  # how far back a line's start is sought: a text without breaks stays linear


def line_start(view: str, pos: int) -> int:
    """Start of the line holding ``pos``, or ``LINE_REACH`` back on a longer line."""
    floor = max(0, pos - LINE_REACH)
    return max(view.rfind("\n", floor, pos) + 1, floor)


SENTENCE_REACH = 400  # how far back a sentence's start is sought: a text without stops stays linear


def sentence_start(view: str, pos: int) -> int:
    """Start of the sentence holding ``pos``: after the last 。；！？ or line
    break, or ``SENTENCE_REACH`` back in a longer sentence."""
    floor = max(0, pos - SENTENCE_REACH)
    m = _LAST_SENTENCE_END.search(view, floor, pos)
    return m.end() if m else floor


def section_finder(sections: Sequence[Section]):
    """pos -> id of the deepest node whose span holds ``pos``, or None.

    Nodes nest, so a node holding ``pos`` is the last node starting at or
    before it or one of that node's ancestors: the lookup climbs parents
    (the tree's depth) instead of every earlier node."""
    starts = [s.start for s in sections]
    index = {s.id: i for i, s in enumerate(sections)}
    parents = [index.get(s.parent, -1) if s.parent else -1 for s in sections]

    def find(pos: int) -> Optional[str]:
        i = bisect_right(starts, pos) - 1
        while i >= 0:
            if sections[i].start <= pos < sections[i].end:
                return sections[i].id
            i = parents[i]
        return None

    return find


def innermost_section(sections: Sequence[Section], pos: int) -> Optional[str]:
    """Id of the deepest node whose span holds ``pos`` (nodes nest)."""
    return section_finder(sections)(pos)


def same_clause(view: str, a: int, b: int) -> bool:
    """No clause break between ``a`` and ``b`` outside brackets."""
    lo, hi = min(a, b), max(a, b)
    if hi - lo > 200:
        return False
    brk = _BREAK.search(view, lo, hi)
    if brk is None:
        return True  # the common case, decided without a loop
    if brk.group() == "\n" or "\n" in view[brk.start():hi]:
        return False
    start = line_start(view, lo)
    if not _BRACKET.search(view, start, hi):
        return False
    # brackets opened before ``lo`` on the same line still hold a break inside
    line = view[start:lo]
    depth = max(0, sum(line.count(o) for o in OPENERS) - sum(line.count(c) for c in CLOSERS))
    for ch in view[lo:hi]:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        elif ch in CLAUSE_BREAKS and not depth:
            return False
    return True


def section_titler(sections: Sequence[Section]):
    """pos -> title of the innermost section there ("" outside every node)."""
    titles = {s.id: s.title for s in sections}
    find = section_finder(sections)

    def title(pos: int) -> str:
        sid = find(pos)
        return titles.get(sid, "") if sid else ""

    return title


def in_quotes(view: str, pos: int, seg: Optional[str] = None) -> bool:
    """``seg``: the line up to ``pos``, when the caller has it."""
    seg = view[line_start(view, pos):pos] if seg is None else seg
    return seg.count(QUOTE_OPEN) > seg.count(QUOTE_CLOSE) or view[pos - 1:pos] == QUOTE_CLOSE


def in_brackets(view: str, pos: int, open_ch: str, close_ch: str, seg: Optional[str] = None) -> bool:
    seg = view[line_start(view, pos):pos] if seg is None else seg
    return seg.count(open_ch) > seg.count(close_ch)
