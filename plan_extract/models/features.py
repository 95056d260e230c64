"""What a model sees: a stage object's context as a plain row, and a row's
features, defined once for training (scikit-learn's DictVectorizer) and for
prediction (:class:`plan_extract.models.linear.LinearModel`)."""

from __future__ import annotations

from itertools import chain
from operator import add
from typing import Callable, Sequence

import regex

from ..core.document import Candidate, Line, Section
from ..rules import load_rules
from ..text.punctuation import SENTENCE_END
from ..text.spans import section_titler

# The words features name come from the shipped targets table, as the models
# were trained on them (a custom Rules changes the rules, not the features).
_TABLE = load_rules().get("targets")
TENSE_MARKERS = tuple(_TABLE["tense_markers"])
# One pass finds every marker (overlapped: 力争取 holds 力争 and 争取).
_TENSE_RX = regex.compile("|".join(TENSE_MARKERS))
_CJK_FIRST = _TABLE["cjk_numeral_first"]
_LINE_ENDS = SENTENCE_END + "."


# --- rows: what a model sees ---------------------------------------------

_CELL_GAP = regex.compile(r"[ \u3000]*\t[ \t\u3000]*|(?<=\S)[ \u3000]{2,}")


def _squeezed(context: str) -> str:
    """A context with each cell gap of a table one tab, however the table was
    aligned (tabs, a tab and the rest of a space run, spaces): a row typed in
    columns reads like a Word table's."""
    return _CELL_GAP.sub("\t", context) if ("\t" in context or "  " in context or "\u3000\u3000" in context) else context


def candidate_row(c: Candidate, view: str, *, rule_label: str, section_title: str = "") -> dict:
    """The context of one target candidate, as plain data."""
    sentence = c.sentence_start
    return {
        "rule": rule_label,
        "flags": sorted(c.flags),
        "cue": c.cue[0] if c.cue else "",
        "cue_word": view[c.cue[1]:c.cue[2]] if c.cue else "",
        "after_cue": view[c.after_cue[1]:c.after_cue[2]] if c.after_cue else "",
        "verb": view[c.verb[0]:c.verb[1]] if c.verb else "",
        "unit": c.unit,
        "placeholder": c.placeholder,
        "range": c.hi is not None,
        "cjk": c.lo[:1] in _CJK_FIRST,
        "left": _squeezed(view[max(0, c.start - 40):c.start])[-10:],
        "right": _squeezed(view[c.end:c.end + 30])[:8],
        "sentence": view[sentence:c.start],
        "clause": _squeezed(view[c.clause_start:c.start]),
        "baseline": c.baseline_of is not None,
        "has_baseline": c.change_from is not None,
        "position": round(c.start / max(1, len(view)), 1),
        "section": section_title,
    }


def line_row(lines: Sequence[Line], i: int, *, rule_kind: str) -> dict:
    """The context of one line of a document, as plain data."""
    line = lines[i]
    text = line.view.strip()
    return {
        "text": text[:80],
        "rule": rule_kind,
        "length": len(text),
        "position": round(i / max(1, len(lines) - 1), 1),
        "prev": lines[i - 1].kind if i else "start",
        "next": lines[i + 1].kind if i + 1 < len(lines) else "end",
    }


def _grams(text: str, n_max: int) -> chain:
    """Character 1- to ``n_max``-grams of ``text`` (n_max 2 or 3), built by C-level
    maps instead of a Python loop over positions."""
    pairs = map(add, text, text[1:])
    if n_max == 2:
        return chain(text, pairs)
    return chain(text, pairs, map(add, map(add, text, text[1:]), text[2:]))


# Features come as families ``(prefix, keys)``: a feature's name is
# ``prefix + key`` and its value 1.0, so a model looks each family's weights up
# by the bare key and no name is formatted at prediction time.  A family given
# as a ``str`` is a text whose character 1- and 2-grams are the keys (a
# section title, which every candidate under it shares: scored once).
# Real-valued features come apart, as ``(name, value)`` pairs.
CANDIDATE_PREFIXES = ("flag=", "L:", "R:", "C:", "tense=", "S:")
LINE_PREFIXES = ("B:", "E:")


def candidate_keyed(row: dict) -> tuple[list, tuple]:
    """A candidate row's features: (families, real-valued pairs)."""
    fixed = (f"cue={row['cue']}", f"cue_word={row['cue_word']}", f"after={row['after_cue']}",
             f"verb={bool(row['verb'])}", f"unit={row['unit']}", f"placeholder={row['placeholder']}",
             f"range={row['range']}", f"cjk={row['cjk']}", f"baseline={row['baseline']}",
             f"has_baseline={row['has_baseline']}", f"position={row['position']}")
    return [("", fixed), ("flag=", row["flags"]), ("L:", _grams(row["left"][-6:], 3)),
            ("R:", _grams(row["right"][:4], 2)), ("C:", _grams(row["clause"][-16:], 2)),
            ("tense=", _TENSE_RX.findall(row["sentence"], overlapped=True)), ("S:", row["section"][:20])], ()


def line_keyed(row: dict) -> tuple[list, tuple]:
    """A line row's features: (families, real-valued pairs)."""
    text, length = row["text"], row["length"]
    fixed = (f"rule={row['rule']}", f"prev={row['prev']}", f"next={row['next']}",
             f"position={row['position']}", f"short={length < 12}",
             f"ends_punct={text[-1:] in _LINE_ENDS}", f"has_digit={any(map(str.isdigit, text))}")
    return [("", fixed), ("B:", _grams(text[:12], 2)), ("E:", _grams(text[-8:], 2))], \
        (("length", min(length, 200) / 200),)


def _feature_dict(keyed: tuple[list, tuple]) -> dict:
    families, reals = keyed
    names = (prefix + k for prefix, keys in families
             for k in (_grams(keys, 2) if type(keys) is str else keys))
    return {**dict.fromkeys(names, 1.0), **dict(reals)}


def candidate_features(rows: Sequence[dict]) -> list[dict]:
    """Feature dicts for candidate rows, as scikit-learn's DictVectorizer takes them."""
    return [_feature_dict(candidate_keyed(r)) for r in rows]


def line_features(rows: Sequence[dict]) -> list[dict]:
    """Feature dicts for line rows."""
    return [_feature_dict(line_keyed(r)) for r in rows]


def candidate_rows(cands: Sequence[Candidate], rule_labels: Sequence[str], view: str,
                   sections: Sequence[Section]) -> list[dict]:
    """One row per candidate of a plan, as both the run and training build them."""
    title: Callable[[int], str] = section_titler(sections)
    return [candidate_row(c, view, rule_label=r, section_title=title(c.start)) for c, r in zip(cands, rule_labels)]


LINE_MODEL_MAX_LEN = 60  # boilerplate lines are short: longer text lines are never sent to the line model


def judged_lines(lines: Sequence[Line]) -> list[int]:
    """Indices of the lines a line model judges at run time: the rules' text
    lines up to ``LINE_MODEL_MAX_LEN`` characters."""
    return [i for i, ln in enumerate(lines) if ln.kind == "text" and len(ln.view.strip()) <= LINE_MODEL_MAX_LEN]


def line_rows(lines: Sequence[Line], index: Sequence[int]) -> list[dict]:
    """Rows of ``lines[i]`` for each ``i`` in ``index``, as both the run and training build them."""
    return [line_row(lines, i, rule_kind=lines[i].kind) for i in index]


FEATURES = {"candidates": candidate_features, "lines": line_features}
# Each kind's features as families, and the prefixes of its families.
KEYED = {"candidates": (candidate_keyed, CANDIDATE_PREFIXES), "lines": (line_keyed, LINE_PREFIXES)}
