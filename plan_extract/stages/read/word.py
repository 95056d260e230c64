"""Word ``.docx`` files through python-docx (legacy ``.doc``: ``doc.py``).
List numbering stored as Word formatting is rendered back to the markers a
reader sees (``一、``, ``（一）``, ``1.``), so the sections stage finds them."""

from __future__ import annotations

import io
import zipfile


from ...core.document import Layout
from ...core.errors import StageError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Decompression budget of a zip package (.docx, .xlsx).  python-docx reads every part
# with ``zipfile``, which never returns more bytes than the size the zip's
# directory declares (a member that inflates past it fails its CRC check),
# so checking the declared sizes before python-docx opens the package bounds
# what is inflated and parsed.  Parsed XML takes about 20 times its size in
# memory; media are stored nearly as they are.
MAX_PART_BYTES = 20 * 1024 * 1024  # one part, decompressed
MAX_MEDIA_BYTES = 50 * 1024 * 1024  # one part stored at most twice its compressed size (an image)
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # all parts together
MAX_PARTS = 10_000


def _number_text(fmt: str, n: int) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "chineseLegalSimplified"):
        import cn2an  # here, not at the top: its import costs every start 0.3 s

        return cn2an.an2cn(n, "low")
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "ideographEnclosedCircle" and 1 <= n <= 10:
        return chr(0x3220 + n - 1)  # ㈠
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)  # ⑴
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "bullet":
        return ""
    return str(n)


class _Numbering:
    """Word's list numbering: definitions and running counters."""

    def __init__(self, document):
        # (numId, ilvl) -> (fmt, lvlText, start, suffix: tab, space or nothing)
        self.levels: dict[tuple[str, int], tuple[str, str, int, str]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for a in root.findall(f"{W}abstractNum"):
            lv = {}
            for lvl in a.findall(f"{W}lvl"):
                ilvl = int(lvl.get(f"{W}ilvl", "0"))
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                suffix = lvl.find(f"{W}suff")
                lv[ilvl] = (fmt.get(f"{W}val") if fmt is not None else "decimal",
                            text.get(f"{W}val") if text is not None else "%1.",
                            int(start.get(f"{W}val")) if start is not None else 1,
                            suffix.get(f"{W}val") if suffix is not None else "tab")
            abstract[a.get(f"{W}abstractNumId")] = lv
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{W}val"), {}).items():
                self.levels[(num.get(f"{W}numId"), ilvl)] = spec

    def marker(self, num_id: str, ilvl: int) -> str:
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        start = spec[2]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = spec[1]
        for k in range(ilvl + 1):
            fmt_k = self.levels.get((num_id, k), spec)[0]
            value = counters[k] or self.levels.get((num_id, k), spec)[2]
            text = text.replace(f"%{k + 1}", _number_text(fmt_k, value))
        if text[-1:].isalnum() and spec[3] != "nothing":
            text += " "  # 3.1.1 and the tab Word shows after it: the number stays apart from the heading
        return text


def _num_pr(paragraph, by_style: dict):
    """(numbering id, level) of a list paragraph, or None.  ``by_style``
    keeps what each paragraph style gives (None: the default style), read
    once per document: python-docx finds the default style by walking every
    style's attributes, which was nine tenths of a .docx's reading time."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is None:  # numbering may come from the paragraph's style
        style_id = paragraph._p.style
        if style_id not in by_style:
            style, found = paragraph.style, None
            while style is not None and found is None:
                sppr = style.element.pPr
                found = sppr.numPr if sppr is not None else None
                style = style.base_style
            by_style[style_id] = found
        num_pr = by_style[style_id]
    if num_pr is None or num_pr.numId is None:
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(ilvl)


def docx_text(data: bytes) -> str:
    """Paragraphs and table rows in document order, list numbers made visible."""
    return docx_read(data)[0]


def docx_read(data: bytes) -> tuple[str, None, Layout]:
    """:func:`docx_text`, and where pages start when Word recorded its page
    breaks (``w:br w:type="page"``, ``w:lastRenderedPageBreak``,
    ``w:pageBreakBefore``): the pages of its last layout, an estimate."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise StageError("read", "password-protected or legacy (OLE) Word file, not a .docx package")
    try:
        check_package(data)
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise StageError("read", f"corrupt .docx: {exc}") from None
    numbering = _Numbering(document)
    _unwrap_table_controls(document.element.body)
    lines, breaks = [], []  # breaks: (line index, characters into the line) where a page starts
    by_style: dict = {}

    def read_blocks(blocks) -> None:
        for child in blocks:
            if child.tag == f"{W}p":
                num = _num_pr(Paragraph(child, document), by_style)
                marker = numbering.marker(*num) if num else ""
                text, at, boxes = _paragraph(child)
                lines.extend(boxes)  # a text box's lines (a cover's title) before the paragraph it is anchored in
                breaks.extend((len(lines), len(marker) + a) for a in at)
                lines.append(marker + text)
            elif child.tag == f"{W}tbl":
                for row in Table(child, document).rows:
                    if any(tc.find(f"{W}tbl") is not None for tc in row._tr.iterchildren(f"{W}tc")):
                        # a layout row: a cell holds a table of its own, so each cell
                        # is read as a page's body, its paragraphs and tables in turn
                        for tc in row._tr.iterchildren(f"{W}tc"):
                            read_blocks(_blocks(tc))
                        continue
                    cells, last, row_breaks = [], None, []
                    for cell in row.cells:
                        if cell._tc is not last:  # a merged cell comes once per column it spans
                            texts = [_paragraph(p) for p in cell._tc.iter(f"{W}p")]
                            row_breaks += [a for _, at, _ in texts for a in at]
                            cells.append("\n".join(t for t, _, _ in texts).strip().replace("\n", " "))
                        last = cell._tc
                    breaks.extend((len(lines), 0) for _ in row_breaks[:1])
                    lines.append("\t".join(cells))

    read_blocks(_blocks(document.element.body))
    return "\n".join(lines), None, Layout(pages=_page_starts(lines, breaks))


# Parts of a paragraph Word does not show as its text: tracked deletions (and
# the old place of moved text), field codes and the fallback copy of an
# alternate content (a text box drawn twice, DrawingML and VML).
_HIDDEN = {f"{W}del", f"{W}moveFrom", f"{W}instrText", f"{W}delText",
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def _unwrap_table_controls(body) -> None:
    """Content controls around table rows (a repeating section) or cells
    replaced, in the tree read here, by what they hold: python-docx's rows and
    cells are the table's own children, so their text was lost."""
    tbl, tr = f"{W}tbl", f"{W}tr"
    for sdt in list(body.iter(f"{W}sdt")):  # document order: an outer control first
        parent = sdt.getparent()
        if parent is None or parent.tag not in (tbl, tr):
            continue
        content = sdt.find(f"{W}sdtContent")
        at = parent.index(sdt)
        parent.remove(sdt)
        for k, child in enumerate(list(content) if content is not None else []):
            parent.insert(at + k, child)


def _blocks(body):
    """The body's paragraphs and tables in order, those inside content
    controls (``w:sdt``) included."""
    for child in body.iterchildren():
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        else:
            yield child


def _paragraph(p) -> tuple[str, list[int], list[str]]:
    """A paragraph's text as Word shows it with its revisions accepted
    (insertions in, deletions out), the characters before each page
    break it holds (``w:br w:type="page"``, ``w:lastRenderedPageBreak``),
    and the lines of the text boxes anchored in it (a cover's title)."""
    out: list[str] = []
    boxes: list[str] = []
    breaks = [0] if p.find(f"{W}pPr/{W}pageBreakBefore") is not None else []
    pos = 0

    def walk(element):
        nonlocal pos
        for node in element.iterchildren():
            tag = node.tag
            if not isinstance(tag, str) or tag in _HIDDEN or tag == f"{W}pPr":
                continue
            if tag == f"{W}txbxContent":
                boxes.extend(line for q in node.iter(f"{W}p") for line in [_paragraph(q)[0].strip()] if line)
                continue
            if tag == f"{W}t":
                out.append(node.text or "")
                pos += len(node.text or "")
            elif tag in (f"{W}tab", f"{W}ptab"):
                out.append("\t")
                pos += 1
            elif tag in (f"{W}br", f"{W}cr"):
                if node.get(f"{W}type") == "page":
                    breaks.append(pos)
                elif node.get(f"{W}type") in (None, "textWrapping"):
                    out.append("\n")
                    pos += 1
            elif tag == f"{W}lastRenderedPageBreak":
                breaks.append(pos)
            else:
                walk(node)
    walk(p)
    return "".join(out), breaks, boxes


def _page_starts(lines: list[str], breaks: list[tuple[int, int]]) -> tuple[int, ...]:
    """Offsets in the joined text where pages start; a break at a line's end
    starts the page at the next line, so Word's manual break and the rendered
    break after it count once."""
    if not breaks:
        return ()
    starts, pos = [], 0
    for k, line in enumerate(lines):
        starts.append(pos)
        pos += len(line) + 1
    found = {0}
    for k, at in breaks:
        found.add(starts[k] + at if at < len(lines[k]) else starts[k] + len(lines[k]) + 1)
    return tuple(sorted(p for p in found if p < pos))


def check_package(data: bytes, *, kind: str = ".docx") -> None:
    """Refuse a zip package (``.docx``, ``.xlsx``) whose parts, decompressed,
    exceed the budget above."""
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    if len(infos) > MAX_PARTS:
        raise StageError("read", f"{kind} package has {len(infos)} parts (more than {MAX_PARTS})")
    total = 0
    for info in infos:
        limit = MAX_MEDIA_BYTES if info.file_size <= 2 * info.compress_size else MAX_PART_BYTES
        if info.file_size > limit:
            raise StageError("read", f"{kind} part {info.filename!r} is {info.file_size} bytes decompressed "
                                     f"(more than {limit}): a decompression bomb?")
        total += info.file_size
        if total > MAX_PACKAGE_BYTES:
            raise StageError("read", f"{kind} parts add up to more than {MAX_PACKAGE_BYTES} bytes decompressed")
