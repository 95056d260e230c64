"""Throughput, memory, cold start and scaling of plan_extract, measured side by side.

Builds a workload from ../shared/corpus and data/raw (repeated to at least
5 MB of text) and prints:

- characters per second of plain ``jieba.lcut`` over the same text (the
  anchor), of ``extract_text`` in one process, and of ``plan-extract run -j1``
  and ``-j2`` as whole processes;
- peak RSS of each (largest single process);
- the cold start of ``plan-extract run`` on one small file;
- seconds per MB for single files of 0.1, 1 and 10 MB (each timed over 10 MB
  of text per round);

checks the goals of issue 7 against them, and writes the figures with the
machine's core count and Python version to ``benchmarks/results/throughput.json``.

Run: ``python benchmarks/throughput.py [--mb 5] [--rounds 3]``.  Each pair
(jieba / extract_text, -j1 / -j2) is measured in alternating rounds and its
ratio is the median of the rounds' ratios: the host's speed drifts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results"

# Runs a command and prints the largest RSS (KB) among it and its descendants.
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
           "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a whole process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True)
    code, secs, rss_kb = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}")
    return float(secs), int(rss_kb) / 1024


def texts() -> list[str]:
    """Decoded texts of the corpus and the samples (any encoding, via the read stage)."""
    sys.path.insert(0, str(ROOT))
    from plan_extract.stages.read import read_file

    files = sorted(CORPUS.glob("*.txt")) + sorted((ROOT / "data" / "raw").iterdir())
    return [read_file(f).text for f in files]


IN_PROCESS = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from plan_extract import extract_text
docs = json.load(open({docs!r}, encoding="utf-8"))
extract_text(docs[0])  # warm: dictionaries and models load once per process
t = time.perf_counter()
for d in docs:
    extract_text(d)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

JIEBA = """
import json, resource, time, jieba
jieba.setLogLevel(60); jieba.initialize()
docs = json.load(open({docs!r}, encoding="utf-8"))
t = time.perf_counter()
for d in docs:
    jieba.lcut(d)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

SINGLE = """
import json, sys, time
sys.path.insert(0, {root!r})
from plan_extract import extract_text
text = open({path!r}, encoding="utf-8").read()
extract_text(text[:2000])
t = time.perf_counter()
for _ in range({repeat}):  # every size processes the same amount of text, so each is timed over an equal window
    extract_text(text)
print((time.perf_counter() - t) / {repeat})
"""


def python(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0, help="workload size in MB of UTF-8 text")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of each side-by-side pair")
    args = ap.parse_args()
    base = texts()
    docs, size = [], 0
    while size < args.mb * 1024 * 1024:
        for t in base:
            docs.append(t)
            size += len(t.encode("utf-8"))
    chars = sum(len(d) for d in docs)
    figures: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform()},
                     "workload": {"documents": len(docs), "characters": chars, "mb_utf8": round(size / 2**20, 2)}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "docs.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        inbox = tmp / "in"
        inbox.mkdir()
        for i, d in enumerate(docs):
            (inbox / f"doc{i:05d}.txt").write_text(d, encoding="utf-8")

        # Each pair is measured in alternating rounds and compared round by round:
        # on a shared host the machine's speed drifts between phases of a run.
        jieba_cmd = JIEBA.format(docs=str(tmp / "docs.json"))
        extract_cmd = IN_PROCESS.format(root=str(ROOT), docs=str(tmp / "docs.json"))
        runs: dict[str, list] = {"jieba_lcut": [], "extract_text": [], "run_j1": [], "run_j2": []}
        for r in range(args.rounds):
            for key, code in (("jieba_lcut", jieba_cmd), ("extract_text", extract_cmd)):
                secs, rss = python(code)
                runs[key].append((float(secs), int(rss) / 1024))
            for jobs in (1, 2):
                runs[f"run_j{jobs}"].append(measure(["plan-extract", "run", str(inbox), "-o",
                                                     str(tmp / f"out{jobs}_{r}"), "-j", str(jobs)]))
        for key, values in runs.items():
            secs = statistics.median(v[0] for v in values)
            figures[key] = {"seconds": secs, "chars_per_s": chars / secs, "peak_rss_mb": max(v[1] for v in values),
                            "rounds_seconds": [round(v[0], 3) for v in values]}
        ratios = {"extract_text >= 2x jieba": [j[0] / e[0] for j, e in zip(runs["jieba_lcut"], runs["extract_text"])],
                  "run -j2 >= 1.8x -j1": [a[0] / b[0] for a, b in zip(runs["run_j1"], runs["run_j2"])]}
        small = tmp / "small.txt"
        small.write_text("2026年护理部工作计划\n一、护理文书合格率达到95%以上，6月底前完成培训。\n", encoding="utf-8")
        starts = [measure(["plan-extract", "run", str(small), "-o", str(tmp / f"cold{k}")])[0] for k in range(3)]
        figures["cold_start_s"] = min(starts)
        joined = "\n".join(base)
        singles = {}
        for mb in (0.1, 1, 10):
            text = (joined * (int(mb * 2**20 / len(joined.encode("utf-8"))) + 1))
            text = text[: int(len(text) * mb * 2**20 / len(text.encode("utf-8")))]
            singles[mb] = tmp / f"single_{mb}.txt"
            singles[mb].write_text(text, encoding="utf-8")
        per_mb: dict[str, float] = {}
        # Sizes alternate, each processes 10 MB per round (0.1 MB x 100, 1 MB x 10,
        # 10 MB x 1) and keeps its best round: a best of many short runs would
        # favour the small file on a noisy host.
        for _ in range(args.rounds):
            for mb, path in singles.items():
                (secs,) = python(SINGLE.format(root=str(ROOT), path=str(path), repeat=round(10 / mb)))
                rate = float(secs) / (path.stat().st_size / 2**20)
                per_mb[str(mb)] = min(per_mb.get(str(mb), rate), rate)
        figures["seconds_per_mb"] = per_mb
    spread = max(per_mb.values()) / min(per_mb.values()) - 1
    figures["ratios_by_round"] = {k: [round(x, 3) for x in v] for k, v in ratios.items()}
    figures["goals"] = {  # ratios: the median of the rounds' ratios
        "extract_text >= 2x jieba": statistics.median(ratios["extract_text >= 2x jieba"]),
        "run -j2 >= 1.8x -j1": statistics.median(ratios["run -j2 >= 1.8x -j1"]),
        "peak RSS < 300 MB": max(figures[k]["peak_rss_mb"] for k in ("extract_text", "run_j1", "run_j2")),
        "cold start < 1.5 s": figures["cold_start_s"],
        "s/MB spread 0.1-10 MB < 20%": spread,
    }
    ok = {
        "extract_text >= 2x jieba": figures["goals"]["extract_text >= 2x jieba"] >= 2,
        "run -j2 >= 1.8x -j1": figures["goals"]["run -j2 >= 1.8x -j1"] >= 1.8,
        "peak RSS < 300 MB": figures["goals"]["peak RSS < 300 MB"] < 300,
        "cold start < 1.5 s": figures["cold_start_s"] < 1.5,
        "s/MB spread 0.1-10 MB < 20%": spread < 0.2,
    }
    figures["goals_met"] = ok
    print(f"workload: {figures['workload']['documents']} documents, {chars:,} characters "
          f"({figures['workload']['mb_utf8']} MB), {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'':<16}{'chars/s':>12}{'seconds':>10}{'peak RSS MB':>13}")
    for key in ("jieba_lcut", "extract_text", "run_j1", "run_j2"):
        f = figures[key]
        print(f"{key:<16}{f['chars_per_s']:>12,.0f}{f['seconds']:>10.2f}{f['peak_rss_mb']:>13.0f}")
    print(f"cold start of `plan-extract run` on one small file: {figures['cold_start_s']:.2f} s")
    print("seconds per MB, single file: " + ", ".join(f"{k} MB: {v:.2f}" for k, v in per_mb.items()))
    for name, values in figures["ratios_by_round"].items():
        print(f"{name.split(' >=')[0]} ratio by round: " + ", ".join(f"{v:.2f}" for v in values))
    for name, value in figures["goals"].items():
        print(f"  {'met ' if ok[name] else 'MISS'}  {name}: {value:.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "throughput.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
