"""What every command shares: expected failures end as one ``error`` line
with exit code 2 (never a traceback), a run's records are checked before a
command reads them, and renamed options keep their old spellings."""

from __future__ import annotations

import atexit
import copy
import json
import os
import sys
from pathlib import Path
from typing import Optional

import click


def expected(exc: Exception) -> Optional[str]:
    """The one line for a failure a user can act on (a file that cannot be
    read or written, models that are missing), or None for a defect, which
    keeps its traceback."""
    from ..models.store import ModelsMissing

    if isinstance(exc, OSError) and (exc.filename or isinstance(exc, output_error())):
        return str(exc) if isinstance(exc, output_error()) else f"{exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, ModelsMissing):
        return str(exc)
    return None


def output_error():
    from ..core.atomic import OutputError

    return OutputError


class Main(click.Group):
    """Expected failures end with one ``error ...`` line and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            line = expected(exc)
            if line is None:
                raise
            click.echo(f"error {line}", err=True)
            ctx.exit(2)


def exit_quickly(command) -> None:
    """Run the console command ``command`` (a click command), then end the
    process without tearing the interpreter down: freeing the models' tables
    and every module object by object took 0.15 s of a 2 s run.  The exit
    handlers still run (multiprocessing's, logging's) and the standard streams
    are flushed; every output file was closed when the command returned."""
    try:
        command()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # under a profiler or a debugger, which report when the interpreter ends
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)


def fail(message: str, code: int = 2):
    click.echo(f"error {message}", err=True)
    sys.exit(code)


def run_records(outdir: str) -> Path:
    """OUTDIR/plans.jsonl, checked: a folder without a run, or a plans.jsonl
    that is not one, is one line and exit code 2."""
    plans = Path(outdir) / "plans.jsonl"
    if not plans.is_file():
        fail(f"{outdir} holds no run (no plans.jsonl): run `plan-extract run PATHS -o {outdir}` first")
    with open(plans, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            try:
                record = json.loads(line) if line.strip() else {}
            except ValueError as exc:
                fail(f"{plans} line {n} is not JSON ({exc.msg}): not the output of plan-extract run")
            if line.strip() and not (isinstance(record, dict) and "schema_version" in record):
                fail(f"{plans} line {n} is not a plan record: not the output of plan-extract run")
    return plans


class Renamed(click.Option):
    """An option whose ``old`` spellings still parse (scripts written for them
    keep working) but no longer show in ``--help``: one name per meaning
    across commands (README, "Options")."""

    def __init__(self, *decls, old: tuple[str, ...] = (), **kwargs):
        super().__init__(*decls, **kwargs)
        self.old = tuple(old)

    def _shown(self) -> click.Option:
        shown = copy.copy(self)
        shown.opts = [o for o in self.opts if o not in self.old]
        return shown

    def get_help_record(self, ctx):
        return click.Option.get_help_record(self._shown(), ctx)

    def get_error_hint(self, ctx) -> str:
        return click.Option.get_error_hint(self._shown(), ctx)
