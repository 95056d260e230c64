"""Normalize: a deadline match to its SPEC §4 value, with the plan's year as
reference (``XXXX`` when unknown): an EDTF date or interval, an ISO 8601
duration, or an RFC 5545 RRULE."""

from __future__ import annotations

import calendar
from typing import Optional

import regex

from ...rules import Rules
from ...text.numerals import to_number

_BLANK_YEAR = regex.compile(r"[xX×_]{2,}\s*年")
_INTERVAL = regex.compile(r";INTERVAL=(\d+)")


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


def normalize(kind: str, m: regex.Match, year: Optional[int], rules: Rules):
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
        designator = rules.get("deadlines", "duration").get(unit)
        if designator is None or unit == "same" or n is None:
            return None
        n_text = str(int(n)) if float(n).is_integer() else str(n)
        return f"P{designator[:-1]}{n_text}{designator[-1]}", None  # TH: PT24H, D: P3D
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
