import pytest

from plan_extract.stages.clean import clean, is_hard_wrapped
from plan_extract.rules import load_rules

RULES = load_rules()
EXAMPLES = [(key, a, b) for key, entry in RULES.tables["clean"].items()
            if isinstance(entry, dict) and isinstance(entry.get("examples"), dict)
            for a, b in entry["examples"].items()]


@pytest.mark.parametrize("key,raw,expected", EXAMPLES, ids=[f"{k}:{a}" for k, a, _ in EXAMPLES])
def test_rule_examples(key, raw, expected):
    if key in ("aligned_table", "emphasis"):  # the view marks cells, blanks emphasis; the text stays as written
        assert clean(raw).view == expected and clean(raw).text == raw
    elif key == "split_digits":
        raw = "\n".join([raw] + ["这是一行被硬换行切断的文本内容用来触发硬换行判断的测试"] * 10)
        assert clean(raw, hard_wrap=True).text.startswith(expected)
    else:
        assert clean(raw).text == expected


@pytest.mark.parametrize("raw", RULES.tables["clean"]["emphasis"]["not"])
def test_blanks_are_no_emphasis(raw):
    assert clean(raw).view == raw


def test_every_cleaned_character_traces_back():
    raw = "医(yī)院&nbsp;关键的`一年，达到９８％o\r\n发表论文gt;xx篇，医□院\\*\\*重点\\*\\*"
    c = clean(raw)
    assert c.text == "医院 关键的一年，达到９８％。\n发表论文>xx篇，医院**重点**"
    for i, ch in enumerate(c.text):
        a, b = c.map.span(i, i + 1)
        src = raw[a:b]
        assert ch in src or (ch, src) in {(" ", "&nbsp;"), (">", "gt;"), ("。", "o"), ("\n", "\r\n")}


def test_view_is_simplified_folded_and_same_length():
    c = clean("醫院進一步提高質量，合格率９８％（一）")
    assert len(c.view) == len(c.text)
    assert c.view == "医院进一步提高质量,合格率98%(一)"
    assert c.script == "zh-Hant"
    assert clean("医院进一步提高质量").script == "zh-Hans"


def test_mojibake_stays_and_is_noted():
    c = clean("加强管理??啤酒")
    assert "??啤" in c.text
    assert [n.kind for n in c.notes] == ["mojibake"]


def test_hard_wrapped_lines_are_joined_and_page_numbers_dropped():
    para = ("二、加强医疗质量管理\n"
            "全面落实医疗质量安全核心制度，门诊病历书写完整\n"
            "率达到98%以上，住院病历甲级率达到95%以上，危急\n"
            "- 2 -\n"
            "值报告处置及时率100%，确保医疗安全万无一失。\n")
    raw = para * 4
    assert is_hard_wrapped(raw, rules=RULES)
    c = clean(raw)
    assert "- 2 -" not in c.text
    assert "完整率达到98%以上，住院病历甲级率达到95%以上，危急值报告" in c.text
    assert "二、加强医疗质量管理\n全面" in c.text  # a short heading is not joined
    assert sum(n.kind == "page_number" for n in c.notes) == 4


def test_a_flattened_tables_rows_stay_lines_in_hard_wrapped_text():
    """Rows longer than the wrap width, cells set apart by spaces, end at
    their last cell: none is glued to the next row; ·1· is a page number."""
    para = ("全面落实医疗质量安全核心制度，门诊\n病历书写完整率达到98%以上，住院病历\n甲级率达到95%以上，危急值报告处置及\n时率达到100%。\n")
    table = ("序号 指标名称 2025年实际 2026年目标 完成时限\n1 艾滋病抗病毒治疗覆盖率 93.1% ≥95% 12月底前\n"
             "2 病媒生物监测点 32个 40个 8月底前\n\n·1·\n\n")
    c = clean(para * 3 + table + para)
    assert "\n1 艾滋病抗病毒治疗覆盖率 93.1% ≥95% 12月底前\n2 病媒生物监测点 32个 40个 8月底前\n" in c.text
    assert "·1·" not in c.text
    assert "门诊病历书写完整率达到98%以上，住院病历甲级率达到95%以上，危急值报告处置及时率达到100%。" in c.text


def test_scraper_line_breaks_stay_in_ordinary_text():
    raw = "一、加强管理\n\n每年组织考试、考核2—3次，理论考试\n\n要有试卷并由护士长组织。\n"
    assert clean(raw).text == raw


def test_toneless_glosses_of_a_big5_page_go():
    """Big5 cannot write tone marks, so scrapers leave 醫(yi)院: enough distinct syllables mark a glossed page."""
    page = "本院將進(jin)一步加強醫(yi)院管理，提高中醫治(zhi)療率，縮短候(hou)診時間。".encode("big5").decode("big5")
    assert clean(page).text == "本院將進一步加強醫院管理，提高中醫治療率，縮短候診時間。"


def test_toneless_look_alikes_stay():
    """A unit repeated in parentheses, or an enumeration, is not a gloss."""
    for text in ("反应时间(min)：门诊5(min)、急诊8(min)、抢救室3(min)。", "措施(a)加强培训(e)落实考核(o)。"):
        assert clean(text).text == text


def test_view_folds_as_the_fold_table_translates():
    """The view's substitution of foldable characters gives what
    ``str.translate`` with the whole fold table gives."""
    from conftest import CORPUS, RAW

    from plan_extract.text.script import _fold_table, fold as _fold
    from plan_extract.stages.read import read_file

    table = _fold_table(RULES)
    every = "".join(chr(k) for k in sorted(table))
    texts = [every, "（一）门诊量：１２３４５人次，同比增长５％；ＡＢＣ～ｘｙｚ。"]
    texts += [read_file(p).text for p in sorted(RAW.iterdir()) + sorted(CORPUS.iterdir())]
    for text in texts:
        assert _fold(text, RULES) == text.translate(table)
    assert _fold(every, RULES) != every


def test_a_contents_line_is_not_joined_to_the_title_after_it():
    """Hard-wrapped text: a 目录 line as wide as the wrap stays a line of its own."""
    wrapped = "\n".join(["这是一行被硬换行切断的文本内容用来触发硬换行判断的测试"] * 10)
    text = (wrapped + "\n七、强化组织保障" + "…" * 18 + "7\n"
            "岫宁省疾病预防控制中心2026年工作要点\n一、总体要求\n")
    cleaned = clean(text, hard_wrap=True)
    assert "\n岫宁省疾病预防控制中心2026年工作要点\n" in cleaned.text


def test_a_line_laid_out_across_the_page_is_not_joined_to_the_next():
    """编制部门：…　　　　编制时间：… sets two fields apart across the page: a
    line of its own, however wide, not prose wrapped into the table's header."""
    body = "全面落实医疗质量安全核心制度，门诊病历书写完整率达到98%以上，住院病\n历甲级率达到95%以上，危急值报告处置及时率100%，确保医疗安全万无\n"
    raw = ("编制部门：医院绩效考核办公室　　　　　　　　　　编制时间：2026年1月20日\n"
           "2025年完成 2026年目标\n" + body * 4)
    text = clean(raw, hard_wrap=True).text
    assert "编制时间：2026年1月20日\n2025年完成 2026年目标\n" in text
    assert "住院病历甲级率" in text  # the prose is still joined


def test_a_tables_header_rows_repeated_on_each_page_stay_once():
    """A header whose cells wrap stands in several lines, repeated atop each
    page with a category row under it: the first of each stays, above the
    table's rows; the repeats go like any running header."""
    header = "2025年完成 2026年目标\n序号 指标名称 责任科室 完成时限\n值 值\n"
    rows = [f"{k} 第{k}类指标达标率 {80 + k % 9}.5% ≥{90 + k % 9}% 医务部 {k % 12 + 1}月底前\n" for k in range(1, 61)]
    raw = ("宁州县人民医院2026年度绩效目标分解表\n" + header + "一、医疗质量\n" + "".join(rows[:20])
           + header + "".join(rows[20:40]) + header + "二、运营效率\n" + "".join(rows[40:]))
    text = clean(raw, hard_wrap=True).text
    assert text.count("序号 指标名称 责任科室 完成时限") == 1 and text.count("2025年完成 2026年目标") == 1
    assert text.index("序号 指标名称") < text.index("1 第1类指标达标率") and "60 第60类指标达标率" in text
