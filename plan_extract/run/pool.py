"""Local worker processes that a dead worker cannot stop.

``concurrent.futures.ProcessPoolExecutor`` breaks for good when one worker
dies (the OOM killer, a crash in a C library): every pending future fails
and the run with it.  :class:`pebble.ProcessPool` fails only the batch that
the dead worker held and starts a new worker, and it kills a worker that
outlives its deadline (a document stuck in C code where the time limit's
alarm cannot reach it).  Such a batch is retried once with each of its
inputs alone, so the input that kills its worker again gets one error line
and every other input of the batch its records.

Batches go out in a sliding window (workers never wait for a window's
slowest batch, memory stays flat on huge archives) and settle in input
order, so the output is the same whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, Optional

from pebble import ProcessExpired, ProcessPool

from .worker import Task, run_batch_to_disk, time_limit_error, worker_init

GRACE = 5.0  # seconds past the time limit before a worker that ignores its alarm is killed
WINDOW = 4  # batches in flight per worker

Written = tuple[int, Optional[dict]]  # (records written, error line)


def _context():
    """Forked workers inherit the models the parent loaded (``warm``) instead of each loading them."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def died(path: str, exitcode: Optional[int]) -> dict:
    """The error line of an input whose worker died with it, twice."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"killed by signal {-exitcode}"
        if exitcode == -signal.SIGKILL:
            how += " (the out-of-memory killer sends it)"
    else:
        how = f"exit code {exitcode}"
    return {"path": path, "stage": "extract", "reason": f"worker process died ({how}), also when retried alone"}


class LocalPool:
    """``jobs`` worker processes that run batches of tasks into ``done``."""

    def __init__(self, jobs: int, done: Path, models, time_limit: Optional[float],
                 on_retry: Optional[Callable[[list[Task], str], None]] = None):
        """``models``: a folder, ``None`` for the default models or ``False`` for the rules alone."""
        self.jobs, self.done, self.models, self.time_limit = jobs, done, models, time_limit
        self.on_retry = on_retry
        self.pool = ProcessPool(max_workers=jobs, initializer=worker_init, initargs=(os.getpid(), models, jobs),
                                context=_context())

    def _submit(self, batch: list[Task]):
        deadline = len(batch) * (self.time_limit + GRACE) if self.time_limit else None
        return self.pool.schedule(run_batch_to_disk, args=((batch, self.models, self.time_limit, self.done),),
                                  timeout=deadline)

    def _outcome(self, batch: list[Task], future) -> list[Written]:
        """The batch's results; after its worker died, each input's result alone."""
        try:
            return future.result()
        except (ProcessExpired, TimeoutError) as exc:
            why = "timed out" if isinstance(exc, TimeoutError) else f"died (exit code {exc.exitcode})"
        if self.on_retry:
            self.on_retry(batch, why)
        alone = [(task, self._submit([task])) for task in batch]
        out: list[Written] = []
        for task, future in alone:
            try:
                out.extend(future.result())
            except ProcessExpired as exc:
                out.append((0, died(task.path, exc.exitcode)))
            except TimeoutError:
                out.append((0, time_limit_error(task.path, self.time_limit)))
        return out

    def run(self, batches: Iterable[list[Task]], settle: Callable[[Task, Written], None]) -> None:
        """Run every batch; ``settle`` each task's result in input order."""
        pending: deque = deque()

        def settle_first() -> None:
            batch, future = pending.popleft()
            for task, written in zip(batch, self._outcome(batch, future)):
                settle(task, written)

        try:
            for batch in batches:
                pending.append((batch, self._submit(batch)))
                if len(pending) >= self.jobs * WINDOW:
                    settle_first()
            while pending:
                settle_first()
        except BaseException:
            self.pool.stop()  # a failed output or Ctrl-C: no pending batch is worth finishing
            self.pool.join()
            raise
        self.pool.close()
        self.pool.join()
