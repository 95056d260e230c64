"""The members of archives (zip, tar, tar.gz/bz2/xz), nested, under one budget.

A top-level archive and every archive inside it share one :class:`Budget`
(members and uncompressed bytes), so nesting cannot multiply the caps.  A
compressed tar is decompressed once into a spooled temporary file and read
from there, so members in any order cost one pass (a ``.tar.gz`` read
member by member in name order would otherwise decompress from its start
for every member that lies before the last one read).  Whatever fails inside
an archive (a corrupt stream, a bad member, a zip-slip name, a bomb, a cap)
is counted in a :class:`Tally`, which becomes one error line for the whole
top-level archive; the other members are kept (but none of a compressed tar
whose data is corrupt: see :func:`_decompressed`).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterator, Optional

from ..core.errors import StageError


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 50 * 1024 * 1024  # one file or archive member
    archive_bytes: int = 500 * 1024 * 1024  # all members of one top-level input, uncompressed, nesting included
    ratio: float = 200.0  # uncompressed / compressed, per member
    members: int = 20_000  # per top-level input, nesting included
    depth: int = 3  # archives inside archives


ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
SPOOL_IN_MEMORY = 16 * 1024 * 1024  # a decompressed tar larger than this goes to a temporary file
TAR_HEADER_ROOM = 1024  # bytes of headers and padding a tar may hold per member
LISTED_FAILURES = 3  # failed members named in an archive's error line


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


@dataclass
class Budget:
    """What one top-level input may still hold, all its archives together."""
    members: int
    bytes: int

    @classmethod
    def of(cls, limits: Limits) -> "Budget":
        return cls(limits.members, limits.archive_bytes)


@dataclass
class Tally:
    """What failed inside one top-level archive, for its one error line."""
    top: str
    seen: int = 0  # members met, failed or not
    failures: list[tuple[str, str]] = field(default_factory=list)  # (where, reason), in archive order

    def fail(self, path: str, reason: str) -> None:
        where = path[len(self.top) + 1:] if path.startswith(self.top + "!") else ""
        self.failures.append((where, reason))

    def error(self) -> Optional[StageError]:
        """One error for the whole archive: what failed in the archive itself,
        then how many members failed, the first few named."""
        if not self.failures:
            return None
        whole = [reason for where, reason in self.failures if not where]
        members = [(where, reason) for where, reason in self.failures if where]
        parts = list(whole)
        if members:
            named = "; ".join(f"{shown(where)}: {reason}" for where, reason in members[:LISTED_FAILURES])
            more = len(members) - LISTED_FAILURES
            parts.append(f"{len(members)} of {self.seen} archive members failed: {named}"
                         + (f"; and {more} more" if more > 0 else ""))
        return StageError("read", "; ".join(parts))


def shown(name: str) -> str:
    """A path as records and error lines show it.  Bytes of a file name that
    are not UTF-8 reach Python as lone surrogates (surrogateescape), which no
    UTF-8 file can hold: they are written as ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape" if _escaped_only(name) else "backslashreplace")
        return raw.decode("utf-8", "backslashreplace")


def _escaped_only(name: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in name)


class _Broken(Exception):
    """An archive that cannot be listed at all."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Member = tuple[str, Optional[Callable[[], bytes]], Optional[str]]  # inner name, loader, or why it fails


def archive_members(name: str, fh: BinaryIO, limits: Limits, budget: Budget, tally: Tally, *,
                    depth: int = 1, read: bool = True) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """``(path, loader)`` of every document inside the archive ``name`` (open
    as ``fh``), nested archives opened, in name order; failures go to ``tally``.

    With ``read``, each member is read here (its loader returns the bytes
    already read), so a member that cannot be decompressed is counted as a
    failure of the archive instead of reaching the batch."""
    if depth > limits.depth:
        tally.fail(name, f"archive nested deeper than {limits.depth} levels")
        return
    members = _zip_members(fh, limits, budget) if name.lower().endswith(".zip") else _tar_members(fh, limits, budget)
    try:
        for inner, load, problem in members:
            path = f"{name}!{inner}" if inner else name
            if inner:
                tally.seen += 1
            if problem is not None:
                tally.fail(path, problem)
                continue
            if not (read or is_archive(inner)):
                yield path, load
                continue
            try:
                payload = load()
            except StageError as exc:
                tally.fail(path, exc.reason)
                continue
            if is_archive(inner):
                yield from archive_members(path, io.BytesIO(payload), limits, budget, tally, depth=depth + 1, read=read)
            else:
                yield path, (lambda data=payload: data)
    except _Broken as exc:
        tally.fail(name, exc.reason)


def _safe_member(name: str) -> bool:
    norm = posixpath.normpath(name.replace("\\", "/"))
    return not (norm.startswith("/") or norm == ".." or norm.startswith("../") or ":" in norm.split("/")[0])


def _over_members(count: int, limits: Limits, budget: Budget) -> _Broken:
    if budget.members == limits.members:
        return _Broken(f"archive has {count} members (limit {limits.members})")
    return _Broken(f"archive has {count} members, more than the {max(budget.members, 0)} left of the "
                   f"{limits.members} allowed per input")


def _zip_members(fh: BinaryIO, limits: Limits, budget: Budget) -> Iterator[Member]:
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _Broken(f"corrupt zip archive: {exc}") from None
    infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
    if len(infos) > budget.members:
        raise _over_members(len(infos), limits, budget)
    budget.members -= len(infos)
    for info in infos:
        if not _safe_member(info.filename):
            yield info.filename, None, "unsafe path in archive (zip-slip)"
            continue
        if info.flag_bits & 0x1:
            yield info.filename, None, "password-protected archive member"
            continue
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            yield info.filename, None, "symbolic link in archive, not followed"
            continue
        budget.bytes -= info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.file_bytes or ratio > limits.ratio or budget.bytes < 0:
            yield info.filename, None, (f"archive member too large or too compressed (zip bomb?): "
                                        f"{info.file_size} bytes, ratio {ratio:.0f}")
            continue
        yield info.filename, _loader(lambda info=info: zf.open(info), limits.file_bytes), None


def _decompressed(fh: BinaryIO, cap: int) -> tuple[BinaryIO, Optional[str], bool]:
    """A seekable uncompressed tar stream; why it ends early, if it does; and
    whether what came before that can be trusted.

    A stream cut short (EOFError: a broken download) has every byte before
    the cut right, so its whole members are kept.  A corrupt one (zlib.error,
    LZMAError, a bad checksum) may have given garbage for a while before the
    codec noticed, so none of it is used."""
    magic = fh.read(6)
    fh.seek(0)
    opener = (gzip.GzipFile if magic[:2] == b"\x1f\x8b" else bz2.BZ2File if magic[:3] == b"BZh"
              else lzma.LZMAFile if magic == b"\xfd7zXZ\x00" else None)
    if opener is None:
        return fh, None, True
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        with opener(fileobj=fh) if opener is gzip.GzipFile else opener(fh) as stream:
            while chunk := stream.read1(1024 * 1024):  # read1: what came before a cut is kept
                if spool.tell() + len(chunk) > cap:
                    spool.seek(0)
                    return spool, f"archive larger than {cap} bytes uncompressed", True
                spool.write(chunk)
    except EOFError as exc:
        problem = f"compressed data cut short after {spool.tell()} bytes ({exc})"
        spool.seek(0)
        return spool, problem, True
    except Exception as exc:  # zlib.error, LZMAError, OSError: whatever a codec says of bad data
        return spool, f"corrupt compressed data ({type(exc).__name__}: {exc}); no member read", False
    spool.seek(0)
    return spool, None, True


def _tar_members(fh: BinaryIO, limits: Limits, budget: Budget) -> Iterator[Member]:
    stream, problem, usable = _decompressed(fh, max(0, budget.bytes) + TAR_HEADER_ROOM * max(0, budget.members))
    if not usable:
        raise _Broken(problem)
    try:
        tf = tarfile.open(fileobj=stream, mode="r:", encoding="utf-8")
    except Exception as exc:  # tarfile.TarError, EOFError, OSError
        raise _Broken(problem or f"corrupt tar archive: {exc}") from None
    infos: list[tarfile.TarInfo] = []
    try:
        while (info := tf.next()) is not None:  # member by member: a cut keeps what came before it
            infos.append(info)
    except Exception as exc:
        problem = problem or f"corrupt tar archive after {len(infos)} members: {exc}"
    infos.sort(key=lambda i: i.name)
    if problem:
        yield "", None, problem
    if len(infos) > budget.members:
        raise _over_members(len(infos), limits, budget)
    budget.members -= len(infos)
    for info in infos:
        if info.isdir():
            continue
        if not _safe_member(info.name):
            yield info.name, None, "unsafe path in archive (zip-slip)"
            continue
        if info.issym() or info.islnk():
            yield info.name, None, "link in archive, not followed"
            continue
        if not info.isfile():
            yield info.name, None, "not a regular file"
            continue
        budget.bytes -= info.size
        if info.size > limits.file_bytes or budget.bytes < 0:
            yield info.name, None, f"archive member too large ({info.size} bytes)"
            continue
        yield info.name, _loader(lambda info=info: tf.extractfile(info) or io.BytesIO(), limits.file_bytes), None


def _loader(open_member: Callable[[], BinaryIO], cap: int) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with open_member() as member:
                return read_capped(member, cap)
        except StageError:
            raise
        except Exception as exc:  # zlib.error, BadZipFile, tarfile.ReadError, EOFError, NotImplementedError...
            raise StageError("read", f"corrupt archive member ({type(exc).__name__}: {exc})") from None
    return load


def read_capped(fh: BinaryIO, cap: int) -> bytes:
    """Read at most ``cap`` bytes: a header that lies about its size cannot flood memory."""
    data = fh.read(cap + 1)
    if len(data) > cap:
        raise StageError("read", f"member larger than {cap} bytes")
    return data
