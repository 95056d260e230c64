"""Stage ``split``: cut a cleaned document into plans (SPEC §1).

Each line is classified once (plan title, site chrome, related list, preface,
table of contents, text); plans start at plan titles; what belongs to no plan
is dropped and counted, so each plan's ``warnings`` say what was left out.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Optional

import cn2an
import regex

from .document import Cleaned, Note, Plan
from .offsets import TextBuilder
from .rules import Rules, load_rules

_SENTENCE = regex.compile(r"[。；;]")
_SENTENCE_END = regex.compile(r"[。；;！？!?]")
_AS_OF = regex.compile(r"(?:截至|截止)\s*$")
_COLLECTION_SUFFIX = regex.compile(r"(?:汇编|合集|大全)\s*$")
_DATE_LINE = regex.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$")

DROPPED = ("site_chrome", "related_list", "preface", "toc", "collection_title", "boilerplate", "running_header")
# A trained line model overrides the rules only when it is this sure.
LINE_MODEL_THRESHOLD = 0.9
LINE_MODEL_MAX_LEN = 60


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str
    view: str
    kind: str = "text"  # text, blank, title, + the DROPPED kinds
    ordinal: bool = False
    collection: bool = False
    heading: int = 0  # markdown heading level, 0 if none
    title: str = ""  # the title as written, formatting removed


def _lines(cleaned: Cleaned) -> list[Line]:
    out = []
    pos = 0
    for text in cleaned.text.split("\n"):
        end = pos + len(text)
        out.append(Line(pos, end, text, cleaned.view[pos:end]))
        pos = end + 1
    return out


def _running_headers(lines: list[Line], rules: Rules) -> None:
    """A short line repeated on every page (a PDF's running header) is chrome."""
    texts = [(ln, ln.view.strip()) for ln in lines if ln.kind == "text"]
    counts = Counter(v for _, v in texts)
    repeat = rules.get("boilerplate", "running_header")
    min_repeats, max_len = repeat["min_repeats"], repeat["max_len"]
    marker_start = rules.re("plans", "not_title_start")
    for ln, v in texts:
        if counts[v] >= min_repeats and len(v) <= max_len \
                and not _SENTENCE_END.search(v) and not marker_start.match(v):
            ln.kind = "running_header"  # a heading repeated in several plans opens with a marker


def _classify(lines: list[Line], rules: Rules) -> None:
    is_chrome = _chrome_test(rules)
    title_rules = _title_rules(rules)
    related_header = rules.re("boilerplate", "related_header")
    related_item = rules.re("boilerplate", "related_item")
    item_max = rules.get("boilerplate", "related_item_max_len")
    preface = rules.re("boilerplate", "preface_cue")
    # every TOC pattern is anchored at both ends (^…$): matched backwards from
    # the end, a prose line ending in 。 fails at its last character
    toc = rules.re("boilerplate", "toc", reverse=True)
    list_prefix = rules.re("boilerplate", "list_prefix")
    in_related = False
    for line in lines:
        v = line.view.strip()
        if v and v not in ("-", "*"):  # half the lines are blank: no prefix to strip
            v = list_prefix.sub("", v)
        if not v:
            line.kind = "blank"
            continue
        if in_related and len(v) <= item_max and not _SENTENCE.search(v) and not is_chrome(v):
            line.kind = "related_list"  # a title-like line inside the list is a list item
            continue
        if _title(line, title_rules):
            in_related = False
            continue
        if related_header.search(v.strip("【】[]〔〕 ")):
            line.kind, in_related = "related_list", True
        elif is_chrome(v):
            line.kind = "site_chrome"
        elif in_related and (related_item.search(v) or len(v) <= item_max and not _SENTENCE.search(v)):
            line.kind = "related_list"
        elif toc.match(v):
            line.kind = "toc"
        elif len(v) < 200 and preface.search(v):
            line.kind = "preface"
        else:
            in_related = False


def _chrome_test(rules: Rules):
    """v -> whether the line is site chrome: a chrome pattern or chrome parts
    (built once per Rules, so the per-line test looks nothing up)."""
    def build():
        chrome = rules.found("boilerplate", "site_chrome")
        separator = rules.re("boilerplate", "chrome_separator")
        part = rules.re("boilerplate", "chrome_part")
        return lambda v: chrome(v) or _chrome_parts(v, separator, part)
    return rules.memo("split_chrome_test", build)


def _chrome_parts(v: str, separator: regex.Pattern, part: regex.Pattern) -> bool:
    """A line of chrome tokens joined by separators."""
    pieces = separator.split(v)
    if len(pieces) < 2:
        return False  # no separator: most lines
    parts = [p for p in pieces if p]
    return len(parts) >= 2 and all(part.match(p) for p in parts)


def _title_rules(rules: Rules):
    return rules.memo("split_title_rules", lambda: (
        rules.get("plans", "title", "max_len"), rules.re("plans", "title_prefix"),
        rules.re("plans", "title_suffix", reverse=True), rules.re("plans", "not_title_start"),
        rules.re("plans", "title"), rules.re("plans", "markdown_heading"), rules.re("plans", "title", "contains")))


def _title(line: Line, title_rules: tuple) -> bool:
    """Mark ``line`` as a plan title when it names a plan (``title_rules``:
    :func:`_title_rules`, fetched once per document)."""
    max_len, title_prefix, title_suffix, not_title_start, title, markdown_heading, plan_word = title_rules
    if len(line.view.strip(" \t\u3000*_#")) > max_len:
        return False  # the core is at least this long: a paragraph, decided without a search
    if not plan_word.search(line.view):
        return False  # no title without a plan word: one search of the line instead of four
    prefix = title_prefix.match(line.view)
    suffix = title_suffix.search(line.view, prefix.end())
    a, b = prefix.end(), max(prefix.end(), suffix.start())
    core = line.view[a:b]
    if not core or len(core) > max_len:
        return False
    if not_title_start.match(core):
        return False
    m = title.match(core)
    if not m:
        return False
    heading = markdown_heading.match(line.view)
    line.kind = "title"
    line.ordinal = bool(m.group("ordinal") or m.group("prefix"))
    line.collection = bool(m.group("collection")) or bool(
        _COLLECTION_SUFFIX.search(m.group("suffix") or ""))
    line.heading = len(heading.group("hashes")) if heading else 0
    line.title = line.text[a:b].strip()
    return True


def _refine_lines(lines: list[Line], model) -> None:
    """Text lines the model is sure are boilerplate are dropped.

    It never brings back what a rule dropped: rules for chrome, TOC and page
    numbers are precise, and a small training set cannot outvote them.
    """
    from .classify import line_row

    # boilerplate lines are short; long prose lines are never sent to the model
    index = [i for i, ln in enumerate(lines) if ln.kind == "text" and len(ln.view.strip()) <= LINE_MODEL_MAX_LEN]
    if not index:
        return
    rows = [line_row(lines, i, rule_kind=lines[i].kind) for i in index]
    boilerplate = list(model.classes_).index("boilerplate")
    for i, p in zip(index, model.predict_proba(rows)):
        if lines[i].kind == "text" and p[boilerplate] >= LINE_MODEL_THRESHOLD:
            lines[i].kind = "boilerplate"


def _plan_starts(lines: list[Line]) -> list[int]:
    titles = [i for i, ln in enumerate(lines) if ln.kind == "title" and not ln.collection]
    ordinal = [i for i in titles if lines[i].ordinal]
    if ordinal:
        return ordinal
    for level in sorted({lines[i].heading for i in titles if lines[i].heading}):
        same = [i for i in titles if lines[i].heading == level]
        if len(same) >= 2:
            return same
    isolated = [i for i in titles if _isolated(lines, i)]
    if len(isolated) >= 2 and all(_body_after(lines, i) >= 200 for i in isolated):
        return isolated
    # plans in a row: the file opens with a plan title and another follows a finished paragraph
    content = [i for i, ln in enumerate(lines) if ln.kind in ("text", "title")]
    if content and lines[content[0]].kind == "title":
        in_row = [i for i in titles if i == content[0] or _after_paragraph(lines, i)]
        if len(in_row) >= 2 and all(_body_after(lines, i) >= 200 for i in in_row):
            return in_row
    content = [i for i, ln in enumerate(lines) if ln.kind in ("text", "title")]
    first_titles = [i for i in content[:3] if lines[i].kind == "title" and not lines[i].collection]
    if first_titles:
        return first_titles[:1]
    return content[:1]


def _isolated(lines: list[Line], i: int) -> bool:
    before = i == 0 or lines[i - 1].kind != "text"
    after = i + 1 >= len(lines) or lines[i + 1].kind != "title"
    return before and after


def _after_paragraph(lines: list[Line], i: int) -> bool:
    """The nearest text line before ``i`` ends a sentence (or is a date line)."""
    for ln in map(lines.__getitem__, range(i - 1, -1, -1)):  # no copy of the lines before: linear per title
        if ln.kind == "text":
            v = ln.view.strip()
            return bool(_SENTENCE_END.search(v[-1:]) or _DATE_LINE.match(v))
        if ln.kind == "title":
            return False
    return False


def _body_after(lines: list[Line], i: int) -> int:
    n = 0
    for ln in map(lines.__getitem__, range(i + 1, len(lines))):  # no copy of the rest of the document per title
        if ln.kind == "title":
            break
        if ln.kind == "text":
            n += len(ln.view.strip())
    return n


def split_plans(cleaned: Cleaned, *, rules: Optional[Rules] = None, line_model=None) -> list[Plan]:
    """The plans of ``cleaned``, in document order (one when it holds no title).

    ``line_model`` (a fitted :class:`plan_extract.classify.LineClassifier`)
    refines the rules' line kinds where it is confident.
    """
    rules = rules or load_rules()
    lines = _lines(cleaned)
    _classify(lines, rules)
    _running_headers(lines, rules)
    if line_model is not None:
        _refine_lines(lines, line_model)
    starts = _plan_starts(lines)
    if not starts:
        return []
    before = [i for i in range(starts[0]) if lines[i].kind == "text"]
    if sum(len(lines[i].view.strip()) for i in before) > rules.get("plans", "title", "preface_max_chars"):
        starts = [before[0]] + starts  # too long for a preface: a plan whose title was not recognised
    collection_titles = [ln for ln in lines[: starts[0]] if ln.kind == "title"]
    for i in range(starts[0]):
        kind = lines[i].kind
        if kind == "title":
            lines[i].kind = "collection_title"
        elif kind == "text":
            lines[i].kind = "preface"
    for ln in lines[starts[0]:]:
        if ln.kind == "title" and ln.collection:
            ln.kind = "collection_title"
    drops = [Note(ln.kind, cleaned.map.start(ln.start), ln.text.strip())
             for ln in lines if ln.kind in DROPPED]
    notes = sorted(drops + list(cleaned.notes), key=lambda n: n.pos)
    note_pos = [n.pos for n in notes]
    bounds = starts + [len(lines)]
    plans = []
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        keep = [ln for ln in lines[a:b] if ln.kind in ("text", "title", "blank")]
        text, view, pmap = _cut(cleaned, keep)
        head = lines[a]
        title = head.title if head.kind == "title" else None
        src_lo = 0 if k == 0 else cleaned.map.start(lines[a].start)
        src_hi = cleaned.map.start(lines[b].start) if b < len(lines) else float("inf")
        own = notes[bisect_left(note_pos, src_lo):bisect_left(note_pos, src_hi)]  # notes are sorted
        year = plan_year(view, title_view=head.view if title else None,
                         collection_views=[ln.view for ln in collection_titles], rules=rules)
        plans.append(Plan(index=k, title=title, year=year, text=text, view=view, map=pmap,
                          warnings=warnings_of(own)))
    return plans


def _cut(cleaned: Cleaned, keep: list[Line]):
    """Text of the kept lines (blank edges trimmed) and its map to ``cleaned``."""
    while keep and keep[-1].kind == "blank":
        keep.pop()
    while keep and keep[0].kind == "blank":
        keep.pop(0)
    runs: list[list[int]] = []  # kept lines, with their line breaks, merged where they follow each other
    for j, ln in enumerate(keep):
        end = ln.start + len(ln.text.rstrip()) if j == len(keep) - 1 else ln.end + 1
        if runs and runs[-1][1] == ln.start:
            runs[-1][1] = end
        else:
            runs.append([ln.start, end])
    tb = TextBuilder(cleaned.text)
    for a, b in runs:
        tb.keep(a, b)
    text, pmap = tb.result()
    return text, "".join(cleaned.view[a:b] for a, b in runs), pmap


def warnings_of(notes: list[Note]) -> tuple[dict, ...]:
    """Count what was dropped or left unrepaired, by kind, in a stable order."""
    dropped = Counter(n.kind for n in notes if n.kind in DROPPED or n.kind == "page_number")
    out = [{"code": "dropped", "kind": kind, "count": dropped[kind]} for kind in sorted(dropped)]
    moji = [n.text for n in notes if n.kind == "mojibake"]
    if moji:
        out.append({"code": "mojibake", "count": len(moji), "examples": moji[:5]})
    return tuple(out)


# --- year -----------------------------------------------------------------

def plan_year(view: str, *, title_view: Optional[str], collection_views: list[str],
              rules: Rules) -> Optional[int]:
    """The plan's work-period year (SPEC §1, §8): body, then title, then collection."""
    year_rules = _year_rules(rules)
    lines = view.split("\n")
    body = lines[1:] if title_view is not None else lines
    found, year = _body_year(body, year_rules)
    if found:
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


def _year_rules(rules: Rules) -> _YearRules:
    def build():
        pats = tuple((kind, rules.re("plans", "year", kind))
                     for kind in ("period", "period_short", "known", "cjk", "blank"))
        year = rules.get("plans", "year")
        return _YearRules(
            mentions=pats, any_year=regex.compile("|".join(f"(?:{p.pattern})" for _, p in pats)),
            signature=rules.re("plans", "year", "signature_line"),
            title_known=rules.re("plans", "year", "title_known"),
            opens=year["open_brackets"], closes=year["close_brackets"],
            past=rules.re("plans", "year", "past_clause"))
    return rules.memo("split_year_rules", build)


def _body_year(lines: list[str], year_rules: _YearRules) -> tuple[bool, Optional[int]]:
    pats, any_year, signature = year_rules.mentions, year_rules.any_year, year_rules.signature
    for line in lines:
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
            if kind == "cjk":
                return True, int(cn2an.transform(m.group("cjk"), "cn2an")) if _cjk_year(m.group("cjk")) else None
            return True, int(m.group("year"))
    return False, None


def _cjk_year(s: str) -> bool:
    return all(ch in "〇零○一二三四五六七八九" or ch == "二" for ch in s)


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
    return bool(year_rules.past.search(sentence) or _AS_OF.search(line[: m.start()]))
