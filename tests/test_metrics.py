"""Metrics as tools group them (issue 19): one name per measure however the
digits were typed, a shared value's later measure named in full, prose in a
table cell named by its own words, not by the row's task."""

import pytest

from phrases import extract_phrase


def _metrics(text):
    targets, _ = extract_phrase(text, 2026, sections=True)
    return [(t["metric"], t["value"]) for t in targets]


@pytest.mark.parametrize("text,want", [
    ("传染病报告率和报告及时率均达到100%", [("传染病报告率", 100), ("传染病报告及时率", 100)]),
    ("高血压、2型糖尿病患者基层规范管理服务率均达到66%",
     [("高血压患者基层规范管理服务率", 66), ("2型糖尿病患者基层规范管理服务率", 66)]),
    ("理论考核和操作考核合格率均达到95%", [("理论考核合格率", 95), ("操作考核合格率", 95)]),
])
def test_each_measure_of_a_shared_value_is_named_in_full(text, want):
    assert _metrics(text) == want


@pytest.mark.parametrize("item", ["2.", "（2）", "二、"])
def test_an_items_own_number_is_no_count_in_a_list_of_measures_nor_part_of_a_quote(item):
    """The number opening a numbered item (2.) is not a count inside the
    、-list after it (新增2个单元、4张床 is two items, not one noun), so the
    first measure still borrows the shared head; the quotes start at the measures."""
    targets, _ = extract_phrase("一、质量\n" + item + "门诊病历、住院病历甲级率均达到95%以上。\n", 2026, sections=True)
    assert [(t["metric"], t["text"]) for t in targets] == [
        ("门诊病历甲级率", "门诊病历、住院病历甲级率均达到95%以上"), ("住院病历甲级率", "住院病历甲级率均达到95%以上")]
    targets, _ = extract_phrase("一、质量\n" + item + "理论考核和操作考核合格率均达到95%。\n", 2026, sections=True)
    assert [t["text"] for t in targets] == ["理论考核和操作考核合格率均达到95%", "操作考核合格率均达到95%"]


@pytest.mark.parametrize("text,want", [
    ("城区急救平均反应时间控制在12分钟以内，农村地区缩短至25分钟以内。",
     [("城区急救平均反应时间", 12), ("农村地区急救平均反应时间", 25)]),
    ("急救平均反应时间城区不超过12分钟，农村地区不超过20分钟。",
     [("急救平均反应时间城区", 12), ("急救平均反应时间农村地区", 20)]),
    ("急救平均反应时间控制在12分钟以内，山区不超过30分钟。",
     [("急救平均反应时间", 12), ("山区急救平均反应时间", 30)]),
])
def test_a_later_value_for_another_area_takes_the_measure_before_it(text, want):
    assert _metrics(text) == want


def test_full_width_digits_give_the_same_metric_as_ascii_ones():
    assert _metrics("６５岁及以上老年人健康管理率达到６６％") == _metrics("65岁及以上老年人健康管理率达到66%") \
        == [("65岁及以上老年人健康管理率", 66)]


def test_prose_in_a_table_cell_is_named_by_its_own_words_a_value_cell_by_the_row():
    table = ("序号\t重点任务\t具体内容\t完成时限\n"
             "1\t深化医药卫生体制改革\t全省紧密型县域医共体不少于78个\t2026年底前\n"
             "序号\t指标名称\t单位\t2026年目标值\n"
             "2\t县域内就诊率\t%\t≥90\n")
    metrics = dict(_metrics(table))
    assert metrics.get(78) is None and any("紧密型县域医共体" in m and v == 78 for m, v in _metrics(table))
    assert ("县域内就诊率", 90) in _metrics(table)
    assert all(m != "深化医药卫生体制改革" for m, _ in _metrics(table))


def test_a_metric_never_reaches_across_a_cell_gap_of_a_grid_printed_side_by_side():
    """A PDF's grid table reads as one line per row with its cells side by
    side: the space between two Han characters is a cell's edge."""
    row = "4 巩固药品和医用耗材集中带量采 公立医院药占比控制在28%以下；\n"
    assert _metrics(row) == [("公立医院药占比", 28)]
    assert _metrics("实“两个允许”要求 医务人员固定薪酬占比稳定在40%左右。\n") == [("医务人员固定薪酬占比", 40)]
