"""Validate gold annotations: quotes exist in their source, fields follow the SPEC.

Run by the tests on every gold folder; ``validate`` returns a list of
problems (empty when the gold is sound), each naming the file and the item.
The vocabularies and value forms are the records' own
(:mod:`plan_extract.core.vocabulary`), so gold and output cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import regex

from ..api import prepare
from ..core.errors import StageError
from ..core.vocabulary import RRULE as RRULE_FORM
from ..core.vocabulary import VALUE_FORMS as VALUE_PATTERNS
from ..core.vocabulary import Comparator, DeadlineKind, MarkerStyle, Script, values
from ..stages.read import read_file
from .gold import gold_files, load_gold_file

STYLES = set(values(MarkerStyle))
COMPARATORS = set(values(Comparator))
KINDS = set(values(DeadlineKind))
SCRIPTS = set(values(Script))
VALUE_FORMS = {kind.value: regex.compile(pattern) for kind, pattern in VALUE_PATTERNS.items()}
RRULE = regex.compile(RRULE_FORM)
PLAN_KEYS = {"title", "year", "script", "first", "last", "not_in_text", "sections", "targets", "deadlines"}


def _located(text: str, items: list[dict], key: str, label: str, bad):
    """(index, item, tag) of each item, reporting quotes not found in order."""
    pos = 0
    for i, item in enumerate(items):
        tag = f"{label} {i} {item[key][:16]!r}"
        found = text.find(item[key], pos)
        if found < 0:
            bad(f"{tag}: {key} not found in order")
        else:
            pos = found + 1
        yield i, item, tag


def validate_file(gold: dict, source: Path, name: str) -> list[str]:
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{name}: {msg}")

    try:
        src = read_file(source)
    except StageError as exc:  # the gold names a source that cannot be read
        return [f"{name}: cannot read {source}: {exc}"]
    if src.encoding != gold.get("encoding"):
        bad(f"encoding {gold.get('encoding')!r}, the file reads as {src.encoding!r}")
    text = prepare(src).text
    for p, plan in enumerate(gold.get("plans", [])):
        where = f"plan {p}"
        missing = PLAN_KEYS - set(plan)
        if missing:
            bad(f"{where} lacks {sorted(missing)}")
            continue
        if plan["script"] not in SCRIPTS:
            bad(f"{where} script {plan['script']!r}")
        if plan["year"] is not None and not (1900 <= plan["year"] <= 2100):
            bad(f"{where} year {plan['year']!r}")
        for key in ("first", "last"):
            if plan[key] not in text:
                bad(f"{where} {key} quote not in the cleaned source: {plan[key]!r}")
        sections = plan["sections"]
        for i, s, tag in _located(text, sections, "quote", f"{where} section", bad):
            if s["style"] not in STYLES:
                bad(f"{tag}: style {s['style']!r}")
            if not s["quote"].startswith(s["marker"]):
                bad(f"{tag}: quote does not start with its marker")
            if not isinstance(s["number"], int) or not isinstance(s["level"], int) or s["level"] < 1:
                bad(f"{tag}: number/level must be integers, level >= 1")
            parent = s["parent"]
            if (parent is None) != (s["level"] == 1) and parent is None:
                bad(f"{tag}: level {s['level']} without a parent")
            if parent is not None and not (0 <= parent < i and sections[parent]["level"] < s["level"]):
                bad(f"{tag}: parent {parent} is not an earlier node of a lower level")
            if len(s["title"]) > 60:
                bad(f"{tag}: title longer than 60 characters")
        n_sections, n_deadlines = len(sections), len(plan["deadlines"])
        for _, t, tag in _located(text, plan["targets"], "text", f"{where} target", bad):
            if t["comparator"] not in COMPARATORS:
                bad(f"{tag}: comparator {t['comparator']!r}")
            if t["placeholder"] != (t["value"] is None):
                bad(f"{tag}: value must be null exactly when placeholder is true")
            for key in ("value", "value_max"):
                if t[key] is not None and not isinstance(t[key], (int, float)):
                    bad(f"{tag}: {key} is not a number")
            if t["value"] is not None and t["value_max"] is not None and t["value_max"] < t["value"]:
                bad(f"{tag}: value_max below value")
            b = t["baseline"]
            if b is not None and set(b) != {"value", "unit", "year"}:
                bad(f"{tag}: baseline needs value, unit, year")
            if t["section"] is not None and not 0 <= t["section"] < n_sections:
                bad(f"{tag}: section index {t['section']} out of range")
            if t["deadline"] is not None and not 0 <= t["deadline"] < n_deadlines:
                bad(f"{tag}: deadline index {t['deadline']} out of range")
        for _, d, tag in _located(text, plan["deadlines"], "text", f"{where} deadline", bad):
            if d["kind"] not in KINDS:
                bad(f"{tag}: kind {d['kind']!r}")
            elif d["kind"] == "recurring":
                if d["value"] is not None or not RRULE.match(d["recurrence"] or ""):
                    bad(f"{tag}: recurring needs value null and an RRULE, got {d['recurrence']!r}")
            elif d["recurrence"] is not None or not VALUE_FORMS[d["kind"]].match(d["value"] or ""):
                bad(f"{tag}: {d['kind']} value {d['value']!r} is not in its normalized form")
            if d["section"] is not None and not 0 <= d["section"] < n_sections:
                bad(f"{tag}: section index {d['section']} out of range")
    return problems


def validate(gold_dir: Path, *, raw_dir: Path, corpus_dir: Path) -> list[str]:
    """Problems of every gold file under ``gold_dir`` (empty list: all sound)."""
    problems = []
    for path in gold_files(gold_dir):
        try:
            doc = load_gold_file(path, raw_dir=raw_dir, corpus_dir=corpus_dir)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}: not JSON: {exc}")
            continue
        problems += validate_file(doc.gold, doc.path, doc.name)
    return problems
