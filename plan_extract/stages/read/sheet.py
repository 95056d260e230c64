"""Spreadsheets of targets (indicator tables): ``.xlsx`` through openpyxl,
``.xls`` through xlrd, ``.csv`` through the text reader's encoding detection.

Each sheet is written as a Word table is by the ``.docx`` reader: one line
per row, cells joined by tabs.  The targets stage then reads its rows as it
reads any table (the metric in the first named cell, a baseline in the cell
before the target, years and actual values named by the column headers):
one pipeline, no second set of rules for spreadsheets.

What a sheet shows but its cells do not hold is written out: a number as
its format shows it (0.95 formatted as a percentage is ``95%``), and a bare
number gets the unit its row's unit column (``单位``) or its column header
(``目标值（%）``) names, since the targets stage reads a value by its unit.
Rows with one filled cell above the table (a title) stay lines of their own;
a sheet without such a title row is headed by its name, unless the name is
a program's default (``Sheet1``).  The words are ``rules/read.yaml``'s."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Iterable, Optional, Sequence

import regex

from ...core.errors import StageError
from ...rules import Rules, load_rules
from .text import decode
from .word import check_package

Sheet = tuple[str, list[list[str]]]  # (name, rows of cell texts)
_DECIMALS = regex.compile(r"\.(0+)")


def xlsx_text(data: bytes) -> str:
    """The visible sheets of an ``.xlsx`` workbook, as tables."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_package(data, kind=".xlsx")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:  # read-only sheets are parsed as they are read: a damaged one fails here
            sheets = [(ws.title, [[_cell(c.value, getattr(c, "number_format", "General")) for c in row]
                                  for row in ws.iter_rows()])
                      for ws in book.worksheets if ws.sheet_state == "visible"]
        finally:
            book.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as exc:
        raise StageError("read", f"corrupt .xlsx: {type(exc).__name__}: {exc}") from None
    return sheets_text(sheets, rules=load_rules())


def xls_text(data: bytes) -> str:
    """The visible sheets of a legacy ``.xls`` workbook (BIFF), as tables."""
    if data[:4] == b"PK\x03\x04":  # an .xlsx saved under the old suffix
        return xlsx_text(data)
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises its own errors, and struct/index errors on a damaged file
        raise StageError("read", f"corrupt .xls: {exc}") from None
    sheets = []
    try:
        for k in range(book.nsheets):
            sheet = book.sheet_by_index(k)
            if sheet.visibility:
                continue
            sheets.append((sheet.name, [[_xls_cell(book, sheet, r, c) for c in range(sheet.ncols)]
                                        for r in range(sheet.nrows)]))
    finally:
        book.release_resources()
    return sheets_text(sheets, rules=load_rules())


def _xls_cell(book, sheet, r: int, c: int) -> str:
    import xlrd

    cell = sheet.cell(r, c)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _cell(xlrd.xldate_as_datetime(cell.value, book.datemode), "")
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _cell(cell.value, "General")
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return _cell(bool(cell.value), "")
    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
    return _cell(cell.value, fmt.format_str if fmt is not None else "General")


def csv_text(data: bytes) -> tuple[str, str]:
    """A ``.csv`` file (any common encoding, comma, tab or semicolon) as one table."""
    text, encoding = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [[_cell(v, "") for v in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    return sheets_text([("", rows)], rules=load_rules()), encoding


def _cell(value, fmt: str) -> str:
    """A cell's text as the sheet shows it: spaces folded, its lines kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        fmt = regex.sub(r'"[^"]*"|\[[^\]]*\]', "", fmt or "")  # literal text and colours are no format
        if "%" in fmt:
            decimals = _DECIMALS.search(fmt.split("%")[0])
            return f"{value * 100:.{len(decimals.group(1)) if decimals else 0}f}%"
        return f"{value:.15g}"
    lines = [" ".join(line.split()) for line in str(value).strip().splitlines()]
    return "\n".join(lines)  # a text pasted into one cell keeps its lines (see sheets_text)


def _one_line(row: list[str]) -> list[str]:
    """A table row stays one line: line breaks inside its cells become spaces.
    A cell alone in its row (a document pasted into a merged cell) keeps them."""
    if sum(bool(c) for c in row) == 1:
        return row
    return [" ".join(c.split()) if "\n" in c else c for c in row]


def sheets_text(sheets: Iterable[Sheet], *, rules: Rules) -> str:
    """Each sheet's title lines and table rows; sheets apart by a blank line."""
    default_name = rules.re("read", "sheet", "default_name")
    blocks = []
    for name, rows in sheets:
        rows = [_one_line(row) for row in _filled(rows)]
        if not rows:
            continue
        k = 0
        while k < len(rows) - 1 and sum(bool(c) for c in rows[k]) == 1:
            k += 1  # title rows: one filled cell above the table
        lines = [next(c for c in row if c) for row in rows[:k]]
        if not lines and name.strip() and not default_name.search(name.strip()):
            lines.append(name.strip())
        lines += ["\t".join(row) for row in _with_units(rows[k:], rules)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _filled(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """The rows with a filled cell, without the columns no row fills, all as wide."""
    rows = [list(row) for row in rows if any(row)]
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    used = [c for c in range(width) if any(row[c] for row in rows)]
    return [[row[c] for c in used] for row in rows]


def _with_units(rows: list[list[str]], rules: Rules) -> list[list[str]]:
    """Bare numbers given the unit their row or column header names."""
    if len(rows) < 2:
        return rows
    pats = {key: rules.re("read", "sheet", key) for key in ("unit_header", "header_unit", "index_header", "bare_value")}
    header = rows[0]
    unit_column: Optional[int] = next((c for c, h in enumerate(header) if pats["unit_header"].search(h)), None)
    skip = {c for c, h in enumerate(header) if pats["index_header"].search(h)} | {unit_column}
    header_units = {c: m.group("unit") for c, h in enumerate(header) if (m := pats["header_unit"].search(h))}
    if unit_column is None and not header_units:
        return rows
    out = [header]
    for row in rows[1:]:
        row_unit = row[unit_column] if unit_column is not None else ""
        out.append([cell + (row_unit or header_units.get(c, ""))
                    if c not in skip and pats["bare_value"].search(cell) else cell
                    for c, cell in enumerate(row)])
    return out
