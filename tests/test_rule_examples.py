"""The examples that rules/deadlines.yaml, targets.yaml and boilerplate.yaml
carry beside their entries, run through the pipeline's own code.

Each table's header comment says what its examples mean.  In short:

* deadlines: a phrase, through ``find_deadlines`` on its view with plan year
  2026, gives a deadline of the matcher's kind with the example's value
  (spanned by the matcher's own pattern); a ``not:`` phrase gives none of
  that kind.  A context entry's ``not:`` phrase gives no deadline, but one
  once the entry's pattern is taken out.
* targets: a phrase, through ``extract_phrase`` (rules alone), gives exactly
  the one target ``[metric, comparator, value, unit(, baseline)]``; a
  ``not:`` phrase gives no target (of that comparator, for a cue list; with
  a baseline, for the baseline entries), and for an entry that rules numbers
  out, gives one once the entry is taken out.
* boilerplate: a line, placed between two plan paragraphs, is classified by
  the split stage as the entry's kind; a ``not:`` line stays text.
"""

from __future__ import annotations

import copy

import pytest
import regex

from phrases import extract_phrase
from plan_extract.rules import Rules, load_rules
from plan_extract.stages.clean import clean
from plan_extract.stages.deadlines import find_deadlines
from plan_extract.stages.split.lines import classify_lines
from plan_extract.text.script import make_view

RULES = load_rules()
YEAR = 2026

# targets.yaml entries that rule a number out: without them, each not-phrase gives a target
TARGET_SUPPRESSORS = {"never_units", "cue_only_units", "time_units", "past", "review_heading", "condition",
                      "not_before", "per_person", "not_after", "single_cue_not_after", "after_cue_not_before",
                      "routine_units", "article_units", "per_period", "unitless_not_before"}
# targets.yaml entries whose not-phrases give no target with a baseline
BASELINE_ENTRIES = {"change_from", "change_to", "paren_baseline"}
# boilerplate.yaml entry -> the kind the split stage gives its example lines
LINE_KIND = {"site_chrome": "site_chrome", "chrome_part": "site_chrome", "list_prefix": "site_chrome",
             "related_header": "related_list", "related_item": "related_list", "preface_cue": "preface",
             "toc": "toc", "running_header": "running_header", "breadcrumb": "site_chrome",
             "download_link": "site_chrome"}


def _entries(node, path=()):
    """(path, entry) for every mapping of a table that carries examples."""
    if isinstance(node, dict):
        if "examples" in node or "not" in node:
            yield path, node
        for key, value in node.items():
            if key not in ("examples", "not"):
                yield from _entries(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _entries(value, path + (i,))


def _cases(table: str):
    """(path, phrase, expected) for every example (expected: what it gives)
    and every not-example (expected: None) of ``table``."""
    out = []
    for path, entry in _entries(RULES.tables[table]):
        examples = entry.get("examples") or {}
        pairs = examples.items() if isinstance(examples, dict) else [(line, True) for line in examples]
        out += [(path, phrase, want) for phrase, want in pairs]
        out += [(path, phrase, None) for phrase in entry.get("not") or []]
    return out


def _id(case) -> str:
    path, phrase, want = case
    return "/".join(map(str, path)) + (":not:" if want is None else ":") + phrase.replace("\n", "|")


def _without(table: str, path: tuple) -> Rules:
    """The package's tables with one entry's rule taken out: a pattern that
    never matches, an empty list or mapping, an empty string."""
    tables = dict(RULES.tables)
    tables[table] = copy.deepcopy(tables[table])
    entry = tables[table]
    for key in path:
        entry = entry[key]
    key = next(k for k in ("regex", "words", "value") if k in entry)
    rule = entry[key]
    entry[key] = "(?!)" if key == "regex" else type(rule)()
    return Rules(tables)


# --- deadlines ---------------------------------------------------------------

DEADLINE_CASES = _cases("deadlines")


def _deadlines(phrase: str, rules: Rules = RULES):
    return find_deadlines(make_view(phrase, rules=rules), year=YEAR, rules=rules)


def _normalized(found) -> str:
    return found.value if found.value is not None else found.recurrence  # a recurring's value is its RRULE


@pytest.mark.parametrize("path,phrase,want", DEADLINE_CASES, ids=[_id(c) for c in DEADLINE_CASES])
def test_deadline_examples(path, phrase, want):
    found = _deadlines(phrase)
    got = [(f.kind, _normalized(f)) for f in found]
    if path[0] == "matchers":
        kind, entry = path[1], RULES.get("deadlines", *path)
        if want is None:
            assert [g for g in got if g[0] == kind] == [], got
            return
        view = make_view(phrase, rules=RULES)
        pattern = regex.compile(entry["regex"])
        spanned = [f for f in found if (m := pattern.match(view, f.start)) and m.end() == f.end]
        assert (kind, want) in [(f.kind, _normalized(f)) for f in spanned], got
    elif want is None:  # a context entry suppresses it
        assert got == []
        assert _deadlines(phrase, _without("deadlines", path)), "the entry is not what suppresses it"
    else:
        assert want in [value for _, value in got], got


# --- targets -----------------------------------------------------------------

TARGET_CASES = _cases("targets")


def _targets(phrase: str, rules: Rules = RULES) -> list[list]:
    targets, _ = extract_phrase(phrase, YEAR, sections=True, rules=rules)
    out = []
    for t in targets:
        value = t["value"] if t["value_max"] is None else [t["value"], t["value_max"]]
        row = [t["metric"], t["comparator"], value, t["unit"]]
        if t["baseline"]:
            row.append(t["baseline"]["value"])
        out.append(row)
    return out


@pytest.mark.parametrize("path,phrase,want", TARGET_CASES, ids=[_id(c) for c in TARGET_CASES])
def test_target_examples(path, phrase, want):
    got = _targets(phrase)
    if want is not None:
        assert got == [want]
    elif path[0] in ("cues_before", "cues_after"):
        assert [t for t in got if t[1] == path[1]] == [], got
    elif path[0] in BASELINE_ENTRIES:
        assert [t for t in got if len(t) > 4] == [], got
    else:
        assert got == []
        if path[0] in TARGET_SUPPRESSORS:
            assert _targets(phrase, _without("targets", path)), "the entry is not what rules it out"


# --- boilerplate -------------------------------------------------------------

LINE_CASES = _cases("boilerplate")


def _kinds(entry: str, line: str) -> list[str]:
    """The kinds the split stage gives ``line`` between two plan paragraphs."""
    before, after = RULES.get("boilerplate", "example_context")
    if entry == "running_header":  # met three times
        doc, at = [before, line, after, line, before, line, after], [1, 3, 5]
    elif entry == "related_item":  # in a related list
        doc, at = [before, RULES.get("boilerplate", "related_header", "examples")[0], line, after], [2]
    else:
        doc, at = [before, line, after], [1]
    lines = classify_lines(clean("\n".join(doc), rules=RULES), rules=RULES)
    assert len(lines) == len(doc)
    return [lines[i].kind for i in at]


@pytest.mark.parametrize("path,line,want", LINE_CASES, ids=[_id(c) for c in LINE_CASES])
def test_boilerplate_examples(path, line, want):
    entry = path[0]
    kinds = _kinds(entry, line)
    assert kinds == [LINE_KIND[entry] if want else "text"] * len(kinds)


def test_every_entry_named_here_carries_examples():
    """The names above are entries of the tables, and each carries examples."""
    targets = {path[0] for path, _ in _entries(RULES.tables["targets"])}
    assert TARGET_SUPPRESSORS | BASELINE_ENTRIES <= targets
    assert set(LINE_KIND) == {path[0] for path, _ in _entries(RULES.tables["boilerplate"])}
    for path, entry in _entries(RULES.tables["targets"]):
        if path[0] in TARGET_SUPPRESSORS:
            assert entry.get("not"), path
