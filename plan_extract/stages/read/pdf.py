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
import unicodedata
import zlib
from collections import Counter
from functools import lru_cache
from typing import Optional

from ...core.document import Layout
from ...core.errors import StageError
from . import ocr
from .columns import left_edge, reading_order, wide
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
    counts = Counter(text)  # each distinct character judged once
    good = sum(n for ch, n in counts.items() if not ch.isspace() and _good(ch))
    return good >= MIN_TEXT_CHARS and good >= MIN_GOOD_SHARE * _visible(text, counts)


def _visible(text: str, counts: Optional[Counter] = None) -> int:
    return sum(n for ch, n in (counts or Counter(text)).items() if not ch.isspace())


def _good(ch: str) -> bool:
    if ch < "\x7f":
        return ch.isprintable()
    if ch <= "\u024f":  # Latin-1 and Latin Extended letters: a CJK font's mojibake
        return False
    return unicodedata.category(ch)[0] in "LNPS" and ch not in "\ufffd\ufffe"


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
    ref = ctypes.byref(matrix)
    pending = [(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, page.raw, 0)]
    while pending:
        count, get, parent, level = pending.pop()
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                if not raw.FPDFPageObj_GetMatrix(obj, ref):
                    raise PdfiumError("Failed to get matrix of pageobject.")
                if abs(matrix.b) > TILT * abs(matrix.a) + 1e-9 or abs(matrix.c) > TILT * abs(matrix.d) + 1e-9:
                    return True
            elif kind == raw.FPDF_PAGEOBJ_FORM and level < 3:
                pending.append((raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj, level + 1))
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
    """``(char, left, bottom, right, top)`` of each character a reader sees
    (not line breaks, not the spaces PDFium adds), its loose box in points:
    the page's text taken once and indexed by PDFium's text index, one
    call for the box; ``None`` when the text holds a surrogate (a
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
    box = raw.FS_RECTF()
    loose = _box_call()
    page, ref = ctypes.cast(tp, ctypes.c_void_p).value, ctypes.addressof(box)
    out, first = [], None
    skip = _tilted(tp, n) if tilted else ()
    if not skip and len(units) == n and index_of(tp, 0) == 0 and index_of(tp, n - 1) == n - 1:
        return _chars_in_order(tp, units, generated, (loose, page, ref), box)  # no lookups
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
        out.append((ch, box.left, box.bottom, box.right, box.top))
    return out


def _chars_in_order(tp, units: str, generated, box_call, box) -> list[tuple]:
    """:func:`_chars` where character ``i`` is ``units[i]`` (as many code units
    as characters, the first and last indexed as themselves): one call per
    box instead of two, the same characters.  ``box_call``: (the call that
    fills ``box``, the text page's address, ``box``'s address)."""
    from pypdfium2 import PdfiumError

    loose, page, ref = box_call
    out = []
    append = out.append
    for i, ch in enumerate(units):
        if ch == "\r" or ch == "\n" or (ch == " " and generated(tp, i)):
            continue
        if not loose(page, i, ref):
            raise PdfiumError("Failed to get charbox.")
        append((ch, box.left, box.bottom, box.right, box.top))
    return out


@lru_cache(maxsize=1)
def _box_call():
    """PDFium's ``FPDFText_GetLooseCharBox`` called with plain addresses: the
    same C function, without the checks of pypdfium2's pointer types on each
    call (0.9 µs of 2.3 a character, and a page has a thousand)."""
    import ctypes

    from pypdfium2 import raw

    signature = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    return signature(ctypes.cast(raw.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)


def _chars_one_by_one(textpage) -> list[tuple]:
    from pypdfium2 import raw

    chars = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch in ("\r", "\n", "") or (ch == " " and raw.FPDFText_IsGenerated(textpage.raw, i)):
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append((ch, left, bottom, right, top))
    return chars


def _joined(line: list[tuple]) -> str:
    """A line's characters, with a space where the gap before a character is
    wide: a word gap between Latin letters or digits, a column gap anywhere."""
    a = line[0]
    out, a_wide = [a[0]], wide(a[0])
    for b in line[1:]:
        b_wide = wide(b[0])
        height = a[6] if a[6] > b[6] else b[6]
        if b[1] - a[3] > (0.5 if a_wide or b_wide else 0.2) * height and a[0] != " " and b[0] != " ":
            out.append(" ")
        out.append(b[0])
        a, a_wide = b, b_wide
    return "".join(out).strip()
