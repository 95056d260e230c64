"""Baselines: the earlier level a target starts from (由A…至B, B（2025年A）,
a table row's A<TAB>B), marked on the candidates before any decision."""

from __future__ import annotations

from typing import Optional, Sequence

from ...core.document import Candidate, Flag
from ...text.spans import in_brackets, line_start
from .patterns import fold_unit
from .tables import for_row, header_year, table_cell


def _table_baseline(view: str, prev: Candidate, c: Candidate, pats) -> bool:
    """A value in the cell just before a target's cell on the same table row, in its unit."""
    gap = view[prev.end:c.start]
    if gap.count("\t") != 1 or "\n" in gap or fold_unit(prev.unit) != fold_unit(c.unit):
        return False  # 100%<TAB>6月底前: a value and its deadline
    rest = gap.replace("\t", "").strip()
    return not rest or pats["cue_rx"].fullmatch(rest) is not None


def _row_baseline(view: str, cands: list[Candidate], i: int, headers) -> Optional[int]:
    """The value in an actual column of the row of ``cands[i]``, which sits
    in a target column (the nearest such column, in the target's unit)."""
    c = cands[i]
    row, column = table_cell(view, c.start)
    best = None
    for j in range(max(0, i - ROW_REACH), min(len(cands), i + ROW_REACH + 1)):
        b = cands[j]
        if j == i or Flag.ACTUAL_COLUMN not in b.flags or line_start(view, b.start) != row \
                or b.baseline_of is not None or (b.unit and c.unit and fold_unit(b.unit) != fold_unit(c.unit)):
            continue
        distance = abs(table_cell(view, b.start)[1] - column)
        if best is None or distance < best[0]:
            best = (distance, j)
    return best[1] if best else None


CHANGE_FROM_REACH = 12  # characters before an earlier level where its 由 may stand (由目前的平均2天)
ROW_REACH = 6  # candidates on either side searched for a row's actual value


def link_baselines(view: str, cands: list[Candidate], pats, headers=None) -> None:
    """由A…至B, B（2025年A） and a table row's actual value (the column its
    header names 实际/基数, or A in A<TAB>B where the table has no header):
    mark A as the baseline of B."""
    headers = headers or {}
    for i, c in enumerate(cands):
        if Flag.TARGET_COLUMN in c.flags:
            j = _row_baseline(view, cands, i, headers)
            if j is not None:
                b = cands[j]
                b.baseline_of = i
                row, column = table_cell(view, b.start)
                cells = for_row(headers[row], view, row)[0]
                b.baseline_year = header_year(cells[column], pats) if column < len(cells) else None
            continue
        if i > 0 and line_start(view, c.start) not in headers and _table_baseline(view, cands[i - 1], c, pats):
            prev = cands[i - 1]
            row, column = table_cell(view, prev.start)
            if column:  # the first cell names the metric; a value there is no baseline
                prev.baseline_of = i
                continue
        if pats["change_from"].search(view, max(c.clause_start, c.start - CHANGE_FROM_REACH), c.start) \
                and i + 1 < len(cands):
            nxt = cands[i + 1]
            if nxt.clause_start == c.clause_start or nxt.start - c.end < 12:
                if pats["change_to"].search(view[c.end:nxt.start]):
                    c.baseline_of, nxt.change_from = i + 1, i
                    continue
        if i > 0:
            prev = cands[i - 1]
            m = pats["paren_baseline"].match(view[prev.end:c.start])
            same_unit = not prev.unit or not c.unit or fold_unit(prev.unit) == fold_unit(c.unit)
            if m and same_unit and in_brackets(view, c.start, "(", ")"):  # not 90%（10月底前）
                c.baseline_of = i - 1
                c.baseline_year = int(m.group("y")) if m.group("y") else None


def baselines_of(cands: Sequence[Candidate]) -> list[list[int]]:
    """For each candidate, the indices of the candidates marked as its baseline."""
    out: list[list[int]] = [[] for _ in cands]
    for j, other in enumerate(cands):
        if other.baseline_of is not None:
            out[other.baseline_of].append(j)
    return out
