"""Legacy Word .doc files, made by LibreOffice from the .docx files the
tests generate, give the records their .docx gives."""

import io
import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from formats_gen import to_docx
from plan_extract import extract_bytes
from plan_extract.stages.read import read_bytes

ANTIWORD = shutil.which("antiword")
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(not (ANTIWORD and OFFICE), reason="needs antiword and LibreOffice (.ci/run installs them)")

SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
LONG_METRIC = "基层医疗卫生机构门诊诊疗人次占比"  # antiword as text wraps it over lines
TABLE_ROWS = [("指标名称", "2025年完成值", "2026年目标值", "责任科室"),
              ("室间质评合格率", "100%", "100%", "检验科"),
              ("护士离职率", "6.8%", "≤5%", "护理部"),
              (LONG_METRIC, "52%", "≥60%", "医务科")]


def _table_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("2026年医院质量工作计划")
    d.add_paragraph("一、质量指标")
    table = d.add_table(rows=len(TABLE_ROWS), cols=len(TABLE_ROWS[0]))
    for r, row in enumerate(TABLE_ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("二、工作要求")
    d.add_paragraph("各科室6月底前完成自查，每季度至少开展2次质量评价。")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """name -> (docx bytes, doc bytes), converted by one LibreOffice call."""
    tmp = tmp_path_factory.mktemp("doc")
    made = {"plan": to_docx(SAMPLE), "numbered": to_docx(SAMPLE, numbered_top=True), "table": _table_docx()}
    for name, data in made.items():
        (tmp / f"{name}.docx").write_bytes(data)
    subprocess.run([OFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp)] + [str(tmp / f"{n}.docx") for n in made],
                   capture_output=True, timeout=300, check=True)
    return {name: (data, (tmp / f"{name}.doc").read_bytes()) for name, data in made.items()}


def summary(records):
    (r,) = records
    return {
        "text": r["text"],
        "sections": [(s["marker"], s["level"], s["number"], s["title"], s["start"], s["end"]) for s in r["sections"]],
        "targets": [(t["metric"], t["comparator"], t["value"], t["unit"], t["baseline"], t["start"]) for t in r["targets"]],
        "deadlines": [(d["kind"], d["value"], d["recurrence"], d["start"]) for d in r["deadlines"]],
    }


def test_doc_gives_the_records_of_its_docx(files):
    docx_data, doc_data = files["plan"]
    assert doc_data[:4] == b"\xd0\xcf\x11\xe0"  # a real Word 97 file
    records = extract_bytes(doc_data, path="plan.doc")
    assert records[0]["source"]["format"] == "doc"
    got, want = summary(records), summary(extract_bytes(docx_data, path="plan.docx"))
    assert len(want["sections"]) > 10 and len(want["targets"]) > 5 and len(want["deadlines"]) > 5
    assert got == want


def test_a_wps_writer_file_is_read_as_the_word_97_file_it_is(files):
    """WPS Office saves Word 97 binaries under .wps: the same records as the .doc."""
    _, doc_data = files["plan"]
    records = extract_bytes(doc_data, path="plan.wps")
    assert records[0]["source"]["format"] == "doc"
    assert summary(records) == summary(extract_bytes(doc_data, path="plan.doc"))


def test_antiword_reads_one_paragraph_per_line(files):
    """antiword's DocBook, not its text (blank lines between paragraphs, cells
    wrapped over lines): the text is the .docx reader's, line for line."""
    for name in ("plan", "table"):
        docx_data, doc_data = files[name]
        assert read_bytes(doc_data, path="x.doc", fmt="doc").text == read_bytes(docx_data, path="x.docx", fmt="docx").text


def test_doc_tables_keep_rows_and_cells(files):
    text = read_bytes(files["table"][1], path="t.doc", fmt="doc").text
    rows = [line.split("\t") for line in text.split("\n") if "\t" in line]
    assert rows == [list(r) for r in TABLE_ROWS]  # equal neighbours (100% 100%) and a long cell kept whole
    rec = extract_bytes(files["table"][1], path="t.doc")[0]
    assert [(t["metric"], t["comparator"], t["value"], t["unit"], t["baseline"]) for t in rec["targets"]][:3] == [
        ("室间质评合格率", "=", 100, "%", {"value": 100, "unit": "%", "year": 2025}),
        ("护士离职率", "<=", 5, "%", {"value": 6.8, "unit": "%", "year": 2025}),
        (LONG_METRIC, ">=", 60, "%", {"value": 52, "unit": "%", "year": 2025})]


def test_doc_with_word_list_numbering_is_read_by_libreoffice(files):
    """antiword drops automatic list numbers (一、 as Word formatting); such a
    file goes to LibreOffice, so the sections are the .docx's."""
    docx_data, doc_data = files["numbered"]
    got = summary(extract_bytes(doc_data, path="numbered.doc"))
    assert got == summary(extract_bytes(docx_data, path="numbered.docx"))
    assert [s[0] for s in got["sections"] if s[1] == 1][:3] == ["一、", "二、", "三、"]


def test_without_antiword_libreoffice_reads_the_doc(files, tmp_path, monkeypatch):
    """A PATH holding every program but antiword: the real fallback."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                link = bin_dir / name
                if name != "antiword" and not link.exists() and not link.is_symlink():
                    link.symlink_to(os.path.join(folder, name))
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("antiword") is None and shutil.which("soffice")
    docx_data, doc_data = files["plan"]
    assert summary(extract_bytes(doc_data, path="plan.doc")) == summary(extract_bytes(docx_data, path="plan.docx"))


def test_rtf_saved_as_doc_falls_back_to_libreoffice():
    """Archives hold RTF files named .doc, which antiword refuses."""
    body = "2026年科教科工作计划\n一、科研目标\n全年发表论文不少于5篇，6月底前完成课题申报。"
    rtf = "{\\rtf1\\ansi\\deff0 " + "".join(
        "\\par\n" if ch == "\n" else f"\\u{ord(ch)}?" if ord(ch) > 127 else ch for ch in body) + "\\par}"
    data = rtf.encode("ascii")
    assert subprocess.run([ANTIWORD, "-x", "db", "-"], input=data, capture_output=True).returncode != 0
    rec = extract_bytes(data, path="plan.doc")[0]
    assert [(s["marker"], s["title"]) for s in rec["sections"]] == [("一、", "科研目标")]
    assert [(t["value"], t["unit"], t["comparator"]) for t in rec["targets"]] == [(5, "篇", ">=")]
    assert [d["value"] for d in rec["deadlines"]] == ["2026-06-30"]


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """The sample plan's .docx, and its .rtf and .odt as LibreOffice writes them."""
    tmp = tmp_path_factory.mktemp("office")
    data = to_docx(SAMPLE)
    (tmp / "plan.docx").write_bytes(data)
    for fmt in ("rtf", "odt"):
        subprocess.run([OFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                        fmt, "--outdir", str(tmp), str(tmp / "plan.docx")], capture_output=True, timeout=300, check=True)
    return data, {fmt: (tmp / f"plan.{fmt}").read_bytes() for fmt in ("rtf", "odt")}


@pytest.mark.parametrize("fmt", ["rtf", "odt"])
def test_rtf_and_odt_give_the_records_of_their_docx(office_files, fmt):
    docx_data, made = office_files
    rec = extract_bytes(made[fmt], path=f"plan.{fmt}")
    assert rec[0]["source"]["format"] == fmt
    assert summary(rec) == summary(extract_bytes(docx_data, path="plan.docx"))
