"""Saved web pages (``.html``, ``.mhtml``): the main text, with scripts,
navigation, headers, footers and comment/share/related blocks dropped."""

from __future__ import annotations

import email
import gc
from contextlib import contextmanager
from email import policy

import regex

from ...core.errors import StageError
from .text import decode


CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
               "select", "svg", "template")
CHROME_ATTR = regex.compile(r"nav|menu|footer|header|sidebar|side-bar|breadcrumb|comment|share|related|recommend|"
                            r"advert|banner|toolbar|login|copyright|hot-?list|tags?\b", regex.I)
_HEADER_ATTR = regex.compile(r"header", regex.I)
BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
              "ul", "ol", "blockquote", "pre", "dd", "dt")


def html_text(html: str) -> str:
    """The page's main text: chrome elements dropped, one line per block.

    One walk over the parsed tree, which it never changes: editing a bs4 tree
    (``decompose``, ``insert_before``) looks a node up among its siblings, so
    a page of many flat paragraphs took time quadratic in their number."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
    from bs4.element import Tag

    with _collector_paused(), warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML is read as the HTML it is
        soup = BeautifulSoup(html, "lxml")
    root = _main_root(soup)
    wanted = root.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES  # what get_text() would keep
    wanted = {wanted} if isinstance(wanted, type) else set(wanted)
    out: list[str] = []
    numbers: dict[int, int] = {}  # id of an <ol> -> the number of its next item
    cells: list[list] = []  # open table cells: [where its text starts in out, layout: alone or holding a table]
    for kind, node in _walk(root):
        if kind is _TEXT:
            if node.parent is not None and node.parent.name in _ROW_PARTS and not node.strip():
                continue  # the source's line breaks between two cells of a row
            if type(node) in wanted:
                out.append(node)
            continue
        name = node.name
        if kind is _ENTER:
            if name == "br":
                out.append("\n")
                continue
            if name in BLOCK_TAGS:
                out.append("\n")
            if name in ("td", "th"):  # a cell alone in its row is layout (a page's footer), not a value
                row = node.parent
                alone = row is None or len(row.find_all(("td", "th"), recursive=False)) < 2
                cells.append([len(out), alone])
            elif name == "table" and cells:
                cells[-1][1] = True  # a layout table: its cells hold the page, not a value
            if name == "ol":
                numbers[id(node)] = _list_start(node.get("start"))
            elif name == "li" and node.parent is not None and id(node.parent) in numbers:
                # the numbers a browser shows are not in the text
                out.append(f"{_list_number(node.parent.get('type') or '1', numbers[id(node.parent)])}.")
                numbers[id(node.parent)] += 1
        else:
            if name in BLOCK_TAGS and name != "br":
                out.append("\n")
            if name in ("td", "th"):
                if cells:
                    _one_line(out, *cells.pop())
                out.append("\t")
    text = "".join(out)
    out.clear()
    with _collector_paused():
        soup.decompose()  # frees the tree now, by reference counts, instead of in a later collection
    lines = [ln.lstrip(" \t\xa0").rstrip(" \t\u3000\xa0") for ln in text.split("\n")]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


_ROW_PARTS = ("table", "thead", "tbody", "tfoot", "tr")
_MD_COMMENT = regex.compile(r"<!--.*?-->", regex.S)
_MD_HTML_BLOCK = regex.compile(r"^[ \t]*<(table|div|ul|ol|dl|blockquote|p)\b[^>]*>.*?</\1>[ \t]*$",
                               regex.S | regex.M | regex.I)
_MD_BREAK = regex.compile(r"<br\s*/?>", regex.I)
# inline formatting a Markdown editor writes as HTML (语雀's <font color=…>, <span style=…>, <u>):
# the tags go, their text stays
_MD_INLINE_TAG = regex.compile(r"</?(?:font|span|b|i|u|s|strong|em|mark|small|big|ins|del|strike|sup|sub)\b[^<>]*>", regex.I)


def markdown_text(text: str) -> str:
    """A Markdown file's text with the HTML it embeds read as HTML: a
    ``<table>`` block becomes tab-separated rows, ``<br>`` a line break (a
    space inside a pipe table's row, which must stay one line), a comment
    (``<!-- more -->``) nothing, inline formatting tags (``<font color=…>``)
    their text.  The Markdown itself stays as written."""
    if "<" not in text:
        return text
    text = _MD_INLINE_TAG.sub("", _MD_COMMENT.sub("", text))
    text = _MD_HTML_BLOCK.sub(lambda m: html_text(m.group()).strip("\n"), text)
    return "\n".join(_MD_BREAK.sub(" " if line.lstrip().startswith("|") else "\n", line)
                     for line in text.split("\n"))


CELL_LINE_MAX = 200  # a data cell's paragraphs (Word's <p class=MsoNormal> in a <td>) make one line


def _one_line(out: list[str], start: int, layout: bool) -> None:
    """A table cell's paragraphs joined by spaces, as a Word cell's are, so a
    row stays one line of tab-separated cells; a layout cell stays as it is."""
    text = "".join(out[start:])
    if layout or "\n" not in text or len(text) > CELL_LINE_MAX:
        return
    out[start:] = [" ".join(part.strip() for part in text.split("\n") if part.strip())]


@contextmanager
def _collector_paused():
    """Python's cyclic collector paused while bs4 builds its tree: it makes
    a few objects per node, and the collections they trigger rescan the
    growing tree, which made parsing a large page superlinear."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_ENTER, _EXIT, _TEXT = "enter", "exit", "text"
_NOT_CHROME = ("body", "html", "main", "article")


def _chrome(tag) -> bool:
    """Scripts, navigation, headers, footers, and blocks whose id or class
    names them, unless such a block holds the page's <main> (a
    theme's outer container says the layout's state: ``sidebar-open``,
    ``have-rightmenu``)."""
    if tag.name in CHROME_TAGS:
        return True
    attrs = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
    return bool(attrs.strip() and CHROME_ATTR.search(attrs) and tag.name not in _NOT_CHROME
                and tag.find("main") is None)


def _walk(root):
    """(enter, tag), (exit, tag) and (text, string) below ``root`` in
    document order, chrome subtrees left out; iterative, for deep pages."""
    from bs4.element import NavigableString, Tag

    stack = [(child, False) for child in reversed(root.contents)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            yield _EXIT, node
        elif isinstance(node, NavigableString):
            yield _TEXT, node
        elif isinstance(node, Tag) and not _chrome(node):
            yield _ENTER, node
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, Tag) and _header_block(node):
            # a page's title inside its header block (Confluence's #main-header,
            # an <article>'s <header>): the heading stays, the rest goes
            stack.extend((h, False) for h in reversed(node.find_all("h1")))


def _header_block(tag) -> bool:
    attrs = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
    return tag.name == "header" or bool(_HEADER_ATTR.search(attrs))


def _main_root(soup):
    """The first <article>, else <main>, else <body> outside the chrome."""
    first = {}
    for kind, node in _walk(soup):
        if kind is _ENTER and node.name in ("article", "main", "body"):
            first.setdefault(node.name, node)
            if node.name == "article":
                break
    return first.get("article") or first.get("main") or first.get("body") or soup


def _list_start(start) -> int:
    text = str(start or "1")
    return int(text) if text.isdecimal() and len(text) <= 18 else 1


def _list_number(kind: str, n: int) -> str:
    if kind in ("a", "A"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if kind == "A" else s
    return str(n)


def html_charset(data: bytes) -> str | None:
    m = regex.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096], regex.I)
    return m.group(1).decode("ascii").lower() if m else None


def mhtml_html(data: bytes) -> tuple[str, str]:
    """The HTML part of a saved web archive, decoded: (html, charset)."""
    msg = email.message_from_bytes(data, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or html_charset(payload) or "utf-8"
            try:
                return payload.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                return decode(payload)  # a few bad bytes stay as marks, counted by the read stage
    raise StageError("read", "MHTML archive without an HTML part")
