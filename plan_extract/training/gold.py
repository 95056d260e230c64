"""The gold (``data/annotated/README.md``): one loader for every user of it.

A gold folder holds ``raw/NAME.json`` and ``corpus/NAME.json`` files; each
names its source (``raw/x.txt`` beside the folder, ``corpus/x.txt`` in the
corpus) and quotes every plan, section, target and deadline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass
class GoldDoc:
    path: Path  # the source file
    gold: dict  # the gold file's content
    name: str  # the gold's name for its source: raw/x.txt or corpus/x.txt


def gold_docs(gold_dir: Path, *, raw_dir: Optional[Path] = None, corpus_dir: Path) -> list[GoldDoc]:
    """Gold files with their source files, in name order.

    ``raw/NAME`` sources are looked up in ``raw_dir`` (default: the ``raw``
    folder beside ``gold_dir``, as ``data/annotated`` → ``data/raw``).
    """
    raw_dir = Path(raw_dir) if raw_dir else Path(gold_dir).parent / "raw"
    return [load_gold_file(p, raw_dir=raw_dir, corpus_dir=corpus_dir) for p in gold_files(gold_dir)]


def gold_files(gold_dir: Path) -> list[Path]:
    """The gold files of a folder, in name order."""
    return sorted(Path(gold_dir).glob("*/*.json"))


def load_gold_file(path: Path, *, raw_dir: Path, corpus_dir: Path) -> GoldDoc:
    """One gold file with its source (raises ``json.JSONDecodeError`` on a broken file)."""
    gold = json.loads(Path(path).read_text(encoding="utf-8"))
    kind, name = gold["source"].split("/", 1)
    return GoldDoc((Path(corpus_dir) if kind == "corpus" else Path(raw_dir)) / name, gold, gold["source"])


def training_sets(manifest: Path) -> list[Path]:
    """The gold folders a manifest lists (one per line, relative to the manifest's folder's parent;
    ``#`` starts a comment)."""
    root = Path(manifest).resolve().parent.parent
    lines = (ln.split("#", 1)[0].strip() for ln in Path(manifest).read_text(encoding="utf-8").splitlines())
    return [root / ln for ln in lines if ln]


def gold_sets(gold_dirs, *, corpus_dir: Path) -> list[GoldDoc]:
    """The documents of several gold folders, each with its own ``raw`` folder."""
    return [doc for d in gold_dirs for doc in gold_docs(Path(d), corpus_dir=corpus_dir)]


def locate(text: str, items: list[dict]) -> list[Optional[tuple[int, int]]]:
    """Spans of gold quotes in ``text``; each searched after the previous start."""
    spans, pos = [], 0
    for item in items:
        i = text.find(item["text"], pos)
        if i < 0:
            i = text.find(item["text"])
        spans.append((i, i + len(item["text"])) if i >= 0 else None)
        if i >= 0:
            pos = i + 1
    return spans
