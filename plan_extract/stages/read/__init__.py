"""Stage ``read``: bytes to text, with the format and encoding named.

Each format has a reader (``text``, ``word``, ``doc``, ``pdf``, ``web``, ``sheet``, ``image``) that takes
the file's bytes and returns ``(text, encoding)``; the suffix table below
picks it.  A reader raises :class:`StageError` with a reason a person can
act on.  Adding a format: a reader function and its rows in ``FORMATS`` and
``READERS``.

A reader may leave an undecodable byte in its text as a mark (a lone
surrogate, see ``text.py``); :func:`read_bytes` makes every mark U+FFFD and
notes it, so the record's ``warnings`` count the bytes that were replaced.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Callable, Optional

from ...core.document import Layout, Note, Source
from ...core.errors import StageError
from . import doc, image, pdf, sheet, web, word
from .text import MARKS, decode, join_surrogate_pairs, replace_undecodable

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".doc": "doc",
           ".rtf": "rtf", ".odt": "odt",
           ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".mhtml": "mhtml", ".mht": "mhtml",
           ".xlsx": "xlsx", ".xls": "xls", ".csv": "csv",
           # WPS Office and Word's other names for the same files: WPS writes Word 97
           # and Excel 97 binaries under .wps/.wpt and .et/.ett; templates and
           # macro files are their documents' formats
           ".wps": "doc", ".wpt": "doc", ".dot": "doc", ".docm": "docx", ".dotx": "docx",
           ".et": "xls", ".ett": "xls", ".xlsm": "xlsx",
           ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
# format -> whether its lines are hard-wrapped: a PDF's always, a sheet's rows
# never (short rows without full stops look wrapped); other formats are checked
HARD_WRAP = {"pdf": True, "image": True, "xlsx": False, "xls": False, "csv": False}
MAX_BYTES = 50 * 1024 * 1024
UNDECODABLE = "undecodable"  # the kind of note a replaced byte leaves
# A mark cannot pass the HTML parser (lxml refuses lone surrogates): it
# crosses it as this noncharacter, which no page holds, and is marked again.
_HTML_MARK = "\ufdd0"


def _html(data: bytes) -> tuple[str, Optional[str]]:
    charset = web.html_charset(data)
    try:
        raw, encoding = (data.decode(charset), charset) if charset else decode(data)
    except (LookupError, UnicodeDecodeError):
        raw, encoding = decode(data)
    return _html_text(raw), encoding


def _mhtml(data: bytes) -> tuple[str, Optional[str]]:
    raw, encoding = web.mhtml_html(data)
    return _html_text(raw), encoding


def _markdown(text: str, encoding: Optional[str]) -> tuple[str, Optional[str]]:
    return web.markdown_text(text), encoding


def _html_text(raw: str) -> str:
    if not MARKS.search(raw):
        return web.html_text(raw)
    return web.html_text(MARKS.sub(_HTML_MARK, raw)).replace(_HTML_MARK, "\udcff")


# format -> reader(bytes) -> (text, encoding or None when the format has none), or
# (text, encoding, Layout) for a reader that knows pages (PDF, Word, images)
READERS: dict[str, Callable[[bytes], tuple[str, Optional[str]]]] = {
    "txt": decode,
    "md": lambda data: _markdown(*decode(data)),
    "docx": word.docx_read,
    "doc": lambda data: (doc.doc_text(data), None),
    "rtf": lambda data: (doc.office_text(data, ".rtf"), None),
    "odt": lambda data: (doc.office_text(data, ".odt"), None),
    "pdf": pdf.pdf_read,
    "html": _html,
    "mhtml": _mhtml,
    "xlsx": lambda data: (sheet.xlsx_text(data), None),
    "xls": lambda data: (sheet.xls_text(data), None),
    "csv": sheet.csv_text,
    "image": image.image_read,
}


def format_of(name: str) -> str | None:
    return FORMATS.get(Path(name).suffix.lower())


def read_bytes(data: bytes, *, path: str, fmt: str = "txt") -> Source:
    """Decode one file's bytes in its format."""
    if not isinstance(data, (bytes, bytearray)):
        raise StageError("read", f"data must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise StageError("read", "empty file")
    reader = READERS.get(fmt)
    if reader is None:
        raise StageError("read", f"unsupported format {fmt!r}")
    text, encoding, *paged = reader(data)
    layout = paged[0] if paged else Layout()
    text, replaced = replace_undecodable(text)  # one character for one: page starts stay
    if not text.strip():
        raise StageError("read", "no text in the file")
    notes = tuple(sorted(layout.notes + tuple(Note(UNDECODABLE, pos, written) for pos, written in replaced),
                         key=lambda n: n.pos))
    return Source(path=path, sha256=hashlib.sha256(data).hexdigest(), format=fmt, encoding=encoding, text=text,
                  notes=notes, pages=layout.pages, ocr=layout.ocr)


def read_text(text: str, *, path: str) -> Source:
    """A document given as a string (``extract_text``): surrogate pairs are
    joined, and a lone surrogate, which no UTF-8 file can hold, becomes U+FFFD
    and is counted in ``warnings`` as an undecodable character."""
    if not isinstance(text, str):
        raise StageError("read", f"text must be a str, not {type(text).__name__}")
    text, replaced = replace_undecodable(join_surrogate_pairs(text))
    replaced = tuple((pos, written.replace("\\x", "\\udc")) for pos, written in replaced)  # code units, not bytes
    data = text.encode("utf-8")
    return Source(path=path, sha256=hashlib.sha256(data).hexdigest(), format="txt", encoding="utf-8", text=text,
                  notes=tuple(Note(UNDECODABLE, pos, written) for pos, written in replaced))


def read_file(path: str | Path) -> Source:
    """Read one file: text in any common encoding, Word, PDF, a saved web page or a spreadsheet."""
    p = Path(path)
    fmt = format_of(p.name)
    if fmt is None:
        raise StageError("read", f"unsupported format {p.suffix or '(none)'!r}")
    try:
        # non-blocking: opening a FIFO must not wait for a writer; fstat then
        # refuses it, a device (/dev/zero) or a socket before any read
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise StageError("read", "not a regular file (a FIFO, device or socket)")
            if info.st_size > MAX_BYTES:
                raise StageError("read", f"file too large ({info.st_size} bytes > {MAX_BYTES})")
            data = fh.read(MAX_BYTES + 1)  # capped, even if the file grows while it is read
    except OSError as exc:
        raise StageError("read", f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise StageError("read", f"file too large (more than {MAX_BYTES} bytes)")
    return read_bytes(data, path=p.as_posix(), fmt=fmt)


__all__ = ["FORMATS", "HARD_WRAP", "READERS", "UNDECODABLE", "decode", "format_of", "read_bytes", "read_file", "read_text"]
