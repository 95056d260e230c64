"""Offset maps: the way back from a derived text to the text it came from.

Every stage that rewrites text (cleaning, dropping boilerplate lines, cutting a
plan out of a collection) records what it kept and what it replaced, so any
span of the final text can be traced to the source.  A map is a list of
segments; a segment either copies characters one to one or replaces a run of
old characters by a run of new ones (possibly empty: a deletion or insertion).
The cost is one entry per edit, not per character, so maps stay small on
megabyte files.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OffsetMap:
    """Maps positions of a new text to positions of an old text.

    ``new[i]``/``old[i]`` are segment starts; the last entries are the two
    texts' lengths.  ``copy[i]`` says whether segment ``i`` copies (same
    length, position by position) or replaces.
    """

    new: tuple[int, ...]
    old: tuple[int, ...]
    copy: tuple[bool, ...]

    @property
    def new_len(self) -> int:
        return self.new[-1]

    @property
    def old_len(self) -> int:
        return self.old[-1]

    def start(self, pos: int) -> int:
        """Old position of the character that starts at new ``pos``."""
        if not self.copy:
            return pos
        if pos >= self.new_len:
            return self.old_len
        i = bisect_right(self.new, max(pos, 0)) - 1
        if self.copy[i]:
            return self.old[i] + (pos - self.new[i])
        return self.old[i]

    def end(self, pos: int) -> int:
        """Old position where a span ending at new ``pos`` ends."""
        if not self.copy:
            return pos
        if pos <= 0:
            return self.old[0]
        i = bisect_left(self.new, min(pos, self.new_len)) - 1
        if self.copy[i]:
            return self.old[i] + (min(pos, self.new_len) - self.new[i])
        return self.old[i + 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Old span of new ``[start, end)``."""
        if end <= start:
            s = self.start(start)
            return s, s
        return self.start(start), self.end(end)

    def then(self, outer: "OffsetMap") -> "OffsetMap":
        """Compose: ``outer`` maps a newer text onto this map's new text.

        The result maps the newer text straight to this map's old text.
        """
        b = MapBuilder()
        for k in range(len(outer.copy)):
            n0, n1 = outer.new[k], outer.new[k + 1]
            m0, m1 = outer.old[k], outer.old[k + 1]
            if not outer.copy[k]:
                o0 = self.start(m0)
                b.replace(o0, self.end(m1) if m1 > m0 else o0, n1 - n0)
                continue
            # copy segment: split at this map's breakpoints inside [m0, m1)
            i = max(bisect_right(self.new, m0) - 1, 0)
            pos = m0
            while pos < m1:
                seg_end = min(self.new[i + 1], m1)
                if seg_end <= pos:
                    i += 1
                    continue
                if self.copy[i]:
                    o0 = self.old[i] + (pos - self.new[i])
                    b.copy_from(o0, seg_end - pos)
                else:
                    b.replace(self.old[i], self.old[i + 1], seg_end - pos)
                pos = seg_end
                i += 1
        return b.build(self.old_len)


class MapBuilder:
    """Builds an :class:`OffsetMap` while a new text is written left to right.

    Old positions must not go backwards; an old run that is skipped becomes a
    deletion.
    """

    def __init__(self) -> None:
        self._new: list[int] = [0]
        self._old: list[int] = [0]
        self._copy: list[bool] = []

    def _segment(self, old_end: int, new_len: int, copy: bool) -> None:
        if copy and self._copy and self._copy[-1]:
            self._new[-1] += new_len
            self._old[-1] = old_end
            return
        self._new.append(self._new[-1] + new_len)
        self._old.append(old_end)
        self._copy.append(copy)

    def _skip_to(self, old_start: int) -> int:
        if old_start > self._old[-1]:
            self._segment(old_start, 0, False)
        return max(old_start, self._old[-1])

    def copy_from(self, old_start: int, n: int) -> None:
        """Copy ``n`` old characters starting at ``old_start``."""
        if n > 0:
            start = self._skip_to(old_start)
            if start != old_start:  # overlapping request: nothing left to copy one to one
                self._segment(max(start, old_start + n), n, False)
            else:
                self._segment(old_start + n, n, True)

    def replace(self, old_start: int, old_end: int, new_len: int) -> None:
        """Old ``[old_start, old_end)`` became ``new_len`` new characters."""
        start = self._skip_to(old_start)
        old_end = max(old_end, start)
        if old_end > start or new_len:
            self._segment(old_end, new_len, False)

    def build(self, old_len: int) -> OffsetMap:
        self._skip_to(old_len)
        return OffsetMap(tuple(self._new), tuple(self._old), tuple(self._copy))


def identity(n: int) -> OffsetMap:
    return OffsetMap((0, n), (0, n), (True,)) if n else OffsetMap((0,), (0,), ())


@dataclass
class TextBuilder:
    """Writes a new text from pieces of an old one, keeping the map."""

    old: str
    parts: list[str] = field(default_factory=list)
    map: MapBuilder = field(default_factory=MapBuilder)

    def keep(self, start: int, end: int) -> None:
        if end > start:
            self.parts.append(self.old[start:end])
            self.map.copy_from(start, end - start)

    def put(self, start: int, end: int, text: str) -> None:
        """Replace old ``[start, end)`` by ``text``."""
        if text == self.old[start:end]:
            self.keep(start, end)
            return
        self.parts.append(text)
        self.map.replace(start, end, len(text))

    def result(self) -> tuple[str, OffsetMap]:
        return "".join(self.parts), self.map.build(len(self.old))
