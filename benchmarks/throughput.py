"""Speed and memory of plan_extract on a mixed archive, measured side by side
in one run (issue 20's goals).

The archive (``mixed.py``): every document of ../shared/corpus and data/raw
rendered as txt, docx, pdf, html and scanned pdf (pages drawn as images in
the real CJK font, no text layer: the tool OCRs them), an equal share of
documents each; a scanned document keeps its first ``--scan-pages`` pages
(OCR costs seconds a page), which the printout and the JSON say.  It prints:

- text path: chars/s of ``plan-extract run -j1`` on the txt share as a whole
  process against plain ``jieba.lcut`` over the same text in one process
  (as a whole process too: import, dictionary, reading; and its ``lcut``
  loop alone, the stricter anchor);
- the mixed archive: chars/s (of the decoded text) and files/s of
  ``plan-extract run -j1`` per format, and of the whole archive with -j1 and
  -j2 (and of the archive without its scanned share);
- PDF: pages/s of the read stage (``read_file``) against PDFium's own text
  extraction on the PDF share, in one process;
- OCR: pages/s on the scanned share;
- the peak RSS of the largest single process of each run, the OCR run included;
- with ``--against-commit REV``: ``plan-extract run`` of commit REV (a second
  install, made once in /tmp) against today's on the PDF share, end to end;
- the cold start, and seconds per MB of single files of 0.1, 1 and 10 MB;

checks the goals, and writes everything with the machine (cores, Python) and
the date to ``benchmarks/results/throughput.json``.

Run: ``python benchmarks/throughput.py [--rounds 3] [--archive-rounds 1]
[--scan-pages 1] [--against-commit e58e843^] [--quick]``.  A pair is
measured in alternating rounds and its ratio is the median of the rounds'
ratios (the host's speed drifts); ``--quick`` is a smoke run on two small
documents.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mixed  # noqa: E402

ROOT = mixed.ROOT
RESULTS = ROOT / "benchmarks" / "results"
EXE = str(Path(sys.executable).with_name("plan-extract"))

# Runs a command and prints the largest RSS (KB) among it and its descendants.
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
           "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(cmd: list[str], env: Optional[dict] = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a whole process (a run's failed inputs are checked by :func:`run`)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True,
                         cwd="/tmp", env=env)
    code, secs, rss_kb = out.stdout.split()
    if code not in ("0", "1"):
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}")
    return float(secs), int(rss_kb) / 1024


def without_ocr_cache() -> Path:
    """A temporary folder holding links to this package's start-up cache
    entries (jieba's dictionary, the models' tables: warm, as on a user's
    machine after the first run) but none of its OCR results, so that every
    run reads its scanned pages for real: the scans are the same pixels from
    run to run, and the OCR cache would answer them."""
    folder = Path(tempfile.mkdtemp(prefix="plan_extract-bench-"))
    for entry in Path(tempfile.gettempdir()).glob("plan_extract.*.cache"):
        if not entry.name.startswith("plan_extract.ocr"):
            (folder / entry.name).symlink_to(entry)
    return folder


def run(paths: list[Path], out: Path, jobs: int = 1, exe: str = EXE) -> tuple[float, float]:
    """``plan-extract run PATHS -o OUT -jN`` as a whole process; every input must give records.
    This package's runs get a temporary folder without OCR results (:func:`without_ocr_cache`)."""
    folder = without_ocr_cache() if exe == EXE else None
    try:
        env = {**os.environ, "TMPDIR": str(folder)} if folder else None
        secs, rss = measure([exe, "run", *map(str, paths), "-o", str(out), "-j", str(jobs)], env)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    errors = (out / "errors.jsonl").read_text(encoding="utf-8").strip()
    if errors:
        raise SystemExit(f"the run on {paths} had errors:\n{errors[:2000]}")
    return secs, rss


# jieba as a whole process: import, dictionary, reading the files, lcut; it
# prints the lcut loop's seconds and its peak RSS.
JIEBA = """
import resource, sys, time
t = time.perf_counter()
import jieba
jieba.setLogLevel(60); jieba.initialize()
docs = [open(p, encoding="utf-8").read() for p in sys.argv[1:]]
t = time.perf_counter()
for d in docs:
    jieba.lcut(d)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def jieba_process(files: list[Path]) -> tuple[float, float, float]:
    """(whole-process seconds, lcut-loop seconds, peak RSS MB)."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", JIEBA, *map(str, files)], capture_output=True, text=True,
                         check=True, cwd="/tmp")
    whole = time.perf_counter() - t
    loop, rss = out.stdout.split()
    return whole, float(loop), int(rss) / 1024


SINGLE = """
import sys, time
sys.path.insert(0, {root!r})
from plan_extract import extract_text
text = open({path!r}, encoding="utf-8").read()
extract_text(text[:2000])
t = time.perf_counter()
for _ in range({repeat}):  # every size processes the same amount of text, so each is timed over an equal window
    extract_text(text)
print((time.perf_counter() - t) / {repeat})
"""


def median_ratio(a: list, b: list) -> tuple[float, list[float]]:
    """Median of a[k] / b[k] over the rounds (seconds: b faster gives > 1), and the ratios."""
    ratios = [x / y for x, y in zip(a, b)]
    return statistics.median(ratios), [round(r, 3) for r in ratios]


def linearity(docs: list[tuple[str, str]], tmp: Path, rounds: int, sizes: tuple) -> dict[str, float]:
    """Seconds per MB of one file of each size, each timed over 10 MB of text per round, best round."""
    joined = "\n".join(t for _, t in docs)
    per_mb: dict[str, float] = {}
    paths = {}
    for mb in sizes:
        text = joined * (int(mb * 2**20 / len(joined.encode("utf-8"))) + 1)
        text = text[: int(len(text) * mb * 2**20 / len(text.encode("utf-8")))]
        paths[mb] = tmp / f"single_{mb}.txt"
        paths[mb].write_text(text, encoding="utf-8")
    for _ in range(rounds):
        for mb, path in paths.items():
            out = subprocess.run([sys.executable, "-c", SINGLE.format(root=str(ROOT), path=str(path),
                                                                     repeat=round(10 / mb))],
                                 capture_output=True, text=True, check=True)
            rate = float(out.stdout) / (path.stat().st_size / 2**20)
            per_mb[str(mb)] = min(per_mb.get(str(mb), rate), rate)
    return per_mb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of the cheap pairs")
    ap.add_argument("--archive-rounds", type=int, default=1, help="rounds of the whole archive -j1 / -j2 (OCR inside)")
    ap.add_argument("--scan-pages", type=int, default=1, help="pages kept of each scanned document")
    ap.add_argument("--against-commit", metavar="REV", help="also run commit REV's plan-extract on the PDF share")
    ap.add_argument("--quick", action="store_true", help="smoke run: two small documents, one round")
    args = ap.parse_args()
    if args.quick:
        args.rounds = args.archive_rounds = 1
    started = time.perf_counter()
    docs = mixed.documents(quick=args.quick)
    old_exe = mixed.old_install(args.against_commit) if args.against_commit else None
    fig: dict = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                 "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform(),
                             "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
                 "options": {k: v for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        arch = mixed.build_archive(docs, tmp / "archive", args.scan_pages)
        sys.path.insert(0, str(ROOT))
        from plan_extract.stages.read import read_file

        shares: dict = {}
        for fmt in mixed.FORMATS:
            files = arch[fmt]["files"]
            pages = sum(mixed.pdf_pages(f) for f in files) if fmt in ("pdf", "scan") else None
            chars = arch["scan"]["chars_drawn"] if fmt == "scan" else sum(len(read_file(f).text) for f in files)
            shares[fmt] = {"files": len(files), "pages": pages, "chars": chars}
        scan = arch["scan"]
        fig["archive"] = {"documents_per_format": len(docs), "formats": list(mixed.FORMATS),
                          "scan_pages_kept": scan["pages_kept"], "scan_pages_of_the_documents":
                          scan["pages_of_the_documents"],
                          "scan_note": (f"the scanned share keeps the first {args.scan_pages} page(s) of each "
                                        f"document: {scan['pages_kept']} of {scan['pages_of_the_documents']} pages "
                                        "(OCR time); its chars are those drawn on the kept pages")}
        n = iter(range(10**6))
        out = lambda: tmp / f"out{next(n)}"  # noqa: E731

        # one run in the real temporary folder first: its start-up cache entries, which every measured run links
        measure([EXE, "run", str(arch["txt"]["files"][0]), "-o", str(out())])

        # text path: jieba in one process against plan-extract run -j1 on the txt share
        txt = arch["txt"]["files"]
        jw, jl, jr, tr = [], [], [], []
        for _ in range(args.rounds):
            whole, loop, rss = jieba_process(txt)
            jw.append(whole), jl.append(loop), jr.append(rss)
            tr.append(run([arch["txt"]["dir"]], out()))
        chars = shares["txt"]["chars"]
        run_s = [s for s, _ in tr]
        r_whole, by_whole = median_ratio(jw, run_s)
        r_loop, by_loop = median_ratio(jl, run_s)
        fig["text_path"] = {
            "chars": chars, "files": len(txt),
            "jieba_whole_process_chars_per_s": chars / statistics.median(jw),
            "jieba_lcut_loop_chars_per_s": chars / statistics.median(jl),
            "run_j1_chars_per_s": chars / statistics.median(run_s),
            "ratio_vs_jieba_whole_process": r_whole, "ratio_vs_jieba_whole_process_by_round": by_whole,
            "ratio_vs_jieba_lcut_loop": r_loop, "ratio_vs_jieba_lcut_loop_by_round": by_loop,
            "peak_rss_mb": {"jieba": max(jr), "run_j1": max(r for _, r in tr)}}

        # the archive, one format at a time, -j1 (txt: the text path's runs)
        per: dict = {}
        for fmt in mixed.FORMATS:
            secs, rss = (statistics.median(run_s), max(r for _, r in tr)) if fmt == "txt" \
                else run([arch[fmt]["dir"]], out())
            s = shares[fmt]
            per[fmt] = {**s, "seconds": secs, "chars_per_s": s["chars"] / secs, "files_per_s": s["files"] / secs,
                        "pages_per_s": s["pages"] / secs if s["pages"] else None, "peak_rss_mb": rss}
        fig["per_format_j1"] = per

        # the whole archive -j1 / -j2, and without its scanned share
        def pair(paths: list[Path], rounds: int) -> dict:
            j1, j2 = [], []
            for _ in range(rounds):
                j1.append(run(paths, out(), 1))
                j2.append(run(paths, out(), 2))
            ratio, by_round = median_ratio([s for s, _ in j1], [s for s, _ in j2])
            total = sum(shares[p.name]["chars"] for p in paths)
            return {"chars": total, "files": sum(shares[p.name]["files"] for p in paths),
                    "j1_seconds": statistics.median(s for s, _ in j1), "j2_seconds": statistics.median(s for s, _ in j2),
                    "j1_chars_per_s": total / statistics.median(s for s, _ in j1),
                    "j2_chars_per_s": total / statistics.median(s for s, _ in j2),
                    "j2_over_j1": ratio, "j2_over_j1_by_round": by_round,
                    "peak_rss_mb": {"j1": max(r for _, r in j1), "j2": max(r for _, r in j2)}}

        dirs = [arch[f]["dir"] for f in mixed.FORMATS]
        fig["archive_j1_j2"] = pair(dirs, args.archive_rounds)
        fig["archive_without_scans_j1_j2"] = pair(dirs[:-1], args.rounds)

        # PDF: the read stage against PDFium's own text extraction, in this process
        pdfs = arch["pdf"]["files"]
        times = mixed.pdf_read_times(pdfs, max(args.rounds, 3))
        pages = shares["pdf"]["pages"]
        fig["pdf_read"] = {"files": len(pdfs), "pages": pages, "read_file_seconds": times["read_file"],
                           "pdfium_seconds": times["pdfium"], "read_file_pages_per_s": pages / times["read_file"],
                           "pdfium_pages_per_s": pages / times["pdfium"],
                           "read_over_pdfium": times["read_file"] / times["pdfium"]}
        fig["ocr"] = {"pages": per["scan"]["pages"], "seconds": per["scan"]["seconds"],
                      "pages_per_s": per["scan"]["pages_per_s"], "peak_rss_mb": per["scan"]["peak_rss_mb"],
                      "note": fig["archive"]["scan_note"]}

        # PDF end to end against an older commit (a second install)
        if old_exe:
            old, new = [], []
            for _ in range(args.rounds):
                old.append(run([arch["pdf"]["dir"]], out(), 1, exe=str(old_exe))[0])
                new.append(run([arch["pdf"]["dir"]], out(), 1)[0])
            ratio, by_round = median_ratio(old, new)
            fig["pdf_vs_commit"] = {"commit": mixed.commit_of(args.against_commit), "rev": args.against_commit,
                                    "files": len(pdfs), "pages": pages, "old_seconds": statistics.median(old),
                                    "new_seconds": statistics.median(new), "speedup": ratio,
                                    "speedup_by_round": by_round}
        else:
            fig["pdf_vs_commit"] = None

        small = tmp / "small.txt"
        small.write_text(docs[0][1][:400], encoding="utf-8")
        fig["cold_start_s"] = min(measure([EXE, "run", str(small), "-o", str(out())])[0] for _ in range(3))
        fig["seconds_per_mb"] = linearity(docs, tmp, 1, (0.1,) if args.quick else (0.1, 1, 10))
    rss_runs = {"text path run -j1": fig["text_path"]["peak_rss_mb"]["run_j1"],
                **{f"{f} -j1": per[f]["peak_rss_mb"] for f in mixed.FORMATS},
                "archive -j1": fig["archive_j1_j2"]["peak_rss_mb"]["j1"],
                "archive -j2": fig["archive_j1_j2"]["peak_rss_mb"]["j2"]}
    fig["peak_rss_mb"] = {"by_run": rss_runs, "max": max(rss_runs.values())}
    goals = {"text path run -j1 >= 1.0x jieba (whole processes)": (fig["text_path"]["ratio_vs_jieba_whole_process"], ">=", 1.0),
             "archive -j2 >= 1.7x -j1": (fig["archive_j1_j2"]["j2_over_j1"], ">=", 1.7),
             "PDF read_file <= 2x PDFium text extraction": (fig["pdf_read"]["read_over_pdfium"], "<=", 2.0),
             "peak RSS <= 300 MB (OCR included)": (fig["peak_rss_mb"]["max"], "<=", 300),
             "PDF end to end >= 10x the pdfplumber commit": (fig["pdf_vs_commit"]["speedup"] if old_exe else None, ">=", 10)}
    fig["goals"] = {k: v[0] for k, v in goals.items()}
    fig["goals_met"] = {k: (None if v is None else (v >= lim if op == ">=" else v <= lim))
                        for k, (v, op, lim) in goals.items()}
    fig["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    fig["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report(fig)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "throughput.json").write_text(json.dumps(fig, indent=2, default=str) + "\n", encoding="utf-8")


def report(fig: dict) -> None:
    a = fig["archive"]
    print(f"mixed archive: {a['documents_per_format']} documents in each of {', '.join(a['formats'])}; "
          f"{fig['machine']['cores']} cores, Python {fig['machine']['python']}, {fig['date']}, "
          f"load average at start {fig['machine']['load_average_at_start']}")
    print(f"  NOTE: {a['scan_note']}")
    t = fig["text_path"]
    print(f"\ntext path ({t['files']} txt files, {t['chars']:,} chars)")
    print(f"  jieba whole process {t['jieba_whole_process_chars_per_s']:>12,.0f} chars/s   "
          f"jieba lcut loop {t['jieba_lcut_loop_chars_per_s']:>12,.0f} chars/s")
    print(f"  plan-extract run -j1 {t['run_j1_chars_per_s']:>11,.0f} chars/s   ratio {t['ratio_vs_jieba_whole_process']:.2f}x "
          f"of jieba's process (by round {t['ratio_vs_jieba_whole_process_by_round']}), "
          f"{t['ratio_vs_jieba_lcut_loop']:.2f}x of its lcut loop")
    print(f"\n{'-j1 per format':<16}{'files':>6}{'pages':>7}{'chars':>9}{'seconds':>9}{'chars/s':>10}"
          f"{'files/s':>9}{'pages/s':>9}{'RSS MB':>8}")
    for fmt, f in fig["per_format_j1"].items():
        pps = f"{f['pages_per_s']:.2f}" if f["pages_per_s"] else "-"
        print(f"{fmt:<16}{f['files']:>6}{f['pages'] or '-':>7}{f['chars']:>9,}{f['seconds']:>9.2f}"
              f"{f['chars_per_s']:>10,.0f}{f['files_per_s']:>9.2f}{pps:>9}{f['peak_rss_mb']:>8.0f}")
    for key, name in (("archive_j1_j2", "whole archive"), ("archive_without_scans_j1_j2", "without scans")):
        w = fig[key]
        print(f"{name:<16}{w['files']:>6}{'':>7}{w['chars']:>9,}  -j1 {w['j1_seconds']:.2f} s "
              f"{w['j1_chars_per_s']:,.0f} chars/s, -j2 {w['j2_seconds']:.2f} s {w['j2_chars_per_s']:,.0f} chars/s: "
              f"{w['j2_over_j1']:.2f}x (by round {w['j2_over_j1_by_round']})")
    p = fig["pdf_read"]
    print(f"\nPDF read ({p['files']} files, {p['pages']} pages): read_file {p['read_file_pages_per_s']:.1f} pages/s, "
          f"PDFium get_text_range {p['pdfium_pages_per_s']:.1f} pages/s: reading takes {p['read_over_pdfium']:.2f}x PDFium's")
    o = fig["ocr"]
    print(f"OCR: {o['pages']} pages in {o['seconds']:.1f} s = {o['pages_per_s']:.3f} pages/s "
          f"({o['seconds'] / o['pages']:.1f} s a page, start-up included)")
    c = fig["pdf_vs_commit"]
    if c:
        print(f"PDF end to end, {c['files']} files: commit {c['commit'][:12]} ({c['rev']}) {c['old_seconds']:.2f} s, "
              f"today {c['new_seconds']:.2f} s: {c['speedup']:.1f}x (by round {c['speedup_by_round']})")
    else:
        print("PDF end to end against the pdfplumber commit: not measured (--against-commit e58e843^)")
    print(f"peak RSS, largest single process: {fig['peak_rss_mb']['max']:.0f} MB ("
          + ", ".join(f"{k} {v:.0f}" for k, v in fig["peak_rss_mb"]["by_run"].items()) + ")")
    print(f"cold start {fig['cold_start_s']:.2f} s; seconds per MB, single file: "
          + ", ".join(f"{k} MB: {v:.2f}" for k, v in fig["seconds_per_mb"].items()))
    print("\ngoals:")
    for name, value in fig["goals"].items():
        met = fig["goals_met"][name]
        print(f"  {'n/a ' if met is None else 'met ' if met else 'MISS'}  {name}: "
              + ("not measured" if value is None else f"{value:.2f}"))
    print(f"benchmark took {fig['benchmark_seconds']:.0f} s; load average at the end "
          f"{fig['machine']['load_average_at_end']} (other processes on the host slow every figure)")


if __name__ == "__main__":
    main()
