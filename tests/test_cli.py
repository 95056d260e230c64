import json
import subprocess
import sys

from conftest import CORPUS, ROOT, assert_valid_records


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "plan_extract", *args], cwd=cwd,
                          capture_output=True, text=True)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_on_samples_and_corpus_is_complete_and_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    first = run_cli("run", "data/raw", str(CORPUS), "-o", str(a))
    assert first.returncode == 0, first.stderr
    assert run_cli("run", "data/raw", str(CORPUS), "-o", str(b)).returncode == 0
    assert (a / "plans.jsonl").read_bytes() == (b / "plans.jsonl").read_bytes()
    records = read_jsonl(a / "plans.jsonl")
    per_file = {}
    for r in records:
        per_file[r["source"]["path"].rsplit("/", 1)[-1]] = per_file.get(r["source"]["path"].rsplit("/", 1)[-1], 0) + 1
    assert per_file["000_6e8e804a659b58e0.txt"] == 9
    assert per_file["001_422235bd2da0b1fc.txt"] == 3
    assert per_file["003_1190d61079040859.txt"] == 1
    assert set(per_file) >= {p.name for p in (ROOT / "data" / "raw").iterdir()}
    assert (a / "errors.jsonl").read_text() == ""
    keys = ["schema_version", "id", "source", "plan_index", "title", "year", "script", "text",
            "sections", "targets", "deadlines", "warnings", "models"]
    assert all(list(r) == keys for r in records)
    assert_valid_records(records)
    assert len({r["id"] for r in records}) == len(records)


def test_bad_files_are_reported_and_never_stop_the_batch(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a_good.txt").write_text("2026年护理部工作计划\n一、加强护士培训，考核合格率100%。\n", encoding="utf-8")
    (inbox / "b_empty.txt").write_bytes(b"")
    (inbox / "c_binary.txt").write_bytes(bytes(range(256)) * 64)
    (inbox / "d_image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (inbox / "e_good.md").write_text("# 2026年药剂科工作计划\n\n## 一、合理用药\n", encoding="gb18030")
    out = tmp_path / "out"
    res = run_cli("run", str(inbox), str(tmp_path / "missing.txt"), "-o", str(out))
    assert res.returncode == 1
    errors = read_jsonl(out / "errors.jsonl")
    assert [(e["path"].rsplit("/", 1)[-1], e["stage"]) for e in errors] == [
        ("b_empty.txt", "read"), ("c_binary.txt", "read"), ("d_image.png", "read"), ("missing.txt", "read")]
    assert "empty" in errors[0]["reason"] and "binary" in errors[1]["reason"]
    assert "not an image" in errors[2]["reason"] and "no such file" in errors[3]["reason"]
    plans = read_jsonl(out / "plans.jsonl")
    assert [p["title"] for p in plans] == ["2026年护理部工作计划", "2026年药剂科工作计划"]
    assert plans[1]["sections"][0]["marker"] == "一、"
    assert not list(out.glob(".*.jsonl.*"))  # no temporary files left behind


def test_python_api_gives_the_same_records_as_the_cli(tmp_path):
    from plan_extract import extract_file, extract_text

    sample = ROOT / "data" / "raw" / "four_levels.txt"
    assert run_cli("run", str(sample), "-o", str(tmp_path)).returncode == 0
    from_cli = read_jsonl(tmp_path / "plans.jsonl")
    assert extract_file(sample) == from_cli
    from_text = extract_text(sample.read_text(encoding="utf-8"), source=str(sample))
    assert [r["sections"] for r in from_text] == [r["sections"] for r in from_cli]


def test_the_command_ends_quickly_yet_keeps_its_exit_code_and_exit_handlers(tmp_path):
    """The console command ends without tearing the interpreter down, yet its
    exit code, its last lines and the exit handlers of whoever watches it (a
    profiler writing its file when the interpreter ends) stay."""
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run_cli("export", str(empty))
    assert res.returncode == 2 and "holds no run" in res.stderr
    profile = tmp_path / "run.prof"
    res = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "plan_extract", "schema"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0 and '"$schema"' in res.stdout
    assert profile.stat().st_size > 0  # cProfile writes it after the command returns
