"""The spaCy component, registered through the spacy_factories entry point."""

import subprocess
import sys

import pytest

spacy = pytest.importorskip("spacy")

TEXTS = [
    "2026年護理部工作計劃\n一、護理質量\n護理文書合格率達到95%以上，6月底前完成培訓。\n二、人才培養\n選派2名護士進修（9月份）。",
    "2026年药剂科工作计划\n一、合理用药\n门诊处方合格率不低于98%，每月开展处方点评。",
]


def blank():
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def test_factory_is_found_by_entry_point_without_import():
    code = ("import spacy, sys; nlp = spacy.blank('zh', config={'nlp': {'tokenizer': {'segmenter': 'jieba'}}}); "
            "nlp.add_pipe('plan_extract'); print('plan_extract' in sys.modules, nlp.pipe_names)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "True ['plan_extract']"  # loaded by spaCy through the entry point


def test_spans_and_records_on_the_doc():
    from plan_extract import extract_text

    nlp = blank()
    nlp.add_pipe("plan_extract")
    doc = nlp(TEXTS[0])
    records = extract_text(TEXTS[0], source="<spacy:plan_extract>")  # ids are built from the source's path
    targets = doc.spans["targets"]
    assert [s._.plan_item for s in targets] == records[0]["targets"]
    assert targets[0]._.plan_item["text"] == "護理文書合格率達到95%以上"
    assert all(s._.plan_item["text"] in s.text for s in targets)  # spans widen to whole jieba tokens
    assert targets[0]._.plan_item["comparator"] == ">=" and targets[0]._.plan_item["value"] == 95
    assert [(s.text, s._.plan_item["value"]) for s in doc.spans["deadlines"]] == [
        ("6月底前", "2026-06-30"), ("9月份", "2026-09-01/2026-09-30")]
    sections = doc.spans["sections"]
    assert [s.text.split("\n")[0] for s in sections] == ["一、護理質量", "二、人才培養"]
    assert [r["id"] for r in doc._.plan_records] == [r["id"] for r in records]
    assert doc._.plan_records[0]["targets"] == records[0]["targets"]
    assert {s._.plan_id for s in targets} == {records[0]["id"]}


def test_pipe_with_two_processes():
    nlp = blank()
    nlp.add_pipe("plan_extract")
    docs = list(nlp.pipe(TEXTS * 2, n_process=2, batch_size=1))
    from plan_extract import extract_text

    want = [[item["text"] for r in extract_text(text) for item in r["targets"]] for text in TEXTS] * 2
    assert [[s._.plan_item["text"] for s in d.spans["targets"]] for d in docs] == want
    assert all(d._.plan_records for d in docs)


def test_displacy_shows_every_target():
    from spacy import displacy

    nlp = blank()
    nlp.add_pipe("plan_extract")
    doc = nlp(TEXTS[1])
    html = displacy.render(doc, style="span", options={"spans_key": "targets"})
    assert html.count(">= 98%") == len(doc.spans["targets"]) == 1  # one label per highlighted span
    assert "合格率" in html
