"""Where an item sits in its plan: its innermost section and its clause."""

from __future__ import annotations

from bisect import bisect_right
from typing import Optional, Sequence

from .document import Section

CLAUSE_BREAKS = "，,；;。！？!?\n"
OPENERS, CLOSERS = "(（[【《", ")）]】》"


def innermost_section(sections: Sequence[Section], pos: int) -> Optional[str]:
    """Id of the deepest node whose span holds ``pos`` (nodes nest)."""
    starts = [s.start for s in sections]
    i = bisect_right(starts, pos) - 1
    while i >= 0:
        if sections[i].start <= pos < sections[i].end:
            return sections[i].id
        i -= 1
    return None


def clause_ids(view: str) -> list[int]:
    """A clause number per character; breaks inside brackets do not count."""
    out = []
    clause = depth = 0
    for ch in view:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        out.append(clause)
        if ch in CLAUSE_BREAKS and not depth:
            clause += 1
        if ch == "\n":
            depth = 0
    return out
