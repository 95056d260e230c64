"""PDF text in reading order: a Word export draws a font's runs apart
(digits, curly quotes), and PDFium's stream text would put them out of place."""

import shutil
import subprocess

import pytest

from plan_extract.stages.read import read_file

SENTENCE = "2026年，药剂科将围绕“缩短等候、保障安全”的思路开展工作，门诊处方合格率达到98%以上。"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_a_libreoffice_pdf_reads_in_order_without_spaces_at_font_changes(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("宁岚市第三人民医院药剂科2026年工作计划")
    document.add_paragraph(SENTENCE)
    document.save(tmp_path / "plan.docx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "plan.docx")],
                   check=True, capture_output=True, timeout=180)
    text = read_file(tmp_path / "plan.pdf").text
    assert "药剂科2026年工作计划" in text
    assert SENTENCE in text.replace("\n", "")
