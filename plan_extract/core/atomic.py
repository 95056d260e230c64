"""Atomic output: write beside the target, then rename over it.

A reader (or a killed run) never sees half a file.  ``durable`` adds an
fsync, for power loss; a killed process cannot lose what it wrote either way.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: Path) -> Iterator[str]:
    """A temporary path beside ``target`` (same suffix); renamed over it on success."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_lines(target: Path, lines: Iterable[str], *, durable: bool = True) -> int:
    """Write ``lines`` (newline-terminated) to ``target`` atomically; how many.

    ``lines`` may be a generator: one that raises leaves ``target`` as it was."""
    count = 0
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
                count += 1
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    return count
