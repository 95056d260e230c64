import copy
import json
import random
from pathlib import Path

import pytest

from conftest import CORPUS, RAW
from phrases import extract_phrase
from plan_extract.stages.clean import clean
from plan_extract.stages.deadlines import find_deadlines
from plan_extract.stages.read import read_file
from plan_extract.rules import Rules
from plan_extract.stages.split import split_plans

CASES = json.loads((Path(__file__).parent / "cases" / "deadlines.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_deadline_phrases(case):
    _, deadlines = extract_phrase(case["input"], case["year"])
    got = [(d["kind"], d["value"], d["recurrence"]) for d in deadlines]
    want = [(e["kind"], e["value"], e["recurrence"]) for e in case["expected"]]
    assert got == want
    for d, e in zip(deadlines, case["expected"]):  # the spans overlap
        i = case["input"].find(e["text"])
        assert d["start"] < i + len(e["text"]) and i < d["end"], (d["text"], e["text"])


def _without_contains(rules):
    """The rule tables with the matchers' ``contains`` entries dropped."""
    tables = dict(rules.tables)
    tables["deadlines"] = copy.deepcopy(tables["deadlines"])
    for entries in tables["deadlines"]["matchers"].values():
        for entry in entries:
            entry.pop("contains", None)
    return Rules(tables)


def _views(rules):
    """Every sample and corpus plan's view, and the cases' phrases run together
    with fillers that put dates near the edges of the anchor windows."""
    files = sorted(CORPUS.glob("*.txt")) + sorted(RAW.iterdir())
    views = [p.view for f in files for p in split_plans(clean(read_file(f).text, rules=rules), rules=rules)]
    rng = random.Random(0)
    phrases = [c["input"] for c in CASES] + [e["text"] for c in CASES for e in c["expected"]]
    for _ in range(300):
        views.append("".join(rng.choice(phrases) + "的" * rng.choice([0, 1, 13, 14, 15, 16, 17, 30])
                             for _ in range(rng.randint(1, 6))))
    return views


def test_contains_only_saves_work(rules):
    """A matcher's ``contains`` patterns are for speed: without them, the same deadlines."""
    plain = _without_contains(rules)
    for view in _views(rules):
        for year in (2025, None):
            assert find_deadlines(view, year=year, rules=rules) == find_deadlines(view, year=year, rules=plain)
