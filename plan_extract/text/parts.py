"""Parts of a plan by what they do: a part under a heading that reviews the
past (``一、2025年工作回顾``) states facts, not plans.  The targets stage flags
its figures, the deadlines stage drops its dates."""

from __future__ import annotations

from typing import Sequence

from ..core.document import Section
from ..rules import Rules
from .punctuation import CLAUSE_BREAKS

REVIEW_HEADING_MAX = 24  # characters: a longer title is an item's sentence


def review_parts(sections: Sequence[Section], end: int, rules: Rules) -> list[tuple[int, int]]:
    """(start, end) of each part of a plan under a heading that reviews the
    past (``一、2025年工作回顾``, ``存在的问题``; ``rules/targets.yaml``'s
    ``review_heading``, unless the heading also names plans): its figures are
    not targets and its dates not deadlines.  A part runs to the next node of
    its level or above (第一部分 2025年工作总结 holds its 一、二、 as well)."""
    review, planned = rules.re("targets", "review_heading"), rules.re("targets", "plan_heading")
    out = []
    for k, s in enumerate(sections):
        has_items = k + 1 < len(sections) and sections[k + 1].level > s.level
        if len(s.title) > REVIEW_HEADING_MAX or any(ch in s.title for ch in CLAUSE_BREAKS) \
                or not (s.level == 1 or has_items):
            continue  # an item's sentence (将完成情况纳入考核), not a part's heading
        if review.search(s.title) and not planned.search(s.title):
            out.append((s.start, next((t.start for t in sections[k + 1:] if t.level <= s.level), end)))
    return out
