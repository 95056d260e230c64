"""Document shapes that no sample or corpus file has, written for these tests."""

import pytest
import regex

from plan_extract import extract_file, extract_text

BIG5_PAGE = """首頁 > 工作計劃 > 醫院工作計劃
發布時間：2026-01-12
瀏覽次數：318
衛生院年度工作計劃（通用2篇）
衛生院年度工作計劃篇一
2026年本院將(jiāng)持續推進(jìn)基層醫(yī)療服務能力建設。
一、加強(qiáng)門診管理
（一）優化掛號流程。
（二）落實首診負責制。
二、提升公共衛生服務
衛生院年度工作計劃篇二
一、強化院感防控
1．每月開展一次手衛生督查。
相關文章
上一篇：衛生院年終總結
下一篇：村衛生室工作計劃
"""


@pytest.mark.parametrize("codec,glossed", [("big5", False), ("utf-8", True)])
def test_traditional_web_page(tmp_path, codec, glossed):
    page = BIG5_PAGE if glossed else regex.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", "", BIG5_PAGE)
    path = tmp_path / "page.txt"
    path.write_bytes(page.encode(codec))
    records = extract_file(path)
    assert [r["title"] for r in records] == ["衛生院年度工作計劃篇一", "衛生院年度工作計劃篇二"]
    assert records[0]["source"]["encoding"] == codec
    assert {r["script"] for r in records} == {"zh-Hant"}
    assert records[0]["year"] == 2026 and records[1]["year"] is None
    first = records[0]
    assert "(jìn)" not in first["text"] and "持續推進基層醫療" in first["text"]
    assert [(s["marker"], s["level"], s["title"]) for s in first["sections"]] == [
        ("一、", 1, "加强门诊管理"), ("（一）", 2, "优化挂号流程"), ("（二）", 2, "落实首诊负责制"),
        ("二、", 1, "提升公共卫生服务")]
    joined = "".join(r["text"] for r in records)
    for junk in ("首頁", "發布時間", "瀏覽次數", "通用2篇", "相關文章", "上一篇", "下一篇"):
        assert junk not in joined
    assert [(s["marker"], s["level"]) for s in records[1]["sections"]] == [("一、", 1), ("1．", 2)]


PLANS_IN_A_ROW = "\n\n".join(
    f"{name}2026年工作计划\n\n" + "加强科室管理，提高医疗服务质量，落实核心制度。" * 8 + "\n一、加强质量管理\n二、加强人才培养"
    for name in ("内科", "外科", "儿科"))


def test_unnumbered_plans_in_a_row_split_at_their_titles():
    records = extract_text(PLANS_IN_A_ROW)
    assert [r["title"] for r in records] == ["内科2026年工作计划", "外科2026年工作计划", "儿科2026年工作计划"]
    assert all(len(r["sections"]) == 2 for r in records)
    assert all(r["year"] == 2026 for r in records)
