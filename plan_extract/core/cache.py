"""Derived data kept in the temporary folder, so that start-up stays short.

jieba's prefix dictionary with the domain words and the shipped models'
weights are parsed from text on every start; a marshal blob of the result
reads several times faster.  Each entry is named by the sha256 of what it is
derived from, so a changed input never meets a stale entry; it is read only
when this user owns it and no one else may write it (marshal data is
trusted from ourselves only: the temporary folder may be shared), rebuilt
when missing or broken, and written atomically for this user alone.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

from .atomic import atomic_path

T = TypeVar("T")


def cache_path(name: str, key: bytes) -> Path:
    """Where the entry ``name`` derived from ``key`` lives."""
    return Path(tempfile.gettempdir()) / f"plan_extract.{name}.{hashlib.sha256(key).hexdigest()[:16]}.cache"


def cached(name: str, key: bytes, build: Callable[[], T]) -> T:
    """The value ``build()`` gives, from the cache when an entry for ``key``
    is there.  ``name`` carries the layout's version: a value of another
    shape needs another name."""
    path = cache_path(name, key)
    try:
        return marshal.loads(_own_file_bytes(path))
    except (OSError, EOFError, ValueError, TypeError):  # none yet, or broken, or not ours
        pass
    value = build()
    try:
        with atomic_path(path) as tmp:
            Path(tmp).write_bytes(marshal.dumps(value))
        os.chmod(path, 0o600)  # this user's alone, whatever the umask
    except (OSError, ValueError):  # a read-only temporary folder, or a value marshal cannot write
        pass
    return value


def _own_file_bytes(path: Path) -> bytes:
    """The bytes of ``path`` if this user owns it and no one else may write it."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            raise OSError(f"{path}: not this user's own file")
        return fh.read()
