"""Numbers as written in plans: Arabic, full-width, Chinese (cn2an), 百分之N,
and the numbers of enumeration markers (十一, ㈢, 貳)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Optional

import regex

from ..rules import load_rules

_WORDS = load_rules().get("shared", "numerals")
FRACTIONS: dict[str, str] = _WORDS["fractions"]  # 百分之 -> %: the word that makes a number a fraction, its unit
_FRACTION_WORDS = tuple(FRACTIONS)
DIGITS: dict[str, int] = _WORDS["digits"]  # 三 -> 3: one character, no cn2an needed
_CN2AN_READS = str.maketrans(_WORDS["cn2an_reads"])
_HAN = regex.compile(r"\p{Han}+")


MAGNITUDES: dict[str, int] = _WORDS["magnitudes"]  # 万 -> 10000
_MAGNITUDES = MAGNITUDES
FRACTION = _WORDS["fraction"]  # 分之
COUNTED_HALF = _WORDS["counter"] + _WORDS["half"]  # 个半
_DIGITS_AROUND_MAGNITUDE = regex.compile(r"(\d+(?:\.\d+)?)([" + "".join(_MAGNITUDES) + r"])(\d+)")
_SPACES = regex.compile(r"[\s,]+")
_ZERO = _WORDS["zero"]
_COUNTED_HALF = COUNTED_HALF
_ZEROS = regex.compile(regex.escape(_ZERO) + "{2,}")


def _cn2an(text: str, mode: str) -> float:
    """cn2an's reading of a Chinese numeral, imported on first need (its import
    compiles patterns for 0.3 s, more than a short document's whole extraction)."""
    import cn2an

    return cn2an.cn2an(text, mode)


@lru_cache(maxsize=8192)
def to_number(text: str) -> Optional[float]:
    """The value of a number as plans write it, or None: ``"两"`` → 2,
    ``"百分之三十"`` → 30, ``"百分之35"`` → 35, ``"三亿零八"`` → 300000008,
    ``"壹佰贰拾"`` → 120, ``"2万5000"`` → 25000, ``"9 8"`` → 98 (a PDF's spaces).

    cn2an does the arithmetic of Chinese numerals; what it does not read is
    handled here: 参 and 〇 (it reads 叁 and 零), runs of zeros (零零), a lone
    百 (百分之百) or 半, and digits on both sides of a myriad (2万5000)."""
    s = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if not s:
        return None
    if s.startswith(_FRACTION_WORDS):
        s = s[len(next(w for w in _FRACTION_WORDS if s.startswith(w))):]
    if s == _WORDS["hundred"]:  # 百分之百
        return 100.0
    if s == _WORDS["half"]:
        return 0.5
    if s.endswith(_COUNTED_HALF):  # 两个半 = 2.5
        whole = to_number(s[:-len(_COUNTED_HALF)])
        return None if whole is None else whole + 0.5
    if _WORDS["fraction"] in s:  # 三分之二 = 2/3, as a decimal
        denominator, numerator = (to_number(part) for part in s.split(_WORDS["fraction"], 1))
        return round(numerator / denominator, 6) if numerator is not None and denominator else None
    try:
        return float(s)
    except ValueError:
        pass
    m = _DIGITS_AROUND_MAGNITUDE.fullmatch(s)
    if m:  # 2万5000 = 25000; 2万5 = 2.5万, as it is said
        head, magnitude, tail = float(m.group(1)), _MAGNITUDES[m.group(2)], m.group(3)
        places = len(str(magnitude)) - 1
        return head * magnitude + int(tail) * 10 ** max(0, places - len(tail))
    if s in DIGITS:
        return float(DIGITS[s])
    try:
        return float(_cn2an(_ZEROS.sub(_ZERO, s.translate(_CN2AN_READS)), "smart"))
    except (ValueError, KeyError, IndexError):
        return None


@lru_cache(maxsize=1024)
def digit_by_digit(text: str) -> Optional[int]:
    """A number written digit by digit, as years are: ``二〇二六`` → 2026
    (where ``to_number`` would read 二〇〇〇 as a count: 二千)."""
    digits = []
    for ch in unicodedata.normalize("NFKC", text).translate(_CN2AN_READS):
        if ch.isdigit():
            digits.append(ch)
            continue
        value = DIGITS.get(ch)
        if value is None:
            try:
                value = int(_cn2an(ch, "normal"))
            except (ValueError, KeyError, IndexError):
                return None
        if value > 9:
            return None
        digits.append(str(value))
    return int("".join(digits)) if digits else None


def as_json_number(value: Optional[float]):
    """Integers stay integers in JSON (98, not 98.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@lru_cache(maxsize=4096)
def marker_number(num: str) -> Optional[int]:
    """The integer of a marker's numeral: ``十一`` → 11, ``㈢`` → 3, ``貳`` → 2;
    None for a numeral that is not a number (``十十``, ``十五一``, digits of
    two scripts ``۹1``): such a typo is no marker (decision 46)."""
    if num.isdigit() and num.isascii():
        return int(num)
    if num in DIGITS:
        return DIGITS[num]
    if len(num) == 1 and not _HAN.match(num):  # ㈢ ⑶ ③: the character's own value
        value = unicodedata.numeric(num, None)
        return int(value) if value is not None and value == int(value) else None
    if not _HAN.fullmatch(num):
        return None  # several characters, not all Han: no numeral
    try:
        return int(_cn2an(num.translate(_CN2AN_READS), "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None
