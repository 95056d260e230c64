"""Atomic output: write beside the target, then rename over it.

A reader (or a killed run) never sees half a file.  ``durable`` adds an
fsync, for power loss; a killed process cannot lose what it wrote either way.

A temporary file is named ``.<stem>.<pid>.<random><suffix>`` after the
process that writes it, so a later run sweeps only what a dead process left
(:func:`sweep_temporaries`), never a live writer's file.  A failure to write
(disk full, no permission, the folder gone) is an :class:`OutputError` that
names the path and the reason, and leaves the target as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping


class OutputError(OSError):
    """Output could not be written: one line for people, naming the path."""

    def __init__(self, path, reason: str):
        super().__init__(f"cannot write {path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"

    def __reduce__(self):  # a worker's failure travels to the parent whole
        return (type(self), (self.path, self.reason))


def output_error(path, exc: OSError) -> OutputError:
    """``exc`` as an :class:`OutputError` naming ``path`` (or the file the OS named)."""
    if isinstance(exc, OutputError):
        return exc
    return OutputError(exc.filename or path, exc.strerror or str(exc))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temporary_name_pattern() -> re.Pattern:
    """What :func:`atomic_path` names its files: the stem, the writer's pid, mkstemp's part, the suffix."""
    return re.compile(r"^\.(?P<stem>.+?)\.(?P<pid>\d+)\.[a-z0-9_]{8}(?P<suffix>\.[^.]*)?$")


@contextmanager
def atomic_path(target: Path) -> Iterator[str]:
    """A temporary path beside ``target`` (same suffix); renamed over it on success."""
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.{os.getpid()}.", suffix=target.suffix, dir=target.parent)
    except OSError as exc:  # named by the target: the temporary name means nothing to a reader
        raise OutputError(target, exc.strerror or str(exc)) from None
    os.close(fd)
    try:
        yield tmp
        try:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
            os.replace(tmp, target)
        except OSError as exc:
            raise output_error(target, exc) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:  # gone already, or the folder itself is gone
        pass


def _write(fh, target: Path, lines: Iterable[str], durable: bool) -> int:
    """Write ``lines`` to ``fh`` (a temporary file for ``target``): an error of
    the file system becomes an :class:`OutputError` naming ``target``; one
    raised by ``lines`` itself passes unchanged."""
    count = 0
    for line in lines:
        try:
            fh.write(line + "\n")
        except OSError as exc:
            raise OutputError(target, exc.strerror or str(exc)) from None
        count += 1
    try:
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(target, exc.strerror or str(exc)) from None
    return count


def write_lines(target: Path, lines: Iterable[str], *, durable: bool = True) -> int:
    """Write ``lines`` (newline-terminated) to ``target`` atomically; how many.

    ``lines`` may be a generator: one that raises leaves ``target`` as it was."""
    with atomic_path(target) as tmp:
        try:
            fh = open(tmp, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise output_error(target, exc) from None
        try:
            return _write(fh, target, lines, durable)
        finally:
            try:
                fh.close()
            except OSError:  # the flush inside close failed: _write has already raised
                pass


def write_files(contents: Mapping[Path, Iterable[str]], *, durable: bool = True) -> dict[Path, int]:
    """Write several files atomically together: all are written to temporary
    files first and renamed over their targets only when every one is whole,
    so a failure (a full disk) leaves all the old files as they were."""
    temps: dict[Path, str] = {}
    counts: dict[Path, int] = {}
    try:
        for target, lines in contents.items():
            target = Path(target)
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.{os.getpid()}.", suffix=target.suffix,
                                           dir=target.parent)
            except OSError as exc:
                raise OutputError(target, exc.strerror or str(exc)) from None
            temps[target] = tmp
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                counts[target] = _write(fh, target, lines, durable)
        for target, tmp in temps.items():
            try:
                os.chmod(tmp, 0o666 & ~_umask())
                os.replace(tmp, target)
            except OSError as exc:
                raise output_error(target, exc) from None
    except BaseException:
        for tmp in temps.values():
            if os.path.exists(tmp):
                _discard(tmp)
        raise
    return counts


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # no signals to send here (Windows): assume alive, never delete a live file
        return True
    return True


def sweep_temporaries(folder: Path, stems: Iterable[str] | None = None) -> list[Path]:
    """Delete the temporary files in ``folder`` whose writer is dead, and
    those of older versions that named no writer; the deleted paths.

    ``stems`` limits the sweep to temporary files of those targets (a folder
    that also holds the user's own dotfiles); ``None`` sweeps every dotfile
    (a folder only this package writes)."""
    pattern = temporary_name_pattern()
    legacy = re.compile(r"^\.(?P<stem>.+?)\.[a-z0-9_]{8}(?P<suffix>\.[^.]*)?$")
    wanted = None if stems is None else set(stems)
    swept = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return swept
    except OSError as exc:
        raise output_error(folder, exc) from None
    for entry in entries:
        if not entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        named = pattern.match(entry.name)
        if named is None:
            named = legacy.match(entry.name)
            owner = 0
        else:
            owner = int(named["pid"])
        if wanted is not None and (named is None or named["stem"] not in wanted):
            continue
        if owner and pid_alive(owner):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise output_error(entry.path, exc) from None
        swept.append(Path(entry.path))
    return swept


def append_line(target: Path, line: str) -> None:
    """Append one line to ``target`` durably: one ``write`` of the whole line
    with ``O_APPEND`` (concurrent appenders never interleave inside it), then
    fsync, so a crash after the call loses nothing.  A line torn by an earlier
    crash is closed with a newline first, so it never swallows this one."""
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        raise output_error(target, exc) from None
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(target, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    data = b"\n" + data
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(0, f"short write ({written} of {len(data)} bytes)")
        os.fsync(fd)
    except OSError as exc:
        raise output_error(target, exc) from None
    finally:
        os.close(fd)
