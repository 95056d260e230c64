"""plan_extract: Chinese plan documents (年度工作计划) to normalized JSON plan records."""

from .errors import StageError
from .pipeline import extract_bytes, extract_file, extract_source, extract_text

__all__ = ["extract_text", "extract_file", "extract_bytes", "extract_source", "StageError"]
__version__ = "0.1.0"
