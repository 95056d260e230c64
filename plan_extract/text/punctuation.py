"""Punctuation classes, as the code measures sentences, clauses and brackets.

The characters are ``rules/shared.yaml``'s ``chars`` (the tables use the same
sets as ``{name}``); this module only names the combinations the code uses.
"""

from __future__ import annotations

import regex

from ..rules import load_rules

_CHARS = load_rules().get("shared", "chars")

FULL_STOP = _CHARS["full_stop"]  # 。；;
SENTENCE_END = _CHARS["sentence_end"]  # 。；;！？!?
COMMA = _CHARS["comma"]
COLON = _CHARS["colon"]
LIST_COMMA = _CHARS["list_comma"]
LOST = _CHARS["lost_punctuation"]
PAREN_OPEN, PAREN_CLOSE = _CHARS["paren_open"], _CHARS["paren_close"]
OPEN_BRACKETS, CLOSE_BRACKETS = _CHARS["open_bracket"], _CHARS["close_bracket"]
QUOTE_OPEN, QUOTE_CLOSE = _CHARS["quote_open"], _CHARS["quote_close"]
TITLE_OPEN, TITLE_CLOSE = _CHARS["title_open"], _CHARS["title_close"]

PAIRS: dict[str, str] = load_rules().get("shared", "pairs")  # closing mark -> its opening mark

CLAUSE_BREAKS = COMMA + SENTENCE_END + "\n"  # between two clauses
SENTENCE_BREAKS = SENTENCE_END + "\n"  # between two sentences


def char_class(chars: str) -> str:
    """A regex character class of exactly ``chars``."""
    return "[" + regex.escape(chars) + "]"
