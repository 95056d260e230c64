"""PDF files through PDFium (pypdfium2): the text layer page by page, and
OCR (``ocr.py``) for a page whose text layer is empty or garbage (a scan).

Pages are joined by a line break, and where each page starts is kept
(:class:`Layout`), so a record can name the page of every span; the clean
stage re-joins wrapped lines and drops page numbers and running headers.
PDFium gives the text in content-stream order with its own line breaks,
which for the exports of Word, WPS and reportlab is reading order.

Everything runs in a forked child under a memory budget (``sandbox.py``): a
1 MB file may hold a 1 GB content stream, and OCR loads neural networks.
"""

from __future__ import annotations

import unicodedata

from ...core.document import Layout
from ...core.errors import StageError
from . import ocr
from .sandbox import MEMORY_BUDGET, OUT_OF_MEMORY, TIMED_OUT, allow_more, can_fork, out_of_memory, run_bounded

__all__ = ["MEMORY_BUDGET", "can_fork", "pdf_read", "pdf_text", "usable_text"]

# A page's text layer is used when it holds at least this many letters,
# digits and marks, making at least this share of its visible characters;
# otherwise the page is rendered and OCRed, when it draws an image or its
# text layer is that long (glyphs without a Unicode mapping).
MIN_TEXT_CHARS = 20
MIN_GOOD_SHARE = 0.6
RENDER_SCALE = 1.25  # 90 dpi: the smallest scale at which the OCR tests keep their F1 (1.0 loses sections)


def pdf_text(data: bytes) -> str:
    """The text, page by page (the clean stage repairs PDF artefacts)."""
    return pdf_read(data)[0]


def pdf_read(data: bytes) -> tuple[str, None, Layout]:
    """The pages' texts joined by line breaks, where each page starts, and
    the pages OCR read."""
    import pypdfium2  # noqa: F401  (imported here, so a forked child inherits it)

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
    good = sum(1 for ch in text if not ch.isspace() and _good(ch))
    return good >= MIN_TEXT_CHARS and good >= MIN_GOOD_SHARE * _visible(text)


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _good(ch: str) -> bool:
    if ch < "\x7f":
        return ch.isprintable()
    if ch <= "\u024f":  # Latin-1 and Latin Extended letters: a CJK font's mojibake
        return False
    return unicodedata.category(ch)[0] in "LNPS" and ch not in "\ufffd\ufffe"


def _outcome(data: bytes, timed: bool) -> tuple[str, object]:
    """("pages", (texts, OCR by page index, indexes of scanned pages)) or ("error", a reason)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            return "error", "password-protected PDF"
        return "error", f"corrupt PDF: {exc}"
    except MemoryError:
        return "error", OUT_OF_MEMORY
    try:
        texts, scans = [], []
        for k in range(len(doc)):
            page = doc[k]
            textpage = page.get_textpage()
            text = _page_text(textpage)
            textpage.close()
            if not usable_text(text) and (_visible(text) >= MIN_TEXT_CHARS or _draws_image(page)):
                scans.append(k)
            texts.append(text)
            page.close()  # memory stays one page deep
        read = {}
        if scans and ocr.available():
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


def _page_text(textpage) -> str:
    """A page's lines in reading order, from the characters' boxes: a PDF's
    content stream need not follow the page (Word's exports draw a font's
    runs apart, so quotes and digits land out of place), and PDFium's own
    text puts a space wherever a run changes font."""
    from pypdfium2 import raw

    chars = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch in ("\r", "\n", "") or (ch == " " and raw.FPDFText_IsGenerated(textpage.raw, i)):
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append((ch, left, bottom, right, top))
    lines: list[list[tuple]] = []
    for c in sorted(chars, key=lambda c: (-(c[2] + c[4]) / 2, c[1])):
        mid, height = (c[2] + c[4]) / 2, max(c[4] - c[2], 1.0)
        line = lines[-1] if lines else None
        if line and abs(mid - line[0][5]) <= 0.5 * max(height, line[0][6]):
            line.append(c + (mid, height))
        else:
            lines.append([c + (mid, height)])
    return "\n".join(_joined(sorted(line, key=lambda c: c[1])) for line in lines)


def _joined(line: list[tuple]) -> str:
    """A line's characters, with a space where the gap before a character is
    wide: a word gap between Latin letters or digits, a column gap anywhere."""
    out = [line[0][0]]
    for a, b in zip(line, line[1:]):
        gap, height = b[1] - a[3], max(a[6], b[6])
        wide = _wide(a[0]) or _wide(b[0])
        if gap > (0.5 if wide else 0.2) * height and " " not in (a[0], b[0]):
            out.append(" ")
        out.append(b[0])
    return "".join(out).strip()


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")
