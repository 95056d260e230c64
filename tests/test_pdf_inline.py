"""A small PDF whose streams inflate to little is read in this process (a
fork per file cost more than reading it); a large or suspect one, and one
with scanned pages, still goes to the memory-capped child.  The characters
come from PDFium in bulk, the same as one call per character gave them."""

import os
import zlib

import pytest

from formats_gen import to_pdf
from plan_extract import extract_bytes
from plan_extract.core.errors import StageError
from plan_extract.stages.read import pdf, pdf_page
from test_faults_read import deflate_bomb, pdf_with_stream

PLAN = "2026年工作计划\n一、总体要求\n全年门诊量增长10%以上，“三甲”复审6月底前完成。\nABC test 3.14 ok"
FORKS: list[int] = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=lambda: FORKS.append(os.getpid()))


def forks_of(data: bytes, name: str):
    before = len(FORKS)
    try:
        return extract_bytes(data, path=name, models=False), len(FORKS) - before
    except StageError as exc:
        return exc, len(FORKS) - before


def test_a_small_pdf_is_read_without_a_fork():
    data = to_pdf(PLAN)
    assert pdf.light(data)
    (record,), forks = forks_of(data, "plan.pdf")
    assert forks == 0
    assert "全年门诊量增长10%以上" in record["text"]


@pytest.mark.skipif(not pdf.can_fork(), reason="the PDF memory budget needs fork and /proc (Linux)")
def test_a_stream_bomb_in_a_small_file_still_gets_the_memory_cap():
    data = pdf_with_stream(deflate_bomb(1024))
    assert len(data) < pdf.LIGHT_BYTES and not pdf.light(data)
    error, forks = forks_of(data, "bomb.pdf")
    assert forks == 1 and "PDF needs more than 512 MB of memory" in str(error)


@pytest.mark.parametrize("data", [
    pdf_with_stream(deflate_bomb(64, b"q Q ")),  # 64 MB of operators: slow, within the cap
    pdf_with_stream(zlib.compress(b"BT ET")) + b" " * (pdf.LIGHT_BYTES + 1),  # large
    pdf_with_stream(zlib.compress(b"BT ET")).replace(b"/FlateDecode", b"/LZWDecode"),
    pdf_with_stream(zlib.compress(b"BT ET")).replace(b"/Filter /FlateDecode", b"/Filter 9 0 R"),
    pdf_with_stream(zlib.compress(b"BT ET")).replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 7 0 R"),
])
def test_a_large_or_suspect_pdf_is_not_read_in_process(data):
    assert not pdf.light(data)


def test_a_small_pdf_with_a_harmless_stream_is_light():
    assert pdf.light(pdf_with_stream(zlib.compress(b"BT /F1 12 Tf 72 690 Td (World) Tj ET")))


def test_bulk_characters_are_the_ones_pdfium_gives_one_by_one():
    import pypdfium2 as pdfium

    for text in (PLAN, "Emoji \U0001F600 and a rare \U00020000 character\n2026年计划"):
        doc = pdfium.PdfDocument(to_pdf(text))
        for k in range(len(doc)):
            textpage = doc[k].get_textpage()
            bulk = pdf_page._chars(textpage)
            assert bulk is None or bulk == pdf_page._chars_one_by_one(textpage)
            textpage.close()
        doc.close()
    doc = pdfium.PdfDocument(to_pdf(PLAN))
    assert pdf_page._chars(doc[0].get_textpage())  # the bulk path is the one taken for such text


def test_a_character_outside_the_bmp_is_read_where_it_stands():
    """PDFium indexes a character outside the BMP as two code units, each
    with a box: it comes back once, in its place, with no gap after it."""
    from plan_extract.stages.read.pdf import pdf_read

    text = pdf_read(to_pdf("2026年计划\n对偏远的\U0002003e溪村、石门村每季度巡诊1次，记录\U0001F600。"))[0]
    assert "对偏远的\U0002003e溪村、石门村每季度巡诊1次，记录\U0001F600。" in text
