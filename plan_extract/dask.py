"""Scale-out on Dask: the batch on a cluster, and records and tables as Dask collections.

- ``plan-extract run PATHS -o OUT --dask tcp://HOST:8786`` (or ``--dask local``)
  sends each input to the cluster's workers through :func:`ordered_map`; the
  driver writes the same ``plans.jsonl`` and ``errors.jsonl`` as ``-j1``, in
  input order, with the same resume and error rules.  A worker that dies
  mid-run loses nothing: its tasks are retried on the others.
- :func:`records_bag` turns paths (or a ``dask.bag`` of paths) into a bag of
  records; :func:`tables` reads a run's output as Dask DataFrames.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

RETRIES = 3


def client_for(address: str, *, workers: int = 2):
    """A ``distributed.Client``: ``local`` starts a LocalCluster of worker processes."""
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster)
    return Client(address)


def ordered_map(client, fn, tasks: Iterable, *, rules_only: bool, time_limit, window: int = 64) -> Iterator:
    """(task, fn result) in task order, computed on the cluster a window at a time."""
    tasks = iter(tasks)
    while True:
        chunk = list(islice(tasks, window))
        if not chunk:
            return
        futures = client.map(fn, [(t, rules_only, time_limit) for t in chunk],
                             key=[f"plan-extract-{t.key}" for t in chunk], retries=RETRIES, pure=False)
        for task, outcome in zip(chunk, client.gather(futures)):
            yield task, outcome


def _extract_path(path: str, rules_only: bool = False) -> list[dict]:
    from .batch import Task, process_task
    from .inputs import iter_items

    out = []
    for item in iter_items([path]):
        if item.error is not None:
            continue
        lines, _ = process_task(Task(item.path, item.load(), ""), models=False if rules_only else None)
        import json

        out.extend(json.loads(line) for line in lines)
    return out


def records_bag(paths, *, npartitions: int | None = None, rules_only: bool = False):
    """A ``dask.bag`` of plan records from file paths or a bag of paths.

    Folders and archives are expanded on the workers; inputs that fail are
    skipped (``plan-extract run`` reports them in ``errors.jsonl``).
    """
    import dask.bag as db

    if not isinstance(paths, db.Bag):
        paths = [str(p) for p in paths]
        paths = db.from_sequence(paths, npartitions=npartitions or min(len(paths), 64) or 1)
    return paths.map(_extract_path, rules_only=rules_only).flatten()


def tables(outdir: str | Path, *, blocksize: str = "64MB") -> dict:
    """The export tables of a run (plans, sections, targets, deadlines) as Dask DataFrames."""
    import json

    import dask.bag as db
    import pandas as pd

    from .export import COLUMNS, TABLES, rows

    lines = db.read_text(str(Path(outdir) / "plans.jsonl"), blocksize=blocksize).map(json.loads)
    out = {}
    for name in TABLES:
        meta = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[name]})
        out[name] = lines.map_partitions(lambda part, n=name: rows(part)[n]).to_dataframe(meta=meta)
    return out
