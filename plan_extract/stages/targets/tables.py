"""Tables as rows and columns: what each column of an indicator table holds.

A table reaches this stage as tab-separated rows in the plan's view, from
wherever it came (a Word or web table, a spreadsheet, a pipe table, columns
aligned with spaces).  Its header row (the nearest row above without values)
names each column's role: the measure's name, a unit, a planned value, an
actual or base value, who answers for it, a time limit.  The roles, not the
order of the columns, say which value of a row is the target and which its
baseline (``指标 目标值 114年实际值`` puts the actual value last), and a unit
column gives a bare cell its unit (``县域内就诊率 | % | 89.6 | ≥90``).
The header words are ``rules/targets.yaml``'s ``*_column`` entries.
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

import regex

from ...text.spans import line_start

TABLE_HEADER_REACH = 60  # rows searched above a table row for its header
_HAN_CHAR = regex.compile(r"\p{Han}")
_DIGIT = regex.compile(r"\d")
_PER_ONE = regex.compile(r"^1(?=/)")  # 1/10万 as the unit /10万


def table_cell(view: str, pos: int) -> tuple[int, int]:
    """(start of the row, column of ``pos``) in a tab-separated table row (decision 39)."""
    row = line_start(view, pos)
    return row, view.count("\t", row, pos)


def row_cells(view: str, row: int) -> list[str]:
    """The cells of the row starting at ``row``."""
    end = view.find("\n", row)
    return view[row:len(view) if end < 0 else end].split("\t")


def rows_above(view: str, row: int) -> Iterator[list[str]]:
    """The cells of the table rows above the line starting at ``row``,
    nearest first, as far as a header may sit (the table ends at a line of
    text without tabs; blank lines between rows are skipped)."""
    end = row - 1
    for _ in range(TABLE_HEADER_REACH):
        if end <= 0:
            return
        start = line_start(view, end)
        cells = view[start:end].split("\t")
        if len(cells) >= 2:
            yield cells
        elif view[start:end].strip():
            return
        end = start - 1


def header_year(cell: str, pats) -> Optional[int]:
    """The year a header cell names (2025年完成值; ROC 114年實際值), if any."""
    m = pats["header_year"].search(cell)
    if not m:
        return None
    return int(m.group("ad")) if m.group("ad") else 1911 + int(m.group("roc"))


def column_roles(header: Sequence[str], pats) -> tuple[str, ...]:
    """Each header cell's role: ``owner``, ``deadline``, ``unit``, ``actual``,
    ``target``, ``metric`` or ``other``.  Columns named by a year alone
    (``2025年 2026年``) are read against each other: the latest is the
    target, the earlier ones actual values."""
    roles, years = [], []
    for cell in header:
        cell = cell.strip()
        year = header_year(cell, pats)
        years.append(year)
        role = next((name for name in _ROLE_ORDER if pats[f"{name}_column"].search(cell)), None)
        roles.append(role or ("year" if year else "none"))
    dated = [y for y, r in zip(years, roles) if r in ("year", "target") and y]
    latest = max(dated) if dated else None
    return tuple(("target" if y == latest else "actual") if r == "year" else r for r, y in zip(roles, years))


# the first of these whose header word a cell holds is its role (指标属性 is
# ``other`` before 预期 makes it a target, 完成时限 a deadline before 完成 an actual)
_ROLE_ORDER = ("other", "owner", "deadline", "unit", "actual", "target", "metric")


HEADER_CELL_MAX = 16  # a header cell names a column; a longer one is a row's text


def table_headers(view: str, pats) -> dict[int, tuple[list[str], tuple[str, ...]]]:
    """For each table row (by its start in ``view``), the (cells, roles) of
    its header: the last row above it in the same table whose cells are
    short, hold no digit but a year's, and name a value, unit, owner or
    time-limit column.  One pass over the lines; a line of text without a
    tab ends a table, a blank one does not."""
    out: dict[int, tuple[list[str], tuple[str, ...]]] = {}
    header = None
    pos = 0
    above = ""  # the last line of text before a table: its unit note (单位：万元)
    upper = None  # the row before, when it could be a header's first row
    for line in view.split("\n"):
        if "\t" not in line:
            if line.strip():  # a web table's rows may stand apart by blank lines
                header = upper = None
                above = line
        else:
            if header is not None:
                out[pos] = header
            cells = line.split("\t")
            if all(len(c.strip()) <= HEADER_CELL_MAX and not _DIGIT.search(pats["header_year"].sub("", c)) for c in cells):
                if upper is not None and _two_rows(upper, cells):  # 2026年 merged over 目标值 | 完成时限
                    cells = _stacked(upper, cells)
                roles = column_roles(cells, pats)
                if any(r in _HEADER_ROLES for r in roles):
                    note = pats["table_unit_note"].match(above.strip())
                    header = (cells, roles, note.group("unit") if note else None)
                upper = cells
            else:
                upper = None
        pos += len(line) + 1
    return out


def _two_rows(upper: list[str], lower: list[str]) -> bool:
    """Whether two header-like rows are one header in two: the upper names
    several columns (not a title in one merged cell) and leaves some empty
    that the lower names, or the lower leaves some empty under the upper's
    (序号 and 项目 merged down)."""
    top = [bool(c.strip()) for c in upper]
    bottom = [bool(c.strip()) for c in lower] + [False] * max(0, len(upper) - len(lower))
    return sum(top) >= 2 and any(t and not b for t, b in zip(top, bottom)) and any(b and not t for t, b in zip(top, bottom))


def _stacked(upper: list[str], lower: list[str]) -> list[str]:
    """A two-row header read as one: each column's upper cell before its
    lower one; an empty upper cell under a merged one takes the cell to its
    left (a merged cell is drawn in its first column only)."""
    out, last = [], ""
    for k in range(max(len(upper), len(lower))):
        top = upper[k].strip() if k < len(upper) else ""
        bottom = lower[k].strip() if k < len(lower) else ""
        if top:
            last = top
        elif bottom:
            top = last
        else:
            last = ""
        out.append(top + bottom)
    return out


_HEADER_ROLES = ("target", "actual", "unit", "owner", "deadline")


def for_row(header: tuple[list[str], tuple[str, ...]], view: str, row: int) -> tuple[list[str], tuple[str, ...]]:
    """The header's (cells, roles) as the row at ``row`` sees them: a row with
    fewer cells (a merged category cell drawn once for several rows, a
    missing 序号) is aligned to the header from the right, where the values are."""
    cells, roles = header[:2]
    end = view.find("\n", row)
    n = view.count("\t", row, len(view) if end < 0 else end) + 1
    if n >= len(roles):
        return cells, roles
    return cells[len(cells) - n:], roles[len(roles) - n:]


def cell_unit(view: str, row: int, column: int, header: Sequence[str], roles: Sequence[str], pats,
              note: Optional[str] = None) -> Optional[str]:
    """The unit of a bare value in ``column`` of the row at ``row``: the
    row's cell under the unit column, else one in brackets after the
    column's header (``2026年目标（%）``) or after the row's measure
    (``孕产妇死亡率（/10万）``), else the table's unit note (``单位：万元``)."""
    cells = row_cells(view, row)
    if column < len(header) and pats["count_column"].search(header[column]):
        return ""  # 人数: the header is the measure, the cell a bare count
    if "unit" in roles:
        k = roles.index("unit")
        unit = cells[k].strip() if k < len(cells) else ""
        if unit and not unit.strip(_NO_UNIT):
            return ""  # —: the measure has no unit (an index)
        unit = _PER_ONE.sub("", unit)
        return unit if unit and (unit.startswith("/") or not _DIGIT.search(unit)) else None  # /10万 is a unit
    for cell in ([header[column]] if column < len(header) else []) + \
            [c for c, r in zip(cells, roles) if r == "metric"]:
        unit = bracketed_unit(cell.strip(), pats)
        if unit:
            return unit
    return note


_NO_UNIT = "-—–/ "  # a unit cell saying there is none


def bracketed_unit(name: str, pats) -> Optional[str]:
    """A unit bracketed at the end of a header or a measure (目标（%）,
    门诊人次（万人次）), not an acronym or a gloss (生态质量指数（EQI）)."""
    m = pats["bracket_unit"].search(name)
    if not m:
        return None
    unit = _PER_ONE.sub("", m.group("unit"))
    return unit if unit in pats["unit_words"] or unit.startswith("/") else None


def without_unit(name: str, pats) -> str:
    """A row's measure without the unit bracketed after it (门诊人次（万人次）)."""
    m = pats["bracket_unit"].search(name)
    return name[:m.start()].rstrip() if m and m.start() > 0 and bracketed_unit(name, pats) else name


def column_measure(cell: str, pats) -> str:
    """The measure a value column's header names beside its role: 免疫密度,
    应免数量（万头只） (not 2026年目标值, 计划（批次）, 人数).  Where the rows
    name kinds (口蹄疫), it is the second half of each value's metric."""
    name = pats["column_role_words"].sub("", without_unit(cell.strip(), pats))
    name = pats["bracket_unit"].sub("", name).strip()
    if len(_HAN_CHAR.findall(name)) < 2 or name in pats["bare_column_measures"] or _DIGIT.search(name):
        return ""
    return name
