"""Decisions against records: turning a request into a valid decision, and
the records as the analyst corrected them.

A request names an item of a record (or, to add one, a plan, a kind and a
span of the plan's text); it is checked against the record and the SPEC's
vocabularies before it may enter the log.  :func:`reviewed` applies the
decisions that hold to one record: rejected items go, edited fields replace
the predicted ones, added items join in span order, sections may change
level or go, and the plan itself may get another title, year or boundary,
or be rejected as no plan at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .corrections import (CHECKS, EDITABLE, Decision, DecisionError, check_plan, item_key, parse_key, undo)

ITEM_KINDS = ("target", "deadline")
LISTS = {"target": "targets", "deadline": "deadlines", "section": "sections"}
TARGET_DEFAULTS = {"metric": None, "comparator": "=", "value": None, "value_max": None, "unit": None,
                   "placeholder": False, "baseline": None}
DEADLINE_DEFAULTS = {"kind": "by", "value": None, "recurrence": None}


def items_of(record: dict) -> dict[str, tuple[str, dict]]:
    """Every target, deadline and section of a record by its name: (kind, item)."""
    out = {}
    for kind, key in LISTS.items():
        for item in record[key]:
            end = None if kind == "section" else item["end"]
            out[item_key(record["id"], kind, item["start"], end)] = (kind, item)
    return out


def make_decision(request: dict, records: dict[str, dict], held: dict[str, Decision]) -> Decision:
    """A valid :class:`Decision` from an API request, or :class:`DecisionError`.

    ``request``: ``{"item", "action", "fields"}``, or to add an item
    ``{"plan", "kind", "action": "add", "fields": {"start", "end", ...}}``;
    ``{"item", "action": "undo"}`` takes back the decision that holds.
    ``held``: the decisions that hold so far, so an edit of an added item
    stays an addition and successive edits add up."""
    action = request.get("action")
    fields = request.get("fields") or {}
    if not isinstance(fields, dict):
        raise DecisionError("fields must be an object")
    if action == "add":
        return _addition(request, fields, records)
    if action not in ("accept", "reject", "edit", "undo"):
        raise DecisionError(f"action must be accept, reject, edit, add or undo, got {action!r}")
    key = request.get("item")
    if not isinstance(key, str):
        raise DecisionError("item is missing")
    if action == "undo":
        return undo(key, held)
    plan_id, kind, _, _ = parse_key(key)
    record = records.get(plan_id)
    if record is None:
        raise DecisionError(f"no plan {plan_id!r} in this run")
    before = held.get(key)
    known = items_of(record)
    if kind == "plan":
        base = {"title": record["title"], "year": record["year"], "start": 0, "end": len(record["text"]),
                "splits": [], "merge": False}
    elif key in known:
        base = {k: known[key][1][k] for k in EDITABLE[kind]}
    elif before is not None and before.action == "add":
        base = dict(before.fields)
    else:
        raise DecisionError(f"no item {key!r} in this run")
    if action != "edit":
        if action == "accept" and before is not None and before.action in ("add", "edit"):
            return before  # the item as corrected is right: the correction stands
        return Decision(key, action, {})  # a rejected addition: as if the run never had it
    unknown = set(fields) - set(EDITABLE[kind])
    if unknown:
        raise DecisionError(f"a {kind} has no editable field {sorted(unknown)}; editable: {list(EDITABLE[kind])}")
    earlier = before.fields if before is not None and before.action in ("edit", "add") else {}
    merged = {**base, **earlier, **fields}
    if kind == "plan":
        if isinstance(merged.get("splits"), list):
            merged["splits"] = sorted(set(merged["splits"]), key=lambda k: (not isinstance(k, int), k))
        check_plan(merged, len(record["text"]), record["plan_index"])
    else:
        CHECKS[kind](merged)
    if before is not None and before.action == "add":
        return Decision(key, "add", {**merged})
    changed = {k: merged[k] for k in EDITABLE[kind] if k in merged and merged[k] != base[k]}
    return Decision(key, "edit", dict(sorted(changed.items())))


def _addition(request: dict, fields: dict, records: dict[str, dict]) -> Decision:
    kind, plan_id = request.get("kind"), request.get("plan")
    if kind not in ITEM_KINDS:
        raise DecisionError(f"only a target or a deadline can be added, not {kind!r}")
    record = records.get(plan_id)
    if record is None:
        raise DecisionError(f"no plan {plan_id!r} in this run")
    start, end = fields.get("start"), fields.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(record["text"])):
        raise DecisionError(f"span {start}-{end} is not inside the plan's text (0-{len(record['text'])})")
    if not record["text"][start:end].strip():
        raise DecisionError("the selected text is blank")
    defaults = TARGET_DEFAULTS if kind == "target" else DEADLINE_DEFAULTS
    unknown = set(fields) - set(defaults) - {"start", "end"}
    if unknown:
        raise DecisionError(f"a {kind} has no field {sorted(unknown)}")
    item = {k: fields.get(k, v) for k, v in defaults.items()}
    CHECKS[kind](item)
    key = item_key(plan_id, kind, start, end)
    if key in items_of(record):
        raise DecisionError(f"the run already has this {kind}: edit it instead")
    return Decision(key, "add", item)


@dataclass
class Reviewed:
    """One record as the analyst corrected it."""

    record: dict  # the record layout; ids of added items are ``t+START``, ``d+START``
    start: int  # the plan's boundary inside ``record["text"]``
    end: int
    rejected: bool = False  # not a plan at all
    decided: dict = field(default_factory=dict)  # item name -> action, for the items a decision holds for
    splits: tuple = ()  # offsets in ``record["text"]`` where another plan begins
    merge: bool = False  # the plan continues the one before it in its file


def parts(rev: Reviewed) -> list[Reviewed]:
    """The plans a reviewed record holds: one, or one per part its splits cut
    it into; a later part's title is its first line, as a plan's title is."""
    if not rev.splits:
        return [rev]
    r, bounds = rev.record, [rev.start, *rev.splits, rev.end]
    out = []
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        inside = {key: [dict(it) for it in r[key] if a <= it["start"] < b] for key in LISTS.values()}
        ids = {s["id"] for s in inside["sections"]}
        for it in inside["sections"]:
            it["parent"] = it["parent"] if it["parent"] in ids else None
        for it in inside["targets"] + inside["deadlines"]:
            it["section"] = it["section"] if it["section"] in ids else None
        title = r["title"] if k == 0 else (r["text"][a:b].strip().split("\n", 1)[0].strip()[:60] or r["title"])
        out.append(Reviewed({**r, "title": title, **inside}, a, b, decided=rev.decided, merge=rev.merge and k == 0))
    return out


def _innermost(sections: list[dict], pos: int) -> Optional[str]:
    inside = [s for s in sections if s["start"] <= pos < s["end"]]
    return max(inside, key=lambda s: (s["level"], s["start"]))["id"] if inside else None


def reviewed(record: dict, held: dict[str, Decision], *, keep_unreviewed: bool = True) -> Reviewed:
    """``record`` with the decisions that hold for it applied (``held``: item name -> decision).

    ``keep_unreviewed=False`` leaves out the targets and deadlines no decision names."""
    pid = record["id"]
    mine = {k: d for k, d in held.items() if k.split("|", 1)[0] == pid}
    plan = mine.get(item_key(pid, "plan"))
    out = {**record, "sections": [], "targets": [], "deadlines": []}
    start, end = 0, len(record["text"])
    if plan is not None and plan.action == "edit":
        out["title"] = plan.fields.get("title", record["title"])
        out["year"] = plan.fields.get("year", record["year"])
        start, end = plan.fields.get("start", start), plan.fields.get("end", end)
    edit = plan.fields if plan is not None and plan.action == "edit" else {}
    result = Reviewed(out, start, end, rejected=plan is not None and plan.action == "reject",
                      decided={k: d.action for k, d in mine.items()},
                      splits=tuple(edit.get("splits", ())), merge=bool(edit.get("merge", False)))
    # sections: rejected ones go (their items and children move up), edited levels re-parent the plan
    gone: dict[str, Optional[str]] = {}
    relevel = False
    for s in record["sections"]:
        d = mine.get(item_key(pid, "section", s["start"]))
        if d is not None and d.action == "reject":
            gone[s["id"]] = s["parent"]
            continue
        s = dict(s)
        if d is not None and d.action == "edit":
            relevel |= d.fields.get("level", s["level"]) != s["level"]
            s.update(d.fields)
        if start <= s["start"] < end:
            out["sections"].append(s)

    def surviving(sid):
        while sid in gone:
            sid = gone[sid]
        return sid

    kept = {s["id"] for s in out["sections"]}
    for s in out["sections"]:
        s["parent"] = surviving(s["parent"])
        if s["parent"] not in kept:
            s["parent"] = None
    if relevel:  # SPEC §2: the parent is the nearest earlier node of a lower level
        for i, s in enumerate(out["sections"]):
            s["parent"] = next((p["id"] for p in reversed(out["sections"][:i]) if p["level"] < s["level"]), None)
    for kind, key in (("deadline", "deadlines"), ("target", "targets")):
        names = set()
        for item in record[key]:
            name = item_key(pid, kind, item["start"], item["end"])
            names.add(name)
            d = mine.get(name)
            if (d is not None and d.action == "reject") or (d is None and not keep_unreviewed):
                continue
            if not start <= item["start"] < end:
                continue
            item = {**item, **(d.fields if d is not None and d.action in ("edit", "add") else {})}
            item["section"] = surviving(item["section"]) if item["section"] in gone else item["section"]
            if item["section"] not in kept:
                item["section"] = _innermost(out["sections"], item["start"])
            out[key].append(item)
        for name, d in mine.items():
            _, k, a, b = parse_key(name)
            if k == kind and d.action == "add" and name not in names and start <= a < end:
                extra = {"id": f"{kind[0]}+{a}", **d.fields, "text": record["text"][a:b], "start": a, "end": b,
                         "section": _innermost(out["sections"], a)}
                if kind == "target":
                    extra.update(deadline=None, confidence=None)
                out[key].append(extra)
        out[key].sort(key=lambda it: (it["start"], it["end"]))
    present = {d["id"] for d in out["deadlines"]}
    for t in out["targets"]:
        if t.get("deadline") not in present:
            t["deadline"] = None
    return result
