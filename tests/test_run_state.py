"""An analyst's loop over one OUTDIR: run, re-run with other settings, export,
report, interrupt and resume.  Each test runs the real batch (or the real
command in a subprocess) on documents it writes itself."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, assert_valid_records
from plan_extract.models.store import load_models
from plan_extract.run.batch import NoInput, run_batch

SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
TIMEOUT = 180  # seconds: a guard against hangs, far above what any run here takes


def plan(i: int) -> str:
    return SAMPLE.replace("XX县", f"第{i}县")


def inbox(tmp_path: Path, n: int = 3, name: str = "in") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i}.txt").write_text(plan(i), encoding="utf-8")
    return folder


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]


def cli(*args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "plan_extract", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT, env=env, **kwargs)


def no_traceback(res) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr


# 1. resume is keyed on everything a record depends on

def test_a_rules_only_run_into_the_same_outdir_redoes_every_input(tmp_path):
    folder, out = inbox(tmp_path), tmp_path / "out"
    first = run_batch([folder], out)
    shipped = load_models()["sha256"]
    assert first.skipped == 0 and {r["models"] for r in records(out)} == {shipped}
    assert any(t["confidence"] is not None for r in records(out) for t in r["targets"])
    rules_only = run_batch([folder], out, models=False)
    assert rules_only.skipped == 0  # before: every input "done", the classifier's records reused
    got = records(out)
    assert {r["models"] for r in got} == {None}
    assert all(t["confidence"] is None for r in got for t in r["targets"])
    fresh = tmp_path / "fresh"
    run_batch([folder], fresh, models=False)
    assert (out / "plans.jsonl").read_bytes() == (fresh / "plans.jsonl").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"] is None and manifest["options"] == {"rules_only": True}
    assert run_batch([folder], out).skipped == 3  # the classifier's done files are still there: resumed
    assert {r["models"] for r in records(out)} == {shipped}


def test_every_setting_a_record_depends_on_is_in_the_resume_key():
    from dataclasses import replace

    from plan_extract.run.manifest import done_key, settings

    base = settings(load_models(), "shipped", rules_only=False)
    assert re.fullmatch(r"[0-9a-f]{64}", base.code_sha256) and re.fullmatch(r"[0-9a-f]{64}", base.rules_sha256)
    changed = [replace(base, version="9.9"), replace(base, code_sha256="0" * 64),
               replace(base, rules_sha256="0" * 64), replace(base, models_sha256="0" * 64),
               replace(base, models_sha256=None, rules_only=True)]
    digests = {s.digest() for s in changed} | {base.digest()}
    assert len(digests) == len(changed) + 1
    assert replace(base, models_from="/elsewhere").digest() == base.digest()  # the same models, moved
    keys = {done_key("in/a.txt", "in/a.txt", "f" * 64, d) for d in digests}
    assert len(keys) == len(digests)


# 2. a run that found nothing, or only failures, never replaces a good output

def test_no_input_and_only_failures_leave_the_earlier_output(tmp_path):
    folder, out = inbox(tmp_path), tmp_path / "out"
    assert run_batch([folder], out).written
    good = {name: (out / name).read_bytes() for name in ("plans.jsonl", "errors.jsonl", "manifest.json")}
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoInput):
        run_batch([empty], out)
    res = cli("run", empty, "-o", out)
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [
        f"error no input found in {empty}: nothing to extract (the output folder was left as it was)"]
    (tmp_path / "bad.txt").write_bytes(b"")
    res = cli("run", tmp_path / "typo", tmp_path / "bad.txt", "-o", out)  # a typo in the path, an empty file
    assert res.returncode == 1, res.stderr
    assert "every input failed" in res.stderr and "left as it was" in res.stderr
    assert {name: (out / name).read_bytes() for name in good} == good
    no_traceback(res)
    fresh = tmp_path / "fresh"  # with no earlier output, the failures are written
    res = cli("run", tmp_path / "typo", "-o", fresh)
    assert res.returncode == 1 and (fresh / "plans.jsonl").read_text() == ""
    assert [e["reason"] for e in map(json.loads, (fresh / "errors.jsonl").read_text().splitlines())] == ["no such file"]


# 3. tables and the review page of an older run go when plans.jsonl is replaced

def test_derived_files_of_an_older_run_are_removed_or_rebuilt(tmp_path):
    from plan_extract.output.export import export
    from plan_extract.output.report import write_report

    folder, out = inbox(tmp_path), tmp_path / "out"
    run_batch([folder], out)
    export(out, "parquet")
    export(out, "xlsx")
    write_report(out)
    old_ids = {r["id"] for r in records(out)}
    (folder / "p0.txt").unlink()
    (folder / "p3.txt").write_text(plan(3), encoding="utf-8")
    res = cli("run", folder, "-o", out, "--format", "csv")
    assert res.returncode == 0, res.stderr
    tables = out / "tables"
    assert sorted(p.name for p in tables.iterdir()) == ["deadlines.csv", "plans.csv", "sections.csv", "targets.csv"]
    assert not (out / "report.html").exists()
    assert "removed" in res.stderr and "report.html" in res.stderr
    import pandas as pd

    plans = pd.read_csv(tables / "plans.csv", encoding="utf-8-sig")
    assert set(plans["plan_id"]) == {r["id"] for r in records(out)} != old_ids


# 4. plan ids are unique per source path

def test_identical_files_in_two_places_get_different_ids(tmp_path):
    from plan_extract import extract_file
    from plan_extract.output.export import frames
    from plan_extract.output.report import build_report

    root = tmp_path / "batch"
    for sub in ("a", "b"):
        (root / sub).mkdir(parents=True)
        (root / sub / "plan.txt").write_text(plan(1), encoding="utf-8")
    shutil.make_archive(str(root / "c"), "zip", root / "a")  # the same file in an archive
    out = tmp_path / "out"
    assert run_batch([root], out).failed == []
    got = records(out)
    assert_valid_records(got)
    assert len({r["source"]["sha256"] for r in got}) == 1 and len(got) == 3
    assert len({r["id"] for r in got}) == 3
    # the ids depend on the path from the input's root, not on where that root lies
    moved = tmp_path / "elsewhere" / "batch"
    shutil.copytree(root, moved)
    run_batch([moved], tmp_path / "out2")
    assert [r["id"] for r in records(tmp_path / "out2")] == [r["id"] for r in got]
    # what relies on ids stays consistent: tables join on them, the page's anchors are unique
    tables = frames(out / "plans.jsonl")
    assert tables["plans"].groupby("plan_id")["source_path"].nunique().max() == 1
    page = build_report(out)
    anchors = re.findall(r'id="(p-[^"]+)"', page)
    assert len(anchors) == len(set(anchors)) == 3
    # a file named on the command line: the ids the Python API gives for it
    single = tmp_path / "single"
    run_batch([root / "a" / "plan.txt"], single)
    assert records(single) == extract_file(root / "a" / "plan.txt")


# 5. export and report on a folder without a run

@pytest.mark.parametrize("command", ["export", "report"])
def test_export_and_report_without_a_run_say_so_in_one_line(tmp_path, command):
    res = cli(command, tmp_path)
    assert res.returncode == 2
    assert res.stderr.splitlines() == [f"error {tmp_path} holds no run (no plans.jsonl): "
                                       f"run `plan-extract run PATHS -o {tmp_path}` first"]
    (tmp_path / "plans.jsonl").write_text("not json\n", encoding="utf-8")
    res = cli(command, tmp_path)
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 1 and "line 1 is not JSON" in res.stderr


def test_an_output_that_cannot_be_written_is_one_line(tmp_path):
    folder, out = inbox(tmp_path, 1), tmp_path / "out"
    run_batch([folder], out)
    res = cli("report", out, "-o", tmp_path / "missing" / "r.html")
    assert res.returncode == 2
    assert res.stderr.splitlines() == [f"error cannot write {tmp_path / 'missing' / 'r.html'}: No such file or directory"]


# 6. Ctrl-C

def test_ctrl_c_says_how_to_resume_and_exits_130(tmp_path):
    folder, out = inbox(tmp_path, 40), tmp_path / "out"
    clean = tmp_path / "clean"
    run_batch([folder], clean)
    command = ["run", str(folder), "-o", str(out), "-j", "2", "--force"]
    # a terminal's child takes Ctrl-C: the default SIGINT, whatever this process
    # was given (a shell starts a background job with SIGINT ignored)
    proc = subprocess.Popen([sys.executable, "-m", "plan_extract", *command], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    done = out / ".plan_extract" / "done"
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and len(list(done.glob("[!.]*.jsonl")) if done.exists() else []) < 3:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    stdout, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    resume = " ".join(command[:-1])  # --force would redo everything: the hint leaves it out
    assert f"to resume, run the same command again: plan-extract {resume}" in stderr
    finished = len(list(done.glob("[!.]*.jsonl")))
    assert 0 < finished < 40 and not (out / "plans.jsonl").exists()
    res = cli(*command[:-1])
    assert res.returncode == 0, res.stderr
    assert f"40 files ({finished} done before)" in res.stderr
    assert (out / "plans.jsonl").read_bytes() == (clean / "plans.jsonl").read_bytes()


# 7. trained models go to a user folder; runs name the models they used

def test_trained_models_go_to_the_user_folder_and_runs_name_them(tmp_path):
    package_models = ROOT / "plan_extract" / "models"
    before = {p.name: p.read_bytes() for p in package_models.glob("*.json")}
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home")}
    env.pop("PLAN_EXTRACT_MODELS", None)
    res = cli("train", "--data", "data/annotated", env=env)
    assert res.returncode == 0, res.stderr
    user = tmp_path / "data" / "plan-extract" / "models"
    assert sorted(p.name for p in user.iterdir()) == ["candidates.json", "lines.json", "models.json"]
    assert {p.name: p.read_bytes() for p in package_models.glob("*.json")} == before
    trained, shipped = load_models(user)["sha256"], load_models()["sha256"]
    assert trained != shipped

    folder = inbox(tmp_path, 2)
    by_option, by_env, default = tmp_path / "o1", tmp_path / "o2", tmp_path / "o3"
    assert cli("run", folder, "-o", by_option, "--models", user, env=env).returncode == 0
    assert cli("run", folder, "-o", by_env, env={**env, "PLAN_EXTRACT_MODELS": str(user)}).returncode == 0
    assert cli("run", folder, "-o", default, env=env).returncode == 0
    assert {r["models"] for r in records(by_option)} == {trained}
    assert (by_option / "plans.jsonl").read_bytes() == (by_env / "plans.jsonl").read_bytes()
    assert {r["models"] for r in records(default)} == {shipped}
    manifests = [json.loads((o / "manifest.json").read_text()) for o in (by_option, by_env, default)]
    assert [m["models"] for m in manifests] == [{"sha256": trained, "from": str(user)},
                                                {"sha256": trained, "from": "PLAN_EXTRACT_MODELS"},
                                                {"sha256": shipped, "from": "shipped"}]
    # retrained models into the same OUTDIR: every input redone with them
    res = cli("run", folder, "-o", default, "--models", user, env=env)
    assert "(0 done before)" in res.stderr and {r["models"] for r in records(default)} == {trained}
    missing = cli("run", folder, "-o", default, "--models", tmp_path / "nowhere", env=env)
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1 and "no models in" in missing.stderr
    no_traceback(missing)


def test_done_files_no_run_used_for_a_month_are_pruned(tmp_path):
    """The resume folder keeps what recent runs used (settings switched back
    and forth still resume) and drops what no run has used for 30 days (an
    input gone from the archive, rules since replaced): it does not grow run
    after run."""
    folder, out = inbox(tmp_path), tmp_path / "out"
    run_batch([folder], out)
    done = out / ".plan_extract" / "done"
    used = sorted(done.glob("*.jsonl"))
    assert len(used) == 3
    month_ago = time.time() - 31 * 86400
    stale = done / ("0" * 64 + ".jsonl")  # a done file of an input since removed
    stale.write_text("{}\n", encoding="utf-8")
    os.utime(stale, (month_ago, month_ago))
    for path in used:  # the inputs' own files, last used a month ago too
        os.utime(path, (month_ago, month_ago))
    recent = done / ("1" * 64 + ".jsonl")  # another setting's, used last week
    recent.write_text("{}\n", encoding="utf-8")
    result = run_batch([folder], out)
    assert result.skipped == 3 and result.pruned == 1
    assert not stale.exists() and recent.exists()
    assert all(path.stat().st_mtime > month_ago + 86400 for path in used)  # used now: kept a month more
