"""The small data classes that flow between stages.  No stage writes JSON:
only :mod:`plan_extract.record` knows the record layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .offsets import OffsetMap


@dataclass(frozen=True)
class Note:
    """Something a stage dropped or could not repair, at a source position."""

    kind: str
    pos: int
    text: str = ""


@dataclass(frozen=True)
class Source:
    """A decoded input file."""

    path: str
    sha256: str
    format: str
    encoding: str
    text: str


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text, its same-length matching view and the way back."""

    text: str
    view: str  # simplified, full-width folded; same length as ``text``
    map: OffsetMap  # cleaned text -> source text
    script: str
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Plan:
    """One plan cut out of a cleaned document."""

    index: int
    title: Optional[str]
    year: Optional[int]
    text: str
    view: str
    map: OffsetMap  # plan text -> cleaned text
    warnings: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    style: str
    level: int
    parent: Optional[str]
    number: int
    marker: str
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Deadline:
    id: str
    text: str
    start: int
    end: int
    kind: str  # by, on, range, from, within, recurring
    value: Optional[str]  # EDTF date/interval or ISO 8601 duration; None when recurring
    recurrence: Optional[str]  # RFC 5545 RRULE
    section: Optional[str]


@dataclass(frozen=True)
class Baseline:
    value: Optional[float]
    unit: Optional[str]
    year: Optional[int]


@dataclass(frozen=True)
class Target:
    id: str
    text: str
    start: int
    end: int
    metric: str
    comparator: str
    value: Optional[float]
    value_max: Optional[float]
    unit: str
    placeholder: bool
    baseline: Optional[Baseline]
    section: Optional[str]
    deadline: Optional[str]
    confidence: Optional[float]


@dataclass(frozen=True)
class Extraction:
    """Everything found in one plan, ready for :mod:`plan_extract.record`."""

    source: Source
    script: str
    plan: Plan
    sections: tuple[Section, ...]
    targets: tuple = ()
    deadlines: tuple = ()
    cleaned_map: Optional[OffsetMap] = None  # cleaned text -> source text

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Character span in ``source.text`` of the plan text's ``[start, end)``."""
        a, b = self.plan.map.span(start, end)
        return self.cleaned_map.span(a, b) if self.cleaned_map else (a, b)

    def source_byte_span(self, start: int, end: int) -> tuple[int, int]:
        """Byte span in the source file (encoding and BOM accounted for)."""
        a, b = self.source_span(start, end)
        enc = self.source.encoding or "utf-8"
        codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(enc, enc)
        bom = {"utf-8-sig": 3, "utf-16": 2}.get(enc, 0)
        text = self.source.text
        head = len(text[:a].encode(codec))
        return bom + head, bom + head + len(text[a:b].encode(codec))
