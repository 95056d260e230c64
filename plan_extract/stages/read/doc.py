"""Legacy Word ``.doc`` files (Word 97-2003, WPS saves) through antiword,
falling back to LibreOffice; ``.rtf`` and ``.odt`` through LibreOffice.

antiword takes milliseconds; LibreOffice a few seconds a file, so antiword
goes first.  Its DocBook output (``-x db``) is read, not its text: as text
it pads table cells with spaces between ``|`` bars and wraps a long cell
over several lines with no mark between one row and the next, so rows
cannot be told from wrapped cells.  The DocBook has one ``<para>`` per
paragraph and ``<row>``/``<entry>`` per table row and cell, which become the
lines and tab-separated rows the ``.docx`` reader gives.

antiword drops the numbers of Word's automatic lists (``一、`` stored as
list formatting), which the sections stage needs.  A file with such lists
goes to LibreOffice when it is installed, as does a file antiword fails on
(an RTF or a Word 6 file saved as ``.doc``, a document it finds too small)
or finds no text in.  LibreOffice converts it to ``.docx``, read by the
``.docx`` reader, numbering included."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

from ...core.errors import StageError
from .word import docx_text

ANTIWORD_TIMEOUT = 120  # seconds
OFFICE_TIMEOUT = 300
_TABLES = ("informaltable", "table")
_BLOCKS = frozenset(_TABLES + ("para", "orderedlist", "itemizedlist", "listitem"))
_LISTS = ("orderedlist", "itemizedlist")


class _Failed(Exception):
    """One converter could not read the file; the message says why."""


def doc_text(data: bytes) -> str:
    """Paragraphs and tab-separated table rows of a ``.doc``, as a ``.docx`` gives them."""
    if data[:4] == b"PK\x03\x04":  # a .docx saved under the old suffix
        return docx_text(data)
    antiword = shutil.which("antiword")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not antiword and not office:
        raise StageError("read", "cannot read .doc: needs antiword or LibreOffice (soffice), neither is installed")
    with tempfile.TemporaryDirectory(prefix="plan-extract-doc-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        failed = []
        if antiword:
            try:
                text, lists = _antiword(antiword, src)
                if not office or not lists:
                    return text
            except _Failed as exc:
                failed.append(f"antiword failed: {exc}")
                if not office:
                    raise StageError("read", f"cannot read .doc: {failed[0]}") from None
        try:
            return _office(office, src)
        except _Failed as exc:
            failed.append(f"LibreOffice failed: {exc}")
            raise StageError("read", "cannot read .doc: " + "; ".join(failed)) from None


def office_text(data: bytes, suffix: str) -> str:
    """A word-processing file only LibreOffice reads (``.rtf``, ``.odt``),
    converted to ``.docx`` and read as one."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise StageError("read", f"cannot read {suffix}: needs LibreOffice (soffice), which is not installed")
    with tempfile.TemporaryDirectory(prefix="plan-extract-doc-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        try:
            return _office(office, src)
        except _Failed as exc:
            raise StageError("read", f"cannot read {suffix}: LibreOffice failed: {exc}") from None


def _antiword(antiword: str, src: Path) -> tuple[str, bool]:
    """The text antiword reads, and whether the file has automatic lists."""
    out, _ = _run([antiword, "-x", "db", str(src)], timeout=ANTIWORD_TIMEOUT)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(out, parser)
    if root is None:
        raise _Failed("no DocBook output")
    lines: list[str] = []
    for chapter in root.iterchildren("chapter"):
        _lines(chapter, lines)
    text = "\n".join(lines)
    if not text.strip():
        raise _Failed("no text found")
    return text, any(True for _ in root.iter(*_LISTS))


def _lines(node, out: list[str]) -> None:
    """Append the paragraphs and table rows under ``node``, in document order."""
    for child in node.iterchildren(tag=etree.Element):
        if child.tag in _TABLES:
            for row in child.iter("row"):
                out.append("\t".join(_cell(entry) for entry in row.iterchildren("entry")))
        elif child.tag in ("para", "title") and not any(d.tag in _BLOCKS for d in child.iterdescendants()):
            text = "".join(child.itertext()).strip(" \n")
            if text or child.tag == "para":  # a chapter's empty <title/> is no paragraph
                out.append(text)
        else:
            _lines(child, out)


def _cell(entry) -> str:
    """A cell's paragraphs on one line, as the ``.docx`` reader joins them."""
    return " ".join(line.strip() for line in "".join(entry.itertext()).split("\n") if line.strip())


def _office(office: str, src: Path) -> str:
    """LibreOffice converts to ``.docx`` in a profile of its own (two
    conversions at once must not share one), read by the ``.docx`` reader."""
    profile = (src.parent / "profile").as_uri()
    _, err = _run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                "--outdir", str(src.parent), str(src)], timeout=OFFICE_TIMEOUT)
    docx = src.with_suffix(".docx")
    if not docx.is_file():  # LibreOffice exits 0 when it cannot load the file
        raise _Failed(_last_error(err).replace(str(src), "the file") or "no .docx written")
    try:
        return docx_text(docx.read_bytes())
    except StageError as exc:
        raise _Failed(exc.reason) from None


def _last_error(err: bytes) -> str:
    lines = [ln.strip() for ln in err.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")]
    return "; ".join(errors or lines)[:200]


def _run(cmd: list[str], *, timeout: int) -> tuple[bytes, bytes]:
    """Run a converter in its own process group, killed whole on timeout or
    interruption (LibreOffice's launcher starts ``soffice.bin`` as a child).
    Returns stdout and stderr; a non-zero exit raises :class:`_Failed`."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise _Failed(f"timed out after {timeout} s") from None
    except BaseException:  # the worker's time limit, an interrupt: leave no converter behind
        _kill(proc)
        raise
    if proc.returncode:
        raise _Failed(_last_error(err).replace(cmd[-1], "the file") or f"exit status {proc.returncode}")
    return out, err


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
