"""The flat tables for spreadsheet users (issue 21): a wide targets sheet with
the plan's title, year and organisation, section paths with titles, deadline
dates, recurrences in plain words and a review flag; typed columns in every
format; a workbook with frozen header, filters and fitted widths; one option
name per meaning across commands."""

import subprocess
import sys
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import ROOT
from plan_extract.api import extract_file
from plan_extract.cli import main
from plan_extract.output.columns import LOW_CONFIDENCE, deadline_dates, organisation, recurrence_words
from plan_extract.output.export import SCHEMA, TABLES, arrow_schema, export, rows
from plan_extract.output.workbook import EXCEL_CELL_MAX, MAX_WIDTH, MIN_WIDTH, write_workbook
from plan_extract.rules import load_rules
from plan_extract.stages.deadlines import find_deadlines
from plan_extract.text.script import make_view

RULES = load_rules()

PLAN = """青山县人民医院检验科2026年工作计划
一、加强质量管理
（一）室间质评
6月底前室间质评合格率达到100%。每季度至少开展2次医疗质量评价。
（二）危急值管理
危急值报告及时率达到98%以上。
二、推进学科建设
第一季度完成新技术准入评估。从三月份起实行弹性排班。4月1日至6月30日开展技能竞赛。24小时内上报不良事件。每月第一个星期六开展义诊。
"""
NO_YEAR = """20xx年卫生院工作计划
一、公共卫生
6月底前完成居民健康档案更新。
"""
NO_TARGETS = """2026年后勤保障工作计划
一、加强安全管理
做好水电气设施巡查。
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "plan_extract", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """A run that writes its workbook itself (run --format xlsx), then the Parquet and CSV tables."""
    inbox = tmp_path_factory.mktemp("in")
    (inbox / "a_plan.txt").write_text(PLAN, encoding="utf-8")
    (inbox / "b_no_year.txt").write_text(NO_YEAR, encoding="utf-8")
    (inbox / "c_no_targets.txt").write_text(NO_TARGETS, encoding="utf-8")
    outdir = tmp_path_factory.mktemp("run")
    res = cli("run", str(inbox), "-o", str(outdir), "--format", "xlsx")
    assert res.returncode == 0, res.stderr
    for fmt in ("parquet", "csv"):
        export(outdir, fmt)
    return outdir


def sheet_rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c for c in row))) for row in ws.iter_rows(min_row=2)]


def test_the_targets_sheet_names_plan_section_due_and_recurrence(out):
    ws = openpyxl.load_workbook(out / "tables" / "plans.xlsx")["targets"]
    by_metric = {r["metric"].value: r for r in sheet_rows(ws)}
    pass_rate, reviews = by_metric["室间质评合格率"], by_metric["医疗质量评价"]
    assert pass_rate["plan_title"].value == "青山县人民医院检验科2026年工作计划"
    assert pass_rate["organisation"].value == "青山县人民医院检验科"
    assert pass_rate["year"].value == 2026 and type(pass_rate["year"].value) is int  # was 2026.0
    assert pass_rate["section_titles"].value == "一、加强质量管理 > （一）室间质评"
    assert pass_rate["section_path"].value == "一、 > （一）"  # the markers' path stays
    # the last day 6月底前 allows, as a date cell shown as an ISO date
    assert pass_rate["due"].value == datetime(2026, 6, 30) and pass_rate["due"].number_format.lower() == "yyyy-mm-dd"
    assert pass_rate["recurrence"].value is None
    assert reviews["due"].value is None  # a recurring deadline has no last day
    assert reviews["recurrence"].value == "FREQ=MONTHLY;INTERVAL=3"
    assert reviews["recurrence_words"].value == "每季度"
    for r in by_metric.values():
        assert r["review"].value is (r["confidence"].value < LOW_CONFIDENCE)


def test_the_deadlines_table_gives_due_and_period_as_dates(out):
    d = pd.read_parquet(out / "tables" / "deadlines.parquet")
    got = {t: (due, start, end, words) for t, due, start, end, words in
           zip(d.text, d.due, d.period_start, d.period_end, d.recurrence_words)}
    assert got["6月底前"][:3] in [(date(2026, 6, 30), None, None), (None, None, None)]
    assert got["第一季度"][:3] == (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31))
    assert got["4月1日至6月30日"][:3] == (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30))
    assert got["从三月份起"][:3] == (None, date(2026, 3, 1), None)  # open: no last day
    assert got["24小时内"][:3] == (None, None, None)  # a duration from an event
    assert got["每月第一个星期六"] == (None, None, None, "每月第1个周六")
    no_year = d[d.source_path.str.endswith("b_no_year.txt")].iloc[0]
    assert no_year.value == "XXXX-06-30" and pd.isna(no_year.due)  # no calendar date without a year
    assert pd.isna(no_year.year)
    plan = d[d.source_path.str.endswith("a_plan.txt")]
    assert plan[plan.text == "6月底前"].due.tolist() == [date(2026, 6, 30)]


@pytest.mark.parametrize("value,want", [
    ("2026-06-30", (date(2026, 6, 30), None, None)),
    ("2026-09-01/2026-09-30", (date(2026, 9, 30), date(2026, 9, 1), date(2026, 9, 30))),
    ("2026-03-01/..", (None, date(2026, 3, 1), None)),
    ("XXXX-02-01/XXXX-07-31", (None, None, None)),
    ("PT24H", (None, None, None)),
    (None, (None, None, None)),
])
def test_deadline_dates_of_every_value_form(value, want):
    assert deadline_dates(value) == want


def test_every_column_has_its_type_in_parquet_and_csv(out):
    """The Parquet schema is the table's schema even for a column with no value
    (no baseline anywhere: before, a null-typed or float column)."""
    for name in TABLES:
        assert pq.read_schema(out / "tables" / f"{name}.parquet").remove_metadata() == arrow_schema(name)
    plans_csv = (out / "tables" / "plans.csv").read_text(encoding="utf-8-sig")
    assert ",2026," in plans_csv and "2026.0" not in plans_csv
    targets = pd.read_parquet(out / "tables" / "targets.parquet")
    assert targets.baseline_year.isna().all()  # typed int64 above, though empty


def test_the_workbook_is_laid_out_for_a_spreadsheet(out):
    book = openpyxl.load_workbook(out / "tables" / "plans.xlsx")
    assert book.sheetnames == list(TABLES)
    assert book.active.title == "targets"  # the analyst's sheet opens first
    assert [ws.title for ws in book.worksheets if ws.sheet_view.tabSelected] == ["targets"]
    for name in TABLES:
        ws = book[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(SCHEMA[name]))}{ws.max_row}"
        widths = {ws.cell(1, i).value: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
                  for i in range(1, ws.max_column + 1)}
        # stored as Excel stores a width typed in: with its padding of 5 pixels, 5/7 of a character
        assert all(MIN_WIDTH - 0.01 <= w - 5 / 7 <= MAX_WIDTH + 0.01 for w in widths.values()), widths
    widths = {c.value: book["targets"].column_dimensions[c.column_letter].width for c in book["targets"][1]}
    assert widths["plan_title"] > widths["year"] and widths["section_titles"] > widths["target_id"]


def test_the_workbook_is_byte_identical_and_carries_no_clock(out, tmp_path):
    first = (out / "tables" / "plans.xlsx").read_bytes()  # written by the run
    export(out, "xlsx")
    assert (out / "tables" / "plans.xlsx").read_bytes() == first
    with zipfile.ZipFile(out / "tables" / "plans.xlsx") as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert str(datetime.now().year) not in z.read("docProps/core.xml").decode()


def test_text_excel_cannot_hold_is_cut_or_replaced(tmp_path):
    long_text = "质" * (EXCEL_CELL_MAX + 100)
    frame = {"plans": pd.DataFrame({"title": ["a\x0bb"], "text": [long_text]})}
    target = tmp_path / "t.xlsx"
    write_workbook(frame, {"plans": [("title", "string"), ("text", "string")]}, target)
    ws = openpyxl.load_workbook(target)["plans"]
    assert ws["A2"].value == "a\ufffdb"
    assert len(ws["B2"].value) == EXCEL_CELL_MAX and ws["B2"].value.endswith("\u2026")


def test_review_is_empty_without_a_confidence():
    """A rules-only run has no probability to judge by: review stays empty, not False."""
    records = extract_file(ROOT / "data" / "raw" / "four_levels.txt", models=False)
    targets = rows(records)["targets"]
    assert targets and all(t["confidence"] is None and t["review"] is None for t in targets)


# --- the rule table's examples -------------------------------------------------

RECURRENCE = RULES.get("export", "recurrence")
ORGANISATION = RULES.get("export", "organisation")


@pytest.mark.parametrize("rrule,words", RECURRENCE["examples"].items())
def test_recurrence_words_examples(rrule, words):
    assert recurrence_words(rrule, RULES) == words


def _recurring_examples():
    for entry in RULES.get("deadlines", "matchers", "recurring"):
        yield from (entry.get("examples") or {}).items()


@pytest.mark.parametrize("phrase,rrule", list(_recurring_examples()))
def test_every_recurrence_the_matchers_give_has_plain_words(phrase, rrule):
    found = [d for d in find_deadlines(make_view(phrase, rules=RULES), year=2026, rules=RULES) if d.recurrence]
    assert found, phrase
    for d in found:
        words = recurrence_words(d.recurrence, RULES)
        assert words and not any("A" <= ch <= "Z" for ch in words), (d.recurrence, words)


def test_a_rule_with_a_part_it_has_no_words_for_gets_none():
    assert recurrence_words("FREQ=MONTHLY;BYMONTHDAY=-2", RULES) is None
    assert recurrence_words("FREQ=HOURLY", RULES) is None
    assert recurrence_words("FREQ=WEEKLY;BYSETPOS=1", RULES) is None


@pytest.mark.parametrize("title,org", ORGANISATION["examples"].items())
def test_organisation_examples(title, org):
    assert organisation(title, RULES) == org


@pytest.mark.parametrize("title", ORGANISATION["not"])
def test_organisation_not_examples(title):
    assert organisation(title, RULES) is None


# --- one name per option ---------------------------------------------------------

def test_one_name_per_option_and_the_old_spellings_still_work(out, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["export", str(out), "--to", "csv"])  # the old spelling
    assert res.exit_code == 0, res.output
    assert res.output.split()[0].endswith("plans.csv")
    page, old = tmp_path / "page.html", tmp_path / "old.html"
    assert runner.invoke(main, ["report", str(out), "--page", str(page)]).exit_code == 0 and page.exists()
    assert runner.invoke(main, ["report", str(out), "-o", str(old)]).exit_code == 0 and old.exists()
    helps = {cmd: runner.invoke(main, [cmd, "--help"]).output for cmd in ("run", "export", "report", "train")}
    assert "--format" in helps["run"] and "--format" in helps["export"] and "--to" not in helps["export"]
    assert "--page" in helps["report"] and "-o," not in helps["report"] and "--output" not in helps["report"]
    assert "--models" in helps["train"] and "--out " not in helps["train"]
    # the folder a run writes is -o/--out; no other command gives -o another meaning
    assert "-o, --out" in helps["run"]
    bad = runner.invoke(main, ["export", str(out), "--to", "json"])
    assert bad.exit_code == 2 and "'--format'" in bad.output and "--to" not in bad.output


@pytest.mark.parametrize("command,args,param,value", [
    ("export", ["OUT", "--to", "xlsx"], "fmt", "xlsx"),
    ("export", ["OUT", "--format", "xlsx"], "fmt", "xlsx"),
    ("report", ["OUT", "--output", "r.html"], "page", "r.html"),
    ("report", ["OUT", "-o", "r.html"], "page", "r.html"),
    ("train", ["--out", "m"], "out_dir", "m"),
    ("train", ["--models", "m"], "out_dir", "m"),
])
def test_old_and_new_spellings_parse_to_the_same_value(tmp_path, command, args, param, value):
    (tmp_path / "OUT").mkdir()
    args = [str(tmp_path / "OUT") if a == "OUT" else a for a in args]
    ctx = main.commands[command].make_context(command, args)
    assert ctx.params[param] == value

