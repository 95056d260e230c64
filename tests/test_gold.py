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
        assert text.lstrip("#* ").startswith(gp["first"])
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
