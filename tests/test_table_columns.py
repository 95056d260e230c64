"""Tables read by their columns' roles (issue 19): the header, not the order
of the columns, says which value of a row is the target and which its
baseline, and a unit column or a bracketed unit gives a bare cell its unit.
Each shape runs through the whole pipeline, with the rules alone and with
the shipped models."""

import pytest

from plan_extract import extract_text

PIPE_WITH_UNIT_COLUMN = """汀北县医共体2026年工作计划
一、指标分解
| 序号 | 类别 | 指标名称 | 单位 | 2025年基数 | 2026年目标 | 牵头单位 |
|---|---|---|---|---|---|---|
| 1 | 服务能力 | 县域内就诊率 | % | 89.6 | ≥90 | 医共体办公室 |
| 2 | 服务能力 | 每万人口全科医生数 | 人 | 3.1 | 4 | 人事科 |
| 3 | 运行效率 | 家庭医生签约服务费收入 | 万元 | 420 | 500 | 财务科 |
二、保障措施
加强督导考核。
"""

TARGET_BEFORE_ACTUAL = """青禾县卫生局2026年度工作计划
一、关键绩效指标
指标名称                    目标值        114年实际值
成人预防保健服务利用率      ≧36%          33.8%
大肠癌筛检率                ≧42%          39.6%
口腔黏膜筛检率              ≧50%          47.2%
二、工作措施
加强宣传。
"""

YEARS_ONLY = """白沙县妇幼保健院2026年工作计划
一、主要指标
指标\t2025年\t2026年
孕产妇系统管理率（%）\t91.2\t93
住院分娩人数（人）\t2310\t2500
二、措施
完善制度。
"""


def _rows(text, models):
    plan = extract_text(text, models=models)[0]
    return {t["metric"]: (t["comparator"], t["value"], t["unit"],
                          t["baseline"] and (t["baseline"]["value"], t["baseline"]["year"]))
            for t in plan["targets"]}


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_a_unit_column_gives_bare_cells_their_unit_and_the_measure_column_the_metric(models):
    rows = _rows(PIPE_WITH_UNIT_COLUMN, models)
    assert rows["县域内就诊率"] == (">=", 90, "%", (89.6, 2025))
    assert rows["每万人口全科医生数"] == ("=", 4, "人", (3.1, 2025))
    assert rows["家庭医生签约服务费收入"] == ("=", 500, "万元", (420, 2025))
    assert "服务能力" not in rows  # the class column names no measure


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_the_actual_column_after_the_target_column_is_the_baseline(models):
    rows = _rows(TARGET_BEFORE_ACTUAL, models)
    assert rows["大肠癌筛检率"] == (">=", 42, "%", (39.6, 2025))  # ROC 114 is 2025
    assert rows["口腔黏膜筛检率"] == (">=", 50, "%", (47.2, 2025))
    assert all(value != 33.8 for _, value, _, _ in rows.values())


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_year_columns_alone_make_the_latest_the_target_and_a_bracketed_unit_the_unit(models):
    rows = _rows(YEARS_ONLY, models)
    assert rows["孕产妇系统管理率"] == ("=", 93, "%", (91.2, 2025))
    assert rows["住院分娩人数"] == ("=", 2500, "人", (2310, 2025))

PDF_ROWS = """清河县疾病预防控制中心2026年工作计划
一、主要指标
序号 类别 指标 单位 2025年实际 2026年目标 考核科室
1 传染病 甲乙类传染病报告发病率 /10万 186.3 ≤200 传防科
2 法定传染病报告及时率 % 99.6 100 传防科
3 免疫规划 数字化预防接种门诊 个 9 12 免疫科
二、保障措施
加强督导。
"""

WEB_ROWS = """清河市生态环境局2026年工作要点
一、约束性指标
指标\t单位\t2025年\t2026年目标

黑臭水体消除比例\t%\t—\t≥90（10月底前）

生态质量指数（EQI）\t—\t61.8\t≥62

二、重点任务
加强监测。
"""


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_a_pdf_table_in_single_spaces_with_a_merged_category_cell(models):
    rows = _rows(PDF_ROWS, models)
    assert rows["甲乙类传染病报告发病率"] == ("<=", 200, "/10万", (186.3, 2025))
    assert rows["法定传染病报告及时率"] == ("=", 100, "%", (99.6, 2025))  # a row without its 类别 cell
    assert rows["数字化预防接种门诊"] == ("=", 12, "个", (9, 2025))


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_web_table_rows_apart_a_note_after_a_value_and_a_unit_cell_saying_none(models):
    rows = _rows(WEB_ROWS, models)
    assert rows["黑臭水体消除比例"] == (">=", 90, "%", None)  # 10月底前 is neither its baseline nor a target
    assert rows["生态质量指数（EQI）"] == (">=", 62, None, (61.8, 2025))  # an acronym, not a unit
    assert all(unit != "月" for _, _, unit, _ in rows.values())

BOX = """清河县妇幼保健院2026年工作计划
一、主要工作指标
┌───┬────────────┬──────┬────────┐
│序号  │指标                │2025年      │2026年目标      │
├───┼────────────┼──────┼────────┤
│1     │孕产妇死亡率        │9.6/10万    │≤10/10万        │
├───┼────────────┼──────┼────────┤
│2     │婴儿死亡率          │3.1‰       │≤3.5‰          │
└───┴────────────┴──────┴────────┘
二、保障措施
加强督导。
"""


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_a_table_drawn_with_box_characters(models):
    rows = _rows(BOX, models)
    assert rows["孕产妇死亡率"] == ("<=", 10, "/10万", (9.6, 2025))
    assert rows["婴儿死亡率"] == ("<=", 3.5, "‰", (3.1, 2025))


def test_a_gb18030_file_with_box_characters_and_windows_line_ends_reads():
    from plan_extract.stages.read import read_bytes

    data = (BOX * 3).replace("\n", "\r\n").encode("gb18030")
    source = read_bytes(data, path="box.txt")
    assert source.encoding == "gb18030" and "孕产妇死亡率" in source.text


KINDS_BY_MEASURE = """岚溪县动物疫病预防控制中心2026年工作计划
一、免疫任务
全县主要病种免疫任务如下：
病种\t应免数量（万头只）\t免疫密度\t抗体合格率
口蹄疫（猪、牛、羊）\t41.3\t≥90%\t≥70%
小反刍兽疫\t14.2\t≥90%\t≥70%
二、保障措施
加强督导考核。
"""


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_rows_of_kinds_under_measure_columns_name_kind_and_measure(models):
    """Decision 61: a row naming a kind (口蹄疫) under a header naming the
    measure (免疫密度) measures 口蹄疫免疫密度; the bracketed list of animals goes."""
    rows = _rows(KINDS_BY_MEASURE, models)
    assert rows["口蹄疫免疫密度"][:3] == (">=", 90, "%")
    assert rows["口蹄疫抗体合格率"][:3] == (">=", 70, "%")
    assert rows["小反刍兽疫抗体合格率"][:3] == (">=", 70, "%")
    assert not [m for m in rows if "（" in m]
    # a header that says only its role (2026年目标) adds nothing to the row's measure
    years = _rows(YEARS_ONLY, models)
    assert "孕产妇系统管理率" in years and "住院分娩人数" in years


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_parts_and_periods_take_the_measure_of_the_target_before_them(models):
    text = ("澄川市2026年食品安全工作计划\n一、风险监测\n在全市设置食品安全风险监测点60个，其中农村地区不少于24个。"
            "全年举办食品安全讲座48场以上，每月至少4场。招聘检验人员20名，其中微生物检验人员不少于5名。\n")
    rows = _rows(text, models)
    assert rows["农村地区食品安全风险监测点"][:3] == (">=", 24, "个")
    talks = [(t["comparator"], t["value"]) for t in extract_text(text, models=models)[0]["targets"]
             if t["unit"] == "场"]
    assert talks == [(">=", 48), (">=", 4)] and rows["食品安全讲座"][2] == "场"  # both measure the talks
    assert "微生物检验人员" in rows  # a part naming a kind of its own keeps its name


TWO_ROW_HEADER = """溪口县2026年卫生健康民生实事目标任务分解表
类别\t序号\t项目\t2025年\t2026年\t\t责任单位
\t\t\t完成值\t目标值\t完成时限\t
基层服务\t1\t村卫生室标准化建设（个）\t28\t36\t2026年9月底前\t县卫生健康局
\t2\t基层诊疗量占比\t58.6%\t≥60%\t2026年12月底前\t县卫生健康局
\t3\t家庭医生签约服务人数（万人）\t17.8\t19.5\t2026年12月31日前\t各乡镇卫生院
"""

TASKS_WITHOUT_A_MEASURE_COLUMN = """溪口县消防救援大队2026年工作计划
一、重点工作任务清单
序号\t类别\t工作任务\t目标\t责任股室\t完成时间
1\t火灾防控\t社会单位消防安全检查\t不少于3800家次\t防火监督股\t12月底前
2\t火灾防控\t重大火灾隐患整改\t隐患整改率≥98%\t防火监督股\t全年
3\t基层力量\t微型消防站建设\t新建25个\t战训股\t10月底前
二、保障措施
强化督导。
"""


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_a_header_in_two_rows_is_read_as_one(models):
    """2026年 merged over 目标值 | 完成时限, 2025年 over 完成值: the item's
    bracketed unit gives the bare cells theirs, the 2025 column the baseline."""
    rows = _rows(TWO_ROW_HEADER, models)
    assert rows["村卫生室标准化建设"] == ("=", 36, "个", (28, 2025))
    assert rows["基层诊疗量占比"] == (">=", 60, "%", (58.6, 2025))
    assert rows["家庭医生签约服务人数"] == ("=", 19.5, "万人", (17.8, 2025))


@pytest.mark.parametrize("models", [False, None], ids=["rules", "shipped models"])
def test_without_a_measure_column_the_task_column_names_the_measure(models):
    """No header cell says 指标 or 名称: the first column the header gives no
    role (工作任务) names the measure, not the 类别 column; a rate named in its
    own cell keeps its own name."""
    rows = _rows(TASKS_WITHOUT_A_MEASURE_COLUMN, models)
    assert rows["社会单位消防安全检查"] == (">=", 3800, "家次", None)
    assert rows["隐患整改率"] == (">=", 98, "%", None)
    assert rows["微型消防站建设"][1:3] == (25, "个")
    assert not {"火灾防控", "基层力量"} & set(rows)
