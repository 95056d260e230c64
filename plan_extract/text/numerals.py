"""Numbers as written in plans: Arabic, full-width, Chinese (cn2an), 百分之N,
and the numbers of enumeration markers (十一, ㈢, 貳)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Optional

import cn2an


@lru_cache(maxsize=8192)
def to_number(text: str) -> Optional[float]:
    """The value of ``text`` (``"两"`` → 2, ``"百分之三十"`` → 30), or None."""
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if not s:
        return None
    if s.startswith(("百分之", "千分之")):
        s = s[3:]
    if s == "百":  # 百分之百
        return 100.0
    try:
        return float(s)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def as_json_number(value: Optional[float]):
    """Integers stay integers in JSON (98, not 98.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@lru_cache(maxsize=4096)
def marker_number(num: str) -> int:
    """The integer of a marker's numeral: ``十一`` → 11, ``㈢`` → 3, ``貳`` → 2."""
    if num.isdigit() and num.isascii():
        return int(num)
    if len(num) == 1 and not ("\u4e00" <= num <= "\u9fff"):
        return int(unicodedata.numeric(num))
    return int(cn2an.cn2an(num.replace("参", "叁"), "normal"))  # 參 simplifies to 参, which cn2an does not read
