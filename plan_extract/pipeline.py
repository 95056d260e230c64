"""The flow of one document: read → clean → split → sections → record.

Each stage is called through :func:`_stage`, so any failure names its stage.
``batch`` and ``cli`` sit around this module, never inside it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterator, Optional, TypeVar

from . import read as read_stage
from .clean import clean
from .classify import load_models, model_decider
from .document import Extraction, Source
from .errors import StageError
from .record import to_record
from .rules import Rules, load_rules
from .deadlines import deadlines_of
from .sections import find_sections
from .split import split_plans
from .spans import section_titler
from .targets import targets_of

T = TypeVar("T")


def _stage(name: str, fn: Callable[..., T], *args, **kwargs) -> T:
    try:
        return fn(*args, **kwargs)
    except StageError:
        raise
    except Exception as exc:  # a bug or a pathological input: name the stage
        raise StageError(name, f"{type(exc).__name__}: {exc}") from exc


def _models(models):
    """``None``: the shipped models; ``False``: rules alone; else a dict of fitted models."""
    if models is False:
        return {}
    if models is None:
        return load_models() or {}
    return models


def extract_source(source: Source, *, rules: Optional[Rules] = None, models=None) -> list[Extraction]:
    """Run every stage after ``read`` on one decoded source.

    ``models``: ``None`` for the classifiers shipped in the package, ``False``
    for rules alone, or a dict as :func:`plan_extract.train.fit_models` gives.
    """
    return list(iter_extractions(source, rules=rules, models=models))


def iter_extractions(source: Source, *, rules: Optional[Rules] = None, models=None) -> Iterator[Extraction]:
    """:func:`extract_source`, one plan at a time: a caller that turns each plan
    into its record at once never holds the stages' objects of a whole file."""
    rules = rules or load_rules()
    models = _models(models)
    cleaned = _stage("clean", clean, source.text, rules=rules, hard_wrap=True if source.format == "pdf" else None)
    plans = _stage("split", split_plans, cleaned, rules=rules, line_model=models.get("lines"))
    for plan in plans:
        sections = _stage("sections", find_sections, plan, rules=rules)
        deadlines = _stage("deadlines", deadlines_of, plan, sections, rules=rules)
        decide = model_decider(models["candidates"], section_titler(sections)) if "candidates" in models else None
        targets = _stage("targets", targets_of, plan, sections, deadlines, rules=rules, decide_fn=decide)
        yield Extraction(source=source, script=cleaned.script, plan=plan, sections=sections,
                         targets=targets, deadlines=deadlines, cleaned_map=cleaned.map)


def _records(source: Source, rules: Optional[Rules], models) -> Iterator[dict]:
    return (_stage("record", to_record, ex) for ex in iter_extractions(source, rules=rules, models=models))


def extract_text(text: str, *, source: str = "<text>", rules: Optional[Rules] = None, models=None) -> list[dict]:
    """Records (SPEC §6) for a plan document given as a string."""
    data = text.encode("utf-8")
    src = Source(path=source, sha256=hashlib.sha256(data).hexdigest(), format="txt",
                 encoding="utf-8", text=text)
    return list(_records(src, rules, models))


def extract_bytes(data: bytes, *, path: str, rules: Optional[Rules] = None, models=None) -> list[dict]:
    """Records for one file's bytes; its format comes from ``path``'s suffix
    (an archive member's path is ``archive.zip!inner/name.docx``)."""
    return list(iter_bytes_records(data, path=path, rules=rules, models=models))


def iter_bytes_records(data: bytes, *, path: str, rules: Optional[Rules] = None, models=None) -> Iterator[dict]:
    """:func:`extract_bytes`, one record at a time (a batch serialises each
    record as it comes, so a large file's records are never all held as dicts).
    Reading happens here, before the first record: a bad file fails at once."""
    fmt = read_stage.format_of(path.rsplit("!", 1)[-1])
    if fmt is None:
        raise StageError("read", f"unsupported format {Path(path.rsplit('!', 1)[-1]).suffix or '(none)'!r}")
    source = _stage("read", read_stage.read_bytes, data, path=path, fmt=fmt)
    return _records(source, rules, models)


def extract_file(path: str | Path, *, rules: Optional[Rules] = None, models=None) -> list[dict]:
    """Records (SPEC §6) for one file; raises :class:`StageError` on bad input."""
    source = _stage("read", read_stage.read_file, path)
    return list(_records(source, rules, models))
