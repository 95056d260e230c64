"""Training and evaluation, outside the run: the gold, the examples (built by
the run's own functions), the scikit-learn estimators, ``train``, the scores
and cross-validation.  Only the ``train`` and ``eval`` commands import this."""
