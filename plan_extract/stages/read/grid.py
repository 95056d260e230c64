"""Tables drawn with rules in a PDF: a row whose cells wrap read as one line.

Word, WPS and LibreOffice print a table's borders as thin path objects.
Where a cell's text wraps, reading the page line by line cuts its row into
pieces: the name's two halves above and below the row's values, the row's
number glued to a value (``2127.4%``), a header's ``2025年完成`` over ``值``.
Between two horizontal rules stands a row, between two vertical rules a
cell: a row with a cell of more than one line is printed as one line, its
cells left to right, each cell's lines joined, and so is a row whose
cells would run together (two cells' texts closer than a space's width:
``2025年实际2026年目标``).  Other rows stay as the page's lines have them.
"""

from __future__ import annotations

from typing import NamedTuple

from .columns import joined, left_edge, lines_of, wide

RULE_THICKNESS = 2.5  # a border is thinner than this, in points
RULE_MIN = 6.0  # and at least this long
SAME_LINE = 1.5  # rules this close in position are one
ROW_MAX = 160.0  # a row no taller than this (a taller box is a frame, not a row)
OVERLAP = 0.5  # two horizontal rules bound one row when they share this share of the narrower


class Rule(NamedTuple):
    """A border: ``at`` its position across, ``start``–``end`` its extent along."""
    at: float
    start: float
    end: float


def rules_of(bounds: list[tuple[float, float, float, float]]) -> tuple[list[Rule], list[Rule]]:
    """The horizontal and the vertical borders among path objects' bounds
    (left, bottom, right, top); pieces of one border (each cell draws its
    own) are joined."""
    horizontal, vertical = [], []
    for left, bottom, right, top in bounds:
        width, height = right - left, top - bottom
        if height <= RULE_THICKNESS and width >= RULE_MIN:
            horizontal.append(Rule((bottom + top) / 2, left, right))
        elif width <= RULE_THICKNESS and height >= RULE_MIN:
            vertical.append(Rule((left + right) / 2, bottom, top))
    return _joined_rules(horizontal), _joined_rules(vertical)


def _joined_rules(rules: list[Rule]) -> list[Rule]:
    out: list[Rule] = []
    for rule in sorted(rules):
        last = out[-1] if out else None
        if last and rule.at - last.at <= SAME_LINE and rule.start <= last.end + SAME_LINE:
            out[-1] = Rule(last.at, last.start, max(last.end, rule.end))
        else:
            out.append(rule)
    return out


def wrapped_rows(chars: list[tuple], horizontal: list[Rule], vertical: list[Rule]
                 ) -> tuple[list[tuple], list[tuple[float, str]]]:
    """The characters outside the table rows that wrap, and each such row as
    (its depth, as :func:`columns.placed` gives a character's, its text)."""
    if len(horizontal) < 2 or not vertical or not chars:
        return chars, []
    taken: set[int] = set()
    rows = []
    by_height = sorted(horizontal, key=lambda r: -r.at)
    for upper, lower in zip(by_height, by_height[1:]):
        left, right = max(upper.start, lower.start), min(upper.end, lower.end)
        narrower = min(upper.end - upper.start, lower.end - lower.start)
        if right - left < OVERLAP * narrower or not 0 < upper.at - lower.at <= ROW_MAX:
            continue
        middle = (upper.at + lower.at) / 2
        walls = sorted(v.at for v in vertical if left + SAME_LINE < v.at < right - SAME_LINE
                       and v.start - SAME_LINE <= middle <= v.end + SAME_LINE)
        if not walls:
            continue  # a frame round text, not a row of cells
        inside = [k for k, c in enumerate(chars)
                  if left <= (c[1] + c[3]) / 2 <= right and lower.at < -c[5] / 2 < upper.at]
        cells: list[list[tuple]] = [[] for _ in range(len(walls) + 1)]
        for k in inside:
            x = (chars[k][1] + chars[k][3]) / 2
            cells[sum(x > w for w in walls)].append(chars[k])
        lines = [lines_of(cell) for cell in cells]
        text = " ".join(t for t in (_cell_text(cell_lines) for cell_lines in lines) if t)
        as_read = lines_of([chars[k] for k in inside])
        if len(as_read) <= 1 and all(len(cell_lines) <= 1 for cell_lines in lines) \
                and (not as_read or joined(sorted(as_read[0], key=left_edge)) == text):
            continue  # the row reads as one line, its cells apart: as the page's lines have it
        taken.update(inside)
        rows.append((-(upper.at + lower.at), text))
    if not rows:
        return chars, []
    return [c for k, c in enumerate(chars) if k not in taken], rows


def _cell_text(lines: list[list[tuple]]) -> str:
    """A cell's lines as one: joined without a space, but between two words
    of Latin letters or digits."""
    out = ""
    for line in lines:
        text = joined(sorted(line, key=left_edge))
        if out and text and not wide(out[-1]) and not wide(text[0]) and out[-1].isalnum() and text[0].isalnum():
            out += " "
        out += text
    return out
