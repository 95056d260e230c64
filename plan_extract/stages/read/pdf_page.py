"""A PDF page's text through PDFium's calls: its characters with their
boxes, put in reading order (``columns.py``) and joined into lines.

PDFium gives the text in content-stream order with its own line breaks;
a Word export draws a font's runs apart, so each character's box decides
where it stands.  The calls made per character or per page object go
through plain-address signatures (:func:`_pdfium`): pypdfium2's pointer
checks cost as much as PDFium's own work there.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import compress, repeat
from operator import add, itemgetter, neg, sub
from typing import Optional

from .columns import joined, left_edge, placed, reading_order
from .grid import rules_of, wrapped_rows

__all__ = ["page_marks", "page_text"]

_SURROGATES = re.compile("[\ud800-\udfff]")
_BREAK_OR_SPACE = re.compile("[\r\n ]")
# A text object drawn at an angle (a diagonal watermark, 内部资料 over the body):
# its characters leave the page's text when the rest stands upright.
TILT = 0.02  # a text matrix's shear (b or c against a or d) past which text is drawn at an angle


def page_marks(page) -> tuple[bool, list[tuple[float, float, float, float]]]:
    """Whether the page draws a text object at an angle (a watermark), and
    the bounds of the path objects drawn on the page itself (a table's
    borders): the page's objects and those of its forms four levels deep,
    as ``page.get_objects(max_depth=4)`` walks them, through PDFium's own
    calls (a wrapper object per page object took a third of this stage's time)."""
    import ctypes

    from pypdfium2 import PdfiumError, raw

    matrix = raw.FS_MATRIX()
    ref = ctypes.addressof(matrix)
    box = (ctypes.c_float * 4)()
    corners = [ctypes.addressof(box) + 4 * k for k in range(4)]  # left, bottom, right, top
    kind_of, matrix_of, bounds_of = (_pdfium(name) for name in
                                     ("FPDFPageObj_GetType", "FPDFPageObj_GetMatrix", "FPDFPageObj_GetBounds"))
    top = ctypes.cast(page.raw, ctypes.c_void_p).value
    pending = [(_pdfium("FPDFPage_CountObjects"), _pdfium("FPDFPage_GetObject"), top, 0)]
    tilted, paths = False, []
    while pending:
        count, get, parent, level = pending.pop()
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = kind_of(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT and not tilted:
                if not matrix_of(obj, ref):
                    raise PdfiumError("Failed to get matrix of pageobject.")
                tilted = abs(matrix.b) > TILT * abs(matrix.a) + 1e-9 or abs(matrix.c) > TILT * abs(matrix.d) + 1e-9
            elif kind == raw.FPDF_PAGEOBJ_PATH and level == 0 and bounds_of(obj, *corners):
                paths.append(tuple(box))
            elif kind == raw.FPDF_PAGEOBJ_FORM and level < 3:
                pending.append((_pdfium("FPDFFormObj_CountObjects"), _pdfium("FPDFFormObj_GetObject"), obj, level + 1))
    return tilted, paths


def _tilted(tp, n: int) -> set[int]:
    """Indices of the characters drawn at another angle than most of the
    page's (a diagonal watermark over upright text)."""
    from pypdfium2 import raw

    angles = [round(raw.FPDFText_GetCharAngle(tp, i), 1) for i in range(n)]
    upright = Counter(angles).most_common(1)[0][0]
    return {i for i, a in enumerate(angles) if a != upright}


def page_text(textpage, gutter=None, tilted: bool = False, paths=()) -> tuple[str, Optional[tuple]]:
    """A page's lines in reading order, from the characters' boxes: a PDF's
    content stream need not follow the page (Word's exports draw a font's
    runs apart, so quotes and digits land out of place), and PDFium's own
    text puts a space wherever a run changes font.  ``gutter``: the column
    gutter of the page before (a layout holds from page to page); the
    page's own comes back with the text.  ``tilted``: the page draws text at
    an angle, whose characters are left out (a watermark).  ``paths``: the
    bounds of the page's path objects, whose borders make a table's rows
    whose cells wrap one line each (``grid.py``)."""
    chars = _chars(textpage, tilted)
    if chars is None:  # text PDFium does not index one code unit a character (outside the BMP): one at a time
        chars = _chars_one_by_one(textpage)
    rest, rows = wrapped_rows(chars, *rules_of(paths)) if paths else (chars, [])
    lines, gutter = reading_order(rest if rows else chars, gutter)
    if rows and gutter is None:  # one column: the rows take their places among the lines, top down
        placed_lines = [(line[0][5], joined(sorted(line, key=left_edge))) for line in lines]
        return "\n".join(text for _, text in sorted(placed_lines + rows, key=lambda item: item[0])), gutter
    if rows:
        lines, gutter = reading_order(chars, gutter)  # columns: the page as it reads without its table's rows
    return "\n".join(joined(sorted(line, key=left_edge)) for line in lines), gutter


def _chars(textpage, tilted: bool = False):
    """Each character a reader sees (not line breaks, not the spaces PDFium
    adds) with its loose box in points, as the reading order takes it
    (:func:`columns.placed`): the page's text taken once and indexed by
    PDFium's text index, a UTF-16 code unit (a character outside the BMP
    comes as a surrogate pair, each half with a box: :func:`_paired` joins
    them), one call for the box; ``None`` when the text indexes run past
    the text."""
    import ctypes

    from pypdfium2 import raw

    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buffer = (ctypes.c_ushort * (n + 1))()
    written = max(raw.FPDFText_GetText(tp, 0, n, buffer) - 1, 0)
    units = bytes(memoryview(buffer)[:written]).decode("utf-16-le", "surrogatepass")
    if len(units) == written and not _SURROGATES.search(units):
        return _located(tp, units, n, tilted)
    # a character outside the BMP: one character a code unit, as PDFium indexes them
    out = _located(tp, "".join(map(chr, memoryview(buffer).cast("B").cast("H")[:written].tolist())), n, tilted)
    return None if out is None else _paired(out)


def _paired(chars: list[tuple]) -> list[tuple]:
    """A surrogate pair's halves as the one character they encode, over
    both boxes; a half without its pair (a damaged text layer) left out."""
    out: list[tuple] = []
    for c in chars:
        if "\udc00" <= c[0] <= "\udfff" and out and "\ud800" <= out[-1][0] <= "\udbff":
            a = out.pop()
            ch = (a[0] + c[0]).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            c = placed(ch, min(a[1], c[1]), min(a[2], c[2]), max(a[3], c[3]), max(a[4], c[4]))
        out.append(c)
    return [c for c in out if not "\ud800" <= c[0] <= "\udfff"]


def _located(tp, units: str, n: int, tilted: bool):
    """:func:`_chars` of the text page ``tp`` whose ``n`` characters' text
    is ``units``, a character a text index."""
    import ctypes

    from pypdfium2 import PdfiumError, raw

    index_of, generated = raw.FPDFText_GetTextIndexFromCharIndex, raw.FPDFText_IsGenerated
    skip = _tilted(tp, n) if tilted else ()
    if not skip and len(units) == n and index_of(tp, 0) == 0 and index_of(tp, n - 1) == n - 1:
        return _chars_in_order(tp, units, generated)  # no lookups
    box = raw.FS_RECTF()
    loose, ref = _pdfium("FPDFText_GetLooseCharBox"), ctypes.addressof(box)
    page = ctypes.cast(tp, ctypes.c_void_p).value
    out, first = [], None
    for i in range(n):
        t = index_of(tp, i)
        if t < 0:
            continue
        if first is None:
            first = t  # the page's text starts at the first character that has one
        if i in skip:
            continue
        if t - first >= len(units):
            return None
        ch = units[t - first]
        if ch in "\r\n" or (ch == " " and generated(tp, i)):
            continue
        if not loose(page, i, ref):
            raise PdfiumError("Failed to get charbox.")
        out.append(placed(ch, box.left, box.bottom, box.right, box.top))
    return out


def _chars_in_order(tp, units: str, generated) -> list[tuple]:
    """:func:`_chars` where character ``i`` is ``units[i]`` (as many code units
    as characters, the first and last indexed as themselves): every box
    written by PDFium into one array and the tuples built at C speed (a
    Python loop over a page's thousand characters cost as much as PDFium's
    own text extraction), then the line breaks and PDFium's spaces left out."""
    import ctypes

    from pypdfium2 import PdfiumError

    n = len(units)
    boxes = (ctypes.c_float * (4 * n))()  # FS_RECTF: left, top, right, bottom
    base = ctypes.addressof(boxes)
    page = ctypes.cast(tp, ctypes.c_void_p).value
    if not all(map(_pdfium("FPDFText_GetLooseCharBox"), repeat(page, n), range(n), range(base, base + 16 * n, 16))):
        raise PdfiumError("Failed to get charbox.")
    floats = memoryview(boxes).cast("B").cast("f").tolist()
    lefts, tops, rights, bottoms = floats[0::4], floats[1::4], floats[2::4], floats[3::4]
    depths, heights = map(neg, map(add, bottoms, tops)), map(sub, tops, bottoms)  # as columns.placed has them
    placed_all = zip(units, lefts, bottoms, rights, tops, depths, heights)
    keep = bytearray(b"\x01") * n
    for found in _BREAK_OR_SPACE.finditer(units):
        i = found.start()
        keep[i] = found.group() == " " and not generated(tp, i)
    return list(compress(placed_all, keep))


# PDFium calls made often (per character, per page object): (result, arguments)
# with plain addresses for pointers, in ctypes' names
_SIGNATURES = {"FPDFText_GetLooseCharBox": ("c_int", "c_void_p", "c_int", "c_void_p"),
               "FPDFPageObj_GetBounds": ("c_int", "c_void_p", "c_void_p", "c_void_p", "c_void_p", "c_void_p"),
               "FPDFPage_CountObjects": ("c_int", "c_void_p"),
               "FPDFPage_GetObject": ("c_void_p", "c_void_p", "c_int"),
               "FPDFFormObj_CountObjects": ("c_int", "c_void_p"),
               "FPDFFormObj_GetObject": ("c_void_p", "c_void_p", "c_ulong"),
               "FPDFPageObj_GetType": ("c_int", "c_void_p"),
               "FPDFPageObj_GetMatrix": ("c_int", "c_void_p", "c_void_p")}


@lru_cache(maxsize=None)
def _pdfium(name: str):
    """PDFium's function ``name`` called with plain addresses: the same C
    function, without the checks and wrappers of pypdfium2's pointer types
    on each call (0.9 µs of 2.3 a character box, and a page has a thousand)."""
    import ctypes

    from pypdfium2 import raw

    result, *arguments = (getattr(ctypes, t) for t in _SIGNATURES[name])
    return ctypes.CFUNCTYPE(result, *arguments)(ctypes.cast(getattr(raw, name), ctypes.c_void_p).value)


def _chars_one_by_one(textpage) -> list[tuple]:
    from pypdfium2 import raw

    chars = []
    for i in range(textpage.count_chars()):
        ch = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if ch in ("\r", "\n", "\x00") or (ch == " " and raw.FPDFText_IsGenerated(textpage.raw, i)):
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append(placed(ch, left, bottom, right, top))
    return _paired(chars)
