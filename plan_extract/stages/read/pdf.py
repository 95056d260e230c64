"""PDF files: the text layer, page by page, through pdfplumber (the clean
stage re-joins wrapped lines and drops page numbers and running headers)."""

from __future__ import annotations

import io

from ...core.errors import StageError


def pdf_text(data: bytes) -> str:
    """The text layer, page by page (the clean stage repairs PDF artefacts)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except PDFPasswordIncorrect:
        raise StageError("read", "password-protected PDF") from None
    except PDFSyntaxError as exc:
        raise StageError("read", f"corrupt PDF: {exc}") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name or b"/Encrypt" in data:
            raise StageError("read", "password-protected PDF") from None
        raise StageError("read", f"corrupt PDF: {name}: {exc}") from None
    text = "\n".join(pages)
    if not text.strip():
        raise StageError("read", "PDF has no text layer (a scan?); OCR it first")
    return text
