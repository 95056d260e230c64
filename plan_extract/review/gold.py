"""``plan-extract gold OUTDIR -o SET_DIR``: a run and its corrections as gold.

The gold format is ``data/annotated/README.md``'s: quotes, not offsets.  The
set folder is laid out like ``data/heldoutN/``: ``SET_DIR/annotated/raw/NAME.json``
(what ``train --data`` and ``eval`` take) and ``SET_DIR/raw/`` holding a copy
of each source, checked against the record's sha256.

Accepted, edited and added items are in, rejected ones out.  Items nobody
reviewed are in as predicted: leaving them out would teach the classifier
that every true target the analyst had no time for is not one.
``keep_unreviewed=False`` (``--drop-unreviewed``) leaves them out, for a set
whose every document was reviewed to the end.

A quote is the item's own text, widened by a character or two only where the
gold loader, searching each quote after the previous item's start, would find
it at another place first; so ``eval`` of the run against its own gold with no
correction scores 1.0.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..core.atomic import atomic_path, write_lines
from ..output.export import read_records
from .apply import Reviewed, parts, reviewed
from .corrections import latest, read_log

EDGE = 40  # characters of a plan's first and last quotes, at most
SECTION_QUOTE = 6  # the shortest section quote (the gold README's rule)


@dataclass
class GoldResult:
    files: list[Path] = field(default_factory=list)  # the gold files written
    problems: list[str] = field(default_factory=list)  # a line per source left out, and why
    warnings: list[str] = field(default_factory=list)  # lines of the log that could not be read
    counts: dict = field(default_factory=dict)


def _quote(text: str, start: int, end: int, pos: int, *, left: bool = True) -> tuple[str, int]:
    """The shortest widening of ``text[start:end]`` that a search from ``pos``
    finds at its place; (quote, where it starts).  An item that starts where
    the one before it does (two measures sharing a number) loses its first
    characters instead: a search from ``pos`` cannot find it otherwise."""
    a, b = max(start, min(pos, end - 1)), end
    while text.find(text[a:b], pos) != a:
        if left and a > pos:
            a -= 1
        elif b < len(text):
            b += 1
        else:
            break
    return text[a:b], a


def _edges(text: str) -> tuple[str, str]:
    """The plan's first and last quotes: up to ``EDGE`` characters of its first and last lines."""
    body = text.strip()
    head, tail = body[:EDGE], body[-EDGE:]
    if "\n" in head[SECTION_QUOTE:]:
        head = head[:head.index("\n", SECTION_QUOTE)].rstrip()
    if "\n" in tail[:-SECTION_QUOTE]:
        tail = tail[tail.rindex("\n", 0, len(tail) - SECTION_QUOTE) + 1:].lstrip()
    return head, tail


def gold_plan(rev: Reviewed, joined: str, offset: int, pos: dict) -> dict:
    """One plan of a gold file from a reviewed record.

    Target and deadline quotes are made to be found at their place twice:
    in the plan's text (``eval``) and in the file's records' texts joined in
    order (``joined``, where this plan starts at ``offset``: ``eval``'s figures
    with plan boundaries ignored).  ``pos`` carries each list's search start
    in ``joined`` from one plan to the next."""
    r = rev.record
    text = r["text"]
    first, last = _edges(text[rev.start:rev.end])
    sections, index, at = [], {}, 0
    for s in r["sections"]:
        a = s["start"]
        quote, _ = _quote(text, a, min(len(text), a + max(SECTION_QUOTE, len(s["marker"]) + 2)), at, left=False)
        index[s["id"]] = len(sections)
        sections.append({"quote": quote, "marker": s["marker"], "style": s["style"], "number": s["number"],
                         "level": s["level"], "parent": index.get(s["parent"]), "title": s["title"]})
        at = a + 1

    def quotes(items: list[dict], key: str) -> list[str]:
        out, here = [], 0
        for it in items:
            q, a = _quote(text, it["start"], it["end"], here)
            q2, a2 = _quote(joined, offset + a, offset + a + len(q), pos[key])
            q, a = q2, a2 - offset  # the joined quote, widened further where the join needs it
            if not (0 <= a and a + len(q) <= len(text)) or text.find(q, here) != a:
                q, a = _quote(text, it["start"], it["end"], here)  # a plan's own eval comes first
            out.append(q)
            here, pos[key] = a + 1, offset + a + 1
        return out

    deadlines, d_index = [], {}
    for d, quote in zip(r["deadlines"], quotes(r["deadlines"], "deadlines")):
        d_index[d["id"]] = len(deadlines)
        deadlines.append({"text": quote, "kind": d["kind"], "value": d["value"], "recurrence": d["recurrence"],
                          "section": index.get(d["section"])})
    targets = []
    for t, quote in zip(r["targets"], quotes(r["targets"], "targets")):
        targets.append({"text": quote, "metric": t["metric"], "comparator": t["comparator"], "value": t["value"],
                        "value_max": t["value_max"], "unit": t["unit"], "placeholder": t["placeholder"],
                        "baseline": t["baseline"], "deadline": d_index.get(t["deadline"]),
                        "section": index.get(t["section"])})
    return {"title": r["title"], "year": r["year"], "script": r["script"], "first": first, "last": last,
            "not_in_text": [], "sections": sections, "targets": targets, "deadlines": deadlines}


def _join(before: dict, plan: dict) -> None:
    """``plan`` (a record the analyst said continues the one before) appended
    to the gold plan ``before``: one plan from the first's first line to the
    second's last, its lists in order with their indexes carried over."""
    shift_s, shift_d = len(before["sections"]), len(before["deadlines"])
    for s in plan["sections"]:
        before["sections"].append({**s, "parent": None if s["parent"] is None else s["parent"] + shift_s})
    for d in plan["deadlines"]:
        before["deadlines"].append({**d, "section": None if d["section"] is None else d["section"] + shift_s})
    for t in plan["targets"]:
        before["targets"].append({**t, "section": None if t["section"] is None else t["section"] + shift_s,
                                  "deadline": None if t["deadline"] is None else t["deadline"] + shift_d})
    before["last"] = plan["last"]


def write_gold(outdir: Path, set_dir: Path, *, keep_unreviewed: bool = True,
               member_bytes: Optional[Callable[[str], Optional[bytes]]] = None) -> GoldResult:
    """Write the gold of the run in ``outdir`` with its corrections into ``set_dir``.

    ``member_bytes``: how to read an archive member (``plans.zip!2026/a.docx``)
    as the run read it, ``None`` when it is not found; the command passes the
    run layer's reader (review never opens inputs itself)."""
    outdir, set_dir = Path(outdir), Path(set_dir)
    decisions, problems = read_log(outdir)
    held = latest(decisions)
    result = GoldResult(warnings=list(problems))
    by_source: dict[str, list[dict]] = {}
    for r in read_records(outdir / "plans.jsonl"):
        by_source.setdefault(r["source"]["path"], []).append(r)
    gold_dir, raw_dir = set_dir / "annotated" / "raw", set_dir / "raw"
    gold_dir.mkdir(parents=True, exist_ok=True)
    raw_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    counts = {"documents": 0, "plans": 0, "targets": 0, "deadlines": 0, "sections": 0, "decisions": len(held)}
    for path, records in by_source.items():
        src = Path(path)
        data = member_bytes(path) if member_bytes and "!" in path and not src.exists() else None
        if data is None and not src.is_file():
            where = "archive member not found" if "!" in path else "source not found"
            result.problems.append(f"{path}: {where} (run gold from the folder the run ran in)")
            continue
        if data is None:
            data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != records[0]["source"]["sha256"]:
            result.problems.append(f"{path}: the file changed since the run (sha256 differs): run it again")
            continue
        src = Path(path.rsplit("!", 1)[-1])  # an archive member is named by its own file name
        stem = src.stem
        if stem in names:
            result.problems.append(f"{path}: another source has the name {stem!r} ({names.get(stem)}): "
                                   f"a gold set names its documents by file name")
            continue
        names[stem] = path
        records = sorted(records, key=lambda r: r["plan_index"])
        joined, offsets = "", []
        for r in records:
            offsets.append(len(joined))
            joined += r["text"] + "\n"
        pos = {"targets": 0, "deadlines": 0}
        plans = []
        for r, offset in zip(records, offsets):
            rev = reviewed(r, held, keep_unreviewed=keep_unreviewed)
            if rev.rejected:
                continue
            for part in parts(rev):
                plan = gold_plan(part, joined, offset, pos)
                if part.merge and plans:
                    _join(plans[-1], plan)
                else:
                    plans.append(plan)
        gold = {"source": f"raw/{src.name}", "encoding": records[0]["source"]["encoding"], "plans": plans}
        with atomic_path(raw_dir / src.name) as tmp:
            Path(tmp).write_bytes(data)
        target = gold_dir / f"{stem}.json"
        write_lines(target, [json.dumps(gold, ensure_ascii=False, indent=2)])
        result.files.append(target)
        counts["documents"] += 1
        for p in gold["plans"]:
            counts["plans"] += 1
            for key in ("targets", "deadlines", "sections"):
                counts[key] += len(p[key])
    result.counts = counts
    return result
