"""The analyst's loop end to end in a real headless Chromium (Debian's
``chromium`` and ``chromium-driver``, driven by Selenium): keys on the review
page make and undo decisions, a reload shows them kept, ``gold`` turns them into a
gold set, ``train --data`` fits models on it, and a new run with those models
no longer finds the target the analyst rejected."""

import json
import shutil
import subprocess
import sys
import time

import pytest

from conftest import RAW, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
DOCS = ("four_levels.txt", "markdown_plans.md", "gb18030_township.txt")


def wait(predicate, what, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert DRIVER, "chromium is here but chromedriver is not: apt-get install chromium-driver (.ci/run does)"

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--window-size=1400,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def test_review_keys_reload_gold_train_rerun(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from plan_extract.api import extract_file
    from plan_extract.models import load_models
    from plan_extract.review.corrections import read_log
    from plan_extract.review.server import start

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for name in DOCS:
        shutil.copy(RAW / name, inputs / name)
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(inputs), "-o", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    server = start(out)
    try:
        queue = server.review.queue
        least = queue[0]  # the least certain target opens the page

        def current():  # read in the page: the page re-renders its elements after every decision
            return browser.execute_script("return document.getElementById('detail').dataset.key")

        def row_action(position):
            return browser.execute_script(f"var e = document.getElementById('q-{position}'); "
                                          "return e ? e.dataset.action : null")

        def ready():
            return browser.execute_script("return document.body.dataset.ready") == "yes"

        def press(key):
            ActionChains(browser).send_keys(key).perform()

        browser.get(server.url)
        wait(ready, "the page")
        assert current() == least.key
        assert "m-cur" in browser.find_element(By.CSS_SELECTOR, "#text .m-cur").get_attribute("class")
        press("r")  # reject the least certain target
        wait(lambda: row_action(0) == "reject", "the rejection")
        wait(lambda: current() == queue[1].key, "the next item")
        press("a")
        wait(lambda: row_action(1) == "accept", "the acceptance")
        wait(lambda: current() == queue[2].key, "the item after it")
        press("k")
        wait(lambda: current() == queue[1].key, "k: back one item")
        press("u")  # take the acceptance back: the item is undecided again, the page stays on it
        wait(lambda: row_action(1) == "", "the undo")
        assert current() == queue[1].key
        press("a")
        wait(lambda: row_action(1) == "accept" and current() == queue[2].key, "the acceptance made again")
        press("k")
        wait(lambda: current() == queue[1].key, "k again")
        press("j")
        wait(lambda: current() == queue[2].key, "j: on one item")
        # a missed target: select three characters of unmarked text, press t, fill the value, Enter
        browser.execute_script("""
            var span = Array.prototype.find.call(document.querySelectorAll('#text span[data-o]'), function (s) {
              return !s.className && /\\S{3}/.test(s.textContent.slice(0, 3)) && s.textContent.length > 5; });
            var range = document.createRange(); range.setStart(span.firstChild, 0); range.setEnd(span.firstChild, 3);
            var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
            document.getElementById('text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));""")
        wait(lambda: browser.execute_script("return document.getElementById('selbar').className") == "on",
             "the selection bar")
        press("t")
        metric = wait(lambda: browser.switch_to.active_element if
                      browser.switch_to.active_element.get_attribute("name") == "metric" else None, "the add form")
        metric.send_keys("补充指标")
        value = browser.find_element(By.CSS_SELECTOR, '#selbar [name="value"]')
        value.clear()
        value.send_keys("3", Keys.ENTER)
        wait(lambda: len(read_log(out)[0]) == 5, "the addition in corrections.jsonl")
        browser.refresh()  # a reload shows what was decided
        wait(ready, "the reload")
        assert row_action(0) == "reject" and row_action(1) == "accept"
        assert current() == queue[2].key  # the page opens at the first undecided item
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
    finally:
        server.shutdown()
        server.server_close()
    decisions, problems = read_log(out)
    assert [d.action for d in decisions] == ["reject", "accept", "undo", "accept", "add"] and not problems
    added = decisions[4]
    assert added.fields["metric"] == "补充指标" and added.fields["value"] == 3

    set_dir, models = tmp_path / "set", tmp_path / "models"
    subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(out), "-o", str(set_dir)], cwd=ROOT, check=True,
                   capture_output=True)
    gold = [t for p in (set_dir / "annotated" / "raw").glob("*.json")
            for plan in json.loads(p.read_text(encoding="utf-8"))["plans"] for t in plan["targets"]]
    assert any(t["metric"] == "补充指标" for t in gold)
    subprocess.run([sys.executable, "-m", "plan_extract", "train", "--data", str(set_dir / "annotated"),
                    "--out", str(models)], cwd=ROOT, check=True, capture_output=True)
    record = server.review.records[least.plan]
    before = record["targets"]
    after = next(r for r in extract_file(record["source"]["path"], models=load_models(models))
                 if r["plan_index"] == record["plan_index"])["targets"]
    start, end = least.item["start"], least.item["end"]
    assert not [t for t in after if t["start"] < end and start < t["end"]]  # the rejected target is gone
    kept = {(t["start"], t["end"]) for t in before} - {(start, end)}
    assert kept <= {(t["start"], t["end"]) for t in after}  # and the others are still found


def test_a_plan_split_and_the_split_undone_in_the_browser(browser, tmp_path):
    """Select where another plan begins, press the button, see the cut; undo
    it with its ×; split again and tick the next plan's 'continues' box: the
    log holds each decision and the gold has the plans the analyst left."""
    from selenium.webdriver.common.by import By

    from plan_extract.review.corrections import latest, read_log
    from plan_extract.review.server import start

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(RAW / "markdown_plans.md", inputs / "markdown_plans.md")
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(inputs), "-o", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    records = [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 2
    server = start(out)
    try:
        browser.get(server.url)
        wait(lambda: browser.execute_script("return document.body.dataset.ready") == "yes", "the page")
        shown = browser.execute_script("return document.getElementById('detail').dataset.key").split("|")[0]
        record = next(r for r in records if r["id"] == shown)
        at = next(k for k in range(len(record["text"]) // 2, len(record["text"]))
                  if record["text"][k - 1] == "\n" and record["text"][k].strip())

        def select_at(offset):
            browser.execute_script("""
                var at = arguments[0], spans = document.querySelectorAll('#text span[data-o]'), span = null;
                spans.forEach(function (s) { var o = Number(s.dataset.o);
                  if (o <= at && at < o + s.textContent.length) span = s; });
                var k = at - Number(span.dataset.o), range = document.createRange();
                range.setStart(span.firstChild, k); range.setEnd(span.firstChild, k + 1);
                var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
                document.getElementById('text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));""", offset)
            wait(lambda: browser.execute_script("return document.getElementById('selbar').className") == "on",
                 "the selection bar")

        def splits():
            d = latest(read_log(out)[0]).get(f"{shown}|plan")
            return None if d is None else d.fields.get("splits")

        select_at(at)
        browser.find_element(By.ID, "s-split").click()
        wait(lambda: splits() == [at], "the split in corrections.jsonl")
        undo = wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#planhead button.split"), "the split's button")
        assert browser.find_elements(By.CSS_SELECTOR, f'#text span.newplan[data-o="{at}"]')
        undo[0].click()
        wait(lambda: len(read_log(out)[0]) == 2 and not splits(), "the undone split")
        wait(lambda: not browser.find_elements(By.CSS_SELECTOR, "#planhead button.split"), "the plan shown again")
        select_at(at)
        browser.find_element(By.ID, "s-split").click()
        wait(lambda: splits() == [at], "the split again")
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        server.shutdown()
        server.server_close()
    assert [d.fields.get("splits") for d in read_log(out)[0]] == [[at], None, [at]]  # (the undo: no change left)
    set_dir = tmp_path / "set"
    subprocess.run([sys.executable, "-m", "plan_extract", "gold", str(out), "-o", str(set_dir)], cwd=ROOT, check=True,
                   capture_output=True)
    gold = json.loads((set_dir / "annotated" / "raw" / "markdown_plans.json").read_text(encoding="utf-8"))
    assert len(gold["plans"]) == len(records) + 1
    assert gold["plans"][record["plan_index"] + 1]["title"] == record["text"][at:].split("\n", 1)[0].strip()
