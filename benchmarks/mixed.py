"""The mixed archive of ``throughput.py`` and the measurements around it.

- :func:`documents`: the texts of ``../shared/corpus`` and ``data/raw``
  (decoded by the read stage, any encoding);
- :func:`build_archive`: each document rendered as txt, docx, pdf, html and
  scanned pdf (one folder per format) with the generators of
  ``tests/formats_gen.py``; a scanned document keeps its first
  ``scan_pages`` pages (OCR is the slow path), which the result says;
- :func:`pdf_read_times`: the read stage (``read_file``) against PDFium's
  own text extraction on the same PDFs, in one process;
- :func:`old_install`: a worktree and a venv of an older commit, for the
  PDF end-to-end comparison with the pipeline before issue 20.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
FORMATS = ("txt", "docx", "pdf", "html", "scan")  # "scan": a scanned PDF (pages as images, no text layer)


def _gen():
    sys.path.insert(0, str(ROOT / "tests"))
    import formats_gen

    return formats_gen


def documents(quick: bool = False) -> list[tuple[str, str]]:
    """(name, text) of the corpus and the samples, line breaks as ``\\n``; ``quick``: the two smallest."""
    sys.path.insert(0, str(ROOT))
    from plan_extract.stages.read import read_file

    files = sorted(CORPUS.glob("*.txt")) + sorted((ROOT / "data" / "raw").iterdir())
    # line breaks made "\n": a UTF-16 sample's CRLF would be drawn as a glyph on a scanned page
    docs = [(f.stem, read_file(f).text.replace("\r\n", "\n").replace("\r", "\n")) for f in files]
    return sorted(docs, key=lambda d: len(d[1]))[:2] if quick else docs


def build_archive(docs: list[tuple[str, str]], root: Path, scan_pages: int) -> dict:
    """Write every document in every format under ``root/<format>/``; return,
    per format, its folder and files, and for the scanned share the pages it
    keeps, of how many, and the characters drawn on the kept pages."""
    gen = _gen()
    out: dict = {}
    for fmt in FORMATS:
        (root / fmt).mkdir(parents=True)
        out[fmt] = {"dir": root / fmt, "files": []}
    kept = total = drawn = 0
    for name, text in docs:
        (root / "txt" / f"{name}.txt").write_text(text, encoding="utf-8")
        (root / "docx" / f"{name}.docx").write_bytes(gen.to_docx(text))
        (root / "pdf" / f"{name}.pdf").write_bytes(gen.to_pdf(text))
        (root / "html" / f"{name}.html").write_text(gen.to_html(text), encoding="utf-8")
        pages = gen.scan_page_texts(text)
        total += len(pages)
        kept += len(pages[:scan_pages])
        drawn += sum(1 for page in pages[:scan_pages] for ch in page if not ch.isspace())
        (root / "scan" / f"{name}.pdf").write_bytes(gen.to_scanned_pdf(text, max_pages=scan_pages))
    for fmt in FORMATS:
        out[fmt]["files"] = sorted(out[fmt]["dir"].iterdir())
    out["scan"].update({"pages_kept": kept, "pages_of_the_documents": total, "chars_drawn": drawn})
    return out


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def pdfium_text(data: bytes) -> int:
    """PDFium's own text extraction, page by page; the characters it gives."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    n = 0
    for k in range(len(doc)):
        page = doc[k]
        tp = page.get_textpage()
        n += len(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    return n


def pdf_read_times(files: list[Path], rounds: int) -> dict:
    """Seconds of ``read_file`` and of PDFium's text extraction over ``files``
    (bytes already in memory for PDFium; ``read_file`` reads its file, forks
    its memory-capped child and orders the characters), alternating, best of
    ``rounds``."""
    sys.path.insert(0, str(ROOT))
    from plan_extract.stages.read import read_file

    blobs = [f.read_bytes() for f in files]
    read_file(files[0]), pdfium_text(blobs[0])  # warm: imports
    best = {"read_file": float("inf"), "pdfium": float("inf")}
    for _ in range(rounds):
        t = time.perf_counter()
        for f in files:
            read_file(f)
        best["read_file"] = min(best["read_file"], time.perf_counter() - t)
        t = time.perf_counter()
        for b in blobs:
            pdfium_text(b)
        best["pdfium"] = min(best["pdfium"], time.perf_counter() - t)
    return best


def old_install(rev: str) -> Path:
    """The ``plan-extract`` of commit ``rev``: a detached worktree in
    ``/tmp/plan_extract-<hash>`` and a venv beside it (made once, then reused)."""
    sha = commit_of(rev)
    tree = Path(f"/tmp/plan_extract-{sha[:12]}")
    venv = Path(f"{tree}-venv")
    exe = venv / "bin" / "plan-extract"
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha], check=True,
                       stdout=subprocess.DEVNULL)
    if not exe.exists():
        print(f"installing {sha[:12]} into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-e", str(tree)], check=True,
                       stdout=subprocess.DEVNULL)
    return exe


def commit_of(rev: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                          capture_output=True, text=True, check=True).stdout.strip()
