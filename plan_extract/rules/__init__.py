"""One loader for the rule tables in ``plan_extract/rules/*.yaml``.

Stages never import regexes: they take a :class:`Rules` and ask it for a
compiled pattern by table and key, so a rule changes without touching code.

``shared.yaml`` holds what several tables use (numeral and punctuation
classes); a pattern refers to a shared definition, or to one of its own
table's ``parts``, as ``{name}``, expanded here when the tables are read.
The loader also checks the tables against the record's vocabularies
(:mod:`plan_extract.core.vocabulary`): every marker style, deadline kind and
comparator a table files rules under must be one the records know.

An entry may carry ``examples:`` and ``not:`` beside its rule, which the
tests run (each table's header says what they mean); it then keeps the rule
under ``regex``, ``words`` or ``value``, and :meth:`Rules.value` reads the
rule either way (``re`` and ``found`` read a ``regex`` key themselves).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any

import regex
import yaml

from ..core.vocabulary import Comparator, DeadlineKind, MarkerStyle, values

# libyaml's loader when PyYAML was built with it: the tables carry hundreds of
# examples, and the pure-Python loader spends start-up time on them
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TABLES = ("shared", "read", "clean", "markers", "boilerplate", "plans", "targets", "deadlines", "export", "ocr")
# The key under which an entry that carries examples keeps its rule (Rules.value).
ENTRY_KEYS = ("regex", "words", "value")
# {name} refers to a definition; \p{Han} is a Unicode property, not a reference
_REFERENCE = regex.compile(r"(?<!\\[pP])\{([A-Za-z_]\w*)\}")


class Rules:
    """The rule tables, read once, with compiled patterns cached."""

    def __init__(self, tables: dict[str, dict[str, Any]]):
        self.tables = tables
        self._compiled: dict[tuple, regex.Pattern] = {}
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, factory) -> Any:
        """A value derived from the tables, built once (e.g. a fold table)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    def get(self, table: str, *keys: str) -> Any:
        node: Any = self.tables[table]
        for key in keys:
            node = node[key]
        return node

    def value(self, table: str, *keys: str) -> Any:
        """The entry at ``table/keys`` without its examples: an entry that
        carries ``examples:`` / ``not:`` is a mapping that keeps its rule under
        ``regex`` (a pattern or a list of them), ``words`` (a list) or
        ``value`` (anything else); any other entry is its own value."""
        node = self.get(table, *keys)
        if isinstance(node, dict):
            for key in ENTRY_KEYS:
                if key in node:
                    return node[key]
        return node

    def found(self, table: str, *keys: str):
        """text -> whether any pattern of the list at ``table/keys`` occurs in it.

        The same answer as ``re(...).search(text)``, faster: the patterns
        anchored at the start (``^…`` with no top-level ``|``) are tried once,
        at the start, instead of at every position of the text."""
        key = ("found", table, *keys)
        if key not in self._compiled:
            patterns = self.get(table, *keys)
            patterns = patterns["regex"] if isinstance(patterns, dict) else patterns
            patterns = [patterns] if isinstance(patterns, str) else patterns
            anchored = [p for p in patterns if _anchored(p)]
            floating = [p for p in patterns if not _anchored(p)]
            at_start = regex.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
            anywhere = regex.compile("|".join(f"(?:{p})" for p in floating)) if floating else None

            def found(text: str) -> bool:
                return bool((at_start is not None and at_start.match(text))
                            or (anywhere is not None and anywhere.search(text)))

            self._compiled[key] = found
        return self._compiled[key]

    def re(self, table: str, *keys: str, reverse: bool = False) -> regex.Pattern:
        """The pattern at ``table/keys``; a list of patterns is one alternation.

        ``reverse``: compiled to search from the end (``regex.REVERSE``), for a
        pattern anchored at the end of the text (``…$``): the search starts
        where a match must end instead of trying every position before it."""
        key = (table, *keys, "reverse") if reverse else (table, *keys)
        if key not in self._compiled:
            value = self.get(table, *keys)
            if isinstance(value, dict):
                value = value["regex"]
            if isinstance(value, list):
                value = "|".join(f"(?:{v})" for v in value)
            self._compiled[key] = regex.compile(value, flags=regex.REVERSE if reverse else 0)
        return self._compiled[key]


def _anchored(pattern: str) -> bool:
    """``^…`` with no ``|`` outside brackets and groups: it can only match at
    the start of a text (no pattern here sets MULTILINE)."""
    if not pattern.startswith("^") or "(?m" in pattern:
        return False
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
    return True


def expand(node: Any, definitions: dict[str, str], where: str = "") -> Any:
    """``node`` with every ``{name}`` in its strings replaced by its definition
    (definitions may refer to each other); an unknown name is an error."""
    if isinstance(node, dict):
        return {k: expand(v, definitions, f"{where}/{k}") for k, v in node.items()}
    if isinstance(node, list):
        return [expand(v, definitions, f"{where}[{i}]") for i, v in enumerate(node)]
    if not isinstance(node, str):
        return node
    seen: set[str] = set()

    def one(m: regex.Match) -> str:
        name = m.group(1)
        if name not in definitions:
            raise ValueError(f"rules{where}: unknown reference {{{name}}}")
        if name in seen:
            raise ValueError(f"rules{where}: {{{name}}} refers to itself")
        seen.add(name)
        value = _REFERENCE.sub(one, definitions[name])
        seen.discard(name)
        return value

    return _REFERENCE.sub(one, node)


def _check(tables: dict[str, Any]) -> None:
    """The tables file their rules under the records' vocabularies."""
    styles = [s.get("report_as", s["name"]) for s in tables["markers"]["styles"]]
    if sorted(set(styles)) != sorted(values(MarkerStyle)):
        raise ValueError(f"rules/markers.yaml styles {styles} are not the marker styles {values(MarkerStyle)}")
    order = tables["deadlines"]["order"]
    if sorted(order) != sorted(values(DeadlineKind)) or set(tables["deadlines"]["matchers"]) != set(order):
        raise ValueError(f"rules/deadlines.yaml files matchers under {order}, not the kinds {values(DeadlineKind)}")
    for key in ("cues_before", "cues_after"):
        unknown = set(tables["targets"][key]) - set(values(Comparator))
        if unknown:
            raise ValueError(f"rules/targets.yaml {key} names comparators {sorted(unknown)}")


def read_tables(folder) -> dict[str, Any]:
    """The YAML tables of ``folder``, references expanded and checked."""
    raw = {}
    for name in TABLES:
        with (folder / f"{name}.yaml").open("r", encoding="utf-8") as fh:
            raw[name] = yaml.load(fh, Loader=_LOADER)
    shared = raw["shared"]
    definitions = {**shared["chars"], **shared["patterns"]}
    tables = {}
    for name, table in raw.items():
        local = {**definitions, **table.get("parts", {})} if isinstance(table, dict) else definitions
        tables[name] = expand(table, local, f"/{name}")
    _check(tables)
    return tables


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The package's rule tables (cached: every stage shares one copy)."""
    return Rules(read_tables(resources.files("plan_extract") / "rules"))


@lru_cache(maxsize=1)
def rules_hash() -> str:
    """sha256 of the rule files (tables and word lists): a run's records
    depend on them, so resume keys and the run's manifest name it."""
    folder = resources.files("plan_extract") / "rules"
    digest = hashlib.sha256()
    for entry in sorted((e for e in folder.iterdir() if e.name.endswith((".yaml", ".txt"))), key=lambda e: e.name):
        data = entry.read_bytes()
        digest.update(f"{entry.name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()
