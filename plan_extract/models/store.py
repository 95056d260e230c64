"""Models on disk: where they are, what they hash to, read once per file content.

Three places, in this order: a folder given (``run --models DIR``), the
folder named by the environment variable ``PLAN_EXTRACT_MODELS``, and the
models shipped inside the package.  ``plan-extract train`` writes to the
user's data folder (:func:`user_folder`) unless told otherwise, so retraining
never rewrites the installed package.  Every loaded set carries the sha256
of its files (``models["sha256"]``): records and the run's manifest name it.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

from ..core.cache import cached
from .features import KEYED
from .linear import LinearModel

MODEL_FILES = {"candidates": "candidates.json", "lines": "lines.json"}
META_FILE = "models.json"
ENV = "PLAN_EXTRACT_MODELS"


class ModelsMissing(ValueError):
    """A models folder that was asked for holds no models."""

    def __init__(self, folder: Path, where: str):
        super().__init__(f"no models in {folder} ({where}): no {META_FILE} there; "
                         f"train some with `plan-extract train --out {folder}`")
        self.folder = folder


def shipped_folder() -> Path:
    return Path(str(resources.files("plan_extract") / "models"))


def user_folder() -> Path:
    """Where ``plan-extract train`` writes by default: the user's data folder
    (platformdirs; ``~/.local/share/plan-extract/models`` on Linux)."""
    try:
        from platformdirs import user_data_path
    except ImportError:  # a dependency, but an old environment may lack it
        return Path.home() / ".local" / "share" / "plan-extract" / "models"
    return user_data_path("plan-extract") / "models"


def models_folder(folder: Optional[Path] = None) -> tuple[Path, str]:
    """(folder, where it came from): the one given, ``$PLAN_EXTRACT_MODELS`` or the shipped one."""
    if folder:
        return Path(folder), "given"
    if os.environ.get(ENV):
        return Path(os.environ[ENV]), ENV
    return shipped_folder(), "shipped"


def load_models(folder: Optional[Path] = None) -> Optional[dict]:
    """The models of :func:`models_folder`; ``None`` when the shipped folder
    holds none, :class:`ModelsMissing` when a folder given or named by the
    environment holds none (a typo must not silently mean rules alone)."""
    path, where = models_folder(folder)
    models = _load(str(path))
    if models is None and where != "shipped":
        raise ModelsMissing(path, f"from {ENV}" if where == ENV else "given")
    return models


@lru_cache(maxsize=4)
def _load(folder: str) -> Optional[dict]:
    path = Path(folder)
    meta_path = path / META_FILE
    if not meta_path.exists():
        return None
    digest = hashlib.sha256()
    models: dict = {}
    for name, file in MODEL_FILES.items():
        if (path / file).exists():
            data = (path / file).read_bytes()
            digest.update(f"{file}\0{len(data)}\0".encode() + data)
            models[name] = _scoring_model(name, path / file, data)
    meta = meta_path.read_bytes()
    digest.update(f"{META_FILE}\0{len(meta)}\0".encode() + meta)
    models["meta"] = json.loads(meta)
    models["sha256"] = digest.hexdigest()
    return models


def _scoring_model(name: str, path: Path, data: Optional[bytes] = None) -> LinearModel:
    """A model file as the tables its scoring reads, built once per file
    content and feature layout (:mod:`plan_extract.core.cache`): building the
    tables from 10 MB of weights is most of a run's start-up otherwise."""
    data = path.read_bytes() if data is None else data
    key = data + json.dumps(KEYED[name][1]).encode()
    return LinearModel.from_scoring(cached("scoring-by-family", key, lambda: LinearModel.from_json(data).scoring()))
