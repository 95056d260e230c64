"""Stage ``clean``: repair what scrapers, converters and PDFs did to the text.

Every repair is a rule of ``rules/clean.yaml`` applied as one pass whose edits
go into an offset map, so the cleaned text always leads back to the source.
Matching happens on a *view* of the same length: simplified (OpenCC) and
full-width folded, while the text keeps its original script and forms.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections import Counter
from typing import Callable, Optional

import regex

from ..core.document import Cleaned, Note
from ..core.offsets import OffsetMap, TextBuilder, identity
from ..rules import Rules, load_rules
from ..text.layout import aligned_tables, page_furniture, running_headers
from ..text.markers import marker_at, opens_with_marker
from ..text.punctuation import COLON, COMMA, LIST_COMMA, PAREN_CLOSE, PAREN_OPEN, SENTENCE_END, char_class
from ..text.script import detect_script, make_view, view_of

_CONTINUES = tuple(COMMA + LIST_COMMA)  # a line ending in one goes on in the next
_PROSE = regex.compile(char_class(COMMA + LIST_COMMA + SENTENCE_END + COLON))  # a sentence's punctuation


def _rewrite(text: str, pattern: regex.Pattern, repl: Callable[[regex.Match], str]):
    """Apply ``pattern`` once over ``text``; ``None`` when nothing matched."""
    tb = TextBuilder(text)
    pos = 0
    hit = False
    for m in pattern.finditer(text):
        hit = True
        tb.keep(pos, m.start())
        tb.put(m.start(), m.end(), repl(m))
        pos = m.end()
    if not hit:
        return None
    tb.keep(pos, len(text))
    return tb.result()


class _Cleaner:
    """Runs passes over one text, composing their maps and noting drops."""

    def __init__(self, text: str):
        self.text = text
        self.map: OffsetMap = identity(len(text))
        self.notes: list[Note] = []

    def apply(self, pattern: regex.Pattern, repl, note: Optional[str] = None) -> None:
        if note:
            for m in pattern.finditer(self.text):
                self.notes.append(Note(note, self.map.start(m.start()), m.group().strip()))
        result = _rewrite(self.text, pattern, repl)
        if result is not None:
            self.text, step = result
            self.map = self.map.then(step)

    def delete_spans(self, spans: list[tuple[int, int]]) -> None:
        if not spans:
            return
        tb = TextBuilder(self.text)
        pos = 0
        for start, end in spans:
            tb.keep(pos, start)
            tb.put(start, end, "")
            pos = end
        tb.keep(pos, len(self.text))
        self.text, step = tb.result()
        self.map = self.map.then(step)


def _entity(rules: Rules) -> Callable[[regex.Match], str]:
    bare = rules.get("clean", "entities", "bare")

    def repl(m: regex.Match) -> str:
        s = m.group()
        if s.startswith("&"):
            return html.unescape(s).replace("\xa0", " ")
        return bare.get(s[:-1], s)

    return repl


MARKER_REACH = 8  # longer than any marker: （十一）、 第十一部分


def _box_in_word(rules: Rules) -> Callable[[regex.Match], str]:
    """A box inside a word goes; one before a section marker stays (lost punctuation)."""
    def repl(m: regex.Match) -> str:
        after = m.string[m.end():m.end() + MARKER_REACH]
        return m.group() if opens_with_marker(make_view(after, rules=rules), rules) else ""

    return repl


def _line_spans(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line), line
        pos += len(line) + 1


def is_hard_wrapped(text: str, *, rules: Rules) -> bool:
    """Most long lines end mid-sentence at about the same width (a PDF export)."""
    long_lines = [s for s in (line.strip() for line in text.split("\n")) if len(s) >= 15]
    if len(long_lines) < 8:
        return False
    lengths = [len(s) for s in long_lines]
    width = _wrap_width(lengths)
    near = sum(1 for n in lengths if width - 3 <= n <= width + 1)
    if near / len(lengths) < 0.4:
        return False  # decided without searching every line for a sentence end
    ends = rules.re("clean", "sentence_end")
    open_ends = sum(1 for s in long_lines if not ends.search(s))
    return open_ends / len(lengths) >= 0.5


def _wrap_width(lengths: list[int]) -> int:
    counts = Counter(lengths)
    return max(counts, key=lambda n: (sum(counts[k] for k in range(n - 1, n + 2)), n))


def _page_number_lines(c: _Cleaner, pattern: regex.Pattern) -> None:
    spans = []
    for start, end, line in _line_spans(c.text):
        if line.strip() and pattern.match(line):
            c.notes.append(Note("page_number", c.map.start(start), line.strip()))
            spans.append((start, min(end + 1, len(c.text))))
    c.delete_spans(spans)


def _running_header_lines(c: _Cleaner, rules: Rules, pages: tuple[int, ...] = ()) -> None:
    """A short line repeated on every page of a PDF (a running header) goes
    before wrapped lines are joined, or it would be glued into sentences.
    With the page starts known, the line opening or closing every page is
    one even on two pages and however long, and its page number may count
    up (:func:`page_furniture`); only those at the pages' edges go (a table's
    header row repeated atop each page stays where the table starts).  Three
    repeats are asked of a line met anywhere (a signature repeated by two
    plans is no header)."""
    lines = list(_line_spans(c.text))
    headers = running_headers([line for _, _, line in lines], rules=rules, spread=True)
    at_edges: set[int] = set()
    if len(pages) >= 2:
        for edge in _page_edges(c, lines, pages):
            furniture = page_furniture({page: lines[k][2] for page, k in edge.items()}, rules=rules)
            at_edges |= {k for k in edge.values() if lines[k][2].strip() in furniture}
    spans, seen = [], set()
    for k, (start, end, line) in enumerate(lines):
        s = line.strip()
        if s in headers and s not in seen and _heads_table(lines, k):
            seen.add(s)  # a table's header row repeated on each page: its first one heads the table
            continue
        if s in headers or k in at_edges:
            c.notes.append(Note("running_header", c.map.start(start), s))
            spans.append((start, min(end + 1, len(c.text))))
    c.delete_spans(spans)


def _heads_table(lines, k: int) -> bool:
    """Whether line ``k`` is a row of a table's header: two cells or more,
    and a line of three cells or more among the next three lines of text
    (the header's other rows, a category row, then the table's rows)."""
    if len(_CELLS.split(lines[k][2].strip())) < 2:
        return False
    after = [line for _, _, line in lines[k + 1:k + 8] if line.strip()][:HEADER_REACH]
    return any(len(_CELLS.split(line.strip())) >= 3 for line in after)


HEADER_REACH = 3  # lines of text after a header row where the table's rows begin
_CELLS = regex.compile(r"[ \t\u3000]+")


def _page_edges(c: _Cleaner, lines, pages: tuple[int, ...]) -> tuple[dict[int, int], dict[int, int]]:
    """The index in ``lines`` of the first and of the last line of text of
    each page, by page number (``pages``: starts in the text before cleaning)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for k, (start, _, line) in enumerate(lines):
        if line.strip():
            page = bisect_right(pages, c.map.start(start))
            first.setdefault(page, k)
            last[page] = k
    return first, last


def _join_wrapped_lines(c: _Cleaner, rules: Rules) -> None:
    """Join a full-width line that ends mid-sentence to the next text line."""
    ends = rules.re("clean", "sentence_end")
    lines = [(s, e, ln) for s, e, ln in _line_spans(c.text)]
    long_lengths = [len(ln.strip()) for _, _, ln in lines if len(ln.strip()) >= 15]
    if not long_lengths:
        return
    width = _wrap_width(long_lengths)
    title, plan_word = rules.re("plans", "title"), rules.re("plans", "title", "contains")
    toc = rules.re("boilerplate", "toc")
    gap = rules.memo("aligned_gap", lambda: regex.compile(rules.get("clean", "aligned_table", "cell_gap")))
    laid_out = rules.re("clean", "laid_out_gap")
    spans = []
    for i, (start, end, line) in enumerate(lines):
        body = line.rstrip()
        full = len(body.strip()) >= width - 5 and not ends.search(body)
        if not (full or body.endswith(_CONTINUES)) or _table_row(body, gap) or laid_out.search(body.strip()):
            continue  # (a flattened table's row ends at its last cell, however long; fields set across the page)
        if plan_word.search(body) and title.match(make_view(body.strip(), rules=rules)) or toc.match(body.strip()):
            continue  # a plan's title as wide as the text, a contents line: a line of its own
        nxt = next((j for j in range(i + 1, len(lines)) if lines[j][2].strip()), None)
        if nxt is None:
            continue
        nstart, _, nline = lines[nxt]
        if _opens_item(nline, rules) or _table_row(nline, gap) \
                or plan_word.search(nline) and title.match(make_view(nline.strip(), rules=rules)):
            continue  # the next line is an item, a table's row or a plan's title of its own
        if (nxt > i + 1 or _opens_item(body, rules)) and not _PROSE.search(body) \
                and len(body.strip()) < width - 1:
            continue  # a heading or a meta line (2026年1月14日 08:30) short of the wrap width,
            # before a blank line or opening with a marker: a line of its own
        spans.append((start + len(body), nstart + (len(nline) - len(nline.lstrip()))))
    c.delete_spans(spans)


def _table_row(line: str, gap: regex.Pattern) -> bool:
    """Cells set apart by tabs (a reader's table row), or three cells or more
    set apart by spaces, two of them with figures: a row of a table flattened
    to text (wrapped prose has no such gaps)."""
    if "\t" in line.strip():
        return True  # a reader's row: its cells are set apart by tabs
    cells = gap.split(line.strip())
    return len(cells) >= 3 and sum(any(ch.isdigit() for ch in cell) for cell in cells) >= 2


def _opens_item(line: str, rules: Rules) -> bool:
    """Whether ``line`` opens with a section marker, after the decoration a
    line may carry before it (💡（一）, ## 1.)."""
    view = make_view(line.strip(), rules=rules)
    return marker_at(view, rules.re("markers", "line_prefix").match(view).end(), rules) is not None


def _glossed(c, rules: Rules) -> bool:
    """Whether the document carries pinyin glosses, so toneless ones may go too:
    enough toned glosses, or (Big5 and GBK cannot write tone marks) enough
    distinct toneless syllables of two letters or more, so a repeated ``(min)``
    or an enumeration ``(a)`` never qualifies."""
    table = rules.get("clean", "pinyin_toneless")
    if sum(n.kind == "pinyin_gloss" for n in c.notes) >= table["min_glosses"]:
        return True
    syllables = {m.group().strip(PAREN_OPEN + PAREN_CLOSE + " ") for m in rules.re("clean", "pinyin_toneless").finditer(c.text)}
    return sum(len(s) >= 2 for s in syllables) >= table["min_distinct_toneless"]


def clean(text: str, *, rules: Optional[Rules] = None, hard_wrap: Optional[bool] = None,
          pages: tuple[int, ...] = ()) -> Cleaned:
    """Clean ``text`` (SPEC §7) and keep the map back to it.

    ``hard_wrap`` forces (PDF) or forbids re-joining wrapped lines; by
    default it is detected.  ``pages``: where each page starts in ``text``
    (a paged reader's), so that a line heading every page is known for a
    running header however few the pages.
    """
    rules = rules or load_rules()
    c = _Cleaner(text)
    if "\r" in text:  # most files have no carriage return: no pass over them
        c.apply(regex.compile(r"\r\n?"), lambda m: "\n")
    c.apply(rules.re("clean", "invisible"), lambda m: "")
    c.apply(rules.re("clean", "entities"), _entity(rules))
    c.apply(rules.re("clean", "escaped_markdown"), lambda m: m.group(1))
    c.apply(rules.re("clean", "pinyin_gloss"), lambda m: "", note="pinyin_gloss")
    if _glossed(c, rules):
        c.apply(rules.re("clean", "pinyin_toneless"), lambda m: "")
    c.apply(rules.re("clean", "backtick"), lambda m: "")
    c.apply(rules.re("clean", "bbcode"), lambda m: "")
    c.apply(rules.re("clean", "box_in_word"), _box_in_word(rules))
    c.apply(rules.re("clean", "split_decimal"), lambda m: "")
    percent_o = rules.get("clean", "percent_o", "replace")
    c.apply(rules.re("clean", "percent_o"), lambda m: percent_o)
    _page_number_lines(c, rules.re("clean", "page_number"))
    if hard_wrap is None:
        hard_wrap = is_hard_wrapped(c.text, rules=rules)
    if hard_wrap:
        c.apply(rules.re("clean", "split_digits"), lambda m: "")
        _page_number_lines(c, rules.re("clean", "page_number", "hard_wrap_only"))
        _running_header_lines(c, rules, pages)
        _join_wrapped_lines(c, rules)
    for m in rules.re("clean", "mojibake").finditer(c.text):
        c.notes.append(Note("mojibake", c.map.start(m.start()), m.group()))
    view, changed = view_of(c.text, rules)
    if "**" in view:
        view = rules.re("clean", "emphasis").sub(lambda m: " " * len(m.group()), view)
    view = aligned_tables(view, rules=rules)
    return Cleaned(text=c.text, view=view, map=c.map, script=detect_script(c.text, view, changed=changed),
                   notes=tuple(c.notes))
