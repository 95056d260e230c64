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
