"""Reading PDF text layers: pdfplumber (the reader up to issue 20) against
pypdfium2 (the reader since), on the same files, in one process.

Files: the held-out PDFs under ``data/heldout*/raw/`` and PDFs generated
from the corpus (``tests/formats_gen.py``'s ``to_pdf``, a CJK font, page
numbers and a running header) of about 3, 30 and 100 pages.  For each file
and library it times the text extraction alone (no fork, no clean stage),
best of ``--rounds``, and says whether the two texts are the same once
PDFium's ``\\r\\n`` is made ``\\n`` and each page's lines are compared as sets
(PDFium keeps content-stream order, pdfplumber sorts by position).

Run: ``python benchmarks/pdf_read.py [--rounds 3]``; pdfplumber must be
installed (``pip install pdfplumber``: it is no longer a dependency).
Writes ``benchmarks/results/pdf_read.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results"


def plumber_pages(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        out = []
        for page in pdf.pages:
            out.append(page.extract_text() or "")
            page.close()
    return out


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    out = []
    for k in range(len(doc)):
        page = doc[k]
        tp = page.get_textpage()
        out.append(tp.get_text_range().replace("\r\n", "\n"))
        tp.close()
        page.close()
    doc.close()
    return out


def best(fn, data: bytes, rounds: int) -> tuple[float, list[str]]:
    times, pages = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        pages = fn(data)
        times.append(time.perf_counter() - t)
    return min(times), pages


def workload() -> dict[str, bytes]:
    sys.path.insert(0, str(ROOT / "tests"))
    from formats_gen import to_pdf

    files = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in sorted(ROOT.glob("data/heldout*/raw/*.pdf"))}
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    for chars in (3_000, 30_000, 100_000):
        body = (text * (chars // max(len(text), 1) + 1))[:chars]
        files[f"generated_{chars // 1000}k_chars.pdf"] = to_pdf(body, header="某某医院文件")
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for name, data in workload().items():
        t_plumber, a = best(plumber_pages, data, args.rounds)
        t_pdfium, b = best(pdfium_pages, data, args.rounds)
        same = len(a) == len(b) and all(sorted(x.split("\n")) == sorted(y.split("\n")) for x, y in zip(a, b))
        rows.append({"file": name, "pages": len(b), "chars": sum(map(len, b)), "pdfplumber_s": round(t_plumber, 4),
                     "pypdfium2_s": round(t_pdfium, 4), "speedup": round(t_plumber / t_pdfium, 1),
                     "same_lines": same})
        print(f"{name:60} {len(b):4} pages  pdfplumber {t_plumber:7.3f} s  pypdfium2 {t_pdfium:7.3f} s  "
              f"x{t_plumber / t_pdfium:5.1f}  same lines: {same}")
    total_a = sum(r["pdfplumber_s"] for r in rows)
    total_b = sum(r["pypdfium2_s"] for r in rows)
    print(f"total: pdfplumber {total_a:.3f} s, pypdfium2 {total_b:.3f} s, x{total_a / total_b:.1f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pdf_read.json").write_text(json.dumps({
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()}, "rounds": args.rounds,
        "files": rows, "total": {"pdfplumber_s": round(total_a, 3), "pypdfium2_s": round(total_b, 3)}},
        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
