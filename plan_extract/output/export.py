"""``plan-extract export``: the records of a run as flat tables.

Four tables — plans, sections, targets, deadlines — one row per item.  Each
item row carries its plan (id, source path, title, year, organisation) and
its section path twice: markers (``一、 > （二） > 3.``) and with titles
(``一、加强质量管理 > （二）落实核心制度``), so a spreadsheet user needs no
lookups.  Deadlines get their last allowed day (``due``) and period as
dates and recurrences their plain words (:mod:`.columns`); targets get the
linked deadline's ``due`` and recurrence, the confidence and a review flag.

Every column has one type (:data:`SCHEMA`) in every format: CSV (UTF-8 with
BOM, which Excel opens correctly), Parquet (that type in the file's schema,
also for an empty or all-null column) or one XLSX workbook (integers as
integers, dates as dates; frozen header, filters, column widths; it opens
on the targets sheet: :mod:`.workbook`).  Files are written under
``OUTDIR/tables/`` and moved into place atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from ..core.atomic import atomic_path
from ..rules import load_rules
from .columns import deadline_dates, needs_review, organisation, period_of, recurrence_words, section_paths

TABLES = ("plans", "sections", "targets", "deadlines")
FORMATS = ("csv", "parquet", "xlsx")

# The plan's columns that open every item table.
_PLAN = [("plan_id", "string"), ("source_path", "string"), ("plan_title", "string"), ("year", "int"),
         ("organisation", "string")]
# (column, type) of every table, in column order.  Types: string, int, float, bool, date.
SCHEMA: dict[str, list[tuple[str, str]]] = {
    "plans": [("plan_id", "string"), ("source_path", "string"), ("plan_index", "int"), ("title", "string"),
              ("year", "int"), ("organisation", "string"), ("script", "string"), ("format", "string"),
              ("encoding", "string"), ("sha256", "string"), ("sections", "int"), ("targets", "int"),
              ("deadlines", "int"), ("warnings", "string"), ("text", "string")],
    "sections": _PLAN + [("section_id", "string"), ("section_path", "string"), ("section_titles", "string"),
                         ("style", "string"), ("level", "int"), ("parent", "string"), ("number", "int"),
                         ("marker", "string"), ("title", "string"), ("start", "int"), ("end", "int"), ("page", "int")],
    "targets": _PLAN + [("target_id", "string"), ("section_id", "string"), ("section_path", "string"),
                        ("section_titles", "string"), ("metric", "string"), ("comparator", "string"),
                        ("value", "float"), ("value_max", "float"), ("unit", "string"), ("placeholder", "bool"),
                        ("baseline_value", "float"), ("baseline_unit", "string"), ("baseline_year", "int"),
                        ("deadline_id", "string"), ("deadline_kind", "string"), ("deadline_value", "string"),
                        ("due", "date"), ("recurrence", "string"), ("recurrence_words", "string"),
                        ("text", "string"), ("start", "int"), ("end", "int"), ("confidence", "float"),
                        ("review", "bool"), ("owner", "string"), ("page", "int")],
    "deadlines": _PLAN + [("deadline_id", "string"), ("section_id", "string"), ("section_path", "string"),
                          ("section_titles", "string"), ("kind", "string"), ("value", "string"), ("due", "date"),
                          ("period_start", "date"), ("period_end", "date"), ("recurrence", "string"),
                          ("recurrence_words", "string"), ("text", "string"), ("start", "int"), ("end", "int"),
                          ("page", "int")],
}
COLUMNS = {name: [column for column, _ in columns] for name, columns in SCHEMA.items()}


def read_records(plans_jsonl: Path) -> Iterator[dict]:
    with open(plans_jsonl, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def rows(records: Iterable[dict]) -> dict[str, list[dict]]:
    """The rows of the four tables (plain Python values; dates as ``datetime.date``)."""
    rules = load_rules()
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for r in records:
        paths, titled = section_paths(r["sections"]), section_paths(r["sections"], titles=True)
        org = organisation(r["title"], rules)
        base = {"plan_id": r["id"], "source_path": r["source"]["path"]}
        plan = {**base, "plan_title": r["title"], "year": r["year"], "organisation": org}
        deadlines = {d["id"]: d for d in r["deadlines"]}
        tables["plans"].append({**base, "plan_index": r["plan_index"], "title": r["title"], "year": r["year"],
                                "organisation": org, "script": r["script"], "format": r["source"]["format"],
                                "encoding": r["source"]["encoding"], "sha256": r["source"]["sha256"],
                                "sections": len(r["sections"]), "targets": len(r["targets"]),
                                "deadlines": len(r["deadlines"]),
                                "warnings": json.dumps(r["warnings"], ensure_ascii=False), "text": r["text"]})
        for s in r["sections"]:
            tables["sections"].append({**plan, "section_id": s["id"], "section_path": paths[s["id"]],
                                       "section_titles": titled[s["id"]], "style": s["style"], "level": s["level"],
                                       "parent": s["parent"], "number": s["number"], "marker": s["marker"],
                                       "title": s["title"], "start": s["start"], "end": s["end"], "page": s.get("page")})
        for t in r["targets"]:
            b = t["baseline"] or {}
            d = deadlines.get(t["deadline"]) or {}
            tables["targets"].append({**plan, "target_id": t["id"], "section_id": t["section"],
                                      "section_path": paths.get(t["section"], ""),
                                      "section_titles": titled.get(t["section"], ""), "metric": t["metric"],
                                      "comparator": t["comparator"], "value": t["value"], "value_max": t["value_max"],
                                      "unit": t["unit"], "placeholder": t["placeholder"],
                                      "baseline_value": b.get("value"), "baseline_unit": b.get("unit"),
                                      "baseline_year": b.get("year"), "deadline_id": t["deadline"],
                                      "deadline_kind": d.get("kind"), "deadline_value": d.get("value"),
                                      "due": deadline_dates(d.get("value"))[0], "recurrence": d.get("recurrence"),
                                      "recurrence_words": recurrence_words(d.get("recurrence"), rules),
                                      "text": t["text"], "start": t["start"], "end": t["end"],
                                      "confidence": t["confidence"], "review": needs_review(t["confidence"]),
                                      "owner": t.get("owner"), "page": t.get("page")})
        for d in r["deadlines"]:
            period = period_of(d["kind"], d["value"])
            tables["deadlines"].append({**plan, "deadline_id": d["id"], "section_id": d["section"],
                                        "section_path": paths.get(d["section"], ""),
                                        "section_titles": titled.get(d["section"], ""), "kind": d["kind"],
                                        "value": d["value"], "due": deadline_dates(d["value"])[0],
                                        "period_start": period[0], "period_end": period[1],
                                        "recurrence": d["recurrence"],
                                        "recurrence_words": recurrence_words(d["recurrence"], rules),
                                        "text": d["text"], "start": d["start"], "end": d["end"],
                                        "page": d.get("page")})
    return tables


_PANDAS = {"string": "object", "int": "Int64", "float": "float64", "bool": "boolean", "date": "object"}


def frames(plans_jsonl: Path):
    """The four tables as pandas DataFrames, each column of its :data:`SCHEMA`
    type (nullable integers and booleans; dates as ``datetime.date``), the
    same columns even when empty."""
    import pandas as pd

    tables = rows(read_records(plans_jsonl))
    return {name: pd.DataFrame(tables[name], columns=COLUMNS[name])
            .astype({column: _PANDAS[kind] for column, kind in SCHEMA[name]}) for name in TABLES}


def arrow_schema(name: str):
    """The Parquet schema of table ``name``: one Arrow type per :data:`SCHEMA` type."""
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32()}
    return pa.schema([(column, types[kind]) for column, kind in SCHEMA[name]])


def _write_parquet(df, name: str, tmp) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(df, schema=arrow_schema(name), preserve_index=False), tmp)


def _atomic(target: Path, write) -> None:
    with atomic_path(target) as tmp:
        write(tmp)


def export(outdir: Path, to: str) -> list[Path]:
    """Write the tables of ``outdir/plans.jsonl`` as ``to`` (csv, parquet or xlsx)."""
    if to not in FORMATS:
        raise ValueError(f"unknown table format {to!r}")
    dfs = frames(Path(outdir) / "plans.jsonl")
    dest = Path(outdir) / "tables"
    dest.mkdir(exist_ok=True)
    if to == "xlsx":
        from .workbook import write_workbook

        target = dest / "plans.xlsx"
        _atomic(target, lambda tmp: write_workbook(dfs, SCHEMA, tmp, opens_on="targets"))
        return [target]
    written = []
    for name, df in dfs.items():
        target = dest / f"{name}.{to}"
        if to == "csv":
            _atomic(target, lambda tmp, df=df: df.to_csv(tmp, index=False, encoding="utf-8-sig"))
        else:
            _atomic(target, lambda tmp, df=df, name=name: _write_parquet(df, name, tmp))
        written.append(target)
    return written
