"""A fitted logistic regression as plain weights, so running the pipeline needs
neither scikit-learn nor pickle (what ships in ``plan_extract/models/*.json``)."""

from __future__ import annotations

import json
import math
from itertools import repeat
from typing import Optional

from .features import KEYED, _grams

_ZEROS, _ZEROS_C = repeat(0.0), repeat(0j)


class LinearModel:
    """A fitted logistic regression as plain weights: rows → probabilities.

    The same numbers as the scikit-learn pipeline it came from, without
    scikit-learn: features from the kind's feature function, a sparse dot
    product, then softmax (several classes) or the logistic (two).
    """

    def __init__(self, kind: str, classes: list[str], intercept: list[float],
                 coef: Optional[dict[str, list[float]]]):
        self.kind = kind
        self.classes_ = list(classes)
        self.intercept = list(intercept)
        self.coef = coef
        self._packed: Optional[dict] = None
        self._tables: Optional[dict] = None

    def to_json(self) -> str:
        if self.coef is None:
            raise ValueError(f"{self.kind}: a model loaded for scoring only has no weights to write")
        return json.dumps({"kind": self.kind, "classes": self.classes_, "intercept": self.intercept,
                           "coef": self.coef}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "LinearModel":
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        return cls(d["kind"], d["classes"], d["intercept"], d["coef"])

    def scoring(self) -> dict:
        """What scoring reads, as plain data: the tables of :meth:`tables` with
        the classes and intercepts (what :mod:`plan_extract.core.cache` keeps,
        so a start reads them instead of rebuilding them from the weights)."""
        return {"kind": self.kind, "classes": self.classes_, "intercept": self.intercept, "tables": self.tables()}

    @classmethod
    def from_scoring(cls, d: dict) -> "LinearModel":
        """A model from :meth:`scoring`'s data: it scores, it cannot be written back."""
        model = cls(d["kind"], d["classes"], d["intercept"], None)
        model._tables = d["tables"]
        return model

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
        where a feature's name is ``prefix + key``; "" holds the features of
        no family (the real-valued ones), so no weight is held twice."""
        if self._tables is None:
            prefixes = KEYED[self.kind][1]
            self._tables = {"": {}, **{prefix: {} for prefix in prefixes}}
            for name, w in self._sums().items():
                families = [prefix for prefix in prefixes if name.startswith(prefix)]
                for prefix in families:
                    self._tables[prefix][name[len(prefix):]] = w
                if not families:
                    self._tables[""][name] = w
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
