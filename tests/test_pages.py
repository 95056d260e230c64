"""Every section, target and deadline names the page it starts on: PDF pages,
the page breaks a Word file records, null for formats without pages."""

import io
import re

import pytest

from conftest import ROOT, assert_valid_records
from formats_gen import to_docx, to_pdf
from plan_extract import extract_bytes
from plan_extract.output.export import COLUMNS, rows

SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")


def items(record):
    return [(kind, x) for kind in ("sections", "targets", "deadlines") for x in record[kind]]


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text as PDFium gives it, blanks removed (lines wrap anywhere)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    return [re.sub(r"\s+", "", doc[k].get_textpage().get_text_range()) for k in range(len(doc))]


@pytest.fixture(scope="module")
def pdf_record():
    data = to_pdf(SAMPLE, header="某某县妇幼保健院文件")
    (record,) = extract_bytes(data, path="plan.pdf")
    return data, record


def test_each_item_of_a_pdf_is_on_the_page_that_shows_it(pdf_record):
    data, record = pdf_record
    pages = pdf_pages(data)
    assert len(pages) >= 2
    assert_valid_records([record])
    seen = set()
    for kind, x in items(record):
        head = re.sub(r"\s+", "", record["text"][x["start"]:x["end"]])[:4]
        page = x["page"]
        assert 1 <= page <= len(pages), (kind, x)
        assert head in pages[page - 1], (kind, x["text"] if "text" in x else x["marker"], page)
        seen.add(page)
    assert seen == set(range(1, len(pages) + 1))  # the plan fills every page
    starts = [s["page"] for s in record["sections"]]
    assert starts == sorted(starts) and starts[0] == 1


def test_a_word_page_break_starts_page_two():
    import docx

    d = docx.Document()
    for line in SAMPLE.split("\n"):
        if line.startswith("二、"):
            d.add_page_break()  # Word's manual break: a paragraph holding w:br type=page
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    (record,) = extract_bytes(out.getvalue(), path="plan.docx")
    second = next(s["start"] for s in record["sections"] if s["marker"] == "二、")
    for kind, x in items(record):
        assert x["page"] == (1 if x["start"] < second else 2), (kind, x)
    assert {x["page"] for _, x in items(record)} == {1, 2}


def test_formats_without_pages_give_null():
    for data, path in ((SAMPLE.encode("utf-8"), "plan.txt"), (to_docx(SAMPLE), "plan.docx")):
        (record,) = extract_bytes(data, path=path)
        assert record["sections"] and all(x["page"] is None for _, x in items(record))


def test_the_tables_carry_the_page(pdf_record):
    _, record = pdf_record
    tables = rows([record])
    for name in ("sections", "targets", "deadlines"):
        assert "page" in COLUMNS[name]
        assert [row["page"] for row in tables[name]] == [x["page"] for x in record[name]]
