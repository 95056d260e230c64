"""Two boundary classes of issue 19, end to end on written text: the parts of
a plan that review the past hold no deadlines (an item whose sentence only
mentions 完成情况 is no such part), and a collection page whose plans mostly
carry ordinals also opens a plan at a plain title set apart by the site's
ads and links."""

from plan_extract import extract_text

REVIEW = """栖云县卫生健康局2026年工作要点
一、2025年工作回顾
过去一年，面对7月强降雨等不利影响，全县完成村卫生室改造12所，3月份开展了专项整治。
二、2026年主要任务
（一）基层能力建设
6月底前完成乡镇卫生院设备配置，每季度开展一次督导。
（二）考核办法
1.将各项指标完成情况纳入绩效考核。
2.每月10日前公布上月各项指标完成情况。
"""

PARAGRAPH = "加强质量管理，落实各项核心制度，全年开展质量检查不少于12次，门诊病历甲级率达到95%以上，持续改进服务流程，提升患者满意度。"

COLLECTION = f"""2026年医院工作计划（精选3篇）
篇一：澄江市人民医院2026年工作计划
一、工作目标
{PARAGRAPH * 2}
二、主要措施
{PARAGRAPH * 2}

下载文档　　收藏　　分享
猜你喜欢：
2026年护理部工作计划范文
医院检验科工作总结（通用5篇）

放射科年度工作计划
一、工作目标
{PARAGRAPH * 2}
二、主要措施
{PARAGRAPH * 2}

【篇3】澄江市中医院2026年工作计划
一、工作目标
{PARAGRAPH * 2}
"""


def test_a_review_part_holds_no_deadlines_but_an_item_mentioning_results_does():
    plan = extract_text(REVIEW, models=False)[0]
    texts = [d["text"] for d in plan["deadlines"]]
    assert "7月" not in texts and "3月份" not in texts  # past time under 2025年工作回顾
    assert texts == ["6月底前", "每季度", "每月10日前"]


def test_a_plain_title_between_ordinal_plans_opens_a_plan_when_chrome_sets_it_apart():
    plans = extract_text(COLLECTION, models=False)
    assert [p["title"] for p in plans] == ["篇一：澄江市人民医院2026年工作计划", "放射科年度工作计划",
                                           "【篇3】澄江市中医院2026年工作计划"]
    assert plans[1]["year"] == 2026  # from the collection title
    assert all("猜你喜欢" not in p["text"] for p in plans)


PORTAL_TAIL = """当前位置：首页 > 政务公开 > 部门动态
河湾县卫生健康局2026年工作要点
🌟一、工作目标
到2026年底，家庭医生签约率达到75%以上。
🌟二、重点任务
6月底前完成乡镇卫生院设备配置。
河湾县卫生健康局
2026年2月9日
分享到：微信 微博 QQ空间
相关信息
· 河湾县2026年基本公共卫生服务项目实施方案
· 河湾县卫生健康局关于印发2026年卫生应急工作计划的通知
"""


def test_emoji_headings_are_nodes_and_a_portal_tail_is_no_plan():
    plans = extract_text(PORTAL_TAIL, models=False)
    assert [p["title"] for p in plans] == ["河湾县卫生健康局2026年工作要点"]
    assert [s["marker"] for s in plans[0]["sections"]] == ["一、", "二、"]
    assert "相关信息" not in plans[0]["text"] and "分享到" not in plans[0]["text"]


def test_a_letter_spaced_title_is_a_title_kept_as_written():
    text = "    青柳镇卫生院2026年工 作 计 划\n\n一、工作目标\n" + PARAGRAPH * 3 + "\n"
    plan = extract_text(text, models=False)[0]
    assert plan["title"] == "青柳镇卫生院2026年工 作 计 划"


def test_a_slide_deck_is_one_plan_and_a_compilation_preface_belongs_to_no_plan():
    deck = ("青川市人民医院2026年度工作计划汇报\n汇报人：院长\n\n工作思路\n• 坚持以患者为中心。\n"
            "一、总体目标\n" + PARAGRAPH * 2 + "\n二、重点工作\n" + PARAGRAPH * 2 + "\n谢谢！\n")
    plans = extract_text(deck, models=False)
    assert [p["title"] for p in plans] == ["青川市人民医院2026年度工作计划汇报"]  # 工作思路 is a slide's heading
    compiled = ("青坪镇卫生院2026年工作计划\n一、工作目标\n" + PARAGRAPH * 4 + "\n青坪镇卫生院\n2026年1月10日\n"
                "编者按：柘溪镇卫生院是全县首批达标的卫生院，现将该院年度计划刊发如下，供各院学习借鉴。\n"
                "柘溪镇卫生院2026年度工作计划\n一、工作目标\n" + PARAGRAPH * 4 + "\n")
    plans = extract_text(compiled, models=False)
    assert len(plans) == 2 and all("编者按" not in p["text"] for p in plans)


def test_a_task_breakdown_table_and_a_wiki_page_keep_their_titles_and_drop_their_chrome():
    table = "青山县卫生健康局2026年重点工作任务分解表\n序号\t工作任务\t具体目标\t完成时限\n1\t医共体建设\t组建医共体2个\t2026年6月底前\n"
    assert extract_text(table, models=False)[0]["title"] == "青山县卫生健康局2026年重点工作任务分解表"
    wiki = ("# 心内科2026年工作计划\n\n> 空间：江城市中心医院 › 心内科　|　页面负责人：张三　|　最后更新：2026-01-16 17:32　|　版本 v7\n\n"
            "[TOC]\n\n## 一、工作目标\n\n" + PARAGRAPH * 2 + "\n\n## 相关链接\n\n- [2025年心内科工作总结](/wiki/x)\n\n---\n\n"
            "*本页面共17次修订　最后编辑：李四　2026-01-16*\n")
    plan = extract_text(wiki, models=False)[0]
    assert plan["title"] == "心内科2026年工作计划"
    assert all(s not in plan["text"] for s in ("页面负责人", "[TOC]", "相关链接", "本页面共", "2025年心内科工作总结"))


def test_pasted_plans_a_drafting_date_above_a_title_and_an_attachment_list():
    body = "一、工作目标\n" + PARAGRAPH * 4 + "\n"
    pasted = ("儿科2026年工作计划\n" + body + "儿科\n2026年1月5日\n——————\n"
              "2026年1月9日\n口腔科2026年工作计划\n" + "2025年科室完成门诊诊疗3.8万人次。2026年科室将提升服务能力。\n"
              + body + "口腔科\n")
    plans = extract_text(pasted, models=False)
    assert [p["title"] for p in plans] == ["儿科2026年工作计划", "口腔科2026年工作计划"]
    assert [p["year"] for p in plans] == [2026, 2026]
    assert "2026年1月9日" not in plans[0]["text"] + plans[1]["text"]
    page = ("青川市人民医院2026年工作要点\n" + body + "附件下载：\n\n青川市人民医院2026年工作要点.docx（68.5 KB）\n\n"
            "2026年重点工作任务分解表.xlsx（23.9 KB）\n")
    plan = extract_text(page, models=False)[0]
    assert "附件下载" not in plan["text"] and "KB" not in plan["text"]
