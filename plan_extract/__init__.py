"""plan_extract: Chinese plan documents (年度工作计划) to normalized JSON plan records.

The package's folders follow the flow (``docs/ARCHITECTURE.md``): ``stages``
(read, clean, split, sections, deadlines, targets) over the shared language
layer ``text`` and the rule tables ``rules``; ``models`` decide what the
rules propose; ``output`` writes records and tables; ``api`` chains the
stages; ``run`` and ``cli`` sit around it; ``training`` fits and scores.
"""

from .api import extract_bytes, extract_file, extract_source, extract_text
from .core.errors import StageError

__all__ = ["extract_text", "extract_file", "extract_bytes", "extract_source", "StageError"]
__version__ = "0.1.0"
