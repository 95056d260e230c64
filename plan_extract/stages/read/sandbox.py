"""Run a decoder in a forked child whose memory is capped, so a hostile file
cannot take the machine down with it.

A PDF's streams may inflate a thousandfold (a 1 MB file holding a 1 GB
content stream), an image header may promise a gigapixel, and the C
libraries that decode them (PDFium, libpng, libtiff, ONNX Runtime) allocate
what they are told to.  So on Linux the work runs in a forked child whose
address space may grow by at most a budget (``RLIMIT_AS``): past it an
allocation fails inside the child, which dies or reports it, and the parent
gives one clear error.  Where fork or ``/proc`` is missing the work runs
in-process.

The child answers with a pickled ``(kind, value)`` pair; ``kind`` is
``"error"`` for a reason the parent raises as a :class:`StageError`.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Any, Callable

MEMORY_BUDGET = 512 * 1024 * 1024  # bytes the child may add to the address space it starts with
OUT_OF_MEMORY = "out of memory"
TIMED_OUT = "timed out"


def can_fork() -> bool:
    return hasattr(os, "fork") and os.path.exists("/proc/self/status")


def run_bounded(work: Callable[..., tuple[str, Any]], *args, budget: int = MEMORY_BUDGET) -> tuple[str, Any]:
    """``work(*args)`` in a child under a memory ``budget`` (in-process where
    no fork); an allocation failure comes back as ``("error", OUT_OF_MEMORY)``
    and an ``alarm`` the work set and overran as ``("error", TIMED_OUT)``."""
    if not can_fork():
        return work(*args)
    return _in_child(work, args, budget)


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _in_child(work, args, budget: int) -> tuple[str, Any]:
    """The parent waits for the child's answer, and kills it if the parent
    is interrupted (the per-document time limit raises in the parent)."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the caller's code
        status = 1
        try:
            os.close(read_end)
            _die_with(parent)
            _limit_memory(budget)
            answer = pickle.dumps(work(*args))
            with os.fdopen(write_end, "wb") as fh:
                fh.write(answer)
            status = 0
        except BaseException:  # noqa: BLE001 - a MemoryError while answering, or anything else
            status = 3
        finally:
            os._exit(status)
    os.close(write_end)
    killed = True
    try:
        with os.fdopen(read_end, "rb") as fh:
            answer = fh.read()
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # reaped already (SIGCHLD ignored): judge by the answer
            status = 0 if answer else 3 << 8
        killed = False
    finally:
        if killed:  # interrupted while waiting: the child must not outlive its document
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and answer:
        return pickle.loads(answer)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        return "error", TIMED_OUT
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGABRT:
        return "error", f"the reader crashed (signal {os.WTERMSIG(status)})"
    return "error", OUT_OF_MEMORY  # it failed to allocate: C code aborts, or the answer could not be made


def _die_with(parent: int) -> None:
    """The child keeps none of the parent's signal handlers (they may clean
    up the parent's files) and dies when the parent dies.  A C library that
    aborts on a failed allocation is an expected end here: no traceback dump."""
    import faulthandler

    faulthandler.disable()
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGALRM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _limit_memory(budget: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        _limited.append(limit)


_limited: list[int] = []  # the limit this process (a child) set on itself


def allow_more(extra: int) -> None:
    """In a child, raise the memory cap by ``extra`` bytes for what comes next
    (OCR of a PDF's scanned pages: the text layer was read under the tight
    budget).  Outside a child, or where the cap was not set, nothing."""
    if not _limited:
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _limited[-1] + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _limited.append(limit)


def out_of_memory(exc: BaseException) -> bool:
    """Whether a MemoryError lies behind ``exc`` (libraries wrap it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError) or any(isinstance(arg, MemoryError) for arg in exc.args):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
