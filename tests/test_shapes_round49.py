"""Shapes first met in held-out rounds 49-50, written for these tests: Word's
multilevel decimal lists (1 / 1.1 / 1.1.1), a forum post's BBCode, a Word
web page whose table cells hold paragraphs, a table counting posts (人数),
and a change named without its measure."""

import io

from plan_extract import extract_bytes, extract_text

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

OUTLINE = [  # (level, text): level 0 is body text
    (0, "区健康教育所2026年工作计划"),
    (1, "年度工作目标"),
    (0, "全区居民健康素养水平达到32%。"),
    (1, "重点工作"),
    (2, "健康素养监测"),
    (3, "做好监测"),
    (0, "全年开展健康讲座不少于650场。"),
    (3, "推进干预"),
    (2, "控烟与戒烟服务"),
    (0, "第二季度新增戒烟门诊2家。"),
]


def _outline_docx() -> bytes:
    """A real Word file numbered by one multilevel list (%1 / %1.%2 / %1.%2.%3)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    d = docx.Document()
    levels = "".join(
        f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="{".".join(f"%{j + 1}" for j in range(k + 1))}"/></w:lvl>' for k in range(3))
    part = d.part.numbering_part
    part.element.append(parse_xml(f'<w:abstractNum {W} w:abstractNumId="91">{levels}</w:abstractNum>'))
    part.element.append(parse_xml(f'<w:num {W} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    for level, text in OUTLINE:
        p = d.add_paragraph(text)
        if level:
            num_pr = p._p.get_or_add_pPr()._add_numPr()
            num_pr._add_ilvl().set(qn("w:val"), str(level - 1))
            num_pr._add_numId().set(qn("w:val"), "91")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_word_decimal_outline_nests_by_depth():
    """2.1 and 2.1.1 are nodes a level apart, written as arabic markers; the
    number stands apart from the heading as Word shows it (its tab)."""
    record = extract_bytes(_outline_docx(), path="plan.docx")[0]
    assert "2.1 健康素养监测" in record["text"] and "2.1.1 做好监测" in record["text"]
    got = [(s["marker"], s["level"], s["title"], s["style"]) for s in record["sections"]]
    assert got == [("1", 1, "年度工作目标", "arabic"), ("2", 1, "重点工作", "arabic"),
                   ("2.1", 2, "健康素养监测", "arabic"), ("2.1.1", 3, "做好监测", "arabic"),
                   ("2.1.2", 3, "推进干预", "arabic"), ("2.2", 2, "控烟与戒烟服务", "arabic")]
    parents = [s["parent"] for s in record["sections"]]
    assert parents == [None, None, "s2", "s3", "s3", "s2"]


def test_typed_outline_numbers_and_measures_apart():
    """Typed outline numbers are nodes with or without a space; a decimal
    before a unit (3.5万人次, 4.5岁) is a measure, not a heading."""
    text = ("县疾控中心2026年工作计划\n3 重点工作\n3.1 传染病防控\n3.1.1加强监测\n全年报告及时率达到100%。\n"
            "3.5万人次完成体检。\n4.5岁以下儿童体检率达到90%。\n1 居民健康素养水平 29.4% ≥32%\n3.2慢病管理\n")
    record = extract_text(text)[0]
    assert [(s["marker"], s["level"]) for s in record["sections"]] == [
        ("3", 1), ("3.1", 2), ("3.1.1", 3), ("3.2", 2)]
    # a bare number before a heading is a node only beside depth-2 numbers
    assert extract_text("县疾控中心2026年工作计划\n1 工作目标\n内容。\n2 重点工作\n内容。\n")[0]["sections"] == []


FORUM_POST = """【求助】有没有县医院信息科的年度计划？ - 信息科交流区 - 某某论坛
[i=s] 本帖最后由 老周 于 2026-1-18 09:12 编辑 [/i]
[quote][size=2][color=#999999]小码农 发表于 2026-1-17 21:40[/color][/size]
院长让写2026年信息化计划，求模板。[/quote]
我们院今年的计划，参考一下。
[size=4][b][color=red]某县人民医院2026年信息化建设工作计划[/color][/b][/size]
为推进智慧医院建设，制定本计划。
[b][size=3]一、工作目标[/size][/b]
电子病历系统应用水平分级评价达到4级，6月底前上线互联网医院。
[img]static/image/common/plan.jpg[/img]
[b][size=3]二、重点任务[/size][/b]
[list]
[*]新建业务系统7个。
[*]全年信息化建设预算1680万元。
[/list]
"""


def test_forum_post_markup_is_formatting():
    """BBCode tags go (what they wrap stays), an image goes with its address:
    the plan's title and headings are read through them."""
    records = extract_text(FORUM_POST)
    assert [r["title"] for r in records] == ["某县人民医院2026年信息化建设工作计划"]
    record = records[0]
    assert "[" not in record["text"] and "static/image" not in record["text"]
    assert [(s["marker"], s["title"]) for s in record["sections"]] == [("一、", "工作目标"), ("二、", "重点任务")]
    assert [(t["metric"], t["value"]) for t in record["targets"]] == [
        ("电子病历系统应用水平分级评价", 4), ("业务系统", 7), ("信息化建设预算", 1680)]


WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8"></head><body>
<div class=WordSection1>
<p class=MsoNormal>县医院感染管理科2026年工作计划</p>
<p class=MsoNormal>一、主要指标<o:p></o:p></p>
<table class=MsoTableGrid border=1>
 <tr>
  <td><p class=MsoNormal><b>指标</b><o:p></o:p></p>
  </td>
  <td><p class=MsoNormal><b>2026年目标值</b><o:p></o:p></p>
  </td>
  <td><p class=MsoNormal><b>2025年实际值</b><o:p></o:p></p>
  </td>
 </tr>
 <tr>
  <td><p class=MsoNormal>手卫生依从率<o:p></o:p></p>
  </td>
  <td><p class=MsoNormal>≥85%<o:p></o:p></p>
  </td>
  <td><p class=MsoNormal>81.7%<o:p></o:p></p>
  </td>
 </tr>
</table>
<p class=MsoNormal>二、重点工作</p>
<p class=MsoNormal>每月开展一次手卫生督查。</p>
</div></body></html>"""


def test_word_web_page_table_rows_stay_rows():
    """Paragraphs inside a Word web page's cells, and the source's line
    breaks between cells, do not break a row: the row gives its target and
    the earlier column its baseline."""
    record = extract_bytes(WORD_HTML.encode("utf-8"), path="plan.htm")[0]
    assert "手卫生依从率\t≥85%\t81.7%" in record["text"]
    (target,) = record["targets"]
    assert (target["metric"], target["comparator"], target["value"]) == ("手卫生依从率", ">=", 85)
    assert target["baseline"] == {"value": 81.7, "unit": "%", "year": 2025}


POSTS = """县人民医院2026年人才招聘计划
一、公开招聘岗位
今年面向社会公开招聘工作人员19名，具体岗位如下：
序号\t岗位代码\t招聘岗位\t人数\t学历\t条件
1\tQY2601\t急诊医学科医师\t3\t本科及以上\t年龄35周岁以下，工作满3年
2\tQY2602\t临床护士\t16\t大专及以上\t年龄30周岁以下
二、人才培养
门急诊诊疗人次力争达到9.2万人次，较上年增长6.6%。
"""


def test_a_count_column_gives_targets_and_a_bare_change_its_measure():
    """人数 names the measure: each row's count is a target named by its post;
    the conditions beside it are not targets.  较上年增长6.6% measures the
    target before it."""
    record = extract_text(POSTS)[0]
    got = [(t["metric"], t["comparator"], t["value"], t["unit"]) for t in record["targets"]]
    assert ("急诊医学科医师", "=", 3, None) in got and ("临床护士", "=", 16, None) in got
    assert not any(t["value"] in (35, 30) for t in record["targets"])
    assert ("门急诊诊疗人次增长", "=", 6.6, "%") in got


BLOG_POST = """---
title: 呼吸科2026年工作计划
date: 2026-01-10
---
某县医院呼吸科2026年工作计划

<!-- more -->

## 一、工作目标

主要指标见下表：

<table>
  <tr><th>指标</th><th>2025年</th><th>2026年目标</th></tr>
  <tr><td>慢阻肺患者肺功能检查率</td><td>71.3%</td><td>≥80%</td></tr>
  <tr><td>RICU非计划拔管率</td><td>0.21%</td><td>&lt;0.2%</td></tr>
</table>

| 序号 | 任务 | 目标 | 备注 |
|---|---|---|---|
| 1 | 支气管镜诊疗量 | ≥1600例 | 含EBUS<br>及冷冻活检 |
"""


def test_markdown_reads_the_html_it_embeds():
    """A blog post's HTML table is read as rows (its target column as targets,
    the earlier year as baselines); <br> in a pipe table's cell keeps the row whole."""
    record = extract_bytes(BLOG_POST.encode("utf-8"), path="post.md")[0]
    assert "<t" not in record["text"] and "<br>" not in record["text"] and "<!--" not in record["text"]
    assert "含EBUS 及冷冻活检" in record["text"]
    got = {t["metric"]: (t["comparator"], t["value"], (t["baseline"] or {}).get("value")) for t in record["targets"]}
    assert got["慢阻肺患者肺功能检查率"] == (">=", 80, 71.3)
    assert got["RICU非计划拔管率"] == ("<", 0.2, 0.21)
    assert got["支气管镜诊疗量"][:2] == (">=", 1600)


def test_a_plan_pasted_into_one_merged_cell_keeps_its_lines():
    """A whole plan in one merged cell (line breaks inside the cell) is read as
    the document it is; a table row's cell with a break stays on its row."""
    import openpyxl

    plan = ("某镇卫生院2026年工作计划\n\n一、工作目标\n全年门急诊诊疗人次力争达到3.1万人次。\n"
            "二、重点工作\n（一）提升服务能力\n每季度开展1次急救技能培训。")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = plan
    sheet.merge_cells("A1:H40")
    table = book.create_sheet("指标")
    table.append(["指标", "单位", "2026年目标"])
    table.append(["住院人次", "人次", "1300\n（含日间）"])
    out = io.BytesIO()
    book.save(out)
    (record,) = extract_bytes(out.getvalue(), path="plan.xlsx")
    assert record["title"] == "某镇卫生院2026年工作计划"
    assert [(s["marker"], s["title"]) for s in record["sections"]] == [
        ("一、", "工作目标"), ("二、", "重点工作"), ("（一）", "提升服务能力")]
    assert "住院人次\t人次\t1300 （含日间）" in record["text"]
