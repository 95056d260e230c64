"""OCR of page images (scanned PDF pages, image files) through RapidOCR:
PP-OCRv4 models on ONNX Runtime, shipped inside the ``rapidocr-onnxruntime``
wheel, so nothing is downloaded at run time.  It is the ``ocr`` extra
(``pip install 'plan-extract[ocr]'``): ONNX Runtime and OpenCV weigh about
150 MB, which text, Word and web inputs never need.

A page goes through detection, the 0/180 degree classifier and recognition
one step at a time, so a page printed upside down is recognised as such:
when most of its text boxes are turned, the page's coordinates are turned
too and the lines come out in reading order.  Boxes become lines by their
vertical overlap, left to right; a wide gap between boxes (a table's
columns) is kept as a space, which the clean stage reads as a cell gap.

Work is bounded: at most ``MAX_PAGES`` pages per file, each scaled down to
``MAX_PIXELS``, at most ``MAX_BOXES`` text boxes per page (more is noise),
and, inside the reader's child process, ``PAGE_SECONDS`` per page.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Optional, Sequence

from ...core.document import Layout, Note, OcrPage
from ...rules import Rules, load_rules

MEMORY = 1536 * 1024 * 1024  # more bytes the reader's child may take when it runs OCR
MAX_PAGES = 50
MAX_PIXELS = 4_000_000  # an A4 page at scale 2 is 2.0 million
MAX_SIDE = 2000  # RapidOCR's own limit
MAX_BOXES = 600
PAGE_SECONDS = 60
MIN_SCORE = 0.5  # a recognised box below this is dropped (RapidOCR's text_score)
LOW_CONFIDENCE = 0.8  # a page below this gets an ``ocr_low_confidence`` warning
LOW_CONFIDENCE_NOTE = "ocr_low_confidence"
BLANK_SPREAD = 24  # a page whose darkest and lightest gray differ less is blank
DET_MIN_SIDE = 480  # the detector scales a page up until its short side has this many pixels
FREED_TO_SYSTEM = 4 << 20  # bytes: a freed block this large goes back to the system (glibc's mmap threshold)
_workers = [1]  # worker processes of the run this process belongs to


class OcrError(Exception):
    """A reason the parent reports as the read stage's error."""


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: float  # length-weighted mean score of the recognised boxes, 0 when none
    lines: int


def available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


MISSING = "needs OCR, which is not installed: pip install 'plan-extract[ocr]'"


def use_workers(jobs: int) -> None:
    """Tell OCR that ``jobs`` worker processes run side by side (a run's
    worker calls this as it starts): each engine then keeps to one core."""
    _workers[0] = jobs


def threads() -> int:
    """ONNX Runtime's intra-op threads per engine: one when the run has more
    than one worker (the workers fill the cores), else every core."""
    if _workers[0] > 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cores or 1)


_engines: dict = {}  # (pid, threads) -> engine: one made before a fork is never used, nor freed, after it


def engine():
    """RapidOCR with ONNX Runtime's memory arena and memory pattern off and
    one image in each classifier and recogniser batch: a page then costs
    about 100 MB over the models instead of about 400 MB.  An engine is
    made in the process that uses it: one inherited through ``fork`` has
    lost its threads (using or freeing it would wait for them forever)."""
    key = (os.getpid(), threads())
    if key not in _engines:
        from rapidocr_onnxruntime import RapidOCR

        _return_freed_memory()
        with _session_options(enable_cpu_mem_arena=False, enable_mem_pattern=False):
            _engines[key] = RapidOCR(intra_op_num_threads=key[1], inter_op_num_threads=1,
                                     det_limit_side_len=DET_MIN_SIDE, cls_batch_num=1, rec_batch_num=1)
    return _engines[key]


@contextmanager
def _session_options(**options):
    """RapidOCR builds its ONNX Runtime sessions from options it sets itself
    (``OrtInferSession._init_sess_opts``); while the engine is made, these
    ``SessionOptions`` attributes are set on top of them."""
    from rapidocr_onnxruntime.utils import infer_engine

    session = infer_engine.OrtInferSession
    made = session.__dict__.get("_init_sess_opts")
    if not isinstance(made, staticmethod):  # another RapidOCR: its own options
        yield
        return

    def init(config):
        opts = made.__func__(config)
        for name, value in options.items():
            setattr(opts, name, value)
        return opts

    session._init_sess_opts = staticmethod(init)
    try:
        yield
    finally:
        session._init_sess_opts = made


def _return_freed_memory() -> None:
    """Make glibc hand freed blocks of 4 MB or more back to the system
    (``mallopt``): ONNX Runtime's tensors for a page are hundreds of MB that
    glibc would otherwise keep in the heap, where the next page's do not fit.
    OCR runs in the reader's forked child, so this ends with it."""
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, FREED_TO_SYSTEM)  # M_MMAP_THRESHOLD, from <malloc.h>
    mallopt(-1, FREED_TO_SYSTEM)  # M_TRIM_THRESHOLD


def fit(image):
    """``image`` as RGB, scaled down to ``MAX_PIXELS`` and ``MAX_SIDE``, and
    padded to a height the detector can read."""
    from PIL import Image

    image = image.convert("RGB")
    w, h = image.size
    scale = min(1.0, (MAX_PIXELS / (w * h)) ** 0.5, MAX_SIDE / max(w, h))
    if scale < 1.0:
        image = image.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.LANCZOS)
    if min(image.size) < 64:
        canvas = Image.new("RGB", (max(image.size[0], 64), max(image.size[1], 64)), "white")
        canvas.paste(image, (0, 0))
        image = canvas
    return image


def read_page(image, *, timed: bool) -> PageText:
    """The text lines of one page image; ``timed``: under an alarm that kills
    the (child) process after ``PAGE_SECONDS``."""
    if timed:
        signal.alarm(PAGE_SECONDS)
    try:
        image = fit(image)
        low, high = image.convert("L").getextrema()
        if high - low < BLANK_SPREAD:  # an empty page: nothing to detect (the detector would upscale it)
            return PageText("", 0.0, 0)
        return _cached_read(image)
    finally:
        if timed:
            signal.alarm(0)


def _cached_read(image) -> PageText:
    """``_read`` through the cache (:mod:`plan_extract.core.cache`), keyed by
    the page's pixels, this module's code and the OCR package's version: a
    re-run, a resumed batch or a retraining reads a scan once (4 s a page)."""
    import hashlib
    from importlib.metadata import version

    from ...core.cache import cached

    key = hashlib.sha256(image.tobytes())
    key.update(f"{image.size}{image.mode}{version('rapidocr-onnxruntime')}".encode())
    key.update(_CODE)
    text, confidence, lines = cached("ocr1", key.digest(), lambda: tuple(_read(image).__dict__.values()))
    return PageText(repair(text), confidence, lines)  # the misreadings of rules/ocr.yaml as they are now


_CODE = open(__file__, "rb").read()  # a change to the reading code is a new cache key


def _read(image) -> PageText:
    """The page's lines as the engine reads them (before ``repair``)."""
    import numpy as np

    eng = engine()
    bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    found, _ = eng.text_det(bgr)
    if found is None or len(found) == 0:
        return PageText("", 0.0, 0)
    if len(found) > MAX_BOXES:
        return PageText("", 0.0, 0)  # speckle or texture, not text: reading it would take minutes
    found = eng.sorted_boxes(found)
    crops = eng.get_crop_img_list(bgr, found)
    crops, turns, _ = eng.text_cls(crops)
    recognised, _ = eng.text_rec(crops)
    turned = sum(1 for label, score in turns if "180" in label and score > eng.text_cls.cls_thresh)
    flip = turned * 2 > len(turns)
    h, w = bgr.shape[:2]
    boxes = []
    for quad, result in zip(found, recognised):
        text, score = result[0], result[1]
        xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        if flip:
            x0, y0, x1, y1 = w - x1, h - y1, w - x0, h - y0
        boxes.append((x0, y0, x1, y1, text.strip(), float(score)))
    scored = [(len(b[4]), b[5]) for b in boxes if b[4]]
    confidence = sum(n * s for n, s in scored) / sum(n for n, _ in scored) if scored else 0.0
    lines = lines_of([b for b in boxes if b[4] and b[5] >= MIN_SCORE])
    return PageText("\n".join(lines), round(confidence, 4), len(lines))


def repair(text: str, rules: Optional[Rules] = None) -> str:
    """``text`` with the misreadings of ``rules/ocr.yaml`` fixed (the text
    OCR read is the source: nothing maps back to the image's pixels)."""
    rules = rules or load_rules()
    for name in rules.get("ocr", "fixes"):
        text = rules.re("ocr", "fixes", name).sub(rules.get("ocr", "fixes", name, "replace"), text)
    return text


def lines_of(boxes: Sequence[tuple]) -> list[str]:
    """Text lines from ``(x0, y0, x1, y1, text, ...)`` boxes: a box joins the
    line whose vertical extent covers its middle, lines run top to bottom
    and boxes left to right; a gap wider than half the line's height is a
    space (between table cells or words), a narrower one nothing (CJK)."""
    rows: list[list[tuple]] = []
    for box in sorted(boxes, key=lambda b: ((b[1] + b[3]) / 2, b[0])):
        middle = (box[1] + box[3]) / 2
        row = rows[-1] if rows else None
        if row is not None and min(b[1] for b in row) <= middle <= max(b[3] for b in row):
            row.append(box)
        else:
            rows.append([box])
    out = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        height = sum(b[3] - b[1] for b in row) / len(row)
        parts = [row[0][4]]
        for prev, box in zip(row, row[1:]):
            parts.append((" " if box[0] - prev[2] > 0.5 * height else "") + box[4])
        out.append("".join(parts))
    return out


def assemble(texts: list[str], read: dict[int, PageText]) -> tuple[str, Layout]:
    """Pages joined by line breaks, where each starts, the OCR pages and a
    note at each page read with low confidence."""
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    pages = tuple(OcrPage(page=k + 1, confidence=found.confidence, lines=found.lines)
                  for k, found in sorted(read.items()))
    notes = tuple(Note(LOW_CONFIDENCE_NOTE, starts[p.page - 1], f"page {p.page}: {p.confidence:.2f}")
                  for p in pages if p.confidence < LOW_CONFIDENCE)
    return "\n".join(texts), Layout(pages=tuple(starts), ocr=pages, notes=notes)


def read_pages(images, *, timed: bool) -> dict[int, PageText]:
    """OCR of ``(index, image)`` pairs, at most ``MAX_PAGES`` of them."""
    out = {}
    for n, (k, image) in enumerate(images):
        if n >= MAX_PAGES:
            raise OcrError(f"more than {MAX_PAGES} pages to OCR in one file")
        out[k] = read_page(image, timed=timed)
    return out

