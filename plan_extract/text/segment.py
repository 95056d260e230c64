"""Word segmentation: jieba with the plans' domain words.

A private jieba tokenizer, so callers' own segmentation is untouched, with
the words of ``rules/metric_words.txt`` added; its prefix dictionary is kept
in the start-up cache (:mod:`plan_extract.core.cache`) as a marisa trie.
"""

from __future__ import annotations

import io
import sys
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..core.cache import cached


class TrieFreq:
    """jieba's prefix dictionary (word -> count, 0 for a mere prefix of a word)
    read from a marisa trie, with the three lookups jieba and this package make.

    A run looks up a few thousand words, not the dictionary's half a million
    entries: as a dict it took 0.48 s to load and 82 MB of every process's
    memory, as a trie 5 ms and 2 MB, for about 1 µs more per lookup."""

    __slots__ = ("_trie",)

    def __init__(self, trie):
        self._trie = trie

    def __contains__(self, word: str) -> bool:
        return word in self._trie

    def __getitem__(self, word: str) -> int:
        return self._trie[word][0][0]

    def get(self, word: str, default=None):
        found = self._trie.get(word)
        return found[0][0] if found else default

    def __len__(self) -> int:
        return len(self._trie)


_IMPORTING = threading.Lock()


def _import_jieba():
    """jieba, imported without setuptools' ``pkg_resources`` when nothing has
    imported that yet: jieba only asks it where its dictionary lies and
    otherwise opens the file beside its own module, and importing
    ``pkg_resources`` took 0.15 s of every start.  The block lasts for this
    import alone; ``pkg_resources`` stays importable for everyone else."""
    with _IMPORTING:
        if "jieba" in sys.modules or "pkg_resources" in sys.modules:
            import jieba
            return jieba
        sys.modules["pkg_resources"] = None  # an import of it raises ImportError
        try:
            import jieba
        finally:
            if sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
        return jieba


@lru_cache(maxsize=1)
def tokenizer():
    """A private jieba tokenizer with the domain words of ``rules/metric_words.txt``.

    Loaded on first use only, and kept apart from jieba's global tokenizer so
    callers' segmentation is untouched.  The prefix dictionary with the
    domain words is built once and cached (:mod:`plan_extract.core.cache`)
    as a marisa trie (:class:`TrieFreq`).
    """
    import marisa_trie
    from importlib.metadata import version

    jieba = _import_jieba()  # on first use: its dictionary costs start-up time
    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    words = (resources.files("plan_extract") / "rules" / "metric_words.txt").read_bytes()

    def build():
        tk.load_userdict(io.StringIO(words.decode("utf-8")))  # also loads the main dictionary
        trie = marisa_trie.RecordTrie("<I", ((w, (f,)) for w, f in tk.FREQ.items()))
        return trie.tobytes(), tk.total, tk.user_word_tag_tab

    try:
        main = Path(tk.dictionary or Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
        stat = main.stat()
    except OSError:  # no dictionary file to name a cache entry by
        build()
        return tk
    key = f"{jieba.__version__}\0{version('marisa-trie')}\0{main}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode() + words
    trie, tk.total, tk.user_word_tag_tab = cached("jieba-trie", key, build)
    tk.FREQ = TrieFreq(marisa_trie.RecordTrie("<I").frombytes(trie))
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

