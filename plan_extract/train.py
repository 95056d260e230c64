"""Training data from ``data/annotated/`` and the ``train`` command's work.

Labels come from the gold, never from the rules: a candidate is a
``target`` when it falls inside a gold target's span with the same number,
a ``baseline`` when it is that target's baseline, else ``other``; a line is
``plan_text`` when it lies inside a gold plan (located by its first and last
quotes) and holds none of its ``not_in_text`` strings, else ``boilerplate``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from . import classify
from .classify import candidate_row, data_hash, line_row, save_models
from .clean import clean
from .evaluate import locate
from .numbers import to_number
from .read import read_file
from .rules import Rules, load_rules
from .sections import find_sections
from .spans import section_titler
from .split import _classify, _lines, split_plans
from .targets import decide, find_candidates

SEED = 0
C_CANDIDATES = 0.3  # inverse regularization (many sparse n-grams, about 2,000 examples)


@dataclass
class GoldDoc:
    path: Path  # the source file
    gold: dict
    name: str


def gold_docs(gold_dir: Path, *, raw_dir: Optional[Path] = None, corpus_dir: Path) -> list[GoldDoc]:
    """Gold files with their source files, in name order.

    ``raw/NAME`` sources are looked up in ``raw_dir`` (default: the ``raw``
    folder beside ``gold_dir``, as ``data/annotated`` → ``data/raw``).
    """
    raw_dir = Path(raw_dir) if raw_dir else Path(gold_dir).parent / "raw"
    out = []
    for p in sorted(Path(gold_dir).glob("*/*.json")):
        gold = json.loads(p.read_text(encoding="utf-8"))
        kind, name = gold["source"].split("/", 1)
        src = (Path(corpus_dir) if kind == "corpus" else raw_dir) / name
        out.append(GoldDoc(src, gold, gold["source"]))
    return out


def training_sets(manifest: Path) -> list[Path]:
    """The gold folders a manifest lists (one per line, relative to the manifest's folder's parent;
    ``#`` starts a comment)."""
    root = Path(manifest).resolve().parent.parent
    lines = (ln.split("#", 1)[0].strip() for ln in Path(manifest).read_text(encoding="utf-8").splitlines())
    return [root / ln for ln in lines if ln]


def gold_sets(gold_dirs, *, corpus_dir: Path) -> list[GoldDoc]:
    """The documents of several gold folders, each with its own ``raw`` folder."""
    return [doc for d in gold_dirs for doc in gold_docs(Path(d), corpus_dir=corpus_dir)]


def _same_number(c, g: dict) -> bool:
    if c.placeholder or g.get("placeholder"):
        return bool(c.placeholder and g.get("placeholder"))
    v = to_number(c.lo)
    return v is not None and g.get("value") is not None and abs(v - float(g["value"])) < 1e-6


def candidate_examples(doc: GoldDoc, rules: Rules) -> tuple[list[dict], list[str]]:
    """Rows and gold labels for every target candidate of one document."""
    cleaned = clean(read_file(doc.path).text, rules=rules)
    rows, labels = [], []
    for plan, gp in zip(split_plans(cleaned, rules=rules), doc.gold["plans"]):
        sections = find_sections(plan, rules=rules)
        title = section_titler(sections)
        cands = find_candidates(plan.view, rules=rules, sections=sections)
        rule_labels = decide(cands, plan.view)
        gold_t = gp.get("targets", [])
        spans = locate(plan.text, gold_t)
        for c, rl in zip(cands, rule_labels):
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
            rows.append(candidate_row(c, plan.view, rule_label=rl, section_title=title(c.start)))
            labels.append(label)
    return rows, labels


def line_examples(doc: GoldDoc, rules: Rules) -> tuple[list[dict], list[str]]:
    """Rows and gold labels for every non-blank line of one document."""
    cleaned = clean(read_file(doc.path).text, rules=rules)
    text = cleaned.text
    ranges, pos = [], 0
    for gp in doc.gold["plans"]:
        first = gp["first"]
        a = text.find(first, pos)
        if a < 0:
            continue
        b = text.find(gp["last"], a)
        if b < 0:
            continue
        ranges.append((a, b + len(gp["last"]), gp.get("not_in_text", [])))
        pos = b
    lines = _lines(cleaned)
    _classify(lines, rules)
    rows, labels = [], []
    for i, ln in enumerate(lines):
        if ln.kind == "blank":
            continue
        inside = next((r for r in ranges if ln.start < r[1] and r[0] < ln.end + 1), None)
        keep = inside is not None and not any(s and s in ln.text for s in inside[2])
        rows.append(line_row(lines, i, rule_kind=ln.kind))
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


def examples(docs: Iterable[GoldDoc], rules: Optional[Rules] = None) -> list[Examples]:
    rules = rules or load_rules()
    out = []
    for doc in docs:
        cx, cy = candidate_examples(doc, rules)
        lx, ly = line_examples(doc, rules)
        out.append(Examples(doc, cx, cy, lx, ly))
    return out


def _fit_candidates(exs: list[Examples]):
    x = [r for e in exs for r in e.cand_x]
    y = [label for e in exs for label in e.cand_y]
    return classify.CandidateClassifier(C=C_CANDIDATES, class_weight="balanced", random_state=SEED).fit(x, y)


def fit_models(docs_or_examples, rules: Optional[Rules] = None) -> dict:
    """Both classifiers fitted on the given documents (or their cached examples).

    Fixed seeds and sorted features: the same data gives the same models.
    """
    exs = [d if isinstance(d, Examples) else None for d in docs_or_examples]
    if any(e is None for e in exs):
        exs = examples(docs_or_examples, rules)
    models = {"candidates": _fit_candidates(exs)}
    line_x = [r for e in exs for r in e.line_x]
    line_y = [label for e in exs for label in e.line_y]
    if len(set(line_y)) > 1:
        models["lines"] = classify.LineClassifier(C=1.0, class_weight="balanced", random_state=SEED).fit(line_x, line_y)
    cand_y = [label for e in exs for label in e.cand_y]
    models["counts"] = {"candidates": len(cand_y), "lines": len(line_y),
                        "candidate_labels": {k: cand_y.count(k) for k in sorted(set(cand_y))},
                        "line_labels": {k: line_y.count(k) for k in sorted(set(line_y))}}
    return models


def train(gold_dirs, out_dir: Path, *, corpus_dir: Path) -> dict:
    """Fit on every document of the gold folders and write the models with a JSON sidecar."""
    import sklearn

    t0 = time.perf_counter()
    gold_dirs = [Path(d) for d in gold_dirs]
    docs = gold_sets(gold_dirs, corpus_dir=corpus_dir)
    models = fit_models(docs)
    counts = models.pop("counts")
    meta = {"sklearn": sklearn.__version__, "labels": {k: list(m.classes_) for k, m in models.items()},
            "data_sha256": data_hash(gold_dirs), "documents": [d.name for d in docs], "examples": counts,
            "seed": SEED}
    save_models(models, out_dir, meta=meta)
    meta["seconds"] = round(time.perf_counter() - t0, 2)
    return meta
