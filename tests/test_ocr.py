"""Scanned pages through OCR (RapidOCR): a plan drawn in a real CJK font,
as a scanned (image-only) PDF and as a PNG, gives what its text gives; bad
scans give a record or one clear error.  Few pages: each costs seconds."""

import io
import struct
import zlib

import pytest

from formats_gen import cjk_font, image_bytes, to_image, to_pdf
from plan_extract import extract_bytes
from plan_extract.core.errors import StageError
from plan_extract.rules import load_rules
from plan_extract.stages.read import ocr
from plan_extract.stages.read.pdf import usable_text

from conftest import ROOT, assert_valid_records

PLAN = """XX县人民医院2026年护理工作计划
2026年，护理部将围绕优质护理服务目标，持续提升护理质量，保障患者安全。
一、护理质量管理
（一）基础护理合格率达到95%以上，危重患者护理合格率不低于90%。
（二）每月开展1次护理质量检查，6月底前完成护理质量评价。
二、护理人才培养
1.全年选送3名护士到省级医院进修，每人进修时间不少于3个月。
2.护士三基考核合格率100%，10月底前完成全员考核。
三、患者安全
（一）住院患者跌倒发生率控制在0.5‰以下，压力性损伤发生率低于0.2%。
（二）不良事件上报率达到100%，严重不良事件24小时内上报。
四、保障措施
1.护理部每季度召开一次护理质量分析会。
2.年内完成移动护理系统上线，招聘护士5—8名。"""

SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")

needs_ocr = pytest.mark.skipif(not ocr.available() or cjk_font() is None,
                               reason="needs the ocr extra and a CJK font (.ci/run installs fonts-wqy-microhei)")


def items(record):
    return {"sections": {(s["marker"], s["title"]) for s in record["sections"]},
            "targets": {(t["metric"], t["comparator"], t["value"], t["value_max"], t["unit"]) for t in record["targets"]},
            "deadlines": {(d["kind"], d["value"], d["recurrence"]) for d in record["deadlines"]}}


def f1(gold: set, got: set) -> float:
    return 2 * len(gold & got) / (len(gold) + len(got)) if gold or got else 1.0


@pytest.fixture(scope="module")
def reference():
    (record,) = extract_bytes(PLAN.encode("utf-8"), path="plan.txt", models=False)
    assert all(items(record).values())
    return items(record)


@pytest.fixture(scope="module")
def page():
    return to_image(PLAN)


def assert_like_text(record, reference):
    got = items(record)
    for kind in reference:
        assert f1(reference[kind], got[kind]) >= 0.95, (kind, reference[kind] ^ got[kind])


def pages_of(record):
    return {x["page"] for k in ("sections", "targets", "deadlines") for x in record[k]}


@needs_ocr
def test_a_scanned_pdf_reads_like_its_text():
    """Two scanned pages (image only) of the four-level sample plan."""
    (gold,) = extract_bytes(SAMPLE.encode("utf-8"), path="plan.txt", models=False)
    lines = SAMPLE.split("\n")
    half = next(k for k, line in enumerate(lines) if line.startswith("二、"))
    first, second = to_image("\n".join(lines[:half])), to_image("\n".join(lines[half:]))
    out = io.BytesIO()
    first.save(out, format="PDF", resolution=144.0, save_all=True, append_images=[second])
    (record,) = extract_bytes(out.getvalue(), path="scan.pdf", models=False)
    assert_valid_records([record])
    assert record["source"]["format"] == "pdf"
    assert_like_text(record, items(gold))
    ocr_pages = record["source"]["ocr"]["pages"]
    assert [p["page"] for p in ocr_pages] == [1, 2] and all(p["confidence"] >= 0.9 for p in ocr_pages)
    assert pages_of(record) == {1, 2}
    second_start = next(s["start"] for s in record["sections"] if s["marker"] == "二、")
    assert all(s["page"] == (1 if s["start"] < second_start else 2) for s in record["sections"])


@needs_ocr
def test_a_png_reads_like_its_text(reference, page):
    (record,) = extract_bytes(image_bytes(page), path="scan.png", models=False)
    assert_valid_records([record])
    assert_like_text(record, reference)
    assert record["source"]["format"] == "image"
    (seen,) = record["source"]["ocr"]["pages"]
    assert seen["page"] == 1 and seen["lines"] >= 14 and seen["confidence"] >= 0.9
    assert record["source"]["ocr"]["mean_confidence"] == seen["confidence"]
    assert not [w for w in record["warnings"] if w["code"] == "ocr_low_confidence"]
    assert pages_of(record) == {1}


@needs_ocr
def test_an_upside_down_page_is_turned(reference, page):
    (record,) = extract_bytes(image_bytes(page.rotate(180)), path="turned.png", models=False)
    assert record["text"].startswith("XX县人民医院")
    assert_like_text(record, reference)


@needs_ocr
def test_a_text_pdf_with_one_scanned_page_reads_both(page):
    """Page 1 has a text layer, page 2 is a scan: only page 2 is OCRed."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(to_pdf("2026年工作计划\n一、总体要求\n全年门诊量增长10%以上。"))
    doc.import_pages(pdfium.PdfDocument(image_bytes(page, "PDF")))
    out = io.BytesIO()
    doc.save(out)
    (record,) = extract_bytes(out.getvalue(), path="mixed.pdf", models=False)
    assert [p["page"] for p in record["source"]["ocr"]["pages"]] == [2]
    assert {t["page"] for t in record["targets"] if t["unit"] == "%" and t["value"] == 10} == {1}
    assert {t["page"] for t in record["targets"] if t["value"] == 95} == {2}


@needs_ocr
@pytest.mark.parametrize("make,path", [
    (lambda: image_bytes(to_image("")), "blank.png"),
    (lambda: image_bytes(to_image(""), "PDF"), "blank.pdf"),
])
def test_a_blank_scan_is_one_clear_error(make, path):
    with pytest.raises(StageError, match="OCR found no text"):
        extract_bytes(make(), path=path, models=False)


@needs_ocr
def test_a_noise_page_gives_an_error_or_a_warned_record():
    import numpy as np
    from PIL import Image

    noise = Image.fromarray(np.random.default_rng(7).integers(0, 256, (900, 700), dtype=np.uint8))
    try:
        records = extract_bytes(image_bytes(noise), path="noise.png", models=False)
    except StageError as exc:
        assert "OCR found no text" in str(exc)
    else:
        assert all(any(w["code"] == "ocr_low_confidence" for w in r["warnings"]) for r in records)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` gray pixels, and
    whose data holds one row of them."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = zlib.compress(b"\x00" + b"\xff" * min(width, 1000))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", row) + chunk(b"IEND", b""))


@pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra")
@pytest.mark.parametrize("data,reason", [
    (png_header(40_000, 40_000), "image too large"),
    (b"\x89PNG\r\n\x1a\n not a png", "not an image"),
    ("cut", "corrupt image: OSError: image file is truncated"),
])
def test_bad_image_files_are_one_clear_error(data, reason):
    if data == "cut":  # a real PNG cut in half
        whole = image_bytes(to_image("2026年工作计划"))
        data = whole[:len(whole) // 2]
    with pytest.raises(StageError, match=reason):
        extract_bytes(data, path="bad.png", models=False)


def test_boxes_become_lines_in_reading_order():
    boxes = [(300, 52, 500, 78, "第二格"), (10, 50, 280, 80, "一、指标名称"), (10, 100, 200, 128, "（一）下一行"),
             (205, 102, 400, 126, "接着写"), (10, 10, 400, 40, "标题")]
    assert ocr.lines_of(boxes) == ["标题", "一、指标名称 第二格", "（一）下一行接着写"]


def test_the_ocr_repairs_keep_their_examples():
    rules = load_rules()
    for name, entry in rules.get("ocr", "fixes").items():
        for before, after in entry["examples"].items():
            assert ocr.repair(before, rules) == after, name
        for text in entry["not"]:
            assert ocr.repair(text, rules) == text, name


def test_a_text_layer_of_glyph_garbage_is_not_used():
    assert usable_text("2026年，护理部将围绕优质护理服务目标，持续提升护理质量。")
    assert not usable_text("")
    assert not usable_text("- 3 -")
    assert not usable_text("ÄÚ²¿×ÊÁÏ ÄÚ²¿×ÊÁÏ ÄÚ²¿×ÊÁÏ ÄÚ²¿×ÊÁÏ")  # a GBK font read as Latin-1
    assert not usable_text("\ue000\ue001\ue002" * 10)  # private-use glyph codes


def test_a_page_read_with_low_confidence_is_warned():
    from plan_extract.stages.split import warnings_of

    text, layout = ocr.assemble(["第一页的文字", "第二页"], {1: ocr.PageText("第二页", 0.55, 1)})
    assert text == "第一页的文字\n第二页" and layout.pages == (0, 7)
    assert [(p.page, p.confidence, p.lines) for p in layout.ocr] == [(2, 0.55, 1)]
    assert warnings_of(list(layout.notes)) == ({"code": "ocr_low_confidence", "count": 1,
                                                "examples": ["page 2: 0.55"]},)


@needs_ocr
def test_a_300_page_scan_is_one_clear_error_before_any_page_is_read():
    """More scanned pages than OCR reads in one file: refused up front, so
    the error comes in the time the text layers take, not 300 OCR passes
    (the message is the up-front check's)."""
    page = to_image("全年门诊量达到3万人次。")
    out = io.BytesIO()
    page.save(out, format="PDF", save_all=True, append_images=[page] * 299, resolution=144.0)
    with pytest.raises(StageError, match="300 scanned pages to OCR"):
        extract_bytes(out.getvalue(), path="archive_scan.pdf", models=False)


@needs_ocr
def test_a_page_is_read_once_then_comes_from_the_cache(tmp_path, monkeypatch):
    """The OCR of a page is kept by its pixels: the second read of the same
    scan gives the same text without running the engine, and a new page runs it."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # an empty cache of its own
    page = to_image("白桦县卫生院2026年工作计划\n一、目标\n孕产妇系统管理率达到92%。")
    first = ocr.read_page(page, timed=False)
    assert "92%" in first.text and list(tmp_path.glob("plan_extract.ocr1.*.cache"))
    engine_runs = []
    real = ocr._read
    monkeypatch.setattr(ocr, "_read", lambda image: engine_runs.append(1) or real(image))
    again = ocr.read_page(page, timed=False)
    assert again == first and engine_runs == []
    other = ocr.read_page(to_image("二、措施\n每季度开展1次督导。"), timed=False)
    assert engine_runs == [1] and "每季度" in other.text
