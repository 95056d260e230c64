"""The XLSX workbook of the flat tables, made for a spreadsheet user: one
sheet per table with a frozen header row, filters on every column, widths
fitted to the content (a CJK character counts twice) and each column's type
kept (integers as integers, dates as dates, yes/no as booleans).

Excel refuses a cell over 32,767 characters and openpyxl a control
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
from openpyxl.utils import get_column_letter

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
    ``schema``'s types; the workbook opens on sheet ``opens_on`` (else the first)."""
    # dates as date cells shown as ISO dates; integers are written as integers (Int64 columns)
    with pd.ExcelWriter(target, engine="openpyxl", date_format="YYYY-MM-DD") as book:
        book.book.properties.created = _FIXED
        for name, df in frames.items():
            texts = [c for c, kind in schema[name] if kind == "string"]
            df = df.assign(**{c: df[c].map(_cell_text) for c in texts}) if len(df) else df
            df.to_excel(book, sheet_name=name, index=False)
            sheet = book.sheets[name]
            sheet.freeze_panes = "A2"
            last = get_column_letter(max(len(df.columns), 1))
            sheet.auto_filter.ref = f"A1:{last}{len(df) + 1}"
            for i, (column, _) in enumerate(schema[name], start=1):
                sheet.column_dimensions[get_column_letter(i)].width = _width(column, list(df[column]))
        if opens_on in frames:
            for sheet in book.book.worksheets:  # one selected tab, or Excel groups them
                sheet.sheet_view.tabSelected = sheet.title == opens_on
            book.book.active = book.book[opens_on]
    _fix_dates(Path(target))


def _fix_dates(path: Path) -> None:
    """Rewrite the zip with a fixed date on every entry and in the properties
    (openpyxl stamps both with the time of writing)."""
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
