import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
RAW = ROOT / "data" / "raw"
ANNOTATED = ROOT / "data" / "annotated"

if not CORPUS.is_dir():  # the corpus is part of the test contract: never skip silently
    raise pytest.UsageError(f"../shared/corpus is missing (looked in {CORPUS}); the tests need it")


@pytest.fixture(scope="session")
def rules():
    from plan_extract.rules import load_rules

    return load_rules()


def assert_valid_records(records):
    """Every record follows the JSON Schema that `plan-extract schema` prints."""
    from jsonschema import Draft202012Validator

    from plan_extract.output.schema import record_schema

    validator = Draft202012Validator(record_schema())
    for r in records:
        errors = sorted(validator.iter_errors(r), key=lambda e: list(e.path))
        assert not errors, f"{r['source']['path']}: {errors[0].message} at {list(errors[0].path)}"


@pytest.fixture
def outdir(run, tmp_path):
    """A fresh copy of the module's ``run`` folder (its plans.jsonl), for tests
    that write corrections beside it."""
    out = tmp_path / "run"
    out.mkdir()
    shutil.copy(run / "plans.jsonl", out / "plans.jsonl")
    return out
