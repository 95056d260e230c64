"""JSON Schema of one plan record (SPEC §6), printed by ``plan-extract schema``.

The keys are :mod:`plan_extract.output.record`'s, the closed vocabularies
:mod:`plan_extract.core.vocabulary`'s: this module adds only their types."""

from __future__ import annotations

from ..core.vocabulary import ANY_VALUE, RRULE, Comparator, DeadlineKind, MarkerStyle, Script, values
from ..stages.read import FORMATS
from .record import (BASELINE_KEYS, DEADLINE_KEYS, OCR_KEYS, OCR_PAGE_KEYS, RECORD_KEYS, SCHEMA_VERSION,
                     SECTION_KEYS, SOURCE_KEYS, TARGET_KEYS)

_NULLABLE_STR = {"type": ["string", "null"]}
_NUMBER = {"type": ["number", "null"]}
_SPAN = {"start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
         "page": {"type": ["integer", "null"], "minimum": 1}}  # the source page of ``start``, null when unknown


def _items(keys: tuple[str, ...], properties: dict) -> dict:
    """An array of closed objects with exactly ``keys``, each span-bearing."""
    return {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": list(keys),
                                       "properties": {**properties, **_SPAN}}}


def record_schema() -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"plan_extract/record/{SCHEMA_VERSION}",
        "title": "plan_extract plan record",
        "type": "object",
        "additionalProperties": False,
        "required": list(RECORD_KEYS),
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "id": {"type": "string", "pattern": r"^[0-9a-f]{16}-\d+$"},
            "source": {
                "type": "object", "additionalProperties": False,
                "required": list(SOURCE_KEYS),
                "properties": {
                    "path": {"type": "string"},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "format": {"enum": list(dict.fromkeys(FORMATS.values()))},
                    "encoding": _NULLABLE_STR,
                    "ocr": {"oneOf": [{"type": "null"}, {
                        "type": "object", "additionalProperties": False, "required": list(OCR_KEYS),
                        "properties": {
                            "pages": {"type": "array", "minItems": 1, "items": {
                                "type": "object", "additionalProperties": False, "required": list(OCR_PAGE_KEYS),
                                "properties": {"page": {"type": "integer", "minimum": 1},
                                               "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                                               "lines": {"type": "integer", "minimum": 0}}}},
                            "mean_confidence": {"type": "number", "minimum": 0, "maximum": 1}}}]},
                },
            },
            "plan_index": {"type": "integer", "minimum": 0},
            "title": _NULLABLE_STR,
            "year": {"type": ["integer", "null"], "minimum": 1900, "maximum": 2100},
            "script": {"enum": values(Script)},
            "text": {"type": "string"},
            "sections": _items(SECTION_KEYS, {
                "id": {"type": "string", "pattern": r"^s\d+$"},
                "style": {"enum": values(MarkerStyle)},
                "level": {"type": "integer", "minimum": 1},
                "parent": {"type": ["string", "null"], "pattern": r"^s\d+$"},
                "number": {"type": "integer"},
                "marker": {"type": "string", "minLength": 1},
                "title": {"type": "string", "maxLength": 60},
            }),
            "targets": _items(TARGET_KEYS, {
                "id": {"type": "string", "pattern": r"^t\d+$"},
                "metric": {"type": "string"},
                "comparator": {"enum": values(Comparator)},
                "value": _NUMBER,
                "value_max": _NUMBER,
                "unit": _NULLABLE_STR,
                "placeholder": {"type": "boolean"},
                "baseline": {"oneOf": [{"type": "null"}, {
                    "type": "object", "additionalProperties": False, "required": list(BASELINE_KEYS),
                    "properties": {"value": _NUMBER, "unit": _NULLABLE_STR, "year": {"type": ["integer", "null"]}}}]},
                "text": {"type": "string", "minLength": 1},
                "section": {"type": ["string", "null"]},
                "deadline": {"type": ["string", "null"]},
                "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                "owner": _NULLABLE_STR,
            }),
            "deadlines": _items(DEADLINE_KEYS, {
                "id": {"type": "string", "pattern": r"^d\d+$"},
                "kind": {"enum": values(DeadlineKind)},
                "value": {"type": ["string", "null"], "pattern": ANY_VALUE},
                "recurrence": {"type": ["string", "null"], "pattern": RRULE},
                "text": {"type": "string", "minLength": 1},
                "section": {"type": ["string", "null"]},
            }),
            "warnings": {"type": "array", "items": {
                "type": "object", "required": ["code", "count"],
                "properties": {"code": {"enum": ["dropped", "mojibake", "undecodable", "ocr_low_confidence"]}, "kind": {"type": "string"},
                               "count": {"type": "integer", "minimum": 1},
                               "examples": {"type": "array", "items": {"type": "string"}}}}},
            "models": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
        },
    }
