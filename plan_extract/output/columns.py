"""Columns the flat tables derive from a record, for people who read them in
a spreadsheet rather than parse SPEC §4 values: a deadline's last allowed day
and period as dates, a recurrence in plain words, the organisation a plan's
title names, section paths with titles, and a review flag.

Words and patterns come from ``rules/export.yaml``; nothing here changes a
record.
"""

from __future__ import annotations

import re
from datetime import date
from string import Template
from typing import Optional

import regex

from ..rules import Rules
from ..text.script import make_view

# The review page flags targets below this P(target) too (output/report.py):
# the classifier is calibrated (README, expected calibration error 0.009), so
# below it more than one in four such candidates is not a target.
LOW_CONFIDENCE = 0.75

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")  # an unknown year (XXXX) is no calendar date
_PART_VALUE = re.compile(r"^(?P<n>[+-]?\d+)?(?P<day>[A-Z]{2})?$")


def _date(text: Optional[str]) -> Optional[date]:
    m = _DATE.match(text or "")
    return date(*map(int, m.groups())) if m else None


def deadline_dates(value: Optional[str]) -> tuple[Optional[date], Optional[date], Optional[date]]:
    """(due, period start, period end) of a deadline's normalized value.

    ``due`` is the last day the deadline allows: the date of a ``by``
    (``2026-06-30``), the end of an interval (``on``, ``range``).  An open
    interval (``from``: ``2026-03-01/..``) has a start and no due, a single
    day (``2026-12-01``) is its own period.  A duration (``within``), a
    recurrence (value ``None``) and a date whose year is unknown (``XXXX``)
    give no dates."""
    if not value:
        return None, None, None
    if "/" not in value:
        day = _date(value)
        return day, None, None
    first, last = value.split("/", 1)
    return _date(last), _date(first), _date(last)


def period_of(kind: Optional[str], value: Optional[str]) -> tuple[Optional[date], Optional[date]]:
    """The period a deadline names (start, end): an ``on`` day is a period of one day."""
    due, start, end = deadline_dates(value)
    if kind == "on" and due is not None and start is None:
        return due, due
    return start, end


def recurrence_words(rrule: Optional[str], rules: Rules) -> Optional[str]:
    """An RRULE in plain words (``FREQ=MONTHLY;INTERVAL=3`` -> 每季度), or None
    when ``rules/export.yaml`` has no words for one of its parts."""
    if not rrule:
        return None
    table = rules.get("export", "recurrence")
    if rrule in table["named"]:
        return table["named"][rrule]
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    freq, interval = parts.pop("FREQ", None), parts.pop("INTERVAL", "1")
    period = freq if interval == "1" else f"{freq};INTERVAL={interval}"
    if period in table["period"]:
        words = table["period"][period]
    elif freq in table["every"]:
        words = Template(table["every"][freq]).substitute(n=interval)
    else:
        return None
    for name, forms in table["parts"].items():
        if name not in parts:
            continue
        each = [_part_words(v, forms, table["weekday"]) for v in parts.pop(name).split(",")]
        if None in each:
            return None
        words += table["join"].join(each)
    return None if parts else words


def _part_words(value: str, forms: dict, weekday: dict) -> Optional[str]:
    """One value of an RRULE part (``25``, ``-1``, ``TH``, ``1SA``, ``-1FR``) in words."""
    m = _PART_VALUE.match(value)
    if not value or not m or (m["day"] and m["day"] not in weekday):
        return None
    n, day = m["n"], m["day"]
    if n == "-1":
        key = "last"
    elif n and n.startswith("-"):
        return None  # the second-to-last day: no words for it
    else:
        key = "nth" if n and day else "each"
    form = forms.get(key)
    return Template(form).substitute(n=(n or "").lstrip("+"), day=weekday.get(day, "")) if form else None


def organisation(title: Optional[str], rules: Rules) -> Optional[str]:
    """The organisation a plan's title names, as written, or None."""
    if not title:
        return None
    view = make_view(title, rules=rules)
    m = rules.re("plans", "title").match(view)
    at = m.start("stem") if m else 0  # without a collection's prefix and ordinal
    stem = view[at:m.end("stem")] if m else view
    patterns = rules.memo("export.organisation",
                          lambda: [regex.compile(p) for p in rules.value("export", "organisation")])
    for pattern in patterns:
        found = pattern.match(stem)
        if found and found["org"]:
            return title[at + found.start("org"):at + found.end("org")]
    return None


def section_paths(sections: list[dict], *, titles: bool = False) -> dict[str, str]:
    """id -> ``一、 > （二） > 3.`` (the markers), or with ``titles``
    ``一、加强质量管理 > （二）落实核心制度`` for every section of a plan."""
    by_id = {s["id"]: s for s in sections}
    out = {}
    for s in sections:
        chain, node = [], s
        while node is not None:
            marker = node["marker"].strip()
            chain.append(marker + (node["title"] or "") if titles else marker)
            node = by_id.get(node["parent"]) if node["parent"] else None
        out[s["id"]] = " > ".join(reversed(chain))
    return out


def needs_review(confidence: Optional[float]) -> Optional[bool]:
    """Whether a person should check a target: True below :data:`LOW_CONFIDENCE`;
    None without a confidence (a rules-only run has no probability to judge by)."""
    return None if confidence is None else confidence < LOW_CONFIDENCE
