"""Fault injection at the run level: each test builds one real fault (a file
name that is not UTF-8, corrupt archives, FIFOs and devices, a worker that
dies, a killed run, two runs at once, a full disk) mixed with good files in
one run, and checks that every good record is there, byte-identical to a
clean run's, that each bad input gives exactly one error line, and that the
run ends in bounded time (a subprocess timeout).

Permissions are tested without the power to bypass them: as root, the run is
started through ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
dropped from its bounding set (a user switch would not do: this Python lives
under /root).  A full disk is a real tmpfs, mounted where that is allowed.
"""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import ROOT
from formats_gen import to_docx
from plan_extract.run.batch import run_batch
from plan_extract.run.inputs import Limits

GOOD = "2026年护理部工作计划\n一、护理质量\n护理文书合格率达到95%以上，6月底前完成培训。\n"
SAMPLE = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
TIMEOUT = 120  # seconds: a guard against hangs, far above what any run here takes


def plan(i: int, copies: int = 1) -> str:
    return SAMPLE.replace("XX县", f"第{i}县") * copies


def good_inbox(tmp_path: Path, n: int = 3) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(n):
        (inbox / f"g{i}.txt").write_text(plan(i), encoding="utf-8")
    (inbox / "g.docx").write_bytes(to_docx(GOOD))
    return inbox


def clean_lines(inbox: Path, out: Path) -> list[str]:
    """The records of a run over the good files alone."""
    assert run_batch([inbox], out).failed == []
    return (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()


def cli(*args, prefix=(), timeout=TIMEOUT, **kwargs):
    return subprocess.run([*prefix, sys.executable, "-m", "plan_extract", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def errors_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in lines(out / "errors.jsonl")]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error ")]


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold for this user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to hold")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def tar_bytes(members: dict, mode: str = "w:gz", **kwargs) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, **kwargs) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


def zip_bytes(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def cut_after(gz: bytes, wanted: int) -> bytes:
    """The shortest start of the gzip stream ``gz`` that decompresses to ``wanted`` bytes."""
    stream, produced = zlib.decompressobj(wbits=31), 0
    for end in range(len(gz)):
        produced += len(stream.decompress(gz[end:end + 1]))
        if produced >= wanted:
            return gz[:end + 1]
    raise ValueError("the stream is shorter")


def test_file_names_that_are_not_utf8(tmp_path):
    """A GBK-named file on disk and as a tar member: records, with the name's
    bytes shown as \\xNN (the run used to die in UnicodeEncodeError)."""
    inbox = good_inbox(tmp_path)
    clean = clean_lines(inbox, tmp_path / "clean")
    gbk = "年度".encode("gbk")  # b"\xc4\xea\xb6\xc8": not UTF-8
    with open(os.fsencode(inbox) + b"/" + gbk + b".txt", "wb") as fh:
        fh.write(plan(7).encode("utf-8"))
    member = os.fsdecode(b"plans/" + gbk + b".txt")
    (inbox / "h.tar").write_bytes(tar_bytes({member: plan(8).encode("utf-8")}, mode="w",
                                            format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"))
    out = tmp_path / "out"
    res = cli("run", inbox, "-o", out)
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in lines(out / "plans.jsonl")]
    shown = "\\xc4\\xea\\xb6\\xc8"
    assert [r["source"]["path"] for r in records if shown in r["source"]["path"]] == [
        f"{inbox.as_posix()}/h.tar!plans/{shown}.txt", f"{inbox.as_posix()}/{shown}.txt"]  # in byte order
    assert [line for line in lines(out / "plans.jsonl") if shown not in json.loads(line)["source"]["path"]] == clean
    assert errors_of(out) == []


def test_corrupt_archives_give_one_line_each(tmp_path):
    """A zip member with corrupt deflate data, a .tar.xz corrupt in the middle
    and a .tar.gz cut short: one error line per archive, with a count; the
    zip's and the cut tar's whole members and every loose file give records."""
    inbox = good_inbox(tmp_path)
    members = {f"m{i}.txt": plan(10 + i).encode("utf-8") for i in range(4)}
    (inbox / "z.zip").write_bytes(zip_bytes(members))
    (inbox / "x.tar.xz").write_bytes(tar_bytes(members, mode="w:xz"))
    (inbox / "t.tar.gz").write_bytes(tar_bytes(members, mode="w:gz"))
    clean = clean_lines(inbox, tmp_path / "clean")
    by_member = {}
    for line in clean:
        by_member.setdefault(json.loads(line)["source"]["path"].split("/in/", 1)[1], []).append(line)

    zipped = bytearray((inbox / "z.zip").read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(zipped))).getinfo("m1.txt")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    zipped[start:start + 64] = b"\xff" * 64  # the deflate stream of m1.txt only: zlib.error
    (inbox / "z.zip").write_bytes(bytes(zipped))
    xz = bytearray((inbox / "x.tar.xz").read_bytes())
    xz[len(xz) // 2:len(xz) // 2 + 16] = b"\xff" * 16  # LZMAError
    (inbox / "x.tar.xz").write_bytes(bytes(xz))
    padded = [512 + -(-len(members[f"m{i}.txt"]) // 512) * 512 for i in range(3)]
    # a download cut short: m0 and m1 whole, m2's header and the start of its data
    (inbox / "t.tar.gz").write_bytes(cut_after((inbox / "t.tar.gz").read_bytes(), padded[0] + padded[1] + 612))

    out = tmp_path / "out"
    res = cli("run", inbox, "-o", out)
    assert res.returncode == 1
    errors = {e["path"].split("/in/", 1)[1]: e["reason"] for e in errors_of(out)}
    assert sorted(errors) == ["t.tar.gz", "x.tar.xz", "z.zip"]  # one line each
    assert len(error_lines(res.stderr)) == 3
    assert errors["z.zip"].startswith("1 of 4 archive members failed: m1.txt: corrupt archive member (error: ")
    assert errors["x.tar.xz"].startswith("corrupt compressed data (LZMAError")
    assert errors["t.tar.gz"].startswith("compressed data cut short after ")
    assert errors["t.tar.gz"].endswith("; 1 of 3 archive members failed: m2.txt: corrupt archive member "
                                       "(ReadError: unexpected end of data)")
    got = lines(out / "plans.jsonl")
    kept = [m for m in by_member if m.startswith("t.tar.gz!") and by_member[m][0] in got]
    assert kept == ["t.tar.gz!m0.txt", "t.tar.gz!m1.txt"]  # the members whole before the cut, in order
    assert got == [line for member, group in by_member.items() for line in group
                   if member != "z.zip!m1.txt" and not member.startswith("x.tar.xz!")
                   and (member in kept or not member.startswith("t.tar.gz!"))]


def test_unreadable_and_special_entries_in_a_folder(tmp_path):
    """An unreadable .zip, an unreadable folder, a FIFO and a socket inside an
    input folder, run as a user the permissions hold for: one line each (they
    used to kill the run, or vanish without a word)."""
    prefix = unprivileged()
    inbox = good_inbox(tmp_path)
    clean = clean_lines(inbox, tmp_path / "clean")
    (inbox / "locked.zip").write_bytes(zip_bytes({"a.txt": GOOD.encode("utf-8")}))
    (inbox / "locked.zip").chmod(0)
    (inbox / "sealed").mkdir()
    (inbox / "sealed" / "inside.txt").write_text(GOOD, encoding="utf-8")
    (inbox / "sealed").chmod(0)
    os.mkfifo(inbox / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "sock.txt"))
    try:
        out = tmp_path / "out"
        res = cli("run", inbox, "-o", out, prefix=prefix)
    finally:
        sock.close()
        (inbox / "sealed").chmod(0o755)
    assert res.returncode == 1, res.stderr
    errors = {e["path"].split("/in/", 1)[1]: e["reason"] for e in errors_of(out)}
    assert errors == {"locked.zip": "cannot read file: Permission denied",
                      "pipe.txt": "not a regular file (a FIFO), not read",
                      "sealed": "cannot read folder: Permission denied",
                      "sock.txt": "not a regular file (a socket), not read"}
    assert len(error_lines(res.stderr)) == 4
    assert lines(out / "plans.jsonl") == clean


def test_special_files_given_as_paths_are_refused_unopened(tmp_path):
    """A FIFO with no writer and /dev/zero given on the command line: refused
    before they are opened (they used to hang, or read until MemoryError)."""
    inbox = good_inbox(tmp_path)
    clean = clean_lines(inbox, tmp_path / "clean")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    res = cli("run", inbox, fifo, "/dev/zero", "-o", out, timeout=60)
    assert res.returncode == 1
    assert errors_of(out) == [
        {"path": fifo.as_posix(), "stage": "read", "reason": "not a regular file (a FIFO), not read"},
        {"path": "/dev/zero", "stage": "read", "reason": "not a regular file (a character device), not read"}]
    assert len(error_lines(res.stderr)) == 2
    assert lines(out / "plans.jsonl") == clean


def test_archive_caps_count_across_nesting(tmp_path):
    """The member cap and the byte budget hold for a top-level input with
    its nested archives together (each archive alone fits); a nested bomb of
    512 members gives one line, with the count."""
    inbox = good_inbox(tmp_path)
    clean = clean_lines(inbox, tmp_path / "clean")
    inner = zip_bytes({f"m{i}.txt": plan(20 + i).encode("utf-8") for i in range(4)})
    (inbox / "nested.zip").write_bytes(zip_bytes({"a.zip": inner, "b.zip": inner}))
    zeros = zip_bytes({f"z{i}.txt": b"0" * 65536 for i in range(8)})
    level = zip_bytes({f"l{i}.zip": zeros for i in range(8)})
    (tmp_path / "bomb.zip").write_bytes(zip_bytes({f"top{i}.zip": level for i in range(8)}, zipfile.ZIP_STORED))
    out = tmp_path / "out"
    # 2 + 4 + 4 members; a.zip, its 4 members and b.zip were met when b.zip's 4 went over the 8
    result = run_batch([inbox], out, limits=Limits(members=8))
    assert errors_of(out) == [{"path": (inbox / "nested.zip").as_posix(), "stage": "read",
                               "reason": "1 of 6 archive members failed: b.zip: archive has 4 members, more than "
                                         "the 2 left of the 8 allowed per input"}]
    assert len(result.failed) == 1
    got = lines(out / "plans.jsonl")
    assert [line for line in got if "/nested.zip!" not in line] == clean
    assert [json.loads(line)["source"]["path"].split("/in/")[1] for line in got if "/nested.zip!" in line] == [
        f"nested.zip!a.zip!m{i}.txt" for i in range(4)]

    budget_out = tmp_path / "budget"  # room for a.zip and its members, not for b.zip's as well
    run_batch([inbox], budget_out, limits=Limits(archive_bytes=2 * len(inner) + 4 * len(plan(20).encode()) + 100))
    (over,) = errors_of(budget_out)
    assert over["path"].endswith("/nested.zip") and over["reason"].startswith("4 of 10 archive members failed: "
                                                                             "b.zip!m0.txt: archive member too large")
    assert [line for line in lines(budget_out / "plans.jsonl") if "!b.zip!" in line] == []

    bomb_out = tmp_path / "bomb_out"
    run_batch([tmp_path / "bomb.zip", inbox], bomb_out, limits=Limits(ratio=100))
    assert len(errors_of(bomb_out)) == 1
    reason = errors_of(bomb_out)[0]["reason"]
    assert reason.startswith("512 of 584 archive members failed: top0.zip!l0.zip!z0.txt: archive member "
                             "too large or too compressed (zip bomb?): 65536 bytes, ratio")
    assert reason.endswith("; and 509 more")


def test_unordered_tar_gz_is_read_in_one_pass(tmp_path):
    """4,000 members of 12 KB stored in reverse name order: read in one pass
    in about a second (85 s here when each member decompressed the stream from
    its start); records of a reversed archive equal those of a sorted one."""
    names = [f"d/{i:05d}.txt" for i in range(4000)]
    members = {name: f"member {name}\n{'x' * 12000}".encode() for name in reversed(names)}
    big = tmp_path / "big.tar.gz"
    big.write_bytes(tar_bytes(members))
    code = ("import sys; from plan_extract.run.inputs import iter_items\n"
            "items = [(i.path, i.load()) for i in iter_items([sys.argv[1]])]\n"
            "print(len(items), all(p.endswith(d.decode().split()[1]) for p, d in items),"
            " [p.rsplit('!', 1)[1] for p, _ in items] == sorted(p.rsplit('!', 1)[1] for p, _ in items))")
    res = subprocess.run([sys.executable, "-c", code, big], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert res.stdout.split() == ["4000", "True", "True"], res.stderr

    plans = {f"p{i}.txt": plan(30 + i).encode("utf-8") for i in range(3)}
    for name, order in (("sorted", sorted(plans)), ("reversed", sorted(plans, reverse=True))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.tar.gz").write_bytes(tar_bytes({k: plans[k] for k in order}))
        run_batch([tmp_path / name / "a.tar.gz"], tmp_path / f"{name}_out")
    assert (lines(tmp_path / "sorted_out" / "plans.jsonl")
            == [line.replace("/reversed/", "/sorted/") for line in lines(tmp_path / "reversed_out" / "plans.jsonl")])


def test_outdir_inside_the_input_folder_is_not_read(tmp_path):
    """A re-run into OUTDIR inside the input folder reads none of its outputs
    (report, tables, records) and gives the same records."""
    inbox = good_inbox(tmp_path)
    clean = clean_lines(inbox, tmp_path / "clean")
    out = inbox / "out"
    first = cli("run", inbox, "-o", out, "--format", "csv")
    assert first.returncode == 0, first.stderr
    # what `plan-extract report` writes there: a page holding the plans' text
    (out / "report.html").write_text(f"<html><body><p>{GOOD}</p></body></html>", encoding="utf-8")
    again = cli("run", inbox, "-o", out)
    assert again.returncode == 0, again.stderr
    assert f"4 files (4 done before), {len(clean)} plans, 0 failed" in again.stderr
    assert lines(out / "plans.jsonl") == clean and errors_of(out) == []


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def test_two_runs_into_one_outdir(tmp_path):
    """While one run holds OUTDIR a second one refuses at once, naming the
    first's pid, and touches nothing (it used to sweep the first run's
    temporary file away, and the first run died); both runs' records come
    out whole."""
    first_in, second_in = tmp_path / "first", tmp_path / "second"
    first_in.mkdir()
    second_in.mkdir()
    for i in range(30):
        (first_in / f"a{i:02d}.txt").write_text(plan(40 + i), encoding="utf-8")
    for i in range(3):
        (second_in / f"b{i}.txt").write_text(plan(80 + i), encoding="utf-8")
    first_clean = clean_lines(first_in, tmp_path / "c1")
    second_clean = clean_lines(second_in, tmp_path / "c2")
    out = tmp_path / "out"
    lock = out / ".plan_extract" / "lock"
    first = subprocess.Popen([sys.executable, "-m", "plan_extract", "run", first_in, "-o", out, "-j", "2"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid))
        os.kill(first.pid, signal.SIGSTOP)  # hold the first run mid-way, lock held
        before = sorted(p.name for p in (out / ".plan_extract" / "done").iterdir())
        second = cli("run", second_in, "-o", out, timeout=60)
        assert sorted(p.name for p in (out / ".plan_extract" / "done").iterdir()) == before
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == 2
    assert error_lines(second.stderr) == [f"error {out} is in use by another plan-extract run (pid {first.pid}); "
                                          f"wait for it to finish or choose another OUTDIR"]
    assert first.wait(timeout=TIMEOUT) == 0, first.stderr.read()
    assert lines(out / "plans.jsonl") == first_clean
    again = cli("run", second_in, "-o", out)
    assert again.returncode == 0, again.stderr
    assert lines(out / "plans.jsonl") == second_clean


def test_a_worker_killed_mid_run_loses_nothing(tmp_path):
    """SIGKILL to a busy worker (what the OOM killer does): its batch runs
    again, each input alone; every record comes out, and the run goes on."""
    psutil = pytest.importorskip("psutil")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(20):
        (inbox / f"p{i:02d}.txt").write_text(plan(100 + i, copies=4), encoding="utf-8")
    clean = clean_lines(inbox, tmp_path / "clean")
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "plan_extract", "run", inbox, "-o", out, "-j", "2"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = out / ".plan_extract" / "done"
    _wait_for(lambda: done.exists() and any(not p.name.startswith(".") for p in done.iterdir()))
    parent = psutil.Process(run.pid)
    workers = [c for c in parent.children() if c.cmdline() == parent.cmdline()]
    assert workers
    workers[0].send_signal(signal.SIGKILL)
    assert run.wait(timeout=TIMEOUT) == 0
    stderr = run.stderr.read()
    assert "a worker process died" in stderr, stderr
    assert lines(out / "plans.jsonl") == clean and errors_of(out) == []


def _cpu_limit(seconds: int):
    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 60))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return limit


def test_an_input_that_kills_its_worker_every_time(tmp_path):
    """A real input kills its worker: under a CPU-time limit (RLIMIT_CPU, set
    for the run as a resource-managed host would) the kernel kills with
    SIGXCPU the worker that runs a large file, and again when it is retried
    alone.  That file gets one error line; every other file its records."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(12):
        (inbox / f"p{i:02d}.txt").write_text(plan(200 + i), encoding="utf-8")
    clean = clean_lines(inbox, tmp_path / "clean")
    (inbox / "p05_big.txt").write_text(plan(300, copies=1000), encoding="utf-8")  # 4 MB: far over 3 s of CPU
    out = tmp_path / "out"
    res = cli("run", inbox, "-o", out, "-j", "2", preexec_fn=_cpu_limit(3))
    assert res.returncode == 1, res.stderr
    assert errors_of(out) == [{"path": (inbox / "p05_big.txt").as_posix(), "stage": "extract",
                               "reason": "worker process died (killed by SIGXCPU), also when retried alone"}]
    assert len(error_lines(res.stderr)) == 1
    assert lines(out / "plans.jsonl") == clean


def _children_gone(pids, psutil) -> bool:
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def test_kill_9_of_the_run_leaves_no_worker_and_no_partial_file(tmp_path):
    """``kill -9`` of the parent: its workers die with it, and the partial
    ``.plans.*.jsonl`` of a run killed during final assembly is swept by the
    next run (a live writer's temporary file is left alone); the resumed
    output is byte-identical."""
    psutil = pytest.importorskip("psutil")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(32):
        (inbox / f"p{i:02d}.txt").write_text(plan(400 + i, copies=4), encoding="utf-8")
    clean = clean_lines(inbox, tmp_path / "clean")
    out = tmp_path / "out"
    done = out / ".plan_extract" / "done"
    run = subprocess.Popen([sys.executable, "-m", "plan_extract", "run", inbox, "-o", out, "-j", "2"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: done.exists() and any(not p.name.startswith(".") for p in done.iterdir()))
    parent = psutil.Process(run.pid)
    workers = [c.pid for c in parent.children() if c.cmdline() == parent.cmdline()]
    assert len(workers) == 2
    run.send_signal(signal.SIGKILL)
    run.wait()
    _wait_for(lambda: _children_gone(workers, psutil), seconds=10)

    # a run killed while it assembles plans.jsonl: stopped the moment its
    # temporary file appears, then killed (the assembly takes milliseconds:
    # a few tries at most)
    finished = [p for p in done.iterdir() if not p.name.startswith(".")]
    assert len(finished) < 32
    assert cli("run", inbox, "-o", out).returncode == 0  # all done: a next run only assembles
    partial = None
    for _ in range(20):
        stuck = subprocess.Popen([sys.executable, "-m", "plan_extract", "run", inbox, "-o", out], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefix = f".plans.{stuck.pid}."
        while stuck.poll() is None and partial is None:
            found = [name for name in os.listdir(out) if name.startswith(prefix)]
            if found:
                stuck.send_signal(signal.SIGSTOP)
                if (out / found[0]).exists():
                    partial = out / found[0]
        stuck.kill()
        stuck.wait()
        if partial is not None:
            break
    assert partial is not None and partial.exists()
    live = out / f".plans.{os.getpid()}.abcdefgh.jsonl"  # a live writer's: never swept
    live.write_text("{}\n")
    res = cli("run", inbox, "-o", out)
    assert res.returncode == 0, res.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".plans.")] == [live.name]
    assert not [p for p in done.iterdir() if p.name.startswith(".")]
    assert lines(out / "plans.jsonl") == clean


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode(errors='replace').strip()}")


def test_full_disk_gives_one_line_and_keeps_the_old_output(tmp_path):
    """OUTDIR on a small tmpfs: a run that fills it stops with one line
    naming the path and the reason, exit code 2, and the old output intact."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(2):
        (inbox / f"p{i:02d}.txt").write_text(plan(500 + i), encoding="utf-8")
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "160k")
    try:
        out = disk / "out"
        first = cli("run", inbox, "-o", out)
        assert first.returncode == 0, first.stderr
        old = {name: (out / name).read_bytes() for name in ("plans.jsonl", "errors.jsonl")}
        for i in range(2, 40):
            (inbox / f"p{i:02d}.txt").write_text(plan(500 + i), encoding="utf-8")
        for jobs in ("1", "2"):
            res = cli("run", inbox, "-o", out, "-j", jobs)
            assert res.returncode == 2, res.stderr
            (line,) = res.stderr.strip().splitlines()
            assert line.startswith(f"error cannot write {out}/") and line.endswith(": No space left on device"), line
            assert {name: (out / name).read_bytes() for name in old} == old
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_unwritable_outdir_gives_one_line(tmp_path):
    """No permission to write OUTDIR, or OUTDIR's parent a file: one line
    naming the path and the reason, exit code 2, nothing else touched."""
    prefix = unprivileged()
    inbox = good_inbox(tmp_path, n=1)
    out = tmp_path / "out"
    assert cli("run", inbox, "-o", out).returncode == 0
    old = (out / "plans.jsonl").read_bytes()
    (inbox / "g9.txt").write_text(plan(9), encoding="utf-8")
    done = out / ".plan_extract" / "done"
    done.chmod(0o555)
    try:
        res = cli("run", inbox, "-o", out, prefix=prefix)
    finally:
        done.chmod(0o755)
    assert res.returncode == 2
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"error cannot write {done}") and line.endswith(": Permission denied"), line
    assert (out / "plans.jsonl").read_bytes() == old
    res = cli("run", inbox, "-o", inbox / "g0.txt" / "out")
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [f"error cannot write {inbox}/g0.txt/out/.plan_extract/done: "
                                               f"Not a directory"]
