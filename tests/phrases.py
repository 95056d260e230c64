"""Run one short phrase through clean → deadlines → targets, as a one-plan document."""

from plan_extract.stages.clean import clean
from plan_extract.stages.deadlines import deadlines_of
from plan_extract.core.document import Plan
from plan_extract.core.offsets import identity
from plan_extract.output.record import DEADLINE_KEYS, _target
from plan_extract.stages.targets import targets_of


def extract_phrase(text: str, year):
    c = clean(text)
    plan = Plan(index=0, title=None, year=year, text=c.text, view=c.view, map=identity(len(c.text)))
    deadlines = deadlines_of(plan, ())
    targets = targets_of(plan, (), deadlines)
    return ([_target(t) for t in targets],
            [{k: getattr(d, k) for k in DEADLINE_KEYS} for d in deadlines])
