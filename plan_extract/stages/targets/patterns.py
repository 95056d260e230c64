"""The targets table (``rules/targets.yaml``) compiled once per :class:`Rules`,
and the clause boundaries every part of the stage measures from."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional

import regex

from ...rules import Rules
from ...text.markers import marker_at
from ...text.punctuation import CLAUSE_BREAKS, COLON, LIST_COMMA, LOST, PAREN_CLOSE, PAREN_OPEN, char_class
from ...text.script import fold, to_simplified

YEAR = regex.compile(r"(?:19|20)\d\d")  # a year's digits (2026), for candidates and baselines
CLAUSE_STOP = CLAUSE_BREAKS + COLON  # a clause of a target ends at a colon too
SEGMENT_STOP = CLAUSE_STOP + LIST_COMMA + PAREN_OPEN + PAREN_CLOSE + LOST + "?"  # a metric does not cross these


def _patterns(rules: Rules):
    def build():
        def t(key: str):  # an entry's rule, without its examples
            return rules.value("targets", key)

        units = sorted(t("units"), key=len, reverse=True)
        unit_alt = "|".join(regex.escape(u) for u in units)
        num, ph, sep = t("number"), t("placeholder"), t("range_sep")
        magnitude = "[" + rules.get("shared", "chars", "magnitude") + "]"
        more = "|".join(regex.escape(w) for w in t("more_than"))
        # what a number or a placeholder can start with: most positions fail this one test
        first = "[" + rules.get("shared", "chars", "cn_numeral") + r"\dxX×_]"
        amount = (rf"(?<![\d.A-Za-z_])(?={first})(?P<lo>{ph}|{num})(?:(?:{t('range_lo_unit')})?{sep}(?P<hi>{ph}|{num}))?"
                  rf"(?P<more>{more})?[^\S\t]*(?P<unit>{magnitude}?(?:{unit_alt})|{magnitude}|{t('ratio_unit')})?"
                  rf"(?P<half>{t('half_after_unit')})?(?P<per>{t('per_unit')})?")
        cues = sorted(((c, comp) for comp in t("cues_before") for c in rules.value("targets", "cues_before", comp)),
                      key=lambda x: -len(x[0]))
        after = sorted(((c, comp) for comp in t("cues_after") for c in rules.value("targets", "cues_after", comp)),
                       key=lambda x: -len(x[0]))
        verbs = sorted(t("count_verbs"), key=len, reverse=True)
        return {
            "amount": regex.compile(amount),
            "cues": cues,
            "cue_of": dict(cues),
            "cue_rx": regex.compile("|".join(regex.escape(c) for c, _ in cues)),
            "after": after,
            "after_words": {c for c, _ in after},
            "after_rx": regex.compile("|".join(regex.escape(c) for c, _ in after)),
            "verbs": verbs,
            "object_verbs": set(verbs) | set(t("metric_verbs")),
            "verb_rx": regex.compile("|".join(regex.escape(v) for v in verbs)),
            "object_verb_rx": regex.compile("|".join(regex.escape(v) for v in
                                                    sorted(set(verbs) | set(t("metric_verbs")), key=len, reverse=True))),
            "placeholder": regex.compile(t("placeholder")),
            "single_cue_not_after": t("single_cue_not_after"),
            "cue_filler": regex.compile(t("cue_filler")),
            "after_cue_not_before": t("after_cue_not_before"),
            "routine_units": tuple(t("routine_units")),
            "article_units": set(t("article_units")),
            "past": regex.compile(t("past")),
            "past_year_opening": regex.compile(t("past_year_opening")),
            "future": regex.compile(t("future")),
            "per_person": regex.compile(t("per_person")),
            "time_metric": regex.compile(t("time_metric")),
            "never_unit_measure": regex.compile(t("never_unit_measure")),
            "header_year": regex.compile(t("header_year")),
            "unit_words": set(units),
            "bracket_unit": regex.compile(t("bracket_unit")),
            "column_role_words": regex.compile(t("column_role_words")),
            "bare_column_measures": set(t("bare_column_measures")),
            **{f"{role}_column": regex.compile(t(f"{role}_column"))
               for role in ("actual", "target", "unit", "metric", "deadline", "other")},
            "owner_column": regex.compile(t("owner_column")),
            "count_column": regex.compile(t("count_column")),
            "table_unit_note": regex.compile(t("table_unit_note")),
            "condition": regex.compile(t("condition")),
            "verb_window": t("verb_window"),
            "not_before": regex.compile(t("not_before")),
            "not_after": regex.compile(t("not_after")),
            "lead": {False: set(t("lead_words")),
                     True: set(t("lead_words")) | (set(t("count_verbs")) - set(t("metric_keeps_verb")))},
            "keeps_verb": set(t("metric_keeps_verb")),
            "object_openers": set(t("object_openers")),
            "trail": set(t("trail_words")),
            "lead_prefix": {False: tuple(t("lead_words")), True: tuple(set(t("lead_words")) | set(t("count_verbs")))},
            "trail_suffix": tuple(t("trail_words")),
            "measure_units": set(t("measure_units")),
            "rate_units_counted": set(t("rate_units_counted")),
            "list_etc": t("list_etc"),
            "verbs_after_object": set(t("verbs_after_object")),
            "measure_heads": set(t("measure_heads")),
            "bare_change": set(t("bare_change")),
            "part_of": t("part_of"),
            "part_qualifier": regex.compile(t("part_qualifier")),
            "area_part": regex.compile(t("area_part")),
            "area_lead": regex.compile(t("area_lead")),
            "object_breaks": set(t("object_breaks")),
            "shared_value": tuple(t("shared_value")),
            "shared_joins": set(t("shared_joins")),
            "respective_value": tuple(t("respective_value")),
            "value_join": regex.compile(t("value_join")),
            "item_join": regex.compile(t("item_join")),
            "verbish": regex.compile("|".join(regex.escape(w) for w in sorted(
                {w for w in t("lead_words") if len(w) > 1} | set(t("count_verbs")), key=len, reverse=True))),
            "magnitude": rules.get("shared", "chars", "magnitude"),
            "change_from": regex.compile(t("change_from")),
            "change_to": regex.compile(t("change_to")),
            "paren_baseline": regex.compile(t("paren_baseline")),
            "per_period": regex.compile(t("per_period")),
            "frequency_unit": t("frequency_unit"),
            "open_end": regex.compile(t("open_end")),
            "zero": t("zero"),
            "unitless_not_before": t("unitless_not_before"),
            "year_units": tuple(t("year_units")),
            "word_numerals": t("word_numerals"),
            "article": t("article"),
            "list_item_count": regex.compile(t("list_item_count")),
            "noun_after": regex.compile(t("noun_after")),
            "noun_after_not_first": t("noun_after_not_first"),
            "noun_after_strip": t("noun_after_strip"),
            "metric_drop": [_marker_drop(rules) if p == "marker" else _pattern_drop(regex.compile(p))
                            for p in t("metric_drop")],
            # one search rules out a metric that no drop pattern touches (most of them)
            "any_metric_drop": regex.compile("|".join(f"(?:{p})" for p in t("metric_drop") if p != "marker")),
        }

    return rules.memo("target_patterns", build)


CLAUSE_REACH = 120
_LAST_STOP = {stops: regex.compile(char_class(stops + (PAREN_CLOSE if stops is CLAUSE_STOP else "")), flags=regex.REVERSE)
              for stops in (CLAUSE_STOP, SEGMENT_STOP)}


def _clause_start(view: str, pos: int, stops: str = CLAUSE_STOP) -> int:
    """After the last stop before ``pos`` (within reach); in a clause, a stop
    inside closed brackets does not count."""
    floor = max(0, pos - CLAUSE_REACH + 1)
    m = _LAST_STOP[stops].search(view, floor, pos)
    if m is None:
        return floor
    if m.group() not in PAREN_CLOSE or stops is not CLAUSE_STOP:
        return m.end()
    i = pos - 1  # a closing bracket: walk back counting depth
    depth = 0
    while i >= 0 and pos - i < CLAUSE_REACH:
        ch = view[i]
        if ch in PAREN_CLOSE and stops is CLAUSE_STOP:
            depth += 1
        elif ch in PAREN_OPEN and stops is CLAUSE_STOP:
            if depth:
                depth -= 1
        elif ch in stops and not depth:
            break
        i -= 1
    return i + 1


def _pattern_drop(pattern: regex.Pattern) -> Callable[[str], str]:
    return lambda metric: pattern.sub("", metric)


def _marker_drop(rules: Rules) -> Callable[[str], str]:
    """A metric without the section marker it starts with (and the spaces after it)."""
    def drop(metric: str) -> str:
        m = marker_at(fold(metric, rules), 0, rules)
        return metric[m.end:].lstrip() if m else metric

    return drop


def starts_with_marker(metric: str, rules: Rules) -> bool:
    return marker_at(fold(metric, rules), 0, rules) is not None


@lru_cache(maxsize=1024)  # units come from the unit table (and a per-unit): a small, closed set
def fold_unit(unit: Optional[str]) -> Optional[str]:
    """The unit in simplified characters; a bare number (为零, 控制在40以下) has none: null."""
    return to_simplified(unit) if unit else None
