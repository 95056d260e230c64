"""Seconds per MB of pathological texts at 10 KB, 100 KB and 1 MB (issue 22).

Each pattern is repeated to the size and run through ``extract_text`` (rules
alone, one process).  A stage that is linear in its input keeps seconds per
MB flat, so the ratio 1 MB / 100 KB of seconds per MB stays near 1; the goal
is at most 12 for the total time, i.e. a ratio of the s/MB figures under 1.2.

    python benchmarks/scaling.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plan_extract import extract_bytes, extract_text  # noqa: E402

# what a hostile or broken archive holds: fill-in blanks, one endless
# comma-only sentence of targets or of changes, periods, digit runs, dates
PATTERNS = {
    "blanks": "____",
    "fullwidth_blanks": "＿＿",
    "rates": "合格率100%，",
    "changes": "由20分钟缩短至15分钟内，",
    "periods": "每月每周每日",
    "digit_runs": "1" * 50 + "%",
    "dates": "2023年6月底前",
    "markers": "一、二、三、（一）1.①",
    "lost_breaks": "加强质量管理，落实核心制度，每季度开展一次考核。",
}
# saved web pages, read by the HTML reader before the text stages: many flat
# paragraphs (a bs4 tree edited node by node was quadratic in them)
PAGES = {
    "html_paragraphs": "<p>加强质量管理，合格率达到100%。</p>",
}


def seconds(text: str, page: bool = False) -> float:
    t = time.perf_counter()
    if page:
        extract_bytes(text.encode("utf-8"), path="page.html", models=False)
    else:
        extract_text(text, models=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--patterns", nargs="+", help="only these patterns (default: all)")
    args = ap.parse_args()
    extract_text("2026年工作计划\n一、加强管理", models=False)  # warm: rules, jieba
    out = {}
    print(f"{'pattern':18s}" + "".join(f"{n // 1000:>8d} KB" for n in args.sizes) + "   ratio (s/MB, largest / middle)")
    patterns = [(name, unit, False) for name, unit in PATTERNS.items()] + \
        [(name, unit, True) for name, unit in PAGES.items()]
    for name, unit, page in patterns:
        if args.patterns and name not in args.patterns:
            continue
        per_mb = []
        for n in args.sizes:
            text = "2026年工作计划\n" + unit * (n // len(unit))
            if page:
                text = f"<html><body><h1>2026年工作计划</h1>{unit * (n // len(unit))}</body></html>"
            per_mb.append(seconds(text, page) / (len(text.encode("utf-8")) / 1e6))
        ratio = per_mb[-1] / per_mb[-2] if len(per_mb) > 1 and per_mb[-2] else float("nan")
        out[name] = {"s_per_mb": [round(x, 3) for x in per_mb], "ratio": round(ratio, 2)}
        print(f"{name:18s}" + "".join(f"{x:8.2f} s/MB" for x in per_mb) + f"   {ratio:.2f}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
