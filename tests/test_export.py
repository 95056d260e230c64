import json
import subprocess
import sys

import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    subprocess.run([sys.executable, "-m", "plan_extract", "run", "data/raw", str(CORPUS), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out


def records(out):
    return [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "plan_extract", *args], cwd=ROOT, capture_output=True, text=True)


def test_schema_command_prints_a_valid_schema():
    res = cli("schema")
    schema = json.loads(res.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["required"][:3] == ["schema_version", "id", "source"]


def test_schema_rejects_a_broken_record(run_dir):
    from plan_extract.output.schema import record_schema

    rec = records(run_dir)[0]
    rec["targets"].append({"id": "t99", "comparator": "=>"})
    assert list(Draft202012Validator(record_schema()).iter_errors(rec))


@pytest.mark.parametrize("to", ["csv", "parquet", "xlsx"])
def test_export_tables(run_dir, to):
    res = cli("export", str(run_dir), "--format", to)
    assert res.returncode == 0, res.stderr
    recs = records(run_dir)
    if to == "xlsx":
        tables = pd.read_excel(run_dir / "tables" / "plans.xlsx", sheet_name=None)
    elif to == "csv":
        tables = {n: pd.read_csv(run_dir / "tables" / f"{n}.csv", encoding="utf-8-sig")
                  for n in ("plans", "sections", "targets", "deadlines")}
    else:
        tables = {n: pd.read_parquet(run_dir / "tables" / f"{n}.parquet")
                  for n in ("plans", "sections", "targets", "deadlines")}
    assert len(tables["plans"]) == len(recs)
    for name in ("sections", "targets", "deadlines"):
        assert len(tables[name]) == sum(len(r[name]) for r in recs)
        assert set(tables[name]["plan_id"]) <= {r["id"] for r in recs}
    # the section path of a nested node names its ancestors' markers
    rec = next(r for r in recs if r["source"]["path"].endswith("four_levels.txt"))
    deepest = max(rec["sections"], key=lambda s: s["level"])
    row = tables["sections"][(tables["sections"].plan_id == rec["id"]) &
                             (tables["sections"].section_id == deepest["id"])].iloc[0]
    assert row.section_path.count(" > ") == deepest["level"] - 1
    assert row.section_path.endswith(deepest["marker"].strip())
    t = tables["targets"]
    assert set(t.comparator) <= {"=", ">=", "<=", ">", "<", "~"}
