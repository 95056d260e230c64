"""Batch runs: many files in, ``plans.jsonl`` and ``errors.jsonl`` out.

A failing file becomes one line of ``errors.jsonl`` (path, stage, reason)
and never stops the run.  Outputs are written to temporary files and moved
into place at the end, so a reader never sees a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import StageError
from .pipeline import extract_file
from .record import dumps


@dataclass
class BatchResult:
    files: int = 0
    plans: int = 0
    failed: list[dict] = field(default_factory=list)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under ``paths`` (folders recursively, hidden entries skipped), sorted."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = [f for f in p.rglob("*")
                     if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)]
            yield from sorted(found, key=lambda f: f.as_posix())
        else:
            yield p


def process_file(path: Path, *, models=None) -> tuple[list[dict], Optional[dict]]:
    """Records of one file, or an error line; never raises for bad input."""
    try:
        if not path.exists():
            raise StageError("read", "no such file")
        return extract_file(path, models=models), None
    except StageError as exc:
        return [], {"path": path.as_posix(), "stage": exc.stage, "reason": exc.reason}


class AtomicWriter:
    """Lines go to a temporary file beside the target, renamed on commit."""

    def __init__(self, target: Path):
        self.target = target
        fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, line: str) -> None:
        self.fh.write(line + "\n")

    def commit(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        self.fh.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def run_batch(paths: Iterable[str | Path], outdir: str | Path, *,
              on_file: Optional[Callable[[Path, int], None]] = None, models=None) -> BatchResult:
    """Extract every file under ``paths`` into ``outdir``."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    result = BatchResult()
    plans_w = AtomicWriter(out / "plans.jsonl")
    errors_w = AtomicWriter(out / "errors.jsonl")
    try:
        for path in iter_files(paths):
            records, error = process_file(path, models=models)
            for rec in records:
                plans_w.write(dumps(rec))
            if error:
                errors_w.write(json.dumps(error, ensure_ascii=False))
                result.failed.append(error)
            result.files += 1
            result.plans += len(records)
            if on_file:
                on_file(path, len(records))
    except BaseException:
        plans_w.abort()
        errors_w.abort()
        raise
    plans_w.commit()
    errors_w.commit()
    return result
