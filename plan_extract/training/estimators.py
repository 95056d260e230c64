"""The scikit-learn estimators both models are fitted with, and their export
to plain weights (:class:`plan_extract.models.LinearModel`).

Follows scikit-learn's conventions: ``__init__`` stores its keyword
parameters unchanged, ``fit`` returns self, learned state ends in an
underscore.  Only training imports scikit-learn; running the pipeline does not.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ..models.features import candidate_features, line_features
from ..models.linear import LinearModel


class CandidateClassifier(ClassifierMixin, BaseEstimator):
    """Feature function → DictVectorizer → LogisticRegression over candidate rows.

    ``fit(X, y)`` takes rows (plain dicts) and labels; learned state ends
    in an underscore (``pipeline_``, ``classes_``).
    """

    feature_fn = staticmethod(candidate_features)
    kind = "candidates"

    def __init__(self, C: float = 1.0, class_weight=None, random_state: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def _model(self):
        return LogisticRegression(C=self.C, class_weight=self.class_weight, random_state=self.random_state,
                                  max_iter=5000)

    def fit(self, X, y):
        self.pipeline_ = Pipeline([
            ("features", FunctionTransformer(type(self).feature_fn)),
            ("vectorize", DictVectorizer(sort=True)),
            ("model", self._model()),
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


class BoostedCandidateClassifier(CandidateClassifier):
    """The same rows through gradient-boosted trees: a second model class,
    compared with the linear one on first contact (``scripts/compare_models.py``);
    not shipped (it has no plain-weights export)."""

    def __init__(self, n_estimators: int = 300, max_depth: int = 3, learning_rate: float = 0.1,
                 random_state: int = 0):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _model(self):
        return GradientBoostingClassifier(n_estimators=self.n_estimators, max_depth=self.max_depth,
                                          learning_rate=self.learning_rate, subsample=0.8,
                                          random_state=self.random_state)


def to_linear(est: CandidateClassifier) -> LinearModel:
    """A fitted estimator's weights as a :class:`LinearModel` (same probabilities)."""
    vec = est.pipeline_.named_steps["vectorize"]
    lr = est.pipeline_.named_steps["model"]
    names = vec.get_feature_names_out()
    coef = {str(n): [float(w) for w in lr.coef_[:, j]] for j, n in enumerate(names)}
    return LinearModel(est.kind, [str(c) for c in est.classes_], [float(b) for b in lr.intercept_], coef)
