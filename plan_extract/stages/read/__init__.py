"""Stage ``read``: bytes to text, with the format and encoding named.

Each format has a reader (``text``, ``word``, ``pdf``, ``web``) that takes
the file's bytes and returns ``(text, encoding)``; the suffix table below
picks it.  A reader raises :class:`StageError` with a reason a person can
act on.  Adding a format: a reader function and its rows in ``FORMATS`` and
``READERS``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Optional

from ...core.document import Source
from ...core.errors import StageError
from . import pdf, web, word
from .text import decode

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".doc": "doc",
           ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".mhtml": "mhtml", ".mht": "mhtml"}
MAX_BYTES = 50 * 1024 * 1024


def _html(data: bytes) -> tuple[str, Optional[str]]:
    charset = web.html_charset(data)
    try:
        raw, encoding = (data.decode(charset), charset) if charset else decode(data)
    except (LookupError, UnicodeDecodeError):
        raw, encoding = decode(data)
    return web.html_text(raw), encoding


def _mhtml(data: bytes) -> tuple[str, Optional[str]]:
    raw, encoding = web.mhtml_html(data)
    return web.html_text(raw), encoding


# format -> reader(bytes) -> (text, encoding or None when the format has none)
READERS: dict[str, Callable[[bytes], tuple[str, Optional[str]]]] = {
    "txt": decode,
    "md": decode,
    "docx": lambda data: (word.docx_text(data), None),
    "doc": lambda data: (word.doc_text(data), None),
    "pdf": lambda data: (pdf.pdf_text(data), None),
    "html": _html,
    "mhtml": _mhtml,
}


def format_of(name: str) -> str | None:
    return FORMATS.get(Path(name).suffix.lower())


def read_bytes(data: bytes, *, path: str, fmt: str = "txt") -> Source:
    """Decode one file's bytes in its format."""
    if not data:
        raise StageError("read", "empty file")
    reader = READERS.get(fmt)
    if reader is None:
        raise StageError("read", f"unsupported format {fmt!r}")
    text, encoding = reader(data)
    if not text.strip():
        raise StageError("read", "no text in the file")
    return Source(path=path, sha256=hashlib.sha256(data).hexdigest(), format=fmt, encoding=encoding, text=text)


def read_file(path: str | Path) -> Source:
    """Read one file: text in any common encoding, Word, PDF or a saved web page."""
    p = Path(path)
    fmt = format_of(p.name)
    if fmt is None:
        raise StageError("read", f"unsupported format {p.suffix or '(none)'!r}")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise StageError("read", f"file too large ({size} bytes > {MAX_BYTES})")
        data = p.read_bytes()
    except OSError as exc:
        raise StageError("read", f"cannot read file: {exc.strerror or exc}") from None
    return read_bytes(data, path=p.as_posix(), fmt=fmt)


__all__ = ["FORMATS", "READERS", "decode", "format_of", "read_bytes", "read_file"]
