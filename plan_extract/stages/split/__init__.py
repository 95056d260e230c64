"""Stage ``split``: cut a cleaned document into plans (SPEC §1).

Each line is classified once (plan title, site chrome, related list, preface,
table of contents, text); plans start at plan titles; what belongs to no plan
is dropped and counted, so each plan's ``warnings`` say what was left out.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Callable, Optional, Sequence

import regex

from ...core.document import Cleaned, Line, Note, Plan
from ...core.offsets import TextBuilder
from ...rules import Rules, load_rules
from ...text.markers import opens_with_marker
from ...text.punctuation import SENTENCE_END, char_class
from .lines import classify_lines
from .year import plan_year
_SENTENCE_END = regex.compile(char_class(SENTENCE_END))

DROPPED = ("site_chrome", "related_list", "preface", "toc", "collection_title", "boilerplate", "running_header")

# line_decider(lines) -> a kind for each line: the rules' kind, or "boilerplate"
# where a trained line model is sure (the pipeline passes one in).
LineDecider = Callable[[Sequence[Line]], Sequence[str]]


def _plan_starts(lines: list[Line], rules: Rules) -> list[int]:
    titles = [i for i, ln in enumerate(lines) if ln.kind == "title" and not ln.collection]
    ordinal = [i for i in titles if lines[i].ordinal]
    if ordinal:  # and a title without an ordinal that chrome sets apart from the plan before
        apart = [i for i in titles if not lines[i].ordinal and _after_chrome(lines, i) and _body_after(lines, i) >= 200]
        return sorted(ordinal + apart)
    for level in sorted({lines[i].heading for i in titles if lines[i].heading}):
        same = [i for i in titles if lines[i].heading == level]
        if len(same) >= 2:
            return same
    gathered = next((i for i, ln in enumerate(lines) if ln.kind == "title" and ln.collection), None)
    if gathered is not None:  # under a collection's title (…计划汇编), each plan title with a body opens a plan
        members = [i for i in titles if i > gathered and _body_after(lines, i) >= 200]
        if len(members) >= 2:
            return members
    isolated = [i for i in titles if _isolated(lines, i, rules.re("plans", "date_line"))]
    if len(isolated) >= 2 and all(_body_after(lines, i) >= 200 for i in isolated):
        return isolated
    # plans in a row: the file opens with a plan title and another follows a finished paragraph
    content = [i for i, ln in enumerate(lines) if ln.kind in ("text", "title")]
    if content and lines[content[0]].kind == "title":
        in_row = [i for i in titles if i == content[0] or _after_paragraph(lines, i, rules.re("plans", "date_line"))]
        if len(in_row) >= 2 and all(_body_after(lines, i) >= 200 for i in in_row):
            return in_row
    content = [i for i, ln in enumerate(lines) if ln.kind in ("text", "title")]
    first_titles = [i for i in content[:3] if lines[i].kind == "title" and not lines[i].collection]
    if first_titles:
        return [_past_cover(lines, titles, first_titles[0])]
    if titles and _text_before(lines, titles[0]) <= rules.get("plans", "title", "preface_max_chars"):
        return titles[:1]  # a page's menus and top bar before the one title: a preface
    return content[:1]


def _attached_plans(lines: list[Line], starts: list[int], rules: Rules) -> list[int]:
    """A notice issuing a plan (关于印发…的通知) covers it: a title right under
    an attachment label (附件) after it starts the plan, and the notice between
    them (文号, addressees, its signature) is nobody's plan text."""
    notice, label = rules.re("plans", "issuing_notice"), rules.re("plans", "attachment_label")
    out = []
    for s, end in zip(starts, starts[1:] + [len(lines)]):
        attached = None
        if lines[s].kind == "title" and notice.match(lines[s].view.strip()):
            last = None  # the nearest non-blank line before each title
            for j in range(s + 1, end):
                if lines[j].kind == "title" and last is not None and label.match(lines[last].view.strip()):
                    attached = j
                    break
                if lines[j].kind != "blank":
                    last = j
        if attached is None:
            out.append(s)
            continue
        for ln in lines[s:attached]:
            ln.kind = {"text": "preface", "title": "collection_title"}.get(ln.kind, ln.kind)
        out.append(attached)
    return out


COVER_BODY_MAX = 200  # characters of text under a cover's title (its issuer, its date)


def _past_cover(lines: list[Line], titles: list[int], first: int) -> int:
    """The plan's title: ``first``, unless only a cover's lines and a table
    of contents (目录) stand under it before another title, which then heads
    the body (a long office document's cover, 目录, then its full title)."""
    if _body_after(lines, first) >= COVER_BODY_MAX:
        return first
    later = next((i for i in titles if i > first and _body_after(lines, i) >= COVER_BODY_MAX), None)
    if later is None or not any(ln.kind == "toc" for ln in lines[first:later]):
        return first
    return later


COMMENT_MAX_LINES = 3  # lines of one reply in a comment section


def _drop_signature_tail(plan_lines: list[Line], rules: Rules) -> None:
    """Short lines after a plan's last date line (or an article's end mark,
    ——本文完——) are the page's tail, not the plan: a scraped page ends a plan
    with its signature, then links, sharing prompts and glossaries that no
    chrome list can name in advance."""
    date_line, end_marker = rules.re("plans", "date_line"), rules.re("plans", "end_marker")
    dated = [i for i, ln in enumerate(plan_lines) if ln.kind == "text" and date_line.match(ln.view.strip())] \
        or [i for i, ln in enumerate(plan_lines) if ln.kind != "blank" and end_marker.match(ln.view.strip())]
    if not dated:
        _after_post_footer(plan_lines, rules)
        return
    after = [ln for ln in plan_lines[dated[-1] + 1:] if ln.kind != "blank"]
    post_footer = rules.re("plans", "signature_tail", "post_footer")
    footer = next((k for k, ln in enumerate(after) if post_footer.match(ln.view.strip())), None)
    if footer is not None and not any(ln.kind == "text" and opens_with_marker(ln.view.strip(), rules)
                                      for ln in after[:footer]):  # (a date under the title has the body before its footer)
        for ln in after:
            ln.kind = "site_chrome" if ln.kind in ("text", "title") else ln.kind
        return
    if not any(ln.kind == "text" and opens_with_marker(ln.view.strip(), rules) for ln in after):
        _comments(after)  # a plan's own sections after a date (a date under the title) are no replies
    tail = [ln for ln in after if ln.kind == "text"]
    limits = rules.get("plans", "signature_tail")
    keeps = rules.re("plans", "signature_tail", "keeps")
    contact = rules.re("plans", "signature_tail", "contact")
    if not tail or sum(len(ln.view.strip()) for ln in tail) > limits["max_chars"]:
        return
    if any(len(ln.view.strip()) > limits["line_max_len"] or keeps.search(ln.view) for ln in tail):
        return
    if all(contact.search(ln.view) for ln in tail):
        return  # the issuer's own contact lines (decision 49)
    for ln in tail:
        ln.kind = "site_chrome"


POST_BODY_SHARE = 0.5  # of a plan's text, at least, before a share bar that ends it


def _after_post_footer(plan_lines: list[Line], rules: Rules) -> None:
    """An unsigned post (a 微博 long post): its share bar (转发 128, 评论 56)
    ends it when more than half of the text stands before it; the comments under it
    are the page's."""
    footer = rules.re("plans", "signature_tail", "post_footer")
    sizes = [len(ln.view.strip()) if ln.kind == "text" else 0 for ln in plan_lines]
    total, seen = sum(sizes), 0
    for k, ln in enumerate(plan_lines):
        if ln.kind in ("text", "site_chrome") and footer.match(ln.view.strip()) and seen >= POST_BODY_SHARE * total:
            for rest in plan_lines[k:]:
                rest.kind = "site_chrome" if rest.kind in ("text", "title") else rest.kind
            return
        seen += sizes[k]


def _comments(after: list[Line]) -> None:
    """After a plan's signature, a run of text lines with page furniture above
    and below it (a reply between 发表于… and 回复 引用 举报) is a comment."""
    k = 0
    while k < len(after):
        if after[k].kind != "text":
            k += 1
            continue
        end = k
        while end < len(after) and after[end].kind == "text":
            end += 1
        if k > 0 and end < len(after) and end - k <= COMMENT_MAX_LINES:
            for ln in after[k:end]:
                ln.kind = "site_chrome"
        k = end


def _text_before(lines: list[Line], i: int) -> int:
    return sum(len(ln.view.strip()) for ln in lines[:i] if ln.kind == "text")


def _isolated(lines: list[Line], i: int, date_line: regex.Pattern) -> bool:
    """A title line with no text right before it (a drafting date standing
    above a title does not count) and no title right after it."""
    k = i - 1
    if k >= 0 and lines[k].kind == "text" and date_line.match(lines[k].view.strip()):
        k -= 1  # 2026年1月9日 above 口腔科2026年工作计划
    before = k < 0 or lines[k].kind != "text" or k < i - 1 and _SENTENCE_END.search(lines[k].view.strip()[-1:])
    after = i + 1 >= len(lines) or lines[i + 1].kind != "title"
    return before and after


def _after_chrome(lines: list[Line], i: int) -> bool:
    """The nearest non-blank line before ``i`` is page chrome or a related list
    (a collection page puts its ads and links between plans)."""
    for ln in map(lines.__getitem__, range(i - 1, -1, -1)):
        if ln.kind != "blank":
            return ln.kind in ("site_chrome", "related_list", "boilerplate")
    return False


def _after_paragraph(lines: list[Line], i: int, date_line: regex.Pattern) -> bool:
    """The nearest text line before ``i`` ends a sentence (or is a date line)."""
    for ln in map(lines.__getitem__, range(i - 1, -1, -1)):  # no copy of the lines before: linear per title
        if ln.kind == "text":
            v = ln.view.strip()
            return bool(_SENTENCE_END.search(v[-1:]) or date_line.match(v))
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


def split_plans(cleaned: Cleaned, *, rules: Optional[Rules] = None,
                line_decider: Optional[LineDecider] = None) -> list[Plan]:
    """The plans of ``cleaned``, in document order (one when it holds no title).

    ``line_decider`` (a trained line model, :mod:`plan_extract.models.deciders`)
    may turn text lines into boilerplate; it never restores a dropped line.
    """
    rules = rules or load_rules()
    lines = classify_lines(cleaned, rules=rules)
    if line_decider is not None:
        for line, kind in zip(lines, line_decider(lines)):
            line.kind = kind
    starts = _attached_plans(lines, _plan_starts(lines, rules), rules)
    if not starts:
        return []
    before = [i for i in range(starts[0]) if lines[i].kind == "text"]
    if sum(len(lines[i].view.strip()) for i in before) > rules.get("plans", "title", "preface_max_chars"):
        starts = [before[0]] + starts  # too long for a preface: a plan whose title was not recognised
    date_line = rules.re("plans", "date_line")
    for i in starts[1:]:  # a drafting date standing above the next plan's title is neither plan's
        k = next((j for j in range(i - 1, -1, -1) if lines[j].kind != "blank"), None)
        if k is not None and lines[k].kind == "text" and date_line.match(lines[k].view.strip()) \
                and any(date_line.match(ln.view.strip()) for ln in lines[max(0, k - 3):k] if ln.kind == "text"):
            lines[k].kind = "preface"
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        _drop_signature_tail(lines[a:b], rules)
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
    undecodable = sum(1 for n in notes if n.kind == "undecodable")  # bytes the reader replaced with U+FFFD
    if undecodable:
        out.append({"code": "undecodable", "count": undecodable})
    low = [n.text for n in notes if n.kind == "ocr_low_confidence"]  # pages OCR read with little confidence
    if low:
        out.append({"code": "ocr_low_confidence", "count": len(low), "examples": low[:5]})
    return tuple(out)
