"""What a run's records depend on besides their inputs, and the manifest that names it.

A record changes with the package (its version and code), the rule tables,
the models (or none: ``--rules-only``) and the run's options, not only with
its input's bytes.  :class:`Settings` collects those; its digest is part of
every resume key (:func:`done_key`), so a run into an OUTDIR that an earlier
run filled with other rules, other models or another version of the package
redoes its inputs instead of reusing records that are no longer what it would
write.  ``OUTDIR/manifest.json``, written with ``plans.jsonl``, names them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Optional

from ..rules import rules_hash

PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def version() -> str:
    try:
        return metadata.version("plan-extract")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 of the package's Python files: an editable install changes
    its code without changing its version."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(PACKAGE).as_posix()}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Settings:
    """Everything besides an input that its records depend on."""

    version: str
    code_sha256: str
    rules_sha256: str
    models_sha256: Optional[str]  # None: the rules decide alone
    models_from: Optional[str]  # "shipped", "PLAN_EXTRACT_MODELS" or the folder given; None with no models
    rules_only: bool

    def digest(self) -> str:
        """The part of a resume key that changes when a record would change
        (where the models came from does not matter, only what they are)."""
        fields = {k: v for k, v in asdict(self).items() if k != "models_from"}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def manifest(self, inputs: list[str], *, files: int, plans: int, failed: int) -> dict:
        return {"plan_extract": {"version": self.version, "code_sha256": self.code_sha256},
                "rules_sha256": self.rules_sha256,
                "models": (None if self.models_sha256 is None
                           else {"sha256": self.models_sha256, "from": self.models_from}),
                "options": {"rules_only": self.rules_only},
                "inputs": inputs, "files": files, "plans": plans, "failed": failed}


def settings(models: Optional[dict], models_from: Optional[str], *, rules_only: bool) -> Settings:
    """The settings of a run whose models are ``models`` (loaded, or None)."""
    sha = (models or {}).get("sha256") if models else None
    if models and sha is None:  # fitted in memory, never saved: nothing names them, never resume
        sha = "unsaved-" + hashlib.sha256(repr(id(models)).encode()).hexdigest()
    return Settings(version(), code_hash(), rules_hash(), sha, models_from if models else None, rules_only)


def done_key(path: str, relpath: str, sha256: str, settings_digest: str) -> str:
    """The name of an input's done file: its path (as shown and relative to
    its input root, which its plan ids are built from), its content and the
    run's settings."""
    text = f"{path}\0{relpath}\0{sha256}\0{settings_digest}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def manifest_lines(manifest: dict):
    """``manifest.json``'s lines for :func:`plan_extract.core.atomic.write_files`."""
    yield json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
