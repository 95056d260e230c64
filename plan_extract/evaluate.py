"""Scoring records against the gold of ``data/annotated/`` (its README).

Gold quotes are located in the predicted plan's text, each after the
previous item's start; a predicted item matches a gold item when their spans
overlap and the key fields agree (targets: value, value_max, unit,
placeholder; deadlines: kind).  Field accuracies are measured on matches.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .clean import to_simplified


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: Counter = field(default_factory=Counter)  # field -> correct on matches
    misses: list = field(default_factory=list)  # (kind, source, text) for error reports

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.fields.update(other.fields)
        self.misses.extend(other.misses)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> dict:
        out = {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
               "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}
        for name, n in sorted(self.fields.items()):
            out[f"{name}_accuracy"] = round(n / self.tp, 4) if self.tp else None
        return out


def locate(text: str, items: list[dict]) -> list[Optional[tuple[int, int]]]:
    """Spans of gold quotes in ``text``; each searched after the previous start."""
    spans, pos = [], 0
    for item in items:
        i = text.find(item["text"], pos)
        if i < 0:
            i = text.find(item["text"])
        spans.append((i, i + len(item["text"])) if i >= 0 else None)
        if i >= 0:
            pos = i + 1
    return spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _num(v):
    return None if v is None else round(float(v), 6)


def _target_key(t: dict) -> tuple:
    return (_num(t["value"]), _num(t.get("value_max")), (t.get("unit") or ""), bool(t["placeholder"]))


def _baseline(b: Optional[dict]):
    return None if not b else (_num(b.get("value")), b.get("unit"), b.get("year"))


TARGET_FIELDS = {
    "comparator": lambda p, g: p["comparator"] == g["comparator"],
    "metric": lambda p, g: to_simplified(p["metric"]) == to_simplified(g["metric"]),
    "baseline": lambda p, g: _baseline(p["baseline"]) == _baseline(g["baseline"]),
    "range": lambda p, g: _num(p["value_max"]) == _num(g["value_max"]),
}
DEADLINE_FIELDS = {
    "value": lambda p, g: p["value"] == g["value"] and p["recurrence"] == g["recurrence"],
}


def _match(pred: list[dict], gold: list[dict], gold_spans, same, fields, source: str, kind: str) -> Tally:
    tally = Tally()
    used = set()
    for g, span in zip(gold, gold_spans):
        hit = None
        if span is not None:
            for j, p in enumerate(pred):
                if j not in used and _overlap((p["start"], p["end"]), span) and same(p, g):
                    hit = j
                    break
        if hit is None:
            tally.fn += 1
            tally.misses.append(("missed", kind, source, g["text"]))
            continue
        used.add(hit)
        tally.tp += 1
        for name, check in fields.items():
            tally.fields[name] += bool(check(pred[hit], g))
    for j, p in enumerate(pred):
        if j not in used:
            tally.fp += 1
            tally.misses.append(("extra", kind, source, p["text"]))
    return tally


def score_plan(record: dict, gold_plan: dict, source: str = "") -> dict[str, Tally]:
    """Tallies for one plan's targets and deadlines."""
    text = record["text"]
    out = {}
    gold_t = gold_plan.get("targets", [])
    out["targets"] = _match(record["targets"], gold_t, locate(text, gold_t),
                            lambda p, g: _target_key(p) == _target_key(g), TARGET_FIELDS, source, "target")
    gold_d = gold_plan.get("deadlines", [])
    out["deadlines"] = _match(record["deadlines"], gold_d, locate(text, gold_d),
                              lambda p, g: p["kind"] == g["kind"], DEADLINE_FIELDS, source, "deadline")
    return out


def load_gold(folder: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(folder).glob("*/*.json"))]


def score(pairs: Iterable[tuple[list[dict], dict]]) -> dict[str, Tally]:
    """Sum of tallies over (records of a file, its gold) pairs, plans in order."""
    total = {"targets": Tally(), "deadlines": Tally()}
    for records, gold in pairs:
        for rec, gp in zip(records, gold["plans"]):
            for key, tally in score_plan(rec, gp, gold["source"]).items():
                total[key].add(tally)
        for gp in gold["plans"][len(records):]:  # plans the run did not find
            total["targets"].fn += len(gp.get("targets", []))
            total["deadlines"].fn += len(gp.get("deadlines", []))
    return total
