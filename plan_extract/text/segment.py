"""Word segmentation: jieba with the plans' domain words.

A private jieba tokenizer, so callers' own segmentation is untouched, with
the words of ``rules/metric_words.txt`` added; its prefix dictionary is kept
in the start-up cache (:mod:`plan_extract.core.cache`).
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..core.cache import cached


@lru_cache(maxsize=1)
def tokenizer():
    """A private jieba tokenizer with the domain words of ``rules/metric_words.txt``.

    Loaded on first use only, and kept apart from jieba's global tokenizer so
    callers' segmentation is untouched.  The prefix dictionary with the
    domain words is cached (:mod:`plan_extract.core.cache`): jieba reads its own
    cache by ``marshal.load`` on a file object, in small chunks (0.43 s
    against 0.17 s here), and the domain words were added on top of it.
    """
    import jieba  # on first use: its dictionary costs start-up time

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    words = (resources.files("plan_extract") / "rules" / "metric_words.txt").read_bytes()

    def build():
        tk.load_userdict(io.StringIO(words.decode("utf-8")))  # also loads the main dictionary
        return tk.FREQ, tk.total, tk.user_word_tag_tab

    try:
        main = Path(tk.dictionary or Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
        stat = main.stat()
    except OSError:  # no dictionary file to name a cache entry by
        build()
        return tk
    key = f"{jieba.__version__}\0{main}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode() + words
    tk.FREQ, tk.total, tk.user_word_tag_tab = cached("jieba", key, build)
    tk.initialized = True
    return tk


def cut(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (through the tokenizer with the domain words)."""
    return tuple(tokenizer().lcut(text))


def word_crosses(freq: dict, view: str, start: int, reach: int = 4) -> bool:
    """A dictionary word that begins before ``start`` and ends after it.

    jieba's FREQ also holds every prefix of a word (at 0), so each start is
    followed only while its text is still a prefix, as jieba builds its DAG."""
    for a in range(max(0, start - reach), start):
        b = start + 1
        while b <= len(view) and b - start <= reach + 1:
            f = freq.get(view[a:b])
            if f is None:
                break
            if f:
                return True
            b += 1
    return False

