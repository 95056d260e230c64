"""Command line: ``plan-extract run PATH... -o OUTDIR``.

Only parses arguments, shows progress and calls :mod:`plan_extract.batch`.
"""

from __future__ import annotations

import sys

import click


@click.group()
@click.version_option(package_name="plan-extract")
def main() -> None:
    """Turn Chinese plan documents into normalized JSON plan records."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for plans.jsonl and errors.jsonl.")
def run(paths: tuple[str, ...], outdir: str) -> None:
    """Extract every file under PATHS (folders recursively) into OUTDIR."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch import iter_files, run_batch

    console = Console(stderr=True)
    total = sum(1 for _ in iter_files(paths))
    progress = Progress(TextColumn("[bold]files"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[plans]} plans"), TimeElapsedColumn(),
                        console=console, disable=not console.is_terminal)
    with progress:
        task = progress.add_task("files", total=total, plans=0)
        plans = 0

        def on_file(path, n):
            nonlocal plans
            plans += n
            progress.update(task, advance=1, plans=plans)

        result = run_batch(paths, outdir, on_file=on_file)
    for err in result.failed:
        console.print(f"[red]error[/red] {err['path']}: {err['stage']}: {err['reason']}")
    console.print(f"{result.files} files, {result.plans} plans, {len(result.failed)} failed -> {outdir}")
    sys.exit(1 if result.failed else 0)
