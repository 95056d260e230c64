"""Stage ``read``: bytes to text, with the format and encoding named.

Text files: UTF-8 and UTF-16 are recognised by their BOM or by decoding
strictly; the legacy Chinese encodings (GB18030/GBK, Big5) are told apart by
charset-normalizer (GBK and GB2312 are reported as ``gb18030``, their
superset).  Word, PDF and saved web pages go through
:mod:`plan_extract.formats`.
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from charset_normalizer import from_bytes

from .document import Source
from .errors import StageError

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".doc": "doc",
           ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".mhtml": "mhtml", ".mht": "mhtml"}
MAX_BYTES = 50 * 1024 * 1024

# charset-normalizer's names -> the names written to ``source.encoding``
_CANONICAL = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030",
    "big5": "big5", "big5hkscs": "big5", "cp950": "big5",
    "utf_8": "utf-8", "utf_16": "utf-16", "utf_16_le": "utf-16", "utf_16_be": "utf-16",
}
_CJK_CANDIDATES = ["gb18030", "big5", "utf_16", "utf_8"]


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise ``StageError`` if it is not text."""
    if not data:
        raise StageError("read", "empty file")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise StageError("read", f"broken UTF-16 text: {exc.reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_binary(text)
        return text, "utf-8"
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise StageError("read", "binary data, not text")
    best = from_bytes(data, cp_isolation=_CJK_CANDIDATES).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None:
        raise StageError("read", "undecodable text: no encoding fits")
    encoding = _CANONICAL.get(best.encoding, best.encoding.replace("_", "-"))
    text = str(best)
    _refuse_binary(text)
    return text, encoding


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    return sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4


def _refuse_binary(text: str) -> None:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if sample and controls / len(sample) > 0.05:
        raise StageError("read", "binary data, not text")


def format_of(name: str) -> str | None:
    return FORMATS.get(Path(name).suffix.lower())


def read_bytes(data: bytes, *, path: str, fmt: str = "txt") -> Source:
    """Decode one file's bytes in its format."""
    from . import formats

    if not data:
        raise StageError("read", "empty file")
    encoding: str | None = None
    if fmt in ("txt", "md"):
        text, encoding = decode(data)
    elif fmt == "docx":
        text = formats.docx_text(data)
    elif fmt == "doc":
        text = formats.doc_text(data)
    elif fmt == "pdf":
        text = formats.pdf_text(data)
    elif fmt == "html":
        charset = formats.html_charset(data)
        try:
            raw, encoding = (data.decode(charset), charset) if charset else decode(data)
        except (LookupError, UnicodeDecodeError):
            raw, encoding = decode(data)
        text = formats.html_text(raw)
    elif fmt == "mhtml":
        raw, encoding = formats.mhtml_html(data)
        text = formats.html_text(raw)
    else:
        raise StageError("read", f"unsupported format {fmt!r}")
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
