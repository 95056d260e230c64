"""The flow of one document, and the public functions around it:

    read → clean → split → sections → deadlines → targets → record

This is the only module that chains stages.  Each stage is called through
:func:`_stage`, so any failure names its stage; the trained models are
turned into the decisions the split and targets stages accept
(:mod:`plan_extract.models.deciders`) here, so no stage imports a model.
``run`` (batches, workers, Dask) and ``cli`` sit around this module.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Optional, TypeVar

from .core.document import Cleaned, Extraction, Source
from .core.errors import StageError
from .models import candidate_decider, line_decider, load_models
from .output.record import to_record
from .rules import Rules, load_rules
from .stages import read as read_stage
from .stages.clean import clean
from .stages.deadlines import deadlines_of
from .stages.sections import find_sections
from .stages.split import split_plans
from .stages.targets import targets_of

T = TypeVar("T")


def _stage(name: str, fn: Callable[..., T], *args, **kwargs) -> T:
    try:
        return fn(*args, **kwargs)
    except StageError:
        raise
    except Exception as exc:  # a bug or a pathological input: name the stage
        raise StageError(name, f"{type(exc).__name__}: {exc}") from exc


def _models(models) -> dict:
    """``None``: the default models (``$PLAN_EXTRACT_MODELS`` or the shipped ones);
    ``False``: rules alone; a folder: the models saved there; else a dict of fitted models."""
    if models is False:
        return {}
    if models is None or isinstance(models, (str, Path)):
        return load_models(models) or {}
    return models


def prepare(source: Source, *, rules: Optional[Rules] = None) -> Cleaned:
    """The clean stage as a run calls it: a PDF's hard-wrapped lines are
    re-joined (and those of text OCR read), a spreadsheet's rows never, other formats are checked for hard wrapping (training and the
    gold validator call this too, so they see what a run sees)."""
    cleaned = clean(source.text, rules=rules or load_rules(), hard_wrap=True if source.ocr else read_stage.HARD_WRAP.get(source.format),
                    pages=source.pages)
    if source.notes:  # bytes the reader replaced: counted in the warnings of the plan that holds them
        cleaned = replace(cleaned, notes=cleaned.notes + source.notes)
    return cleaned


def extract_source(source: Source, *, rules: Optional[Rules] = None, models=None) -> list[Extraction]:
    """Run every stage after ``read`` on one decoded source.

    ``models``: ``None`` for the default classifiers (those of the folder
    ``$PLAN_EXTRACT_MODELS`` names, else those shipped in the package), ``False``
    for rules alone, a folder that ``plan-extract train`` wrote, or a dict as
    :func:`plan_extract.training.train.fit_models` gives.
    """
    return list(iter_extractions(source, rules=rules, models=models))


def iter_extractions(source: Source, *, rules: Optional[Rules] = None, models=None) -> Iterator[Extraction]:
    """:func:`extract_source`, one plan at a time: a caller that turns each plan
    into its record at once never holds the stages' objects of a whole file."""
    rules = rules or load_rules()
    models = _models(models)
    lines = line_decider(models["lines"]) if "lines" in models else None
    decide = candidate_decider(models["candidates"]) if "candidates" in models else None
    cleaned = _stage("clean", prepare, source, rules=rules)
    plans = _stage("split", split_plans, cleaned, rules=rules, line_decider=lines)
    for plan in plans:
        sections = _stage("sections", find_sections, plan, rules=rules)
        deadlines = _stage("deadlines", deadlines_of, plan, sections, rules=rules)
        targets = _stage("targets", targets_of, plan, sections, deadlines, rules=rules, decide=decide)
        yield Extraction(source=source, script=cleaned.script, plan=plan, sections=sections,
                         targets=targets, deadlines=deadlines, cleaned_map=cleaned.map,
                         models=models.get("sha256") if (lines or decide) else None).paged()


def _records(source: Source, rules: Optional[Rules], models) -> Iterator[dict]:
    return (_stage("record", to_record, ex) for ex in iter_extractions(source, rules=rules, models=models))


def extract_text(text: str, *, source: str = "<text>", rules: Optional[Rules] = None, models=None) -> list[dict]:
    """Records (SPEC §6) for a plan document given as a string. A lone
    surrogate in ``text`` (no file can hold one) becomes U+FFFD and is counted
    in the record's ``warnings`` as ``undecodable``."""
    src = _stage("read", read_stage.read_text, text, path=source)
    return list(_records(src, rules, models))


def extract_bytes(data: bytes, *, path: str, rules: Optional[Rules] = None, models=None,
                  relpath: Optional[str] = None) -> list[dict]:
    """Records for one file's bytes; its format comes from ``path``'s suffix
    (an archive member's path is ``archive.zip!inner/name.docx``).  Plan ids
    are built from ``relpath`` (the path from the input's root; default ``path``)."""
    return list(iter_bytes_records(data, path=path, rules=rules, models=models, relpath=relpath))


def iter_bytes_records(data: bytes, *, path: str, rules: Optional[Rules] = None, models=None,
                       relpath: Optional[str] = None) -> Iterator[dict]:
    """:func:`extract_bytes`, one record at a time (a batch serialises each
    record as it comes, so a large file's records are never all held as dicts).
    Reading happens here, before the first record: a bad file fails at once."""
    fmt = read_stage.format_of(path.rsplit("!", 1)[-1])
    if fmt is None:
        raise StageError("read", f"unsupported format {Path(path.rsplit('!', 1)[-1]).suffix or '(none)'!r}")
    source = _stage("read", read_stage.read_bytes, data, path=path, fmt=fmt)
    return _records(replace(source, relpath=relpath) if relpath else source, rules, models)


def extract_file(path: str | Path, *, rules: Optional[Rules] = None, models=None) -> list[dict]:
    """Records (SPEC §6) for one file; raises :class:`StageError` on bad input.
    Its plan ids are those ``plan-extract run FILE`` gives (built from the file's name)."""
    source = _stage("read", read_stage.read_file, path)
    return list(_records(replace(source, relpath=Path(os.path.abspath(path)).name), rules, models))
