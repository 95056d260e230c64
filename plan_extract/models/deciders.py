"""Models as decisions a stage accepts: the pipeline builds these from the
loaded models and passes them to the split and targets stages, which never
import a model themselves."""

from __future__ import annotations

from typing import Sequence

from ..core.document import Candidate, Decision, Flag, Line, Section
from .features import candidate_rows, judged_lines, line_rows

# A candidate the rules accept stays a target at P(target) >= 0.5; one they
# reject becomes a target only at P(target) >= 0.8.  The asymmetry was chosen
# after the held-out documents showed 0.5 adding false positives (README).
TARGET_THRESHOLD = 0.5
OVERRULE_THRESHOLD = 0.8
# A table's structure is not outvoted: a value in a column of a change or a note
# beside the target column (增减%, 备注) is never a target.  (A column of what was
# is inferred from years, 2026 against 2028 in a three-year plan: the model may
# still overrule it.)
STRUCTURAL = {Flag.OTHER_COLUMN}
# A trained line model overrides the rules only when it is this sure.
LINE_MODEL_THRESHOLD = 0.9


def candidate_decider(model):
    """``decide`` for :func:`plan_extract.stages.targets.targets_of`.

    Rules propose every candidate and label it; the model, which judges the
    candidate's context without seeing that label, decides: a rule's target
    stays one at P(target) >= ``TARGET_THRESHOLD``, a candidate the rules
    rejected becomes one only at P(target) >= ``OVERRULE_THRESHOLD``.
    P(target) becomes the record's ``confidence``.
    """
    target_index = list(model.classes_).index("target")

    def decide(cands: Sequence[Candidate], rule_labels: Sequence[str], view: str,
               sections: Sequence[Section]) -> list[Decision]:
        rows = candidate_rows(cands, rule_labels, view, sections)
        out = []
        for c, rule, p in zip(cands, rule_labels, model.predict_proba(rows)):
            p_target = float(p[target_index])
            needed = TARGET_THRESHOLD if rule == "target" else OVERRULE_THRESHOLD
            label = "target" if p_target >= needed else ("baseline" if rule == "baseline" else "other")
            if c.flags & STRUCTURAL:
                label = rule
            out.append(Decision(label, round(p_target, 4)))
        return out

    return decide


def line_decider(model):
    """``line_decider`` for :func:`plan_extract.stages.split.split_plans`.

    Text lines the model is sure are boilerplate are dropped.  It never brings
    back what a rule dropped: rules for chrome, TOC and page numbers are
    precise, and a small training set cannot outvote them.
    """
    boilerplate = list(model.classes_).index("boilerplate")

    def decide(lines: Sequence[Line]) -> list[str]:
        kinds = [ln.kind for ln in lines]
        index = judged_lines(lines)
        if index:
            for i, p in zip(index, model.predict_proba(line_rows(lines, index))):
                if p[boilerplate] >= LINE_MODEL_THRESHOLD:
                    kinds[i] = "boilerplate"
        return kinds

    return decide
