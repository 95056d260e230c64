"""Command line: ``plan-extract run PATH... -o OUTDIR`` and the other commands.

Only parses arguments, shows progress and calls :mod:`plan_extract.run`,
:mod:`plan_extract.training` or :mod:`plan_extract.output`.  Each command
imports what it uses when it runs, so ``plan-extract schema`` starts without
loading jieba or the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .support import Main, Renamed, exit_quickly, run_records

REPO = Path(__file__).resolve().parents[2]


@click.group(cls=Main)
@click.version_option(package_name="plan-extract")
def main() -> None:
    """Turn Chinese plan documents into normalized JSON plan records."""


def entry() -> None:
    """The ``plan-extract`` console script (tests call :func:`main` itself)."""
    exit_quickly(main)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for plans.jsonl and errors.jsonl.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--force", is_flag=True, help="Redo inputs an earlier run in OUTDIR already finished.")
@click.option("--time-limit", default=120.0, show_default=True, type=float,
              help="Seconds one document may take before it is stopped and reported.")
@click.option("--rules-only", is_flag=True, help="Decide with the rules alone, without the trained classifiers.")
@click.option("--models", "models_dir", default=None, type=click.Path(file_okay=False),
              help="Models that `plan-extract train` wrote [default: $PLAN_EXTRACT_MODELS, else the shipped ones].")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "xlsx"]), default="jsonl",
              show_default=True, help="plans.jsonl is always written; csv, parquet or xlsx add flat tables.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run on a Dask cluster: tcp://HOST:8786, or 'local' for a LocalCluster of -j workers.")
def run(paths: tuple[str, ...], outdir: str, jobs: int, force: bool, time_limit: float, rules_only: bool,
        models_dir, fmt: str, dask_address) -> None:
    """Extract every file under PATHS (folders and archives too) into OUTDIR.

    Exit code 0 when every input gave its records, 1 when some input failed
    (errors.jsonl says which and why; when every input failed, the output of
    an earlier run is left as it was), 2 when PATHS hold no input, the models
    asked for are missing, the run could not write its output or another run
    holds OUTDIR (one line says which path and why; the outputs of earlier
    runs are left as they were), 130 when interrupted (Ctrl-C: the same
    command resumes)."""
    from rich.console import Console
    from rich.markup import escape

    from ..core.atomic import OutputError
    from ..models.store import ModelsMissing
    from ..run.batch import NoInput

    console = Console(stderr=True, soft_wrap=True)  # one line per message, however long
    if rules_only and models_dir:
        raise click.UsageError("--rules-only and --models exclude each other")
    models = False if rules_only else models_dir
    try:
        result = _run(console, paths, outdir, jobs, force, time_limit, models, dask_address)
        if fmt != "jsonl" and result.written:
            from ..output.export import export

            export(Path(outdir), fmt)
    except KeyboardInterrupt:
        _interrupted(console, outdir)
    except (NoInput, ModelsMissing) as exc:
        console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except OutputError as exc:
        console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except OSError as exc:  # a table writer's own failure to write
        console.print(f"[red]error[/red] cannot write {escape(str(exc.filename or outdir))}: "
                      f"{escape(exc.strerror or str(exc))}",
                      highlight=False)
        sys.exit(2)
    for err in result.failed:
        console.print(f"[red]error[/red] {escape(err['path'])}: {err['stage']}: {escape(err['reason'])}",
                      highlight=False)
    if result.retried:
        console.print(f"[yellow]warning[/yellow] a worker process died: {result.retried} inputs were run again, "
                      f"each alone", highlight=False)
    for path in result.removed:
        console.print(f"removed {escape(str(path))}: it described the records of an earlier run", highlight=False)
    if not result.written:
        console.print(f"[red]error[/red] every input failed: nothing extracted, the earlier output in "
                      f"{escape(outdir)} was left as it was", highlight=False)
        sys.exit(1)
    console.print(f"{result.files} files ({result.skipped} done before), {result.plans} plans, "
                  f"{len(result.failed)} failed -> {outdir}", highlight=False)
    sys.exit(1 if result.failed else 0)


def _interrupted(console, outdir) -> None:
    """Ctrl-C: say how to resume (the same command, without --force), exit 130."""
    import shlex

    args = [a for a in sys.argv[1:] if a != "--force"]
    console.print(f"\ninterrupted: the inputs finished so far are kept in {outdir}/.plan_extract; "
                  f"to resume, run the same command again: plan-extract {shlex.join(args)}",
                  highlight=False, markup=False)
    sys.exit(130)


def _run(console, paths, outdir, jobs, force, time_limit, models, dask_address):
    """The batch, with a progress bar on a terminal."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from ..run.batch import run_batch
    from ..run.inputs import iter_items

    progress = Progress(TextColumn("[bold]files"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[plans]} plans"), TextColumn("{task.fields[rate]} files/s"),
                        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                        console=console, disable=not console.is_terminal)
    with progress:
        total = sum(1 for _ in iter_items(paths, skip=outdir, read=False)) if console.is_terminal else None
        task = progress.add_task("files", total=total, plans=0, rate="-")
        plans = 0

        def on_file(path, n):
            nonlocal plans
            plans += n
            t = progress.tasks[0]
            rate = f"{t.completed / t.elapsed:.1f}" if t.elapsed else "-"
            progress.update(task, advance=1, plans=plans, rate=rate)

        client = None
        if dask_address:
            from ..run.dask import client_for

            client = client_for(dask_address, workers=max(jobs, 2))
        try:
            return run_batch(paths, outdir, jobs=jobs, force=force, time_limit=time_limit or None,
                             models=models, on_file=on_file, dask_client=client)
        finally:
            if client is not None:
                cluster = client.cluster if dask_address == "local" else None
                client.close()
                if cluster is not None:
                    cluster.close()


MANIFEST = Path("data") / "train.txt"


def _corpus(corpus_dir) -> Path:
    """The corpus beside the checkout (commands run from its root) unless given."""
    return Path(corpus_dir) if corpus_dir else Path.cwd().resolve().parent / "shared" / "corpus"


def _gold_dirs(given) -> list[Path]:
    from ..training.gold import training_sets

    if given:
        return [Path(d) for d in given]
    if not MANIFEST.exists():
        raise click.UsageError(f"no gold folders given and no {MANIFEST} here: run from the repository root")
    return training_sets(MANIFEST)


@main.command()
@click.option("--data", "gold_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="A gold folder (data/annotated/README.md); repeat for several "
                   "[default: the folders data/train.txt lists].")
@click.option("--models", "--out", "out_dir", cls=Renamed, old=("--out",), default=None,
              type=click.Path(file_okay=False), help="Where the models go [default: the user's data folder, ~/.local/share/plan-extract/models "
                   "on Linux; plan_extract/models replaces the shipped ones].")
@click.option("--corpus", "corpus_dir", default=None, type=click.Path(exists=True, file_okay=False),
              help="Corpus documents named corpus/... [default: ../shared/corpus].")
def train(gold_dirs, out_dir, corpus_dir) -> None:
    """Train the candidate and line classifiers on the gold (deterministic).

    The models go to the user's data folder unless --models says otherwise, never
    into the installed package by default; a run uses them with
    `run --models DIR` or PLAN_EXTRACT_MODELS=DIR."""
    from ..models.store import ENV, user_folder
    from ..training.train import train as train_models

    out = Path(out_dir) if out_dir else user_folder()
    meta = train_models(_gold_dirs(gold_dirs), out, corpus_dir=_corpus(corpus_dir))
    click.echo(f"trained on {len(meta['documents'])} documents in {meta['seconds']} s: "
               f"{meta['examples']['candidates']} candidates {meta['examples']['candidate_labels']}, "
               f"{meta['examples']['lines']} lines {meta['examples']['line_labels']} -> {out}")
    click.echo(f"use them with: plan-extract run PATHS -o OUTDIR --models {out}  (or {ENV}={out})")


@main.command(name="eval")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--items", "items_path", default=None, type=click.Path(dir_okay=False),
              help="Also write every scored item (tp/fp/fn, group) as JSONL, for error analysis.")
@click.option("--shipped", is_flag=True,
              help="Score the shipped models and the rules alone, without cross-validation "
                   "(for a held-out set the models never saw).")
@click.option("--corpus", "corpus_dir", default=None, type=click.Path(exists=True, file_okay=False))
def evaluate(paths, as_json: bool, items_path, shipped: bool, corpus_dir) -> None:
    """Precision, recall and F1 against gold folders.

    PATHS: gold folders (default: those data/train.txt lists) and, optionally,
    one plans.jsonl whose records are scored.  Without records, runs the
    pipeline with leave-one-file-out cross-validation: each gold document is
    scored by classifiers trained on the other documents, beside the rules alone.
    """
    from ..rules import load_rules
    from ..training.crossval import cross_validate
    from ..training.evaluate import FIELD_NAMES, KINDS, items_table, reliability, report, score, score_items
    from ..training.examples import candidate_examples, candidate_recall
    from ..training.gold import gold_sets

    records_files = [Path(p) for p in paths if Path(p).is_file()]
    if len(records_files) > 1:
        raise click.UsageError("give at most one plans.jsonl")
    plans_jsonl = records_files[0] if records_files else None
    gold_dirs = _gold_dirs([p for p in paths if Path(p).is_dir()])
    docs = gold_sets(gold_dirs, corpus_dir=_corpus(corpus_dir))
    calibration: list = []  # (P(target), is a gold target) per candidate, when a model decides
    by_item = None  # targets and deadlines with plan boundaries ignored (records given or shipped models)
    if plans_jsonl:
        records: dict[str, list] = {}
        for line in plans_jsonl.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            records.setdefault(Path(r["source"]["path"]).name, []).append(r)
        pairs = [(sorted(records.get(d.path.name, []), key=lambda r: r["plan_index"]), d.gold) for d in docs]
        columns = {plans_jsonl.name: score(pairs)}
        by_item = score_items(pairs)
    elif shipped:
        from ..api import extract_file
        from ..models import load_models

        shipped_pairs = [(extract_file(d.path), d.gold) for d in docs]
        columns = {"rules": score([(extract_file(d.path, models=False), d.gold) for d in docs]),
                   "rules+classifier": score(shipped_pairs)}
        by_item = score_items(shipped_pairs)
        model = load_models()["candidates"]
        target = list(model.classes_).index("target")
        for d in docs:
            rows, labels = candidate_examples(d, load_rules())
            calibration += [(p[target], y == "target") for p, y in zip(model.predict_proba(rows), labels)]
    else:
        columns = cross_validate(docs, calibration=calibration)
    figures = report(columns)
    found_located = [candidate_recall(d, load_rules()) for d in docs]
    found, located = sum(f for f, _ in found_located), sum(n for _, n in found_located)
    extra = {"candidate_recall": {"recall": round(found / located, 4) if located else None,
                                  "proposed": found, "gold_targets": located}}
    if by_item:
        extra["plan_boundaries_ignored"] = {k: t.summary() for k, t in by_item.items()}
    if calibration:
        bins, ece = reliability(calibration)
        extra["calibration"] = {"ece": ece, "candidates": len(calibration), "bins": bins}
    if items_path:
        with open(items_path, "w", encoding="utf-8") as fh:
            for row in items_table(columns):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if as_json:
        click.echo(json.dumps({**figures, **extra}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    title = (f"records of {plans_jsonl}" if plans_jsonl else "shipped models" if shipped
             else "held out: leave one file out")
    table = Table(title=f"{len(docs)} gold documents, {title}")
    table.add_column("")
    table.add_column("measure")
    for name in figures:
        table.add_column(name, justify="right")
    for kind in KINDS:
        for measure in ["precision", "recall", "f1"] + [f"{f}_accuracy" for f in FIELD_NAMES[kind]]:
            values = [figures[name][kind].get(measure) for name in figures]
            table.add_row(kind if measure == "precision" else "", measure,
                          *["-" if v is None else f"{v:.3f}" for v in values])
        table.add_row(kind and "", "gold items", *[str(figures[n][kind]["tp"] + figures[n][kind]["fn"]) for n in figures])
    console = Console()
    console.print(table)
    recall = extra["candidate_recall"]
    console.print(f"candidate recall (a candidate holds the gold target's number): {recall['recall']:.3f} "
                  f"({recall['proposed']} of {recall['gold_targets']} gold targets)", highlight=False)
    for kind, fig in extra.get("plan_boundaries_ignored", {}).items():
        console.print(f"{kind} with plan boundaries ignored: P {fig['precision']:.3f} R {fig['recall']:.3f} "
                      f"F1 {fig['f1']:.3f} (metric {fig.get('metric_accuracy') or 0:.3f})"
                      if kind == "targets" else
                      f"{kind} with plan boundaries ignored: P {fig['precision']:.3f} R {fig['recall']:.3f} "
                      f"F1 {fig['f1']:.3f}", highlight=False)
    if "calibration" in extra:
        cal = Table(title=f"P(target) reliability over {extra['calibration']['candidates']} candidates, "
                          f"expected calibration error {extra['calibration']['ece']:.3f}")
        for column in ("bin", "count", "mean P(target)", "share that are targets"):
            cal.add_column(column, justify="right")
        for row in extra["calibration"]["bins"]:
            cal.add_row(row["bin"], str(row["count"]), f"{row['mean_p']:.3f}", f"{row['targets']:.3f}")
        console.print(cal)


@main.command(name="export")
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "--to", "fmt", cls=Renamed, old=("--to",), type=click.Choice(["csv", "parquet", "xlsx"]),
              default="csv", show_default=True, help="The tables' format (OUTDIR/tables/).")
def export_cmd(outdir: str, fmt: str) -> None:
    """Write OUTDIR/plans.jsonl as flat tables (plans, sections, targets, deadlines)."""
    from ..output.export import export

    run_records(outdir)
    for path in export(Path(outdir), fmt):
        click.echo(path)


@main.command()
def schema() -> None:
    """Print the JSON Schema of a plan record."""
    from ..output.schema import record_schema

    click.echo(json.dumps(record_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--page", "-o", "--output", "page", cls=Renamed, old=("-o", "--output"), default=None,
              type=click.Path(dir_okay=False), help="Where the page goes [default: OUTDIR/report.html].")
def report(outdir: str, page) -> None:
    """Write one self-contained HTML page to review the run in OUTDIR."""
    from ..output.report import write_report

    run_records(outdir)
    click.echo(write_report(Path(outdir), Path(page) if page else None))


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
def review(outdir: str, port: int, no_browser: bool) -> None:
    """Review the run in OUTDIR in the browser: accept, reject, edit and add items.

    Every decision is appended to OUTDIR/corrections.jsonl as it is made."""
    from ..review.server import serve

    run_records(outdir)
    serve(Path(outdir), port=port, browser=not no_browser, echo=click.echo)


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", "set_dir", required=True, type=click.Path(file_okay=False),
              help="The gold set folder: SET_DIR/annotated (give it to train --data and eval) and SET_DIR/raw.")
@click.option("--drop-unreviewed", is_flag=True,
              help="Leave out targets and deadlines no decision names [default: in as predicted].")
def gold(outdir: str, set_dir: str, drop_unreviewed: bool) -> None:
    """Turn the run in OUTDIR and its corrections.jsonl into a gold set.

    Rejected items are left out; accepted, edited and added ones are in, and
    unreviewed ones are in as predicted unless --drop-unreviewed.  Exit code 1
    when some source could not be made gold (one line says which and why)."""
    from ..review.gold import write_gold
    from ..run.inputs import member_bytes

    run_records(outdir)
    result = write_gold(Path(outdir), Path(set_dir), keep_unreviewed=not drop_unreviewed, member_bytes=member_bytes)
    for warning in result.warnings:
        click.echo(f"warning {warning}", err=True)
    for problem in result.problems:
        click.echo(f"error {problem}", err=True)
    c = result.counts
    click.echo(f"{c['documents']} documents, {c['plans']} plans, {c['targets']} targets, {c['deadlines']} deadlines "
               f"({c['decisions']} decisions) -> {Path(set_dir) / 'annotated'}")
    sys.exit(1 if result.problems else 0)
