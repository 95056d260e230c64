"""PDF files through PDFium (pypdfium2): the text layer, page by page.

Pages are joined by a line break, and where each page starts is kept
(:class:`Layout`), so a record can name the page of every span; the clean
stage re-joins wrapped lines and drops page numbers and running headers.  PDFium gives the text in
content-stream order with its own line breaks, which for the exports of
Word, WPS and reportlab is reading order.

Everything runs in a forked child under a memory budget (``sandbox.py``): a
1 MB file may hold a 1 GB content stream.
"""

from __future__ import annotations

from ...core.document import Layout
from ...core.errors import StageError
from .sandbox import MEMORY_BUDGET, OUT_OF_MEMORY, can_fork, out_of_memory, run_bounded

__all__ = ["MEMORY_BUDGET", "can_fork", "pdf_read", "pdf_text"]


def pdf_text(data: bytes) -> str:
    """The text layer, page by page (the clean stage repairs PDF artefacts)."""
    return pdf_read(data)[0]


def pdf_read(data: bytes) -> tuple[str, None, Layout]:
    """The pages' texts joined by line breaks, and where each page starts."""
    import pypdfium2  # noqa: F401  (imported here, so a forked child inherits it)

    kind, value = run_bounded(_outcome, data)
    if kind == "error":
        if value == OUT_OF_MEMORY:
            raise StageError("read", f"PDF needs more than {MEMORY_BUDGET // (1024 * 1024)} MB of memory "
                                     "to decode (a decompression bomb?)")
        raise StageError("read", value)
    text, starts = join_pages(value)
    if not text.strip():
        raise StageError("read", "PDF has no text layer (a scan?); OCR it first")
    return text, None, Layout(pages=starts)


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """The pages joined by line breaks, and the offset where each starts."""
    starts, pos = [], 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + 1
    return "\n".join(pages), tuple(starts)


def _outcome(data: bytes) -> tuple[str, object]:
    """("pages", the pages' texts) or ("error", a reason)."""
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
        texts = []
        for k in range(len(doc)):
            page = doc[k]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()  # memory stays one page deep
    except MemoryError:
        return "error", OUT_OF_MEMORY
    except Exception as exc:  # PDFium raises on damaged pages
        if out_of_memory(exc):
            return "error", OUT_OF_MEMORY
        return "error", f"corrupt PDF: {type(exc).__name__}: {exc}"
    finally:
        doc.close()
    return "pages", texts
