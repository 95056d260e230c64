"""The number and date phrase suites (tests/cases/quantities.json, dates.json),
written apart from the grammar; their first-contact figures are in
tests/cases/README.md.  Cases the pipeline does not pass yet are listed with
their reason in tests/cases/open.json and expected to fail (strictly: one
that starts to pass must leave the list)."""

import json
from pathlib import Path

import pytest

from phrases import extract_phrase

CASES = Path(__file__).parent / "cases"
OPEN = json.loads((CASES / "open.json").read_text(encoding="utf-8"))
TARGET_KEYS = ("comparator", "value", "value_max", "unit", "placeholder", "baseline")
DEADLINE_KEYS = ("kind", "value", "recurrence")


def _cases(suite: str):
    cases = json.loads((CASES / f"{suite}.json").read_text(encoding="utf-8"))
    out = []
    for case in cases:
        reason = OPEN[suite].get(case["name"])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, marks=marks, id=case["name"]))
    return out


def _round(item: dict, keys) -> dict:
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in ((k, item[k]) for k in keys)}


@pytest.mark.parametrize("case", _cases("quantities"))
def test_quantity_phrases(case):
    targets, _ = extract_phrase(case["input"], case["year"])
    assert [_round(t, TARGET_KEYS) for t in targets] == [_round(e, TARGET_KEYS) for e in case["expected"]]


@pytest.mark.parametrize("case", _cases("dates"))
def test_date_phrases(case):
    _, deadlines = extract_phrase(case["input"], case["year"])
    assert [_round(d, DEADLINE_KEYS) for d in deadlines] == [_round(e, DEADLINE_KEYS) for e in case["expected"]]


def test_open_cases_exist():
    """Every open case names a case of its suite (a renamed case must not hide)."""
    for suite, names in OPEN.items():
        if suite.startswith("_"):
            continue
        known = {c["name"] for c in json.loads((CASES / f"{suite}.json").read_text(encoding="utf-8"))}
        assert set(names) <= known, set(names) - known
