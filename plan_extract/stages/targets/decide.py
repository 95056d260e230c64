"""Decide (rules): each candidate ``target``, ``baseline`` or ``other``.

A trained model may overrule this verdict; the pipeline passes one to
:func:`plan_extract.stages.targets.targets_of` as its ``decide`` argument.
"""

from __future__ import annotations

from typing import Sequence

from ...core.document import Candidate, Flag

# Any of these rules a candidate out, whatever its cue.
NEVER_TARGET = {Flag.NEVER, Flag.PAST, Flag.REVIEW, Flag.ACTUAL_COLUMN, Flag.NOT_CONTEXT, Flag.DOCUMENT_NAME, Flag.INSIDE_WORD, Flag.QUOTED,
                Flag.PER_PERSON, Flag.CONDITION, Flag.OTHER_COLUMN}


def decide(cands: Sequence[Candidate], view: str) -> list[str]:
    """Label each candidate ``target``, ``baseline`` or ``other`` (rules).

    A trained classifier (:mod:`plan_extract.models.deciders`) sees these
    labels and may overrule them.
    """
    labels = []
    for c in cands:
        if c.baseline_of is not None:
            labels.append("baseline")
        elif c.flags & NEVER_TARGET:
            labels.append("other")
        elif Flag.RATE in c.flags or Flag.TIME_MEASURE in c.flags or Flag.TARGET_COLUMN in c.flags:
            labels.append("target")
        elif c.cue:  # a time with only an "=" cue (确保24小时) is a duration
            labels.append("other" if Flag.TIME in c.flags and c.cue[0] == "=" else "target")
        elif Flag.ZERO in c.flags:
            labels.append("target")
        elif c.flags & {Flag.FREQUENCY, Flag.CUE_ONLY}:
            labels.append("other")
        elif c.placeholder and Flag.TIME not in c.flags and Flag.OPEN_END in c.flags:
            labels.append("target")  # a blanked figure closing a clause is a commitment to fill in
        elif (c.after_cue or Flag.MORE_THAN in c.flags) and Flag.TIME not in c.flags:  # 三十余人 as 30人以上
            labels.append("target")
        elif c.verb and Flag.TIME not in c.flags and Flag.ROUTINE not in c.flags:
            labels.append("target")
        else:
            labels.append("other")
    return labels
