"""The analyst's decisions: what one looks like, its id, and the log they go to.

``OUTDIR/corrections.jsonl`` is an append-only log, one decision a line, in
the order they were made; the last decision about an item is the one that
holds.  Items are named by their plan and span (``PLAN|target|412-432``), not
by the record's ``t3``: a re-run that numbers targets differently still finds
the item a decision meant, and an item the analyst added and a later run
finds have the same name.  A decision's id is a hash of the item and the
decision (no timestamp), so the same decision made twice has the same id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import regex

from ..core.atomic import append_line
from ..core.vocabulary import RRULE, VALUE_FORMS, Comparator, DeadlineKind, MarkerStyle, values

LOG = "corrections.jsonl"
KINDS = ("target", "deadline", "section", "plan")
ACTIONS = ("accept", "reject", "edit", "add", "undo")

COMPARATORS = set(values(Comparator))
DEADLINE_KINDS = set(values(DeadlineKind))
STYLES = set(values(MarkerStyle))
_VALUE_FORMS = {kind.value: regex.compile(p) for kind, p in VALUE_FORMS.items()}
_RRULE = regex.compile(RRULE)

# the fields an edit may set, per kind of item
EDITABLE = {
    "target": ("metric", "comparator", "value", "value_max", "unit", "placeholder", "baseline"),
    "deadline": ("kind", "value", "recurrence"),
    "section": ("level", "title"),
    "plan": ("title", "year", "start", "end", "splits", "merge"),
}


class DecisionError(ValueError):
    """A decision that cannot be taken, with the reason for the analyst."""


def item_key(plan_id: str, kind: str, start: Optional[int] = None, end: Optional[int] = None) -> str:
    """The name of an item: its plan, kind and span (a section by its marker's start)."""
    if kind == "plan":
        return f"{plan_id}|plan"
    if kind == "section":
        return f"{plan_id}|section|{start}"
    return f"{plan_id}|{kind}|{start}-{end}"


def parse_key(key: str) -> tuple[str, str, Optional[int], Optional[int]]:
    """(plan id, kind, start, end) of an item's name; raises :class:`DecisionError`."""
    parts = key.split("|")
    try:
        if len(parts) == 2 and parts[1] == "plan":
            return parts[0], "plan", None, None
        if len(parts) == 3 and parts[1] == "section":
            return parts[0], "section", int(parts[2]), None
        if len(parts) == 3 and parts[1] in ("target", "deadline"):
            start, end = parts[2].split("-")
            return parts[0], parts[1], int(start), int(end)
    except ValueError:
        pass
    raise DecisionError(f"not an item name: {key!r}")


def decision_id(item: str, action: str, fields: dict) -> str:
    """16 hex digits of the sha256 of the item and the decision (sorted keys)."""
    canon = json.dumps({"item": item, "action": action, "fields": fields}, ensure_ascii=False, sort_keys=True,
                       separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Decision:
    item: str
    action: str
    fields: dict

    @property
    def id(self) -> str:
        return decision_id(self.item, self.action, self.fields)

    @property
    def plan(self) -> str:
        return parse_key(self.item)[0]

    @property
    def kind(self) -> str:
        return parse_key(self.item)[1]

    def line(self) -> str:
        return json.dumps({"id": self.id, "item": self.item, "action": self.action, "fields": self.fields},
                          ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _number(v, name: str, *, null: bool = True):
    if v is None and null:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DecisionError(f"{name} must be a number{' or null' if null else ''}, got {v!r}")
    return int(v) if float(v).is_integer() else v


def _text(v, name: str, *, null: bool = True, longest: int = 200):
    if v is None and null:
        return None
    if not isinstance(v, str) or not v.strip() or len(v) > longest:
        raise DecisionError(f"{name} must be a non-empty string of at most {longest} characters, got {v!r}")
    return v.strip()


def check_target(t: dict) -> None:
    """Raise :class:`DecisionError` unless ``t`` holds a valid target's fields (SPEC §3)."""
    if t.get("comparator") not in COMPARATORS:
        raise DecisionError(f"comparator must be one of {sorted(COMPARATORS)}, got {t.get('comparator')!r}")
    if not isinstance(t.get("placeholder"), bool):
        raise DecisionError("placeholder must be true or false")
    _text(t.get("metric"), "metric")
    _text(t.get("unit"), "unit", longest=20)
    value, top = _number(t.get("value"), "value"), _number(t.get("value_max"), "value_max")
    if t["placeholder"] != (value is None):
        raise DecisionError("value must be null exactly when placeholder is true")
    if value is not None and top is not None and top < value:
        raise DecisionError(f"value_max {top} is below value {value}")
    b = t.get("baseline")
    if b is not None:
        if not isinstance(b, dict) or set(b) != {"value", "unit", "year"}:
            raise DecisionError("baseline must be null or {value, unit, year}")
        _number(b["value"], "baseline value")
        _text(b["unit"], "baseline unit", longest=20)
        year = _number(b["year"], "baseline year")
        if year is not None and not (1900 <= year <= 2100 and isinstance(year, int)):
            raise DecisionError(f"baseline year must be a year, got {year!r}")


def check_deadline(d: dict) -> None:
    """Raise :class:`DecisionError` unless ``d`` holds a valid deadline's fields (SPEC §4)."""
    kind = d.get("kind")
    if kind not in DEADLINE_KINDS:
        raise DecisionError(f"kind must be one of {sorted(DEADLINE_KINDS)}, got {kind!r}")
    if kind == "recurring":
        if d.get("value") is not None or not _RRULE.match(d.get("recurrence") or ""):
            raise DecisionError(f"recurring needs value null and an RRULE such as FREQ=MONTHLY, "
                                f"got {d.get('recurrence')!r}")
    elif d.get("recurrence") is not None or not _VALUE_FORMS[kind].match(d.get("value") or ""):
        raise DecisionError(f"{kind} value {d.get('value')!r} is not in its normalized form "
                            f"(and recurrence must be null)")


def check_section(s: dict) -> None:
    level = s.get("level")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 12:
        raise DecisionError(f"level must be an integer from 1 to 12, got {level!r}")
    if "title" in s:
        _text(s["title"], "title", null=False, longest=60)


def check_plan(p: dict, text_length: int, plan_index: int = 0) -> None:
    """A plan's fields: title, year, its boundary inside its text, the places
    where another plan begins (``splits``) and whether it continues the plan
    before it in its file (``merge``)."""
    _text(p.get("title"), "title")
    year = p.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
        raise DecisionError(f"year must be null or a year, got {year!r}")
    start, end = p.get("start", 0), p.get("end", text_length)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= text_length):
        raise DecisionError(f"plan boundary {start}-{end} is not inside the plan's text (0-{text_length})")
    splits = p.get("splits", [])
    if not isinstance(splits, list) or any(isinstance(k, bool) or not isinstance(k, int) or not start < k < end
                                           for k in splits) or splits != sorted(set(splits)):
        raise DecisionError(f"splits must be increasing offsets inside the plan ({start}-{end}), got {splits!r}")
    merge = p.get("merge", False)
    if not isinstance(merge, bool) or (merge and plan_index == 0):
        raise DecisionError("merge must be true or false, and only a file's second or later plan can join the one before")


CHECKS = {"target": check_target, "deadline": check_deadline, "section": check_section}


def read_log(outdir: Path) -> tuple[list[Decision], list[str]]:
    """The decisions of ``OUTDIR/corrections.jsonl`` in order, and a problem per
    line that could not be read (a line torn by a crash, a hand edit)."""
    path = Path(outdir) / LOG
    decisions, problems = [], []
    if not path.exists():
        return decisions, problems
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                d = Decision(row["item"], row["action"], row.get("fields") or {})
                parse_key(d.item)
                if d.action not in ACTIONS:
                    raise DecisionError(f"unknown action {d.action!r}")
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path}:{n}: skipped, {exc.__class__.__name__}: {exc}")
                continue
            decisions.append(d)
    return decisions, problems


def history(decisions: list[Decision]) -> dict[str, list[Decision]]:
    """Each item's decisions still in force, oldest first.  An ``undo`` takes
    back the newest of them when it names it (``fields.undoes``): undoing twice
    steps back twice, and an undo written twice (a retried request) counts once."""
    stacks: dict[str, list[Decision]] = {}
    for d in decisions:
        stack = stacks.setdefault(d.item, [])
        if d.action != "undo":
            stack.append(d)
        elif stack and stack[-1].id == d.fields.get("undoes"):
            stack.pop()
    return {item: stack for item, stack in stacks.items() if stack}


def latest(decisions: list[Decision]) -> dict[str, Decision]:
    """The decision that holds for each item: the last one made and not undone."""
    return {item: stack[-1] for item, stack in history(decisions).items()}


def undo(key: str, held: dict[str, Decision]) -> Decision:
    """The decision taking back the one that holds for ``key``."""
    before = held.get(key)
    if before is None:
        raise DecisionError(f"no decision about {key!r} to undo")
    return Decision(key, "undo", {"undoes": before.id})


def append(outdir: Path, decision: Decision) -> None:
    """Append one decision to the log, durably (flush and fsync)."""
    append_line(Path(outdir) / LOG, decision.line())
