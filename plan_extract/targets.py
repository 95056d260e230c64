"""Stage ``targets``: quantities a plan commits to (SPEC §3, decisions 14–20).

Find, decide, resolve:

- :func:`find_candidates` proposes every number with a unit (ranges,
  Chinese numerals, placeholders) and records its context: cue, verb,
  baseline, brackets, past markers;
- :func:`decide` labels each ``target`` / ``baseline`` / ``other`` — the one
  function a trained classifier replaces;
- :func:`resolve` turns a target into its record fields (metric through
  jieba on the clause, comparator, values, baseline).
"""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

import regex

from .cache import cached
from .clean import to_simplified
from .document import Baseline, Deadline, Plan, Section, Target
from .numbers import as_json_number, to_number
from .rules import Rules, load_rules
from .spans import line_start, same_clause, section_finder, sentence_start

CLAUSE_STOP = "，,；;。！？!?\n：:"
_YEAR = regex.compile(r"(?:19|20)\d\d")
_PER_PERIOD = regex.compile(r"每\s*(?:个)?(?:日|天|周|月|季度|季|半年|年)\S{0,4}$")
_OPEN_END = regex.compile(r"\s*(?:[，。；,;、)）\n]|$)")
_HAN = regex.compile(r"\p{Han}")
_HAN_GAP = regex.compile(r"[\p{Han}\s]*")
SEGMENT_STOP = CLAUSE_STOP + "、(（)）□\ufffd?"


@dataclass(slots=True)
class Candidate:
    """A number with a unit and what surrounds it in the plan's view."""

    start: int  # first character of the number
    end: int  # after the unit (and a per-unit such as /年)
    lo: str
    hi: Optional[str]
    unit: str
    placeholder: bool
    clause_start: int
    sentence_start: int = 0  # after the last 。；！？ or line break before the number
    cue: Optional[tuple[str, int, int]] = None  # comparator, start, end (before the number)
    after_cue: Optional[tuple[str, int, int]] = None  # comparator, start, end (after the unit)
    verb: Optional[tuple[int, int]] = None  # a planned-count verb before the number
    baseline_of: Optional[int] = None  # index of the target this number is the baseline of
    baseline_year: Optional[int] = None
    change_from: Optional[int] = None  # index of this target's "由/从" baseline
    flags: set[str] = field(default_factory=set)  # past, bracketed_title, frequency, never, …


def _patterns(rules: Rules):
    def build():
        t = rules.get("targets")
        units = sorted(t["units"], key=len, reverse=True)
        unit_alt = "|".join(regex.escape(u) for u in units)
        num, ph, sep = t["number"], t["placeholder"], t["range_sep"]
        amount = (rf"(?<![\d.A-Za-z_])(?P<lo>{ph}|{num})(?:{sep}(?P<hi>{ph}|{num}))?\s*"
                  rf"(?P<unit>{unit_alt}|{t['ratio_unit']})?(?P<per>{t['per_unit']})?")
        cues = sorted(((c, comp) for comp, words in t["cues_before"].items() for c in words),
                      key=lambda x: -len(x[0]))
        after = sorted(((c, comp) for comp, words in t["cues_after"].items() for c in words),
                       key=lambda x: -len(x[0]))
        verbs = sorted(t["count_verbs"], key=len, reverse=True)
        return {
            "amount": regex.compile(amount),
            "cues": cues,
            "cue_of": dict(cues),
            "cue_rx": regex.compile("|".join(regex.escape(c) for c, _ in cues)),
            "after": after,
            "after_rx": regex.compile("|".join(regex.escape(c) for c, _ in after)),
            "verbs": verbs,
            "object_verbs": set(verbs) | set(t["metric_verbs"]),
            "verb_rx": regex.compile("|".join(regex.escape(v) for v in verbs)),
            "object_verb_rx": regex.compile("|".join(regex.escape(v) for v in
                                                    sorted(set(verbs) | set(t["metric_verbs"]), key=len, reverse=True))),
            "placeholder": regex.compile(t["placeholder"]),
            "single_cue_not_after": t["single_cue_not_after"],
            "cue_filler": regex.compile(t["cue_filler"]),
            "after_cue_not_before": t["after_cue_not_before"],
            "routine_units": tuple(t["routine_units"]),
            "article_units": set(t["article_units"]),
            "past": regex.compile(t["past"]),
            "future": regex.compile(t["future"]),
            "per_person": regex.compile(t["per_person"]),
            "time_metric": regex.compile(t["time_metric"]),
            "condition": regex.compile(t["condition"]),
            "verb_window": t["verb_window"],
            "not_before": regex.compile(t["not_before"]),
            "not_after": regex.compile(t["not_after"]),
            "lead": {False: set(t["lead_words"]), True: set(t["lead_words"]) | set(t["count_verbs"])},
            "trail": set(t["trail_words"]),
            "lead_prefix": {False: tuple(t["lead_words"]), True: tuple(set(t["lead_words"]) | set(t["count_verbs"]))},
            "trail_suffix": tuple(t["trail_words"]),
            "measure_units": set(t["measure_units"]),
            "verbish": regex.compile("|".join(regex.escape(w) for w in sorted(
                {w for w in t["lead_words"] if len(w) > 1} | set(t["count_verbs"]), key=len, reverse=True))),
            "metric_drop": [regex.compile(p) for p in t["metric_drop"]],
            # one search rules out a metric that no drop pattern touches (most of them)
            "any_metric_drop": regex.compile("|".join(f"(?:{p})" for p in t["metric_drop"])),
        }

    return rules.memo("target_patterns", build)


CLAUSE_REACH = 120
_LAST_STOP = {stops: regex.compile("[" + regex.escape(stops + (")）" if stops is CLAUSE_STOP else "")) + "]",
                                   flags=regex.REVERSE)
              for stops in (CLAUSE_STOP, SEGMENT_STOP)}


def _clause_start(view: str, pos: int, stops: str = CLAUSE_STOP) -> int:
    """After the last stop before ``pos`` (within reach); in a clause, a stop
    inside closed brackets does not count."""
    floor = max(0, pos - CLAUSE_REACH + 1)
    m = _LAST_STOP[stops].search(view, floor, pos)
    if m is None:
        return floor
    if m.group() not in ")）" or stops is not CLAUSE_STOP:
        return m.end()
    i = pos - 1  # a closing bracket: walk back counting depth
    depth = 0
    while i >= 0 and pos - i < CLAUSE_REACH:
        ch = view[i]
        if ch in ")）" and stops is CLAUSE_STOP:
            depth += 1
        elif ch in "(（" and stops is CLAUSE_STOP:
            if depth:
                depth -= 1
        elif ch in stops and not depth:
            break
        i -= 1
    return i + 1


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
    """A bare number is a candidate only inside a cue frame (控制在40以下, 为零)."""
    end = m.end("lo") if not m.group("hi") else m.end("hi")
    if m.group("lo") == "零" and view[max(0, m.start() - 1):m.start()] == "为":
        return ""
    after = _cue_after(view, end, pats)
    if after and after[0] != "~" and view[end:end + 1] != "内":
        cs = _clause_start(view, m.start())
        if _cue_before(view, m.start(), cs, pats):
            return ""
    return None


def _word_crosses(freq: dict, view: str, start: int, reach: int = 4) -> bool:
    """A dictionary word that begins before ``start`` and ends after it.

    jieba's FREQ also holds every prefix of a word (at 0), so each start is
    followed only while its text is still a prefix, as jieba builds its DAG."""
    for a in range(max(0, start - reach), start):
        b = start + 1
        while b <= len(view) and b - start <= reach + 1:
            f = freq.get(view[a:b])
            if f is None:
                break
            if f:
                return True
            b += 1
    return False


def _inside_word(view: str, start: int) -> bool:
    """A Chinese numeral that jieba does not start a token at (统一组织, 唯一).

    jieba is asked only when a dictionary word crosses the numeral: without
    one its cut cannot join the numeral to the left (one lookup per span
    instead of one segmentation per candidate)."""
    if start == 0 or not _HAN.match(view[start - 1]):
        return False
    if not _word_crosses(_jieba().FREQ, view, start):
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


def _review_heading(title: str, rules: Rules) -> bool:
    """A heading over last period's results or problems, not over plans."""
    return bool(rules.re("targets", "review_heading").search(title)) \
        and not rules.re("targets", "plan_heading").search(title)


def _in_quotes(view: str, pos: int, seg: Optional[str] = None) -> bool:
    """``seg``: the line up to ``pos``, when the caller has it."""
    seg = view[line_start(view, pos):pos] if seg is None else seg
    return seg.count("“") > seg.count("”") or view[pos - 1:pos] == "”"


def _in_brackets(view: str, pos: int, open_ch: str, close_ch: str, seg: Optional[str] = None) -> bool:
    seg = view[line_start(view, pos):pos] if seg is None else seg
    return seg.count(open_ch) > seg.count(close_ch)


def find_candidates(view: str, *, rules: Optional[Rules] = None, sections: Sequence[Section] = ()) -> list[Candidate]:
    """Every number with a unit in ``view``, with its context.

    ``sections``: the plan's nodes; a number under a review heading
    (``一、2025年工作回顾``) is flagged ``past`` like one after ``已``.
    """
    rules = rules or load_rules()
    review = [(s.start, s.end) for s in sections if _review_heading(s.title, rules)]
    t = rules.get("targets")
    pats = _patterns(rules)
    never, time_units = set(t["never_units"]), set(t["time_units"])
    cue_only = set(t["cue_only_units"])
    rate_units = set(t["rate_units"])
    out: list[Candidate] = []
    for m in pats["amount"].finditer(view):
        lo, hi, unit, per = m.group("lo", "hi", "unit", "per")
        if lo.startswith("百分之"):
            unit = unit or "%"
        elif lo.startswith("千分之"):
            unit = unit or "‰"
        if not unit:
            unit = _unitless(view, m, pats)
            if unit is None:
                continue
        if unit == "%" and view[m.start("unit") - 1: m.start("unit")] == "\n":
            continue
        if _YEAR.fullmatch(lo) and unit in ("年", "月"):
            continue  # a year
        is_ph = bool(pats["placeholder"].fullmatch(lo))
        if not is_ph and to_number(lo) is None:
            continue
        if hi and not pats["placeholder"].fullmatch(hi) and to_number(hi) is None:
            hi = None
        start, end = m.start(), m.end()
        cs = _clause_start(view, start)
        sentence = sentence_start(view, start)
        c = Candidate(start=start, end=end, lo=lo, hi=hi, unit=unit + (per or ""), placeholder=is_ph,
                      clause_start=cs, sentence_start=sentence)
        c.cue = _cue_before(view, start, cs, pats)
        c.after_cue = _cue_after(view, end, pats)
        c.verb = _verb_before(view, start, cs, pats)
        if unit in never:
            c.flags.add("never")
        if unit in time_units:
            c.flags.add("time")
        if unit in cue_only or not unit:
            c.flags.add("cue_only")
        if lo == "零" and not unit and view[start - 1:start] == "为" and view[start - 2:start - 1] != "整":
            c.flags.add("zero")  # 差错事故为零: a commitment to none (not 化整为零)
        if _past(view, start, sentence, pats) or any(a <= start < b for a, b in review):
            c.flags.add("past")
        if pats["per_person"].search(view, cs, start) and not (c.cue and c.cue[0] in (">=", "<=")):
            c.flags.add("per_person")
        line = view[line_start(view, start):start]
        if _in_quotes(view, start, line):
            c.flags.add("quoted")
        if _OPEN_END.match(view[end:end + 2]):
            c.flags.add("open_end")
        if pats["condition"].search(view, cs, start):
            c.flags.add("condition")
        if c.unit.startswith(pats["routine_units"]) or (c.lo == "一" and c.unit in pats["article_units"]):
            c.flags.add("routine")  # a scheduled activity or an article: never a target by its verb alone
        if pats["not_before"].search(view[max(cs, start - 4):start]) or pats["not_after"].match(view, end):
            c.flags.add("not_context")
        if _in_brackets(view, start, "《", "》", line):
            c.flags.add("document_name")
        if unit.startswith("次") and _PER_PERIOD.search(view[max(cs, start - 8):start]):
            c.flags.add("frequency")
        if lo[0] in "一二两三四五六七八九十" and not c.cue and _inside_word(view, start):
            c.flags.add("inside_word")
        if unit in rate_units:
            c.flags.add("rate")
        if unit in time_units and pats["time_metric"].search(view, cs, start):
            c.flags.add("time_measure")
        out.append(c)
    _share_list_verbs(view, out)
    _link_baselines(view, out, pats)
    return out


def _share_list_verbs(view: str, cands: list[Candidate]) -> None:
    """新增2个抢救单元、4张留观床: items of a 、-list share the verb of the first."""
    for prev, c in zip(cands, cands[1:]):
        if c.verb is None and prev.verb is not None and c.clause_start == prev.clause_start \
                and "、" in view[prev.end:c.start]:
            c.verb = prev.verb


_CHANGE = regex.compile(r"\s*(?:缩短|提升|提高|降低|降|减少|增加|下降|上升|增长|扩大|压缩|控制)?(?:至|到|为)\s*$")
_PAREN_BASE = regex.compile(r"^\s*(?:以上|以下|以内|内|左右)?\s*[(（]\s*(?:(?P<y>(?:19|20)\d\d)\s*年(?:度)?)?\s*(?:为|是)?\s*$")


def _table_cell(view: str, pos: int) -> tuple[int, int]:
    """(start of the row, column of ``pos``) in a tab-separated table row (decision 39)."""
    row = line_start(view, pos)
    return row, view.count("\t", row, pos)


def _column_year(view: str, row: int, column: int) -> Optional[int]:
    """The year in the header cell above a column (2025年完成值), if the table has one."""
    end = row - 1
    for _ in range(TABLE_HEADER_REACH):
        if end <= 0:
            return None
        start = line_start(view, end)
        cells = view[start:end].split("\t")
        if len(cells) < 2:
            return None  # the table ended without a header
        m = _YEAR.search(cells[column]) if column < len(cells) else None
        if m and not _CELL_VALUE.search(cells[column]):
            return int(m.group())
        end = start - 1
    return None


TABLE_HEADER_REACH = 60  # rows searched above a table row for its header
_CELL_VALUE = regex.compile(r"\d\s*[%‰]")


def _table_baseline(view: str, prev: Candidate, c: Candidate, pats) -> bool:
    """A value in the cell just before a target's cell on the same table row, in its unit."""
    gap = view[prev.end:c.start]
    if gap.count("\t") != 1 or "\n" in gap or _fold_unit(prev.unit) != _fold_unit(c.unit):
        return False  # 100%<TAB>6月底前: a value and its deadline
    rest = gap.replace("\t", "").strip()
    return not rest or pats["cue_rx"].fullmatch(rest) is not None


def _link_baselines(view: str, cands: list[Candidate], pats) -> None:
    """由A…至B, B（2025年A） and a table row's A<TAB>B: mark A as the baseline of B."""
    for i, c in enumerate(cands):
        if i > 0 and _table_baseline(view, cands[i - 1], c, pats):
            prev = cands[i - 1]
            row, column = _table_cell(view, prev.start)
            if column:  # the first cell names the metric; a value there is no baseline
                prev.baseline_of = i
                prev.baseline_year = _column_year(view, row, column)
                continue
        before = view[max(c.clause_start, c.start - 2):c.start]
        if before.endswith(("由", "从")) and i + 1 < len(cands):
            nxt = cands[i + 1]
            if nxt.clause_start == c.clause_start or nxt.start - c.end < 12:
                if _CHANGE.search(view[c.end:nxt.start]):
                    c.baseline_of, nxt.change_from = i + 1, i
                    continue
        if i > 0:
            prev = cands[i - 1]
            m = _PAREN_BASE.match(view[prev.end:c.start])
            if m and _in_brackets(view, c.start, "(", ")"):
                c.baseline_of = i - 1
                c.baseline_year = int(m.group("y")) if m.group("y") else None


def decide(cands: Sequence[Candidate], view: str) -> list[str]:
    """Label each candidate ``target``, ``baseline`` or ``other`` (rules).

    This is the single decision point; :func:`plan_extract.classify.model_decider`
    replaces it with the trained classifier (which also gives a confidence).
    """
    labels = []
    for c in cands:
        if c.baseline_of is not None:
            labels.append("baseline")
        elif c.flags & {"never", "past", "not_context", "document_name", "inside_word", "quoted", "per_person",
                        "condition"}:
            labels.append("other")
        elif "rate" in c.flags or "time_measure" in c.flags:
            labels.append("target")
        elif c.cue:  # a time with only an "=" cue (确保24小时) is a duration
            labels.append("other" if "time" in c.flags and c.cue[0] == "=" else "target")
        elif "zero" in c.flags:
            labels.append("target")
        elif c.flags & {"frequency", "cue_only"}:
            labels.append("other")
        elif c.placeholder and "time" not in c.flags and "open_end" in c.flags:
            labels.append("target")  # a blanked figure closing a clause is a commitment to fill in
        elif c.after_cue and "time" not in c.flags:
            labels.append("target")
        elif c.verb and "time" not in c.flags and "routine" not in c.flags:
            labels.append("target")
        else:
            labels.append("other")
    return labels


# --- resolve ---------------------------------------------------------------

@lru_cache(maxsize=1)
def _jieba():
    """A private jieba tokenizer with the domain words of ``rules/metric_words.txt``.

    Loaded on first use only, and kept apart from jieba's global tokenizer so
    callers' segmentation is untouched.  The prefix dictionary with the
    domain words is cached (:mod:`plan_extract.cache`): jieba reads its own
    cache by ``marshal.load`` on a file object, in small chunks (0.43 s
    against 0.17 s here), and the domain words were added on top of it.
    """
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    words = (resources.files("plan_extract") / "rules" / "metric_words.txt").read_bytes()

    def build():
        tokenizer.load_userdict(io.StringIO(words.decode("utf-8")))  # also loads the main dictionary
        return tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab

    try:
        main = Path(tokenizer.dictionary or Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
        stat = main.stat()
    except OSError:  # no dictionary file to name a cache entry by
        build()
        return tokenizer
    key = f"{jieba.__version__}\0{main}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode() + words
    tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab = cached("jieba", key, build)
    tokenizer.initialized = True
    return tokenizer


def cut(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (through the tokenizer with the domain words)."""
    return tuple(_jieba().lcut(text))


def _needs_cut(seg: str, pats, count: bool) -> bool:
    """Whether a lead word, a trail word, a verb or a space could be a token of ``seg``."""
    return bool(seg) and (seg.startswith(pats["lead_prefix"][count]) or seg.endswith(pats["trail_suffix"])
                          or seg[0].isspace() or seg[-1].isspace()
                          or (count and pats["object_verb_rx"].search(seg) is not None))


_NUMBERISH = regex.compile(r"[\d０-９xX×_□]|[一二两三四五六七八九十百千万]+\s*(?:个|名|项|台|次|人|家|所|张|篇|例)")
_BRACKET_STOPS = regex.compile(r"[，,；;。！？!?\n：:]")
_GLOSSED = regex.compile(r"[\p{Han}A-Za-z]")  # a gloss follows a word; a bracket after a stop is a marker
BRACKET_REACH = 12  # a bracketed gloss inside a metric: （助理）, （MDT）, （CV）


def _metric_start(view: str, end: int, pats) -> int:
    """Start of the noun phrase ending at ``end``: back to a stop, but across a
    short bracket pair (每千人口执业（助理）医师数) and across 、-joined items
    without a number or a verb inside (新技术、新项目; not 新增2个单元、4张床)."""
    floor = max(0, end - CLAUSE_REACH + 1)
    pos = end
    while True:
        m = _LAST_STOP[SEGMENT_STOP].search(view, floor, pos)
        if m is None:
            return floor
        ch, at = m.group(), m.start()
        if ch in ")）":
            opener = max(view.rfind("(", max(floor, at - BRACKET_REACH), at),
                         view.rfind("（", max(floor, at - BRACKET_REACH), at))
            if opener > floor and _GLOSSED.match(view, opener - 1) and not _BRACKET_STOPS.search(view, opener, at):
                pos = opener
                continue
        elif ch == "、":
            before = _LAST_STOP[SEGMENT_STOP].search(view, floor, at)
            item = view[before.end() if before else floor:at]
            if item.strip() and not _NUMBERISH.search(item) and not pats["verbish"].search(item, 1):
                pos = at
                continue
        return m.end()


def _metric_before(view: str, text: str, start: int, end: int, pats, count: bool, floor: int = 0) -> tuple[str, int]:
    """Metric ending at ``end`` and its start; jieba tokens find the left edge.

    ``count``: the number counts things (not a rate or a measure), so a
    planned-count verb before it is not part of the metric."""
    seg_start = max(_metric_start(view, end, pats), floor)
    seg = to_simplified(text[seg_start:end])
    if not _needs_cut(seg, pats, count):
        return seg, seg_start  # no word to strip: jieba's tokens would join back to seg
    tokens = list(cut(seg))
    pos = seg_start
    lead = pats["lead"][count]
    while tokens and (tokens[0] in lead or not tokens[0].strip()):
        pos += len(tokens.pop(0))
    while tokens and (tokens[-1] in pats["trail"] or not tokens[-1].strip()):
        tokens.pop()
    if count:  # the object of the last planned-count verb, if it is more than a character
        for k in range(len(tokens) - 1, -1, -1):
            if tokens[k] in pats["object_verbs"] and len("".join(tokens[k + 1:])) > 1:
                pos += sum(len(tk) for tk in tokens[:k + 1])
                tokens = tokens[k + 1:]
                break
    metric = "".join(tokens)
    return metric, pos


_NOUN_AFTER = regex.compile(r"(?P<noun>[^\s，。；、,;:：(（)）\n]{1,14}?)(?=[，。；、,;:：(（\n]|及|和|与|等|以上|以下|左右|$)")


def _metric_after(view: str, text: str, end: int, pats) -> tuple[str, int]:
    if end >= len(view) or not (_HAN.match(view[end]) or view[end].isascii() and view[end].isalpha()):
        return "", end
    m = _NOUN_AFTER.match(view, end)
    if not m:
        return "", end
    noun = m.group("noun")
    if any(noun.startswith(w) for w, _ in pats["after"]) or noun[0] in "的是为在由从将要":
        return "", end
    return to_simplified(text[end:m.end()]).rstrip("的"), m.end()


def _row_metric(view: str, text: str, row: int, rules: Rules) -> tuple[str, int]:
    """The first cell of a table row, which names what the row's values measure."""
    cell = view[row:view.find("\t", row)]
    name = cell.strip()
    if not name or len(name) > rules.get("targets", "metric_max") or any(ch in name for ch in "，。；,;：:"):
        return "", row
    start = row + len(cell) - len(cell.lstrip())
    return to_simplified(text[start:start + len(name)]), start


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


def baselines_of(cands: Sequence[Candidate]) -> list[list[int]]:
    """For each candidate, the indices of the candidates marked as its baseline."""
    out: list[list[int]] = [[] for _ in cands]
    for j, other in enumerate(cands):
        if other.baseline_of is not None:
            out[other.baseline_of].append(j)
    return out


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
    if c.cue:
        cue_start = c.cue[1]
    metric_end = min(x for x in (c.start, cue_start if cue_start is not None else c.start,
                                 cands[c.change_from].start if c.change_from is not None else c.start))
    if c.change_from is not None:
        b_start = cands[c.change_from].start
        k = max(view.rfind("由", b_start - 4, b_start), view.rfind("从", b_start - 4, b_start))
        metric_end = min(metric_end, k if k >= 0 else b_start)
    is_rate = "rate" in c.flags
    metric, m_start, span_end = "", metric_end, c.end
    if not is_rate:
        metric, after_end = _metric_after(view, text, c.end if not c.after_cue else c.after_cue[2], pats)
        if metric:
            span_end = after_end
    if not metric and _table_cell(view, c.start)[1]:
        metric, m_start = _row_metric(view, text, _table_cell(view, c.start)[0], rules)
    if not metric:
        counted = not is_rate and c.unit.split("/")[0] not in pats["measure_units"]
        floor, metric_end = _around_deadlines(view, deadlines, metric_end)
        metric, m_start = _metric_before(view, text, c.start, metric_end, pats, count=counted, floor=floor)
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
                            unit=_fold_unit(b.unit) or _fold_unit(c.unit), year=b.baseline_year)
        if b.start > c.start:
            close = view.find(")", b.end)
            end = max(end, close + 1 if 0 <= close - b.end <= 2 else b.end)
    value = None if c.placeholder else as_json_number(to_number(c.lo))
    value_max = None
    if c.hi is not None:
        value_max = None if pats["placeholder"].fullmatch(c.hi) else as_json_number(to_number(c.hi))
    if pats["any_metric_drop"].search(metric):
        for pattern in pats["metric_drop"]:
            metric = pattern.sub("", metric)
    if len(metric) > rules.get("targets", "metric_max"):
        metric = metric[-rules.get("targets", "metric_max"):]
    return {"start": start, "end": end, "metric": metric, "comparator": comparator, "value": value,
            "value_max": value_max, "unit": _fold_unit(c.unit), "placeholder": c.placeholder,
            "baseline": baseline}


@lru_cache(maxsize=1024)  # units come from the unit table (and a per-unit): a small, closed set
def _fold_unit(unit: Optional[str]) -> Optional[str]:
    """The unit in simplified characters; a bare number (为零, 控制在40以下) has none: null."""
    return to_simplified(unit) if unit else None


LINK_REACH = 200  # a deadline links to a target in its clause that starts less than this far away


def targets_of(plan: Plan, sections: Sequence[Section], deadlines: Sequence[Deadline], *,
               rules: Optional[Rules] = None, decide_fn=None) -> tuple[Target, ...]:
    """The plan's targets as records, linked to sections and same-clause deadlines."""
    rules = rules or load_rules()
    cands = find_candidates(plan.view, rules=rules, sections=sections)
    decisions = [(d, None) if isinstance(d, str) else d for d in (decide_fn or decide)(cands, plan.view)]
    baselines = baselines_of(cands)
    section_of = section_finder(sections)
    deadline_starts = [d.start for d in deadlines]  # deadlines come in text order
    out = []
    for i, (c, (label, confidence)) in enumerate(zip(cands, decisions)):
        if label != "target":
            continue
        f = resolve(cands, i, plan, rules, deadlines, baselines)
        near = deadlines[bisect_left(deadline_starts, c.start - LINK_REACH + 1):
                         bisect_right(deadline_starts, c.start + LINK_REACH - 1)]
        linked = next((d.id for d in near if same_clause(plan.view, c.start, d.start)), None)
        out.append(Target(id=f"t{len(out) + 1}", text=plan.text[f["start"]:f["end"]], start=f["start"],
                          end=f["end"], metric=f["metric"], comparator=f["comparator"], value=f["value"],
                          value_max=f["value_max"], unit=f["unit"], placeholder=f["placeholder"],
                          baseline=f["baseline"], section=section_of(c.start),
                          deadline=linked, confidence=confidence))
    return tuple(out)
