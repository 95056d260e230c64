"""``plan-extract gold``: a run and its corrections as a gold set that the
gold validator accepts and ``eval`` scores, on the real samples and corpus."""

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, RAW, ROOT
from plan_extract.review.apply import make_decision, reviewed
from plan_extract.review.corrections import Decision, DecisionError, append, latest, read_log
from plan_extract.review.gold import write_gold
from plan_extract.training.validate import validate


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(RAW), str(CORPUS), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out


def records(outdir):
    return {r["id"]: r for r in map(json.loads, (outdir / "plans.jsonl").read_text(encoding="utf-8").splitlines())}


def decide(outdir, request):
    held = latest(read_log(outdir)[0])
    d = make_decision(request, records(outdir), held)
    append(outdir, d)
    return d


def gold_of(set_dir, name):
    return json.loads((set_dir / "annotated" / "raw" / f"{name}.json").read_text(encoding="utf-8"))


def evaluate(set_dir, outdir):
    res = subprocess.run([sys.executable, "-m", "plan_extract", "eval", str(set_dir / "annotated"),
                          str(outdir / "plans.jsonl"), "--json"], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def score(set_dir, outdir):
    """What ``eval GOLD plans.jsonl`` computes, in process (the CLI itself runs once, above)."""
    from plan_extract.training.evaluate import score as score_pairs
    from plan_extract.training.gold import gold_docs

    by_name = {}
    for r in records(outdir).values():
        by_name.setdefault(r["source"]["path"].rsplit("/", 1)[-1], []).append(r)
    pairs = [(sorted(by_name.get(d.path.name, []), key=lambda r: r["plan_index"]), d.gold)
             for d in gold_docs(set_dir / "annotated", corpus_dir=CORPUS)]
    return {k: t.summary() for k, t in score_pairs(pairs).items()}


def test_gold_of_an_uncorrected_run_validates_and_scores_one(outdir, tmp_path):
    set_dir = tmp_path / "set"
    res = subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(outdir), "-o", str(set_dir)],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "13 documents, 27 plans" in res.stdout
    assert validate(set_dir / "annotated", raw_dir=set_dir / "raw", corpus_dir=CORPUS) == []
    figures = evaluate(set_dir, outdir)
    for kind in ("plans", "sections", "targets", "deadlines"):
        assert figures["plans.jsonl"][kind]["f1"] == 1.0, (kind, figures["plans.jsonl"][kind])
        assert figures["plans.jsonl"][kind]["tp"] > 20
    for kind, fig in figures["plan_boundaries_ignored"].items():
        assert fig["f1"] == 1.0, (kind, fig)
    # the same run gives the same bytes
    again = tmp_path / "again"
    write_gold(outdir, again)
    for path in sorted((set_dir / "annotated" / "raw").iterdir()):
        assert path.read_bytes() == (again / "annotated" / "raw" / path.name).read_bytes()
    assert (set_dir / "raw" / "four_levels.txt").read_bytes() == (RAW / "four_levels.txt").read_bytes()


def test_shared_start_quote_is_found_at_its_place(outdir, tmp_path):
    """Two targets sharing a start (两项指标分别达到70%和68%): the second quote is
    cut so the loader's search, which starts after the first, finds it."""
    write_gold(outdir, tmp_path / "set")
    gold = gold_of(tmp_path / "set", "web_collection_clinic")
    texts = [t["text"] for t in gold["plans"][0]["targets"]]
    first = next(i for i, t in enumerate(texts) if t.endswith("70%"))
    assert texts[first].startswith("高血压") and "68%" in texts[first + 1] and not texts[first + 1].startswith("高血压")


def test_corrections_change_the_gold(outdir, tmp_path):
    recs = records(outdir)
    four = next(r for r in recs.values() if r["source"]["path"].endswith("four_levels.txt"))
    pid = four["id"]
    gone, kept = four["targets"][0], four["targets"][1]
    decide(outdir, {"item": f"{pid}|target|{gone['start']}-{gone['end']}", "action": "reject"})
    decide(outdir, {"item": f"{pid}|target|{kept['start']}-{kept['end']}", "action": "edit",
                    "fields": {"metric": "改过的指标"}})
    # a missed target: the analyst selects text no target covers
    covered = {i for t in four["targets"] for i in range(t["start"], t["end"])}
    start = next(i for i in range(len(four["text"]) - 4) if not covered & set(range(i, i + 4))
                 and four["text"][i:i + 4].strip() == four["text"][i:i + 4] and "\n" not in four["text"][i:i + 4])
    added = decide(outdir, {"plan": pid, "kind": "target", "action": "add",
                            "fields": {"start": start, "end": start + 4, "metric": "新指标", "comparator": ">=",
                                       "value": 3, "unit": "项"}})
    deadline = four["deadlines"][0]
    decide(outdir, {"item": f"{pid}|deadline|{deadline['start']}-{deadline['end']}", "action": "edit",
                    "fields": {"kind": "recurring", "value": None, "recurrence": "FREQ=MONTHLY"}})
    section = four["sections"][1]
    decide(outdir, {"item": f"{pid}|section|{section['start']}", "action": "edit", "fields": {"level": 1}})
    decide(outdir, {"item": f"{pid}|plan", "action": "edit", "fields": {"title": "改过的标题"}})
    set_dir = tmp_path / "set"
    result = write_gold(outdir, set_dir)
    assert result.problems == [] and result.counts["decisions"] == 6
    assert validate(set_dir / "annotated", raw_dir=set_dir / "raw", corpus_dir=CORPUS) == []
    plan = gold_of(set_dir, "four_levels")["plans"][0]
    texts = [t["text"] for t in plan["targets"]]
    assert len(texts) == len(four["targets"])  # one out, one in
    assert gone["text"] not in texts
    new = next(t for t in plan["targets"] if t["metric"] == "新指标")
    assert new["text"] == four["text"][start:start + 4] and new["comparator"] == ">=" and new["value"] == 3
    assert any(t["metric"] == "改过的指标" for t in plan["targets"])
    assert plan["deadlines"][0]["recurrence"] == "FREQ=MONTHLY" and plan["deadlines"][0]["value"] is None
    assert plan["sections"][1]["level"] == 1 and plan["sections"][1]["parent"] is None
    assert plan["title"] == "改过的标题"
    # eval of the run against its corrected gold sees exactly the corrections
    fig = score(set_dir, outdir)
    assert fig["plans"]["fn"] == 1  # the title differs: the plan no longer matches
    other = tmp_path / "without_title"
    d = decide(outdir, {"item": f"{pid}|plan", "action": "edit", "fields": {"title": four["title"]}})
    assert d.fields == {}  # back to the record's own title: nothing is changed
    write_gold(outdir, other)
    fig = score(other, outdir)
    assert (fig["targets"]["fp"], fig["targets"]["fn"]) == (1, 1)  # the rejected one, the added one
    assert fig["targets"]["metric_accuracy"] < 1.0 and fig["deadlines"]["value_accuracy"] < 1.0
    assert fig["sections"]["level_accuracy"] < 1.0
    assert added.id == Decision(added.item, "add", added.fields).id  # no timestamp: the same decision, the same id


def test_rejected_plan_and_boundary(outdir, tmp_path):
    recs = records(outdir)
    collection = sorted((r for r in recs.values() if r["source"]["path"].endswith("web_collection_clinic.txt")),
                        key=lambda r: r["plan_index"])
    assert len(collection) >= 2
    decide(outdir, {"item": f"{collection[1]['id']}|plan", "action": "reject"})
    first = collection[0]
    cut = first["text"].index("\n", len(first["text"]) // 2)
    decide(outdir, {"item": f"{first['id']}|plan", "action": "edit", "fields": {"end": cut}})
    write_gold(outdir, tmp_path / "set")
    gold = gold_of(tmp_path / "set", "web_collection_clinic")
    assert len(gold["plans"]) == len(collection) - 1
    plan = gold["plans"][0]
    assert first["text"][:cut].rstrip().endswith(plan["last"])
    assert all(t["text"] in first["text"][:cut + len(t["text"])] for t in plan["targets"])
    assert len(plan["targets"]) < len(first["targets"])


def test_unreviewed_items_in_or_out(outdir, tmp_path):
    recs = records(outdir)
    r = next(iter(recs.values()))
    t = r["targets"][0]
    decide(outdir, {"item": f"{r['id']}|target|{t['start']}-{t['end']}", "action": "accept"})
    held = latest(read_log(outdir)[0])
    assert reviewed(r, held).record["targets"] == r["targets"]
    only = reviewed(r, held, keep_unreviewed=False).record
    assert only["targets"] == [t] and only["deadlines"] == []
    res = subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(outdir), "-o", str(tmp_path / "s"),
                          "--drop-unreviewed"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0 and "1 targets, 0 deadlines" in res.stdout


def test_a_source_that_cannot_be_gold_is_one_error_line(outdir, tmp_path):
    lines = (outdir / "plans.jsonl").read_text(encoding="utf-8").splitlines()
    moved = json.loads(lines[0])
    moved["source"]["path"] = str(tmp_path / "gone.txt")
    changed = json.loads(lines[1])
    changed["source"]["path"] = str(tmp_path / "changed.txt")
    (tmp_path / "changed.txt").write_text("not the file that ran", encoding="utf-8")
    rest = [ln for ln in lines if json.loads(ln)["source"]["path"] not in
            (json.loads(lines[0])["source"]["path"], json.loads(lines[1])["source"]["path"])]
    (outdir / "plans.jsonl").write_text("\n".join([json.dumps(moved), json.dumps(changed)] + rest) + "\n",
                                        encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(outdir), "-o", str(tmp_path / "s")],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 1
    errors = res.stderr.splitlines()
    assert len(errors) == 2, errors
    assert "gone.txt: source not found" in errors[0] and "changed.txt: the file changed since the run" in errors[1]
    assert len(list((tmp_path / "s" / "annotated" / "raw").glob("*.json"))) >= 10  # the others are written


def test_a_plan_split_in_two_and_two_plans_joined(outdir, tmp_path):
    """A boundary the run missed (one record holding two plans) and one it
    made up (one plan cut in two): the gold has the plans the analyst saw."""
    recs = records(outdir)
    four = next(r for r in recs.values() if r["source"]["path"].endswith("four_levels.txt"))
    at = four["text"].index("\n二、") + 1
    decide(outdir, {"item": f"{four['id']}|plan", "action": "edit", "fields": {"splits": [at]}})
    collection = sorted((r for r in recs.values() if r["source"]["path"].endswith("markdown_plans.md")),
                        key=lambda r: r["plan_index"])
    assert len(collection) >= 2
    decide(outdir, {"item": f"{collection[1]['id']}|plan", "action": "edit", "fields": {"merge": True}})
    set_dir = tmp_path / "set"
    write_gold(outdir, set_dir)
    assert validate(set_dir / "annotated", raw_dir=set_dir / "raw", corpus_dir=CORPUS) == []
    split = gold_of(set_dir, "four_levels")["plans"]
    assert len(split) == 2 and split[1]["title"] == four["text"][at:].split("\n", 1)[0]
    assert [len(p["targets"]) for p in split] == [sum(t["start"] < at for t in four["targets"]),
                                                   sum(t["start"] >= at for t in four["targets"])]
    assert split[1]["sections"][0]["marker"] == "二、" and split[1]["sections"][0]["parent"] is None
    joined = gold_of(set_dir, "markdown_plans")["plans"]
    assert len(joined) == len(collection) - 1
    assert len(joined[0]["targets"]) == len(collection[0]["targets"]) + len(collection[1]["targets"])
    assert collection[1]["text"].rstrip().endswith(joined[0]["last"])
    figures = score(set_dir, outdir)  # the run, unchanged, now misses those boundaries
    assert figures["plans"]["f1"] < 1.0


def test_splits_and_merge_are_checked(outdir):
    recs = records(outdir)
    first = next(r for r in recs.values() if r["plan_index"] == 0)
    held = latest(read_log(outdir)[0])
    for fields in ({"splits": [0]}, {"splits": [len(first["text"])]}, {"splits": "12"}, {"merge": True},
                   {"merge": "yes"}):
        with pytest.raises(DecisionError):
            make_decision({"item": f"{first['id']}|plan", "action": "edit", "fields": fields}, recs, held)


def test_an_undone_rejection_leaves_the_item_in_the_gold(outdir, tmp_path):
    recs = records(outdir)
    def unique(x):
        texts = [t["text"] for t in x["targets"]]
        return [t for t in x["targets"] if texts.count(t["text"]) == 1]
    r = next(x for x in recs.values() if len(unique(x)) > 1)
    first, second = unique(r)[:2]
    keys = [f"{r['id']}|target|{t['start']}-{t['end']}" for t in (first, second)]
    decide(outdir, {"item": keys[0], "action": "reject"})
    decide(outdir, {"item": keys[1], "action": "reject"})
    decide(outdir, {"item": keys[0], "action": "undo"})
    held = latest(read_log(outdir)[0])
    assert set(held) == {keys[1]}
    kept = reviewed(r, held).record["targets"]
    assert first in kept and second not in kept
    with pytest.raises(DecisionError, match="no decision"):
        decide(outdir, {"item": keys[0], "action": "undo"})
    res = subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(outdir), "-o", str(tmp_path / "s")],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    name = r["source"]["path"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    quotes = [t["text"] for p in gold_of(tmp_path / "s", name)["plans"] for t in p["targets"]]
    assert first["text"] in quotes and second["text"] not in quotes


def test_gold_of_archive_members(tmp_path):
    """A run over a zip names its documents ``plans.zip!dir/name``: gold of it
    reads each member from the archive again, checks its sha256 and copies it
    under its own file name, and the set validates and scores 1.0."""
    import zipfile

    from plan_extract.run.inputs import member_bytes

    archive = tmp_path / "plans.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(RAW / "four_levels.txt", "2026/four_levels.txt")
        z.write(RAW / "big5_department.txt", "2026/big5_department.txt")
    out, set_dir = tmp_path / "out", tmp_path / "set"
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(archive), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    assert all("!" in r["source"]["path"] for r in records(out).values())
    result = write_gold(out, set_dir, member_bytes=member_bytes)  # as the command calls it
    assert result.problems == []
    assert sorted(p.name for p in (set_dir / "raw").iterdir()) == ["big5_department.txt", "four_levels.txt"]
    assert (set_dir / "raw" / "four_levels.txt").read_bytes() == (RAW / "four_levels.txt").read_bytes()
    assert validate(set_dir / "annotated", raw_dir=set_dir / "raw", corpus_dir=CORPUS) == []
    figures = evaluate(set_dir, out)
    assert figures["plans.jsonl"]["targets"]["f1"] == 1.0 and figures["plans.jsonl"]["targets"]["tp"] > 20
