"""Stage ``record``: the only place that knows the JSON layout (SPEC §6).

Keys come in a fixed order and ids derive from the source's sha256 and the
plan's index, so the same input always gives byte-identical lines.
"""

from __future__ import annotations

import json

from .document import Extraction

SCHEMA_VERSION = "1.0"

SECTION_KEYS = ("id", "style", "level", "parent", "number", "marker", "title", "start", "end")


def plan_id(sha256: str, plan_index: int) -> str:
    return f"{sha256[:16]}-{plan_index}"


def to_record(ex: Extraction) -> dict:
    src = ex.source
    return {
        "schema_version": SCHEMA_VERSION,
        "id": plan_id(src.sha256, ex.plan.index),
        "source": {"path": src.path, "sha256": src.sha256, "format": src.format,
                   "encoding": src.encoding},
        "plan_index": ex.plan.index,
        "title": ex.plan.title,
        "year": ex.plan.year,
        "script": ex.script,
        "text": ex.plan.text,
        "sections": [{k: getattr(s, k) for k in SECTION_KEYS} for s in ex.sections],
        "targets": [dict(t) for t in ex.targets],
        "deadlines": [dict(d) for d in ex.deadlines],
        "warnings": [dict(w) for w in ex.warnings],
    }


def dumps(record: dict) -> str:
    """One JSONL line (no trailing newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
