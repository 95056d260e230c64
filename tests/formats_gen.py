"""Real Word, PDF, web and scanned files made from one plain-text plan, for the tests and benchmarks/throughput.py."""

import io
import quopri


def to_docx(text: str, *, numbered_top: bool = False) -> bytes:
    """One paragraph per line; with ``numbered_top``, lines starting 一、二、… become
    Word list items whose numbers live in the numbering part (Chinese counting)."""
    import re

    import docx
    from docx.oxml.ns import qn

    d = docx.Document()
    num_id = None
    if numbered_top:
        num_id = _chinese_numbering(d)
    for line in text.split("\n"):
        m = re.match(r"^[一二三四五六七八九十]+、", line) if numbered_top else None
        if m:
            p = d.add_paragraph(line[m.end():])
            ppr = p._p.get_or_add_pPr()
            num_pr = ppr._add_numPr()
            num_pr._add_ilvl().set(qn("w:val"), "0")
            num_pr._add_numId().set(qn("w:val"), str(num_id))
        else:
            d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _chinese_numbering(document) -> int:
    """Add a list definition numbered 一、二、三、 and return its numId."""
    from docx.oxml import parse_xml

    part = document.part.numbering_part
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    part.element.append(parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    part.element.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def to_pdf(text: str, *, header: str = "", printed: tuple[str, str, str] = ()) -> bytes:
    """A real PDF: wrapped paragraphs in a CJK font, several pages, page numbers
    (and ``header`` at the top of every page, as a running header).  ``printed``
    (the time, the page's title, its address): the page as a browser prints it,
    the time and title atop each page, the address and ``page/pages`` below."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=10, leading=14, wordWrap="CJK")
    pages = [0]

    def furniture(canvas, doc):
        canvas.setFont("STSong-Light", 9 if not printed else 7)
        pages[0] = max(pages[0], doc.page)
        if printed:
            canvas.drawString(20, A5[1] - 16, printed[0])
            canvas.drawCentredString(A5[0] / 2, A5[1] - 16, printed[1])
            canvas.drawString(20, 14, printed[2])
            canvas.drawRightString(A5[0] - 20, 14, f"{doc.page}/{total[0]}")
            return
        canvas.drawCentredString(A5[0] / 2, 20, f"- {doc.page} -")
        if header:
            canvas.drawCentredString(A5[0] / 2, A5[1] - 25, header)

    total = [0]
    for _ in range(2 if printed else 1):  # a browser knows the page count: a first pass counts them
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A5, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40)
        flow = [Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), style) for line in text.split("\n") if line.strip()]
        doc.build(flow, onFirstPage=furniture, onLaterPages=furniture)
        total[0] = pages[0]
    return out.getvalue()


def to_table_pdf(title: str, header: list[str], rows: list[list[str]], widths: list[float] = ()) -> bytes:
    """A real PDF of a title and a table running over several pages, its
    header row repeated atop each page (as Word and Excel print one).
    ``widths``: the columns' widths in points, where a longer cell wraps."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=9, leading=11, wordWrap="CJK")
    grid = [[Paragraph(c, cell) for c in row] for row in [header] + rows] if widths else [header] + rows
    table = Table(grid, repeatRows=1, colWidths=list(widths) or None)
    table.setStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, "black")])
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, leftMargin=30, rightMargin=30, topMargin=40, bottomMargin=40)
    doc.build([Paragraph(title, style), table])
    return out.getvalue()


def to_two_column_pdf(title: str, paragraphs: list[str], *, header: tuple[str, str] = ("", ""),
                      gutter: float = 24, size: float = 10.5) -> bytes:
    """A real two-column PDF (a newsletter): the title across the page, the
    body in two frames per page, a running header with a left and a
    right-aligned half on every page; ``gutter`` between the columns and the
    body's type ``size`` in points (reportlab lets a line's closing
    punctuation hang past its column, into the gutter)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate, Paragraph

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("zh", fontName="STSong-Light", fontSize=size, leading=size * 1.55, wordWrap="CJK")
    head = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1)
    width, height = A4
    margin = 50
    column = (width - 2 * margin - gutter) / 2

    def running_header(canvas, doc):
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(margin, height - 30, header[0])
        canvas.drawRightString(width - margin, height - 30, header[1])

    def columns(top):
        return [Frame(margin, margin, column, top - margin, id="left"),
                Frame(margin + column + gutter, margin, column, top - margin, id="right")]

    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4)
    first = [Frame(margin, height - 110, width - 2 * margin, 60, id="title")] + columns(height - 115)
    doc.addPageTemplates([PageTemplate("first", first, onPage=running_header),
                          PageTemplate("body", columns(height - 45), onPage=running_header)])
    flow = [Paragraph(title, head), NextPageTemplate("body")]
    flow += [Paragraph(p, body) for p in paragraphs]
    doc.build(flow)
    return out.getvalue()


def to_html(text: str) -> str:
    import html

    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>计划</title>"
            "<script>var x = '不是正文';</script></head><body>"
            "<div class='nav'>首页 | 范文 | 工作计划</div><header>网站标题 登录 注册</header>"
            f"<div id='content'>{body}</div>"
            "<div class='related'>相关推荐：小学教学计划</div><footer>版权所有 © 某网站</footer></body></html>")


def to_mhtml(text: str) -> bytes:
    page = to_html(text).encode("utf-8")
    return (b"From: <Saved by Blink>\r\nSubject: plan\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
            b"------B\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + quopri.encodestring(page) + b"\r\n------B--\r\n")


def cjk_font() -> str | None:
    """A font file that draws Chinese (CI installs Debian's fonts-wqy-microhei), or None."""
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return None
    found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout.split("\n")
    files = sorted(line.split(":")[0].strip() for line in found if line.strip())
    return files[0] if files else None


def to_image(text: str, *, width: int = 26, size: int = 22):
    """A page as a scanner gives it: black text on white, each paragraph
    wrapped at ``width`` characters, in a real CJK font (a PIL image)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), size)
    lines = []
    for para in text.split("\n"):
        lines += _wrap(para, width)
    step = int(size * 1.6)
    page = Image.new("L", (width * size + 2 * 60, len(lines) * step + 2 * 60), 255)
    draw = ImageDraw.Draw(page)
    for k, line in enumerate(lines):
        draw.text((60, 60 + k * step), line, font=font, fill=0)
    return page


def _wrap(para: str, width: int) -> list[str]:
    """Lines of ``width`` characters, where closing punctuation never opens a
    line (it hangs at the end of the one before, as typesetters do)."""
    lines, k = [], 0
    while k < len(para):
        end = k + width
        while end < len(para) and para[end] in "，。、；：！？）”%":
            end += 1
        lines.append(para[k:end])
        k = end
    return lines or [""]


def image_bytes(image, fmt: str = "PNG") -> bytes:
    """``image`` saved as PNG, TIFF or an image-only (scanned) PDF."""
    out = io.BytesIO()
    image.save(out, format=fmt, **({"resolution": 144.0} if fmt == "PDF" else {}))
    return out.getvalue()


def scan_page_texts(text: str, *, lines: int = 32, width: int = 26) -> list[str]:
    """The lines each scanned page of ``text`` draws: paragraphs wrapped at
    ``width`` characters, ``lines`` of them a page."""
    wrapped = [row for para in text.split("\n") for row in _wrap(para, width)]
    return ["\n".join(wrapped[k:k + lines]) for k in range(0, max(len(wrapped), 1), lines)]


def to_scanned_pdf(text: str, *, lines: int = 32, max_pages: int | None = None) -> bytes:
    """An image-only PDF (no text layer, as a scanner gives it) of ``text``:
    one ``to_image`` page per ``scan_page_texts`` page, the first ``max_pages`` when given."""
    pages = [to_image(page) for page in scan_page_texts(text, lines=lines)[:max_pages]]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=144.0, save_all=True, append_images=pages[1:])
    return out.getvalue()
