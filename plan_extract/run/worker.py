"""One input through the pipeline, as every kind of worker runs it: guarded
so that bad input, a time-out, a memory error or any other exception becomes
one error line, and streamed to its done file (:mod:`plan_extract.run.batch`).
Only a failure to write the output (:class:`~plan_extract.core.atomic.OutputError`:
a full disk) passes, since it stops the run, not one input.

A local worker process dies with its parent (:func:`worker_init`), so a
``kill -9`` of the run leaves no worker behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

from ..api import iter_bytes_records
from ..core.atomic import OutputError, write_lines
from ..core.errors import StageError
from ..models import load_models
from ..output.record import dumps
from ..rules import load_rules
from ..stages.read import ocr
from ..text.segment import tokenizer


@dataclass(frozen=True)
class Task:
    path: str
    data: bytes
    key: str
    relpath: Optional[str] = None  # from the input's root: the plan ids' path (None: ``path``)


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so no stage's error handler swallows it."""


def _alarm(signum, frame):
    raise _Timeout()


def time_limit_error(path: str, time_limit: float) -> dict:
    return {"path": path, "stage": "extract", "reason": f"time limit of {time_limit:g} s exceeded"}


def warm(models=None) -> None:
    """Load the rules, the models (``models``: a folder, ``None`` for the default
    ones, ``False`` for none) and jieba's dictionary (a run calls this before
    its first document, so no document's clock counts them).

    They live as long as the process, so they are moved out of the garbage
    collector's sight (``gc.freeze``): its full collections stop walking the
    models' tables again and again, and a forked worker's collections no
    longer write to the pages it shares with its parent."""
    load_rules()
    if models is None or isinstance(models, (str, Path)):  # not False (rules alone) nor fitted models
        load_models(models)
    tokenizer()
    gc.freeze()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def worker_init(parent: int, models=None, jobs: int = 1) -> None:
    """A local worker's start: die with the parent ``parent``, tell OCR that
    ``jobs`` workers share the cores, then :func:`warm`.

    On Linux the kernel sends SIGKILL when the parent goes (prctl
    PR_SET_PDEATHSIG); elsewhere a thread checks the parent once a second.
    Either way a worker never outlives a killed run by more than its current
    document (the thread) or at all (Linux)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform.startswith("linux") else None
    if libc is None or libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the pool
    ocr.use_workers(jobs)
    warm(models)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _guarded(task: Task, time_limit: Optional[float], work: Callable, empty):
    """``(work(), None)``, or ``(empty, error line)`` when the input fails or
    runs out of time; never raises for bad input."""
    use_alarm = (bool(time_limit) and hasattr(signal, "SIGALRM")
                 and threading.current_thread() is threading.main_thread())  # Dask runs tasks in threads
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        return work(), None
    except StageError as exc:
        return empty, {"path": task.path, "stage": exc.stage, "reason": exc.reason}
    except _Timeout:
        return empty, time_limit_error(task.path, time_limit)
    except MemoryError:
        return empty, {"path": task.path, "stage": "extract", "reason": "out of memory"}
    except OutputError:
        raise  # the output cannot be written: the run stops, whatever the input
    except Exception as exc:  # a defect met by this input: its error line, not the end of the run
        return empty, {"path": task.path, "stage": "extract", "reason": f"internal error: {type(exc).__name__}: {exc}"}
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def _lines(task: Task, models) -> Iterator[str]:
    return (dumps(r) for r in iter_bytes_records(task.data, path=task.path, models=models, relpath=task.relpath))


def process_task(task: Task, models=None, time_limit: Optional[float] = None) -> tuple[list[str], Optional[dict]]:
    """JSON lines of one input, or its error line; never raises for bad input.
    (A remote worker sends these to the driver; a local one streams them to
    disk with :func:`extract_to_done`.)"""
    return _guarded(task, time_limit, lambda: list(_lines(task, models)), [])


def extract_to_done(done: Path, task: Task, models=None, time_limit: Optional[float] = None) -> tuple[int, Optional[dict]]:
    """Write one input's records to its done file as each plan's record comes,
    so a huge file's JSON lines are never held together; (number of records,
    error line).  A failure midway leaves no done file (:func:`write_lines`)."""
    return _guarded(task, time_limit, lambda: write_lines(done / f"{task.key}.jsonl", _lines(task, models),
                                                          durable=False), 0)


def run_task(args) -> tuple[list[str], Optional[dict]]:
    """``args``: (task, models: a folder, ``None`` for the default ones or ``False``, time limit)."""
    task, models, time_limit = args
    return process_task(task, models=models, time_limit=time_limit)


def write_done(done: Path, task: Task, outcome) -> tuple[int, Optional[dict]]:
    """Store an input's records (sent back by a Dask worker) in its done file;
    (number of records, error line)."""
    lines, error = outcome
    if error is None:
        write_lines(done / f"{task.key}.jsonl", lines, durable=False)
    return len(lines), error


def run_batch_to_disk(args) -> list[tuple[int, Optional[dict]]]:
    """A local worker runs a batch of inputs and writes their done files
    itself, so the parent, which shares the cores with the workers, only
    reads, orders and reports."""
    tasks, models, time_limit, done = args
    return [extract_to_done(done, task, models, time_limit) for task in tasks]
