"""``plan-extract train``: both classifiers fitted on the gold, deterministically.

Fixed seeds and sorted features: the same gold gives the same models.  What
is written is each model's weights as JSON (:class:`LinearModel`) with a
sidecar naming the scikit-learn version, the labels and the gold's sha256.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Optional

import sklearn

from ..models.linear import LinearModel
from ..core.atomic import write_files
from ..models.store import META_FILE, MODEL_FILES
from ..rules import Rules
from .estimators import CandidateClassifier, LineClassifier, to_linear
from .examples import Examples, examples
from .gold import gold_sets

SEED = 0
C_CANDIDATES = 0.3  # inverse regularization (many sparse n-grams, about 2,000 examples)


def _fit_candidates(exs: list[Examples]):
    x = [r for e in exs for r in e.cand_x]
    y = [label for e in exs for label in e.cand_y]
    return CandidateClassifier(C=C_CANDIDATES, class_weight="balanced", random_state=SEED).fit(x, y)


def fit_models(docs_or_examples, rules: Optional[Rules] = None) -> dict:
    """Both classifiers fitted on the given documents (or their cached examples).

    Fixed seeds and sorted features: the same data gives the same models.
    """
    exs = [d if isinstance(d, Examples) else None for d in docs_or_examples]
    if any(e is None for e in exs):
        exs = examples(docs_or_examples, rules)
    models = {"candidates": _fit_candidates(exs)}
    line_x = [r for e in exs for r in e.line_x]
    line_y = [label for e in exs for label in e.line_y]
    if len(set(line_y)) > 1:
        models["lines"] = LineClassifier(C=1.0, class_weight="balanced", random_state=SEED).fit(line_x, line_y)
    cand_y = [label for e in exs for label in e.cand_y]
    models["counts"] = {"candidates": len(cand_y), "lines": len(line_y),
                        "candidate_labels": {k: cand_y.count(k) for k in sorted(set(cand_y))},
                        "line_labels": {k: line_y.count(k) for k in sorted(set(line_y))}}
    return models


def train(gold_dirs, out_dir: Path, *, corpus_dir: Path) -> dict:
    """Fit on every document of the gold folders and write the models with a JSON sidecar."""
    t0 = time.perf_counter()
    gold_dirs = [Path(d) for d in gold_dirs]
    docs = gold_sets(gold_dirs, corpus_dir=corpus_dir)
    models = fit_models(docs)
    counts = models.pop("counts")
    meta = {"sklearn": sklearn.__version__, "labels": {k: list(m.classes_) for k, m in models.items()},
            "data_sha256": data_hash(gold_dirs), "documents": [d.name for d in docs], "examples": counts,
            "seed": SEED}
    save_models(models, out_dir, meta=meta)
    meta["seconds"] = round(time.perf_counter() - t0, 2)
    return meta


def data_hash(folders) -> str:
    """sha256 over the gold files, so a model names the data it was trained on.

    ``folders``: one gold folder or several; each file is named by its folder's
    last two parts (``heldout2/annotated/raw/x.json``) so moving the checkout
    keeps the hash."""
    folders = [folders] if isinstance(folders, (str, Path)) else list(folders)
    h = hashlib.sha256()
    for folder in folders:
        folder = Path(folder)
        tag = "/".join(folder.resolve().parts[-2:])
        for p in sorted(folder.glob("*/*.json")):
            h.update(f"{tag}/{p.relative_to(folder).as_posix()}".encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def save_models(models: dict, out: Path, *, meta: dict) -> None:
    """Each model's weights as JSON, with a sidecar describing the training
    (its sha256 names the models in records, :mod:`plan_extract.models.store`)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {out / MODEL_FILES[name]: [(model if isinstance(model, LinearModel) else to_linear(model)).to_json()]
             for name, model in models.items()}
    files[out / META_FILE] = [json.dumps(meta, indent=2, sort_keys=True)]
    write_files(files)  # together, atomically: a run never reads half a model or another training's sidecar
