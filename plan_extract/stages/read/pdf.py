"""PDF files through PDFium (pypdfium2): the text layer page by page, and
OCR (``ocr.py``) for a page whose text layer is empty or garbage (a scan).

Pages are joined by a line break, and where each page starts is kept
(:class:`Layout`), so a record can name the page of every span; the clean
stage re-joins wrapped lines and drops page numbers and running headers.
A page's text is its characters put in reading order by their boxes
(``pdf_page.py``).

A small PDF whose streams inflate to little (``light``) is read in this
process; anything else runs in a forked child under a memory budget
(``sandbox.py``): a 1 MB file may hold a 1 GB content stream, and OCR loads
neural networks.
"""

from __future__ import annotations

import re
import zlib

import regex

from ...core.document import Layout
from ...core.errors import StageError
from . import ocr
from .pdf_page import page_marks, page_text
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
# What str.isspace() holds to be white space, and the visible characters that
# are no text: ASCII controls, Latin-1 and Latin Extended letters (a CJK
# font's mojibake), U+FFFD, and above those other controls, format and
# private-use characters, unassigned code points and lone combining marks.
_SPACE = re.compile("[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_GARBAGE = regex.compile(r"(?V1)[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xa1-\u024f\ufffd\p{M}[\p{C}--[\x00-\u024f]]]")
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
            text, gutter = page_text(textpage, gutter, *page_marks(page))
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
