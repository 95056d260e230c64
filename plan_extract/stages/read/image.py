"""Image files (.png .jpg .jpeg .tif .tiff): a photographed or scanned plan,
read by OCR (``ocr.py``).  A multi-page TIFF gives one page per frame.

Pillow reads only the header before the pixel count is checked, so a
gigapixel bomb is refused before it is decoded; decoding and OCR run in the
forked, memory-capped child of ``sandbox.py`` like a PDF's.  The camera's
EXIF orientation is applied, so a photo taken sideways reads upright.
"""

from __future__ import annotations

import io

from ...core.document import Layout
from ...core.errors import StageError
from . import ocr
from .sandbox import MEMORY_BUDGET, OUT_OF_MEMORY, TIMED_OUT, can_fork, out_of_memory, run_bounded

MAX_IMAGE_PIXELS = 100_000_000  # a 600 dpi A3 scan is 70 million


def image_read(data: bytes) -> tuple[str, None, Layout]:
    """The text OCR reads on each page (frame) of the image."""
    if not ocr.available():
        raise StageError("read", f"an image {ocr.MISSING}")
    budget = MEMORY_BUDGET + ocr.MEMORY
    kind, value = run_bounded(_outcome, data, can_fork(), budget=budget)
    if kind == "error":
        if value == OUT_OF_MEMORY:
            raise StageError("read", f"image needs more than {budget // (1024 * 1024)} MB of memory to read")
        if value == TIMED_OUT:
            raise StageError("read", f"OCR of the image took longer than {ocr.PAGE_SECONDS} s for one page")
        raise StageError("read", value)
    text, layout = ocr.assemble(*value)
    if not text.strip():
        raise StageError("read", "OCR found no text in the image (blank, or not a document)")
    return text, None, layout


def _outcome(data: bytes, timed: bool) -> tuple[str, object]:
    """("pages", (texts, OCR by page index)) or ("error", a reason)."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own bomb check, at our limit (this is the child)
    try:
        image = Image.open(io.BytesIO(data))
        w, h = image.size
        if w * h > MAX_IMAGE_PIXELS:
            return "error", f"image too large: {w}x{h} pixels (more than {MAX_IMAGE_PIXELS})"
        frames = getattr(image, "n_frames", 1)
        read = ocr.read_pages(_frames(image, frames), timed=timed)
    except Image.DecompressionBombError:
        return "error", f"image too large (more than {MAX_IMAGE_PIXELS} pixels)"
    except UnidentifiedImageError:
        return "error", "not an image Pillow can read (corrupt, or another format under an image suffix)"
    except ocr.OcrError as exc:
        return "error", str(exc)
    except MemoryError:
        return "error", OUT_OF_MEMORY
    except Exception as exc:  # Pillow's errors on truncated or damaged data (OSError, ValueError, ...)
        if out_of_memory(exc):
            return "error", OUT_OF_MEMORY
        return "error", f"corrupt image: {type(exc).__name__}: {exc}"
    return "pages", ([read[k].text for k in range(len(read))], read)


def _frames(image, count: int):
    from PIL import ImageOps

    for k in range(count):
        image.seek(k)
        w, h = image.size
        if w * h > MAX_IMAGE_PIXELS:
            raise ocr.OcrError(f"image frame {k + 1} too large: {w}x{h} pixels")
        if image.format == "JPEG":  # decode at a reduced size straight away
            image.draft("RGB", (w // 2, h // 2) if w * h > 4 * ocr.MAX_PIXELS else (w, h))
        yield k, ImageOps.exif_transpose(image)  # a copy: the next seek leaves it alone
