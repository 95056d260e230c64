"""The same plan as txt, docx, pdf, html and mhtml gives the same extraction."""

import pytest

from conftest import ROOT
from formats_gen import to_docx, to_html, to_mhtml, to_pdf
from plan_extract import extract_bytes
from plan_extract.core.errors import StageError

SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")


def summary(records):
    (r,) = records
    return {
        "title": r["title"],
        "sections": [(s["marker"].rstrip("、"), s["level"], s["title"]) for s in r["sections"]],
        "targets": [(t["value"], t["value_max"], t["unit"], t["comparator"]) for t in r["targets"]],
        "deadlines": [(d["kind"], d["value"], d["recurrence"]) for d in r["deadlines"]],
    }


@pytest.fixture(scope="module")
def reference():
    return summary(extract_bytes(SAMPLE.encode("utf-8"), path="plan.txt"))


@pytest.mark.parametrize("fmt,make", [
    ("docx", lambda t: to_docx(t)),
    ("pdf", to_pdf),
    ("html", lambda t: to_html(t).encode("utf-8")),
    ("mhtml", to_mhtml),
])
def test_same_plan_in_every_format(reference, fmt, make):
    records = extract_bytes(make(SAMPLE), path=f"plan.{fmt}")
    assert records[0]["source"]["format"] == fmt
    got = summary(records)
    assert got == reference
    if fmt in ("html", "mhtml"):
        text = records[0]["text"]
        assert "不是正文" not in text and "版权所有" not in text and "登录" not in text


def test_word_numbering_is_rendered_as_markers(reference):
    """Top-level 一、二、… stored as Word list numbering come back as markers.

    Word numbers consecutively, so the sample's repeated 三、 becomes 四、:
    titles and levels must match, numbers must run 1..n.
    """
    records = extract_bytes(to_docx(SAMPLE, numbered_top=True), path="plan.docx")
    got = summary(records)
    top = [s for s in records[0]["sections"] if s["level"] == 1]
    assert [s["number"] for s in top] == list(range(1, len(top) + 1))
    assert all(s["marker"].endswith("、") and s["style"] == "cjk" for s in top)
    assert [(s[1], s[2]) for s in got["sections"]] == [(s[1], s[2]) for s in reference["sections"]]
    assert got["targets"] == reference["targets"] and got["deadlines"] == reference["deadlines"]


def _docx_table(paragraphs, rows) -> bytes:
    """A real Word file: paragraphs, then one table of the given rows."""
    import io

    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_docx_tables_keep_rows_and_link_deadlines():
    data = _docx_table(["2026年检验科工作计划", "一、质量指标"],
                       [("指标", "目标值", "完成时限"), ("室间质评合格率", "100%", "6月底前"),
                        ("危急值报告及时率", "达到98%以上", "每月")])
    rec = extract_bytes(data, path="t.docx")[0]
    assert [(x["metric"], x["value"], x["comparator"]) for x in rec["targets"]] == [
        ("室间质评合格率", 100, "="), ("危急值报告及时率", 98, ">=")]
    deadlines = {d["id"]: d for d in rec["deadlines"]}
    assert deadlines[rec["targets"][0]["deadline"]]["value"] == "2026-06-30"


def test_docx_indicator_table_gives_baselines():
    """A Word table of last year's values and this year's targets (decision 39)."""
    data = _docx_table(["2026年护理部工作计划", "一、护理质量指标"],
                       [("指标名称", "2025年完成值", "2026年目标值"), ("护理文书书写合格率", "94.1%", "≥96%"),
                        ("护士离职率", "6.8%", "≤5%")])
    rec = extract_bytes(data, path="t.docx")[0]
    assert [(x["metric"], x["comparator"], x["value"], x["baseline"]) for x in rec["targets"]] == [
        ("护理文书书写合格率", ">=", 96, {"value": 94.1, "unit": "%", "year": 2025}),
        ("护士离职率", "<=", 5, {"value": 6.8, "unit": "%", "year": 2025})]


def test_docx_keeps_equal_neighbour_cells_and_merged_cells_once():
    """Two cells that hold the same text are two cells; a merged cell, which
    python-docx returns once per column it spans, is one."""
    import io

    import docx

    from plan_extract.stages.read import read_bytes

    d = docx.Document()
    d.add_paragraph("2026年检验科工作计划")
    t = d.add_table(rows=3, cols=3)
    for c, value in enumerate(("指标名称", "2025年完成值", "2026年目标值")):
        t.cell(0, c).text = value
    for c, value in enumerate(("室间质评合格率", "100%", "100%")):
        t.cell(1, c).text = value
    t.cell(2, 0).merge(t.cell(2, 1)).text = "合计"
    t.cell(2, 2).text = "3项"
    out = io.BytesIO()
    d.save(out)
    text = read_bytes(out.getvalue(), path="t.docx", fmt="docx").text
    assert text.split("\n")[1:] == ["指标名称\t2025年完成值\t2026年目标值", "室间质评合格率\t100%\t100%", "合计\t3项"]
    (target,) = [x for x in extract_bytes(out.getvalue(), path="t.docx")[0]["targets"] if x["value"] == 100]
    assert target["baseline"] == {"value": 100, "unit": "%", "year": 2025}


def test_a_table_nested_in_a_cell_keeps_its_rows():
    """A layout table whose cell holds the body and, inside it, a table of
    indicators: the inner table's rows are rows (cells apart by tabs), its
    targets read against its header, not one line of everything in the cell."""
    import io

    import docx

    from plan_extract.stages.read import read_bytes

    d = docx.Document()
    d.add_paragraph("2026年县第二中学工作计划")
    layout = d.add_table(rows=1, cols=2)
    layout.cell(0, 0).text = "二、主要目标"
    body = layout.cell(0, 1)
    body.paragraphs[0].text = "主要指标见下表。"
    inner = body.add_table(rows=3, cols=3)
    for r, row in enumerate([("指标", "2025年", "2026年目标"), ("普通高中升学率", "71.2%", "≥73%"),
                             ("家长满意度", "92.4%", "95%以上")]):
        for c, value in enumerate(row):
            inner.cell(r, c).text = value
    body.add_paragraph("全年家访不少于1200户。")
    out = io.BytesIO()
    d.save(out)
    lines = read_bytes(out.getvalue(), path="t.docx", fmt="docx").text.split("\n")
    assert "普通高中升学率\t71.2%\t≥73%" in lines and "家长满意度\t92.4%\t95%以上" in lines
    assert lines.index("主要指标见下表。") < lines.index("指标\t2025年\t2026年目标") < lines.index("全年家访不少于1200户。")
    targets = {t["metric"]: t for t in extract_bytes(out.getvalue(), path="t.docx")[0]["targets"]}
    assert targets["普通高中升学率"]["value"] == 73 and targets["普通高中升学率"]["baseline"]["value"] == 71.2


@pytest.mark.parametrize("path,data,reason", [
    ("x.docx", b"PK\x03\x04 not really a zip", "corrupt .docx"),
    ("x.docx", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "password-protected or legacy"),
    ("x.pdf", b"%PDF-1.4 garbage", "corrupt PDF"),
    ("x.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "cannot read .doc: "),
    ("x.mhtml", b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi", "without an HTML part"),
])
def test_broken_files_give_a_clear_reason(path, data, reason):
    with pytest.raises(StageError) as info:
        extract_bytes(data, path=path)
    assert info.value.stage == "read" and reason in info.value.reason


def test_encrypted_pdf_is_reported():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(to_pdf("2026年计划\n一、加强管理"))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(StageError, match="password-protected PDF"):
        extract_bytes(out.getvalue(), path="locked.pdf")


def test_html_ordered_lists_show_their_numbers():
    page = ("<html><body><div class='article'><h1>2026年医务科工作计划</h1><h2>一、质量目标</h2>"
            "<ol><li>门诊病历合格率达到95%以上</li><li>6月底前完成培训</li></ol>"
            "<ol start='3'><li>每季度开展一次评价</li></ol><ul><li>不编号的条目</li></ul></div></body></html>")
    rec = extract_bytes(page.encode("utf-8"), path="page.html")[0]
    assert [(s["marker"], s["level"]) for s in rec["sections"]] == [("一、", 1), ("1.", 2), ("2.", 2), ("3.", 2)]
    assert [t["value"] for t in rec["targets"]] == [95]
    assert [d["value"] or d["recurrence"] for d in rec["deadlines"]] == ["2026-06-30", "FREQ=MONTHLY;INTERVAL=3"]
