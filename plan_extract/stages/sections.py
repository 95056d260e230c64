"""Stage ``sections``: the numbered structure of a plan (SPEC §2, §8).

Candidates come from the marker table (``rules/markers.yaml``) at three kinds
of place: a line start (after markdown or list formatting), a sentence start
inside a paragraph, and — for the first item of an enumeration only — inside
a sentence.  A bare numeral whose delimiter was lost is accepted when it
continues its style's numbering.  Levels follow the order in which the plan
first uses each style.
"""

from __future__ import annotations

from typing import Optional


from ..core.document import Plan, Section
from ..rules import Rules, load_rules
from ..text.markers import Marker, marker_at, reported_style, styles
from ..text.numerals import marker_number
from ..text.punctuation import PAIRS
from ..text.script import to_simplified




def _lost(view: str, pos: int, last: dict[str, int], rules: Rules, end: int) -> Optional[Marker]:
    not_before = rules.re("markers", "lost_delimiter", "not_before")
    for style in rules.get("markers", "lost_delimiter", "regex"):
        if style not in last:
            continue  # only a style already in use can continue its numbering
        m = rules.re("markers", "lost_delimiter", "regex", style).match(view, pos, end)
        if not m:
            continue
        number = marker_number(m.group("num"))
        if number is not None and number == last[style] + 1 and not not_before.match(view, m.end(), end):
            return Marker(pos, m.end(), style, number, "lost")
    return None


def _line_candidates(view: str, a: int, b: int, rules: Rules) -> list[Marker]:
    """Marker candidates of the line ``view[a:b]`` (lost ones not yet decided)."""
    found: list[Marker] = []
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
        c = marker_at(view, pos, rules, b)
        if c:
            c.place = place
            found.append(c)
        else:
            found.append(Marker(pos, pos, "", 0, "lost?"))
    opened = [c for c in found if c.style]
    if opened:
        found.extend(_inside_candidates(view, a, b, opened, taken, rules))
    return sorted(found, key=lambda c: c.start)


def _inside_candidates(view, a, b, opened, taken, rules) -> list[Marker]:
    """First items sitting inside a sentence, kept when item 2 opens one."""
    wanted = {(c.style, c.number - 1) for c in opened if c.number > 1}
    wanted_styles = {style for style, _ in wanted}
    out = []
    for name, pats, _ in styles(rules):
        if name not in wanted_styles:
            continue  # only a style whose item 2 opened a sentence here can have its item 1 inside
        for pat in pats:
            for m in pat.finditer(view, a, b):
                if m.start() in taken or m.start() == a:
                    continue
                if not rules.re("markers", "inside_after").match(view[m.start() - 1]):
                    continue
                c = marker_at(view, m.start(), rules, b)
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
    accepted: list[Marker] = []
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
    return _build_tree(plan, _with_requirements(accepted, rules), rules)


def _with_requirements(accepted: list[Marker], rules: Rules) -> list[Marker]:
    """Markers of a style that ``requires`` another (1 上年工作回顾 needs 1.1-style
    numbers elsewhere in the plan) kept only where that style is used."""
    requires = rules.memo("style_requirements", lambda: {
        s["name"]: s["requires"] for s in rules.get("markers", "styles") if "requires" in s})
    used = {c.style for c in accepted}
    return [c for c in accepted if requires.get(c.style, c.style) in used]


def _build_tree(plan: Plan, accepted: list[Marker], rules: Rules) -> tuple[Section, ...]:
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
            id=f"s{i + 1}", style=reported_style(c.style, rules), level=rank[c.style],
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
            unpaired = last in PAIRS and title.count(PAIRS[last]) < title.count(last)
        if not unpaired:
            break
        title = title[:-1]
    return title.lstrip(" \t\u3000*#_")
