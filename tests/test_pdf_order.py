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


def _items(n: int) -> list[str]:
    """Numbered paragraphs long enough to wrap over several column lines."""
    return [f"{k}.第{k}项重点任务。全年围绕医疗质量、患者安全和服务效率持续改进，"
            f"第{k}项工作的门诊患者满意度达到9{k % 10}%以上，各科室每月报送进展，"
            f"护理部每季度开展一次专项督查并通报结果，确保各项措施落到实处。" for k in range(1, n + 1)]


@pytest.mark.parametrize("gutter,size", [(24, 10.5), (45, 12), (51, 12), (57, 12), (62, 12)])
def test_a_two_column_pdf_reads_column_by_column(tmp_path, gutter, size):
    """Whatever the gutter and type size, also where a left column's line ends
    in a comma that hangs into the gutter."""
    from formats_gen import to_two_column_pdf

    items = _items(24)
    path = tmp_path / "newsletter.pdf"
    path.write_bytes(to_two_column_pdf("澄江市人民医院2026年工作计划", items, header=("院务通讯 第12期", "内部资料"),
                                       gutter=gutter, size=size))
    text = read_file(path).text
    # the running header's lines left out: an item may run on over a page break (two pages: too few
    # for the clean stage to call the line a running header)
    flat = "".join(line for line in text.split("\n") if "内部资料" not in line)
    positions = [flat.find(item) for item in items]
    assert -1 not in positions, [item[:6] for item, at in zip(items, positions) if at < 0]
    assert positions == sorted(positions)  # item 1 to 24 in order, none broken by the other column
    assert flat.index("澄江市人民医院2026年工作计划") < positions[0]
    # the header's right-aligned half stays on the header's line, not inside a column
    assert all("院务通讯 第12期" in line for line in text.split("\n") if "内部资料" in line)


def test_a_table_of_values_in_a_pdf_keeps_its_rows():
    """Two value columns beside a names column are a table, not a two-column body."""
    from formats_gen import to_pdf

    rows = [f"{name}{' ' * 6}{a}{' ' * 6}{b}" for name, a, b in [
        ("门诊患者预约诊疗率", "61%", "≥65%"), ("平均住院日", "8.1天", "≤7.6天"),
        ("四级手术占比", "16.3%", "≥18%"), ("危急值报告及时率", "98.7%", "100%"),
        ("Ⅰ类切口手术部位感染率", "0.92%", "≤0.8%"), ("日间手术占择期手术比例", "9.4%", "15%左右"),
        ("门急诊诊疗人次", "58.6万人次", "≥62万人次"), ("出院人次", "3.42万人次", "3.6万人次")]]
    from plan_extract.stages.read.pdf import pdf_read

    text = pdf_read(to_pdf("指标 2025年实际 2026年目标\n" + "\n".join(rows)))[0]
    assert "平均住院日" in text and "≤7.6天" in text
    line = next(ln for ln in text.split("\n") if "平均住院日" in ln)
    assert "8.1天" in line and "≤7.6天" in line


def test_a_two_page_pdfs_running_header_leaves_the_sentence_it_fell_into():
    """A header opening both pages of a two-page PDF is a running header (three
    repeats are asked of a line met anywhere): it goes, and the sentence the
    page break cut runs on as one."""
    from formats_gen import to_pdf

    from plan_extract.api import prepare
    from plan_extract.stages.read.pdf import pdf_read

    sentences = [f"{k}.第{k}项工作：门诊患者平均候诊时间由3{k % 10}分钟缩短至20分钟以内，"
                 f"各科室按月报送进展，医务科每季度督查一次并通报结果，确保措施落实到位。" for k in range(1, 21)]
    text, _, layout = pdf_read(to_pdf("\n".join(sentences), header="宁州县中医医院文件"))
    assert len(layout.pages) == 2 and text.count("宁州县中医医院文件") == 2
    from plan_extract.core.document import Source

    cleaned = prepare(Source(path="p.pdf", sha256="", format="pdf", encoding="", text=text, pages=layout.pages)).text
    assert "宁州县中医医院文件" not in cleaned
    assert all(s in cleaned.replace("\n", "") for s in sentences)


def test_a_browser_printed_pdfs_header_and_footer_leave_the_text():
    """A web page printed to PDF carries the time and the page's title atop
    every page and its address and ``page/pages`` below: longer than a running
    header met anywhere, and the footer's count changes from page to page.
    Standing at the same edge of every page, both go, and the sentences the
    page breaks cut run on as one (the footer was glued into them)."""
    from formats_gen import to_pdf

    from plan_extract.api import prepare
    from plan_extract.core.document import Source
    from plan_extract.stages.read.pdf import pdf_read

    stamp, title = "2026/3/12 09:41", "宁州市眼科医院2026年工作计划-宁州市眼科医院"
    url = "https://www.nzyk.example.cn/ywgk/jhzj/202601/t20260120_5183.html"
    sentences = [f"{k}.第{k}项工作：白内障患者术前平均等待时间由{k % 5 + 3}天缩短至2天以内，"
                 f"各科室按月报送进展，医务科每季度督查一次并通报结果，确保措施落实到位。" for k in range(1, 46)]
    text, _, layout = pdf_read(to_pdf("\n".join(sentences), printed=(stamp, title, url)))
    assert len(layout.pages) >= 3 and text.count(url) == len(layout.pages)
    cleaned = prepare(Source(path="p.pdf", sha256="", format="pdf", encoding="", text=text, pages=layout.pages)).text
    assert stamp not in cleaned and url not in cleaned
    assert all(s in cleaned.replace("\n", "") for s in sentences)


def test_a_tables_header_row_repeated_atop_each_page_stays_where_the_table_starts():
    """A table printed over several pages repeats its header row atop each
    later page: page furniture there, which goes, but the row under the
    title on the first page is the table's own header and stays."""
    from formats_gen import to_table_pdf

    from plan_extract.api import prepare
    from plan_extract.core.document import Source
    from plan_extract.stages.read.pdf import pdf_read

    header = ["序号", "工作任务", "指标内容", "目标值", "完成时限"]
    rows = [[str(k), f"第{k}项重点任务", f"第{k}类指标达标率", f"{80 + k % 20}%", f"{k % 12 + 1}月底前"] for k in range(1, 81)]
    text, _, layout = pdf_read(to_table_pdf("宁州县卫生健康局2026年重点工作任务分解表", header, rows))
    heading = "序号 工作任务 指标内容 目标值 完成时限"
    assert len(layout.pages) >= 3 and text.count(heading) == len(layout.pages)
    cleaned = prepare(Source(path="p.pdf", sha256="", format="pdf", encoding="", text=text, pages=layout.pages)).text
    assert cleaned.count(heading) == 1 and cleaned.index(heading) < cleaned.index("第1项重点任务")
    assert all(f"第{k}项重点任务" in cleaned for k in range(1, 81))


def test_a_table_rows_wrapped_cells_are_read_as_one_line():
    """A bordered table whose cells wrap: each row comes out as one line,
    its cells left to right, a wrapped name joined, the row's number apart
    from its values (read by the table's rules, not line by line)."""
    from formats_gen import to_table_pdf

    from plan_extract.stages.read.pdf import pdf_read

    header = ["序号", "指标名称", "2025年完成值", "2026年目标值", "责任科室"]
    rows = [["21", "药品收入占医疗收入比例（不含中药饮片）", "27.4%", "≤26%", "药学部、财务科"],
            ["22", "急性ST段抬高型心肌梗死患者进门至球囊扩张平均时间", "82分钟", "≤75分钟", "胸痛中心"],
            ["23", "平均住院日", "7.9天", "≤7.5天", "医务部"]]
    text = pdf_read(to_table_pdf("宁州县人民医院2026年度绩效目标分解表", header, rows, widths=[30, 110, 50, 50, 60]))[0]
    lines = text.split("\n")
    assert "序号 指标名称 2025年完成值 2026年目标值 责任科室" in lines
    assert "21 药品收入占医疗收入比例（不含中药饮片） 27.4% ≤26% 药学部、财务科" in lines
    assert "22 急性ST段抬高型心肌梗死患者进门至球囊扩张平均时间 82分钟 ≤75分钟 胸痛中心" in lines
    assert "23 平均住院日 7.9天 ≤7.5天 医务部" in lines
