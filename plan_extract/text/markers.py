"""Enumeration markers (一、 （二） 3. ④ 壹、 第一， 一是): where one starts.

The one definition of marker forms is ``rules/markers.yaml``; every place
that must know whether a text opens with a marker asks :func:`marker_at`:
the sections stage, the split stage's plan titles, running headers
(``text.layout``), the clean stage's boxes and a target's metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import regex

from ..rules import Rules
from .numerals import marker_number


@dataclass(slots=True)
class Marker:
    start: int  # marker start in the plan text
    end: int  # marker end (delimiters included)
    style: str
    number: int
    place: str = ""  # line, sentence, inside, lost (set by the sections stage)


def styles(rules: Rules):
    def build():
        out = []
        for style in rules.get("markers", "styles"):
            pats = [regex.compile(p) for p in style["regex"]]
            out.append((style["name"], pats, bool(style.get("enclosed"))))
        return out

    return rules.memo("marker_styles", build)


def reported_style(name: str, rules: Rules) -> str:
    """The style a node is written as: a decimal outline's depths (outline2,
    outline3) nest as styles of their own and are written as ``arabic``."""
    return rules.memo("reported_styles", lambda: {
        s["name"]: s.get("report_as", s["name"]) for s in rules.get("markers", "styles")}).get(name, name)


def _any_marker(rules: Rules) -> tuple[regex.Pattern, list[tuple[int, tuple[str, bool]]]]:
    """Every style's patterns as one alternation, each alternative closed by an
    empty group of its own: one match finds the first style (in table order)
    that matches at a place, and most places hold no marker at all.  The
    styles come as (number of the alternative's group, (style, enclosed))."""
    def build():
        alternatives, styles = [], {}
        for style in rules.get("markers", "styles"):
            for p in style["regex"]:
                name = f"alt{len(alternatives)}"
                alternatives.append(f"(?:{p})(?P<{name}>)")
                styles[name] = (style["name"], bool(style.get("enclosed")))
        alternation = regex.compile("|".join(alternatives))
        return alternation, [(alternation.groupindex[name], style) for name, style in styles.items()]

    return rules.memo("any_marker", build)


def marker_at(view: str, pos: int, rules: Rules, end: Optional[int] = None) -> Optional[Marker]:
    """The marker starting exactly at ``pos`` of ``view``, if any."""
    end = len(view) if end is None else end
    alternation, styles = _any_marker(rules)
    m = alternation.match(view, pos, end)
    if not m:
        return None
    name, enclosed = next(style for group, style in styles if m.start(group) >= 0)
    stop = m.end()
    if enclosed and stop < end and view[stop] in rules.get("markers", "extra_delimiter"):
        stop += 1
    if not enclosed and view[stop - 1] in rules.get("markers", "list_delimiter") \
            and rules.re("markers", "not_after").match(view, stop, end):
        return None  # 一、二级医院, 3、4月: a list of numbers, not a node
    number = marker_number(m.group("num"))
    if number is None:
        return None  # a malformed numeral (十十、, 十五一、): a typo, not a node
    return Marker(pos, stop, name, number)


def opens_with_marker(view: str, rules: Rules) -> bool:
    """Whether ``view`` (a line or a title, formatting stripped) opens with a
    section marker: such a line is a heading, never a plan title or a running header."""
    return marker_at(view, 0, rules) is not None
