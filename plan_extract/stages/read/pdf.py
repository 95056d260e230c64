"""PDF files: the text layer, page by page, through pdfplumber (the clean
stage re-joins wrapped lines and drops page numbers and running headers).

A PDF's streams may inflate a thousandfold (a 1 MB file holding a 1 GB
content stream), and pdfminer inflates each stream whole, with no limit of
its own.  So on Linux the text is read in a forked child process whose
address space may grow by at most ``MEMORY_BUDGET`` bytes
(``RLIMIT_AS``): past it an allocation fails inside the child, which dies or
reports it, and the parent gives one clear error.  This bounds every kind of
decoding (Flate, LZW, fonts, images) and whatever PDF library does the
reading.  Where fork or ``/proc`` is missing the text is read in-process.
"""

from __future__ import annotations

import io
import os
import pickle
import signal

from ...core.errors import StageError

MEMORY_BUDGET = 512 * 1024 * 1024  # bytes the child may add to the address space it starts with
_OUT_OF_MEMORY = "out of memory"


def pdf_text(data: bytes) -> str:
    """The text layer, page by page (the clean stage repairs PDF artefacts)."""
    import pdfplumber  # noqa: F401  (imported here, so a forked child inherits it)

    outcome = _in_child(data) if can_fork() else _outcome(data)
    kind, value = outcome
    if kind == "error":
        if value == _OUT_OF_MEMORY:
            raise StageError("read", f"PDF needs more than {MEMORY_BUDGET // (1024 * 1024)} MB of memory "
                                     "to decode (a decompression bomb?)")
        raise StageError("read", value)
    text = value
    if not text.strip():
        raise StageError("read", "PDF has no text layer (a scan?); OCR it first")
    return text


def _outcome(data: bytes) -> tuple[str, str]:
    """("text", the text) or ("error", a reason)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pages = []
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()  # drop the page's cached layout objects: memory stays one page deep
    except MemoryError:
        return "error", _OUT_OF_MEMORY
    except PDFPasswordIncorrect:
        return "error", "password-protected PDF"
    except PDFSyntaxError as exc:
        return "error", f"corrupt PDF: {exc}"
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        if _out_of_memory(exc):
            return "error", _OUT_OF_MEMORY
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name or b"/Encrypt" in data:
            return "error", "password-protected PDF"
        return "error", f"corrupt PDF: {name}: {exc}"
    return "text", "\n".join(pages)


def _out_of_memory(exc: BaseException) -> bool:
    """Whether a MemoryError lies behind ``exc`` (pdfplumber wraps pdfminer's errors)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError) or any(isinstance(arg, MemoryError) for arg in exc.args):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def can_fork() -> bool:
    return hasattr(os, "fork") and os.path.exists("/proc/self/status")


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _in_child(data: bytes) -> tuple[str, str]:
    """:func:`_outcome` in a forked child under ``RLIMIT_AS``; the parent
    waits for its answer, and kills it if the parent is interrupted (the
    per-document time limit raises in the parent)."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the caller's code
        status = 1
        try:
            os.close(read_end)
            _die_with(parent)
            _limit_memory()
            answer = pickle.dumps(_outcome(data))
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
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGABRT:
        return "error", f"the PDF reader crashed (signal {os.WTERMSIG(status)})"
    return "error", _OUT_OF_MEMORY  # it failed to allocate: C code aborts, or the answer could not be made


def _die_with(parent: int) -> None:
    """The child keeps none of the parent's signal handlers (they may clean
    up the parent's files) and dies when the parent dies."""
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


def _limit_memory() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + MEMORY_BUDGET
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
