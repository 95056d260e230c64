"""Resolve: a target candidate's record fields — comparator, values,
baseline, and the metric (its left edge found with jieba on the clause)."""

from __future__ import annotations

from typing import Optional, Sequence

import regex

from ...core.document import Baseline, Candidate, Deadline, Flag, Plan
from ...rules import Rules
from ...text.numerals import as_json_number, to_number
from ...text.script import to_simplified
from ...text.segment import cut
from .baselines import CHANGE_FROM_REACH, baselines_of
from .tables import table_cell, without_unit
from ...text.punctuation import COLON, COMMA, FULL_STOP, LIST_COMMA, PAREN_CLOSE, PAREN_OPEN, char_class
from ...text.markers import marker_at
from .patterns import CLAUSE_REACH, CLAUSE_STOP, SEGMENT_STOP, _LAST_STOP, _patterns, fold_unit, starts_with_marker

_HAN = regex.compile(r"\p{Han}")

def _needs_cut(seg: str, pats, count: bool) -> bool:
    """Whether a lead word, a trail word, a verb or a space could be a token of ``seg``."""
    return bool(seg) and (seg.startswith(pats["lead_prefix"][count]) or seg.endswith(pats["trail_suffix"])
                          or seg[0].isspace() or seg[-1].isspace()
                          or (count and (pats["object_verb_rx"].search(seg) is not None or pats["list_etc"] in seg)))


_BRACKET_STOPS = regex.compile(char_class(CLAUSE_STOP))
_GLOSSED = regex.compile(r"[\p{Han}A-Za-z]")  # a gloss follows a word; a bracket after a stop is a marker
OBJECT_BARE = 2  # an object of two characters (企业, 护士) is bare: an earlier verb's longer one wins
BRACKET_REACH = 12  # a bracketed gloss inside a metric: （助理）, （MDT）, （CV）
# a space between two Han characters: Chinese prose has none, so it is the gap
# between two cells of a row (or two columns) that a metric never crosses
_CELL_GAP = regex.compile(r"(?<=\p{Han})[ \u3000]+(?=\p{Han})")


def _metric_start(view: str, end: int, pats, rules: Rules) -> int:
    """Start of the noun phrase ending at ``end``: back to a stop, but across a
    short bracket pair (每千人口执业（助理）医师数) and across 、-joined items
    without a number or a verb inside (新技术、新项目; not 新增2个单元、4张床),
    the number of an item opening the line apart (2.门诊病历、住院病历甲级率)."""
    floor = max(0, end - CLAUSE_REACH + 1)
    pos = end
    while True:
        m = _LAST_STOP[SEGMENT_STOP].search(view, floor, pos)
        if m is None:
            return floor
        ch, at = m.group(), m.start()
        if ch in PAREN_CLOSE:
            opener = max(view.rfind(p, max(floor, at - BRACKET_REACH), at) for p in PAREN_OPEN)
            if opener > floor and _GLOSSED.match(view, opener - 1) and not _BRACKET_STOPS.search(view, opener, at):
                pos = opener
                continue
        elif ch == LIST_COMMA:
            before = _LAST_STOP[SEGMENT_STOP].search(view, floor, at)
            item = view[_past_marker(view, before.end() if before else floor, rules):at]
            after = view[at + 1:end].lstrip()
            if item.strip() and not pats["list_item_count"].search(item) \
                    and not pats["verbish"].search(_without_lead(item.strip(), pats), 1) \
                    and _without_lead(after, pats) == after:  # 、降低感染率: a clause, not a noun
                pos = at
                continue
        return m.end()


def _past_marker(view: str, start: int, rules: Rules) -> int:
    """``start``, or the end of the section marker opening the line there
    (2.门诊病历: its number counts no thing and is no part of a measure)."""
    if start and view[start - 1] != "\n":
        return start
    marker = marker_at(view, start, rules)
    return marker.end if marker else start


def _without_lead(item: str, pats, verbs: bool = True) -> str:
    """``item`` without the lead words and verbs it opens with (全年开展新技术:
    新技术), which the metric drops anyway; ``verbs=False``: the lead words only."""
    lead = pats["lead_prefix"][verbs]
    while True:  # words of two characters or more: 使 in 使用 is no lead word, jieba's tokens tell those
        word = max((w for w in lead if len(w) > 1 and item.startswith(w)), key=len, default="")
        if not word or len(word) >= len(item):
            return item
        item = item[len(word):]


_MARKUP = regex.compile(r"^[\s*_#>~|]+$")


def _split_lead(tokens: list[str], lead) -> str:
    """A lead word of two characters or more that jieba cut apart, reading its
    last character into the next word (其中医养结合奖补资金: 其/中医): the lead
    word, else "".  A token longer than the lead word (计划免疫) is a word."""
    joined = "".join(tokens[:3])
    word = max((w for w in lead if len(w) > 1 and joined.startswith(w) and len(tokens[0]) < len(w)),
               key=len, default="")
    return word if word and len("".join(tokens)) - len(word) > 1 else ""


def _metric_before(view: str, text: str, start: int, end: int, pats, rules: Rules, count: bool,
                   floor: int = 0) -> tuple[str, int]:
    """Metric ending at ``end`` and its start; jieba tokens find the left edge.

    ``count``: the number counts things (not a rate or a measure), so a
    planned-count verb before it is not part of the metric."""
    seg_start = _past_marker(view, max(_metric_start(view, end, pats, rules), floor), rules)
    for gap in _CELL_GAP.finditer(view, seg_start, end):  # a table's cells printed side by side (a PDF's grid)
        seg_start = gap.end()
    seg = to_simplified(text[seg_start:end])
    if not _needs_cut(seg, pats, count):
        return seg, seg_start  # no word to strip: jieba's tokens would join back to seg
    tokens = list(cut(seg))
    pos = seg_start
    lead = pats["lead"][count]
    led_by_verb = False  # a planned-count verb opened the phrase (完成粉尘危害专项治理企业)
    after_verb = False  # the word just stripped was a planned-count verb
    after_join = False  # ... or a joining word (新建和改造渠道: 改造 is a second verb)
    while tokens:
        if _MARKUP.match(tokens[0]):  # ** 全年门诊量: Markdown emphasis before the lead word
            pos += len(tokens.pop(0))
            continue
        split_lead = _split_lead(tokens, lead)  # 其中医养结合: jieba read 其/中医
        if split_lead:
            pos += len(split_lead)
            rest = "".join(tokens)[len(split_lead):]
            tokens = list(cut(rest))
            continue
        rest = "".join(tokens[1:]).strip()
        if not (tokens[0] in lead and rest not in pats["measure_heads"]):  # 参加人数
            break
        if count and not after_join and tokens[0] not in pats["lead"][False] \
                and 0 < len(rest) <= OBJECT_BARE and rest not in lead:
            break  # 完成种植手术: the verb 种植 before a bare 手术 is part of the thing counted
        if after_verb and tokens[0] in pats["object_openers"]:
            break  # 完成在用设备质控检测: 在 after the verb opens its object
        after_verb = tokens[0] in pats["object_verbs"]
        after_join = tokens[0] in pats["shared_joins"]
        led_by_verb = led_by_verb or after_verb
        pos += len(tokens.pop(0))
    while tokens and (tokens[-1] in pats["trail"] or not tokens[-1].strip()):
        tokens.pop()
    if count and tokens and tokens[-1] not in pats["measure_heads"]:  # 种植面积 names the measure
        # the object of the last planned-count verb, if it is more than a character;
        # a bare noun (企业) after a verb inside the object names too little:
        # 完成粉尘危害专项治理企业 counts 粉尘危害专项治理企业, the object of 完成
        verbs = [k for k in range(len(tokens)) if tokens[k] in pats["object_verbs"]
                 and len("".join(tokens[k + 1:])) > 1]
        full = [k for k in verbs if len("".join(tokens[k + 1:])) > OBJECT_BARE]
        whole = led_by_verb and verbs and not pats["object_breaks"].intersection(tokens[:verbs[-1]])
        k = full[-1] if full else None if whole else verbs[-1] if verbs else None
        if k is not None:
            keep = tokens[k] in pats["keeps_verb"]  # 培训乡村医生: the training is counted
            pos += sum(len(tk) for tk in tokens[:k + (0 if keep else 1)])
            tokens = tokens[k + (0 if keep else 1):]
        # a verb after its object (灯具更换2000套), and the kinds before 等 (彩超等设备: 设备)
        while len(tokens) > 1 and tokens[-1] in pats["verbs_after_object"] and len("".join(tokens[:-1])) > 1:
            tokens.pop()
        if pats["list_etc"] in tokens[:-1]:
            k = len(tokens) - 1 - tokens[::-1].index(pats["list_etc"])
            if len("".join(tokens[k + 1:])) > 1:
                pos += sum(len(tk) for tk in tokens[:k + 1])
                tokens = tokens[k + 1:]
    metric = "".join(tokens)
    return metric, pos


def _metric_after(view: str, text: str, end: int, pats) -> tuple[str, int]:
    if end >= len(view) or not (_HAN.match(view[end]) or view[end].isascii() and view[end].isalpha()):
        return "", end
    m = pats["noun_after"].match(view, end)
    if not m:
        return "", end
    noun = m.group("noun")
    if any(noun.startswith(w) for w, _ in pats["after"]) or noun[0] in pats["noun_after_not_first"]:
        return "", end
    return to_simplified(text[end:m.end()]).rstrip(pats["noun_after_strip"]), m.end()


def _row_metric(view: str, text: str, row: int, at: int, rules: Rules,
                column: Optional[int] = None) -> tuple[str, int]:
    """The cell of a table row under the header's measure column, else the
    first cell before ``at`` that holds a name (not a 序号 number, not
    empty): it names what the row's values measure."""
    start = row
    for _ in range(column or 0):  # the header names the measure's column
        nxt = view.find("\t", start, at)
        if nxt < 0:
            start = row
            break
        start = nxt + 1
    while start < at:
        end = view.find("\t", start, at)
        if end < 0:
            return "", row
        cell = view[start:end]
        name = cell.strip()
        if _NAME.search(name):
            if len(name) > rules.get("targets", "metric_max") or any(ch in name for ch in COMMA + FULL_STOP + COLON):
                return "", row
            first = start + len(cell) - len(cell.lstrip())
            return without_unit(to_simplified(text[first:first + len(name)]), _patterns(rules)), first
        start = end + 1
    return "", row


PROSE_CELL_MIN = 6  # Han characters before a number in its table cell: a sentence, not a value (较上年提高)
# full-width digits and Latin letters (U+FF10-FF19, FF21-FF3A, FF41-FF5A) as ASCII;
# brackets and other signs keep their width, as the gold writes them
_HALF_WIDTH = {cp: cp - 0xFEE0 for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for cp in range(first, last + 1)}
_NAME = regex.compile(r"[\p{Han}A-Za-z]")


def _unit_text(c: Candidate) -> str:
    return c.unit


def _around_deadlines(view: str, deadlines: Sequence[Deadline], metric_end: int) -> tuple[int, int]:
    """(floor, end) of a metric before ``metric_end`` that must not hold a deadline:
    合格率6月底前达到 ends before it, 6月底前配齐专职校医 starts after it."""
    floor = 0
    for d in deadlines:
        if metric_end - CLAUSE_REACH <= d.start and d.end <= metric_end:
            if view[d.end:metric_end].strip():
                floor = max(floor, d.end)
            else:
                metric_end = min(metric_end, d.start)
    return floor, metric_end


def resolve(cands: Sequence[Candidate], i: int, plan: Plan, rules: Rules,
            deadlines: Sequence[Deadline] = (), baselines: Optional[list[list[int]]] = None) -> dict:
    """Record fields of the target candidate ``cands[i]`` (ids, section and
    deadline come later).  ``baselines``: :func:`baselines_of` the candidates,
    when the caller resolves many."""
    c = cands[i]
    pats = _patterns(rules)
    view, text = plan.view, plan.text
    comparator, cue_start = "=", None
    options = [x for x in (c.cue, c.after_cue) if x]
    if len(options) == 2 and "=" in (options[0][0], options[1][0]):
        options = [x for x in options if x[0] != "="]  # 保持在90%以上: "=" names no direction
    if options:
        nearest = min(options, key=lambda x: c.start - x[2] if x is c.cue else x[1] - c.end)
        comparator = nearest[0]
    if Flag.MORE_THAN in c.flags:  # 三十余人: more than 30, whatever cue stands before
        comparator = ">"
    if c.cue:
        cue_start = c.cue[1]
    metric_end = min(x for x in (c.start, cue_start if cue_start is not None else c.start,
                                 cands[c.change_from].start if c.change_from is not None else c.start))
    if c.change_from is not None:
        b_start = cands[c.change_from].start
        lead = pats["change_from"].search(view, max(0, b_start - CHANGE_FROM_REACH), b_start)
        metric_end = min(metric_end, lead.start() if lead else b_start)
    is_rate = Flag.RATE in c.flags and fold_unit(c.unit) not in pats["rate_units_counted"]
    metric, m_start, span_end = "", metric_end, c.end
    if not is_rate:
        metric, after_end = _metric_after(view, text, c.end if not c.after_cue else c.after_cue[2], pats)
        if metric:
            span_end = after_end
    if not metric and c.cue and c.unit.startswith(pats["routine_units"]) and _HAN.search(view, c.cue[2], c.start) \
            and not _LAST_STOP[SEGMENT_STOP].search(view, c.cue[2], c.start):
        # 至少开展护理查房1次: the activity counted stands between the cue and the number
        metric, m_start = _metric_before(view, text, c.cue[2], c.start, pats, rules, count=True, floor=c.cue[2])
    row, column = table_cell(view, c.start)
    cell_start = view.rfind("\t", row, c.start) + 1 if column else 0
    han_before = len(_HAN.findall(view, cell_start, metric_end)) if column else 0
    # a sentence in the cell, or a rate named in its own cell before its cue (隐患整改率≥98%)
    prose_cell = han_before >= PROSE_CELL_MIN or (han_before >= 2 and c.cue is not None and Flag.RATE in c.flags)
    if not metric and column and not prose_cell:  # a value cell: the row's measure names it
        metric, m_start = _row_metric(view, text, row, c.start, rules, c.metric_column)
        if metric and c.column_measure and not metric.endswith(c.column_measure):
            metric += c.column_measure  # 口蹄疫 under 免疫密度: 口蹄疫免疫密度
    if not metric:
        counted = not is_rate and c.unit.split("/")[0] not in pats["measure_units"]
        floor, metric_end = _around_deadlines(view, deadlines, metric_end)
        floor = max(floor, cell_start)  # prose in a table cell: its metric stays in the cell
        before = cands[i - 1] if i > 0 else None
        if before is not None and before.end <= metric_end and pats["item_join"].match(view, before.end):
            floor = max(floor, before.end)  # 护士150名及医疗技术人员30名: the item before ends at its value
        metric, m_start = _metric_before(view, text, c.start, metric_end, pats, rules, count=counted, floor=floor)
        if is_rate and c.cue is None and not metric:
            metric = ""
    starts = [m_start if metric and m_start < c.start else c.start]
    if cue_start is not None:
        starts.append(cue_start)
    if c.change_from is not None:
        starts.append(cands[c.change_from].start - 1)
    if c.verb and c.start - c.verb[1] <= 2:
        starts.append(c.verb[0])
    start = max(0, min(starts))
    end = max(span_end, c.after_cue[2] if c.after_cue else c.end)
    baseline = None
    base_idx = c.change_from
    for j in (baselines if baselines is not None else baselines_of(cands))[i]:
        if j != c.change_from:  # a table or bracket baseline wins over 由A…至B's
            base_idx = j
    if base_idx is not None:
        b = cands[base_idx]
        baseline = Baseline(value=as_json_number(to_number(b.lo)) if not b.placeholder else None,
                            unit=fold_unit(b.unit) or fold_unit(c.unit), year=b.baseline_year)
        if b.start > c.start:
            close = view.find(")", b.end)
            end = max(end, close + 1 if 0 <= close - b.end <= 2 else b.end)
    value = None if c.placeholder else as_json_number(to_number(c.lo))
    value_max = None
    if c.hi is not None:
        value_max = None if pats["placeholder"].fullmatch(c.hi) else as_json_number(to_number(c.hi))
    before_cue = view[m_start:metric_end].rstrip() if metric and m_start < metric_end else ""
    shared = before_cue.endswith(pats["shared_value"])
    respective = before_cue.endswith(pats["respective_value"])  # 分别: one value per listed measure
    if shared and metric.endswith(pats["shared_value"]):  # jieba joins 率均
        metric = metric[:-1]
    if pats["any_metric_drop"].search(metric) or starts_with_marker(metric, rules):
        marked = starts_with_marker(metric, rules)
        for drop in pats["metric_drop"]:
            metric = drop(metric)
        if marked:  # 1.全年门急诊诊疗: the lead word after the marker goes too
            metric = _without_lead(metric, pats, verbs=False)
    metric = metric.translate(_HALF_WIDTH)  # ６５岁 as 65岁: one metric however the digits were typed
    if len(metric) > rules.get("targets", "metric_max"):
        metric = metric[-rules.get("targets", "metric_max"):]
    return {"start": start, "end": end, "metric": metric, "metric_start": m_start, "shared": shared or respective,
            "respective": respective,
            "comparator": comparator, "value": value,
            "value_max": value_max, "unit": fold_unit(c.unit), "placeholder": c.placeholder,
            "baseline": baseline}
