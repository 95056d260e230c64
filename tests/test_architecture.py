"""How the package's layering and the absence of import cycles are checked.

The package source is read with :mod:`ast` (nothing of ``plan_extract`` is
imported).  :func:`import_edges` finds every import of a ``plan_extract``
module, at module level and inside functions, with relative imports resolved.
From those edges the tests check that

* the import graph has no cycle;
* every edge respects the layer table ``ALLOWED`` / ``FORBIDDEN`` below
  (``docs/ARCHITECTURE.md`` describes the layers);
* no import was put inside a function to hide a cycle;
* no module is over 400 lines unless its docstring says why;
* every folder's ``__init__.py`` says in a docstring what the layer is.

Only direct imports count: ``from ..stages.read import X`` is an edge to
``plan_extract.stages.read``, not to the parents Python also initialises.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import NamedTuple, Optional

PACKAGE = Path(__file__).resolve().parents[1] / "plan_extract"
MAX_LINES = 400

FOUNDATION = {"core", "rules", "text"}
STAGES = {"stages.read", "stages.clean", "stages.split", "stages.sections", "stages.deadlines", "stages.targets"}
ENTRY = {"cli", "__main__"}  # ``__main__`` only runs the cli, so it counts as the cli

# layer -> the only layers it may import
ALLOWED = {
    "core": {"core"},
    "rules": {"core", "rules"},
    "text": FOUNDATION,
    "models": FOUNDATION | {"models"},
    "output": FOUNDATION | {"output", "stages.read"},  # schema reads the formats table
    "review": FOUNDATION | {"output", "review"},  # reads records, writes corrections: never runs the pipeline
    "stages": FOUNDATION | STAGES | {"stages"},  # stages/__init__.py
    **{stage: FOUNDATION | {stage, "stages"} for stage in STAGES},
}
# layer -> the layers it must not import (anything else is fine)
FORBIDDEN = {
    "api": {"run", "training", "integrations"} | ENTRY,
    "run": {"training", "integrations"} | ENTRY,
    "training": {"run", "integrations"} | ENTRY,
    "integrations": {"run", "training"} | ENTRY,
    "cli": set(),
    "__main__": set(),
    "plan_extract": set(),  # plan_extract/__init__.py
}


class Edge(NamedTuple):
    importer: str
    imported: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported}"


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("plan_extract",) + path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_edges() -> list[Edge]:
    """Every import of a ``plan_extract`` module made anywhere in the package."""
    known = modules()

    def existing(name: str) -> str:  # a name that is no module: its longest module prefix
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        return name

    def imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
        if isinstance(node, ast.Import):
            return [existing(a.name) for a in node.names]
        if node.level:  # relative: count up from the package the module sits in
            package = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else existing(base) for a in node.names]

    edges = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        nested = {id(n) for f in functions for n in ast.walk(f) if n is not f}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in imported(node, module, path.name == "__init__.py"):
                    if target == "plan_extract" or target.startswith("plan_extract."):
                        edges.append(Edge(module, target, node.lineno, id(node) in nested))
    return edges


def graph_of(edges: list[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for e in edges:
        if e.importer != e.imported:
            graph[e.importer].add(e.imported)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> Optional[list[str]]:
    """One cycle as ``[a, b, ..., a]``, or None; a module importing itself is no cycle."""
    state: dict[str, str] = {}  # "open" while on the DFS path, "done" after
    path: list[str] = []

    def visit(node: str) -> Optional[list[str]]:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def layer(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return "plan_extract"
    if parts[0] == "stages" and len(parts) > 1:
        return f"stages.{parts[1]}"
    return parts[0]


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_the_graph_sees_relative_and_function_imports():
    edges = {(e.importer, e.imported, e.in_function) for e in import_edges()}
    assert ("plan_extract.stages.read", "plan_extract.stages.read.pdf", False) in edges  # from . import pdf
    assert ("plan_extract.stages.clean", "plan_extract.core.document", False) in edges
    assert any(e[0] == "plan_extract.cli" and e[2] for e in edges)  # the cli imports inside its commands


def test_the_cycle_detector_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a", "b"}, "b": set(), "c": {"b"}}) is None  # self-imports are ignored
    assert find_cycle({"pkg": {"pkg.x"}, "pkg.x": {"pkg"}}) == ["pkg", "pkg.x", "pkg"]


def test_no_import_cycles():
    cycle = find_cycle(graph_of(import_edges()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_layers():
    bad = []
    for e in import_edges():
        src, dst = layer(e.importer), layer(e.imported)
        if src in ALLOWED:
            ok = dst in ALLOWED[src]
        elif src in FORBIDDEN:
            ok = dst not in FORBIDDEN[src]
        else:
            ok = False  # a new folder: add it to the table
        if not ok:
            bad.append(f"{e}  (line {e.line}; {src} may not import {dst})")
    assert not bad, "imports across layers:\n" + "\n".join(sorted(set(bad)))


def test_no_import_inside_a_function_breaks_a_cycle():
    edges = import_edges()
    graph = graph_of(edges)
    bad = [f"{e}  (line {e.line}; {e.imported} leads back to {e.importer})" for e in edges
           if e.in_function and e.importer != e.imported and reaches(graph, e.imported, e.importer)]
    assert not bad, "function-level imports that hide a cycle:\n" + "\n".join(bad)


def test_module_size():
    too_long = []
    for module, path in modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        explained = "over 400 lines" in re.sub(r"\s+", " ", docstring(path).lower())
        if lines > MAX_LINES and not explained:
            too_long.append(f"{module}: {lines} lines")
    assert not too_long, f"over {MAX_LINES} lines with no reason in the docstring:\n" + "\n".join(too_long)


def test_every_layer_has_a_docstring():
    inits = sorted(PACKAGE.rglob("__init__.py"))
    folders = {p.parent.relative_to(PACKAGE).as_posix() for p in inits}
    assert folders >= {"core", "text", "rules", "stages", "stages/read", "stages/split", "stages/deadlines",
                       "stages/targets", "models", "output", "run", "training", "integrations", "review"}
    missing = [str(p.relative_to(PACKAGE.parent)) for p in inits if not docstring(p).strip()]
    assert not missing, "no module docstring: " + ", ".join(missing)


# Chinese words, CJK punctuation and full-width forms: rule data, which lives in
# plan_extract/rules/*.yaml (the ideographic space U+3000 is whitespace, not a rule).
RULE_CHARACTERS = re.compile(r"[\u3001-\u303f\u3400-\u9fff\uff01-\uff60“”‘’]")


def test_no_chinese_rule_words_in_code():
    """String literals of the code (docstrings aside) hold no Chinese rule
    words or CJK punctuation: those are rule-table data."""
    found = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and RULE_CHARACTERS.search(node.value):
                found.append(f"{name}:{node.lineno}: {node.value[:40]!r}")
    assert found == [], "\n".join(found)
