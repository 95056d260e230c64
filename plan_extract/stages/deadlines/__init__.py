"""Stage ``deadlines``: when things must happen (SPEC §4, decisions 21–25).

Find, then normalize: named matchers from ``rules/deadlines.yaml`` run in
the order the table gives and claim their spans (``find``); each match is
normalized with the plan's year (``XXXX`` when unknown) into an EDTF date or
interval, an ISO 8601 duration or an RFC 5545 RRULE (``normalize``).
"""

from __future__ import annotations

from typing import Optional

from ...core.document import Deadline, Plan
from ...rules import Rules, load_rules
from ...text.parts import review_parts
from ...text.spans import section_finder
from .find import Found, find_deadlines

__all__ = ["Found", "deadlines_of", "find_deadlines"]


def deadlines_of(plan: Plan, sections, *, rules: Optional[Rules] = None) -> tuple[Deadline, ...]:
    """The plan's deadlines as records, with ids and sections; none in a part
    that reviews the past (decision 24: past time)."""
    rules = rules or load_rules()
    out = []
    section_of = section_finder(sections)
    review = review_parts(sections, len(plan.view), rules)
    for f in find_deadlines(plan.view, year=plan.year, rules=rules):
        if any(a <= f.start < b for a, b in review):
            continue
        out.append(Deadline(id=f"d{len(out) + 1}", text=plan.text[f.start:f.end], start=f.start, end=f.end,
                            kind=f.kind, value=f.value, recurrence=f.recurrence,
                            section=section_of(f.start)))
    return tuple(out)
