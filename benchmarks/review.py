"""The review app on a 10,000-item run: time to the first page and to save one correction.

Builds an OUTDIR whose plans.jsonl repeats the records of a real run of
``data/raw`` and the corpus (each copy with its own plan ids) until it holds
at least 10,000 targets and deadlines, starts the review server on a free
port and measures, over real HTTP:

- first page: server start (records read, queue sorted) plus the requests the
  page makes before it shows an item (the page, the summary, the first 50
  items, the first item's plan);
- one correction: ``POST /api/decide`` answered, i.e. checked, appended to
  ``corrections.jsonl`` and fsynced;
- with Chromium and chromedriver installed, the page in a real browser: from
  navigation to the first item shown;
- the tables for spreadsheet users: ``plan-extract export OUTDIR --format F``
  for csv, xlsx and parquet, each a whole process (start-up included).

    python benchmarks/review.py [--items 10000] [--json benchmarks/results/review.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plan_extract.review.server import start  # noqa: E402


def build(outdir: Path, items: int) -> dict:
    seed = outdir / "seed"
    subprocess.run([sys.executable, "-m", "plan_extract", "run", str(ROOT / "data" / "raw"),
                    str(ROOT.parent / "shared" / "corpus"), "-o", str(seed)], cwd=ROOT, check=True,
                   capture_output=True)
    records = [json.loads(x) for x in (seed / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    per_copy = sum(len(r["targets"]) + len(r["deadlines"]) for r in records)
    copies = -(-items // per_copy)
    lines = []
    for k in range(copies):
        for r in records:
            lines.append(json.dumps({**r, "id": f"{k:04d}{r['id'][4:]}"}, ensure_ascii=False))
    (outdir / "plans.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"plans": len(lines), "items": per_copy * copies, "bytes": (outdir / "plans.jsonl").stat().st_size}


def fetch(url: str, body: dict | None = None) -> bytes:
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=60) as res:
        return res.read()


def first_page(outdir: Path) -> tuple[float, object]:
    t0 = time.perf_counter()
    server = start(outdir)
    fetch(server.url)
    fetch(server.url + "api/summary")
    page = json.loads(fetch(server.url + "api/items?offset=0&limit=50"))
    fetch(server.url + f"api/plan?id={page['items'][0]['plan']}")
    return time.perf_counter() - t0, server


def in_browser(url: str) -> float | None:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        return None
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        browser.get("about:blank")
        t0 = time.perf_counter()
        browser.get(url)
        while browser.execute_script("return document.body && document.body.dataset.ready") != "yes":
            time.sleep(0.01)
        return time.perf_counter() - t0
    finally:
        browser.quit()


def export_seconds(outdir: Path) -> dict[str, float]:
    """Seconds of ``plan-extract export OUTDIR --format F`` (a whole process) per format."""
    out = {}
    for fmt in ("csv", "xlsx", "parquet"):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "plan_extract", "export", str(outdir), "--format", fmt],
                       cwd=ROOT, check=True, capture_output=True)
        out[fmt] = round(time.perf_counter() - t0, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp)
        size = build(outdir, args.items)
        print(f"OUTDIR: {size['plans']} plans, {size['items']} items, {size['bytes'] / 1e6:.1f} MB of plans.jsonl")
        seconds, server = first_page(outdir)
        print(f"first page (server start + page + summary + 50 items + the first plan): {seconds:.3f} s")
        try:
            page = json.loads(fetch(server.url + "api/items?offset=0&limit=50"))["items"]
            saves = []
            for item in page[:20]:
                t0 = time.perf_counter()
                fetch(server.url + "api/decide", {"item": item["key"], "action": "accept"})
                saves.append(time.perf_counter() - t0)
            print(f"save one correction (checked, appended, fsynced): median {statistics.median(saves) * 1000:.1f} ms, "
                  f"max {max(saves) * 1000:.1f} ms over {len(saves)}")
            t0 = time.perf_counter()
            fetch(server.url + f"api/items?offset={size['items'] - 50}&limit=50")
            last = time.perf_counter() - t0
            print(f"the queue's last page: {last * 1000:.1f} ms")
            browser = in_browser(server.url)
            print("in headless Chromium, navigation to the first item shown: " +
                  (f"{browser:.3f} s" if browser is not None else "skipped (no chromium/chromedriver/selenium)"))
        finally:
            server.shutdown()
            server.server_close()
        exports = export_seconds(outdir)
        print("export, whole process: " + ", ".join(f"{fmt} {secs:.2f} s" for fmt, secs in exports.items()))
    if args.json:
        args.json.write_text(json.dumps({**size, "first_page_s": round(seconds, 3),
                                         "save_median_ms": round(statistics.median(saves) * 1000, 1),
                                         "save_max_ms": round(max(saves) * 1000, 1),
                                         "last_page_ms": round(last * 1000, 1),
                                         "browser_first_item_s": None if browser is None else round(browser, 3),
                                         "export_s": exports},
                                        indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
