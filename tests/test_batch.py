"""Batch behaviour: bad inputs never stop a run; workers, resume and limits."""

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile

import pytest

from conftest import CORPUS, ROOT, assert_valid_records
from formats_gen import to_docx, to_pdf
from plan_extract.run.batch import run_batch
from plan_extract.run.inputs import Limits

GOOD = "2026年护理部工作计划\n一、护理质量\n护理文书合格率达到95%以上，6月底前完成培训。\n"


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def zip_bytes(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_bad_inputs_mixed_with_good_ones(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = {"g1.txt": GOOD.encode("utf-8"), "g2.docx": to_docx(GOOD), "g3.pdf": to_pdf(GOOD),
            "g4.md": GOOD.encode("gb18030")}
    for name, data in good.items():
        (inbox / name).write_bytes(data)
    (inbox / "b_empty.txt").write_bytes(b"")
    (inbox / "b_png_as_text.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (inbox / "b_huge.txt").write_bytes(GOOD.encode("utf-8") * 1000)  # over the size limit below
    (inbox / "b_corrupt.docx").write_bytes(b"PK\x03\x04broken")
    (inbox / "b_corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (inbox / "b_link.txt").symlink_to(inbox / "g1.txt")
    bomb = zip_bytes({"zeros.txt": b"0" * 3_000_000})
    slip = zip_bytes({"../../evil.txt": GOOD.encode(), "ok/inner.txt": GOOD.encode()})
    nested = GOOD.encode()
    for depth in range(4):
        nested = zip_bytes({f"level{depth}.zip" if depth else "deep.txt": nested})
    (inbox / "c_bomb.zip").write_bytes(bomb)
    (inbox / "c_slip.zip").write_bytes(slip)
    (inbox / "c_nested.zip").write_bytes(nested)
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as tf:
        info = tarfile.TarInfo("plans/link.txt")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(info)
        payload = GOOD.encode()
        info = tarfile.TarInfo("plans/a.txt")
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    (inbox / "c_links.tar.gz").write_bytes(tar.getvalue())

    out = tmp_path / "out"
    limits = Limits(file_bytes=80_000, ratio=100)
    result = run_batch([inbox], out, limits=limits)
    errors = {e["path"].split("/in/", 1)[1]: e for e in read_jsonl(out / "errors.jsonl")}
    assert len(errors) == len(result.failed)
    expected = {"b_empty.txt": "empty", "b_png_as_text.txt": "binary", "b_huge.txt": "too large",
                "b_corrupt.docx": "corrupt .docx", "b_corrupt.pdf": "corrupt PDF", "b_link.txt": "link",
                # one line per archive, naming the failed members and counting them
                "c_bomb.zip": "1 of 1 archive members failed: zeros.txt: archive member too large or too "
                              "compressed (zip bomb?)",
                "c_slip.zip": "1 of 2 archive members failed: ../../evil.txt: unsafe path in archive (zip-slip)",
                "c_nested.zip": "1 of 3 archive members failed: level3.zip!level2.zip!level1.zip: archive nested "
                                "deeper than 3 levels",
                "c_links.tar.gz": "1 of 2 archive members failed: plans/link.txt: link in archive, not followed"}
    assert set(errors) == set(expected)
    for path, word in expected.items():
        assert word in errors[path]["reason"], (path, errors[path])
        assert errors[path]["stage"] == "read"
    plans = read_jsonl(out / "plans.jsonl")
    assert_valid_records(plans)
    by_path = {p["source"]["path"].split("/in/", 1)[1]: p for p in plans}
    assert set(by_path) == {"g1.txt", "g2.docx", "g3.pdf", "g4.md", "c_slip.zip!ok/inner.txt",
                            "c_links.tar.gz!plans/a.txt"}
    for rec in by_path.values():  # every good file complete: its section, target and deadline
        assert [s["marker"] for s in rec["sections"]] == ["一、"]
        assert [(t["value"], t["comparator"]) for t in rec["targets"]] == [(95, ">=")]
        assert [d["value"] for d in rec["deadlines"]] == ["2026-06-30"]


def test_workers_give_byte_identical_output(tmp_path):
    runs = {}
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        res = subprocess.run([sys.executable, "-m", "plan_extract", "run", "data/raw", str(CORPUS),
                              "-o", str(out), "-j", str(jobs)], cwd=ROOT, capture_output=True)
        assert res.returncode == 0, res.stderr
        runs[jobs] = (out / "plans.jsonl").read_bytes()
    assert runs[1] == runs[2] and runs[1].count(b"\n") == 27


def test_killed_run_resumes_cleanly(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    sample = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
    for i in range(40):
        (inbox / f"plan{i:02d}.txt").write_text(sample.replace("XX县", f"第{i}县"), encoding="utf-8")
    clean_out, out = tmp_path / "clean", tmp_path / "out"
    assert run_batch([inbox], clean_out).failed == []
    proc = subprocess.Popen([sys.executable, "-m", "plan_extract", "run", str(inbox), "-o", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = out / ".plan_extract" / "done"
    deadline = time.time() + 60

    def finished():  # a kill between mkstemp and rename leaves a hidden .plan07.x1y2.jsonl: not finished
        return [p for p in done.glob("*.jsonl") if not p.name.startswith(".")]

    while time.time() < deadline and len(finished()) < 3 if done.exists() else time.time() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = len(finished())
    assert 0 < finished_before < 40
    assert not (out / "plans.jsonl").exists()  # nothing half-written where readers look
    for f in finished():  # every finished file is whole
        assert all(json.loads(line)["plan_index"] == 0 for line in f.read_text(encoding="utf-8").splitlines())
    result = run_batch([inbox], out)
    assert not list(done.glob(".*"))  # a killed run's temporary files are swept on resume
    assert result.skipped == finished_before and result.files == 40
    assert (out / "plans.jsonl").read_bytes() == (clean_out / "plans.jsonl").read_bytes()
    again = run_batch([inbox], out)
    assert again.skipped == 40
    forced = run_batch([inbox], out, force=True)
    assert forced.skipped == 0 and (out / "plans.jsonl").read_bytes() == (clean_out / "plans.jsonl").read_bytes()


def test_time_limit_stops_a_document(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD * 200, encoding="utf-8")
    result = run_batch([tmp_path / "a.txt"], tmp_path / "out", time_limit=0.001)
    assert [e["reason"] for e in result.failed] == ["time limit of 0.001 s exceeded"]


def test_records_come_one_plan_at_a_time():
    """A collection's records are built plan by plan: the stages' objects of a
    plan already turned into its record are released, and the lazy records
    equal the listed ones."""
    import gc
    import weakref

    from plan_extract.core.errors import StageError
    from plan_extract.api import extract_bytes, iter_bytes_records, iter_extractions
    from plan_extract.stages.read import read_file

    path = ROOT / "data" / "raw" / "web_collection_clinic.txt"
    data = path.read_bytes()
    assert list(iter_bytes_records(data, path=path.name)) == extract_bytes(data, path=path.name)
    plans = iter_extractions(read_file(path))
    first = weakref.ref(next(plans))
    second = next(plans)
    gc.collect()
    assert first() is None and second.plan.index == 1
    with pytest.raises(StageError) as exc:  # a bad file fails when asked, before any record is wanted
        iter_bytes_records(b"\x00\x01", path="x.exe")
    assert exc.value.stage == "read"


def test_done_file_is_streamed_and_atomic(tmp_path):
    """A local worker writes a file's records as they come; the done file has
    the same lines a remote worker sends back, and a writer that fails midway
    leaves the old file and no temporary one."""
    from plan_extract.core.atomic import write_lines
    from plan_extract.run.worker import Task, extract_to_done, process_task

    data = (ROOT / "data" / "raw" / "web_collection_clinic.txt").read_bytes()
    task = Task("web_collection_clinic.txt", data, "k")
    lines, error = process_task(task)
    assert error is None and len(lines) >= 2
    assert extract_to_done(tmp_path, task) == (len(lines), None)
    assert (tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines() == lines

    def failing():
        yield from lines[:1]
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_lines(tmp_path / "k.jsonl", failing())
    assert (tmp_path / "k.jsonl").read_text(encoding="utf-8").splitlines() == lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.jsonl"]
    bad = Task("x.exe", b"\x00\x01", "bad")
    count, error = extract_to_done(tmp_path, bad)
    assert count == 0 and error["stage"] == "read" and not (tmp_path / "bad.jsonl").exists()
