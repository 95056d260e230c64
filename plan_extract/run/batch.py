"""Batch runs: many inputs in, ``plans.jsonl`` and ``errors.jsonl`` out.

- Every input (file, folder member, archive member) is processed on its own;
  a failure becomes one line of ``errors.jsonl`` (path, stage, reason) and
  never stops the run.
- ``jobs`` worker processes share the work; results are written in input
  order, so the output is the same whatever the number of workers.
- Each finished input's records go to ``OUTDIR/.plan_extract/done/<key>.jsonl``
  (written atomically), keyed by its path and sha256: a re-run, or a run
  that resumes after being killed, skips what is there (``force`` redoes it).
- ``plans.jsonl`` and ``errors.jsonl`` are assembled from those files at the
  end and moved into place atomically, so no reader sees a partial line.
- A document that takes longer than ``time_limit`` seconds is stopped and
  reported, so no pathological input stalls the batch.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..core.atomic import write_lines
from .dask import limited_task, ordered_map
from .inputs import Item, Limits, iter_items
from .worker import Task, extract_to_done, run_batch_to_disk, warm, write_done

WORK_DIR = ".plan_extract"


@dataclass
class BatchResult:
    files: int = 0
    plans: int = 0
    skipped: int = 0  # already done in an earlier run
    failed: list[dict] = field(default_factory=list)


# Inputs go to a local worker in small batches: the pool's cost per submission
# (pickling, queues, a wake-up of the parent) is paid once per batch, not per file.
BATCH_FILES = 8
BATCH_BYTES = 256 * 1024


def _batches(tasks: Iterator[Task]) -> Iterator[list[Task]]:
    batch: list[Task] = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += len(task.data)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _key(path: str, sha: str) -> str:
    return hashlib.sha256(f"{path}\0{sha}".encode()).hexdigest()[:32]


def _tasks(items: Iterator[Item], done: Path, force: bool, result: BatchResult, order: list,
           on_file: Optional[Callable]) -> Iterator[Task]:
    """Tasks still to run; inputs done before, or unreadable, are settled here."""

    def fail(path: str, stage: str, reason: str) -> None:
        error = {"path": path, "stage": stage, "reason": reason}
        order.append(("error", error))
        result.failed.append(error)
        result.files += 1
        if on_file:
            on_file(path, 0)

    for item in items:
        if item.error is not None:
            fail(item.path, item.error.stage, item.error.reason)
            continue
        try:
            data = item.load()
        except OSError as exc:
            fail(item.path, "read", f"cannot read file: {exc.strerror or exc}")
            continue
        key = _key(item.path, hashlib.sha256(data).hexdigest())
        order.append(("done", key))
        if not force and (done / f"{key}.jsonl").exists():
            result.skipped += 1
            result.files += 1
            result.plans += sum(1 for _ in open(done / f"{key}.jsonl", encoding="utf-8"))
            if on_file:
                on_file(item.path, 0)
            continue
        yield Task(item.path, data, key)


def run_batch(paths: Iterable[str | Path], outdir: str | Path, *, jobs: int = 1, force: bool = False,
              models=None, time_limit: Optional[float] = 120.0, limits: Limits = Limits(),
              on_file: Optional[Callable[[str, int], None]] = None, dask_client=None) -> BatchResult:
    """Extract every input under ``paths`` into ``outdir`` (see the module docstring).

    ``dask_client`` (a ``distributed.Client``) sends the work to a Dask
    cluster instead of local processes; the output is the same.
    """
    out = Path(outdir)
    done = out / WORK_DIR / "done"
    done.mkdir(parents=True, exist_ok=True)
    for stale in done.glob(".*"):  # temporary files of a run killed mid-write
        stale.unlink(missing_ok=True)
    result = BatchResult()
    order: list[tuple[str, object]] = []
    tasks = _tasks(iter_items(paths, limits), done, force, result, order, on_file)

    def settle(task: Task, written: tuple[int, Optional[dict]]) -> None:
        plans, error = written
        if error:
            result.failed.append(error)
            order[order.index(("done", task.key))] = ("error", error)
        result.plans += plans
        result.files += 1
        if on_file:
            on_file(task.path, plans)

    rules_only = models is False
    if dask_client is not None:
        for task, outcome in ordered_map(dask_client, limited_task, tasks, rules_only=rules_only, time_limit=time_limit):
            settle(task, write_done(done, task, outcome))
    elif jobs <= 1:
        for task in tasks:
            settle(task, extract_to_done(done, task, models, time_limit))
    else:
        warm()  # forked workers inherit the loaded models and dictionary instead of each loading them
        with ProcessPoolExecutor(max_workers=jobs, initializer=warm) as pool:
            # a sliding window: workers never wait for a window's slowest batch,
            # results settle in input order, and memory stays flat on huge archives
            pending: deque = deque()

            def settle_first() -> None:
                batch, future = pending.popleft()
                for task, written in zip(batch, future.result()):
                    settle(task, written)

            for batch in _batches(tasks):
                pending.append((batch, pool.submit(run_batch_to_disk, (batch, rules_only, time_limit, done))))
                if len(pending) >= jobs * 4:
                    settle_first()
            while pending:
                settle_first()
    write_lines(out / "plans.jsonl", _records(order, done))
    write_lines(out / "errors.jsonl", (json.dumps(e, ensure_ascii=False) for kind, e in order if kind == "error"))
    return result


def _records(order, done: Path) -> Iterator[str]:
    for kind, value in order:
        if kind == "done":
            with open(done / f"{value}.jsonl", encoding="utf-8") as fh:
                for line in fh:
                    yield line.rstrip("\n")
