import json
from pathlib import Path

import pytest

from phrases import extract_phrase

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
