"""Baselines: the earlier level a target starts from (由A…至B, B（2025年A）,
a table row's A<TAB>B), marked on the candidates before any decision."""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

import regex

from ...core.document import Candidate
from ...text.spans import in_brackets, line_start
from .patterns import YEAR, fold_unit


def _table_cell(view: str, pos: int) -> tuple[int, int]:
    """(start of the row, column of ``pos``) in a tab-separated table row (decision 39)."""
    row = line_start(view, pos)
    return row, view.count("\t", row, pos)


def rows_above(view: str, row: int) -> Iterator[list[str]]:
    """The cells of the table rows above the line starting at ``row``,
    nearest first, as far as a header may sit (the table ends at a line
    without tabs)."""
    end = row - 1
    for _ in range(TABLE_HEADER_REACH):
        if end <= 0:
            return
        start = line_start(view, end)
        cells = view[start:end].split("\t")
        if len(cells) < 2:
            return
        yield cells
        end = start - 1


def column_header(view: str, row: int, column: int) -> Optional[str]:
    """The header cell above a column (2025年完成值): the nearest cell above
    that names a year, if the table has one."""
    for cells in rows_above(view, row):
        cell = cells[column] if column < len(cells) else ""
        if YEAR.search(cell) and not _CELL_VALUE.search(cell):
            return cell
    return None


def _column_year(view: str, row: int, column: int) -> Optional[int]:
    """The year in the header cell above a column (2025年完成值), if the table has one."""
    header = column_header(view, row, column)
    return int(YEAR.search(header).group()) if header else None


TABLE_HEADER_REACH = 60  # rows searched above a table row for its header
_CELL_VALUE = regex.compile(r"\d\s*[%‰]")


def _table_baseline(view: str, prev: Candidate, c: Candidate, pats) -> bool:
    """A value in the cell just before a target's cell on the same table row, in its unit."""
    gap = view[prev.end:c.start]
    if gap.count("\t") != 1 or "\n" in gap or fold_unit(prev.unit) != fold_unit(c.unit):
        return False  # 100%<TAB>6月底前: a value and its deadline
    rest = gap.replace("\t", "").strip()
    return not rest or pats["cue_rx"].fullmatch(rest) is not None


def link_baselines(view: str, cands: list[Candidate], pats) -> None:
    """由A…至B, B（2025年A） and a table row's A<TAB>B: mark A as the baseline of B."""
    for i, c in enumerate(cands):
        if i > 0 and _table_baseline(view, cands[i - 1], c, pats):
            prev = cands[i - 1]
            row, column = _table_cell(view, prev.start)
            if column:  # the first cell names the metric; a value there is no baseline
                prev.baseline_of = i
                prev.baseline_year = _column_year(view, row, column)
                continue
        before = view[max(c.clause_start, c.start - 2):c.start]
        if before.endswith(pats["change_from"]) and i + 1 < len(cands):
            nxt = cands[i + 1]
            if nxt.clause_start == c.clause_start or nxt.start - c.end < 12:
                if pats["change_to"].search(view[c.end:nxt.start]):
                    c.baseline_of, nxt.change_from = i + 1, i
                    continue
        if i > 0:
            prev = cands[i - 1]
            m = pats["paren_baseline"].match(view[prev.end:c.start])
            if m and in_brackets(view, c.start, "(", ")"):
                c.baseline_of = i - 1
                c.baseline_year = int(m.group("y")) if m.group("y") else None


def baselines_of(cands: Sequence[Candidate]) -> list[list[int]]:
    """For each candidate, the indices of the candidates marked as its baseline."""
    out: list[list[int]] = [[] for _ in cands]
    for j, other in enumerate(cands):
        if other.baseline_of is not None:
            out[other.baseline_of].append(j)
    return out
