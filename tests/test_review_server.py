"""``plan-extract review``: the JSON API of a real server on a free port,
spoken to with real HTTP requests, over a real run of the samples."""

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from conftest import RAW, ROOT
from plan_extract.review.corrections import LOG, decision_id, read_log
from plan_extract.review.server import start


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(RAW), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out


@pytest.fixture
def server(outdir):
    srv = start(outdir)
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv, path, headers=None):
    req = urllib.request.Request(srv.url.rstrip("/") + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post(srv, body, ctype="application/json"):
    req = urllib.request.Request(srv.url + "api/decide", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def log_lines(outdir):
    path = outdir / LOG
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_queue_is_least_certain_first_and_paged(server, outdir):
    records = [json.loads(x) for x in (outdir / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    n = sum(len(r["targets"]) + len(r["deadlines"]) for r in records)
    status, first = get(server, "/api/items?offset=0&limit=150")
    assert status == 200 and first["total"] == n > 150
    _, capped = get(server, "/api/items?offset=0&limit=100000")
    assert len(capped["items"]) == 200  # one request never asks for the whole run
    items = first["items"]
    while len(items) < n:
        _, page = get(server, f"/api/items?offset={len(items)}&limit=200")
        assert page["offset"] == len(items) and page["items"]
        items += page["items"]
    assert len(items) == n == len({i["key"] for i in items})
    confidences = [i["confidence"] for i in items]
    known = [c for c in confidences if c is not None]
    assert known == sorted(known) and len(known) > 50
    assert confidences[:len(known)] == known  # the rules' items (deadlines) after every classified one
    in_document_order = [t["confidence"] for r in records for t in r["targets"]]
    assert known != in_document_order
    item = items[0]
    plan = next(r for r in records if r["id"] == item["plan"])
    assert item["text"] == plan["text"][item["start"]:item["end"]]
    status, view = get(server, f"/api/plan?id={item['plan']}")
    assert status == 200 and view["text"] == plan["text"]
    assert {m["key"] for m in view["marks"]} >= {item["key"]}
    assert sum(m["kind"] == "section" for m in view["marks"]) == len(plan["sections"])


def test_a_decision_is_on_disk_before_the_answer_and_survives_a_restart(server, outdir):
    _, page = get(server, "/api/items?offset=0&limit=3")
    first, second = page["items"][0], page["items"][1]
    status, res = post(server, {"item": first["key"], "action": "reject"})
    assert status == 200 and res["decision"]["action"] == "reject" and res["item"]["decision"]["action"] == "reject"
    lines = log_lines(outdir)
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"id": decision_id(first["key"], "reject", {}), "item": first["key"],
                                    "action": "reject", "fields": {}}
    post(server, {"item": first["key"], "action": "reject"})  # the same decision again: nothing new to keep
    assert len(log_lines(outdir)) == 1
    status, res = post(server, {"item": second["key"], "action": "edit", "fields": {"metric": "甲"}}
                       if second["kind"] == "target" else {"item": second["key"], "action": "accept"})
    assert status == 200
    restarted = start(outdir)
    try:
        _, again = get(restarted, "/api/items?offset=0&limit=3")
        assert again["items"][0]["decision"]["action"] == "reject"
        assert again["items"][1]["decision"] is not None
        _, summary = get(restarted, "/api/summary")
        assert summary["decided"] == 2
    finally:
        restarted.shutdown()
        restarted.server_close()


def test_edits_are_checked_and_add_up(server, outdir):
    _, page = get(server, "/api/items?offset=0&limit=50")
    target = next(i for i in page["items"] if i["kind"] == "target")
    status, res = post(server, {"item": target["key"], "action": "edit", "fields": {"comparator": "at least"}})
    assert status == 400 and "comparator must be one of" in res["error"]
    status, res = post(server, {"item": target["key"], "action": "edit", "fields": {"colour": "red"}})
    assert status == 400 and "no editable field" in res["error"]
    status, res = post(server, {"item": target["key"], "action": "edit", "fields": {"value": 5, "value_max": 1}})
    assert status == 400 and "below value" in res["error"]
    assert log_lines(outdir) == []  # nothing refused reaches the log
    post(server, {"item": target["key"], "action": "edit", "fields": {"unit": "项"}})
    status, res = post(server, {"item": target["key"], "action": "edit", "fields": {"comparator": "<="}})
    assert status == 200
    assert res["decision"]["fields"] == {"comparator": "<=", "unit": "项"}  # the second edit keeps the first
    assert res["item"]["fields"]["unit"] == "项" and res["item"]["fields"]["comparator"] == "<="
    status, res = post(server, {"item": target["key"], "action": "accept"})
    assert res["decision"]["action"] == "edit"  # accepting the corrected item keeps the correction
    deadline = next(i for i in page["items"] + get(server, "/api/items?offset=300&limit=200")[1]["items"]
                    if i["kind"] == "deadline")
    status, res = post(server, {"item": deadline["key"], "action": "edit", "fields": {"kind": "by", "value": "June"}})
    assert status == 400 and "normalized form" in res["error"]
    status, res = post(server, {"item": deadline["key"], "action": "edit",
                                "fields": {"kind": "by", "value": "2026-06-30", "recurrence": None}})
    assert status == 200


def test_add_a_missed_target_and_fix_a_plan(server, outdir):
    _, page = get(server, "/api/items?offset=0&limit=1")
    pid = page["items"][0]["plan"]
    _, plan = get(server, f"/api/plan?id={pid}")
    taken = {i for m in plan["marks"] for i in range(m["start"], m["end"])}
    start = next(i for i in range(len(plan["text"]) - 3) if not taken & {i, i + 1, i + 2})
    body = {"plan": pid, "kind": "target", "action": "add",
            "fields": {"start": start, "end": start + 3, "value": 2, "unit": "项", "metric": "指标"}}
    status, res = post(server, body)
    assert status == 200 and res["decision"]["item"] == f"{pid}|target|{start}-{start + 3}"
    _, summary = get(server, "/api/summary")
    _, tail = get(server, f"/api/items?offset={summary['items'] - 1}&limit=1")
    assert tail["items"][0]["key"] == res["decision"]["item"] and tail["items"][0]["added"]
    _, plan = get(server, f"/api/plan?id={pid}")
    assert any(m.get("added") and m["start"] == start for m in plan["marks"])
    existing = next(m for m in plan["marks"] if m["kind"] == "target" and not m.get("added"))
    status, res = post(server, {**body, "fields": {"start": existing["start"], "end": existing["end"], "value": 1}})
    assert status == 400 and "edit it instead" in res["error"]
    status, res = post(server, {**body, "fields": {"start": 5, "end": 10 ** 7}})
    assert status == 400 and "not inside the plan" in res["error"]
    # an added item edited stays an addition; rejected, it is gone
    status, res = post(server, {"item": f"{pid}|target|{start}-{start + 3}", "action": "edit", "fields": {"value": 4}})
    assert res["decision"]["action"] == "add" and res["decision"]["fields"]["value"] == 4
    section = next(m for m in plan["marks"] if m["kind"] == "section")
    status, _ = post(server, {"item": section["key"], "action": "edit", "fields": {"level": 3}})
    assert status == 200
    status, _ = post(server, {"item": f"{pid}|plan", "action": "edit", "fields": {"title": "新标题", "year": 2027}})
    assert status == 200
    status, res = post(server, {"item": f"{pid}|plan", "action": "edit", "fields": {"year": 26}})
    assert status == 400 and "year" in res["error"]
    _, plan = get(server, f"/api/plan?id={pid}")
    assert plan["fields"]["title"] == "新标题" and plan["fields"]["year"] == 2027
    assert next(m for m in plan["marks"] if m["key"] == section["key"])["fields"]["level"] == 3


def test_undo_steps_back_one_decision_at_a_time_and_survives_a_restart(server, outdir):
    _, page = get(server, "/api/items?offset=0&limit=50")
    target = next(i for i in page["items"] if i["kind"] == "target")
    deadline_or_next = next(i for i in page["items"] if i["key"] != target["key"])
    status, res = post(server, {"item": target["key"], "action": "undo"})
    assert status == 400 and "no decision" in res["error"]  # nothing to take back yet
    post(server, {"item": target["key"], "action": "edit", "fields": {"unit": "项"}})
    post(server, {"item": target["key"], "action": "edit", "fields": {"comparator": "<="}})
    post(server, {"item": deadline_or_next["key"], "action": "reject"})
    status, res = post(server, {"item": target["key"], "action": "undo"})
    assert status == 200 and res["decision"]["action"] == "undo"
    # the first edit holds again, the run's comparator is back
    assert res["item"]["decision"]["fields"] == {"unit": "项"}
    assert res["item"]["fields"]["comparator"] == target["fields"]["comparator"]
    status, res = post(server, {"item": target["key"], "action": "undo"})
    assert res["item"]["decision"] is None and res["item"]["fields"] == target["fields"]
    assert res["decided"] == 1  # the other item's decision is untouched
    assert post(server, {"item": target["key"], "action": "undo"})[0] == 400
    assert [json.loads(x)["action"] for x in log_lines(outdir)] == ["edit", "edit", "reject", "undo", "undo"]
    restarted = start(outdir)
    try:
        _, again = get(restarted, "/api/items?offset=0&limit=50")
        held = {i["key"]: i["decision"] for i in again["items"]}
        assert held[target["key"]] is None and held[deadline_or_next["key"]]["action"] == "reject"
        status, res = post(restarted, {"item": deadline_or_next["key"], "action": "undo"})
        assert status == 200 and res["decided"] == 0
    finally:
        restarted.shutdown()
        restarted.server_close()


def test_bad_requests_are_refused_with_a_reason(server, outdir):
    assert get(server, "/api/items?offset=x")[0] == 400
    status, res = get(server, "/api/plan?id=nope")
    assert status == 404 and "no plan 'nope'" in res["error"]
    assert get(server, "/api/nothing")[0] == 404
    status, res = post(server, {"item": "x|target|1-2", "action": "reject"}, ctype="text/plain")
    assert status == 415  # a form another site posts cannot be JSON without asking first
    assert get(server, "/api/summary", headers={"Host": "evil.example:80"})[0] == 403  # DNS rebinding
    status, res = post(server, {"item": "nope", "action": "reject"})
    assert status == 400 and "not an item name" in res["error"]
    status, res = post(server, {"item": "x-0|target|1-2", "action": "reject"})
    assert status == 400 and "no plan" in res["error"]
    status, res = post(server, {"item": "x-0|target|1-2", "action": "approve"})
    assert status == 400 and "action must be" in res["error"]
    assert log_lines(outdir) == []


def test_torn_line_and_concurrent_decisions(outdir):
    (outdir / LOG).write_text('{"id":"1","item":"a|plan","action":"reject","fi', encoding="utf-8")  # a crash mid-line
    srv = start(outdir)
    try:
        _, summary = get(srv, "/api/summary")
        assert len(summary["problems"]) == 1 and "corrections.jsonl:1" in summary["problems"][0]
        _, page = get(srv, "/api/items?offset=0&limit=40")
        threads = [threading.Thread(target=post, args=(srv, {"item": i["key"], "action": "accept"}))
                   for i in page["items"]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        srv.shutdown()
        srv.server_close()
    decisions, problems = read_log(outdir)
    assert len(decisions) == 40 and len(problems) == 1  # every decision whole, on its own line
    assert {d.item for d in decisions} == {i["key"] for i in page["items"]}


def test_page_is_served(server):
    with urllib.request.urlopen(server.url, timeout=30) as res:
        html = res.read().decode("utf-8")
    assert res.headers["Content-Type"].startswith("text/html") and "/api/items?offset=" in html
    for remote in ("http://", "https://", 'src="//'):
        assert remote not in html  # opens offline


def test_the_command_prints_its_address_and_serves(outdir, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "plan_extract", "review", str(outdir), "--port", "0",
                             "--no-browser"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert " items of " in lines[0] and "0 decisions" in lines[0], lines
        url = lines[1].split("review at ", 1)[1].split()[0]
        with urllib.request.urlopen(url + "api/summary", timeout=30) as res:
            assert json.loads(res.read())["plans"] > 10
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    empty = tmp_path / "empty"
    empty.mkdir()
    res = subprocess.run([sys.executable, "-m", "plan_extract", "review", str(empty), "--no-browser"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 2 and "no plans.jsonl" in res.stderr
