"""The small data classes that flow between stages.  No stage writes JSON:
only :mod:`plan_extract.output.record` knows the record layout.

Besides what a record holds, two working objects live here because a stage
makes them and a model reads them: a document's :class:`Line` (split) and a
target :class:`Candidate` (targets).  Keeping them here lets ``models`` read
stage objects without importing any stage.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Optional

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
    # one ``undecodable`` note per byte the reader could not decode (its text
    # ``\\xNN``) or lone surrogate it replaced (``\\uXXXX``), at the U+FFFD
    # that stands for it in ``text``
    notes: tuple[Note, ...] = ()
    # the path from the input's root that plan ids are built from (``None``: ``path``),
    # so that identical files in two places get different ids
    relpath: Optional[str] = None
    # where each page starts in ``text`` (PDF pages, the page breaks a Word
    # file records); empty when the format has no pages or none are known
    pages: tuple[int, ...] = ()
    ocr: tuple["OcrPage", ...] = ()  # the pages read by OCR

    def page_at(self, pos: int) -> Optional[int]:
        """The 1-based page holding ``text[pos]``; ``None`` without pages."""
        return bisect_right(self.pages, pos) if self.pages else None


@dataclass(frozen=True)
class OcrPage:
    """A page (or image) whose text OCR read, and how sure it was."""

    page: int  # 1-based
    confidence: float  # mean over its text lines, weighted by their length; 0 when none was read
    lines: int


@dataclass(frozen=True)
class Layout:
    """What a paged reader knows besides the text: page starts and OCR."""

    pages: tuple[int, ...] = ()
    ocr: tuple[OcrPage, ...] = ()
    notes: tuple[Note, ...] = ()


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
    page: Optional[int] = None  # set by Extraction.paged from the source's pages


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
    page: Optional[int] = None  # set by Extraction.paged from the source's pages


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
    owner: Optional[str] = None  # the responsible unit a table row names (责任科室), as written
    page: Optional[int] = None  # set by Extraction.paged from the source's pages


@dataclass(frozen=True)
class Extraction:
    """Everything found in one plan, ready for :mod:`plan_extract.output.record`."""

    source: Source
    script: str
    plan: Plan
    sections: tuple[Section, ...]
    targets: tuple = ()
    deadlines: tuple = ()
    cleaned_map: Optional[OffsetMap] = None  # cleaned text -> source text
    models: Optional[str] = None  # sha256 of the model files that decided; None: rules alone or unsaved models

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Character span in ``source.text`` of the plan text's ``[start, end)``."""
        a, b = self.plan.map.span(start, end)
        return self.cleaned_map.span(a, b) if self.cleaned_map else (a, b)

    def page_of(self, start: int) -> Optional[int]:
        """The source page (1-based) of the plan text's character ``start``."""
        if not self.source.pages:
            return None
        pos = self.plan.map.start(start)
        return self.source.page_at(self.cleaned_map.start(pos) if self.cleaned_map else pos)

    def paged(self) -> "Extraction":
        """This extraction with the ``page`` of every section, target and deadline
        (itself when the source has no pages)."""
        if not self.source.pages:
            return self
        sections, targets, deadlines = ([replace(x, page=self.page_of(x.start)) for x in items]
                                        for items in (self.sections, self.targets, self.deadlines))
        return replace(self, sections=tuple(sections), targets=tuple(targets), deadlines=tuple(deadlines))

    def source_byte_span(self, start: int, end: int) -> tuple[int, int]:
        """Byte span in the source file (encoding and BOM accounted for)."""
        a, b = self.source_span(start, end)
        enc = self.source.encoding or "utf-8"
        codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(enc, enc)
        bom = {"utf-8-sig": 3, "utf-16": 2}.get(enc, 0)
        text = self.source.text
        head = len(text[:a].encode(codec, "replace"))
        size = len(text[a:b].encode(codec, "replace"))
        before = [n.pos for n in self.source.notes if n.text.startswith("\\x")]
        if before:  # a U+FFFD that replaced an undecodable byte stands for that one byte
            extra = len("\ufffd".encode(codec, "replace")) - 1
            n_head, n_span = bisect_left(before, a), bisect_left(before, b) - bisect_left(before, a)
            head, size = head - extra * n_head, size - extra * n_span
        return bom + head, bom + head + size


# --- working objects shared by a stage and a model ------------------------

@dataclass(slots=True)
class Line:
    """One line of a cleaned document, as the split stage classifies it."""

    start: int
    end: int
    text: str
    view: str
    kind: str = "text"  # text, blank, title, or a kind of dropped material (split.DROPPED)
    ordinal: bool = False
    collection: bool = False
    heading: int = 0  # markdown heading level, 0 if none
    title: str = ""  # the title as written, formatting removed


class Flag:
    """What the targets stage noticed about a candidate's context; the rules
    decide on them and the classifier sees them as features (``flag=<name>``).
    Plain strings in a namespace, not an Enum: a candidate gets several and
    the rules test them often, and an Enum member costs a slow lookup each time."""

    NEVER = "never"  # a unit of populations, dosages, grades (岁, 片)
    TIME = "time"  # a time unit: without a cue, a duration
    CUE_ONLY = "cue_only"  # a grade or a bare number: a target only with a cue
    ZERO = "zero"  # 为零: a commitment to none
    PAST = "past"  # a past or present fact, or under a review heading
    REVIEW = "review"  # in a part of the document that reviews the past (一、2025年工作回顾)
    ACTUAL_COLUMN = "actual_column"  # in a table column of actual or base values (2025年基数)
    TARGET_COLUMN = "target_column"  # in a table column of planned values (2026年目标值)
    OTHER_COLUMN = "other_column"  # in a column beside a table's target column (增幅, 备注)
    PER_PERSON = "per_person"  # a per-person duty
    QUOTED = "quoted"  # inside quotation marks
    OPEN_END = "open_end"  # closes its clause
    CONDITION = "condition"  # describes a case (凡…, 连续…)
    ROUTINE = "routine"  # a scheduled activity or an article (一次, 一个)
    NOT_CONTEXT = "not_context"  # the words around it make it a name or a condition
    DOCUMENT_NAME = "document_name"  # inside 《…》
    FREQUENCY = "frequency"  # 每月1次
    INSIDE_WORD = "inside_word"  # a numeral inside a word (统一)
    RATE = "rate"  # a rate unit (%, ‰, 个百分点)
    TIME_MEASURE = "time_measure"  # a time right after a time measure's name (平均住院日9天)
    MORE_THAN = "more_than"  # 三十余人: the number itself says "more than"


@dataclass(slots=True)
class Candidate:
    """A number with a unit and what surrounds it in a plan's view."""

    start: int  # first character of the number
    end: int  # after the unit (and a per-unit such as /年)
    lo: str
    hi: Optional[str]
    unit: str
    placeholder: bool
    clause_start: int
    sentence_start: int = 0  # after the last 。；！？ or line break before the number
    cue: Optional[tuple[str, int, int]] = None  # comparator, start, end (before the number)
    after_cue: Optional[tuple[str, int, int]] = None  # comparator, start, end (after the unit)
    verb: Optional[tuple[int, int]] = None  # a planned-count verb before the number
    baseline_of: Optional[int] = None  # index of the target this number is the baseline of
    baseline_year: Optional[int] = None
    change_from: Optional[int] = None  # index of this target's "由/从" baseline
    metric_column: Optional[int] = None  # in a table row: the column naming the row's measure, if the header says
    column_measure: str = ""  # in a table row: the measure its value's column header names (免疫密度), if any
    flags: set[str] = field(default_factory=set)  # Flag names


class Decision(NamedTuple):
    """A candidate's label (``target``, ``baseline``, ``other``) and, when a
    model decided, its probability of being a target.  (A named tuple: one
    is made per candidate, and a frozen dataclass is slower to build.)"""

    label: str
    confidence: Optional[float] = None
