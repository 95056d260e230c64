import json
from pathlib import Path

import pytest

from phrases import extract_phrase

CASES = json.loads((Path(__file__).parent / "cases" / "targets.json").read_text(encoding="utf-8"))
KEYS = ("comparator", "value", "value_max", "unit", "placeholder", "baseline")


def _norm(item):
    return {k: item[k] for k in KEYS}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_target_phrases(case):
    targets, _ = extract_phrase(case["input"], case["year"])
    assert [_norm(t) for t in targets] == [_norm(e) for e in case["expected"]]
    for got, want in zip(targets, case["expected"]):
        # the span holds the expected one's value; the metric names the same measure
        assert got["text"] in want["text"] or want["text"] in got["text"] or \
            set(got["text"]) & set(want["text"])


def test_numbers_under_a_review_heading_are_past_facts():
    """一、2025年工作回顾 holds last year's statistics; the plan part holds the targets."""
    from plan_extract import extract_text

    text = ("某县医院2026年医务科工作计划\n一、2025年工作回顾\n门诊预约诊疗率达到42.3%，床位使用率91.3%。\n"
            "二、2026年工作计划\n门诊预约诊疗率达到50%以上，甲级病历率不低于95%。\n"
            "三、存在问题及改进措施\n运行病历合格率提高到98%。")
    targets = [t["text"] for t in extract_text(text, models=False)[0]["targets"]]
    assert targets == ["门诊预约诊疗率达到50%以上", "甲级病历率不低于95%", "运行病历合格率提高到98%"]
