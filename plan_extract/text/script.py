"""Script and width: simplified matching views of traditional, full-width text.

Every stage matches on a *view*: the text simplified (OpenCC ``t2s``) and
full-width folded (``９８％`` → ``98%``), with exactly the same length as the
text, so a match's offsets index the text itself.  The fold table is
``rules/clean.yaml``'s ``fold``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import ne

from ..core.vocabulary import Script
from ..rules import Rules

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")  # stdlib re: faster for one class


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # on first use: loading its dictionaries costs start-up time

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def _fold_table(rules: Rules) -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    for src, dst in rules.get("clean", "fold").items():
        if len(src) == 1 and len(dst) == 1:
            table[ord(src)] = dst
    return table


def make_view(text: str, *, rules: Rules) -> str:
    """Simplified, folded copy of ``text`` with exactly the same length."""
    return view_of(text, rules)[0]


def view_of(text: str, rules: Rules) -> tuple[str, bool]:
    """The view of ``text`` and whether simplification changed anything."""
    simple = to_simplified(text)
    changed = simple != text
    if len(simple) != len(text):
        simple = "\n".join(_same_length(line) for line in text.split("\n"))
    return fold(simple, rules), changed


def fold(text: str, rules: Rules) -> str:
    """``text.translate(fold table)``: a substitution of the few characters to
    fold costs less than translate's lookup of every character."""
    table, chars = rules.memo("fold", lambda: _fold_chars(rules))
    return chars.sub(lambda m: table[m[0]], text)


def _fold_chars(rules: Rules):
    table = {chr(k): v for k, v in _fold_table(rules).items()}
    return table, re.compile("[" + "".join(map(re.escape, sorted(table))) + "]")


def _same_length(line: str) -> str:
    out = to_simplified(line)
    if len(out) == len(line):
        return out
    return "".join(c if len(c2 := to_simplified(c)) != 1 else c2 for c in line)


def detect_script(text: str, view: str, sample: int = 20000, changed: bool = True) -> str:
    """``zh-Hant`` when simplification changes a noticeable share of Han characters
    (judged on the first ``sample`` characters: a document keeps one script).
    ``changed=False``: simplification was seen to leave ``text`` as it was."""
    if not changed:
        return Script.SIMPLIFIED.value
    written = _NOT_HAN.sub("", text[:sample])
    simplified = _NOT_HAN.sub("", view[:sample])
    if not written or written == simplified:  # most documents: decided by one comparison
        return Script.SIMPLIFIED.value
    if len(simplified) != len(written):  # the view folds same-length, so this is rare
        simplified = to_simplified(written)
    changed = sum(map(ne, written[:4000], simplified[:4000]))  # C-level, no Python loop per character
    return (Script.TRADITIONAL if changed / min(len(written), 4000) >= 0.05 else Script.SIMPLIFIED).value
