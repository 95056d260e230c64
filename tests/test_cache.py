"""The start-up cache (plan_extract.cache): built once, read back, never
trusted when broken or writable by others."""

import os
import tempfile

import pytest

from plan_extract.core.cache import cache_path, cached


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_built_once_then_read_back(temp_folder):
    calls = []

    def build():
        calls.append(1)
        return {"合格率": [0.5, 1.5], "n": 3}

    assert cached("test", b"key", build) == {"合格率": [0.5, 1.5], "n": 3}
    assert cached("test", b"key", build) == {"合格率": [0.5, 1.5], "n": 3}
    assert len(calls) == 1
    path = cache_path("test", b"key")
    assert path.parent == temp_folder and path.stat().st_mode & 0o777 == 0o600
    assert cached("test", b"other key", build) and len(calls) == 2  # another input, another entry


def test_broken_or_foreign_entries_are_rebuilt(temp_folder):
    calls = []

    def build():
        calls.append(1)
        return (1, 2)

    cached("test", b"key", build)
    path = cache_path("test", b"key")
    path.write_bytes(b"\x00 not marshal")
    assert cached("test", b"key", build) == (1, 2) and len(calls) == 2
    os.chmod(path, 0o666)  # writable by others: not trusted
    assert cached("test", b"key", build) == (1, 2) and len(calls) == 3
    assert path.stat().st_mode & 0o022 == 0  # written again, for this user alone


def test_a_folder_that_cannot_be_written_only_costs_the_build(temp_folder, monkeypatch):
    missing = temp_folder / "missing"  # no such folder: nothing can be written there, even by root
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    calls = []
    for _ in range(2):
        assert cached("test", b"key", lambda: calls.append(1) or [1]) == [1]
    assert len(calls) == 2 and not missing.exists()


def test_shipped_models_score_the_same_from_the_cache(temp_folder):
    from plan_extract.models.linear import LinearModel
    from plan_extract.models.store import MODEL_FILES, _load, _scoring_model
    from importlib import resources

    folder = resources.files("plan_extract") / "models"
    for name, file in MODEL_FILES.items():
        path = folder / file
        parsed = LinearModel.from_json(path.read_text(encoding="utf-8"))
        for _ in range(2):  # built, then read back
            model = _scoring_model(name, path)
            assert (model.classes_, model.intercept, model.tables()) == (parsed.classes_, parsed.intercept,
                                                                         parsed.tables())
        assert sum(map(len, model.tables().values())) == len(parsed.coef)  # each weight held once
        with pytest.raises(ValueError, match="scoring only"):
            model.to_json()
    assert len(list(temp_folder.glob("plan_extract.scoring-by-family.*.cache"))) == len(MODEL_FILES)
    _load.cache_clear()
