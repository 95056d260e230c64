"""What OCR costs: ONNX Runtime's threads per engine (one when the run's
workers share the cores), its memory options, and the peak resident set of
a run on a scanned PDF."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from formats_gen import cjk_font, to_scanned_pdf
from plan_extract.run.pool import LocalPool
from plan_extract.stages.read import ocr

from conftest import ROOT

needs_ocr = pytest.mark.skipif(not ocr.available() or cjk_font() is None,
                               reason="needs the ocr extra and a CJK font (.ci/run installs fonts-wqy-microhei)")
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@pytest.fixture
def workers():
    yield ocr.use_workers
    ocr.use_workers(1)


def sessions(engine):
    return [engine.text_det.infer.session, engine.text_cls.infer.session, engine.text_rec.session.session]


@pytest.mark.skipif(not ocr.available(), reason="needs the ocr extra")
def test_an_engine_keeps_to_one_core_when_workers_share_them(workers):
    workers(2)
    for session in sessions(ocr.engine()):
        opts = session.get_session_options()
        assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
        assert not opts.enable_mem_pattern and not opts.enable_cpu_mem_arena
    workers(1)
    assert {s.get_session_options().intra_op_num_threads for s in sessions(ocr.engine())} == {CORES}


def test_a_run_with_two_workers_tells_each_worker(tmp_path):
    pool = LocalPool(2, tmp_path, False, None)
    try:
        assert [pool.pool.schedule(ocr.threads).result(timeout=60) for _ in range(2)] == [1, 1]
    finally:
        pool.pool.stop()
        pool.pool.join()
    assert ocr.threads() == CORES  # the parent: one worker's worth, every core


PEAK_RSS = """
import resource, subprocess, sys
res = subprocess.run([sys.executable, "-m", "plan_extract", *sys.argv[1:]], capture_output=True, text=True)
print(res.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


@needs_ocr
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_two_page_scan_runs_in_bounded_memory(tmp_path, jobs):
    """Before issue 20's change the read child took 593 MB (-j1) and 792 MB
    (-j2) on these two pages: ONNX Runtime's buffers for each page, kept by
    glibc after they were freed."""
    text = (ROOT / "data" / "raw" / "four_levels.txt").read_text(encoding="utf-8")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(to_scanned_pdf(text, max_pages=2))
    # a temporary folder of its own: no page read by an earlier run comes from the OCR cache
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", PEAK_RSS, "run", str(scan), "-o", str(tmp_path / "out"), "-j", jobs],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    code, peak = map(int, res.stdout.split())
    assert code == 0
    assert peak < 400, f"peak resident set {peak} MB"
    assert Path(tmp_path / "out" / "plans.jsonl").read_text(encoding="utf-8").count("\n") == 1
