"""Plain text in any common encoding: UTF-8 and UTF-16 recognised by their
BOM or by strict decoding; the legacy Chinese encodings (GB18030/GBK, Big5)
told apart by charset-normalizer (GBK and GB2312 are reported as
``gb18030``, their superset)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ...core.errors import StageError

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
