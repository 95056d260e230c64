"""Where an item sits in its plan: its innermost section and its clause."""

from __future__ import annotations

from bisect import bisect_right
from typing import Optional, Sequence

import regex

from .document import Section

CLAUSE_BREAKS = "，,；;。！？!?\n"
OPENERS, CLOSERS = "(（[【《", ")）]】》"
_BREAK = regex.compile("[" + regex.escape(CLAUSE_BREAKS) + "]")
_BRACKET = regex.compile("[" + regex.escape(OPENERS + CLOSERS) + "]")


def innermost_section(sections: Sequence[Section], pos: int) -> Optional[str]:
    """Id of the deepest node whose span holds ``pos`` (nodes nest)."""
    starts = [s.start for s in sections]
    i = bisect_right(starts, pos) - 1
    while i >= 0:
        if sections[i].start <= pos < sections[i].end:
            return sections[i].id
        i -= 1
    return None


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
    line_start = view.rfind("\n", 0, lo) + 1
    if not _BRACKET.search(view, line_start, hi):
        return False
    # brackets opened before ``lo`` on the same line still hold a break inside
    line = view[line_start:lo]
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

    def title(pos: int) -> str:
        sid = innermost_section(sections, pos)
        return titles.get(sid, "") if sid else ""

    return title
