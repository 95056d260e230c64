import json
from pathlib import Path

import pytest

from plan_extract.stages.clean import clean
from plan_extract.rules import load_rules
from plan_extract.stages.sections import find_sections
from plan_extract.text.markers import marker_at as match_marker
from plan_extract.stages.split import split_plans

CASES = json.loads((Path(__file__).parent / "cases" / "sections.json").read_text(encoding="utf-8"))
RULES = load_rules()


def sections_of(text: str):
    plans = split_plans(clean(text), rules=RULES)
    assert len(plans) == 1
    return plans[0], find_sections(plans[0], rules=RULES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_section_cases(case):
    plan, nodes = sections_of(case["input"])
    ids = {n.id: i for i, n in enumerate(nodes)}
    got = [[n.marker, n.style, n.number, n.level, ids.get(n.parent), n.title] for n in nodes]
    assert got == case["expected"]
    for n in nodes:  # spans start at the marker and nest
        assert plan.text[n.start:].startswith(n.marker)
        if n.parent:
            p = nodes[ids[n.parent]]
            assert p.start < n.start and n.end <= p.end


STYLE_EXAMPLES = [(s["name"], ex, True) for s in RULES.get("markers", "styles") for ex in s.get("examples", [])]
STYLE_EXAMPLES += [(s["name"], ex, False) for s in RULES.get("markers", "styles") for ex in s.get("not", [])]


@pytest.mark.parametrize("style,example,is_marker", STYLE_EXAMPLES, ids=[e for _, e, _ in STYLE_EXAMPLES])
def test_marker_table_examples(style, example, is_marker):
    view = clean(example).view
    found = match_marker(view, 0, RULES)
    if is_marker:
        assert found is not None and found.style == style
    else:
        assert found is None or found.style != style


def test_node_spans_run_to_the_next_node_of_same_or_higher_level():
    plan, nodes = sections_of("一、甲\n1、乙\n2、丙\n二、丁\n")
    text = plan.text
    assert [text[n.start:n.end] for n in nodes] == ["一、甲\n1、乙\n2、丙\n", "1、乙\n", "2、丙\n", "二、丁"]


def test_innermost_section_climbs_parents_as_a_scan_of_every_node_finds():
    """``section_finder`` climbs a node's parents; at every position of every
    sample and corpus plan it names the last node whose span holds it."""
    from conftest import CORPUS, RAW

    from plan_extract.stages.read import read_file
    from plan_extract.text.spans import section_finder

    checked = 0
    for path in sorted(RAW.iterdir()) + sorted(CORPUS.iterdir()):
        for plan in split_plans(clean(read_file(path).text, rules=RULES), rules=RULES):
            sections = find_sections(plan, rules=RULES)
            find = section_finder(sections)
            for pos in range(0, len(plan.text) + 1, 3):
                holding = [s.id for s in sections if s.start <= pos < s.end]
                assert find(pos) == (holding[-1] if holding else None)
                checked += bool(holding)
    assert checked > 1000


BODY = "組織全體護理人員學習專科理論與操作技能，定期考核並記錄在案，每季度至少開展2次業務培訓。" * 5
FORMAL_PLAN = "{one}工作安排\n（一）加強培訓\n" + BODY + "\n（二）質量控制\n" + BODY + "\n{two}進度安排\n" + \
    "6月底前完成中期檢查，12月底前完成年度考核。" + BODY + "\n"


def test_formal_numeral_headings_are_sections_not_plans():
    """壹、貳、參 headings (style cjk_formal) belong to the plan's tree, like 一、二、三:
    a heading that names a plan word (工作安排, 進度安排) is no plan title."""
    from conftest import assert_valid_records

    from plan_extract import extract_text

    formal = extract_text(FORMAL_PLAN.format(one="壹、", two="貳、"))
    plain = extract_text(FORMAL_PLAN.format(one="一、", two="二、"))
    assert len(formal) == len(plain) == 1
    assert [(s["style"], s["number"], s["level"]) for s in formal[0]["sections"]] == [
        ("cjk_formal", 1, 1), ("paren_cjk", 1, 2), ("paren_cjk", 2, 2), ("cjk_formal", 2, 1)]
    assert [(s["level"], s["title"]) for s in formal[0]["sections"]] == \
        [(s["level"], s["title"]) for s in plain[0]["sections"]]
    assert len(formal[0]["targets"]) == len(plain[0]["targets"]) >= 1
    assert len(formal[0]["deadlines"]) == len(plain[0]["deadlines"]) >= 2
    assert_valid_records(formal + plain)  # cjk_formal is a style the schema knows
