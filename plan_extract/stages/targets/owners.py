"""Who answers for a target: in a table (an indicator table of a Word file,
a web page, a spreadsheet), the cell of the target's row under the column
whose header names a responsible unit (``责任科室``, ``牵头单位``;
``rules/targets.yaml`` ``owner_column``)."""

from __future__ import annotations

from typing import Optional

import regex

from ...text.spans import line_start
from .tables import rows_above


def owner_of(view: str, text: str, pos: int, column_rx: regex.Pattern) -> Optional[str]:
    """The owner cell (as written in ``text``) of the table row holding ``pos``, or None."""
    row = line_start(view, pos)
    row_end = view.find("\n", pos)
    row_end = len(view) if row_end < 0 else row_end
    if "\t" not in view[row:row_end]:
        return None
    column = _owner_column(view, row, column_rx)
    if column is None or column == view.count("\t", row, pos):  # the target's own cell names no one
        return None
    start = row
    for _ in range(column):
        start = view.find("\t", start, row_end)
        if start < 0:
            return None
        start += 1
    end = view.find("\t", start, row_end)
    cell = text[start:row_end if end < 0 else end].strip()
    return cell if cell and not column_rx.search(cell) else None


def _owner_column(view: str, row: int, column_rx: regex.Pattern) -> Optional[int]:
    """The column of the nearest header above ``row`` that names a responsible unit."""
    for cells in rows_above(view, row):
        for k, cell in enumerate(cells):
            if column_rx.search(cell.strip()):
                return k
    return None
