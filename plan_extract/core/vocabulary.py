"""The closed vocabularies of a record (SPEC §2–§4), each defined once.

The stages produce these values, ``output.schema`` publishes them and
``training.validate`` checks the gold against them, so a new marker style or
deadline kind is added here and nowhere else (its patterns go in the rule
tables, which the loader checks against :class:`MarkerStyle`).
"""

from __future__ import annotations

from enum import Enum


class MarkerStyle(str, Enum):
    """Enumeration marker styles (SPEC §2); the value is the record's ``style``."""

    CJK = "cjk"  # 一、 二．
    CJK_FORMAL = "cjk_formal"  # 壹、 貳、
    PAREN_CJK = "paren_cjk"  # （一） ㈢
    ARABIC = "arabic"  # 1、 2.
    PAREN_ARABIC = "paren_arabic"  # （1） ⑶
    CIRCLED = "circled"  # ①
    ORDINAL = "ordinal"  # 第一， 第二部分
    SHI = "shi"  # 一是


class Comparator(str, Enum):
    """A target's comparator, from its cue only (SPEC §3)."""

    EQ = "="
    GE = ">="
    LE = "<="
    GT = ">"
    LT = "<"
    ABOUT = "~"


class DeadlineKind(str, Enum):
    """A deadline's kind (SPEC §4); the matchers of ``rules/deadlines.yaml`` are filed under these."""

    BY = "by"
    ON = "on"
    RANGE = "range"
    FROM = "from"
    WITHIN = "within"
    RECURRING = "recurring"


class Script(str, Enum):
    """The script a plan is written in (its ``text`` keeps it)."""

    SIMPLIFIED = "zh-Hans"
    TRADITIONAL = "zh-Hant"


def values(enum: type[Enum]) -> list[str]:
    """The record values of a vocabulary, in definition order."""
    return [member.value for member in enum]


# Normalized deadline values (SPEC §4): EDTF dates and intervals with ``XXXX``
# for an unknown year, ISO 8601 durations, RFC 5545 RRULEs.
DATE = r"(?:\d{4}|XXXX)-\d{2}-\d{2}"
DURATION = r"P(?:\d+(?:\.\d+)?[YMWD]|T\d+(?:\.\d+)?[HMS])"
VALUE_FORMS = {
    DeadlineKind.BY: rf"^{DATE}$",
    DeadlineKind.ON: rf"^{DATE}(?:/{DATE})?$",
    DeadlineKind.RANGE: rf"^{DATE}/{DATE}$",
    DeadlineKind.FROM: rf"^{DATE}/\.\.$",
    DeadlineKind.WITHIN: rf"^{DURATION}$",
}
ANY_VALUE = rf"^(?:{DATE}(?:/(?:{DATE}|\.\.))?|{DURATION})$"
RRULE = (r"^FREQ=(?:DAILY|WEEKLY|MONTHLY|YEARLY)(?:;(?:INTERVAL=\d+|BYDAY=(?:[+-]?\d{1,2})?[A-Z]{2}"
         r"(?:,(?:[+-]?\d{1,2})?[A-Z]{2})*|BYMONTHDAY=-?\d{1,2}(?:,-?\d{1,2})*|BYMONTH=\d{1,2}(?:,\d{1,2})*))*$")
