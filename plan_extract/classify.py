"""Stage ``classify``: trained models that decide what the rules propose (SPEC §5).

Two scikit-learn classifiers share one estimator class:

- :class:`CandidateClassifier` labels a target candidate ``target`` /
  ``baseline`` / ``other`` from its clause (character n-grams of the
  context and section title, cue, unit, position, tense markers, the rules'
  own flags, but not the rules' verdict: a model that sees the verdict learns
  to copy it and adds nothing on documents the rules have not met, README
  "Classifier"; no jieba words, whose cost per candidate was the pipeline's
  largest and whose information the n-grams carry, README "Speed");
- :class:`LineClassifier` labels a line ``plan_text`` / ``boilerplate`` for
  the split stage.

Inputs are plain dicts ("rows") built by :func:`candidate_row` and
:func:`line_row`.  Training uses scikit-learn; what ships in
``plan_extract/models/`` is each fitted model's weights as JSON
(:class:`LinearModel`), so running the pipeline needs neither scikit-learn
nor pickle, and no network.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from importlib import resources
from itertools import chain, repeat
from operator import add
from pathlib import Path
from typing import Optional, Sequence

import regex

from .cache import cached

TENSE_MARKERS = ("已", "共", "完成了", "去年", "上年", "以来", "累计", "目前", "现有", "曾", "将", "计划", "力争",
                 "确保", "争取", "预计", "今年", "目标")
# One pass finds every marker (overlapped: 力争取 holds 力争 and 争取).
_TENSE_RX = regex.compile("|".join(TENSE_MARKERS))
MODEL_FILES = {"candidates": "candidates.json", "lines": "lines.json"}
# A candidate the rules accept stays a target at P(target) >= 0.5; one they
# reject becomes a target only at P(target) >= 0.8.  The asymmetry was chosen
# after the held-out documents showed 0.5 adding false positives (README).
TARGET_THRESHOLD = 0.5
OVERRULE_THRESHOLD = 0.8


# --- rows: what a model sees ---------------------------------------------

def candidate_row(c, view: str, *, rule_label: str, section_title: str = "") -> dict:
    """The context of one target candidate, as plain data."""
    sentence = c.sentence_start
    return {
        "rule": rule_label,
        "flags": sorted(c.flags),
        "cue": c.cue[0] if c.cue else "",
        "cue_word": view[c.cue[1]:c.cue[2]] if c.cue else "",
        "after_cue": view[c.after_cue[1]:c.after_cue[2]] if c.after_cue else "",
        "verb": view[c.verb[0]:c.verb[1]] if c.verb else "",
        "unit": c.unit,
        "placeholder": c.placeholder,
        "range": c.hi is not None,
        "cjk": c.lo[:1] in "一二两三四五六七八九十百",
        "left": view[max(0, c.start - 10):c.start],
        "right": view[c.end:c.end + 8],
        "sentence": view[sentence:c.start],
        "clause": view[c.clause_start:c.start],
        "baseline": c.baseline_of is not None,
        "has_baseline": c.change_from is not None,
        "position": round(c.start / max(1, len(view)), 1),
        "section": section_title,
    }


def line_row(lines: Sequence, i: int, *, rule_kind: str) -> dict:
    """The context of one line of a document, as plain data."""
    line = lines[i]
    text = line.view.strip()
    return {
        "text": text[:80],
        "rule": rule_kind,
        "length": len(text),
        "position": round(i / max(1, len(lines) - 1), 1),
        "prev": lines[i - 1].kind if i else "start",
        "next": lines[i + 1].kind if i + 1 < len(lines) else "end",
    }


def _grams(text: str, n_max: int) -> chain:
    """Character 1- to ``n_max``-grams of ``text`` (n_max 2 or 3), built by C-level
    maps instead of a Python loop over positions."""
    pairs = map(add, text, text[1:])
    if n_max == 2:
        return chain(text, pairs)
    return chain(text, pairs, map(add, map(add, text, text[1:]), text[2:]))


# Features come as families ``(prefix, keys)``: a feature's name is
# ``prefix + key`` and its value 1.0, so a model looks each family's weights up
# by the bare key and no name is formatted at prediction time.  A family given
# as a ``str`` is a text whose character 1- and 2-grams are the keys (a
# section title, which every candidate under it shares: scored once).
# Real-valued features come apart, as ``(name, value)`` pairs.
CANDIDATE_PREFIXES = ("flag=", "L:", "R:", "C:", "tense=", "S:")
LINE_PREFIXES = ("B:", "E:")


def candidate_keyed(row: dict) -> tuple[list, tuple]:
    """A candidate row's features: (families, real-valued pairs)."""
    fixed = (f"cue={row['cue']}", f"cue_word={row['cue_word']}", f"after={row['after_cue']}",
             f"verb={bool(row['verb'])}", f"unit={row['unit']}", f"placeholder={row['placeholder']}",
             f"range={row['range']}", f"cjk={row['cjk']}", f"baseline={row['baseline']}",
             f"has_baseline={row['has_baseline']}", f"position={row['position']}")
    return [("", fixed), ("flag=", row["flags"]), ("L:", _grams(row["left"][-6:], 3)),
            ("R:", _grams(row["right"][:4], 2)), ("C:", _grams(row["clause"][-16:], 2)),
            ("tense=", _TENSE_RX.findall(row["sentence"], overlapped=True)), ("S:", row["section"][:20])], ()


def line_keyed(row: dict) -> tuple[list, tuple]:
    """A line row's features: (families, real-valued pairs)."""
    text, length = row["text"], row["length"]
    fixed = (f"rule={row['rule']}", f"prev={row['prev']}", f"next={row['next']}",
             f"position={row['position']}", f"short={length < 12}",
             f"ends_punct={text[-1:] in '。；！？.;!?'}", f"has_digit={any(map(str.isdigit, text))}")
    return [("", fixed), ("B:", _grams(text[:12], 2)), ("E:", _grams(text[-8:], 2))], \
        (("length", min(length, 200) / 200),)


def _feature_dict(keyed: tuple[list, tuple]) -> dict:
    families, reals = keyed
    names = (prefix + k for prefix, keys in families
             for k in (_grams(keys, 2) if type(keys) is str else keys))
    return {**dict.fromkeys(names, 1.0), **dict(reals)}


def candidate_features(rows: Sequence[dict]) -> list[dict]:
    """Feature dicts for candidate rows, as scikit-learn's DictVectorizer takes them."""
    return [_feature_dict(candidate_keyed(r)) for r in rows]


def line_features(rows: Sequence[dict]) -> list[dict]:
    """Feature dicts for line rows."""
    return [_feature_dict(line_keyed(r)) for r in rows]


# --- the estimator (scikit-learn, imported only to train) ----------------

def _sklearn():
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    return BaseEstimator, ClassifierMixin, DictVectorizer, LogisticRegression, Pipeline, FunctionTransformer


def __getattr__(name: str):
    """``CandidateClassifier`` and ``LineClassifier`` are built on first use,
    so importing this module does not import scikit-learn."""
    if name in ("CandidateClassifier", "LineClassifier"):
        classes = _estimators()
        return classes[name]
    raise AttributeError(name)


@lru_cache(maxsize=1)
def _estimators() -> dict:
    BaseEstimator, ClassifierMixin, DictVectorizer, LogisticRegression, Pipeline, FunctionTransformer = _sklearn()

    class CandidateClassifier(ClassifierMixin, BaseEstimator):
        """Feature function → DictVectorizer → LogisticRegression.

        ``fit(X, y)`` takes rows (plain dicts) and labels; learned state ends
        in an underscore (``pipeline_``, ``classes_``).
        """

        feature_fn = staticmethod(candidate_features)
        kind = "candidates"

        def __init__(self, C: float = 1.0, class_weight=None, random_state: int = 0):
            self.C = C
            self.class_weight = class_weight
            self.random_state = random_state

        def fit(self, X, y):
            self.pipeline_ = Pipeline([
                ("features", FunctionTransformer(type(self).feature_fn)),
                ("vectorize", DictVectorizer(sort=True)),
                ("model", LogisticRegression(C=self.C, class_weight=self.class_weight,
                                             random_state=self.random_state, max_iter=5000)),
            ])
            self.pipeline_.fit(list(X), list(y))
            self.classes_ = self.pipeline_.classes_
            return self

        def predict_proba(self, X):
            return self.pipeline_.predict_proba(list(X))

        def predict(self, X):
            return self.pipeline_.predict(list(X))

    class LineClassifier(CandidateClassifier):
        """The same estimator over lines: ``plan_text`` / ``boilerplate``."""

        feature_fn = staticmethod(line_features)
        kind = "lines"

    for cls in (CandidateClassifier, LineClassifier):  # picklable as plan_extract.classify.<name>
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return {"CandidateClassifier": CandidateClassifier, "LineClassifier": LineClassifier}


FEATURES = {"candidates": candidate_features, "lines": line_features}
# Each kind's features as families, and the prefixes of its families.
KEYED = {"candidates": (candidate_keyed, CANDIDATE_PREFIXES), "lines": (line_keyed, LINE_PREFIXES)}
_ZEROS, _ZEROS_C = repeat(0.0), repeat(0j)


class LinearModel:
    """A fitted logistic regression as plain weights: rows → probabilities.

    The same numbers as the scikit-learn pipeline it came from, without
    scikit-learn: features from the kind's feature function, a sparse dot
    product, then softmax (several classes) or the logistic (two).
    """

    def __init__(self, kind: str, classes: list[str], intercept: list[float], coef: dict[str, list[float]]):
        self.kind = kind
        self.classes_ = list(classes)
        self.intercept = list(intercept)
        self.coef = coef
        self._packed: Optional[dict] = None
        self._tables: Optional[dict] = None

    @classmethod
    def from_estimator(cls, est) -> "LinearModel":
        vec = est.pipeline_.named_steps["vectorize"]
        lr = est.pipeline_.named_steps["model"]
        names = vec.get_feature_names_out()
        coef = {str(n): [float(w) for w in lr.coef_[:, j]] for j, n in enumerate(names)}
        return cls(est.kind, [str(c) for c in est.classes_], [float(b) for b in lr.intercept_], coef)

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "classes": self.classes_, "intercept": self.intercept,
                           "coef": self.coef}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "LinearModel":
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        return cls(d["kind"], d["classes"], d["intercept"], d["coef"])

    def _sums(self):
        """Per-feature weights packed for C-level sums: softmax only needs each
        class's score minus class 0's, so three classes fit one complex number."""
        if self._packed is None:
            if len(self.intercept) == 3:
                self._packed = {name: complex(w[1] - w[0], w[2] - w[0]) for name, w in self.coef.items()}
            elif len(self.intercept) == 1:
                self._packed = {name: w[0] for name, w in self.coef.items()}
            else:
                raise ValueError(f"{self.kind}: {len(self.classes_)} classes; LinearModel scores 2 or 3")
        return self._packed

    def tables(self) -> dict[str, dict]:
        """The packed weights by feature family: ``{prefix: {key: weight}}``,
        where a feature's name is ``prefix + key`` ("" holds every feature)."""
        if self._tables is None:
            packed = self._sums()
            prefixes = KEYED[self.kind][1]
            self._tables = {"": packed, **{prefix: {} for prefix in prefixes}}
            for name, w in packed.items():
                for prefix in prefixes:
                    if name.startswith(prefix):
                        self._tables[prefix][name[len(prefix):]] = w
        return self._tables

    def _score(self, s) -> list[float]:
        """Class scores minus class 0's, from the summed weights ``s``."""
        b = self.intercept
        if len(b) == 3:
            return [0.0, b[1] - b[0] + s.real, b[2] - b[0] + s.imag]
        return [b[0] + s]

    def _keyed_sums(self, rows) -> list:
        """Summed weights of rows; a family given as a string is scored once
        however many rows share it."""
        tables = self.tables()
        keyed = KEYED[self.kind][0]
        zeros = _ZEROS_C if len(self.intercept) == 3 else _ZEROS
        packed = tables[""]
        shared: dict = {}
        out = []
        for row in rows:
            s = 0
            families, reals = keyed(row)
            for prefix, keys in families:
                if type(keys) is str:
                    part = shared.get((prefix, keys))
                    if part is None:
                        part = shared[(prefix, keys)] = sum(map(tables[prefix].get, set(_grams(keys, 2)), zeros))
                    s += part
                else:
                    s += sum(map(tables[prefix].get, set(keys), zeros))
            for name, value in reals:
                if name in packed:
                    s += value * packed[name]
            out.append(s)
        return out

    def predict_proba(self, rows) -> list[list[float]]:
        out = []
        for s in self._keyed_sums(rows):
            z = self._score(s)
            if len(self.classes_) == 2:  # binary: one score for the second class
                p = 1.0 / (1.0 + math.exp(-z[0]))
                out.append([1.0 - p, p])
            else:
                top = max(z)
                e = [math.exp(v - top) for v in z]
                total = sum(e)
                out.append([v / total for v in e])
        return out


# --- models on disk -------------------------------------------------------

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
    """Each model's weights as JSON, with a sidecar describing the training."""
    out.mkdir(parents=True, exist_ok=True)
    for name, model in models.items():
        linear = model if isinstance(model, LinearModel) else LinearModel.from_estimator(model)
        (out / MODEL_FILES[name]).write_text(linear.to_json() + "\n", encoding="utf-8")
    (out / "models.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


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
    """A model file's JSON, parsed once per file content (:mod:`plan_extract.cache`:
    parsing 3 MB of weights is most of a run's start-up otherwise)."""
    data = path.read_bytes()
    return cached("model", data, lambda: json.loads(data))


def model_decider(model, sections_title):
    """A ``decide`` function for :func:`plan_extract.targets.targets_of`.

    Rules propose every candidate and label it; the model, which judges the
    candidate's context without seeing that label, decides: a rule's target stays one at
    P(target) >= ``TARGET_THRESHOLD``, a candidate the rules rejected becomes
    one only at P(target) >= ``OVERRULE_THRESHOLD``.  P(target) becomes the
    record's ``confidence``.
    """
    from .targets import decide as rule_decide

    target_index = list(model.classes_).index("target")

    def decide(cands, view):
        rules = rule_decide(cands, view)
        if not cands:
            return []
        rows = [candidate_row(c, view, rule_label=r, section_title=sections_title(c.start))
                for c, r in zip(cands, rules)]
        out = []
        for rule, p in zip(rules, model.predict_proba(rows)):
            p_target = float(p[target_index])
            needed = TARGET_THRESHOLD if rule == "target" else OVERRULE_THRESHOLD
            label = "target" if p_target >= needed else ("baseline" if rule == "baseline" else "other")
            out.append((label, round(p_target, 4)))
        return out

    return decide
