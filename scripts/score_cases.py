"""Score a checkout on phrase cases (tests/cases/*.json), as first contact.

    python scripts/score_cases.py CHECKOUT tests/cases/quantities.json tests/cases/dates.json [--misses]

Each case is one plan sentence through clean -> deadlines -> targets with the
rules alone (as tests/phrases.py runs it).  For every expected item:
``found`` when an item of the same kind overlaps its text, ``right`` when
that item also has every expected field (targets: comparator, value,
value_max, unit, placeholder, baseline; deadlines: kind, value,
recurrence).  Items found where a case expects none count as ``extra``.
The checkout's own package is imported (PYTHONPATH), so an older commit in
a git worktree can be scored on cases written after it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

RUNNER = r"""
import json, sys
sys.path.insert(0, sys.argv[1] + "/tests")
from phrases import extract_phrase
out = []
for case in json.load(open(sys.argv[2], encoding="utf-8")):
    targets, deadlines = extract_phrase(case["input"], case["year"])
    out.append({"targets": targets, "deadlines": deadlines})
print(json.dumps(out, ensure_ascii=False))
"""
TARGET_FIELDS = ("comparator", "value", "value_max", "unit", "placeholder", "baseline")
DEADLINE_FIELDS = ("kind", "value", "recurrence")


def _num(v):
    return round(float(v), 6) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _same(got: dict, want: dict, fields) -> bool:
    for f in fields:
        a, b = got.get(f), want.get(f)
        if isinstance(a, dict) and isinstance(b, dict):
            if {k: _num(v) for k, v in a.items()} != {k: _num(v) for k, v in b.items()}:
                return False
        elif _num(a) != _num(b):
            return False
    return True


def score(checkout: Path, cases_path: Path, show_misses: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(checkout.resolve()), str(cases_path.resolve())],
                          env=env, cwd=checkout.resolve(), capture_output=True, text=True, check=True)
    results = json.loads(proc.stdout)
    cases = json.loads(cases_path.read_text(encoding="utf-8"))
    key = "deadlines" if "dates" in cases_path.name or "deadline" in cases_path.name else "targets"
    fields = DEADLINE_FIELDS if key == "deadlines" else TARGET_FIELDS
    expected = found = right = extra = 0
    by_class: dict[str, list[int]] = {}
    for case, got in zip(cases, results):
        items = got[key]
        tag = case["name"].split(":")[0].strip()
        tally = by_class.setdefault(tag, [0, 0, 0])
        used = set()
        if not case["expected"]:
            extra += len(items)
        for want in case["expected"]:
            expected += 1
            tally[0] += 1
            i = case["input"].find(want["text"])
            hit = next((j for j, g in enumerate(items) if j not in used and i >= 0
                        and g["start"] < i + len(want["text"]) and i < g["end"]), None)
            if hit is None:
                if show_misses:
                    print(f"  miss   {case['name']}: {want['text']}")
                continue
            used.add(hit)
            found += 1
            tally[1] += 1
            if _same(items[hit], want, fields):
                right += 1
                tally[2] += 1
            elif show_misses:
                print(f"  wrong  {case['name']}: {want['text']} -> "
                      f"{ {f: items[hit].get(f) for f in fields} } want { {f: want.get(f) for f in fields} }")
    return {"cases": len(cases), "expected": expected, "found": found, "right": right, "extra": extra,
            "found_share": round(found / expected, 3) if expected else None,
            "right_share": round(right / expected, 3) if expected else None,
            "right_of_found": round(right / found, 3) if found else None,
            "by_class": {k: {"expected": v[0], "found": v[1], "right": v[2]} for k, v in sorted(by_class.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", type=Path)
    ap.add_argument("cases", type=Path, nargs="+")
    ap.add_argument("--misses", action="store_true", help="print every missed or wrong item")
    args = ap.parse_args()
    for path in args.cases:
        print(path.name, json.dumps(score(args.checkout, path, args.misses), ensure_ascii=False))


if __name__ == "__main__":
    main()
