"""One run at a time in an OUTDIR: the lock, and the sweep of what dead runs left.

A run holds ``OUTDIR/.plan_extract/lock`` (``flock``, with its pid written
in the file for the message) from start to end.  The kernel drops the lock
when its owner dies, however it dies, so a stale lock is taken over without
any guessing from pids; a second run while the first lives refuses at once
with :class:`OutdirBusy` (it does not wait: a user who started two runs by
mistake learns it now, not after the first one's hours).  Holding the lock,
a run deletes the temporary files that dead processes left (a run killed
while it wrote a done file or assembled ``plans.jsonl``); a live writer's
file is never touched (:func:`plan_extract.core.atomic.sweep_temporaries`).
:func:`remove_derived` deletes the tables and review page of an older run
when a run replaces ``plans.jsonl``.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from ..core.atomic import OutputError, output_error, sweep_temporaries
from ..output.export import TABLES

try:
    import fcntl
except ImportError:  # Windows: no flock; the pid-named temporary files still keep runs apart
    fcntl = None

WORK_DIR = ".plan_extract"
OUTPUT_STEMS = ("plans", "errors", "manifest", *TABLES, "report")
TABLE_FORMATS = ("csv", "parquet", "xlsx")


class OutdirBusy(OutputError):
    """Another live run holds OUTDIR."""

    def __init__(self, path, owner: str):
        super().__init__(path, f"in use by another plan-extract run (pid {owner or 'unknown'}); "
                               f"wait for it to finish or choose another OUTDIR")
        self.owner = owner

    def __str__(self) -> str:
        return f"{self.path} is {self.reason}"

    def __reduce__(self):
        return (type(self), (self.path, self.owner))


def _lock(outdir: Path, work: Path) -> int:
    """The lock's descriptor, held; raises :class:`OutdirBusy` while another run holds it."""
    path = work / "lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise output_error(path, exc) from None
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise OutdirBusy(outdir, owner) from None
    except OSError as exc:
        os.close(fd)
        raise output_error(path, exc) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError as exc:
        os.close(fd)
        raise output_error(path, exc) from None
    return fd


@contextmanager
def claim(outdir: str | Path) -> Iterator[Path]:
    """Hold ``outdir`` for one run; yields its folder of done files.

    Creates the folders, takes the lock, sweeps dead runs' temporary files,
    and releases the lock at the end.  Raises :class:`OutputError` (the path
    and the reason) when the folder cannot be made or written."""
    out = Path(outdir)
    work = out / WORK_DIR
    done = work / "done"
    try:
        done.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(done, exc) from None
    fd = _lock(out, work)
    try:
        sweep_temporaries(done)  # a folder only this package writes
        sweep_temporaries(out, OUTPUT_STEMS)
        sweep_temporaries(out / "tables", OUTPUT_STEMS)
        yield done
    finally:
        try:
            os.ftruncate(fd, 0)  # no owner named once released
        except OSError:
            pass
        os.close(fd)


def derived_files(outdir: Path) -> list[Path]:
    """The files ``plan-extract export`` and ``report`` write from ``plans.jsonl``
    (their default names), where they exist."""
    out = Path(outdir)
    candidates = [out / "report.html", *(out / "tables" / f"{name}.{fmt}" for name in TABLES
                                         for fmt in TABLE_FORMATS)]
    return [p for p in dict.fromkeys(candidates) if p.is_file()]


def remove_derived(outdir: Path) -> list[Path]:
    """Delete what an older run derived from ``plans.jsonl`` (tables, the
    review page) before a run replaces it, so none describes other records; the
    paths removed.  Removed first: a run that then fails to write leaves the
    old ``plans.jsonl`` without them, never new records beside stale ones."""
    removed = []
    for path in derived_files(outdir):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise output_error(path, exc) from None
        removed.append(path)
    return removed


DONE_KEPT_DAYS = 30  # a done file no run has used for this long is deleted


def prune_done(done: Path, used: set[str], now: Optional[float] = None) -> int:
    """Mark the done files (``<key>.jsonl``) this run used (their time is set
    to now) and delete those no run has used for ``DONE_KEPT_DAYS``: inputs
    gone from the archive, settings no longer run (older rules or models).
    Settings switched back and forth within that time still resume; the
    folder no longer grows run after run.  The number deleted."""
    now = time.time() if now is None else now
    pruned = 0
    for path in done.glob("*.jsonl"):
        try:
            if path.stem in used:
                os.utime(path, (now, now))
            elif path.stat().st_mtime < now - DONE_KEPT_DAYS * 86400:
                path.unlink()
                pruned += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise output_error(path, exc) from None
    return pruned
