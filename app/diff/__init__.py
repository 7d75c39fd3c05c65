"""Word-level comparison of two versions of a text, with moved paragraphs; pure Python."""

from app.diff.compare import compare
from app.diff.offload import compare_off_loop

__all__ = ["compare", "compare_off_loop"]
