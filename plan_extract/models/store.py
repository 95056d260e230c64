"""The shipped models on disk: read once per file content, through the start-up cache."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

from ..core.cache import cached
from .linear import LinearModel

MODEL_FILES = {"candidates": "candidates.json", "lines": "lines.json"}


def load_models(folder: Optional[Path] = None) -> Optional[dict]:
    """The shipped (or given) models, or None when there are none."""
    folder = Path(folder) if folder else Path(str(resources.files("plan_extract") / "models"))
    return _load(str(folder))


@lru_cache(maxsize=4)
def _load(folder: str) -> Optional[dict]:
    path = Path(folder)
    meta_path = path / "models.json"
    if not meta_path.exists():
        return None
    models: dict = {name: LinearModel.from_dict(_model_dict(path / file))
                    for name, file in MODEL_FILES.items() if (path / file).exists()}
    models["meta"] = json.loads(meta_path.read_text(encoding="utf-8"))
    return models


def _model_dict(path: Path) -> dict:
    """A model file's JSON, parsed once per file content (:mod:`plan_extract.core.cache`:
    parsing 3 MB of weights is most of a run's start-up otherwise)."""
    data = path.read_bytes()
    return cached("model", data, lambda: json.loads(data))
