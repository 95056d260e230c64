"""Find: every number with a unit in a plan's view, and what surrounds it
(cue, planned-count verb, tense, brackets, quotes), as candidates."""

from __future__ import annotations

from typing import Optional, Sequence

import regex

from ...core.document import Candidate, Flag, Section
from ...rules import Rules, load_rules
from ...text.numerals import COUNTED_HALF, FRACTION, FRACTIONS, MAGNITUDES, to_number
from ...text.punctuation import LIST_COMMA, PAREN_CLOSE, PAREN_OPEN, TITLE_CLOSE, TITLE_OPEN, char_class
from ...text.segment import cut, tokenizer, word_crosses
from ...text.parts import review_parts
from ...text.spans import in_brackets, in_quotes, line_start, sentence_start
from .baselines import CHANGE_FROM_REACH, link_baselines
from .tables import cell_unit, column_measure, for_row, table_headers
from .patterns import SEGMENT_STOP, YEAR, _clause_start, _patterns

_HAN = regex.compile(r"\p{Han}")
_ASCII_DIGIT = regex.compile(r"[0-9]")
_BRACKETED = regex.compile(f"{char_class(PAREN_OPEN)}[^{PAREN_OPEN}{PAREN_CLOSE}]{{1,20}}{char_class(PAREN_CLOSE)}")
_HAN_GAP = regex.compile(r"[\p{Han}\s]*")


CUE_REACH = 12  # a cue ends at most 6 characters before the number and is at most 6 long


def _cue_before(view: str, c_start: int, clause_start: int, pats) -> Optional[tuple[str, int, int]]:
    best = None
    cue_of = pats["cue_of"]
    for m in pats["cue_rx"].finditer(view, max(clause_start, c_start - CUE_REACH), c_start, overlapped=True):
        word = m.group()
        comp = cue_of[word]
        a, b = m.start(), m.end()
        gap = view[b:c_start]
        blocked = pats["single_cue_not_after"].get(word)
        if blocked is not None and (gap or (a > 0 and view[a - 1] in blocked)):
            continue
        if len(word) == 1 or comp == "=":
            if len(gap) > 6 or not pats["cue_filler"].fullmatch(gap):
                continue
        elif len(gap) > 6 or not _HAN_GAP.fullmatch(gap):
            continue
        if best is None or b > best[2] or (b == best[2] and a < best[1]):
            best = (comp, a, b)
    return best


def _cue_after(view: str, end: int, pats) -> Optional[tuple[str, int, int]]:
    m = pats["after_rx"].match(view, end)
    if m is None:
        return None  # no cue word starts here: one match instead of a startswith per word
    for word, comp in pats["after"]:
        if view.startswith(word, end):
            if view[end + len(word):end + len(word) + 1] in pats["after_cue_not_before"].get(word, "") \
                    and end + len(word) < len(view):
                continue
            return comp, end, end + len(word)
    return None


def _verb_before(view: str, c_start: int, clause_start: int, pats) -> Optional[tuple[int, int]]:
    window_start = max(clause_start, c_start - pats["verb_window"])
    best = None
    for m in pats["verb_rx"].finditer(view, window_start, c_start, overlapped=True):
        if best is None or m.start() > best[0]:
            best = (m.start(), m.end())
    return best


def _unitless(view: str, m: regex.Match, pats) -> Optional[str]:
    """A bare number is a candidate only inside a cue frame (控制在40以下, 为零),
    or a value in digits right after a cue where its clause ends (系数提高到0.592；,
    not 确保三、四级手术)."""
    end = m.end("lo") if not m.group("hi") else m.end("hi")
    zero = pats["zero"]
    if m.group("lo") == zero["numeral"] and view[max(0, m.start() - 1):m.start()] == zero["before"]:
        return ""
    after = _cue_after(view, end, pats)
    if after and after[0] != "~" and view[end:end + 1] != pats["unitless_not_before"]:
        cs = _clause_start(view, m.start())
        if _cue_before(view, m.start(), cs, pats):
            return ""
    elif not after and pats["cue_rx"].match(view, end) and \
            pats["change_from"].search(view, max(0, m.start() - CHANGE_FROM_REACH), m.start()):
        return ""  # CMI值由0.86提升至0.92: the earlier level of a change, bare as its target
    elif not after and _ASCII_DIGIT.search(m.group("lo")) and \
            (end == len(view) or (view[end] in SEGMENT_STOP and view[end] != LIST_COMMA) or view[end].isspace()):
        # 有效利用系数提高到0.592；: a bare value right after its cue, where its segment ends (an index, a ratio)
        if _cue_before(view, m.start(), _clause_start(view, m.start()), pats):
            return ""
    return None


def _table_value_unit(view: str, m: regex.Match, headers, pats) -> Optional[str]:
    """A bare number filling a value cell of a table (``≥90``, ``89.6``) takes
    the unit its row or column gives (a unit column, ``目标值（%）``)."""
    row = line_start(view, m.start())
    header = headers.get(row)
    if header is None:
        return None
    column = view.count("\t", row, m.start())
    cells, roles = for_row(header, view, row)
    if column >= len(roles) or roles[column] not in ("target", "actual"):
        return None
    number_end = m.end("hi") if m.group("hi") else m.end("lo")
    cell_start = view.rfind("\t", row, m.start()) + 1
    ends = [e for e in (view.find("\t", number_end), view.find("\n", number_end), len(view)) if e >= 0]
    before, after = view[cell_start:m.start()].strip(), view[number_end:min(ends)].strip()
    if (before and before not in pats["cue_of"]) or \
            (after and after not in pats["after_words"] and not _BRACKETED.fullmatch(after)):
        return None  # ≥90（10月底前）: a bracketed note after the value is no part of it
    return cell_unit(view, row, column, cells, roles, pats, note=header[2])


def _inside_word(view: str, start: int) -> bool:
    """A Chinese numeral that jieba does not start a token at (统一组织, 唯一).

    jieba is asked only when a dictionary word crosses the numeral: without
    one its cut cannot join the numeral to the left (one lookup per span
    instead of one segmentation per candidate)."""
    if start == 0 or not _HAN.match(view[start - 1]):
        return False
    if not word_crosses(tokenizer().FREQ, view, start):
        return False
    left = max(0, start - 6)
    pos = left
    for token in cut(view[left:start + 4]):
        if pos == start:
            return False
        if pos > start:
            return True
        pos += len(token)
    return True


def _past(view: str, start: int, sentence: int, pats) -> bool:
    """A past or present fact earlier in the sentence (which starts at
    ``sentence``), with no future sign after it."""
    last = None
    for m in pats["past"].finditer(view, sentence, start):
        last = m
    return bool(last) and not pats["future"].search(view, last.end(), start)


def _earlier_year(view: str, sentence: int, year: Optional[int], pats) -> bool:
    """The sentence starting at ``sentence`` opens with a year before the plan's."""
    if year is None:
        return False
    m = pats["past_year_opening"].match(view, sentence)
    return bool(m) and int(m.group("year")) < year


def _myriad_of_whole(numeral: Optional[str]) -> bool:
    """A Chinese numeral ending in a myriad that multiplies all of it (三十万:
    30 of 万), not only its last part (三亿零八万 is 300,080,000)."""
    if not numeral or len(numeral) < 2 or numeral[-1] not in MAGNITUDES or numeral[-2].isdigit():
        return False
    return all(MAGNITUDES[ch] < MAGNITUDES[numeral[-1]] for ch in numeral[:-1] if ch in MAGNITUDES)


def find_candidates(view: str, *, rules: Optional[Rules] = None, sections: Sequence[Section] = (),
                    year: Optional[int] = None) -> list[Candidate]:
    """Every number with a unit in ``view``, with its context.

    ``sections``: the plan's nodes; a number under a review heading
    (``一、2025年工作回顾``) is flagged ``past`` like one after ``已``.
    ``year``: the plan's; a sentence opening with an earlier year
    (``2025年，…达到41.7%``) reports it, and its numbers are flagged ``past``.
    """
    rules = rules or load_rules()
    review = review_parts(sections, len(view), rules)
    pats = _patterns(rules)
    never, time_units = set(rules.value("targets", "never_units")), set(rules.value("targets", "time_units"))
    cue_only = set(rules.value("targets", "cue_only_units"))
    rate_units = set(rules.value("targets", "rate_units"))
    zero, fraction_words = pats["zero"], tuple(FRACTIONS)
    headers = table_headers(view, pats) if "\t" in view else {}
    out: list[Candidate] = []
    for m in pats["amount"].finditer(view):
        lo, hi, unit, per = m.group("lo", "hi", "unit", "per")
        end = m.end()
        if (hi or lo)[-1] in MAGNITUDES and _myriad_of_whole(hi or lo):  # 三十万元 as 30 万元 (decision 42)
            unit = (hi or lo)[-1] + (unit or "")
            lo, hi = (lo[:-1] if _myriad_of_whole(lo) else lo), (hi[:-1] if hi else hi)
        if m.group("half"):  # 三米半: the half belongs to the count
            lo += COUNTED_HALF
        if lo.startswith(fraction_words):  # 百分之三十: the word gives the unit
            unit = unit or next(u for word, u in FRACTIONS.items() if lo.startswith(word))
        share = FRACTION in lo  # 三分之二: a share, which needs no unit
        if share:
            unit = unit or ""
        elif not unit:
            unit = _table_value_unit(view, m, headers, pats) if headers else None
            if unit is not None:  # the unit stands in another cell: the number ends the candidate
                end = m.end("hi") if m.group("hi") else m.end("lo")
            else:
                unit = _unitless(view, m, pats)
            if unit is None:
                continue
        if unit == "%" and view[m.start("unit") - 1: m.start("unit")] == "\n":
            continue
        if YEAR.fullmatch(lo) and unit in pats["year_units"]:
            continue  # a year
        is_ph = bool(pats["placeholder"].fullmatch(lo))
        if not is_ph and to_number(lo) is None:
            continue
        if hi and not pats["placeholder"].fullmatch(hi) and to_number(hi) is None:
            hi = None
        start, end = m.start(), min(end, m.end())
        cs = _clause_start(view, start)
        sentence = sentence_start(view, start)
        c = Candidate(start=start, end=end, lo=lo, hi=hi, unit=unit + (per or ""), placeholder=is_ph,
                      clause_start=cs, sentence_start=sentence)
        c.cue = _cue_before(view, start, cs, pats)
        c.after_cue = _cue_after(view, end, pats)
        if m.group("more"):
            c.flags.add(Flag.MORE_THAN)
        c.verb = _verb_before(view, start, cs, pats)
        if unit in never and not pats["never_unit_measure"].search(view, max(cs, start - 16), start):
            c.flags.add(Flag.NEVER)
        if unit in time_units:
            c.flags.add(Flag.TIME)
        if unit in cue_only or not unit:
            c.flags.add(Flag.CUE_ONLY)
        if lo == zero["numeral"] and not unit and view[start - 1:start] == zero["before"] \
                and view[start - 2:start - 1] != zero["not_before"]:
            c.flags.add(Flag.ZERO)  # 差错事故为零: a commitment to none (not 化整为零)
        in_review = any(a <= start < b for a, b in review)
        if in_review:
            c.flags.add(Flag.REVIEW)
        if in_review or _past(view, start, sentence, pats) or _earlier_year(view, sentence, year, pats):
            c.flags.add(Flag.PAST)
        if pats["per_person"].search(view, cs, start) and not (c.cue and c.cue[0] in (">=", "<=")):
            c.flags.add(Flag.PER_PERSON)
        line = view[line_start(view, start):start]
        if in_quotes(view, start, line):
            c.flags.add(Flag.QUOTED)
        if pats["open_end"].match(view[end:end + 2]):
            c.flags.add(Flag.OPEN_END)
        if pats["condition"].search(view, cs, start):
            c.flags.add(Flag.CONDITION)
        if c.unit.startswith(pats["routine_units"]) or (c.lo == pats["article"] and c.unit in pats["article_units"]):
            c.flags.add(Flag.ROUTINE)  # a scheduled activity or an article: never a target by its verb alone
        if pats["not_before"].search(view[max(cs, start - 4):start]) or pats["not_after"].match(view, end):
            c.flags.add(Flag.NOT_CONTEXT)
        if in_brackets(view, start, TITLE_OPEN, TITLE_CLOSE, line):
            c.flags.add(Flag.DOCUMENT_NAME)
        header = headers.get(start - len(line)) if "\t" in line else None
        if header is not None:
            roles, column = for_row(header, view, start - len(line))[1], line.count("\t")
            role = roles[column] if column < len(roles) else None
            opens_cell = not view[view.rfind("\t", 0, start) + 1:c.cue[1] if c.cue else start].strip()
            if role == "actual" and opens_cell:
                c.flags.add(Flag.ACTUAL_COLUMN)
            elif role == "target" and opens_cell:  # not 10月 in ≥90（10月底前）
                c.flags.add(Flag.TARGET_COLUMN)
            elif role == "other" and "target" in roles:  # 增幅 5.0% beside 2026年目标 55万人次
                c.flags.add(Flag.OTHER_COLUMN)
            if "metric" in roles:
                c.metric_column = roles.index("metric")
            else:  # no column named as the measure: the first the header gives no role (工作任务, not 类别)
                c.metric_column = next((k for k, r in enumerate(roles[:column]) if r == "none"), None)
            cells = for_row(header, view, start - len(line))[0]
            if column < len(cells) and role not in ("metric", "other", "owner", "deadline", "unit"):
                c.column_measure = column_measure(cells[column], pats)
        if unit.startswith(pats["frequency_unit"]) and pats["per_period"].search(view[max(cs, start - 8):start]):
            c.flags.add(Flag.FREQUENCY)
        if lo[0] in pats["word_numerals"] and not c.cue and _inside_word(view, start):
            c.flags.add(Flag.INSIDE_WORD)
        if unit in rate_units or share:
            c.flags.add(Flag.RATE)
        if unit in time_units and pats["time_metric"].search(view, cs, start):
            c.flags.add(Flag.TIME_MEASURE)
        out.append(c)
    _share_list_verbs(view, out)
    link_baselines(view, out, pats, headers)
    for c in out:  # 由目前的2天缩短至1天: 目前 dates the earlier level, not the target
        if c.change_from is None or Flag.PAST not in c.flags or Flag.REVIEW in c.flags:
            continue
        base = out[c.change_from]
        lead = pats["change_from"].search(view, max(c.sentence_start, base.start - CHANGE_FROM_REACH), base.start)
        if lead and not _past(view, lead.start(), c.sentence_start, pats) and not _past(view, c.start, base.end, pats):
            c.flags.discard(Flag.PAST)
    return out


def _share_list_verbs(view: str, cands: list[Candidate]) -> None:
    """新增2个抢救单元、4张留观床: items of a 、-list share the verb of the first."""
    for prev, c in zip(cands, cands[1:]):
        if c.verb is None and prev.verb is not None and c.clause_start == prev.clause_start \
                and LIST_COMMA in view[prev.end:c.start]:
            c.verb = prev.verb
