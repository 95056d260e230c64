"""The year of a plan's work period (SPEC §1, §8): the body's own year, then
its title's, then the collection's; blanked years (``20xx年``) give none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import regex

from ...rules import Rules
from ...text.numerals import digit_by_digit
from ...text.punctuation import SENTENCE_END, char_class

_SENTENCE_END = regex.compile(char_class(SENTENCE_END))


def plan_year(view: str, *, title_view: Optional[str], collection_views: list[str],
              rules: Rules) -> Optional[int]:
    """The plan's work-period year (SPEC §1, §8): body, then title, then collection."""
    year_rules = _year_rules(rules)
    lines = view.split("\n")
    body = lines[1:] if title_view is not None else lines
    found, year = _body_year(body, year_rules)
    if found:
        titled = year_rules.title_known.search(title_view) if title_view else None
        if titled and year is not None and int(titled.group("year")) > year \
                and any(f"{int(titled.group('year'))}" in line for line in body):
            return int(titled.group("year"))  # 2025年科室完成…, then 2026年科室将…: the title's year
        return year
    for head in ([title_view] if title_view else []) + collection_views:
        found, year = _body_year([head], year_rules)
        if found:
            return year
        m = year_rules.title_known.search(head)
        if m:
            return int(m.group("year"))
    return None


@dataclass(frozen=True, slots=True)
class _YearRules:
    """The year table's patterns, fetched once per Rules."""

    mentions: tuple  # (kind, pattern) in the order mentions are tried
    any_year: regex.Pattern  # one search for a mention of any kind
    signature: regex.Pattern
    title_known: regex.Pattern
    opens: str
    closes: str
    past: regex.Pattern
    as_of: regex.Pattern
    cjk_digits: frozenset  # the characters a year in Chinese digits is written with (二〇二六)
    roc_offset: int  # 民國115年 is 2026


def _year_rules(rules: Rules) -> _YearRules:
    def build():
        pats = tuple((kind, rules.re("plans", "year", kind))
                     for kind in ("period", "period_short", "known", "cjk", "roc", "blank"))
        year = rules.get("plans", "year")
        return _YearRules(
            mentions=pats, any_year=regex.compile("|".join(f"(?:{p.pattern})" for _, p in pats)),
            signature=rules.re("plans", "year", "signature_line"),
            title_known=rules.re("plans", "year", "title_known"),
            opens=year["open_brackets"], closes=year["close_brackets"],
            past=rules.re("plans", "year", "past_clause"), as_of=rules.re("plans", "year", "as_of"),
            cjk_digits=frozenset(year["cjk_digits"]), roc_offset=year["roc_offset"])
    return rules.memo("split_year_rules", build)


def _body_year(lines: list[str], year_rules: _YearRules) -> tuple[bool, Optional[int]]:
    pats, any_year, signature = year_rules.mentions, year_rules.any_year, year_rules.signature
    for line in lines:
        if "\t" in line.strip():
            continue  # a table row (cells between tabs): its years head columns (2025年实际值)
        if not any_year.search(line) or signature.match(line):
            continue  # one search rules out a line without any mention
        mentions = []
        for kind, pat in pats:
            for m in pat.finditer(line):
                mentions.append((m.start(), -len(m.group()), kind, m))
        for start, _, kind, m in sorted(mentions, key=lambda t: t[:2]):
            if _skipped(line, m, year_rules):
                continue
            if kind == "blank":
                return True, None
            if kind == "period_short":
                return True, int(m.group("century") + m.group("yy"))
            if kind == "roc":
                return True, int(m.group("roc")) + year_rules.roc_offset
            if kind == "cjk":
                digits = m.group("cjk")
                return True, digit_by_digit(digits) if set(digits) <= year_rules.cjk_digits else None
            return True, int(m.group("year"))
    return False, None


def _skipped(line: str, m: regex.Match, year_rules: _YearRules) -> bool:
    opens, closes = year_rules.opens, year_rules.closes
    depth = 0
    for ch in line[: m.start()]:
        if ch in opens:
            depth += 1
        elif ch in closes and depth:
            depth -= 1
    if depth:
        return True
    sentence = _SENTENCE_END.split(line[m.end():], maxsplit=1)[0]
    return bool(year_rules.past.search(sentence) or year_rules.as_of.search(line[: m.start()]))
