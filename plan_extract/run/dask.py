"""Scale-out on Dask: the batch on a cluster, and records and tables as Dask collections.

- ``plan-extract run PATHS -o OUT --dask tcp://HOST:8786`` (or ``--dask local``)
  sends each input to the cluster's workers through :func:`ordered_map`; the
  driver writes the same ``plans.jsonl`` and ``errors.jsonl`` as ``-j1``, in
  input order, with the same resume and error rules.  A worker that dies
  mid-run loses nothing: its tasks are retried on the others.  The
  per-document time limit holds there too (:func:`limited_task`).
- :func:`records_bag` turns paths (or a ``dask.bag`` of paths) into a bag of
  records; :func:`tables` reads a run's output as Dask DataFrames.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from ..output.export import COLUMNS, TABLES, rows
from .inputs import iter_items
from .worker import Task, process_task, run_task, time_limit_error, warm

RETRIES = 3
GRACE = 5.0  # seconds past the time limit before a child that ignores its alarm is killed

_children: dict[int, "_Child"] = {}  # worker thread id -> its child process
_children_lock = threading.Lock()
_HEAD = struct.Struct("<Q")


def _child_loop() -> None:
    """The child's side: warm up, say so, then run each pickled task it is sent."""
    out = os.fdopen(os.dup(1), "wb")  # the protocol's pipe; stray prints go to stderr
    os.dup2(2, 1)
    warm()
    out.write(b"R")
    out.flush()
    inp = sys.stdin.buffer
    while len(head := inp.read(_HEAD.size)) == _HEAD.size:
        result = pickle.dumps(run_task(pickle.loads(inp.read(_HEAD.unpack(head)[0]))))
        out.write(_HEAD.pack(len(result)) + result)
        out.flush()


class _Child:
    """A Python process beside a Dask worker thread that runs its documents.

    A subprocess, not multiprocessing: Dask's worker processes are daemonic
    and may not have multiprocessing children."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", "from plan_extract.run.dask import _child_loop; _child_loop()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if self.proc.stdout.read(1) != b"R":  # models loaded before any clock starts
            raise RuntimeError(f"plan_extract child process exited with {self.proc.wait()}")

    def run(self, args, timeout: float):
        """The task's result, or None when it is not back within ``timeout`` seconds."""
        data = pickle.dumps(args)
        self.proc.stdin.write(_HEAD.pack(len(data)) + data)
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        head = self.proc.stdout.read(_HEAD.size)
        if len(head) < _HEAD.size:
            raise RuntimeError(f"plan_extract child process exited with {self.proc.wait()}")
        return pickle.loads(self.proc.stdout.read(_HEAD.unpack(head)[0]))

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def limited_task(args):
    """One input on a Dask worker, inside the per-document time limit.

    Dask runs tasks in threads, where no alarm can be set, so each worker
    thread keeps a child process that runs the document under its own alarm;
    a child stuck where the alarm cannot reach it (a long C-level regex) is
    killed ``GRACE`` seconds later and replaced.  Without a limit, or where
    pipes cannot be waited on (Windows), the task runs in the thread itself.
    """
    task, _, time_limit = args
    if not time_limit or os.name != "posix":
        return run_task(args)
    key = threading.get_ident()
    with _children_lock:
        child = _children.get(key)
    if child is None or child.proc.poll() is not None:
        child = _Child()
        with _children_lock:
            _children[key] = child
    outcome = child.run(args, time_limit + GRACE)
    if outcome is None:
        with _children_lock:
            _children.pop(key, None)
        child.kill()
        return [], time_limit_error(task.path, time_limit)
    return outcome


def client_for(address: str, *, workers: int = 2):
    """A ``distributed.Client``: ``local`` starts a LocalCluster of worker processes."""
    from distributed import Client, LocalCluster  # dask is an extra: imported on use

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster)
    return Client(address)


def ordered_map(client, fn, tasks: Iterable, *, models, time_limit, window: int = 64) -> Iterator:
    """(task, fn result) in task order, computed on the cluster a window at a time.
    ``models``: a folder the workers can read, ``None`` for their default models, ``False``."""
    tasks = iter(tasks)
    while True:
        chunk = list(islice(tasks, window))
        if not chunk:
            return
        futures = client.map(fn, [(t, models, time_limit) for t in chunk],
                             key=[f"plan-extract-{t.key}" for t in chunk], retries=RETRIES, pure=False)
        for task, outcome in zip(chunk, client.gather(futures)):
            yield task, outcome


def _extract_path(path: str, rules_only: bool = False) -> list[dict]:
    out = []
    for item in iter_items([path]):
        if item.error is not None:
            continue
        lines, _ = process_task(Task(item.path, item.load(), "", item.relpath), models=False if rules_only else None)
        out.extend(json.loads(line) for line in lines)
    return out


def records_bag(paths, *, npartitions: int | None = None, rules_only: bool = False):
    """A ``dask.bag`` of plan records from file paths or a bag of paths.

    Folders and archives are expanded on the workers; inputs that fail are
    skipped (``plan-extract run`` reports them in ``errors.jsonl``).
    """
    import dask.bag as db  # dask is an extra: imported on use

    if not isinstance(paths, db.Bag):
        paths = [str(p) for p in paths]
        paths = db.from_sequence(paths, npartitions=npartitions or min(len(paths), 64) or 1)
    return paths.map(_extract_path, rules_only=rules_only).flatten()


def tables(outdir: str | Path, *, blocksize: str = "64MB") -> dict:
    """The export tables of a run (plans, sections, targets, deadlines) as Dask DataFrames."""
    import dask.bag as db  # dask is an extra (pip install -e '.[dask]'): imported on use
    import pandas as pd

    lines = db.read_text(str(Path(outdir) / "plans.jsonl"), blocksize=blocksize).map(json.loads)
    out = {}
    for name in TABLES:
        meta = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[name]})
        out[name] = lines.map_partitions(lambda part, n=name: rows(part)[n]).to_dataframe(meta=meta)
    return out
