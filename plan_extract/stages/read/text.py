"""Plain text in any common encoding: UTF-8 and UTF-16 recognised by their
BOM or by decoding (UTF-16 without a BOM by the share of plausible text
characters each byte order gives); the legacy Chinese encodings
(GB18030/GBK, Big5) told apart by charset-normalizer (GBK and GB2312 are
reported as ``gb18030``, their superset).

A file with a few bad bytes (a damaged copy, a truncated last character) is
not lost: when one encoding fits all but a small share of its bytes, the
text is decoded in it and every undecodable byte is left as a *mark*, a
lone surrogate U+DC00+byte (Python's ``surrogateescape`` convention, which
decoded text never holds otherwise).  The read stage turns each mark into
U+FFFD and counts it in the record's ``warnings``.
"""

from __future__ import annotations

import codecs
from typing import Optional

import regex
from charset_normalizer import from_bytes

from ...core.errors import StageError

# charset-normalizer's names -> the names written to ``source.encoding``
_CANONICAL = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030",
    "big5": "big5", "big5hkscs": "big5", "cp950": "big5",
    "utf_8": "utf-8", "utf_16": "utf-16", "utf_16_le": "utf-16", "utf_16_be": "utf-16",
}
_CJK_CANDIDATES = ["gb18030", "big5", "utf_16", "utf_8"]
_LEGACY = ("gb18030", "big5")  # tried leniently when no encoding fits every byte

# How many undecodable bytes a file may hold and still be read: a share of
# its non-ASCII bytes (UTF-8 read as GBK leaves about 3 % of them undecodable,
# GBK read as UTF-8 about 65 %, so "clearly UTF-8" may be looser).  A
# truncated last character is always allowed.
MAX_BAD_SHARE_UTF8 = 0.05
MAX_BAD_SHARE = 0.01

MARK_HANDLER = "plan_extract.mark"
MARKS = regex.compile("[\udc00-\udcff]")
_ASCII = bytes(range(128))
_MARK_CHARS = "".join(chr(0xDC00 + b) for b in range(256))
# What a UTF-16 byte order must mostly give: ASCII text, Latin-1, general
# punctuation, CJK symbols, the common ideographs, full-width forms.
_TEXT_CHAR = regex.compile(
    r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_UTF16_SAMPLE = 1 << 16
_UTF16_PLAUSIBLE = 0.9  # the right byte order scores about 1.0, the wrong one about 0.3


def _mark_bytes(exc: UnicodeDecodeError) -> tuple[str, int]:
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(MARK_HANDLER, _mark_bytes)


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise ``StageError`` if it is not text.
    Undecodable bytes, when few, stand in ``text`` as marks (see above)."""
    text, encoding = _decode(data)
    if encoding == "big5" and not text.isascii():
        try:  # Hong Kong's supplementary characters (峯 衞 邨): Big5-HKSCS holds Big5 whole
            return data.decode("big5hkscs"), encoding
        except UnicodeDecodeError:
            pass  # Microsoft's cp950 extensions: keep the decoding found
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    if not data:
        raise StageError("read", "empty file")
    if data.startswith(codecs.BOM_UTF8):
        return _declared(data[3:], "utf-8", MAX_BAD_SHARE_UTF8), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return _declared(data[2:], "utf-16-le", MAX_BAD_SHARE), "utf-16"
    if data.startswith(codecs.BOM_UTF16_BE):
        return _declared(data[2:], "utf-16-be", MAX_BAD_SHARE), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_binary(text)
        return text, "utf-8"
    utf16 = _utf16_order(data)
    if utf16:
        return _declared(data, utf16, MAX_BAD_SHARE), utf16
    if b"\x00" in data[:4096]:
        raise StageError("read", "binary data, not text")
    text, bad = _lenient(data, "utf-8")
    if _few(bad, _non_ascii(data), MAX_BAD_SHARE_UTF8, text):  # clearly UTF-8, a few bytes damaged
        _refuse_binary(text)
        return text, "utf-8"
    best = from_bytes(data, cp_isolation=_CJK_CANDIDATES).best()
    if best is None and b"\r\n" in data:
        # Windows line ends beside many box-drawing or symbol characters can
        # tip charset-normalizer's noise measure; judge the encoding on the
        # text with plain line ends, then decode the bytes as they are
        best = from_bytes(data.replace(b"\r\n", b"\n"), cp_isolation=_CJK_CANDIDATES).best()
        if best is not None:
            text = data.decode(best.encoding, MARK_HANDLER)
            _refuse_binary(text)
            return text, _canonical(best.encoding)
    if best is not None:
        text, encoding = str(best), _canonical(best.encoding)
        text, encoding = _second_opinion(data, text, encoding)
        _refuse_binary(text)
        return text, encoding
    legacy = _legacy(data)
    if legacy is not None:
        return legacy
    best = from_bytes(data).best()
    if best is None:
        share = bad / max(1, _non_ascii(data))
        raise StageError("read", f"undecodable text: no encoding fits (as UTF-8, {bad} bytes, "
                                 f"{share:.0%} of the non-ASCII ones, are invalid)")
    text = str(best)
    _refuse_binary(text)
    return text, _canonical(best.encoding)


_HAN_FIRST, _HAN_LAST = 0x4E00, 0x9FFF  # the common ideographs
_WORDS_SAMPLE = 4000  # characters of a decoding whose words are counted
_WORDS_MARGIN = 1.5  # the other legacy encoding wins only with this many times the words


def _second_opinion(data: bytes, text: str, encoding: str) -> tuple[str, str]:
    """GB18030 or Big5, whichever reads as Chinese words.  Both decode most
    of each other's bytes, and charset-normalizer's noise measure can be
    tipped by many symbols (a table drawn in box characters read as Big5):
    the decoding with clearly more dictionary words, once simplified, wins."""
    if encoding not in _LEGACY:
        return text, encoding
    other = _LEGACY[1 - _LEGACY.index(encoding)]
    try:
        other_text = data.decode(other)
    except UnicodeDecodeError:
        return text, encoding
    if _word_share(other_text) > _WORDS_MARGIN * _word_share(text):
        return other_text, other
    return text, encoding


def _word_share(text: str) -> float:
    """Share of the sample's Han characters that open a two-character
    dictionary word (jieba's), after conversion to simplified Chinese."""
    from ...text.script import to_simplified
    from ...text.segment import tokenizer

    sample = to_simplified(text[:_WORDS_SAMPLE])
    freq = tokenizer().FREQ
    han = sum(1 for ch in sample if _HAN_FIRST <= ord(ch) <= _HAN_LAST)
    words = sum(1 for i in range(len(sample) - 1) if freq.get(sample[i:i + 2]))
    return words / max(1, han)


def _canonical(name: str) -> str:
    return _CANONICAL.get(name, name.replace("_", "-"))


def _lenient(data: bytes, codec: str) -> tuple[str, int]:
    """The text with its undecodable bytes marked, and how many there are."""
    text = data.decode(codec, MARK_HANDLER)
    return text, len(MARKS.findall(text))


def _non_ascii(data: bytes) -> int:
    return len(data.translate(None, _ASCII))  # the ASCII bytes deleted


def _few(bad: int, base: int, share: float, text: str) -> bool:
    """Whether ``bad`` undecodable bytes are few enough to read the file: a
    small share of ``base`` (its non-ASCII bytes; all of them for UTF-16),
    or only a truncated last character."""
    if bad <= share * base:
        return True
    tail = len(text) - len(text.rstrip(_MARK_CHARS))
    return bad == tail and tail <= 3


def _declared(data: bytes, codec: str, share: float) -> str:
    """Text whose encoding a BOM (or its byte pattern) declares."""
    text, bad = _lenient(data, codec)
    base = len(data) if codec.startswith("utf-16") else _non_ascii(data)
    if bad and not _few(bad, base, share, text):
        raise StageError("read", f"broken {codec} text: {bad} of {len(data)} bytes invalid")
    _refuse_binary(text)
    return text


def _utf16_order(data: bytes) -> Optional[str]:
    """``utf-16-le`` or ``utf-16-be`` when the bytes, read in that order, are
    mostly plain text and in the other order are not; else None."""
    sample = data[: min(len(data), _UTF16_SAMPLE) // 2 * 2]
    if len(sample) < 4:
        return None
    scores = {}
    for codec in ("utf-16-le", "utf-16-be"):
        text = sample.decode(codec, "replace")
        scores[codec] = len(_TEXT_CHAR.findall(text)) / len(text)
    best = max(scores, key=scores.get)
    other = min(scores.values())
    return best if scores[best] >= _UTF16_PLAUSIBLE and other < scores[best] - 0.3 else None


def _legacy(data: bytes) -> Optional[tuple[str, str]]:
    """A legacy Chinese encoding that fits all but a few bytes, as
    charset-normalizer judges the bytes with those few made ``?``."""
    fits = []
    for codec in _LEGACY:
        text, bad = _lenient(data, codec)
        if _few(bad, _non_ascii(data), MAX_BAD_SHARE, text):
            fits.append((bad, codec, text))
    for bad, codec, text in sorted(fits, key=lambda f: f[0]):
        patched = MARKS.sub("?", text).encode(codec, "replace")
        best = from_bytes(patched, cp_isolation=_CJK_CANDIDATES).best()
        if best is not None and _canonical(best.encoding) == codec:
            _refuse_binary(text)
            return text, codec
    return None


def _refuse_binary(text: str) -> None:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if sample and controls / len(sample) > 0.05:
        raise StageError("read", "binary data, not text")


_LONE_SURROGATE = regex.compile("[\ud800-\udfff]")


def replace_undecodable(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """``text`` with every mark (an undecodable byte) and every other lone
    surrogate (which no file can hold and no UTF-8 output can write) made
    U+FFFD, and what was replaced: (position, ``\\xNN`` for a byte's mark,
    ``\\uXXXX`` for another surrogate)."""
    if not _LONE_SURROGATE.search(text):
        return text, ()
    replaced = tuple((m.start(), _written(m.group())) for m in _LONE_SURROGATE.finditer(text))
    return _LONE_SURROGATE.sub("\ufffd", text), replaced


def _written(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code - 0xDC00:02x}" if 0xDC00 <= code <= 0xDCFF else f"\\u{code:04x}"


def join_surrogate_pairs(text: str) -> str:
    """A string built from UTF-16 code units holds astral characters as two
    surrogates: join each such pair into its character."""
    if not _LONE_SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
