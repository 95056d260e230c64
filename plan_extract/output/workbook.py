"""The XLSX workbook of the flat tables, made for a spreadsheet user: one
sheet per table with a frozen header row, filters on every column, widths
fitted to the content (a CJK character counts twice) and each column's type
kept (integers as integers, dates as dates, yes/no as booleans).

Excel refuses a cell over 32,767 characters and an XML part a control
character, so such text is cut or replaced here (the full text stays in
``plans.jsonl`` and the CSV/Parquet tables).  The file is byte-identical for
the same tables: the zip entries and the document properties carry a fixed
date instead of the time of writing.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

EXCEL_CELL_MAX = 32_767  # characters in one cell (Excel's limit)
MIN_WIDTH, MAX_WIDTH = 6, 50  # column widths, in Excel's character units
_SAMPLE = 2_000  # rows measured for a column's width
_FIXED = datetime(2000, 1, 1)  # the workbook's created/modified date: no clock in the output
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width view: wide (CJK) characters count two."""
    return len(text) + sum(1 for ch in text if ch >= "\u1100" and unicodedata.east_asian_width(ch) in "WF")


def _cell_text(value):
    """A string Excel and openpyxl accept: control characters replaced, cut to Excel's limit."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value if len(value) <= EXCEL_CELL_MAX else value[:EXCEL_CELL_MAX - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _width(header: str, values) -> float:
    """The widest of the header and the first rows, between the bounds (a
    value is measured only as far as the widest column could show it)."""
    shown = [display_width(str(v)[:MAX_WIDTH]) for v in values[:_SAMPLE] if not pd.isna(v)]
    return float(min(MAX_WIDTH, max(MIN_WIDTH, max([display_width(header)] + shown) + 2)))


def write_workbook(frames: dict, schema: dict[str, list[tuple[str, str]]], target: Path,
                   opens_on: str | None = None) -> None:
    """One sheet per table of ``frames`` (name -> DataFrame), formatted by
    ``schema``'s types; the workbook opens on sheet ``opens_on`` (else the first).

    Cells go straight to XlsxWriter, a column at a time by its schema type:
    through pandas and openpyxl (an object per cell) a run of 10,000 targets
    took 17 s.  Text stays text, never a formula, a link or a number."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False,
                                             "strings_to_numbers": False})
    book.set_properties({"created": _FIXED})
    header = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "top"})
    date = book.add_format({"num_format": "YYYY-MM-DD"})
    for name, df in frames.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [column for column, _ in schema[name]], header)
        for i, (column, kind) in enumerate(schema[name]):
            values = df[column].tolist()
            write = _writer(sheet, kind, date)
            for row, value in enumerate(values, start=1):
                if value is not None and value is not pd.NA and value == value and value != "":  # NaN != NaN
                    write(row, i, value)  # an empty value leaves its cell empty
            sheet.set_column(i, i, _width(column, values))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(df), max(len(schema[name]), 1) - 1)
    if opens_on in frames:
        book.get_worksheet_by_name(opens_on).activate()  # the one selected tab, or Excel groups them
    book.close()
    _fix_dates(Path(target))


def _writer(sheet, kind: str, date_format):
    """The call that writes one cell of a column of schema type ``kind``:
    integers as integers, dates as date cells shown as ISO dates."""
    if kind == "string":
        return lambda row, col, value: sheet.write_string(row, col, _cell_text(value))
    if kind == "date":
        return lambda row, col, value: sheet.write_datetime(row, col, value, date_format)
    if kind == "bool":
        return lambda row, col, value: sheet.write_boolean(row, col, bool(value))
    cast = int if kind == "int" else float
    return lambda row, col, value: sheet.write_number(row, col, cast(value))


def _fix_dates(path: Path) -> None:
    """Rewrite the zip with a fixed date on every entry and in the properties
    (a writer stamps both with the time of writing)."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            new.writestr(entry, data)
