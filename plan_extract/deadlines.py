"""Stage ``deadlines``: when things must happen (SPEC §4, decisions 21–25).

Find, then resolve: named matchers from ``rules/deadlines.yaml`` run in the
order the table gives and claim their spans; each match is then normalized
with the plan's year (``XXXX`` when unknown) into an EDTF date or interval,
an ISO 8601 duration or an RFC 5545 RRULE.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

import regex

from .document import Deadline, Plan
from .numbers import to_number
from .rules import Rules, load_rules
from .spans import LINE_REACH, line_start, section_finder


_BLANK_YEAR = regex.compile(r"[xX×_]{2,}\s*年")
_INTERVAL = regex.compile(r";INTERVAL=(\d+)")


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
        parts = rules.get("deadlines", "parts")
        subs = {"{month}": parts["month"], "{day}": parts["day"], "{num}": parts["num"],
                "{year}": parts["year"], "{year2}": parts["year"].replace("(?P<y>", "(?P<y2>")}

        def expand(pattern: str) -> str:
            for key, value in subs.items():
                pattern = pattern.replace(key, value)
            return pattern

        contained: dict[str, regex.Pattern] = {}
        out = []
        for kind in rules.get("deadlines", "order"):
            for entry in rules.get("deadlines", "matchers", kind):
                contains = entry.get("contains", [])
                contains = [contains] if isinstance(contains, str) else contains
                for c in contains:
                    if c not in contained:
                        contained[c] = regex.compile(expand(c))
                out.append((kind, regex.compile(expand(entry["regex"])), entry.get("anchor"),
                            tuple(contained[c] for c in contains)))
        return out

    return rules.memo("deadline_matchers", build)


def _y(year: Optional[int]) -> str:
    return f"{year:04d}" if year else "XXXX"


def _last_day(year: Optional[int], month: int) -> int:
    return calendar.monthrange(year or 2001, month)[1]  # unknown year: not a leap year


def _date(year: Optional[int], month: int, day: int) -> str:
    return f"{_y(year)}-{month:02d}-{day:02d}"


def _interval(year, m1, d1, m2, d2) -> str:
    return f"{_date(year, m1, d1)}/{_date(year, m2, d2)}"


def _month_interval(year, month, first=1, last=None) -> str:
    return _interval(year, month, first, month, last or _last_day(year, month))


def _year_of(m: regex.Match, g: dict, group: str, plan_year: Optional[int]) -> Optional[int]:
    """The match's own year, None for a blanked one (20xx年), else the plan's
    (``g``: the match's groupdict, built once per match)."""
    if g.get(group):
        return int(g[group])
    if _BLANK_YEAR.search(m.group()):
        return None
    return plan_year


def _resolve(kind: str, m: regex.Match, year: Optional[int], rules: Rules):
    """(value, recurrence) of one match, or None when it is not a deadline."""
    g = m.groupdict()
    month = int(to_number(g["m"])) if g.get("m") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if kind == "recurring":
        if g.get("n") and not g.get("n2") and to_number(g["n"]) == 1:
            return None  # 每一天: rhetoric, not a schedule
        return None, _rrule(g, rules)
    if kind == "within":
        if not g.get("n"):
            return rules.get("deadlines", "duration", "same")[g["u"]], None
        n = to_number(g["n"]) if g["n"] != "半" else 0.5
        unit = g["u"]
        template = rules.get("deadlines", "duration").get(unit)
        if template is None or n is None:
            return None
        n_text = str(int(n)) if float(n).is_integer() else str(n)
        return template.replace("{n}", n_text), None
    y = _year_of(m, g, "y", year)  # only now: the kinds above use no year
    m2 = int(to_number(g["m2"])) if g.get("m2") else None
    next_year = bool(g.get("next"))  # 11月至次年1月
    if m2 is not None and not (next_year or (month or 0) < m2 <= 12 or (m2 == month and g.get("d2"))):
        return None
    if kind == "range":
        if next_year:
            y2 = y + 1 if y else None
        else:
            y2 = _year_of(m, g, "y2", year) if g.get("y2") or "年" in m.group()[len(m.group()) // 2:] else y
        if not g.get("d"):
            return f"{_date(y, month, 1)}/{_date(y2, m2, _last_day(y2, m2))}", None
        d1, d2 = int(to_number(g["d"])), int(to_number(g["d2"]))
        return f"{_date(y, month, d1)}/{_date(y2, m2, d2)}", None
    if kind == "by":
        if g.get("qb"):
            q = int(to_number(g["qb"]))
            if g.get("qend"):  # 二季度末前: the quarter's last day
                return _date(y, 3 * q, _last_day(y, 3 * q)), None
            if q == 1:
                return _date(y - 1 if y else None, 12, 31), None
            return _date(y, 3 * q - 3, _last_day(y, 3 * q - 3)), None
        if g.get("yearend"):
            return _date(y, 12, 31), None
        if g.get("d"):
            return _date(y, month, int(to_number(g["d"]))), None
        end = g.get("end")
        if end in ("底", "末"):
            return _date(y, month, _last_day(y, month)), None
        if end == "中旬":
            return _date(y, month, 10), None
        if end == "下旬":
            return _date(y, month, 20), None
        prev = month - 1 or 12  # X月前: the last day of the month before
        py = y if month > 1 else (y - 1 if y else None)
        return _date(py, prev, _last_day(py, prev)), None
    if kind == "from":
        day = int(to_number(g["d"])) if g.get("d") else 1
        return f"{_date(y, month, day)}/..", None
    # on
    if g.get("q"):
        q = int(to_number(g["q"]))
        first, last = 3 * q - 2, 3 * q
        return _interval(y, first, 1, last, _last_day(y, last)), None
    if g.get("half"):
        return (_interval(y, 1, 1, 6, 30) if g["half"] == "上半年" else _interval(y, 7, 1, 12, 31)), None
    if g.get("yearpart"):
        month = {"年初": 1, "年中": 6, "年底": 12, "年末": 12}[g["yearpart"]]
        return _month_interval(y, month), None
    if g.get("d"):
        return _date(y, month, int(to_number(g["d"]))), None
    if m2 is not None:
        return _interval(y, month, 1, m2, _last_day(y, m2)), None
    part = g.get("part")
    if part in ("上旬", "初"):
        return _month_interval(y, month, 1, 10), None
    if part in ("中旬", "中"):
        return _month_interval(y, month, 11, 20), None
    if part == "下旬":
        return _month_interval(y, month, 21), None
    return _month_interval(y, month), None


def _rrule(g: dict, rules: Rules) -> str:
    freq = rules.get("deadlines", "freq")
    if g.get("dup"):
        return f"FREQ={freq[g['dup']]}"
    if g.get("wd") and not g.get("per"):  # 每逢周三
        days = rules.get("deadlines", "weekday")
        return "FREQ=WEEKLY;BYDAY=" + ",".join(dict.fromkeys(days[ch] for ch in g["wd"] if ch in days))
    if g.get("daily"):
        return "FREQ=DAILY"
    if g.get("workday"):
        return "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    if g.get("quarter_end"):
        return "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    if g.get("bymonth"):  # 每年3月(15日)
        rule = f"FREQ=YEARLY;BYMONTH={int(to_number(g['bymonth']))}"
        return rule + (f";BYMONTHDAY={int(g['bymd'])}" if g.get("bymd") else "")
    if not g.get("per") and g.get("bymd"):  # 次月5日前: a monthly day
        return f"FREQ=MONTHLY;BYMONTHDAY={int(g['bymd'])}"
    rule = f"FREQ={freq[g['per']]}"
    n = max(int(to_number(g[k])) for k in ("n", "n2") if g.get(k)) if g.get("n") or g.get("n2") else 1
    if n > 1:
        rule = _with_interval(rule, n)
    if g.get("wd") and g.get("per") in ("周", "星期"):
        days = rules.get("deadlines", "weekday")
        codes = [days[ch] for ch in g["wd"] if ch in days]
        if codes:
            rule += ";BYDAY=" + ",".join(dict.fromkeys(codes))
    if g.get("bymd") and g.get("per") == "月":
        rule += f";BYMONTHDAY={int(g['bymd'])}"
    return rule


def _with_interval(rule: str, n: int) -> str:
    m = _INTERVAL.search(rule)
    if m:
        return rule.replace(m.group(), f";INTERVAL={int(m.group(1)) * n}")
    return f"{rule};INTERVAL={n}"


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


_SENTENCE_STOP = regex.compile("[。；;\n]")


def _dosage_clause(view: str, pos: int, rules: Rules) -> bool:
    stop = _SENTENCE_STOP.search(view, pos)  # one search: four finds each scanned to the end
    return bool(rules.re("deadlines", "dosage_in_sentence").search(view, pos, stop.start() if stop else len(view)))


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
            resolved = _resolve(kind, m, year, rules)
            if resolved is None:
                continue
            claimed_starts.insert(at, a)
            claimed_ends.insert(at, b)
            found.append(Found(kind, a, b, *resolved))
    return sorted(found, key=lambda f: (f.start, f.end))


def deadlines_of(plan: Plan, sections, *, rules: Optional[Rules] = None) -> tuple[Deadline, ...]:
    """The plan's deadlines as records, with ids and sections."""
    out = []
    section_of = section_finder(sections)
    for i, f in enumerate(find_deadlines(plan.view, year=plan.year, rules=rules)):
        out.append(Deadline(id=f"d{i + 1}", text=plan.text[f.start:f.end], start=f.start, end=f.end,
                            kind=f.kind, value=f.value, recurrence=f.recurrence,
                            section=section_of(f.start)))
    return tuple(out)
