"""What a batch reads: files, folders and the members of archives.

Every input becomes an :class:`Item` in a stable order: folders walk in path
order, archive members in name order, named ``archive.zip!inner/path.docx``.
Anything unsafe or unreadable becomes an item that carries its error instead
of bytes, so the batch reports it and goes on: links, FIFOs, devices and
sockets (refused before they are opened, so none can block or flood a run),
folders that cannot be listed, files over the size limit, and archives
(:mod:`plan_extract.run.archives`: one error item per top-level archive,
whatever failed inside it).  The run's own OUTDIR is never walked, so a re-run
does not read its outputs as inputs.  Paths are shown with
:func:`~plan_extract.run.archives.shown` (bytes that are not UTF-8 as ``\\xNN``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..core.errors import StageError
from .archives import ARCHIVES, Budget, Limits, Tally, archive_members, is_archive, read_capped, shown

__all__ = ["ARCHIVES", "Item", "Limits", "is_archive", "iter_items"]


@dataclass
class Item:
    path: str  # what records and errors name
    load: Optional[Callable[[], bytes]] = None  # the bytes, read when needed
    error: Optional[StageError] = None
    # the path from the input's root (the folder or file named on the command
    # line, by its own name): plan ids are built from it, so identical files
    # in two places differ and moving the whole input keeps them
    relpath: str = ""

    def __post_init__(self) -> None:
        self.path = shown(self.path)
        self.relpath = shown(self.relpath) if self.relpath else self.path


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _refused(mode: int) -> Optional[str]:
    """Why a non-regular file is not read (before it is opened), or None."""
    if stat.S_ISLNK(mode):
        return "symbolic link, not followed"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_kind(mode)}), not read"
    return None


def _identity(path: Optional[Path]):
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st else None


def iter_items(paths: Iterable[str | Path], limits: Limits = Limits(), *, skip: Optional[str | Path] = None,
               read: bool = True) -> Iterator[Item]:
    """Every input under ``paths``, archives opened, in a stable order.

    ``skip`` is the run's OUTDIR: folder walks never enter it.  ``read=False``
    lists without reading archive members (to count the inputs)."""
    skip_id = _identity(Path(skip)) if skip is not None else None
    for raw in paths:
        p = Path(raw)
        name = p.as_posix()
        base = Path(os.path.abspath(p)).name  # "data/raw/" and "/abs/data/raw" are both "raw"
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            yield Item(name, error=StageError("read", "no such file"))
            continue
        except OSError as exc:
            yield Item(name, error=StageError("read", f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            if skip_id is not None and (st.st_dev, st.st_ino) == skip_id:
                yield Item(name, error=StageError("read", "the output folder itself, not read"))
                continue
            yield from _folder_items(p, limits, skip_id, read, base)
        else:
            yield from _file_items(p, st, limits, read, base)


def _folder_items(root: Path, limits: Limits, skip_id, read: bool, base: str) -> Iterator[Item]:
    """The files under ``root`` (hidden entries skipped) in path order; a
    folder that cannot be listed and every special file give an error item."""
    found: list[tuple[str, Path, Optional[os.stat_result], Optional[str]]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            found.append((folder.as_posix(), folder, None, f"cannot read folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                found.append((path.as_posix(), path, None, f"cannot read: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if (st.st_dev, st.st_ino) != skip_id:
                    stack.append(path)
                continue
            found.append((path.as_posix(), path, st, None))
    for name, path, st, error in sorted(found, key=lambda f: f[0]):
        rel = "/".join(part for part in (base, path.relative_to(root).as_posix()) if part and part != ".")
        if error is not None:
            yield Item(name, error=StageError("read", error), relpath=rel)
        else:
            yield from _file_items(path, st, limits, read, rel)


def _file_items(f: Path, st: os.stat_result, limits: Limits, read: bool, rel: str) -> Iterator[Item]:
    name = f.as_posix()
    refused = _refused(st.st_mode)
    if refused:
        yield Item(name, error=StageError("read", refused), relpath=rel)
        return
    size = st.st_size
    if is_archive(name):
        if size > limits.archive_bytes:
            yield Item(name, error=StageError("read", f"archive too large ({size} bytes)"), relpath=rel)
            return
        yield from _archive_items(name, f, limits, read, rel)
        return
    if size > limits.file_bytes:
        yield Item(name, error=StageError("read", f"file too large ({size} bytes > {limits.file_bytes})"),
                   relpath=rel)
        return
    yield Item(name, load=partial(read_file, f, limits.file_bytes), relpath=rel)


def _archive_items(name: str, f: Path, limits: Limits, read: bool, rel: str) -> Iterator[Item]:
    """The documents inside the archive file ``f``, then one error item for
    whatever failed inside it."""
    tally = Tally(name)
    try:
        fh = open_regular(f)
    except StageError as exc:
        yield Item(name, error=exc)
        return
    except OSError as exc:
        yield Item(name, error=StageError("read", f"cannot read file: {exc.strerror or exc}"))
        return
    with fh:
        for path, load in archive_members(name, fh, limits, Budget.of(limits), tally, read=read):
            yield Item(path, load=load, relpath=rel + path[len(name):])
    error = tally.error()
    if error is not None:
        yield Item(name, error=error)


def open_regular(path: Path):
    """``path`` opened for reading if it is a regular file (not a link): the
    check is made on the open file, and the open cannot block on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        refused = _refused(os.fstat(fd).st_mode)
        if refused:
            raise StageError("read", refused)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_file(path: Path, cap: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``cap`` of them."""
    with open_regular(path) as fh:
        try:
            return read_capped(fh, cap)
        except StageError:
            raise StageError("read", f"file too large (over {cap} bytes)") from None


def member_bytes(path: str, limits: Limits = Limits()) -> Optional[bytes]:
    """The bytes of an archive member (``plans.zip!2026/a.docx``) as a run
    reads them: the archive opened again under the same limits; ``None``
    when the archive or the member is not there (or failed)."""
    top = path.split("!", 1)[0]
    if not Path(top).is_file():
        return None
    for item in iter_items([top], limits):
        if item.path == path and item.error is None and item.load is not None:
            return item.load()
    return None

