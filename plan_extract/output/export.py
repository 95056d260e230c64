"""``plan-extract export``: the records of a run as flat tables.

Four tables — plans, sections, targets, deadlines — one row per item, each
carrying its plan id, source path and section path (``一、 > （二） > 3.``), as
CSV (UTF-8 with BOM, which Excel opens correctly), Parquet or one XLSX
workbook.  Files are written beside each other under ``OUTDIR/tables/`` and
moved into place atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from ..core.atomic import atomic_path

TABLES = ("plans", "sections", "targets", "deadlines")


def read_records(plans_jsonl: Path) -> Iterator[dict]:
    with open(plans_jsonl, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def section_paths(sections: list[dict]) -> dict[str, str]:
    """id -> "一、 > （二） > 3." for every section of a plan."""
    by_id = {s["id"]: s for s in sections}
    out = {}
    for s in sections:
        chain, node = [], s
        while node is not None:
            chain.append(node["marker"].strip())
            node = by_id.get(node["parent"]) if node["parent"] else None
        out[s["id"]] = " > ".join(reversed(chain))
    return out


def rows(records: Iterable[dict]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for r in records:
        paths = section_paths(r["sections"])
        base = {"plan_id": r["id"], "source_path": r["source"]["path"]}
        deadlines = {d["id"]: d for d in r["deadlines"]}
        tables["plans"].append({**base, "plan_index": r["plan_index"], "title": r["title"], "year": r["year"],
                                "script": r["script"], "format": r["source"]["format"],
                                "encoding": r["source"]["encoding"], "sha256": r["source"]["sha256"],
                                "sections": len(r["sections"]), "targets": len(r["targets"]),
                                "deadlines": len(r["deadlines"]),
                                "warnings": json.dumps(r["warnings"], ensure_ascii=False), "text": r["text"]})
        for s in r["sections"]:
            tables["sections"].append({**base, "section_id": s["id"], "section_path": paths[s["id"]],
                                       "style": s["style"], "level": s["level"], "parent": s["parent"],
                                       "number": s["number"], "marker": s["marker"], "title": s["title"],
                                       "start": s["start"], "end": s["end"], "page": s.get("page")})
        for t in r["targets"]:
            b = t["baseline"] or {}
            d = deadlines.get(t["deadline"]) or {}
            tables["targets"].append({**base, "target_id": t["id"], "section_id": t["section"],
                                      "section_path": paths.get(t["section"], ""), "metric": t["metric"],
                                      "comparator": t["comparator"], "value": t["value"], "value_max": t["value_max"],
                                      "unit": t["unit"], "placeholder": t["placeholder"],
                                      "baseline_value": b.get("value"), "baseline_unit": b.get("unit"),
                                      "baseline_year": b.get("year"), "deadline_id": t["deadline"],
                                      "deadline_kind": d.get("kind"), "deadline_value": d.get("value"),
                                      "text": t["text"], "start": t["start"], "end": t["end"],
                                      "confidence": t["confidence"], "page": t.get("page")})
        for d in r["deadlines"]:
            tables["deadlines"].append({**base, "deadline_id": d["id"], "section_id": d["section"],
                                        "section_path": paths.get(d["section"], ""), "kind": d["kind"],
                                        "value": d["value"], "recurrence": d["recurrence"], "text": d["text"],
                                        "start": d["start"], "end": d["end"], "page": d.get("page")})
    return tables


COLUMNS = {
    "plans": ["plan_id", "source_path", "plan_index", "title", "year", "script", "format", "encoding", "sha256",
              "sections", "targets", "deadlines", "warnings", "text"],
    "sections": ["plan_id", "source_path", "section_id", "section_path", "style", "level", "parent", "number",
                 "marker", "title", "start", "end", "page"],
    "targets": ["plan_id", "source_path", "target_id", "section_id", "section_path", "metric", "comparator",
                "value", "value_max", "unit", "placeholder", "baseline_value", "baseline_unit", "baseline_year",
                "deadline_id", "deadline_kind", "deadline_value", "text", "start", "end", "confidence", "page"],
    "deadlines": ["plan_id", "source_path", "deadline_id", "section_id", "section_path", "kind", "value",
                  "recurrence", "text", "start", "end", "page"],
}


def frames(plans_jsonl: Path):
    """The four tables as pandas DataFrames (same columns even when empty)."""
    import pandas as pd

    tables = rows(read_records(plans_jsonl))
    return {name: pd.DataFrame(tables[name], columns=COLUMNS[name]) for name in TABLES}


def _atomic(target: Path, write) -> None:
    with atomic_path(target) as tmp:
        write(tmp)


def export(outdir: Path, to: str) -> list[Path]:
    """Write the tables of ``outdir/plans.jsonl`` as ``to`` (csv, parquet or xlsx)."""
    dfs = frames(Path(outdir) / "plans.jsonl")
    dest = Path(outdir) / "tables"
    dest.mkdir(exist_ok=True)
    written = []
    if to == "xlsx":
        target = dest / "plans.xlsx"

        def write_book(tmp):
            import pandas as pd

            with pd.ExcelWriter(tmp, engine="openpyxl") as book:
                for name, df in dfs.items():
                    df.to_excel(book, sheet_name=name, index=False)

        _atomic(target, write_book)
        return [target]
    for name, df in dfs.items():
        target = dest / f"{name}.{to}"
        if to == "csv":
            _atomic(target, lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8-sig"))
        elif to == "parquet":
            _atomic(target, lambda tmp, df=df: df.to_parquet(tmp, index=False))
        else:
            raise ValueError(f"unknown table format {to!r}")
        written.append(target)
    return written
