"""Normalize: a deadline match to its SPEC §4 value, with the plan's year as
reference (``XXXX`` when unknown): an EDTF date or interval, an ISO 8601
duration, or an RFC 5545 RRULE."""

from __future__ import annotations

import calendar
from typing import Optional

import regex

from ...rules import Rules
from ...text.numerals import digit_by_digit, to_number

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


def _year_of(m: regex.Match, g: dict, group: str, plan_year: Optional[int], blank_year: regex.Pattern) -> Optional[int]:
    """The match's own year (2026年, 二〇二六年, 民国113年, 26年), the plan's
    year + 1 for 明年/次年, None for a blanked one (20xx年), else the plan's
    (``g``: the match's groupdict, built once per match)."""
    if g.get(group):
        return int(g[group])
    if g.get(group + "c"):
        return digit_by_digit(g[group + "c"])
    if g.get(group + "roc"):
        return int(g[group + "roc"]) + _ROC_OFFSET
    if g.get(group + "s"):
        return _CENTURY + int(g[group + "s"])
    if group == "y" and g.get("rel"):
        return plan_year + 1 if plan_year else None
    if blank_year.search(m.group()):
        return None
    return plan_year


_ROC_OFFSET = 1911  # 民国113年 is 2024
_CENTURY = 2000  # 26年9月 is 2026 (decided: a two-digit year before a month is 20nn)


def _day(spec, year: Optional[int], month: int) -> int:
    """A day of a table entry: a number, or ``last`` (the month's last day)."""
    return _last_day(year, month) if spec == "last" else int(spec)


def normalize(kind: str, m: regex.Match, year: Optional[int], rules: Rules):
    """(value, recurrence) of one match, or None when it is not a deadline."""
    table = rules.get("deadlines")
    blank_year = rules.re("deadlines", "blank_year")
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
        n = to_number(g["n"])
        unit = g["u"]
        designator = table["duration"].get(unit)
        if designator is None or unit == "same" or n is None:
            return None
        if designator == "Y" and not float(n).is_integer():  # 半年内: P6M, not P0.5Y
            years, months = int(n), round((n - int(n)) * 12)
            return ("P" + (f"{years}Y" if years else "") + f"{months}M"), None
        n_text = str(int(n)) if float(n).is_integer() else str(n)
        return f"P{designator[:-1]}{n_text}{designator[-1]}", None  # TH: PT24H, D: P3D
    y = _year_of(m, g, "y", year, blank_year)  # only now: the kinds above use no year
    m2 = int(to_number(g["m2"])) if g.get("m2") else None
    next_year = bool(g.get("next"))  # 11月至次年1月
    own_end_year = any(g.get(k) for k in ("y2", "y2c", "y2roc", "y2s"))  # 23年9月至24年1月
    forward = (month or 0) < m2 <= 12 if m2 is not None else True
    if m2 is not None and not (next_year or own_end_year or forward or (m2 == month and g.get("d2"))):
        return None
    if kind == "range":
        m2 = m2 or month  # 三月五日到九日: the end day is in the same month
        if next_year:
            y2 = y + 1 if y else None
        else:
            second_half = m.group()[len(m.group()) // 2:]
            y2 = _year_of(m, g, "y2", year, blank_year) if g.get("y2") or table["year_mark"] in second_half else y
        if not g.get("d"):  # 7月中旬至8月下旬: from the first part's first day to the second's last
            first, last = table["month_part"].get(g.get("part"), (1,))[0], \
                table["month_part"].get(g.get("part2"), (None, "last"))[1]
            return f"{_date(y, month, _day(first, y, month))}/{_date(y2, m2, _day(last, y2, m2))}", None
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
        if g.get("yearend") or g.get("toyear") is not None:  # 年底前; 到2027年
            return _date(y, 12, 31), None
        if g.get("yearbefore"):  # 2028年前: like X月前, the last day before it
            return _date(y - 1, 12, 31), None
        if g.get("d"):
            return _date(y, month, int(to_number(g["d"]))), None
        end = table["month_end"].get(g.get("end"))
        if end is not None:
            return _date(y, month, _day(end, y, month)), None
        prev = month - 1 or 12  # X月前: the last day of the month before
        py = y if month > 1 else (y - 1 if y else None)
        return _date(py, prev, _last_day(py, prev)), None
    if kind == "from":
        if g.get("half"):  # 下半年起: from the half's first month
            month = table["half_year"][g["half"]][0]
        elif g.get("q"):  # 二季度以后: from the quarter's first month
            month = 3 * int(to_number(g["q"])) - 2
        part = table["month_part"].get(g.get("part"))
        day = int(to_number(g["d"])) if g.get("d") else _day(part[0], y, month) if part else 1
        return f"{_date(y, month or 1, day)}/..", None  # 明年起: from January
    # on
    if g.get("q"):
        q = int(to_number(g["q"]))
        first, last = 3 * q - 2, 3 * q
        return _interval(y, first, 1, last, _last_day(y, last)), None
    if g.get("half"):
        first, last = table["half_year"][g["half"]]
        return _interval(y, first, 1, last, _last_day(y, last)), None
    if g.get("yearpart"):
        return _month_interval(y, table["year_part"][g["yearpart"]]), None
    if g.get("d"):
        return _date(y, month, int(to_number(g["d"]))), None
    if m2 is not None:
        return _interval(y, month, 1, m2, _last_day(y, m2)), None
    part = table["month_part"].get(g.get("part"))
    if part is not None:
        return _month_interval(y, month, _day(part[0], y, month), _day(part[1], y, month)), None
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
    if g.get("wd") and freq.get(g.get("per")) == "WEEKLY":  # 每周四, 每周一至周五
        codes = _weekdays(g["wd"], rules)
        if codes:
            rule += ";BYDAY=" + ",".join(codes)
    if g.get("nthday"):  # 每月第一个星期六, 每月最后一个周五
        nth = -1 if g.get("last") else int(to_number(g["nth"]))
        rule += f";BYDAY={nth}{rules.get('deadlines', 'weekday')[g['nthday']]}"
    if g.get("period_end"):  # 每月末, 每季度末: the period's last day
        rule += ";BYMONTHDAY=-1"
    if g.get("bymd") and freq.get(g.get("per")) == "MONTHLY":  # 每月25日前
        rule += f";BYMONTHDAY={int(g['bymd'])}"
    return rule


def _weekdays(text: str, rules: Rules) -> list[str]:
    """Weekday codes of 一、三、五 or of a range 一至五 (every day from the first to the last)."""
    days = rules.get("deadlines", "weekday")
    order = list(dict.fromkeys(days.values()))  # MO … SU
    codes: list[str] = []
    ranged = False
    for ch in text:
        if ch in rules.get("deadlines", "weekday_range"):
            ranged = True
        elif ch in days:
            if ranged and codes:
                codes += order[order.index(codes[-1]) + 1:order.index(days[ch]) + 1]
            else:
                codes.append(days[ch])
            ranged = False
    return list(dict.fromkeys(codes))


def _with_interval(rule: str, n: int) -> str:
    m = _INTERVAL.search(rule)
    if m:
        return rule.replace(m.group(), f";INTERVAL={int(m.group(1)) * n}")
    return f"{rule};INTERVAL={n}"
