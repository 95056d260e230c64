"""The pipeline against the hand-made gold in data/annotated (samples and corpus)."""

import json

import pytest

from conftest import ANNOTATED, CORPUS, ROOT
from plan_extract import extract_file

GOLD = sorted(ANNOTATED.glob("*/*.json"))


def _source(gold: dict):
    kind, name = gold["source"].split("/", 1)
    return CORPUS / name if kind == "corpus" else ROOT / "data" / "raw" / name


@pytest.fixture(scope="module", params=GOLD, ids=[g.stem for g in GOLD])
def pair(request):
    gold = json.loads(request.param.read_text(encoding="utf-8"))
    return gold, extract_file(_source(gold))


def test_gold_covers_samples_and_corpus():
    names = {json.loads(g.read_text(encoding="utf-8"))["source"] for g in GOLD}
    raw = {f"raw/{p.name}" for p in (ROOT / "data" / "raw").iterdir()}
    corpus = {f"corpus/{p.name}" for p in CORPUS.iterdir()}
    assert raw | corpus <= names


def test_plans(pair):
    gold, records = pair
    assert len(records) == len(gold["plans"])
    for rec, gp in zip(records, gold["plans"]):
        assert (rec["title"], rec["year"], rec["script"]) == (gp["title"], gp["year"], gp["script"])
        assert rec["source"]["encoding"] == gold["encoding"]
        text = rec["text"].strip()
        assert text.lstrip("#* ").startswith(gp["first"].lstrip("#* "))
        assert text.endswith(gp["last"])
        for junk in gp.get("not_in_text", []):
            assert junk not in rec["text"]


def test_sections(pair):
    gold, records = pair
    for rec, gp in zip(records, gold["plans"]):
        index = {s["id"]: i for i, s in enumerate(rec["sections"])}
        got = [(rec["text"][s["start"]:s["start"] + len(g["quote"])], s["marker"], s["style"], s["number"],
                s["level"], index.get(s["parent"]), s["title"])
               for s, g in zip(rec["sections"], gp["sections"])]
        want = [(g["quote"], g["marker"], g["style"], g["number"], g["level"], g["parent"], g["title"])
                for g in gp["sections"]]
        assert got == want
        assert len(rec["sections"]) == len(gp["sections"])


@pytest.fixture(scope="module")
def extraction_scores():
    from plan_extract.training.evaluate import score

    pairs = []
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        pairs.append((extract_file(_source(gold)), gold))
    return score(pairs)


@pytest.mark.parametrize("kind", ["targets", "deadlines"])
def test_extraction_precision_and_recall_against_gold(extraction_scores, kind):
    tally = extraction_scores[kind]
    assert tally.tp + tally.fn >= 250  # the gold is substantial, not a token sample
    assert tally.precision >= 0.9, tally.summary()
    assert tally.recall >= 0.9, tally.summary()


def test_normalized_fields_on_matches(extraction_scores):
    targets, deadlines = extraction_scores["targets"].summary(), extraction_scores["deadlines"].summary()
    assert targets["comparator_accuracy"] >= 0.95 and targets["baseline_accuracy"] >= 0.95
    assert deadlines["value_accuracy"] >= 0.95


def test_target_links_to_deadline_in_its_clause():
    from plan_extract import extract_text

    rec = extract_text("2026年儿科工作计划\n一、人才建设\n引进1-2名高级职称专家（6月底前到位），新增2个抢救单元。")[0]
    t = rec["targets"]
    d = {x["id"]: x for x in rec["deadlines"]}
    assert [(x["value"], x["value_max"], x["unit"]) for x in t] == [(1, 2, "名"), (2, None, "个")]
    assert d[t[0]["deadline"]]["value"] == "2026-06-30" and t[1]["deadline"] is None
    assert t[0]["section"] == rec["sections"][0]["id"] and t[0]["metric"] == "高级职称专家"


def test_items_scored_with_plan_boundaries_ignored_survive_a_wrong_title():
    """A plan whose title was cut wrong loses every item in the strict score;
    the boundary-free score still finds them where they are."""
    from plan_extract.training.evaluate import score, score_items

    gold = json.loads((ANNOTATED / "raw" / "gb18030_township.json").read_text(encoding="utf-8"))
    records = extract_file(ROOT / "data/raw/gb18030_township.txt")
    right = score([(records, gold)])["targets"]
    wrong_title = [{**r, "title": r["title"] + "X"} for r in records]
    strict = score([(wrong_title, gold)])["targets"]
    free = score_items([(wrong_title, gold)])["targets"]
    assert right.tp > 10 and strict.tp == 0
    assert (free.tp, free.fp, free.fn) == (right.tp, right.fp, right.fn)
