import codecs

import pytest

from plan_extract import extract_bytes
from plan_extract.core.errors import StageError
from plan_extract.stages.read import decode, read_file

SIMPLIFIED = ("2026年医务科将围绕医院质量强院的核心战略，以医疗质量安全为底线，以服务能力提升为重点，"
              "系统推进医疗管理精细化、规范化。一、加强医疗质量管理，门诊病历书写完整率达到98%以上。") * 3
TRADITIONAL = ("2026年本院將圍繞醫療質量與患者安全，進一步完善護理管理制度，加強專科護士培訓，"
               "提高危重患者搶救成功率。一、強化護理質量管理，護理文書書寫合格率達到95%以上。") * 3


@pytest.mark.parametrize("text,codec,name", [
    (SIMPLIFIED, "utf-8", "utf-8"),
    (SIMPLIFIED, "gb18030", "gb18030"),
    (SIMPLIFIED, "gbk", "gb18030"),
    (TRADITIONAL, "big5", "big5"),
    (TRADITIONAL, "utf-16", "utf-16"),
])
def test_decodes_common_encodings(text, codec, name):
    out, enc = decode(text.encode(codec))
    assert out == text
    assert enc == name


def test_utf8_bom_is_named_and_dropped():
    out, enc = decode(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    assert (out, enc) == (SIMPLIFIED, "utf-8-sig")


def test_gb18030_only_character_survives():
    text = SIMPLIFIED + "联系人：王䶮，地址：𠀾村卫生室。"
    out, enc = decode(text.encode("gb18030"))
    assert out == text and enc == "gb18030"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (bytes(range(256)) * 20, "binary"),
])
def test_bad_bytes_give_a_clear_error(data, reason):
    with pytest.raises(StageError) as info:
        decode(data)
    assert info.value.stage == "read"
    assert reason in info.value.reason


def test_unsupported_format_names_the_suffix(tmp_path):
    p = tmp_path / "plan.xyz"
    p.write_text("一、加强管理", encoding="utf-8")
    with pytest.raises(StageError, match="unsupported format '.xyz'"):
        read_file(p)


def test_a_big5_hkscs_file_keeps_hong_kongs_own_characters():
    """峯, 衞, 邨 are outside Big5: read as plain Big5 they turn into boxes."""
    text = "香港安老院舍2026-27年度服務計劃\n本院位於鰂泉邨泉峯樓，由衞生署巡查，院友跌倒事故率不高於0.5%。\n" * 3
    got, encoding = decode(text.encode("big5hkscs"))
    assert encoding == "big5" and got == text


def test_a_cp950_file_still_reads_as_big5():
    text = "臺灣醫院民國115年度工作計畫，門診服務人次達到54萬人次，病床佔床率85%以上。\n" * 3
    got, encoding = decode(text.encode("cp950"))
    assert encoding == "big5" and got == text


def _tracked_docx(path):
    """A Word file holding tracked revisions, a comment and a content control,
    built with python-docx and the revision XML Word writes."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    d.add_paragraph("芩水县中医院2026年工作计划")
    p = d.add_paragraph("中医治疗率达到")
    p._p.append(parse_xml(f'<w:del {w} w:id="1" w:author="a" w:date="2026-01-05T09:00:00Z">'
                          '<w:r><w:delText>90%</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {w} w:id="2" w:author="a" w:date="2026-01-05T09:00:00Z">'
                          '<w:r><w:t>95%</w:t></w:r></w:ins>'))
    p.add_run("以上。")
    d.element.body.insert(2, parse_xml(
        f'<w:sdt {w}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>6月底前开设日间手术中心。</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'))
    d.save(path)


def test_a_word_files_tracked_revisions_read_as_accepted(tmp_path):
    """Inserted text is the document's text, deleted text is not, and a
    paragraph inside a content control is read in its place."""
    path = tmp_path / "tracked.docx"
    _tracked_docx(path)
    text = read_file(path).text
    assert "中医治疗率达到95%以上。" in text and "90%" not in text
    assert text.splitlines()[2] == "6月底前开设日间手术中心。"


def test_a_cover_title_in_a_text_box_is_read_once(tmp_path):
    """Word stores a text box twice (DrawingML, and VML for old readers): its
    lines come once, before the paragraph it is anchored in."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    box = ('<w:txbxContent><w:p><w:r><w:t>楮坪镇卫生院</w:t></w:r></w:p>'
           '<w:p><w:r><w:t>2026年工作计划</w:t></w:r></w:p></w:txbxContent>')
    d = docx.Document()
    anchor = d.add_paragraph()
    anchor._p.append(parse_xml(f'<w:r {w} {mc}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}'
                               f'</w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>'
                               '</mc:AlternateContent></w:r>'))
    d.add_paragraph("一、工作目标")
    path = tmp_path / "cover.docx"
    d.save(path)
    assert read_file(path).text.split("\n") == ["楮坪镇卫生院", "2026年工作计划", "", "一、工作目标"]


CONFLUENCE_PAGE = """<html><head><meta charset="utf-8"><title>计划 - 学院办公室</title></head><body>
<div id="header"><nav class="aui-header"><a href="#">空间</a><a href="#">人员</a></nav></div>
<div id="main" class="aui-page-panel"><div id="main-header">
<div id="breadcrumb-section"><ol id="breadcrumbs"><li><a href="index.html">学院办公室</a></li><li><a href="p.html">计划与总结</a></li></ol></div>
<h1 id="title-heading" class="pagetitle"><span id="title-text">榆川职业技术学院2026年度工作计划</span></h1></div>
<div id="content" class="view"><div class="page-metadata">Created by 韦某, last updated by 沈某 on Jan 19, 2026</div>
<div id="main-content" class="wiki-content"><h2>一、主要目标</h2><p>毕业生去向落实率达到95%以上，新增“双师型”教师40人。</p>
<div class="expand-container"><div class="expand-control"><span class="expand-control-text">继续教育学院2026年社会培训工作计划</span></div>
<div class="expand-content"><h2>一、培训目标</h2><p>全年完成社会培训2.5万人日，职业技能等级认定通过率达到85%。</p></div></div></div>
<div class="pageSection group"><h2 id="attachments">Attachments:</h2>
<p><a href="a/1.xlsx">2026年度工作任务分解表.xlsx</a> (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)</p></div>
</div></div><div id="footer"><p>Powered by Atlassian Confluence</p></div></body></html>"""


def test_a_wiki_page_keeps_its_title_from_the_header_block_and_drops_its_attachment_list(tmp_path):
    """A Confluence export puts the page title inside #main-header, with the
    breadcrumbs: the title stays, the breadcrumbs and the attachment list go,
    and the sub-plan in an expand block is a plan of its own."""
    from plan_extract.api import extract_file

    path = tmp_path / "college_plan.html"
    path.write_text(CONFLUENCE_PAGE, encoding="utf-8")
    records = extract_file(path)
    assert records[0]["title"] == "榆川职业技术学院2026年度工作计划"
    text = "".join(r["text"] for r in records)
    assert "计划与总结" not in text and "application/" not in text and "Created by" not in text
    assert [t["value"] for r in records for t in r["targets"]] == [95, 40, 2.5, 85]


def test_content_controls_around_table_rows_and_cells_are_read(tmp_path):
    """A form's repeating section (a content control around table rows) and a
    control around one cell hold text Word shows: python-docx's rows and
    cells skipped it."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    d.add_paragraph("泷川县卫生监督所2026年工作计划")
    table = d.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("指标", "2025年", "2026年目标")):
        cell.text = text

    def cell(text: str) -> str:
        return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    table._tbl.append(parse_xml(
        f'<w:sdt {w}><w:sdtPr/><w:sdtContent><w:tr>{cell("放射诊疗机构监督覆盖率")}{cell("97.1%")}{cell("100%")}'
        f'</w:tr></w:sdtContent></w:sdt>'))
    table._tbl.append(parse_xml(
        f'<w:tr {w}>{cell("学校卫生监督覆盖率")}<w:sdt><w:sdtPr/><w:sdtContent>{cell("96%")}</w:sdtContent></w:sdt>'
        f'{cell("100%")}</w:tr>'))
    path = tmp_path / "form.docx"
    d.save(path)
    lines = read_file(path).text.splitlines()
    assert "放射诊疗机构监督覆盖率\t97.1%\t100%" in lines
    assert "学校卫生监督覆盖率\t96%\t100%" in lines


def test_markdown_inline_formatting_tags_leave_their_text():
    """语雀 writes colour as <font color=…> inside a line: the tags go, the
    words stay, so the measure is read whole."""
    text = "2026年护理工作计划\n## 一、质量目标\n- <font color=\"#DF2A3F\">在岗注册护士总数</font>达到1100名以上。\n"
    record = extract_bytes(text.encode("utf-8"), path="yuque.md")[0]
    assert "<font" not in record["text"]
    assert [(t["metric"], t["value"]) for t in record["targets"]] == [("在岗注册护士总数", 1100)]


def test_a_diagonal_watermark_leaves_a_pdfs_text(tmp_path):
    """A watermark drawn as text at an angle over the body (内部资料 注意保存)
    is no part of the lines it crosses."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "watermark.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    lines = ["柘川县人民医院2026年工作计划", "一、工作目标", "门诊患者基本药物处方占比不低于55%。", "平均住院日缩短至7.5天以内。"]
    for k, line in enumerate(lines):
        c.drawString(72, 760 - 24 * k, line)
    c.saveState()
    c.setFillGray(0.8)
    c.setFont("STSong-Light", 40)
    c.translate(150, 640)
    c.rotate(35)
    c.drawString(0, 0, "内部资料 注意保存")
    c.restoreState()
    c.save()
    text = read_file(path).text
    assert [line.strip() for line in text.splitlines() if line.strip()] == lines


def test_a_hugo_posts_toml_front_matter_is_no_plan_text():
    """Between two +++ lines at a Markdown file's top, Hugo keeps the post's
    metadata (title = "…"): it is neither the plan's text nor its title."""
    post = ('+++\ntitle = "浔川区2026年全民健身工作计划"\ndate = 2026-01-16T10:20:00+08:00\n'
            'tags = ["全民健身", "年度计划"]\ndraft = false\n+++\n\n'
            "为推进全民健身，制定本计划。\n一、工作目标\n新建健身路径30条。\n")
    record = extract_bytes(post.encode("utf-8"), path="post.md")[0]
    assert "title =" not in record["text"] and "+++" not in record["text"]
    assert [(t["metric"], t["value"]) for t in record["targets"]] == [("健身路径", 30)]


def test_a_themes_container_naming_its_sidebar_state_is_no_chrome():
    """A documentation theme's outer container carries the layout's state in
    its class (``theme-container sidebar-open have-rightmenu``): it holds the
    page's <main>, so it is no sidebar or menu to drop (the page had read as
    no text at all)."""
    page = ('<html><body><div class="theme-container sidebar-open have-rightmenu">'
            '<aside class="sidebar"><a href="/a">上一篇计划</a></aside>'
            '<main class="page"><div class="theme-default-content"><h1>泓川市医学会2026年工作计划</h1>'
            '<h2>一、工作目标</h2><p>全年举办学术会议不少于12场。</p></div></main>'
            '<div class="right-menu-wrapper">本页目录</div></div></body></html>')
    record = extract_bytes(page.encode("utf-8"), path="docs.html")[0]
    assert record["title"] == "泓川市医学会2026年工作计划"
    assert "上一篇计划" not in record["text"] and "本页目录" not in record["text"]
    assert [(t["value"], t["unit"]) for t in record["targets"]] == [(12, "场")]
