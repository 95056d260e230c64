"""Stage ``record``: the only place that knows the JSON layout (SPEC §6).

Keys come in a fixed order and ids derive from the source's sha256, its path
relative to the input's root and the plan's index, so the same input always
gives byte-identical lines and identical files in two places differ.
"""

from __future__ import annotations

import hashlib
import json

from ..core.document import Extraction

SCHEMA_VERSION = "1.0"

RECORD_KEYS = ("schema_version", "id", "source", "plan_index", "title", "year", "script", "text",
               "sections", "targets", "deadlines", "warnings", "models")
SOURCE_KEYS = ("path", "sha256", "format", "encoding", "ocr")
OCR_KEYS = ("pages", "mean_confidence")
OCR_PAGE_KEYS = ("page", "confidence", "lines")
BASELINE_KEYS = ("value", "unit", "year")
SECTION_KEYS = ("id", "style", "level", "parent", "number", "marker", "title", "start", "end", "page")
TARGET_KEYS = ("id", "metric", "comparator", "value", "value_max", "unit", "placeholder", "baseline",
               "text", "start", "end", "section", "deadline", "confidence", "owner", "page")
DEADLINE_KEYS = ("id", "kind", "value", "recurrence", "text", "start", "end", "section", "page")


def plan_id(sha256: str, relpath: str, plan_index: int) -> str:
    """16 hex digits of the sha256 of the source's path (relative to its input
    root) and content, then the plan's index."""
    key = hashlib.sha256(f"{relpath}\0{sha256}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[:16]}-{plan_index}"


def to_record(ex: Extraction) -> dict:
    src = ex.source
    return {
        "schema_version": SCHEMA_VERSION,
        "id": plan_id(src.sha256, src.relpath or src.path, ex.plan.index),
        "source": {**{k: getattr(src, k) for k in SOURCE_KEYS[:-1]}, "ocr": _ocr(src.ocr)},
        "plan_index": ex.plan.index,
        "title": ex.plan.title,
        "year": ex.plan.year,
        "script": ex.script,
        "text": ex.plan.text,
        "sections": [{k: getattr(s, k) for k in SECTION_KEYS} for s in ex.sections],
        "targets": [_target(t) for t in ex.targets],
        "deadlines": [{k: getattr(d, k) for k in DEADLINE_KEYS} for d in ex.deadlines],
        "warnings": [dict(w) for w in ex.plan.warnings],
        "models": ex.models,
    }


def _ocr(pages) -> dict | None:
    """The pages OCR read and their mean confidence; ``None`` when none was."""
    if not pages:
        return None
    return {"pages": [{k: getattr(p, k) for k in OCR_PAGE_KEYS} for p in pages],
            "mean_confidence": round(sum(p.confidence for p in pages) / len(pages), 4)}


def _target(t) -> dict:
    out = {k: getattr(t, k) for k in TARGET_KEYS}
    if t.baseline is not None:
        out["baseline"] = {k: getattr(t.baseline, k) for k in BASELINE_KEYS}
    return out


def dumps(record: dict) -> str:
    """One JSONL line (no trailing newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
