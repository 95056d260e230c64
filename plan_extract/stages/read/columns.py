"""A PDF page's reading order from its characters' boxes: characters
grouped into lines, and a body set in two columns (a newsletter, a
two-column export) read column by column instead of across the gutter."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from functools import lru_cache
from itertools import repeat
from operator import itemgetter, sub
from typing import Optional


def placed(ch: str, left: float, bottom: float, right: float, top: float) -> tuple:
    """A character as the reading order takes it: ``(char, left, bottom,
    right, top, depth, height)``, its box in points, ``depth`` its bottom and
    top summed and negated (twice its middle, so that lines sort top down
    by a plain key) and ``height`` its box's."""
    return ch, left, bottom, right, top, -(bottom + top), top - bottom


def height_of(c: tuple) -> float:
    """A character's height as lines measure it: at least 1 pt (a rule, a space)."""
    return c[6] if c[6] >= 1.0 else 1.0


def lines_of(chars) -> list[list[tuple]]:
    """Characters (:func:`placed`) grouped into lines by their vertical
    middles, top to bottom: a character joins a line whose first
    character's middle is within half the taller height of its own."""
    lines: list[list[tuple]] = []
    line, depth0, height0 = None, 0.0, 0.0
    for c in sorted(chars, key=_by_row):
        depth, height = c[5], c[6]
        if height < 1.0:
            height = 1.0
        if line is not None and abs(depth - depth0) <= (height if height > height0 else height0):
            line.append(c)
        else:
            line, depth0, height0 = [c], depth, height
            lines.append(line)
    return lines


PROBE = 7  # every PROBE-th character's height is enough for the median
GUTTER_MIN = 0.8  # a column gutter's width, in character heights
GUTTER_ZONE = (0.3, 0.7)  # where on the page's text width a gutter may run
COLUMN_MIN_CHARS = 8  # median characters of a column's lines: prose, not a table's cells
COLUMN_WIDTH_RATIO = 0.75  # the narrower column is at least this share of the wider
COLUMN_HAN_SHARE = 0.6  # wide (Han) characters in each column: prose, not figures
PAGE_EDGE_LINES = 2  # lines at a page's top and bottom where running headers and footers stand
RIGHT_MARGIN = 3  # character heights past the gutter where a right column's line may start (an indent)


def reading_order(chars, prior: Optional[tuple[float, float]] = None
                  ) -> tuple[list[list[tuple]], Optional[tuple[float, float]]]:
    """The page's lines, and the gutter they were read by (None: one column).

    A body set in two columns (a newsletter, a two-column export) is read
    column by column between the lines that span both (a title block, a
    running header), instead of across the gutter row by row.  ``prior``,
    the page before's gutter, holds when few lines cross it: a last page
    whose right column is short leaves a gutter too wide to find."""
    if not chars:
        return [], prior
    lines = lines_of(chars)
    limit = _crossing_limit(len(lines))
    known = prior is not None and sum(_spans(line, prior, edge=False) for line in lines) <= limit
    gutter = prior if known else _gutter(chars, len(lines))
    if gutter is None:
        return lines, None
    out: list[list[tuple]] = []
    block: list[list[tuple]] = []
    read_in_columns = False
    for k, line in enumerate(lines + [None]):
        if line is None or _spans(line, gutter, edge=k < PAGE_EDGE_LINES or k >= len(lines) - PAGE_EDGE_LINES):
            ordered = _columns(block, gutter, known)
            read_in_columns |= ordered is not block
            out += ordered + ([line] if line is not None else [])
            block = []
        else:
            block.append(line)
    return out, gutter if read_in_columns else None  # only a layout seen in columns holds for the next page


def _crossing_limit(n_lines: int) -> int:
    return max(2, n_lines // 5)  # lines that may span a gutter (a title block); loose boxes count twice


def _spans(line: list[tuple], gutter: tuple[float, float], edge: bool = True) -> bool:
    """A line across both columns: a character sits in the gutter, or, at the
    page's top or bottom (``edge``), the text right of the gutter starts well
    past the right column's margin (a running header's right-aligned half:
    院办编印 内部资料; inside the page that is a signature in its column).
    A closing or other punctuation mark in the gutter does not count: CJK
    typesetting lets it hang past the end of a left column's line."""
    if any(gutter[0] < (c[1] + c[3]) / 2 < gutter[1] and not _hangs(c[0]) for c in line):
        return True
    right = [c for c in line if c[1] >= gutter[1]]
    return edge and bool(right) and min(c[1] for c in right) > gutter[1] + RIGHT_MARGIN * height_of(right[0])


def _gutter(chars, n_lines: int) -> Optional[tuple[float, float]]:
    """The widest vertical strip in the middle of the text that (almost) no
    character covers, when it is wide enough to part two columns."""
    if n_lines < 8:
        return None
    lefts, rights = list(map(itemgetter(1), chars)), list(map(itemgetter(3), chars))
    x0, x1 = min(lefts), max(rights)
    heights = sorted(map(itemgetter(6), chars[::PROBE]))
    height = max(heights[len(heights) // 2], 1.0)
    width = int(x1 - x0) + 2
    # characters covering each point x of the middle: begun before x + 1 and
    # not ended before x (box edges taken from x0), by bisection at C speed
    starts, ends = sorted(map(sub, lefts, repeat(x0))), sorted(map(sub, rights, repeat(x0)))
    middle = range(int(GUTTER_ZONE[0] * width), int(GUTTER_ZONE[1] * width) + 1)
    depths = map(sub, map(bisect_left, repeat(starts), range(middle.start + 1, middle.stop + 1)),
                 map(bisect_left, repeat(ends), middle))
    limit = _crossing_limit(n_lines)
    best, run_start = None, None
    for x, depth in zip(middle, depths):
        if depth <= limit:
            run_start = x if run_start is None else run_start
            if best is None or x - run_start > best[1] - best[0]:
                best = (run_start, x)
        else:
            run_start = None
    if best is None or best[1] - best[0] + 1 < GUTTER_MIN * height:
        return None
    return x0 + best[0], x0 + best[1] + 1


def _columns(block: list[list[tuple]], gutter: tuple[float, float], known: bool = False) -> list[list[tuple]]:
    """``block``'s lines read left column first when both sides hold prose of
    like width; unchanged otherwise (a table's columns stay rows).  With the
    layout ``known`` from the page before, the right column may be short
    (the end of a text, a signature)."""
    left = [c for line in block for c in line if _left_of(c, gutter)]
    right = [c for line in block for c in line if not _left_of(c, gutter)]
    if not left or not right:
        return block
    sides = (left,) if known else (left, right)  # the cheap tests first: most blocks are tables
    if min(map(_han_share, sides)) < COLUMN_HAN_SHARE:
        return block  # a column of values (0.92% ≤0.8%): a table
    widths = (max(c[3] for c in left) - min(c[1] for c in left), max(c[3] for c in right) - min(c[1] for c in right))
    if not known and min(widths) < COLUMN_WIDTH_RATIO * max(widths):
        return block
    left_rows, right_rows = lines_of(left), lines_of(right)
    rows = (left_rows,) if known else (left_rows, right_rows)
    if min(map(len, rows)) < 3 or min(map(_median_len, rows)) < COLUMN_MIN_CHARS:
        return block
    return left_rows + right_rows


def _left_of(c: tuple, gutter: tuple[float, float]) -> bool:
    """A character of the left column: its middle left of the gutter, or a
    punctuation mark hanging into the gutter from a left column's line end."""
    middle = (c[1] + c[3]) / 2
    return middle <= gutter[0] or (middle < gutter[1] and _hangs(c[0]))


def _han_share(chars: list[tuple]) -> float:
    return sum(1 for c in chars if wide(c[0])) / len(chars)


def _median_len(rows: list[list[tuple]]) -> int:
    return sorted(len(r) for r in rows)[len(rows) // 2]


_by_row = itemgetter(5, 1)  # top down (the depth is a negated middle), then left to right
left_edge = itemgetter(1)


@lru_cache(maxsize=1024)
def _hangs(ch: str) -> bool:
    """A mark that may hang past a line's end: closing or other punctuation."""
    return unicodedata.category(ch) in ("Po", "Pe", "Pf")


@lru_cache(maxsize=4096)
def wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def joined(line: list[tuple]) -> str:
    """A line's characters, with a space where the gap before a character is
    wide: a word gap between Latin letters or digits (a fifth of the line's
    height), a column gap anywhere (half of it).  The gaps past a fifth of
    the raw heights are found first: most lines have none."""
    text = "".join(map(itemgetter(0), line))
    wider = [k for k, a, b in zip(range(1, len(line)), line, line[1:])
             if b[1] - a[3] > 0.2 * (a[6] if a[6] > b[6] else b[6])]
    pieces, start = [], 0
    for k in wider:
        a, b = line[k - 1], line[k]
        height = max(height_of(a), height_of(b))
        if b[1] - a[3] > (0.5 if wide(a[0]) or wide(b[0]) else 0.2) * height and a[0] != " " and b[0] != " ":
            pieces += (text[start:k], " ")
            start = k
    return ("".join(pieces) + text[start:]).strip() if pieces else text.strip()
