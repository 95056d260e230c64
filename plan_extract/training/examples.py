"""Training rows, labelled from the gold (never from the rules).

The rows are built by the run's own functions: the pipeline's clean step
(:func:`plan_extract.api.prepare`, PDF repairs included), the split stage's
line kinds, the targets stage's candidates and the models' row builders, so
what a model is trained on is what it sees at run time.

A candidate is a ``target`` when it falls inside a gold target's span with
the same number, a ``baseline`` when it is that target's baseline, else
``other``; a line is ``plan_text`` when it lies inside a gold plan (located
by its first and last quotes) and holds none of its ``not_in_text``
strings, else ``boilerplate``.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional

from ..api import prepare
from ..models.features import candidate_rows, line_rows
from ..rules import Rules, load_rules
from ..stages.read import read_file
from ..stages.sections import find_sections
from ..stages.split import split_plans
from ..stages.split.lines import classify_lines
from ..stages.targets import candidates_of
from ..text.numerals import to_number
from .gold import GoldDoc, locate


def _same_number(c, g: dict) -> bool:
    if c.placeholder or g.get("placeholder"):
        return bool(c.placeholder and g.get("placeholder"))
    v = to_number(c.lo)
    return v is not None and g.get("value") is not None and abs(v - float(g["value"])) < 1e-6


def candidate_examples(doc: GoldDoc, rules: Rules) -> tuple[list[dict], list[str]]:
    """Rows and gold labels for every target candidate of one document: the
    rows the run's candidate model sees (:func:`candidate_rows` of the
    stages' own candidates), on the plans the rules split."""
    rows, labels, _ = _candidates(doc, rules)
    return rows, labels


def candidate_recall(doc: GoldDoc, rules: Rules) -> tuple[int, int]:
    """(gold targets some candidate proposes, gold targets located): a gold
    target no candidate holds is lost before any decision (issue 19)."""
    _, _, (found, located) = _candidates(doc, rules)
    return found, located


def _candidates(doc: GoldDoc, rules: Rules):
    """Rows, gold labels and (gold targets proposed, gold targets located)."""
    rows, labels = [], []
    found = located = 0
    for plan, gp in zip(split_plans(prepare(read_file(doc.path), rules=rules), rules=rules), doc.gold["plans"]):
        sections = find_sections(plan, rules=rules)
        cands, rule_labels = candidates_of(plan, sections, rules=rules)
        rows += candidate_rows(cands, rule_labels, plan.view, sections)
        gold_t = gp.get("targets", [])
        spans = locate(plan.text, gold_t)
        for g, s in zip(gold_t, spans):
            if s is not None:
                located += 1
                found += any(c.start < s[1] and s[0] < c.end and _same_number(c, g) for c in cands)
        for c in cands:
            label = "other"
            for g, s in zip(gold_t, spans):
                if s is None or not (c.start < s[1] and s[0] < c.end):
                    continue
                if _same_number(c, g):
                    label = "target"
                    break
                b = g.get("baseline")
                if b and b.get("value") is not None and to_number(c.lo) == float(b["value"]):
                    label = "baseline"
            labels.append(label)
    return rows, labels, (found, located)


def line_examples(doc: GoldDoc, rules: Rules) -> tuple[list[dict], list[str]]:
    """Rows and gold labels for every non-blank line of one document, built
    like the rows the run's line model judges (:func:`line_rows` of the split
    stage's own lines).  The model learns from every labelled line, the
    rules' dropped ones too: what chrome looks like carries over to the
    short text lines it is asked about."""
    cleaned = prepare(read_file(doc.path), rules=rules)
    text = cleaned.text
    ranges, pos = [], 0
    plans = doc.gold["plans"]
    for k, gp in enumerate(plans):
        first = gp["first"]
        a = text.find(first, pos)
        if a < 0:
            continue
        # the plan's last quote is its last occurrence before the next plan (a
        # signature date may also stand in the heading: 2026年1月22日印发)
        nxt = text.find(plans[k + 1]["first"], a + len(first)) if k + 1 < len(plans) else -1
        b = text.rfind(gp["last"], a, nxt if nxt >= 0 else len(text))
        if b < 0:
            continue
        ranges.append((a, b + len(gp["last"]), gp.get("not_in_text", [])))
        pos = b
    lines = classify_lines(cleaned, rules=rules)
    index = [i for i, ln in enumerate(lines) if ln.kind != "blank"]
    rows = line_rows(lines, index)
    labels = []
    for ln in map(lines.__getitem__, index):
        inside = next((r for r in ranges if ln.start < r[1] and r[0] < ln.end + 1), None)
        keep = inside is not None and not any(s and s in ln.text for s in inside[2])
        labels.append("plan_text" if keep else "boilerplate")
    return rows, labels


@dataclass
class Examples:
    """One document's rows and gold labels (computed once, reused by every fit)."""

    doc: GoldDoc
    cand_x: list
    cand_y: list
    line_x: list
    line_y: list


def _examples_of(doc: GoldDoc, rules: Optional[Rules] = None) -> Examples:
    rules = rules or load_rules()
    cx, cy = candidate_examples(doc, rules)
    lx, ly = line_examples(doc, rules)
    return Examples(doc, cx, cy, lx, ly)


PARALLEL_FROM = 8  # documents: fewer are not worth starting worker processes for


def examples(docs: Iterable[GoldDoc], rules: Optional[Rules] = None, workers: Optional[int] = None) -> list[Examples]:
    """Each document's rows and labels, in the documents' order.  With the
    shipped rules, many documents are read in ``workers`` processes (default:
    one per CPU): reading and cleaning 260 documents is most of a training run."""
    docs = list(docs)
    workers = min(len(docs), workers or os.cpu_count() or 1)
    if rules is not None or workers < 2 or len(docs) < PARALLEL_FROM:
        return [_examples_of(doc, rules) for doc in docs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_examples_of, docs, chunksize=max(1, len(docs) // (workers * 8))))


