"""Run one short phrase through clean → deadlines → targets, as a one-plan document."""

from plan_extract.stages.clean import clean
from plan_extract.stages.deadlines import deadlines_of
from plan_extract.stages.sections import find_sections
from plan_extract.core.document import Plan
from plan_extract.core.offsets import identity
from plan_extract.output.record import DEADLINE_KEYS, _target
from plan_extract.stages.targets import targets_of


def extract_phrase(text: str, year, *, sections: bool = False, rules=None):
    """``sections``: find the phrase's numbered headings first (a number under
    a review heading is a past fact); ``rules``: other tables than the package's."""
    c = clean(text, rules=rules)
    plan = Plan(index=0, title=None, year=year, text=c.text, view=c.view, map=identity(len(c.text)))
    nodes = find_sections(plan, rules=rules) if sections else ()
    deadlines = deadlines_of(plan, nodes, rules=rules)
    targets = targets_of(plan, nodes, deadlines, rules=rules)
    return ([_target(t) for t in targets],
            [{k: getattr(d, k) for k in DEADLINE_KEYS} for d in deadlines])
