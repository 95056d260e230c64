import json
from pathlib import Path

import pytest

from phrases import extract_phrase

RULES = Path(__file__).resolve().parents[1] / "plan_extract" / "rules"
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


@pytest.mark.parametrize("phrase,metric", [
    ("确保三、四级手术术前讨论率100%", "三、四级手术术前讨论率"),  # 三、四级 lists grades: no marker
    ("一、二级手术量增长10%", "一、二级手术量增长"),
    ("三、门诊病历书写合格率达到95%", "门诊病历书写合格率"),  # 三、 opens a node: not the metric's
    ("（2）住院病历甲级率不低于90%", "住院病历甲级率"),
    ("贰、抗菌药物使用率控制在40%以下", "抗菌药物使用率"),
])
def test_a_metric_loses_a_leading_marker_as_the_marker_table_defines_it(phrase, metric):
    """The metric drops a section marker by the marker table's forms, the one
    definition (a list of grades such as 三、四级 is no marker)."""
    targets, _ = extract_phrase(phrase, 2026)
    assert [t["metric"] for t in targets] == [metric]


def test_numbers_under_a_review_heading_are_past_facts():
    """一、2025年工作回顾 holds last year's statistics; the plan part holds the targets."""
    from plan_extract import extract_text

    text = ("某县医院2026年医务科工作计划\n一、2025年工作回顾\n门诊预约诊疗率达到42.3%，床位使用率91.3%。\n"
            "二、2026年工作计划\n门诊预约诊疗率达到50%以上，甲级病历率不低于95%。\n"
            "三、存在问题及改进措施\n运行病历合格率提高到98%。")
    targets = [t["text"] for t in extract_text(text, models=False)[0]["targets"]]
    assert targets == ["门诊预约诊疗率达到50%以上", "甲级病历率不低于95%", "运行病历合格率提高到98%"]


def test_tab_separated_indicator_rows():
    """Decision 39: on a table row the first cell is the metric and the cell before
    the target's is its baseline, with the year of that column's header."""
    from plan_extract import extract_text

    text = ("某县人民医院2026年医务科工作计划\n一、质量指标\n"
            "指标\t2025年实际\t2026年目标\n"
            "门诊患者满意度\t91.5%\t≥93%\n"
            "平均住院日\t8.6天\t≤8天\n"
            "日间手术占比\t—\t达到10%\n"
            "二、重点工作\n\t完成率达到90%以上。\n")
    for models in (False, None):
        targets = extract_text(text, models=models)[0]["targets"]
        got = [(t["text"], t["metric"], t["comparator"], t["value"], t["baseline"]) for t in targets]
        assert got == [
            ("门诊患者满意度\t91.5%\t≥93%", "门诊患者满意度", ">=", 93, {"value": 91.5, "unit": "%", "year": 2025}),
            ("平均住院日\t8.6天\t≤8天", "平均住院日", "<=", 8, {"value": 8.6, "unit": "天", "year": 2025}),
            ("日间手术占比\t—\t达到10%", "日间手术占比", ">=", 10, None),
            ("完成率达到90%以上", "完成率", ">=", 90, None),  # an indent is no table cell
        ], models


def test_jieba_dictionary_cache_is_built_and_rebuilt_when_broken(tmp_path, monkeypatch):
    """The prefix dictionary with the domain words is cached in the temporary
    folder as a marisa trie (tests/test_cache.py tests the cache itself); it
    answers as jieba's own dict does for every word and prefix, and a broken
    entry is rebuilt."""
    import io
    import marshal
    import tempfile

    import jieba
    import marisa_trie

    from plan_extract.text.segment import tokenizer as _jieba

    text = (RULES / "metric_words.txt").read_text(encoding="utf-8")
    words = [line.split() for line in text.splitlines() if line.strip()]
    plain = jieba.Tokenizer()
    plain.load_userdict(io.StringIO(text))  # jieba's own dict of the same words
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _jieba.cache_clear()
    try:
        built = _jieba()
        (cache,) = tmp_path.glob("plan_extract.jieba-trie.*.cache")
        assert all(built.FREQ[w[0]] == int(w[1]) for w in words)
        assert len(built.FREQ) == len(plain.FREQ) > 300_000
        assert all(built.FREQ[k] == v for k, v in plain.FREQ.items())
        assert built.total == plain.total
        assert "not-a-word" not in built.FREQ and built.FREQ.get("not-a-word") is None
        sentence = "全年门诊量达到12万人次，住院病人满意度达到95%以上"
        assert built.lcut(sentence) == plain.lcut(sentence)
        cache.write_bytes(b"not a marshal blob")
        _jieba.cache_clear()
        rebuilt = _jieba()
        assert rebuilt.total == built.total and all(rebuilt.FREQ[w[0]] == int(w[1]) for w in words)
        trie, total, _tags = marshal.loads(cache.read_bytes())
        assert len(marisa_trie.RecordTrie("<I").frombytes(trie)) == len(plain.FREQ) and total == plain.total
        _jieba.cache_clear()
        assert _jieba().lcut(sentence) == plain.lcut(sentence)  # read back from the cache
    finally:
        _jieba.cache_clear()
