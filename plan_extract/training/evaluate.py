"""Scoring records against the gold of ``data/annotated/`` (its README).

Gold quotes are located in the predicted plan's text, each after the
previous item's start; a predicted item matches a gold item when their spans
overlap and the key fields agree (targets: value, value_max, unit,
placeholder; deadlines: kind).  Field accuracies are measured on matches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..text.script import to_simplified
from .gold import locate


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fields: Counter = field(default_factory=Counter)  # field -> correct on matches
    items: list = field(default_factory=list)  # one dict per scored item: status tp/fn/fp, group, text

    def add(self, other: "Tally") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.fields.update(other.fields)
        self.items.extend(other.items)

    def note(self, status: str, kind: str, source: str, text: str, group: str = "") -> None:
        self.items.append({"status": status, "type": kind, "source": source, "text": text, "group": group})

    @property
    def misses(self) -> list[dict]:
        return [i for i in self.items if i["status"] != "tp"]

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


def _shown(item: dict, name: str):
    """The value a field check compared, as the items table shows it."""
    keys = {"range": ("value", "value_max"), "value": ("value", "recurrence")}.get(name, (name,))
    return item.get(keys[0]) if len(keys) == 1 else [item.get(k) for k in keys]


def _group(item: dict, kind: str) -> str:
    return item.get("unit") or "" if kind == "target" else item.get("kind", "")


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
            tally.note("fn", kind, source, g["text"], _group(g, kind))
            continue
        used.add(hit)
        tally.tp += 1
        tally.note("tp", kind, source, g["text"], _group(g, kind))
        for name, check in fields.items():
            ok = bool(check(pred[hit], g))
            tally.fields[name] += ok
            if not ok:
                tally.items[-1].setdefault("wrong", []).append(name)
                tally.items[-1].setdefault("found", {})[name] = _shown(pred[hit], name)
                tally.items[-1].setdefault("gold", {})[name] = _shown(g, name)
    for j, p in enumerate(pred):
        if j not in used:
            tally.fp += 1
            tally.note("fp", kind, source, p["text"], _group(p, kind))
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


def _plan_matches(record: dict, gp: dict) -> bool:
    text = record["text"].strip().lstrip("#* ")
    return text.startswith(gp["first"].lstrip("#* ")) and text.endswith(gp["last"]) and \
        record["title"] == gp["title"]


def score_sections(record: dict, gp: dict, source: str = "") -> Tally:
    """Nodes matched by position and marker; level and parent accuracy on matches."""
    tally = Tally()
    gold = gp.get("sections", [])
    spans, pos = [], 0
    for g in gold:
        i = record["text"].find(g["quote"], pos)
        spans.append(i if i >= 0 else None)
        if i >= 0:
            pos = i + 1
    by_start = {s["start"]: k for k, s in enumerate(record["sections"])}
    index = {s["id"]: k for k, s in enumerate(record["sections"])}
    matched: dict[int, int] = {}
    for gi, (g, start) in enumerate(zip(gold, spans)):
        k = by_start.get(start) if start is not None else None
        if k is None or record["sections"][k]["marker"] != g["marker"]:
            tally.fn += 1
            tally.note("fn", "section", source, g["quote"], g["style"])
            continue
        matched[gi] = k
        tally.note("tp", "section", source, g["quote"], g["style"])
    tally.tp = len(matched)
    tally.fp = len(record["sections"]) - len(matched)
    found = set(matched.values())
    for k, s in enumerate(record["sections"]):
        if k not in found:
            tally.note("fp", "section", source, record["text"][s["start"]:s["start"] + 12], s["style"])
    for gi, k in matched.items():
        node, g = record["sections"][k], gold[gi]
        tally.fields["level"] += node["level"] == g["level"]
        want_parent = matched.get(g["parent"]) if g["parent"] is not None else None
        got_parent = index.get(node["parent"]) if node["parent"] else None
        tally.fields["parent"] += got_parent == want_parent
        tally.fields["title"] += node["title"] == g["title"]
    return tally


KINDS = ("plans", "sections", "targets", "deadlines")


def score(pairs: Iterable[tuple[list[dict], dict]]) -> dict[str, Tally]:
    """Sum of tallies over (records of a file, its gold) pairs.

    A predicted plan is paired with the gold plan it matches (title, first and
    last quotes); items of unpaired gold plans count as missed, items of
    unpaired predicted plans as extra.
    """
    total = {k: Tally() for k in KINDS}
    for records, gold in pairs:
        used: set[int] = set()
        for gp in gold["plans"]:
            k = next((j for j, r in enumerate(records) if j not in used and _plan_matches(r, gp)), None)
            if k is None:
                total["plans"].fn += 1
                total["plans"].note("fn", "plan", gold["source"], gp["title"] or "")
                for key in ("sections", "targets", "deadlines"):
                    total[key].fn += len(gp.get(key, []))
                continue
            used.add(k)
            total["plans"].tp += 1
            total["plans"].note("tp", "plan", gold["source"], gp["title"] or "")
            total["plans"].fields["year"] += records[k]["year"] == gp["year"]
            total["sections"].add(score_sections(records[k], gp, gold["source"]))
            for key, tally in score_plan(records[k], gp, gold["source"]).items():
                total[key].add(tally)
        for j, r in enumerate(records):
            if j not in used:
                total["plans"].fp += 1
                total["plans"].note("fp", "plan", gold["source"], r["title"] or "")
                for key in ("sections", "targets", "deadlines"):
                    total[key].fp += len(r[key])
    return total


def score_items(pairs: Iterable[tuple[list[dict], dict]]) -> dict[str, Tally]:
    """Targets and deadlines of a file scored with plan boundaries ignored.

    The records' texts are joined in order and every gold item is located in
    the join, so an item found inside a plan whose title or ends differ from
    the gold still counts: the figure says how well items are found, apart
    from how plans are cut (which ``score`` counts in full against them).
    """
    total = {"targets": Tally(), "deadlines": Tally()}
    for records, gold in pairs:
        text, shifted = "", {"targets": [], "deadlines": []}
        for r in records:
            offset = len(text)
            for key in shifted:
                shifted[key] += [{**it, "start": it["start"] + offset, "end": it["end"] + offset} for it in r[key]]
            text += r["text"] + "\n"
        for key, same, fields, kind in (
                ("targets", lambda p, g: _target_key(p) == _target_key(g), TARGET_FIELDS, "target"),
                ("deadlines", lambda p, g: p["kind"] == g["kind"], DEADLINE_FIELDS, "deadline")):
            items = [it for gp in gold["plans"] for it in gp.get(key, [])]
            total[key].add(_match(shifted[key], items, locate(text, items), same, fields, gold["source"], kind))
    return total


FIELD_NAMES = {"plans": ["year"], "sections": ["level", "parent", "title"],
               "targets": ["comparator", "baseline", "range", "metric"], "deadlines": ["value"]}


def report(columns: dict[str, dict[str, Tally]]) -> dict:
    """JSON-ready figures: {column: {kind: summary}}."""
    return {name: {kind: tallies[kind].summary() for kind in KINDS} for name, tallies in columns.items()}


def items_table(columns: dict[str, dict[str, Tally]]) -> list[dict]:
    """Every scored item of every column, for error analysis (pandas)."""
    rows = []
    for name, tallies in columns.items():
        for kind in KINDS:
            for item in tallies[kind].items:
                rows.append({"system": name, **item, "wrong": ",".join(item.get("wrong", [])),
                             "found": item.get("found", {}), "gold": item.get("gold", {})})
    return rows


def reliability(pairs, bins: int = 10) -> tuple[list[dict], float]:
    """Calibration of P(target): ``pairs`` of (probability, is a gold target)
    in ``bins`` equal-width bins; rows of (range, count, mean probability,
    share that are targets) and the expected calibration error (the
    count-weighted mean gap between the two)."""
    rows, total, ece = [], len(pairs), 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        inside = [(p, y) for p, y in pairs if lo <= p < hi or (k == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean_p = sum(p for p, _ in inside) / len(inside)
        share = sum(y for _, y in inside) / len(inside)
        ece += len(inside) / total * abs(mean_p - share)
        rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "count": len(inside), "mean_p": round(mean_p, 3),
                     "targets": round(share, 3)})
    return rows, round(ece, 4)
