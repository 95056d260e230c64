"""Scale-out on a real Dask LocalCluster (two worker processes)."""

import json
import os
import signal
import threading
import time

import pytest

from conftest import CORPUS, ROOT
from plan_extract.run.batch import run_batch

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("j1")
    run_batch(["data/raw", CORPUS], out)
    return (out / "plans.jsonl").read_bytes()


def test_cluster_output_is_byte_identical_to_j1(client, reference, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_batch(["data/raw", CORPUS], tmp_path, dask_client=client)
    assert result.failed == [] and result.plans == 27
    assert (tmp_path / "plans.jsonl").read_bytes() == reference


def test_a_worker_killed_mid_run_loses_nothing(client, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    sample = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
    for i in range(60):
        (inbox / f"p{i:02d}.txt").write_text(sample.replace("XX县", f"第{i}县"), encoding="utf-8")
    clean = tmp_path / "clean"
    run_batch([inbox], clean)
    cluster = client.cluster
    killed = []

    def kill_one_worker():
        deadline = time.time() + 30
        while time.time() < deadline and not client.processing():
            time.sleep(0.05)
        while time.time() < deadline and not any(client.processing().values()):
            time.sleep(0.01)
        nanny = next(iter(cluster.workers.values()))
        pid = nanny.process.process.pid
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    result = run_batch([inbox], tmp_path / "out", dask_client=client)
    killer.join()
    assert killed, "no worker was killed"
    assert result.failed == [] and result.files == 60
    lines = (tmp_path / "out" / "plans.jsonl").read_text(encoding="utf-8").splitlines()
    paths = [json.loads(line)["source"]["path"] for line in lines]
    assert len(paths) == len(set(paths)) == 60  # every record exactly once
    assert (tmp_path / "out" / "plans.jsonl").read_bytes() == (clean / "plans.jsonl").read_bytes()


def test_the_command_line_on_a_local_cluster(reference, tmp_path, monkeypatch):
    """`plan-extract run --dask local`: the command a user types, end to end."""
    from click.testing import CliRunner

    from plan_extract.cli import main

    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(main, ["run", "data/raw", str(CORPUS), "-o", str(tmp_path), "--dask", "local"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "plans.jsonl").read_bytes() == reference


def test_the_time_limit_holds_on_the_cluster(client, tmp_path):
    """Dask runs tasks in threads, where no alarm rings: the limit is kept in a child process."""
    sample = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
    (tmp_path / "big.txt").write_text(sample * 1000, encoding="utf-8")  # minutes of work, stopped at the limit
    (tmp_path / "small.txt").write_text(sample, encoding="utf-8")
    result = run_batch([tmp_path / "big.txt", tmp_path / "small.txt"], tmp_path / "out", dask_client=client,
                       time_limit=5)  # a small document finishes well inside it on a busy host
    assert [(e["path"].rsplit("/", 1)[-1], e["reason"]) for e in result.failed] == \
        [("big.txt", "time limit of 5 s exceeded")]
    lines = (tmp_path / "out" / "plans.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["source"]["path"].rsplit("/", 1)[-1] for line in lines] == ["small.txt"]


def test_a_child_the_alarm_cannot_stop_is_killed():
    """The last resort: a document still running past the limit (no alarm here) is killed, not awaited."""
    from plan_extract.run.worker import Task
    from plan_extract.run.dask import _Child

    sample = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
    child = _Child()
    small = child.run((Task("small.txt", sample.encode("utf-8"), "k1"), False, None), timeout=60)
    assert small[1] is None and len(small[0]) == 1
    slow = (Task("slow.txt", (sample * 100).encode("utf-8"), "k2"), False, None)
    assert child.run(slow, timeout=0.05) is None
    child.kill()
    assert child.proc.returncode is not None


def test_records_bag_and_tables(client, reference, tmp_path):
    from plan_extract.run.dask import records_bag, tables

    bag = records_bag([ROOT / "data" / "raw", CORPUS], npartitions=2)
    got = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in bag.compute())
    want = sorted(json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
                  for line in reference.decode("utf-8").splitlines())
    assert len(got) == 27
    assert [json.loads(g)["text"] for g in got] == [json.loads(w)["text"] for w in want]
    out = tmp_path / "run"
    run_batch([ROOT / "data" / "raw", CORPUS], out)
    dfs = tables(out)
    records = [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(dfs["plans"].compute()) == 27
    assert len(dfs["targets"].compute()) == sum(len(r["targets"]) for r in records)
    assert set(dfs["sections"].compute().section_path.str.count(">")) >= {0, 1, 2, 3}
