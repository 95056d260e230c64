"""Trained models that decide what the rules propose (SPEC §5).

- ``features``: a candidate's or a line's context as a row, and its features;
- ``linear``: a fitted logistic regression as plain weights (:class:`LinearModel`);
- ``store``: the shipped weights (``*.json`` here), loaded without network;
- ``deciders``: the models as the decisions the split and targets stages accept.

The candidate model labels ``target`` / ``baseline`` / ``other`` from the
candidate's clause (character n-grams of the context and section title, cue,
unit, position, tense markers, the rules' own flags, but not the rules'
verdict: a model that sees the verdict learns to copy it, README
"Classifier"); the line model labels ``plan_text`` / ``boilerplate``.
Training (scikit-learn) lives in :mod:`plan_extract.training`; no stage
imports this package.
"""

from .deciders import candidate_decider, line_decider
from .linear import LinearModel
from .store import load_models

__all__ = ["LinearModel", "candidate_decider", "line_decider", "load_models"]
