"""Leave-one-file-out cross-validation: every gold document scored by
classifiers fitted on all the others, beside the rules alone."""

from __future__ import annotations

from ..api import extract_file
from .evaluate import Tally, score
from .train import examples, fit_models


def cross_validate(docs, *, rules=None, on_fold=None, calibration: list | None = None,
                   folds: int | None = None) -> dict[str, dict[str, Tally]]:
    """Leave-one-file-out: rules alone and rules + classifier, side by side.

    For each gold document the classifiers are fitted on all the others and
    the document is scored with them; no document is scored by a model that
    saw it.  ``folds``: documents go round-robin into this many folds, each
    scored by models fitted on the other folds (faster, a few documents fewer
    in each fit).  ``calibration``, when given, receives (P(target), is a gold
    target) for every candidate of every held-out document.
    """
    docs = list(docs)
    exs = examples(docs, rules)
    pairs = {"rules": [], "rules+classifier": []}
    fold_of = [i % folds if folds else i for i in range(len(docs))]
    fitted: dict[int, dict] = {}
    for i, doc in enumerate(docs):
        if fold_of[i] not in fitted:
            fitted[fold_of[i]] = fit_models([e for j, e in enumerate(exs) if fold_of[j] != fold_of[i]], rules=rules)
        models = dict(fitted[fold_of[i]])
        models.pop("counts", None)
        if calibration is not None and exs[i].cand_x:
            target = list(models["candidates"].classes_).index("target")
            calibration += [(float(p[target]), y == "target")
                            for p, y in zip(models["candidates"].predict_proba(exs[i].cand_x), exs[i].cand_y)]
        pairs["rules"].append((extract_file(doc.path, rules=rules, models=False), doc.gold))
        pairs["rules+classifier"].append((extract_file(doc.path, rules=rules, models=models), doc.gold))
        if on_fold:
            on_fold(doc, i + 1, len(docs))
    return {name: score(p) for name, p in pairs.items()}
