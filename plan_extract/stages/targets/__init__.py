"""Stage ``targets``: quantities a plan commits to (SPEC §3, decisions 14–20).

Find, decide, resolve:

- ``candidates``: every number with a unit (ranges, Chinese numerals,
  placeholders) with its context: cue, verb, brackets, past markers;
  ``baselines`` marks the earlier levels among them;
- ``decide``: the rules label each ``target`` / ``baseline`` / ``other``; a
  trained model, passed in by the pipeline, may overrule them;
- ``resolve``: a target's record fields (metric through jieba on the
  clause, comparator, values, baseline); ``shared`` splits a value stated
  for several measures into one target each.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Callable, Optional, Sequence

import regex

from ...core.document import Candidate, Deadline, Decision, Plan, Section, Target
from ...rules import Rules, load_rules
from ...text.punctuation import SENTENCE_BREAKS, char_class
from ...text.spans import same_clause, section_finder
from .baselines import baselines_of
from .candidates import find_candidates
from .decide import decide as rule_decide
from .owners import owner_of
from .patterns import _patterns
from .resolve import resolve
from .shared import shared_measures

_SENTENCE_BREAK = regex.compile(char_class(SENTENCE_BREAKS))
LINK_REACH = 200  # a deadline links to a target in its clause that starts less than this far away


def candidates_of(plan: Plan, sections: Sequence[Section], *,
                  rules: Optional[Rules] = None) -> tuple[list[Candidate], list[str]]:
    """The plan's target candidates and the rules' label of each: what a
    model sees at run time, and what training labels from the gold."""
    rules = rules or load_rules()
    cands = find_candidates(plan.view, rules=rules, sections=sections, year=plan.year)
    return cands, rule_decide(cands, plan.view)


# decide(candidates, rule labels, plan view, sections) -> one Decision per candidate
Decider = Callable[[Sequence[Candidate], Sequence[str], str, Sequence[Section]], Sequence[Decision]]


def targets_of(plan: Plan, sections: Sequence[Section], deadlines: Sequence[Deadline], *,
               rules: Optional[Rules] = None, decide: Optional[Decider] = None) -> tuple[Target, ...]:
    """The plan's targets as records, linked to sections and same-clause deadlines.

    ``decide``: a trained model's verdict on the candidates (it also sees the
    rules' labels); without one, the rules decide alone."""
    rules = rules or load_rules()
    cands, rule_labels = candidates_of(plan, sections, rules=rules)
    if decide is None:
        decisions = [Decision(label) for label in rule_labels]
    else:
        decisions = decide(cands, rule_labels, plan.view, sections) if cands else []
    baselines = baselines_of(cands)
    section_of = section_finder(sections)
    deadline_starts = [d.start for d in deadlines]  # deadlines come in text order
    owner_rx = _patterns(rules)["owner_column"]
    chosen = [i for i, d in enumerate(decisions) if d.label == "target"]
    fields = {i: resolve(cands, i, plan, rules, deadlines, baselines) for i in chosen}
    _bare_changes(cands, chosen, fields, plan.view, _patterns(rules))
    _borrowed_measures(cands, chosen, fields, plan.view, _patterns(rules))
    measures_of = _measures(cands, chosen, fields, plan.view, _patterns(rules))
    out = []
    for i in chosen:
        c, f = cands[i], fields[i]
        near = deadlines[bisect_left(deadline_starts, c.start - LINK_REACH + 1):
                         bisect_right(deadline_starts, c.start + LINK_REACH - 1)]
        linked = next((d.id for d in near if same_clause(plan.view, c.start, d.start)), None)
        owner = owner_of(plan.view, plan.text, c.start, owner_rx)
        for metric, start, end in measures_of[i]:
            out.append(Target(id=f"t{len(out) + 1}", text=plan.text[start:end], start=start,
                              end=end, metric=metric, comparator=f["comparator"], value=f["value"],
                              value_max=f["value_max"], unit=f["unit"], placeholder=f["placeholder"],
                              baseline=f["baseline"], section=section_of(c.start),
                              deadline=linked, confidence=decisions[i].confidence, owner=owner))
    return tuple(out)


def _bare_changes(cands: Sequence[Candidate], chosen: Sequence[int], fields: dict, view: str, pats) -> None:
    """A change named without its measure takes the measure of the target
    before it in the sentence (decision 50): 门急诊人次达到9.2万人次，较上年增长6.6%
    measures 门急诊人次增长; a level named without one after a change measures
    what changed (收入增长5%，达到1.33亿元: 收入).  Changes ``fields`` in place."""
    for before, i in zip(chosen, chosen[1:]):
        lead, metric = fields[before]["metric"], fields[i]["metric"]
        if not lead or _SENTENCE_BREAK.search(view, fields[before]["end"], cands[i].start):
            continue
        change = next((w for w in pats["bare_change"] if lead.endswith(w)), None)
        if metric in pats["bare_change"] and change is None:
            fields[i]["metric"] = lead + metric
        elif not metric and change and len(lead) > len(change):
            # 一般公共预算收入增长5%，达到1.33亿元: the level the change reaches
            fields[i]["metric"] = lead[:-len(change)]


def _borrowed_measures(cands: Sequence[Candidate], chosen: Sequence[int], fields: dict, view: str,
                       pats) -> None:
    """Parts and periods of the target before them in the sentence take its
    measure (decision 61): a count with no metric and the same unit
    (讲座48场以上，每月至少4场: 讲座), and a ``其中`` part that names only a
    level, area or kind (监测点60个，其中农村地区不少于24个: 农村地区监测点), and
    a later value whose metric is an area alone, in the place of the lead's
    own area (城区…12分钟以内，农村地区缩短至25分钟以内: 农村地区急救平均反应时间).
    Changes ``fields`` in place."""
    for before, i in zip(chosen, chosen[1:]):
        lead, metric = fields[before]["metric"], fields[i]["metric"]
        if not lead or _SENTENCE_BREAK.search(view, fields[before]["end"], cands[i].start):
            continue
        if not metric and fields[i]["unit"] == fields[before]["unit"] and not fields[i]["shared"]:
            fields[i]["metric"] = lead
        elif metric and pats["part_qualifier"].search(metric) and pats["part_of"] in view[cands[before].end:cands[i].start] \
                and not lead.startswith(metric):
            fields[i]["metric"] = metric + lead
        elif metric and pats["area_part"].match(metric) and fields[i]["unit"] == fields[before]["unit"] \
                and not lead.startswith(metric):
            own = pats["area_lead"].search(lead)
            if own is not None and own.end() == len(lead):  # 急救平均反应时间城区: the area last
                fields[i]["metric"] = lead[:own.start()] + metric
            else:
                fields[i]["metric"] = metric + lead[own.end() if own else 0:]


def _measures(cands: Sequence[Candidate], chosen: Sequence[int], fields: dict, view: str,
              pats) -> dict[int, list[tuple[str, int, int]]]:
    """(metric, start, end) of each target a chosen candidate gives.  A shared value
    gives one per listed measure (decision 32); with 分别 the values that
    follow in the clause without a metric of their own take the later
    measures in turn (婴儿死亡率、5岁以下儿童死亡率分别控制在3‰和4.5‰)."""
    out: dict[int, list[tuple[str, int, int]]] = {}
    for n, i in enumerate(chosen):
        f = fields[i]
        if not f["shared"]:
            out.setdefault(i, [(f["metric"], f["start"], f["end"])])
            continue
        # the first target spans the list; a later one starts at its name
        parts = [(metric, f["start"] if k == 0 else start, f["end"])
                 for k, (metric, start) in enumerate(shared_measures(f["metric"], f["metric_start"], pats))]
        later, end = [], cands[i].end
        for j in chosen[n + 1:n + len(parts)]:  # values that follow joined by 、 和 及 only
            if not pats["value_join"].fullmatch(view, end, cands[j].start):
                break
            later.append(j)
            end = cands[j].end
        if not f["respective"] or not later:
            out[i] = parts
        elif len(parts) == len(later) + 1:
            out[i] = parts[:1]
            for j, part in zip(later, parts[1:]):
                out[j] = [(part[0], cands[j].start, cands[j].end)]  # 和4.5‰: the value alone
        else:  # values and measures do not pair up: keep the list as one metric
            out[i] = [(f["metric"], f["start"], f["end"])]
    return out
