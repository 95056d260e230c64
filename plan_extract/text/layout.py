"""Page furniture: running headers and footers (``XX县人民医院文件`` on every
page), defined once for the two places that drop them.

The clean stage removes them from hard-wrapped (PDF) text before it joins
wrapped lines, or they would be glued into sentences; there they must recur
once a page (far apart).  The split stage drops those left in any text, among
the lines it classifies as text.  The definition is ``rules/boilerplate.yaml``'s
``running_header``.
"""

from __future__ import annotations

from typing import Sequence

from ..rules import Rules
from .markers import opens_with_marker
from .script import make_view


def running_headers(lines: Sequence[str], *, rules: Rules, spread: bool = False) -> set[str]:
    """The stripped lines of ``lines`` that are running headers: short, no
    sentence punctuation, not opening with a section marker (a heading
    repeated in several plans), and met at least ``min_repeats`` times;
    with ``spread``, each repeat at least ``min_gap_lines`` lines after the last."""
    spec = rules.get("boilerplate", "running_header")
    punctuated = rules.re("boilerplate", "running_header", "punctuated")
    where: dict[str, list[int]] = {}
    for k, line in enumerate(lines):
        s = line.strip()
        if s and len(s) <= spec["max_len"]:
            where.setdefault(s, []).append(k)
    out = set()
    for s, at in where.items():
        if len(at) < spec["min_repeats"]:
            continue
        if spread and min(b - a for a, b in zip(at, at[1:])) < spec["min_gap_lines"]:
            continue
        if not punctuated.search(s) and not opens_with_marker(make_view(s, rules=rules), rules):
            out.add(s)
    return out
