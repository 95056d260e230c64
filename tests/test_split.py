import pytest
import regex

from plan_extract.stages.clean import clean
from plan_extract.rules import load_rules
from plan_extract.stages.split import split_plans

RULES = load_rules()

COLLECTION = """- 0
约3.1千字
2026-01-09 发布于江苏
举报
卫生院工作计划 (精选3篇)

计划书怎么写才比较好？下面是小编整理的卫生院工作计划，一起来看看吧。

卫生院工作计划篇一
2026年本院将巩固基本公共卫生服务。
一、加强慢病管理
卫生院工作计划篇二
一、提升服务能力
卫生院工作计划篇三
20xx年是卫生院发展的关键一年。
您可能关注的文档
- 卫生院年终总结.docx
- 小学数学教学反思.docx
文档评论(0)
"""


def test_collection_splits_at_ordinal_titles_and_drops_chrome():
    plans = split_plans(clean(COLLECTION), rules=RULES)
    assert [p.title for p in plans] == ["卫生院工作计划篇一", "卫生院工作计划篇二", "卫生院工作计划篇三"]
    joined = "".join(p.text for p in plans)
    for junk in ("举报", "千字", "发布于", "一起来看看", "精选3篇", "您可能关注", ".docx", "文档评论"):
        assert junk not in joined
    assert plans[0].text.startswith("卫生院工作计划篇一\n2026年")
    assert plans[2].text.endswith("关键一年。")
    first = {w["kind"]: w["count"] for w in plans[0].warnings}
    last = {w["kind"]: w["count"] for w in plans[2].warnings}
    assert first == {"site_chrome": 4, "collection_title": 1, "preface": 1}
    assert last == {"related_list": 3, "site_chrome": 1}


def test_years_per_plan():
    plans = split_plans(clean(COLLECTION), rules=RULES)
    assert [p.year for p in plans] == [2026, None, None]


@pytest.mark.parametrize("body,year", [
    ("2026年医务科将围绕医院战略开展工作。", 2026),
    ("20__年是我院发展的关键一年，2025年我院取得了成绩。", None),
    ("xx年我院将继续努力。", None),
    ("____年工作计划如下。", None),
    ("二〇二五年我院将深化改革。", 2025),
    ("本计划期为20__-2014年度。", 2014),
    ("门诊病历完整率目标值98%（2025年95%），2026年全面推进。", 2026),
    ("根据〔2023〕12号文件要求，2026年我院将推进改革。", 2026),
    ("2025年我院取得了显著成绩。2026年我院将继续推进。", 2026),
    ("加强管理，提高质量。", None),
])
def test_plan_year(body, year):
    plans = split_plans(clean(body), rules=RULES)
    assert plans[0].year == year


def test_title_year_counts_when_the_body_names_none():
    plans = split_plans(clean("2024年护理部工作计划\n一、加强护士培训。"), rules=RULES)
    assert (plans[0].title, plans[0].year) == ("2024年护理部工作计划", 2024)


def test_body_year_wins_over_title_year():
    plans = split_plans(clean("2024年护理部工作计划\nxx年护理部将加强培训。"), rules=RULES)
    assert plans[0].year is None


def test_file_without_title_is_one_untitled_plan():
    plans = split_plans(clean("一、加强管理。\n二、提高质量。"), rules=RULES)
    assert len(plans) == 1 and plans[0].title is None


def test_markdown_headings_naming_plans_split():
    md = "# 县医院科室工作计划汇编\n\n## 2026年急诊科工作计划\n\n### 一、目标\n\n## 2026年药剂科工作计划\n\n### 一、目标\n"
    plans = split_plans(clean(md), rules=RULES)
    assert [p.title for p in plans] == ["2026年急诊科工作计划", "2026年药剂科工作计划"]
    assert all("汇编" not in p.text for p in plans)


def test_plan_text_maps_back_to_the_cleaned_text():
    cleaned = clean(COLLECTION)
    for plan in split_plans(cleaned, rules=RULES):
        for i in range(0, len(plan.text), 7):
            a, b = plan.map.span(i, i + 1)
            assert cleaned.text[a:b] == plan.text[i]


TITLE_TABLE = RULES.get("plans", "title")


@pytest.mark.parametrize("line", TITLE_TABLE["examples"])
def test_title_examples_are_plan_titles(line):
    plans = split_plans(clean(line + "\n一、加强管理。"), rules=RULES)
    kinds = {w["kind"] for w in plans[0].warnings}
    assert plans[0].title is not None or kinds == {"collection_title"}


@pytest.mark.parametrize("line", TITLE_TABLE["not"])
def test_title_counter_examples_are_not(line):
    plans = split_plans(clean(line + "\n加强管理。"), rules=RULES)
    assert plans[0].title is None


def test_long_text_before_the_first_title_is_kept_as_a_plan():
    """A plan whose title the rules miss is never dropped as a preface."""
    body = "一、加强管理\n" + "全面落实核心制度，门诊病历书写完整率达到95%以上，确保医疗安全。" * 15 + "\n"
    text = "某种规则认不出的标题样式★\n" + body + "卫生院工作计划篇2\n" + body
    plans = split_plans(clean(text), rules=RULES)
    assert len(plans) == 2
    assert plans[0].title is None and "门诊病历书写完整率" in plans[0].text
    assert plans[1].title == "卫生院工作计划篇2"


def test_chrome_test_answers_as_the_whole_alternation_does():
    """``Rules.found`` tries start-anchored patterns at the start only; on every
    line of the samples, the corpus and the chrome examples it must answer as
    one search of the whole alternation."""
    from conftest import CORPUS, RAW

    from plan_extract.stages.read import read_file

    found = RULES.found("boilerplate", "site_chrome")
    search = RULES.re("boilerplate", "site_chrome").search
    lines = COLLECTION.splitlines() + ["x 文档评论(3)", "共有 12 条评论", "首页 > 新闻", "2026-01-09 发布于江苏 x"]
    for path in sorted(RAW.iterdir()) + sorted(CORPUS.iterdir()):
        lines += clean(read_file(path).text, rules=RULES).view.split("\n")
    lines = [ln.strip() for ln in lines]
    assert sum(found(ln) for ln in lines) >= 8  # the collection's chrome lines and the added ones
    assert [ln for ln in lines if found(ln) != bool(search(ln))] == []


def test_title_suffix_found_from_the_end_as_from_the_start():
    """The end-anchored title suffix is searched backwards (speed); on random
    strings of spaces, emphasis marks and text it finds the same span as the
    forward search, from any start."""
    import random

    forward = RULES.re("plans", "title_suffix")
    backward = RULES.re("plans", "title_suffix", reverse=True)
    rng = random.Random(7)
    alphabet = [" ", "\t", "\u3000", "*", "_", "a", "计", "#"]
    spans = set()
    for _ in range(20000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        pos = rng.randint(0, len(s))
        span = forward.search(s, pos).span()
        assert backward.search(s, pos).span() == span, (s, pos)
        spans.add(span[1] - span[0])
    assert max(spans) >= 4  # suffixes such as " ** " were among them


def _sample_lines() -> list[str]:
    """Every line of the samples and the corpus (views), with the collection's."""
    from conftest import CORPUS, RAW

    from plan_extract.stages.read import read_file

    lines = COLLECTION.splitlines()
    for path in sorted(RAW.iterdir()) + sorted(CORPUS.iterdir()):
        lines += clean(read_file(path).text, rules=RULES).view.split("\n")
    return lines


def test_toc_matched_from_the_end_as_searched_from_the_start():
    """The TOC patterns are matched backwards from the end of a line (speed),
    which needs each anchored at both ends; on every sample line and on random
    strings the answer is the forward search's."""
    import random

    from plan_extract.rules import _anchored

    assert all(_anchored(p) and p.endswith("$") for p in RULES.value("boilerplate", "toc"))
    forward = RULES.re("boilerplate", "toc")
    backward = RULES.re("boilerplate", "toc", reverse=True)
    rng = random.Random(11)
    alphabet = ["目", "录", " ", "\u3000", ".", "…", "·", "_", "-", "1", "23", "章", "计划"]
    strings = [ln.strip() for ln in _sample_lines()] + ["第一章 总则......12", "二、主要措施----------15", "目 录"]
    strings += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))).strip()
                for _ in range(20000)]
    assert sum(bool(forward.search(s)) for s in strings) >= 100  # TOC lines were among them
    assert [s for s in strings if bool(forward.search(s)) != bool(backward.match(s))] == []


def test_title_plan_word_only_skips_lines_that_are_no_title():
    """``title.contains`` (every title holds a plan word) lets a line without
    one skip the title patterns (speed): lines are marked as without it."""
    import random

    from plan_extract.core.document import Line
    from plan_extract.stages.split.lines import _title, _title_rules

    rules = _title_rules(RULES)
    every_line = rules[:-1] + (regex.compile(""),)  # the same title test without the plan-word search
    rng = random.Random(5)
    plan_words = ["计划", "规划", "方案", "要点", "安排", "打算", "设想", "思路", "计划书"]
    pieces = plan_words + ["2026年", "医院", "护理部", "工作", "篇一", "篇2", "（一）", "之二", "(实用9篇)",
                           "汇编", "大全", "及措施", "范文", "【篇1】", "第3篇：", "## ", "**", "一、", " ", "：",
                           "。", "计", "划"]
    views = _sample_lines() + TITLE_TABLE["examples"] + TITLE_TABLE["not"]
    views += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    titles = 0
    for view in views:
        a, b = Line(0, len(view), view, view), Line(0, len(view), view, view)
        assert _title(a, rules) == _title(b, every_line) and a == b, view
        titles += a.kind == "title"
    assert titles >= 1000  # titles were among them


def test_a_table_header_year_is_not_the_plan_year():
    """Issue 18: 2025年实际值 heads a column; the plan's own year is the title's."""
    from plan_extract import extract_text

    text = ("2026年县医院护理部工作计划\n一、质量指标\n指标\t2025年实际值\t目标值\n"
            "护理文书合格率\t92%\t95%\n二、重点工作\n6月底前完成护理质量评价。")
    [record] = extract_text(text, models=False)
    assert record["year"] == 2026
    assert [d["value"] for d in record["deadlines"]] == ["2026-06-30"]


def test_an_roc_year_names_the_plan_year_and_its_deadlines():
    """民國115年度 is 2026, and so is 115年6月底前."""
    from plan_extract import extract_text

    text = "衛生所115年度工作計劃\n一、重點工作\n115年6月底前完成長者健康評估，116年1月20日前提交成果報告。"
    [record] = extract_text(text, models=False)
    assert record["year"] == 2026
    assert [d["value"] for d in record["deadlines"]] == ["2026-06-30", "2027-01-20"]


_SIGNED = ("禾溪镇卫生院2026年工作计划\n\n一、提高服务质量\n全年门诊量达到3万人次，群众满意度达到90%以上。\n"
           "二、加强队伍建设\n全年选送2名医生到县医院进修。\n\n禾溪镇卫生院\n2026年1月6日\n")


def test_a_short_page_tail_after_the_signature_date_is_not_the_plan():
    tail = "- THE END -\n图文：院办公室｜编辑：李小溪｜审核：王一\n觉得有用，点个“在看”，分享给身边的朋友吧\n附件下载：工作计划.pdf\n"
    [plan] = split_plans(clean(_SIGNED + "\n" + tail), rules=load_rules())
    assert plan.text.rstrip().endswith("2026年1月6日")
    assert any(w["kind"] == "site_chrome" for w in plan.warnings)


def test_an_attachment_of_targets_after_the_signature_date_stays_in_the_plan():
    tail = "附件：主要指标\n门诊人次\t3万\n家庭医生签约率\t45%\n"
    [plan] = split_plans(clean(_SIGNED + "\n" + tail), rules=load_rules())
    assert plan.text.rstrip().endswith("45%")


def test_an_articles_end_mark_closes_the_plan_like_a_signature():
    """No date line: the end mark (——本文完——) is where the page's tail (a
    learning site's glossary) begins."""
    body = ("澄岚区卫生局2026年度工作计划\n\n一、提升服务\n全年门诊量达到3万人次，群众满意度达到90%以上。\n"
            "二、加强队伍\n全年选送2名医生到上级医院进修。\n\n——本文完——\n\n【本文生词】\n"
            "轮候 lún hòu：排队等候\n筛查 shāi chá：以检查方法找出患病者\n")
    [plan] = split_plans(clean(body), rules=load_rules())
    assert plan.text.rstrip().endswith("到上级医院进修。")
    assert "轮候" not in plan.text


_THREAD = ("\n--------------------------------\n签名：基层十年，守好一方百姓健康。\n回复  引用  举报  TOP\n\n"
           "云岭村医\n沙发\n发表于 2026-1-17 22:05 | 只看该作者\n谢谢楼主分享，我们院的签约率是80%，正愁计划不知道怎么写。\n"
           "回复  引用  举报  TOP\n\n桐柏小护\n板凳\n发表于 2026-1-18 08:12 | 只看该作者\n先收藏了，回去照着改改。\n"
           "回复  引用  举报  TOP\n")


def test_a_forum_threads_replies_after_the_signature_are_not_the_plan():
    """Replies framed by the thread's furniture are comments, even with a rate in them."""
    [plan] = split_plans(clean(_SIGNED + _THREAD), rules=load_rules())
    assert plan.text.rstrip().endswith("2026年1月6日")
    assert "签约率是80%" not in plan.text


def test_a_site_footers_telephone_goes_but_the_issuers_own_contact_lines_stay():
    footer = "地址：禾溪镇府前路8号　邮编：337600　联系电话：0799-7216035\n赣ICP备05012847号　您是本站第0893127位访问者\n"
    [plan] = split_plans(clean(_SIGNED + "\n" + footer), rules=load_rules())
    assert plan.text.rstrip().endswith("2026年1月6日")
    own = "承办人：院办公室　李小溪\n联系电话：0799-7216035\n"
    [plan] = split_plans(clean(_SIGNED + own), rules=load_rules())
    assert plan.text.rstrip().endswith("联系电话：0799-7216035")


def test_a_signature_dated_in_chinese_numerals_ends_the_plan_before_an_ad():
    body = ("禾溪镇卫生院2026年工作计划\n\n一、提高服务质量\n全年门诊量达到3万人次，群众满意度达到90%以上。\n"
            "二、加强队伍建设\n全年选送2名医生到县医院进修。\n\n禾溪镇卫生院\n二〇二六年一月\n\n"
            "广告\u3000公卫执业医师考前押题，报名即送真题册\n")
    [plan] = split_plans(clean(body), rules=load_rules())
    assert plan.text.rstrip().endswith("二〇二六年一月")


def test_a_plan_title_after_a_related_list_opens_a_plan_when_a_lead_in_follows():
    first = _SIGNED.replace("禾溪镇卫生院2026年工作计划", "县疾控中心2026年工作计划篇一") \
        + "\n相关文档\n\n乡镇卫生院公共卫生工作计划（通用5篇）\n\n预防接种门诊年度工作计划\n\n"
    second = ("县疾控中心2026年工作计划篇二\n\n为切实做好全县传染病防控和免疫规划工作，现将我中心2026年度工作安排如下：\n\n"
              "（一）全年报告及时率达到100%。\n")
    plans = split_plans(clean(first + second), rules=load_rules())
    assert [p.title for p in plans] == ["县疾控中心2026年工作计划篇一", "县疾控中心2026年工作计划篇二"]


_NOTICE = ("桐江市卫生健康委员会文件\n\n桐卫基层〔2026〕7号\n\n关于印发2026年全市基层卫生工作要点的通知\n\n"
           "各县（区）卫生健康局，委直属各单位：\n现将《2026年全市基层卫生工作要点》印发给你们，请认真贯彻落实，"
           "并于12月15日前报送年度工作总结。\n\n附件：2026年全市基层卫生工作要点\n\n桐江市卫生健康委员会\n2026年2月3日\n\n"
           "附件\n\n2026年全市基层卫生工作要点\n\n一、主要目标\n家庭医生签约服务覆盖率达到45%以上，"
           "基层诊疗量占比不低于65%。\n二、重点任务\n6月底前完成乡镇卫生院服务能力评价。\n\n"
           "抄送：市人民政府办公室。\n\n桐江市卫生健康委员会办公室　　　　2026年2月3日印发\n")


def test_a_notice_issuing_a_plan_leaves_the_attached_plan_alone_as_the_plan():
    """The notice (文号, addressees, its own signature) covers the plan it
    issues: the plan is the attachment under 附件, from its own title; the
    imprint under it (抄送, …印发) is nobody's text."""
    [plan] = split_plans(clean(_NOTICE), rules=load_rules())
    assert plan.title == "2026年全市基层卫生工作要点"
    assert plan.text.startswith("2026年全市基层卫生工作要点\n")
    assert plan.text.rstrip().endswith("评价。")
    assert "12月15日前" not in plan.text


def test_a_notice_whose_body_is_the_plan_keeps_its_own_title():
    """Without an attachment label, the notice's text is the plan."""
    body = _NOTICE.replace("附件\n\n2026年全市基层卫生工作要点\n\n", "")
    [plan] = split_plans(clean(body), rules=load_rules())
    assert plan.title == "关于印发2026年全市基层卫生工作要点的通知"


def test_a_blogs_category_list_with_counts_opens_no_plan():
    """工作计划(7) in a sidebar beside 全部日志(86) is a category, not a plan's
    title with an ordinal: the one plan under it stays whole."""
    sidebar = "老周的空间\n访问量：18,306\n日志分类\n全部日志(86)\n工作计划(7)\n行医随笔(41)\n转载(12)\n\n"
    [plan] = split_plans(clean(sidebar + _SIGNED), rules=load_rules())
    assert plan.title == "禾溪镇卫生院2026年工作计划"


def test_a_collections_bare_ordinal_is_the_title_of_the_plan_it_heads():
    """篇二 alone, after a related line, heads the plan the site left unnamed."""
    first = _SIGNED.replace("禾溪镇卫生院2026年工作计划", "篇一：禾溪镇卫生院2026年工作计划") \
        + "\n更多相关：乡镇卫生院院长述职报告（通用6篇）　卫生院工作总结范文\n\n"
    second = "篇二\n\n2026年，我院护理工作以优质护理为抓手，全年护理质量合格率达到95%以上。\n"
    plans = split_plans(clean(first + second), rules=load_rules())
    assert [p.title for p in plans] == ["篇一：禾溪镇卫生院2026年工作计划", "篇二"]
    assert plans[1].text.rstrip().endswith("95%以上。")


def test_a_portal_articles_meta_lines_footer_and_attachment_links_are_not_the_plan():
    page = ("来源：禾溪镇卫生院\n字号：大 中 小\n\n" + _SIGNED + "\n附件：\n1．禾溪镇卫生院2026年重点工作任务分工表.docx\n"
            "2．2026年主要指标监测表.xlsx\n\nCopyright © 2019-2026 禾溪镇人民政府 All Rights Reserved\n")
    [plan] = split_plans(clean(page), rules=load_rules())
    assert plan.text.startswith("禾溪镇卫生院2026年工作计划")
    assert plan.text.rstrip().endswith("2026年1月6日")


def test_a_post_footer_after_the_signature_ends_the_plan_with_all_the_page_after_it():
    """On a Q&A page the answer's afterword, its footer and other answers
    (with numbered lists of their own) follow the plan's signature."""
    page = (_SIGNED + "写在最后：计划写完要贴在护士站，每个月对着看一遍，指标别全写100%，去年做到多少、今年能往前走多少，心里要有数。\n"
            "发布于 2026-01-08 22:31・IP 属地湖南\n赞同 1286 92 条评论 分享 收藏 喜欢\n骨科老郑\n"
            "补充一个基层的，下面是我们科今年定的几条：\n1.术后疼痛评估率100%；\n2.选送1名护士到市骨科医院进修3个月。\n"
            "发布于 2026-01-11 09:47・IP 属地河南\n")
    [plan] = split_plans(clean(page), rules=load_rules())
    assert plan.text.rstrip().endswith("2026年1月6日")
    dated_first = _SIGNED.replace("禾溪镇卫生院2026年工作计划\n", "禾溪镇卫生院2026年工作计划\n2026年1月6日\n", 1)
    [plan] = split_plans(clean(dated_first.replace("\n\n禾溪镇卫生院\n2026年1月6日\n", "\n") + "发布于 2026-01-08 22:31\n"),
                         rules=load_rules())
    assert "全年选送2名医生到县医院进修。" in plan.text  # a date under the title: the body stays


def test_front_matter_is_metadata_and_its_tags_no_title():
    page = ("---\ntitle: 禾溪镇卫生院2026年工作计划\ndate: 2026-01-10 20:15:32\ntags:\n- 工作计划\n- 慢病管理\n---\n\n"
            "2026年是我院巩固服务能力的关键之年。\n\n## 一、提高服务质量\n全年门诊量达到3万人次，群众满意度达到90%以上。\n")
    [plan] = split_plans(clean(page), rules=load_rules())
    assert plan.title is None and plan.text.startswith("2026年是我院")


def test_a_social_posts_headline_share_bar_and_comments():
    """A post titled in 【】 with its year; its 【】 part headings are no plans;
    its share bar ends it and the comments under it are the page's."""
    post = ("#健康枳溪2026#\n【枳溪县疾病预防控制中心2026年工作计划要点】\n"
            "2026年，县疾控中心将紧扣平急结合，一起来看看今年我们要干成哪些事👇\n🔹【免疫规划】\n"
            "①适龄儿童免疫规划疫苗接种率保持在95%以上。\n🔹【慢病管理】\n②高血压患者规范管理率达到65%。\n"
            "新的一年，一起守护健康！💪\n#疾控人在行动#收起全文d\n图1　2026年重点工作指标一览（共9张）\nf查看原图\n"
            "转发 128\n评论 56\nñ赞 342\n小橙子妈妈：HPV疫苗是9月开学以后打吗？我家老大今年13岁，在二中读初一。\n回复\n36\n")
    [plan] = split_plans(clean(post), rules=load_rules())
    assert plan.title == "【枳溪县疾病预防控制中心2026年工作计划要点】"
    assert "一起来看看" in plan.text and plan.text.rstrip().endswith("一起守护健康！💪")


def test_an_issuing_line_is_the_signature_unless_the_imprint_holds_it():
    body = _SIGNED.replace("\n\n禾溪镇卫生院\n2026年1月6日\n", "\n\n禾溪镇卫生院办公室　　2026年1月6日印发\n")
    [plan] = split_plans(clean(body), rules=load_rules())
    assert plan.text.rstrip().endswith("2026年1月6日印发")
    imprint = body.replace("\n\n禾溪镇卫生院办公室", "\n\n抄送：县卫生健康局。\n禾溪镇卫生院办公室")
    [plan] = split_plans(clean(imprint), rules=load_rules())
    assert plan.text.rstrip().endswith("到县医院进修。")


def test_a_collections_plans_each_open_under_its_title():
    """Under a collection's title (…计划汇编) each plan title with a body
    opens a plan, though none carries an ordinal."""
    def clinic(name):
        return (f"{name}村卫生室2026年工作计划\n{name}村常住人口1962人。2026年，卫生室将做实家庭医生签约服务，"
                "签约率达到45%以上，高血压患者规范管理率达到65%，每月开展一次健康教育讲座，"
                "年内完成全部65岁及以上老年人健康体检，体检率达到72%以上；卫生室每周五下午整理随访记录，"
                "按季度接受镇卫生院考核，考核结果与乡村医生补助挂钩，确保各项服务落实到人。"
                "全年规范管理2型糖尿病患者不少于70人，孕产妇早孕建册率达到92%以上，儿童健康管理率达到90%以上。\n"
                f"{name}村卫生室\n负责人：鄢春禾\n")
    doc = "茆山镇卫生院\n2026年度村卫生室工作计划汇编\n\n" + clinic("杉塘") + clinic("碾盘岭") + clinic("芦荻洲")
    assert [p.title for p in split_plans(clean(doc), rules=load_rules())] == [
        "杉塘村卫生室2026年工作计划", "碾盘岭村卫生室2026年工作计划", "芦荻洲村卫生室2026年工作计划"]


def test_behind_a_cover_and_its_contents_the_body_title_heads_the_plan():
    body = ("桤川县人民医院2026年工作计划\n一、2025年工作回顾\n2025年全院门急诊诊疗41.2万人次。\n二、2026年主要目标\n"
            "到2026年底，全院门急诊诊疗人次力争达到45万人次，出院患者3万人次以上，县域内就诊率达到90%，"
            "基层医疗卫生机构诊疗量占比不低于65%，四级手术占比提高到15%，日间手术占择期手术比例达到12%，"
            "门诊患者平均候诊时间缩短至20分钟以内，患者满意度达到95%以上。\n三、保障措施\n"
            "院长办公室每季度通报各科室目标完成情况，年底前完成全年考核。\n")
    cover = ("2026年度工作计划\n院长办公室 编印\n二〇二六年一月\n目 录\n一、2025年工作回顾..................1\n"
             "二、2026年主要目标..................1\n")
    [plan] = split_plans(clean(cover + body), rules=load_rules())
    assert plan.title == "桤川县人民医院2026年工作计划"


def test_a_policy_interpretation_page_is_one_plan_under_its_own_title():
    """A portal's greeting, access bar and run-together meta line are chrome;
    《…工作要点》政策解读 is the page's title."""
    page = ("您好，欢迎访问枥川市卫生健康委员会网站！\n无障碍浏览 | 长者模式 | 移动版\n当前位置：首页 > 政务公开 > 政策解读\n"
            "《2026年全市卫生健康工作要点》政策解读\n发布时间：2026-02-13 09:30来源：市卫生健康委浏览次数：1268\n"
            "一、《要点》提出的主要目标是什么？\n答：到2026年底，全市人均预期寿命达到80.3岁，孕产妇死亡率控制在9/10万以下。\n")
    [plan] = split_plans(clean(page), rules=load_rules())
    assert plan.title == "《2026年全市卫生健康工作要点》政策解读"
    assert plan.text.startswith("《2026年") and "浏览次数" not in plan.text
