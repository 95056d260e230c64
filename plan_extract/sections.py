"""Stage ``sections``: the numbered structure of a plan (SPEC §2, §8).

Candidates come from the marker table (``rules/markers.yaml``) at three kinds
of place: a line start (after markdown or list formatting), a sentence start
inside a paragraph, and — for the first item of an enumeration only — inside
a sentence.  A bare numeral whose delimiter was lost is accepted when it
continues its style's numbering.  Levels follow the order in which the plan
first uses each style.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import cn2an
import regex

from .clean import to_simplified
from .document import Plan, Section
from .rules import Rules, load_rules


_AFTER_WORD = regex.compile(r"[\p{Han}，,]")


@dataclass(slots=True)
class Candidate:
    start: int  # marker start in the plan text
    end: int  # marker end (delimiters included)
    style: str
    number: int
    place: str  # line, sentence, inside, lost


@lru_cache(maxsize=4096)
def _number(num: str) -> int:
    if num.isdigit() and num.isascii():
        return int(num)
    if len(num) == 1 and not ("\u4e00" <= num <= "\u9fff"):
        return int(unicodedata.numeric(num))
    return int(cn2an.cn2an(num.replace("参", "叁"), "normal"))  # 參 simplifies to 参, which cn2an does not read


def _styles(rules: Rules):
    def build():
        out = []
        for style in rules.get("markers", "styles"):
            pats = [regex.compile(p) for p in style["regex"]]
            out.append((style["name"], pats, bool(style.get("enclosed"))))
        return out

    return rules.memo("marker_styles", build)


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


def match_marker(view: str, pos: int, rules: Rules, end: Optional[int] = None) -> Optional[Candidate]:
    """The marker starting exactly at ``pos`` of ``view``, if any."""
    end = len(view) if end is None else end
    alternation, styles = _any_marker(rules)
    m = alternation.match(view, pos, end)
    if not m:
        return None
    name, enclosed = next(style for group, style in styles if m.start(group) >= 0)
    stop = m.end()
    if enclosed and stop < end and view[stop] in "、,，.":
        stop += 1
    if not enclosed and view[stop - 1] in "、,，" and rules.re("markers", "not_after").match(view, stop, end):
        return None  # 一、二级医院, 3、4月: a list of numbers, not a node
    return Candidate(pos, stop, name, _number(m.group("num")), "")


def _lost(view: str, pos: int, last: dict[str, int], rules: Rules, end: int) -> Optional[Candidate]:
    not_before = rules.re("markers", "lost_delimiter", "not_before")
    for style in rules.get("markers", "lost_delimiter", "regex"):
        if style not in last:
            continue  # only a style already in use can continue its numbering
        m = rules.re("markers", "lost_delimiter", "regex", style).match(view, pos, end)
        if not m:
            continue
        number = _number(m.group("num"))
        if number == last[style] + 1 and not not_before.match(view, m.end(), end):
            return Candidate(pos, m.end(), style, number, "lost")
    return None


def _line_candidates(view: str, a: int, b: int, rules: Rules) -> list[Candidate]:
    """Marker candidates of the line ``view[a:b]`` (lost ones not yet decided)."""
    found: list[Candidate] = []
    line_prefix, sentence_opener = rules.memo("line_places", lambda: (
        rules.re("markers", "line_prefix"), rules.re("markers", "sentence_opener")))
    p = line_prefix.match(view, a, b).end()
    places = [(p, "line")]
    for m in sentence_opener.finditer(view, a, b):
        places.append((m.end(), "sentence"))
    taken = set()
    for pos, place in places:
        if pos >= b or pos in taken:
            continue
        taken.add(pos)
        c = match_marker(view, pos, rules, b)
        if c:
            c.place = place
            found.append(c)
        else:
            found.append(Candidate(pos, pos, "", 0, "lost?"))
    opened = [c for c in found if c.style]
    if opened:
        found.extend(_inside_candidates(view, a, b, opened, taken, rules))
    return sorted(found, key=lambda c: c.start)


def _inside_candidates(view, a, b, opened, taken, rules) -> list[Candidate]:
    """First items sitting inside a sentence, kept when item 2 opens one."""
    wanted = {(c.style, c.number - 1) for c in opened if c.number > 1}
    wanted_styles = {style for style, _ in wanted}
    out = []
    for name, pats, _ in _styles(rules):
        if name not in wanted_styles:
            continue  # only a style whose item 2 opened a sentence here can have its item 1 inside
        for pat in pats:
            for m in pat.finditer(view, a, b):
                if m.start() in taken or m.start() == a:
                    continue
                if not _AFTER_WORD.match(view[m.start() - 1]):
                    continue
                c = match_marker(view, m.start(), rules, b)
                if c and c.style == name and (name, c.number) in wanted:
                    later = any(o.style == name and o.number == c.number + 1 and o.start > c.start
                                for o in opened)
                    if later:
                        c.place = "inside"
                        out.append(c)
                        taken.add(m.start())
    return out


def find_sections(plan: Plan, *, rules: Optional[Rules] = None) -> tuple[Section, ...]:
    """The plan's section nodes in document order."""
    rules = rules or load_rules()
    view = plan.view
    accepted: list[Candidate] = []
    last: dict[str, int] = {}
    pos = 0
    first_line = plan.title is not None
    for line in view.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if first_line:
            first_line = False
            continue
        for c in _line_candidates(view, a, b, rules):
            if c.place == "lost?":
                c = _lost(view, c.start, last, rules, b)
                if c is None:
                    continue
            accepted.append(c)
            last[c.style] = c.number
    return _build_tree(plan, accepted, rules)


def _build_tree(plan: Plan, accepted: list[Candidate], rules: Rules) -> tuple[Section, ...]:
    rank: dict[str, int] = {}
    for c in accepted:
        rank.setdefault(c.style, len(rank) + 1)
    ends = [len(plan.text)] * len(accepted)
    parents: list[Optional[int]] = [None] * len(accepted)
    stack: list[int] = []
    for i, c in enumerate(accepted):
        level = rank[c.style]
        while stack and rank[accepted[stack[-1]].style] >= level:
            ends[stack.pop()] = c.start
        parents[i] = stack[-1] if stack else None
        stack.append(i)
    bounds = [_title_bounds(plan, c.end, accepted[i + 1].start if i + 1 < len(accepted) else len(plan.text), rules)
              for i, c in enumerate(accepted)]
    titles = _simplified([plan.text[a:b] for a, b in bounds])
    strip = rules.get("markers", "title_strip")
    out = []
    for i, c in enumerate(accepted):
        title = _strip(titles[i].strip(strip), strip)
        out.append(Section(
            id=f"s{i + 1}", style=c.style, level=rank[c.style],
            parent=None if parents[i] is None else f"s{parents[i] + 1}",
            number=c.number, marker=plan.text[c.start:c.end],
            title=_strip(title[: rules.get("markers", "title_max")], strip), start=c.start, end=ends[i]))
    return tuple(out)


def _simplified(texts: list[str]) -> list[str]:
    """``to_simplified`` of each text, in one call when no text holds a line
    break (no conversion phrase crosses one)."""
    if any("\n" in t for t in texts):
        return [to_simplified(t) for t in texts]
    return to_simplified("\n".join(texts)).split("\n") if texts else []


_PAIRS = {"”": "“", "’": "‘", ")": "(", "）": "（", "】": "【", "》": "《", "」": "「", "』": "『", '"': '"'}


def _title_bounds(plan: Plan, start: int, limit: int, rules: Rules) -> tuple[int, int]:
    """Where a node's title lies in the plan text: after the marker and its
    spaces, up to the first title end before the next marker."""
    view = plan.view
    while start < limit and view[start] in " \t\u3000":
        start += 1
    m = rules.re("markers", "title_end").search(view, start, limit)
    return start, m.start() if m else limit


def _strip(title: str, strip: str) -> str:
    """Drop trailing punctuation; a closing bracket or quote stays when paired."""
    while title:
        title = title.rstrip(strip)
        last = title[-1:]
        if last == '"':
            unpaired = title.count('"') % 2 == 1
        else:
            unpaired = last in _PAIRS and title.count(_PAIRS[last]) < title.count(last)
        if not unpaired:
            break
        title = title[:-1]
    return title.lstrip(" \t\u3000*#_")
