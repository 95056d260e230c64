"""Page furniture: running headers and footers (``XX县人民医院文件`` on every
page), defined once for the two places that drop them.

The clean stage removes them from hard-wrapped (PDF) text before it joins
wrapped lines, or they would be glued into sentences; there they must recur
once a page (far apart).  The split stage drops those left in any text, among
the lines it classifies as text.  The definition is ``rules/boilerplate.yaml``'s
``running_header``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import regex

from ..rules import Rules
from .markers import opens_with_marker
from .script import make_view


def running_headers(lines: Sequence[str], *, rules: Rules, spread: bool = False,
                    at_least: Optional[int] = None) -> set[str]:
    """The stripped lines of ``lines`` that are running headers: short, no
    sentence punctuation, not opening with a section marker (a heading
    repeated in several plans), and met at least ``min_repeats`` times
    (``at_least``: as many times instead, for the opening lines of the
    pages); with ``spread``, each repeat at least ``min_gap_lines`` lines
    after the last."""
    spec = rules.get("boilerplate", "running_header")
    need = spec["min_repeats"] if at_least is None else at_least
    punctuated = rules.re("boilerplate", "running_header", "punctuated")
    where: dict[str, list[int]] = {}
    for k, line in enumerate(lines):
        s = line.strip()
        if s and len(s) <= spec["max_len"]:
            where.setdefault(s, []).append(k)
    out = set()
    for s, at in where.items():
        if len(at) < need:
            continue
        if spread and min(b - a for a, b in zip(at, at[1:])) < spec["min_gap_lines"]:
            continue
        if not punctuated.search(s) and not opens_with_marker(make_view(s, rules=rules), rules):
            out.add(s)
    return out


def page_furniture(edges: dict[int, str], *, rules: Rules) -> set[str]:
    """The stripped lines of ``edges`` (page number -> the first, or the last,
    line of text on that page) that are one running header or footer: the
    same line on every page, or on every page but the first (a title page),
    but for one number counting the pages (``…/t20260120_5183.html 1/3``,
    ``2/3``).  A page's own text never repeats so, and a browser's print
    header and footer (the date and the page's title, the address and the
    page count) are longer than the lines met anywhere may be."""
    spec = rules.get("boilerplate", "running_header")
    punctuated = rules.re("boilerplate", "running_header", "punctuated")
    pages = sorted(edges)
    for kept in (pages, pages[1:]):
        lines = [edges[k].strip() for k in kept]
        if len(lines) < (2 if kept is pages else 3) or len(lines[0]) > spec["page_max_len"]:
            continue
        if (_counts_pages(lines, kept) and not punctuated.search(lines[0])
                and not opens_with_marker(make_view(lines[0], rules=rules), rules)):
            return set(lines)
    return set()


def _counts_pages(lines: list[str], pages: list[int]) -> bool:
    """Whether ``lines`` are one line but for at most one number that grows
    as ``pages`` do."""
    parts = [_NUMBERS.split(line) for line in lines]
    if any(len(p) != len(parts[0]) for p in parts):
        return False
    differ = [k for k in range(len(parts[0])) if len({p[k] for p in parts}) > 1]
    if not differ:
        return True
    k = differ[0]
    if len(differ) > 1 or k % 2 == 0:  # a word differs, or two numbers do
        return False
    offset = int(parts[0][k]) - pages[0]
    return all(int(p[k]) - page == offset for p, page in zip(parts, pages))


_NUMBERS = regex.compile(r"(\d+)")


def aligned_tables(view: str, *, rules: Rules) -> str:
    """``view`` with the cell boundaries of space-aligned tables marked by a tab.

    A PDF export or a plan typed in columns separates cells by spaces; a
    header naming two or more value columns (``2025年实际值 2026年目标值``)
    opens such a table, and the lines after it with as many cells are its
    rows.  Each gap's first character becomes a tab, so the length, and every
    offset, stays; the stages then read the rows as they read a tab-separated
    table.  Lines that are not rows (a page's running header) are skipped, up
    to ``max_skipped`` in a row.  A row may have ``merged_cells`` cells fewer
    than the header (a category cell spanning rows is drawn once): the
    targets stage aligns such a row's cells to the header from the right."""
    spec = rules.get("clean", "aligned_table")
    header_cell = rules.memo("aligned_header", lambda: regex.compile(spec["header_cell"]))
    gap = rules.memo("aligned_gap", lambda: regex.compile(spec["cell_gap"]))
    view = _box_tables(_pipe_tables(view), rules.get("clean", "box_table"))
    if " " not in view and "\u3000" not in view:
        return view
    chars, lines, pos = None, view.split("\n"), 0
    starts = []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    k = 0
    while k < len(lines):
        cells = gap.split(lines[k].strip())
        if len(cells) < 3 or sum(bool(header_cell.search(c)) for c in cells[1:]) < 2 or "\t" in lines[k]:
            k += 1
            continue
        rows, skipped, j = [k], 0, k + 1
        while j < len(lines) and skipped <= spec["max_skipped"]:
            row = gap.split(lines[j].strip())  # a row may lack a merged cell (类别 spanning rows)
            if len(cells) - spec["merged_cells"] <= len(row) <= len(cells) and len(row) >= 3 \
                    and any(ch.isdigit() for c in row[1:] for ch in c):
                rows.append(j)
                skipped = 0
            elif lines[j].strip():
                skipped += 1
            j += 1
        if len(rows) > 1:
            chars = chars if chars is not None else list(view)
            for r in rows:
                line, offset = lines[r], starts[r]
                lead = len(line) - len(line.lstrip())
                for m in gap.finditer(line.strip()):
                    chars[offset + lead + m.start()] = "\t"
        k = rows[-1] + 1
    return "".join(chars) if chars is not None else view


def _box_tables(view: str, box: dict) -> str:
    """A box-drawn table's bars as tabs and its border lines blank (the
    length stays): its rows read as a tab-separated table's."""
    bars, borders = box["bars"], box["borders"]
    if not any(ch in view for ch in bars):
        return view
    lines, out = view.split("\n"), []
    for line in lines:
        core = line.strip()
        if core and all(ch in borders or ch in bars or ch.isspace() for ch in core) and any(ch in borders for ch in core):
            line = " " * len(line)  # ┌───┬───┐, ├───┼───┤: a border
        elif core[:1] in bars and sum(line.count(b) for b in bars) >= 3:
            line = "".join("\t" if ch in bars else ch for ch in line)
        out.append(line)
    return "\n".join(out)


_PIPE_ROW = regex.compile(r"(?m)^[ \t]*\|.*\|[ \t]*$")


def _pipe_tables(view: str) -> str:
    """A markdown pipe table's bars as tabs (two or more rows in a row), so
    its rows read as a tab-separated table's; the length stays."""
    if "|" not in view:
        return view
    rows = [m for m in _PIPE_ROW.finditer(view) if m.group().count("|") >= 3]
    tables = [m for k, m in enumerate(rows)
              if (k > 0 and rows[k - 1].end() + 1 == m.start()) or (k + 1 < len(rows) and m.end() + 1 == rows[k + 1].start())]
    if not tables:
        return view
    chars = list(view)
    for m in tables:
        for k in range(m.start(), m.end()):
            if chars[k] == "|":
                chars[k] = "\t"
    return "".join(chars)
