"""Find: the matchers of ``rules/deadlines.yaml``, run in the table's order,
each claiming its spans; a match that a context rule rejects, or that
:func:`normalize` cannot read, claims nothing."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

import regex

from ...rules import Rules, load_rules
from ...text.punctuation import FULL_STOP, char_class
from ...text.spans import LINE_REACH, line_start
from .normalize import normalize

@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int
    value: Optional[str]
    recurrence: Optional[str]


def _compiled(rules: Rules) -> list[tuple[str, regex.Pattern, Optional[str], tuple[regex.Pattern, ...]]]:
    """(kind, pattern, anchor, contains) per matcher, in claim order; a
    ``contains`` pattern shared by matchers is compiled once, so that its hits
    are sought once per view."""
    def build():
        contained: dict[str, regex.Pattern] = {}
        out = []
        for kind in rules.get("deadlines", "order"):
            for entry in rules.get("deadlines", "matchers", kind):
                contains = entry.get("contains", [])
                contains = [contains] if isinstance(contains, str) else contains
                for c in contains:
                    if c not in contained:
                        contained[c] = regex.compile(c)
                out.append((kind, regex.compile(entry["regex"]), entry.get("anchor"),
                            tuple(contained[c] for c in contains)))
        return out

    return rules.memo("deadline_matchers", build)


def _windows(view: str, anchor: str, around: list[int]) -> list[tuple[int, int]]:
    """Merged windows of ``view`` around each occurrence of ``anchor``."""
    out: list[tuple[int, int]] = []
    i = view.find(anchor)
    while i >= 0:
        a, b = max(0, i - around[0]), min(len(view), i + around[1])
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
        i = view.find(anchor, i + 1)
    return out


def _overlapping(windows: list[tuple[int, int]], hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The windows that overlap a hit of a matcher's ``contains`` patterns:
    every match holds one, so no other window can hold a match."""
    ends = [b for _, b in windows]
    keep: set[int] = set()
    for s, e in hits:
        i = bisect_right(ends, s)  # the first window ending after the hit starts
        while i < len(windows) and windows[i][0] < e:
            keep.add(i)
            i += 1
    return [windows[i] for i in sorted(keep)]


def _search(pattern: regex.Pattern, view: str, windows):
    """Matches of ``pattern`` within each window (lookbehinds see the text
    before it, lookaheads stop at its end); the windows are disjoint, so no
    two matches overlap."""
    for a, b in windows:
        yield from pattern.finditer(view, a, b)


_SENTENCE_STOP = regex.compile(char_class(FULL_STOP + "\n"))


DOSAGE_REACH = 120  # a dosage later in the sentence is this close (a text without stops stays linear)


def _dosage_clause(view: str, pos: int, rules: Rules) -> bool:
    limit = min(len(view), pos + DOSAGE_REACH)
    stop = _SENTENCE_STOP.search(view, pos, limit)  # one search: four finds each scanned to the end
    return bool(rules.re("deadlines", "dosage_in_sentence").search(view, pos, stop.start() if stop else limit))


def find_deadlines(view: str, *, year: Optional[int], rules: Optional[Rules] = None) -> list[Found]:
    """Deadline spans of ``view`` (a plan's matching view), in text order."""
    rules = rules or load_rules()
    not_before = rules.re("deadlines", "not_before")
    not_after = rules.re("deadlines", "not_after_any")
    dosage_after = rules.re("deadlines", "recurring_not_after")
    within_not_before = rules.re("deadlines", "within_not_before")
    within_not_after = rules.re("deadlines", "within_not_after")
    signature = rules.re("plans", "year", "signature_line")
    claimed_starts: list[int] = []  # the claimed spans, disjoint and in text order
    claimed_ends: list[int] = []
    found: list[Found] = []
    windows: dict[Optional[str], list[tuple[int, int]]] = {None: [(0, len(view))]}  # no anchor: the whole view
    hits: dict[regex.Pattern, list[tuple[int, int]]] = {}  # per ``contains`` pattern, sought once
    for kind, pattern, anchor, contains in _compiled(rules):
        if anchor not in windows:
            windows[anchor] = _windows(view, anchor, rules.get("deadlines", "anchor_window"))
        searched = windows[anchor]
        if contains and searched:
            for c in contains:
                if c not in hits:
                    hits[c] = [m.span() for m in c.finditer(view)]
            searched = _overlapping(searched, [h for c in contains for h in hits[c]])
        for m in _search(pattern, view, searched):
            a, b = m.span()
            at = bisect_right(claimed_ends, a)  # the first claimed span ending after a
            if at < len(claimed_ends) and claimed_starts[at] < b:
                continue
            before = view[max(0, a - 8):a]
            if not_before.search(before) or not_after.match(view, b):
                continue
            if kind == "recurring" and (dosage_after.match(view, b) or _dosage_clause(view, a, rules)):
                continue
            if kind == "within" and (within_not_before.search(before) or within_not_after.match(view, b)):
                continue
            line_end = view.find("\n", b, b + LINE_REACH)
            if signature.match(view[line_start(view, a): line_end if line_end >= 0 else b + LINE_REACH]):
                continue
            resolved = normalize(kind, m, year, rules)
            if resolved is None:
                continue
            claimed_starts.insert(at, a)
            claimed_ends.insert(at, b)
            found.append(Found(kind, a, b, *resolved))
    return sorted(found, key=lambda f: (f.start, f.end))
