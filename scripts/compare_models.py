"""Model classes compared by first contact (issue 19): each class is fitted
on the training gold (``data/train.txt`` minus the sets given) and scored on
the given held-out gold folders, beside the rules alone.

    python scripts/compare_models.py data/heldout17/annotated data/heldout18/annotated

Prints, per model class: targets P/R/F1 and metric accuracy, deadlines F1,
plans exact, and the targets F1 with plan boundaries ignored.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from plan_extract.api import extract_file
from plan_extract.training.estimators import BoostedCandidateClassifier, CandidateClassifier
from plan_extract.training.evaluate import score, score_items
from plan_extract.training.examples import examples
from plan_extract.training.gold import gold_sets, training_sets
from plan_extract.training.train import SEED, fit_models

ROOT = Path(__file__).resolve().parent.parent


def _classes(exs):
    """name -> models dict (None: rules alone)."""
    x = [r for e in exs for r in e.cand_x]
    y = [label for e in exs for label in e.cand_y]
    linear = fit_models(exs)
    linear.pop("counts")
    out = {"rules": None, "linear": linear}
    for name, est in (("linear C=1", CandidateClassifier(C=1.0, class_weight="balanced", random_state=SEED)),
                      ("linear C=0.1", CandidateClassifier(C=0.1, class_weight="balanced", random_state=SEED)),
                      ("boosted trees", BoostedCandidateClassifier(random_state=SEED))):
        t0 = time.perf_counter()
        out[name] = {**linear, "candidates": est.fit(x, y)}
        print(f"fitted {name} in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("heldout", nargs="+", type=Path, help="held-out gold folders (annotated/)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    held = {p.resolve() for p in args.heldout}
    train_dirs = [d for d in training_sets(ROOT / "data" / "train.txt") if d.resolve() not in held]
    train_docs = gold_sets(train_dirs, corpus_dir=args.corpus)
    test_docs = gold_sets(args.heldout, corpus_dir=args.corpus)
    print(f"training on {len(train_docs)} documents, scoring {len(test_docs)}", flush=True)
    figures = {}
    for name, models in _classes(examples(train_docs)).items():
        pairs = [(extract_file(d.path, models=models if models else False), d.gold) for d in test_docs]
        t, items = score(pairs), score_items(pairs)
        tg = t["targets"]
        figures[name] = {"targets_p": round(tg.precision, 3), "targets_r": round(tg.recall, 3),
                         "targets_f1": round(tg.f1, 3),
                         "metric": round(tg.fields["metric"] / tg.tp, 3) if tg.tp else None,
                         "deadlines_f1": round(t["deadlines"].f1, 3),
                         "plans_exact": f"{t['plans'].tp} of {t['plans'].tp + t['plans'].fn}",
                         "targets_f1_any_plan": round(items["targets"].f1, 3),
                         "deadlines_f1_any_plan": round(items["deadlines"].f1, 3)}
    cols = list(next(iter(figures.values())))
    print("| model | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, row in figures.items():
        print(f"| {name} | " + " | ".join(str(row[c]) for c in cols) + " |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
