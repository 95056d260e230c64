"""Each line of a cleaned document classified once by the rules: plan title,
site chrome, related list, preface, table of contents, running header, text
or blank (``rules/boilerplate.yaml``, ``rules/plans.yaml``)."""

from __future__ import annotations

from typing import Optional

import regex

from ...core.document import Cleaned, Line
from ...rules import Rules, load_rules
from ...text.layout import running_headers
from ...text.markers import opens_with_marker
from ...text.punctuation import COLON, FULL_STOP, char_class

_SENTENCE = regex.compile(char_class(FULL_STOP))
LEAD_IN_MIN = 15  # characters of a sentence ending in a colon that leads into a plan's body


def classify_lines(cleaned: Cleaned, *, rules: Optional[Rules] = None) -> list[Line]:
    """The document's lines with the rules' kinds: what the split stage cuts
    plans from, what a line model refines at run time, and what training
    labels from the gold."""
    rules = rules or load_rules()
    lines = _lines(cleaned)
    _classify(lines, rules)
    _front_matter(lines, rules)
    _running_headers(lines, rules)
    _between_chrome(lines, rules.get("boilerplate", "between_chrome_max_len"))
    _counted_lists(lines, rules.re("boilerplate", "counted_item"))
    _imprints(lines, rules.re("boilerplate", "imprint"))
    _bare_ordinals(lines, rules)
    _lead_paragraphs(lines)
    return lines


def _lead_paragraphs(lines: list[Line]) -> None:
    """A paragraph right under a plan's title is its lead, never a site's
    preface, whatever cue it holds (一起来看看今年我们要干成哪些事)."""
    before = None
    for line in lines:
        if line.kind == "blank":
            continue
        if line.kind == "preface" and before is not None and before.kind == "title" and not before.collection:
            line.kind = "text"
        before = line


def _imprints(lines: list[Line], imprint: regex.Pattern) -> None:
    """An office's issuing line (…2026年2月6日印发) right under chrome (抄送：…)
    is the imprint's, chrome too; alone it is the plan's signature."""
    before = None
    for line in lines:
        if line.kind == "blank":
            continue
        if line.kind == "text" and before == "site_chrome" and imprint.match(line.view.strip()):
            line.kind = "site_chrome"
        before = line.kind


def _bare_ordinals(lines: list[Line], rules: Rules) -> None:
    """An ordinal alone on its line (篇二, 篇四：) is a plan's title where other
    titles of the page carry ordinals and a body follows it: the site left
    that plan's name out."""
    if not any(ln.kind == "title" and ln.ordinal for ln in lines):
        return
    bare = rules.re("plans", "bare_ordinal")
    for k, line in enumerate(lines):
        if line.kind in ("text", "related_list") and bare.match(line.view.strip()) and _body_follows(lines, k, rules):
            line.kind, line.ordinal, line.title = "title", True, line.text.strip()


def _counted_lists(lines: list[Line], counted: regex.Pattern) -> None:
    """Two or more lines in a row each naming a category and its count
    (全部日志(86), 工作计划(7)) are a sidebar list: chrome, titles included."""
    run: list[Line] = []
    for line in lines + [Line(0, 0, "", "")]:  # a sentinel ends the last run
        if line.kind == "blank":
            continue
        if line.kind in ("text", "title") and counted.match(line.view.strip()):
            run.append(line)
            continue
        if len(run) >= 2:
            for item in run:
                item.kind = "site_chrome"
        run = []


def _front_matter(lines: list[Line], rules: Rules) -> None:
    """YAML front matter at a file's top (``---``, ``key: value`` lines, ``---``)
    is its metadata: chrome, its tags (``- 工作计划``) no plan's title."""
    spec = rules.get("boilerplate", "front_matter")
    fence, entry = rules.re("boilerplate", "front_matter", "fence"), rules.re("boilerplate", "front_matter", "entry")
    body = [ln for ln in lines[: spec["max_lines"] + 2] if ln.text.strip()]
    if not body or not fence.match(body[0].text.strip()):
        return
    close = next((k for k, ln in enumerate(body[1:], 1) if fence.match(ln.text.strip())), None)
    if close is None or close < 2 or not all(entry.match(ln.text) for ln in body[1:close]):
        return
    for ln in body[: close + 1]:
        ln.kind = "site_chrome"


def _between_chrome(lines: list[Line], max_len: int) -> None:
    """Short lines with chrome on both sides are chrome too: a WeChat header's
    author and account between 原创 and the date, a menu's items."""
    run: list[Line] = []
    before = None
    for line in lines:
        if line.kind == "blank":
            continue
        v = line.view.strip()
        if line.kind == "text" and len(v) <= max_len and not _SENTENCE.search(v):
            run.append(line)
            continue
        if run and before == "site_chrome" and line.kind == "site_chrome":
            for short in run:
                short.kind = "site_chrome"
        run, before = [], line.kind


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
    texts = [ln for ln in lines if ln.kind == "text"]
    headers = running_headers([ln.view for ln in texts], rules=rules)
    for ln in texts:
        if ln.view.strip() in headers:
            ln.kind = "running_header"


def _classify(lines: list[Line], rules: Rules) -> None:
    is_chrome = _chrome_test(rules)
    title_rules = _title_rules(rules)
    related_header = rules.re("boilerplate", "related_header")
    related_item = rules.re("boilerplate", "related_item")
    item_max = rules.get("boilerplate", "related_item_max_len")
    preface = rules.re("boilerplate", "preface_cue")
    header_brackets = rules.get("boilerplate", "related_header_brackets")
    # every TOC pattern is anchored at both ends (^…$): matched backwards from
    # the end, a prose line ending in 。 fails at its last character
    toc = rules.re("boilerplate", "toc", reverse=True)
    list_prefix = rules.re("boilerplate", "list_prefix")
    breadcrumb = rules.re("boilerplate", "breadcrumb")
    download = rules.re("boilerplate", "download_link")
    in_related = False
    for k, line in enumerate(lines):
        v = line.view.strip()
        if v and v not in ("-", "*"):  # half the lines are blank: no prefix to strip
            v = list_prefix.sub("", v)
        if not v:
            line.kind = "blank"
            continue
        if in_related and len(v) <= item_max and not _SENTENCE.search(v) and not is_chrome(v) \
                and not (_body_follows(lines, k, rules) and _title(line, title_rules)):
            line.kind = "related_list"  # a title-like line inside the list is a list item, unless a body follows it
            continue
        if not breadcrumb.match(v) and _title(line, title_rules):  # 首页 > … > 年度计划 names no plan
            in_related = False
            continue
        if related_header.search(v.strip(header_brackets)):
            line.kind, in_related = "related_list", True
        elif is_chrome(v) or breadcrumb.match(v):
            line.kind = "site_chrome"
        elif in_related and (related_item.search(v) or len(v) <= item_max and not _SENTENCE.search(v)):
            line.kind = "related_list"
        elif download.match(v):
            line.kind = "site_chrome"
        elif toc.match(v):
            line.kind = "toc"
        elif len(v) < 200 and preface.search(v):
            line.kind = "preface"
        else:
            in_related = False


def _body_follows(lines: list[Line], k: int, rules: Rules) -> bool:
    """Whether the next non-blank line after ``k`` is prose (it ends a sentence,
    which list items do not) or a section heading (一、工作目标): a plan's title
    after a related list opens a plan."""
    for line in lines[k + 1:k + 4]:
        v = line.view.strip()
        if v:
            return _SENTENCE.search(v) is not None or opens_with_marker(v, rules) \
                or len(v) > LEAD_IN_MIN and v[-1] in COLON  # 现将我中心2026年度工作安排如下：
    return False


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
        rules.re("plans", "title_suffix", reverse=True), lambda view: opens_with_marker(view, rules),
        rules.re("plans", "title"), rules.re("plans", "markdown_heading"), rules.re("plans", "collection_suffix"),
        rules.re("plans", "letter_spacing"), rules.re("plans", "generic_title"),
        (rules.re("plans", "bracketed_title"), rules.get("plans", "bracketed_title", "brackets")),
        rules.re("plans", "caption"),
        rules.re("plans", "title", "contains")))  # last: a test swaps it for one that matches every line


def _title(line: Line, title_rules: tuple) -> bool:
    """Mark ``line`` as a plan title when it names a plan (``title_rules``:
    :func:`_title_rules`, fetched once per document)."""
    max_len, title_prefix, title_suffix, opens_with_marker, title, markdown_heading, collection_suffix, \
        letter_spacing, generic, (bracketed, brackets), caption, plan_word = title_rules
    view = line.view
    if len(view.strip(" \t\u3000*_#")) > max_len:
        return False  # the core is at least this long: a paragraph, decided without a search
    if not plan_word.search(view):
        view = letter_spacing.sub("", view)  # 工 作 计 划
        if not plan_word.search(view):
            return False  # no title without a plan word: one search of the line instead of four
    prefix = title_prefix.match(view)
    suffix = title_suffix.search(view, prefix.end())
    a, b = prefix.end(), max(prefix.end(), suffix.start())
    core = view[a:b]
    if not core or len(core) > max_len:
        return False
    if opens_with_marker(core) or caption.match(core) or "\t" in core:
        return False  # a heading of the plan's own tree, a table's caption or row
    m = title.match(core)
    if not m:
        return False
    if not (m.group("ordinal") or m.group("prefix")) and generic.match(m.group("stem").strip().lstrip(brackets[0])):
        return False  # 工作思路: a part's heading
    if core.startswith(brackets[0]) and core.endswith(brackets[1]) and not bracketed.search(core):
        return False  # 【免疫规划】: a heading of the plan, a post's headline names its year
    heading = markdown_heading.match(view)
    line.kind = "title"
    line.ordinal = bool(m.group("ordinal") or m.group("prefix"))
    line.collection = bool(m.group("collection")) or bool(
        collection_suffix.search(m.group("suffix") or ""))
    line.heading = len(heading.group("hashes")) if heading else 0
    if view is not line.view:  # matched without its letter spacing: the title's bounds as written
        a = title_prefix.match(line.view).end()
        b = max(a, title_suffix.search(line.view, a).start())
    line.title = line.text[a:b].strip()
    return True
