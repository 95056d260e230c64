"""The review page, opened in a real headless Chromium (Debian's package)."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=5000"]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    subprocess.run([sys.executable, "-m", "plan_extract", "run", "data/raw", str(CORPUS), "-o", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "plan_extract", "report", str(out)], cwd=ROOT,
                   capture_output=True, text=True, check=True)
    return out, out / "report.html"


def test_page_is_self_contained(page):
    _, report = page
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html  # charts are inlined
    for remote in ("http://", "https://", "src=\"//"):
        assert remote not in html.replace("http://www.w3.org", "")  # no CDN, no network


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_page_in_headless_chromium(page, tmp_path):
    out, report = page
    records = [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    items = sum(len(r["sections"]) + len(r["targets"]) + len(r["deadlines"]) for r in records)
    profile = tmp_path / "profile"
    res = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                          "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    dom = res.stdout
    assert 'data-ready="yes"' in dom  # the page's script ran to its end
    assert f'data-highlights="{items}"' in dom  # one highlighted span per item of the records
    console = [line for line in res.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}2", "--window-size=1280,1400",
                    f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_targets_table_opens_with_the_least_certain(page):
    """The review queue: targets sorted by confidence, lowest first."""
    import re

    _, report = page
    html = report.read_text(encoding="utf-8")
    table = html[html.index('id="targets-table"'):]
    table = table[:table.index("</table>")]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr")[2:]]  # after the header row
    confidences = [float(cells[9]) for cells in rows if cells[9]]  # the confidence column
    out, _ = page
    records = [json.loads(line) for line in (out / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    in_document_order = [round(t["confidence"], 2) for r in records for t in r["targets"]]
    assert len(confidences) == len(in_document_order) > 50
    assert confidences == sorted(in_document_order) != in_document_order
