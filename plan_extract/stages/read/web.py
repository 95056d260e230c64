"""Saved web pages (``.html``, ``.mhtml``): the main text, with scripts,
navigation, headers, footers and comment/share/related blocks dropped."""

from __future__ import annotations

import email
from email import policy

import regex

from ...core.errors import StageError
from .text import decode


CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
               "select", "svg", "template")
CHROME_ATTR = regex.compile(r"nav|menu|footer|header|sidebar|side-bar|breadcrumb|comment|share|related|recommend|"
                            r"advert|banner|toolbar|login|copyright|hot-?list|tags?\b", regex.I)
BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
              "ul", "ol", "blockquote", "pre", "dd", "dt")


def html_text(html: str) -> str:
    """The page's main text: chrome elements dropped, one line per block."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed if hasattr(tag, "decomposed") else False:
            continue
        attrs = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
        if attrs.strip() and CHROME_ATTR.search(attrs) and tag.name not in ("body", "html", "main", "article"):
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for ol in root.find_all("ol"):  # the numbers a browser shows are not in the text
        number = int(ol.get("start") or 1) if str(ol.get("start") or "1").isdigit() else 1
        for li in ol.find_all("li", recursive=False):
            li.insert(0, f"{_list_number(ol.get('type') or '1', number)}.")
            number += 1
    for br in root.find_all("br"):
        br.replace_with("\n")
    for block in root.find_all(BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    for cell in root.find_all(("td", "th")):
        cell.insert_after("\t")
    text = root.get_text()
    lines = [regex.sub(r"[ \t\u3000\xa0]+$", "", regex.sub(r"^[ \t\xa0]+", "", ln)) for ln in text.split("\n")]
    return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


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
