"""The review queue and what the page is sent about items and plans.

Every target and deadline of the run is one entry, the least certain first
(:func:`plan_extract.output.report.certainty`: targets by the classifier's
confidence, then what the rules decided alone, in document order); items the
analyst added come last.  The queue is built once when the server starts;
the page asks for it a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..output.export import section_paths
from ..output.report import certainty, is_low, target_tip
from .apply import items_of
from .corrections import EDITABLE, Decision, item_key, parse_key


@dataclass
class Entry:
    key: str  # the item's name (corrections.item_key)
    plan: str
    kind: str  # target or deadline
    item: dict  # the record's item, or the fields and span of an added one


def build_queue(records: list[dict], held: dict[str, Decision]) -> list[Entry]:
    """Targets and deadlines of all plans, least certain first; then the added ones."""
    ranked = []
    for r in records:
        for kind, key in (("target", "targets"), ("deadline", "deadlines")):
            for item in r[key]:
                ranked.append((certainty(item), len(ranked),
                               Entry(item_key(r["id"], kind, item["start"], item["end"]), r["id"], kind, item)))
    ranked.sort(key=lambda x: (x[0], x[1]))
    queue = [entry for _, _, entry in ranked]
    known = {e.key for e in queue}
    for key, d in held.items():
        if d.action == "add" and key not in known:
            queue.append(added_entry(d))
    return queue


def added_entry(d: Decision) -> Entry:
    plan, kind, start, end = parse_key(d.item)
    return Entry(d.item, plan, kind, {**d.fields, "start": start, "end": end, "added": True})


def _fields(kind: str, item: dict, decision: Optional[Decision]) -> dict:
    fields = {k: item.get(k) for k in EDITABLE[kind]}
    if decision is not None and decision.action in ("edit", "add"):
        fields.update(decision.fields)
    return fields


def _decision(d: Optional[Decision]) -> Optional[dict]:
    return None if d is None else {"id": d.id, "action": d.action, "fields": d.fields}


def item_view(entry: Entry, record: dict, held: dict[str, Decision], position: int) -> dict:
    """One queue entry as the page shows it."""
    d = held.get(entry.key)
    fields = _fields(entry.kind, entry.item, d)
    start, end = entry.item["start"], entry.item["end"]
    if entry.kind == "target":
        tip = target_tip({**fields, "deadline": entry.item.get("deadline"), "confidence": entry.item.get("confidence")},
                         {x["id"]: x for x in record["deadlines"]})
    else:
        tip = f"{fields['kind']}: {fields['value'] or fields['recurrence']}"
    return {"key": entry.key, "position": position, "plan": entry.plan, "kind": entry.kind, "start": start,
            "end": end, "text": record["text"][start:end], "confidence": entry.item.get("confidence"),
            "low": is_low(entry.item), "added": bool(entry.item.get("added")), "fields": fields, "tip": tip,
            "decision": _decision(d), "title": record["title"], "source": record["source"]["path"]}


def plan_view(record: dict, held: dict[str, Decision]) -> dict:
    """A plan's text with every item's span and state, its sections and its own decision."""
    pid = record["id"]
    paths = section_paths(record["sections"])
    marks = []
    for key, (kind, item) in items_of(record).items():
        d = held.get(key)
        end = item["start"] + len(item["marker"]) if kind == "section" else item["end"]
        mark = {"key": key, "kind": kind, "start": item["start"], "end": end, "decision": _decision(d),
                "fields": _fields(kind, item, d)}
        if kind == "section":
            mark.update(marker=item["marker"], path=paths[item["id"]], number=item["number"], style=item["style"])
        marks.append(mark)
    for key, d in held.items():
        if d.action == "add" and key.startswith(pid + "|") and key not in items_of(record):
            _, kind, start, end = parse_key(key)
            marks.append({"key": key, "kind": kind, "start": start, "end": end, "decision": _decision(d),
                          "fields": dict(d.fields), "added": True})
    marks.sort(key=lambda m: (m["start"], -m["end"]))
    plan_key = item_key(pid, "plan")
    return {"id": pid, "key": plan_key, "title": record["title"], "year": record["year"],
            "source": record["source"]["path"], "plan_index": record["plan_index"], "text": record["text"],
            "marks": marks, "decision": _decision(held.get(plan_key)),
            "fields": _fields("plan", {"title": record["title"], "year": record["year"], "start": 0,
                                       "end": len(record["text"]), "splits": [], "merge": False},
                              held.get(plan_key))}
