"""PDF files through PDFium (pypdfium2): the text layer page by page, and
OCR (``ocr.py``) for a page whose text layer is empty or garbage (a scan).

Pages are joined by a line break, and where each page starts is kept
(:class:`Layout`), so a record can name the page of every span; the clean
stage re-joins wrapped lines and drops page numbers and running headers.
PDFium gives the text in content-stream order with its own line breaks,
which for the exports of Word, WPS and reportlab is reading order.

A small PDF whose streams inflate to little (``light``) is read in this
process; anything else runs in a forked child under a memory budget
(``sandbox.py``): a 1 MB file may hold a 1 GB content stream, and OCR loads
neural networks.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache
from itertools import compress, repeat
from operator import add, itemgetter, neg, sub
from typing import Optional

import regex

from ...core.document import Layout
from ...core.errors import StageError
from . import ocr
from .columns import height_of, left_edge, placed, reading_order, wide
from .sandbox import MEMORY_BUDGET, OUT_OF_MEMORY, TIMED_OUT, allow_more, can_fork, out_of_memory, run_bounded

__all__ = ["MEMORY_BUDGET", "can_fork", "light", "pdf_read", "pdf_text", "usable_text"]

# A page's text layer is used when it holds at least this many letters,
# digits and marks, making at least this share of its visible characters;
# otherwise the page is rendered and OCRed, when it draws an image or its
# text layer is that long (glyphs without a Unicode mapping).
MIN_TEXT_CHARS = 20
MIN_GOOD_SHARE = 0.6
# A PDF is read in-process (``light``) when it is at most this large, has at
# most this many pages and its Flate streams inflate to at most this many
# bytes together; LZW and run-length data, encryption and a filter named
# through a reference (which the bytes do not show) send it to the child.
LIGHT_BYTES = 2 * 1024 * 1024
LIGHT_PAGES = 100
LIGHT_INFLATED = 16 * 1024 * 1024
_SUSPECT = re.compile(rb"/(?:LZW|RunLength|RL\b|Encrypt\b)|/Filter\s*(?:\[[^\]]*)?\d+\s+\d+\s+R")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_SURROGATES = re.compile("[\ud800-\udfff]")
# What str.isspace() holds to be white space, and the visible characters that
# are no text: ASCII controls, Latin-1 and Latin Extended letters (a CJK
# font's mojibake), U+FFFD, and above those other controls, format and
# private-use characters, unassigned code points and lone combining marks.
_SPACE = re.compile("[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_GARBAGE = regex.compile(r"(?V1)[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xa1-\u024f\ufffd\p{M}[\p{C}--[\x00-\u024f]]]")
_BREAK_OR_SPACE = re.compile("[\r\n ]")
# A text object drawn at an angle (a diagonal watermark, 内部资料 over the body):
# its characters leave the page's text when the rest stands upright.
TILT = 0.02  # a text matrix's shear (b or c against a or d) past which text is drawn at an angle
RENDER_SCALE = 1.25  # 90 dpi: the smallest scale at which the OCR tests keep their F1 (1.0 loses sections)


def pdf_text(data: bytes) -> str:
    """The text, page by page (the clean stage repairs PDF artefacts)."""
    return pdf_read(data)[0]


def pdf_read(data: bytes) -> tuple[str, None, Layout]:
    """The pages' texts joined by line breaks, where each page starts, and
    the pages OCR read."""
    import pypdfium2  # noqa: F401  (imported here, so a forked child inherits it)

    kind, value = _outcome(data, False, inline=True) if light(data) else ("heavy", None)
    if kind == "heavy":  # large, suspect or scanned: in the memory-capped child
        kind, value = run_bounded(_outcome, data, can_fork())
    if kind == "error":
        if value == OUT_OF_MEMORY:
            raise StageError("read", f"PDF needs more than {MEMORY_BUDGET // (1024 * 1024)} MB of memory "
                                     f"to decode (a decompression bomb?), or {ocr.MEMORY // (1024 * 1024)} MB "
                                     "more to OCR its scanned pages")
        if value == TIMED_OUT:
            raise StageError("read", f"OCR of a scanned PDF page took longer than {ocr.PAGE_SECONDS} s")
        raise StageError("read", value)
    texts, read, scans = value
    text, layout = ocr.assemble(texts, read)
    if not text.strip():
        if scans and not ocr.available():
            raise StageError("read", f"PDF has no text layer (a scan): reading it {ocr.MISSING}")
        if read:
            raise StageError("read", "PDF has no text layer, and OCR found no text on its scanned pages")
        raise StageError("read", "PDF has no text (no text layer, no scanned image)")
    return text, None, layout


def usable_text(text: str) -> bool:
    """Whether a page's text layer is real text, not empty or glyph garbage
    (private-use code points, controls, U+FFFD, Latin-1 letters standing for
    the glyphs of a CJK font without a ToUnicode map)."""
    visible = _visible(text)
    good = visible - len(_GARBAGE.findall(text))
    return good >= MIN_TEXT_CHARS and good >= MIN_GOOD_SHARE * visible


def _visible(text: str) -> int:
    """Characters that are not white space (``str.isspace``)."""
    return len(text) - len(_SPACE.findall(text))


def light(data: bytes) -> bool:
    """Whether a PDF is read in this process, without the forked child's
    memory cap (the fork and the child's start cost more than reading a
    small PDF): at most ``LIGHT_BYTES``, not encrypted, no stream in a
    filter that multiplies its data other than Flate nor a filter named
    indirectly, and its Flate streams inflate to at most ``LIGHT_INFLATED``
    bytes together (a 1 MB file may hold a 1 GB stream).  Its pages are
    counted once it is open (``LIGHT_PAGES``), and one with a scanned page
    goes to the child too (OCR)."""
    if len(data) > LIGHT_BYTES or _SUSPECT.search(data):
        return False
    budget = LIGHT_INFLATED
    for found in _STREAM.finditer(data):
        budget -= _inflated(data, found.end(), budget)
        if budget < 0:
            return False
    return True


def _inflated(data: bytes, start: int, budget: int) -> int:
    """Bytes the zlib stream at ``start`` inflates to, counted up to just
    past ``budget`` (0 for data that is not zlib: stored as is, or an image
    codec's, which reading text does not decode)."""
    inflate, view, pos, total = zlib.decompressobj(), memoryview(data), start, 0
    try:
        while not inflate.eof and total <= budget:
            chunk = inflate.unconsumed_tail
            if not chunk:
                chunk, pos = view[pos:pos + 65536], pos + 65536
                if not chunk:
                    break
            total += len(inflate.decompress(chunk, budget - total + 1))
    except zlib.error:
        pass
    return total


def _outcome(data: bytes, timed: bool, inline: bool = False) -> tuple[str, object]:
    """("pages", (texts, OCR by page index, indexes of scanned pages)) or ("error", a reason);
    ``inline`` (no memory cap): ("heavy", None) for a long PDF or one with scanned pages to OCR."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            return "error", "password-protected PDF"
        return "error", f"corrupt PDF: {exc}"
    except MemoryError:
        return "error", OUT_OF_MEMORY
    if inline and len(doc) > LIGHT_PAGES:
        doc.close()
        return "heavy", None
    try:
        texts, scans, gutter = [], [], None
        for k in range(len(doc)):
            page = doc[k]
            textpage = page.get_textpage()
            text, gutter = _page_text(textpage, gutter, _draws_tilted_text(page))
            textpage.close()
            if not usable_text(text) and (_visible(text) >= MIN_TEXT_CHARS or _draws_image(page)):
                scans.append(k)
            texts.append(text)
            page.close()  # memory stays one page deep
        read = {}
        if scans and ocr.available():
            if inline:
                return "heavy", None
            if len(scans) > ocr.MAX_PAGES:  # refused before any page is read: bounded time
                return "error", f"{len(scans)} scanned pages to OCR in one file (more than {ocr.MAX_PAGES}): split it"
            allow_more(ocr.MEMORY)  # the text layer was read under the tight budget; OCR needs its networks
            read = ocr.read_pages(_renders(doc, scans), timed=timed)
    except ocr.OcrError as exc:
        return "error", str(exc)
    except MemoryError:
        return "error", OUT_OF_MEMORY
    except Exception as exc:  # PDFium raises on damaged pages
        if out_of_memory(exc):
            return "error", OUT_OF_MEMORY
        return "error", f"corrupt PDF: {type(exc).__name__}: {exc}"
    finally:
        doc.close()
    for k, found in read.items():
        texts[k] = found.text
    return "pages", (texts, read, scans)


def _renders(doc, pages: list[int]):
    """(index, image) of each page, rendered at ``RENDER_SCALE`` or less, so
    the image stays within OCR's pixel budget."""
    for k in pages:
        page = doc[k]
        w, h = page.get_size()  # points
        scale = min(RENDER_SCALE, (ocr.MAX_PIXELS / max(w * h, 1.0)) ** 0.5, ocr.MAX_SIDE / max(w, h, 1.0))
        image = page.render(scale=scale).to_pil()
        page.close()
        yield k, image


def _draws_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)), None) is not None


def _draws_tilted_text(page) -> bool:
    """Whether the page draws a text object at an angle (a watermark): the
    page's objects and those of its forms four levels deep, as
    ``page.get_objects(max_depth=4)`` walks them, through PDFium's own calls
    (a wrapper object per page object took a third of this stage's time)."""
    import ctypes

    from pypdfium2 import PdfiumError, raw

    matrix = raw.FS_MATRIX()
    ref = ctypes.addressof(matrix)
    kind_of, matrix_of = _pdfium("FPDFPageObj_GetType"), _pdfium("FPDFPageObj_GetMatrix")
    top = ctypes.cast(page.raw, ctypes.c_void_p).value
    pending = [(_pdfium("FPDFPage_CountObjects"), _pdfium("FPDFPage_GetObject"), top, 0)]
    while pending:
        count, get, parent, level = pending.pop()
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = kind_of(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                if not matrix_of(obj, ref):
                    raise PdfiumError("Failed to get matrix of pageobject.")
                if abs(matrix.b) > TILT * abs(matrix.a) + 1e-9 or abs(matrix.c) > TILT * abs(matrix.d) + 1e-9:
                    return True
            elif kind == raw.FPDF_PAGEOBJ_FORM and level < 3:
                pending.append((_pdfium("FPDFFormObj_CountObjects"), _pdfium("FPDFFormObj_GetObject"), obj, level + 1))
    return False


def _tilted(tp, n: int) -> set[int]:
    """Indices of the characters drawn at another angle than most of the
    page's (a diagonal watermark over upright text)."""
    from pypdfium2 import raw

    angles = [round(raw.FPDFText_GetCharAngle(tp, i), 1) for i in range(n)]
    upright = Counter(angles).most_common(1)[0][0]
    return {i for i, a in enumerate(angles) if a != upright}


def _page_text(textpage, gutter=None, tilted: bool = False) -> tuple[str, Optional[tuple]]:
    """A page's lines in reading order, from the characters' boxes: a PDF's
    content stream need not follow the page (Word's exports draw a font's
    runs apart, so quotes and digits land out of place), and PDFium's own
    text puts a space wherever a run changes font.  ``gutter``: the column
    gutter of the page before (a layout holds from page to page); the
    page's own comes back with the text.  ``tilted``: the page draws text at
    an angle, whose characters are left out (a watermark)."""
    chars = _chars(textpage, tilted)
    if chars is None:  # text PDFium does not index one code unit a character (outside the BMP): one at a time
        chars = _chars_one_by_one(textpage)
    lines, gutter = reading_order(chars, gutter)
    return "\n".join(_joined(sorted(line, key=left_edge)) for line in lines), gutter


def _chars(textpage, tilted: bool = False):
    """Each character a reader sees (not line breaks, not the spaces PDFium
    adds) with its loose box in points, as the reading order takes it
    (:func:`columns.placed`): the page's text taken once and indexed by
    PDFium's text index, one call for the box; ``None`` when the text holds a surrogate (a
    character outside the BMP), where text indexes are not code units."""
    import ctypes

    from pypdfium2 import PdfiumError, raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buffer = (ctypes.c_ushort * (n + 1))()
    written = raw.FPDFText_GetText(tp, 0, n, buffer)
    units = bytes(memoryview(buffer)[: max(written - 1, 0)]).decode("utf-16-le", "surrogatepass")
    if _SURROGATES.search(units):
        return None
    index_of, generated = raw.FPDFText_GetTextIndexFromCharIndex, raw.FPDFText_IsGenerated
    skip = _tilted(tp, n) if tilted else ()
    if not skip and len(units) == n and index_of(tp, 0) == 0 and index_of(tp, n - 1) == n - 1:
        return _chars_in_order(tp, units, generated)  # no lookups
    box = raw.FS_RECTF()
    loose, ref = _pdfium("FPDFText_GetLooseCharBox"), ctypes.addressof(box)
    page = ctypes.cast(tp, ctypes.c_void_p).value
    out, first = [], None
    for i in range(n):
        t = index_of(tp, i)
        if t < 0:
            continue
        if first is None:
            first = t  # the page's text starts at the first character that has one
        if i in skip:
            continue
        if t - first >= len(units):
            return None
        ch = units[t - first]
        if ch in "\r\n" or (ch == " " and generated(tp, i)):
            continue
        if not loose(page, i, ref):
            raise PdfiumError("Failed to get charbox.")
        out.append(placed(ch, box.left, box.bottom, box.right, box.top))
    return out


def _chars_in_order(tp, units: str, generated) -> list[tuple]:
    """:func:`_chars` where character ``i`` is ``units[i]`` (as many code units
    as characters, the first and last indexed as themselves): every box
    written by PDFium into one array and the tuples built at C speed (a
    Python loop over a page's thousand characters cost as much as PDFium's
    own text extraction), then the line breaks and PDFium's spaces left out."""
    import ctypes

    from pypdfium2 import PdfiumError

    n = len(units)
    boxes = (ctypes.c_float * (4 * n))()  # FS_RECTF: left, top, right, bottom
    base = ctypes.addressof(boxes)
    page = ctypes.cast(tp, ctypes.c_void_p).value
    if not all(map(_pdfium("FPDFText_GetLooseCharBox"), repeat(page, n), range(n), range(base, base + 16 * n, 16))):
        raise PdfiumError("Failed to get charbox.")
    floats = memoryview(boxes).cast("B").cast("f").tolist()
    lefts, tops, rights, bottoms = floats[0::4], floats[1::4], floats[2::4], floats[3::4]
    depths, heights = map(neg, map(add, bottoms, tops)), map(sub, tops, bottoms)  # as columns.placed has them
    placed_all = zip(units, lefts, bottoms, rights, tops, depths, heights)
    keep = bytearray(b"\x01") * n
    for found in _BREAK_OR_SPACE.finditer(units):
        i = found.start()
        keep[i] = found.group() == " " and not generated(tp, i)
    return list(compress(placed_all, keep))


# PDFium calls made often (per character, per page object): (result, arguments)
# with plain addresses for pointers, in ctypes' names
_SIGNATURES = {"FPDFText_GetLooseCharBox": ("c_int", "c_void_p", "c_int", "c_void_p"),
               "FPDFPage_CountObjects": ("c_int", "c_void_p"),
               "FPDFPage_GetObject": ("c_void_p", "c_void_p", "c_int"),
               "FPDFFormObj_CountObjects": ("c_int", "c_void_p"),
               "FPDFFormObj_GetObject": ("c_void_p", "c_void_p", "c_ulong"),
               "FPDFPageObj_GetType": ("c_int", "c_void_p"),
               "FPDFPageObj_GetMatrix": ("c_int", "c_void_p", "c_void_p")}


@lru_cache(maxsize=None)
def _pdfium(name: str):
    """PDFium's function ``name`` called with plain addresses: the same C
    function, without the checks and wrappers of pypdfium2's pointer types
    on each call (0.9 µs of 2.3 a character box, and a page has a thousand)."""
    import ctypes

    from pypdfium2 import raw

    result, *arguments = (getattr(ctypes, t) for t in _SIGNATURES[name])
    return ctypes.CFUNCTYPE(result, *arguments)(ctypes.cast(getattr(raw, name), ctypes.c_void_p).value)


def _chars_one_by_one(textpage) -> list[tuple]:
    from pypdfium2 import raw

    chars = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch in ("\r", "\n", "") or (ch == " " and raw.FPDFText_IsGenerated(textpage.raw, i)):
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append(placed(ch, left, bottom, right, top))
    return chars


def _joined(line: list[tuple]) -> str:
    """A line's characters, with a space where the gap before a character is
    wide: a word gap between Latin letters or digits (a fifth of the line's
    height), a column gap anywhere (half of it).  The gaps past a fifth of
    the raw heights are found first: most lines have none."""
    text = "".join(map(itemgetter(0), line))
    wider = [k for k, a, b in zip(range(1, len(line)), line, line[1:])
             if b[1] - a[3] > 0.2 * (a[6] if a[6] > b[6] else b[6])]
    pieces, start = [], 0
    for k in wider:
        a, b = line[k - 1], line[k]
        height = max(height_of(a), height_of(b))
        if b[1] - a[3] > (0.5 if wide(a[0]) or wide(b[0]) else 0.2) * height and a[0] != " " and b[0] != " ":
            pieces += (text[start:k], " ")
            start = k
    return ("".join(pieces) + text[start:]).strip() if pieces else text.strip()
