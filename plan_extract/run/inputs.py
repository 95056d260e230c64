"""What a batch reads: files, folders and the members of archives.

Every input becomes an :class:`Item` in a stable order: folders walk in path
order, archive members in name order, named ``archive.zip!inner/path.docx``.
Anything unsafe or unreadable becomes an item that carries its error instead
of bytes, so the batch reports it and goes on: links, zip-slip paths, zip
bombs (size and ratio caps), archives nested too deep, files over the size
limit.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..core.errors import StageError


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024  # one file or archive member
    archive_bytes: int = 500 * 1024 * 1024  # all members of one archive, uncompressed
    ratio: float = 200.0  # uncompressed / compressed, per member
    members: int = 20_000
    depth: int = 3  # archives inside archives


@dataclass
class Item:
    path: str  # what records and errors name
    load: Optional[Callable[[], bytes]] = None  # the bytes, read when needed
    error: Optional[StageError] = None


ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def iter_items(paths: Iterable[str | Path], limits: Limits = Limits()) -> Iterator[Item]:
    """Every input under ``paths``, archives opened, in a stable order."""
    for raw in paths:
        p = Path(raw)
        if p.is_symlink():
            yield Item(p.as_posix(), error=StageError("read", "symbolic link, not followed"))
        elif p.is_dir():
            found = sorted((f for f in p.rglob("*")
                            if not any(part.startswith(".") for part in f.relative_to(p).parts)
                            and (f.is_file() or f.is_symlink())), key=lambda f: f.as_posix())
            for f in found:
                yield from _file_items(f, limits)
        elif p.exists():
            yield from _file_items(p, limits)
        else:
            yield Item(p.as_posix(), error=StageError("read", "no such file"))


def _file_items(f: Path, limits: Limits) -> Iterator[Item]:
    name = f.as_posix()
    if f.is_symlink():
        yield Item(name, error=StageError("read", "symbolic link, not followed"))
        return
    size = f.stat().st_size
    if is_archive(name):
        if size > limits.archive_bytes:
            yield Item(name, error=StageError("read", f"archive too large ({size} bytes)"))
            return
        yield from _archive_items(name, f.read_bytes(), limits, depth=1)
        return
    if size > limits.file_bytes:
        yield Item(name, error=StageError("read", f"file too large ({size} bytes > {limits.file_bytes})"))
        return
    yield Item(name, load=f.read_bytes)


def _safe_member(name: str) -> bool:
    norm = posixpath.normpath(name.replace("\\", "/"))
    return not (norm.startswith("/") or norm == ".." or norm.startswith("../") or ":" in norm.split("/")[0])


def _archive_items(name: str, data: bytes, limits: Limits, depth: int) -> Iterator[Item]:
    if depth > limits.depth:
        yield Item(name, error=StageError("read", f"archive nested deeper than {limits.depth} levels"))
        return
    try:
        members = list(_members(name, data, limits))
    except StageError as exc:
        yield Item(name, error=exc)
        return
    for inner, load, error in members:
        path = f"{name}!{inner}"
        if error:
            yield Item(path, error=error)
        elif is_archive(inner):
            try:
                payload = load()
            except OSError as exc:
                yield Item(path, error=StageError("read", f"corrupt archive member: {exc}"))
                continue
            yield from _archive_items(path, payload, limits, depth + 1)
        else:
            yield Item(path, load=load)


def _members(name: str, data: bytes, limits: Limits):
    """(inner name, loader, error) of each regular member, name order, caps enforced.

    Members are read only when their loader is called, so a large archive is
    never held in memory member by member all at once.
    """
    total = 0
    if name.lower().endswith(".zip"):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise StageError("read", f"corrupt zip archive: {exc}") from None
        infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
        if len(infos) > limits.members:
            raise StageError("read", f"archive has {len(infos)} members (limit {limits.members})")
        for info in infos:
            if not _safe_member(info.filename):
                yield info.filename, None, StageError("read", "unsafe path in archive (zip-slip)")
                continue
            if info.flag_bits & 0x1:
                yield info.filename, None, StageError("read", "password-protected archive member")
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                yield info.filename, None, StageError("read", "symbolic link in archive, not followed")
                continue
            total += info.file_size
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > limits.file_bytes or ratio > limits.ratio or total > limits.archive_bytes:
                yield info.filename, None, StageError(
                    "read", f"archive member too large or too compressed (zip bomb?): {info.file_size} bytes, "
                            f"ratio {ratio:.0f}")
                continue
            yield info.filename, _zip_loader(zf, info, limits.file_bytes), None
        return
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        infos = sorted(tf.getmembers(), key=lambda i: i.name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise StageError("read", f"corrupt tar archive: {exc}") from None
    if len(infos) > limits.members:
        raise StageError("read", f"archive has {len(infos)} members (limit {limits.members})")
    for info in infos:
        if info.isdir():
            continue
        if not _safe_member(info.name):
            yield info.name, None, StageError("read", "unsafe path in archive (zip-slip)")
            continue
        if info.issym() or info.islnk():
            yield info.name, None, StageError("read", "link in archive, not followed")
            continue
        if not info.isfile():
            yield info.name, None, StageError("read", "not a regular file")
            continue
        total += info.size
        if info.size > limits.file_bytes or total > limits.archive_bytes:
            yield info.name, None, StageError("read", f"archive member too large ({info.size} bytes)")
            continue
        yield info.name, _tar_loader(tf, info, limits.file_bytes), None


def _zip_loader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            return _read_capped(zf.open(info), cap)
        except (zipfile.BadZipFile, RuntimeError) as exc:
            raise OSError(f"corrupt archive member: {exc}") from None
    return load


def _tar_loader(tf: tarfile.TarFile, info: tarfile.TarInfo, cap: int) -> Callable[[], bytes]:
    def load() -> bytes:
        fh = tf.extractfile(info)
        return _read_capped(fh, cap) if fh else b""
    return load


def _read_capped(fh, cap: int) -> bytes:
    """Read at most ``cap`` bytes: a header that lies about its size cannot flood memory."""
    data = fh.read(cap + 1)
    if len(data) > cap:
        raise OSError(f"member larger than {cap} bytes")
    return data
