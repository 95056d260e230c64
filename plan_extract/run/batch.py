"""Batch runs: many inputs in, ``plans.jsonl`` and ``errors.jsonl`` out.

- Every input (file, folder member, archive member) is processed on its own;
  a failure becomes one line of ``errors.jsonl`` (path, stage, reason) and
  never stops the run.
- ``jobs`` worker processes share the work; results are written in input
  order, so the output is the same whatever the number of workers.
- Each finished input's records go to ``OUTDIR/.plan_extract/done/<key>.jsonl``
  (written atomically), keyed by its path, its sha256 and everything else a
  record depends on (:mod:`plan_extract.run.manifest`: the package, the
  rules, the models, the options): a re-run with the same settings, or a run
  that resumes after being killed, skips what is there (``force`` redoes it).
  Once the output is written, done files no run has used for 30 days
  (inputs gone, settings no longer run) are deleted, so the folder does not
  grow run after run.
- ``plans.jsonl``, ``errors.jsonl`` and ``manifest.json`` are assembled at the
  end and moved into place atomically, so no reader sees a partial line; the
  files an older run derived from ``plans.jsonl`` (tables, the review page)
  are removed first, so none describes other records.
- A run that found no input (:class:`NoInput`) writes nothing; one whose
  every input failed leaves an earlier run's output as it was.
- A document that takes longer than ``time_limit`` seconds is stopped and
  reported, so no pathological input stalls the batch; a worker process
  that dies fails only its batch, which is retried with each input alone
  (:mod:`plan_extract.run.pool`).
- One run at a time holds OUTDIR (:mod:`plan_extract.run.outdir`); a second
  refuses.  Output that cannot be written (a full disk) stops the run with
  an :class:`~plan_extract.core.atomic.OutputError` and leaves the old
  ``plans.jsonl`` and ``errors.jsonl`` as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..core.atomic import output_error, write_files
from ..core.errors import StageError
from ..models.store import load_models, models_folder
from .archives import shown
from .dask import limited_task, ordered_map
from .inputs import Item, Limits, iter_items
from .manifest import done_key, manifest_lines, settings
from .outdir import WORK_DIR, claim, prune_done, remove_derived
from .worker import Task, extract_to_done, warm, write_done

__all__ = ["BatchResult", "NoInput", "WORK_DIR", "run_batch"]


class NoInput(ValueError):
    """The paths hold no input at all (an empty folder): nothing was written."""

    def __init__(self, paths):
        named = ", ".join(shown(str(p)) for p in paths)
        super().__init__(f"no input found in {named}: nothing to extract (the output folder was left as it was)")


@dataclass
class BatchResult:
    files: int = 0
    plans: int = 0
    skipped: int = 0  # already done in an earlier run
    failed: list[dict] = field(default_factory=list)
    retried: int = 0  # inputs run again, each alone, after a worker process died
    written: bool = False  # plans.jsonl replaced (False: every input failed, an earlier output kept)
    removed: list[Path] = field(default_factory=list)  # an older run's derived files, removed
    pruned: int = 0  # done files no run used for DONE_KEPT_DAYS, deleted once the output was written


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


def _tasks(items: Iterator[Item], done: Path, force: bool, result: BatchResult, order: list, slots: deque,
           on_file: Optional[Callable], digest: str) -> Iterator[Task]:
    """Tasks still to run; inputs done before, or unreadable, are settled here.
    Each task's place in ``order`` goes to ``slots``, in the order the tasks go out."""

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
        except StageError as exc:
            fail(item.path, exc.stage, exc.reason)
            continue
        except OSError as exc:
            fail(item.path, "read", f"cannot read file: {exc.strerror or exc}")
            continue
        except Exception as exc:  # no input may end the run
            fail(item.path, "read", f"cannot read file: {type(exc).__name__}: {exc}")
            continue
        key = done_key(item.path, item.relpath, hashlib.sha256(data).hexdigest(), digest)
        order.append(("done", key))
        if not force and (done / f"{key}.jsonl").exists():
            result.skipped += 1
            result.files += 1
            result.plans += _count_lines(done / f"{key}.jsonl")
            if on_file:
                on_file(item.path, 0)
            continue
        slots.append(len(order) - 1)
        yield Task(item.path, data, key, item.relpath)


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    except OSError as exc:
        raise output_error(path, exc) from None


def _models_spec(models):
    """(what workers are given, the loaded models, where they came from) for ``models``:
    ``None`` (the default ones), ``False`` (none), a folder, or a dict of fitted models."""
    if models is False:
        return False, None, None
    if isinstance(models, dict):
        return models, models, "given"
    folder, where = models_folder(models)
    loaded = load_models(models)  # a folder asked for that holds no models raises ModelsMissing here
    return (None if where == "shipped" else str(folder)), loaded, (where if where != "given" else str(folder))


def run_batch(paths: Iterable[str | Path], outdir: str | Path, *, jobs: int = 1, force: bool = False,
              models=None, time_limit: Optional[float] = 120.0, limits: Limits = Limits(),
              on_file: Optional[Callable[[str, int], None]] = None, dask_client=None) -> BatchResult:
    """Extract every input under ``paths`` into ``outdir`` (see the module docstring).

    ``models``: ``None`` for the default models (``$PLAN_EXTRACT_MODELS`` or
    the shipped ones), ``False`` for the rules alone, or a folder that
    ``plan-extract train`` wrote.  ``dask_client`` (a ``distributed.Client``)
    sends the work to a Dask cluster instead of local processes; the output is
    the same.  Raises :class:`NoInput` when ``paths`` hold no input,
    :class:`~plan_extract.models.store.ModelsMissing` when a models folder
    asked for holds none, :class:`~plan_extract.core.atomic.OutputError` when
    the output cannot be written (a full disk, no permission, the folder gone)
    or :class:`~plan_extract.run.outdir.OutdirBusy` when another run holds
    ``outdir``; the outputs of earlier runs are left as they were.
    """
    paths = list(paths)
    out = Path(outdir)
    spec, loaded, models_from = _models_spec(models)
    config = settings(loaded, models_from, rules_only=models is False)
    with claim(out) as done:
        result = BatchResult()
        order: list[tuple[str, object]] = []
        slots: deque = deque()
        tasks = _tasks(iter_items(paths, limits, skip=out), done, force, result, order, slots, on_file,
                       config.digest())

        def settle(task: Task, written: tuple[int, Optional[dict]]) -> None:
            plans, error = written
            slot = slots.popleft()  # tasks settle in the order they went out
            if error:
                result.failed.append(error)
                order[slot] = ("error", error)
            result.plans += plans
            result.files += 1
            if on_file:
                on_file(task.path, plans)

        def retried(batch: list[Task], why: str) -> None:
            result.retried += len(batch)

        if dask_client is not None:
            for task, outcome in ordered_map(dask_client, limited_task, tasks, models=spec, time_limit=time_limit):
                settle(task, write_done(done, task, outcome))
        elif jobs <= 1:
            for n, task in enumerate(tasks):
                if n == 0:
                    warm(spec)  # here, not on a run that finds every input done
                settle(task, extract_to_done(done, task, spec, time_limit))
        else:
            warm(spec)  # forked workers inherit the loaded models and dictionary instead of each loading them
            from .pool import LocalPool  # pebble's import is 0.06 s a run of one worker never needs

            LocalPool(jobs, done, spec, time_limit, on_retry=retried).run(_batches(tasks), settle)
        if not result.files:
            raise NoInput(paths)
        if len(result.failed) == result.files and _has_records(out / "plans.jsonl"):
            return result  # only failures: the earlier run's good output stays
        result.removed = remove_derived(out)
        manifest = config.manifest([shown(Path(p).as_posix()) for p in paths], files=result.files, plans=result.plans,
                                   failed=len(result.failed))
        write_files({out / "plans.jsonl": _records(order, done),
                     out / "errors.jsonl": (json.dumps(e, ensure_ascii=False) for kind, e in order if kind == "error"),
                     out / "manifest.json": manifest_lines(manifest)})
        result.written = True
        result.pruned = prune_done(done, {value for kind, value in order if kind == "done"})
    return result


def _has_records(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise output_error(path, exc) from None


def _records(order, done: Path) -> Iterator[str]:
    for kind, value in order:
        if kind == "done":
            path = done / f"{value}.jsonl"
            try:
                with open(path, encoding="utf-8") as fh:
                    for line in fh:
                        yield line.rstrip("\n")
            except OSError as exc:
                raise output_error(path, exc) from None
