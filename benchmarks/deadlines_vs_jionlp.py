"""Deadline extraction: plan_extract against JioNLP's ``extract_time``.

Both run on the same cleaned plan texts (from plan_extract's records) and are
scored against the deadlines of ``data/annotated/``.  Detection counts a
prediction as right when its span overlaps a gold deadline's span (the
kind is not required, since JioNLP has no such kinds); normalization
accuracy is the share of those matches whose value (EDTF date/interval,
ISO 8601 duration or RRULE) equals the gold's.  JioNLP's answers are mapped
to the same forms: a span ending "前/内" becomes a `by` date, a span an `on`
interval, a delta a duration, a period an RRULE.

Run: ``python benchmarks/deadlines_vs_jionlp.py`` (needs the dev extras).
"""

from __future__ import annotations

import io
import json
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plan_extract import extract_file  # noqa: E402
from plan_extract.training.gold import locate  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def sources():
    for path in sorted((ROOT / "data" / "annotated").glob("*/*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        kind, name = gold["source"].split("/", 1)
        yield (CORPUS / name if kind == "corpus" else ROOT / "data" / "raw" / name), gold


def _date(s: str) -> str:
    return s[:10]


def jionlp_normalize(item: dict, year) -> tuple[str | None, str | None]:
    """(value, recurrence) in plan_extract's forms for one JioNLP result."""
    detail = item.get("detail") or {}
    kind, t = detail.get("type"), detail.get("time")
    y = f"{year:04d}" if year else "XXXX"

    def fix_year(d: str) -> str:
        return y + d[4:] if not year else d

    if kind in ("time_point", "time_span") and isinstance(t, list) and len(t) == 2:
        start, end = fix_year(_date(t[0])), fix_year(_date(t[1]))
        if item["text"].endswith(("前", "以前", "之前", "内", "以内")):
            return end, None
        return (start if start == end else f"{start}/{end}"), None
    if kind == "time_delta" and isinstance(t, dict):
        units = {"year": "Y", "month": "M", "day": "D", "hour": "H", "minute": "M", "second": "S"}
        parts = [(k, v) for k, v in t.items() if k in units and v]
        if len(parts) == 1:
            k, v = parts[0]
            v = int(v) if float(v).is_integer() else v
            return (f"PT{v}{units[k]}" if k in ("hour", "minute", "second") else f"P{v}{units[k]}"), None
        return None, None
    if kind == "time_period" and isinstance(t, dict):
        delta = t.get("delta") or {}
        freq = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
        for k in ("year", "month", "week", "day"):
            if delta.get(k):
                n = delta[k]
                if k == "month" and n in (3, 6):
                    return None, f"FREQ=MONTHLY;INTERVAL={int(n)}"
                rule = f"FREQ={freq[k]}"
                return None, rule if n == 1 else f"{rule};INTERVAL={int(n)}"
    return None, None


def score(preds: list[tuple[int, int, str | None, str | None]], gold: list[dict], spans) -> tuple[int, int, int, int]:
    """(tp, fp, fn, normalized right) by span overlap."""
    used, tp, right = set(), 0, 0
    for g, span in zip(gold, spans):
        if span is None:
            continue
        for j, (a, b, value, rec) in enumerate(preds):
            if j not in used and a < span[1] and span[0] < b:
                used.add(j)
                tp += 1
                right += (value, rec) == (g["value"], g["recurrence"])
                break
    return tp, len(preds) - len(used), len(gold) - tp, right


def main() -> None:
    import jionlp as jio

    from plan_extract.text.script import make_view
    from plan_extract.stages.deadlines import find_deadlines
    from plan_extract.rules import load_rules

    rules = load_rules()

    plans = []
    for path, gold in sources():
        for rec, gp in zip(extract_file(path), gold["plans"]):
            plans.append((rec, gp))
    totals = {"plan_extract": [0, 0, 0, 0, 0.0], "jionlp": [0, 0, 0, 0, 0.0]}
    for rec, gp in plans:
        spans = locate(rec["text"], gp["deadlines"])
        ours = [(d["start"], d["end"], d["value"], d["recurrence"]) for d in rec["deadlines"]]
        t0 = time.perf_counter()  # the stage alone on the same text, its view built too
        find_deadlines(make_view(rec["text"], rules=rules), year=rec["year"], rules=rules)
        totals["plan_extract"][4] += time.perf_counter() - t0
        base = {"year": rec["year"] or 2026, "month": 1, "day": 1}
        t0 = time.perf_counter()
        with redirect_stdout(io.StringIO()):  # JioNLP prints parse failures
            found = jio.ner.extract_time(rec["text"], time_base=base, with_parsing=True)
        totals["jionlp"][4] += time.perf_counter() - t0
        theirs = [(x["offset"][0], x["offset"][1], *jionlp_normalize(x, rec["year"])) for x in found]
        for name, preds in (("plan_extract", ours), ("jionlp", theirs)):
            for k, v in enumerate(score(preds, gp["deadlines"], spans)):
                totals[name][k] += v
    rows = {}
    for name, (tp, fp, fn, right, secs) in totals.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows[name] = {"precision": round(p, 4), "recall": round(r, 4),
                      "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                      "normalization_accuracy": round(right / tp, 4) if tp else 0.0,
                      "seconds": round(secs, 3), "tp": tp, "fp": fp, "fn": fn}
    n_gold = sum(len(gp["deadlines"]) for _, gp in plans)
    print(f"deadlines in gold: {n_gold} over {len(plans)} plans")
    print(f"{'system':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'norm.acc':>10}{'seconds':>9}")
    for name, row in rows.items():
        print(f"{name:<14}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}"
              f"{row['normalization_accuracy']:>10.3f}{row['seconds']:>9.3f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "deadlines_vs_jionlp.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
