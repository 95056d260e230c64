"""Spreadsheets of targets (指标分解表) as .xlsx, .xls and .csv: each sheet
is read as a table, and the targets stage reads its rows."""

import io
import shutil
import subprocess

import pytest

from plan_extract import extract_bytes
from plan_extract.core.errors import StageError
from plan_extract.rules import load_rules
from plan_extract.stages.read import read_bytes

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
RULES = load_rules()

TITLE = "2026年县人民医院医疗质量指标分解表"
HEADER = ["序号", "指标名称", "单位", "2025年基期值", "2026年目标值", "责任科室"]
ROWS = [[1, "门诊病历书写合格率", "%", 90, 95, "医务科"],
        [2, "出院患者手术占比", "%", 30, 35, "医务科"],
        [3, "护士离职率", "%", 6.8, "≤5", "护理部"],
        [4, "抗菌药物使用强度", "DDDs", 42, "≤40", "药剂科"],
        [5, "住院患者满意度", None, 0.92, 0.95, "院办"]]  # fractions shown as percentages
# what the targets stage reads from these rows: metric, comparator, value, unit, baseline
EXPECTED = [("门诊病历书写合格率", "=", 95, "%", (90, "%", 2025)),
            ("出院患者手术占比", "=", 35, "%", (30, "%", 2025)),
            ("护士离职率", "<=", 5, "%", (6.8, "%", 2025)),
            ("抗菌药物使用强度", "<=", 40, "DDDs", (42, "DDDs", 2025)),
            ("住院患者满意度", "=", 95, "%", (92, "%", 2025))]
NURSING = [["指标", "上年完成（%）", "目标值（%）"], ["护理文书书写合格率", 94.1, 96], ["压力性损伤上报率", 100, 100]]


def _workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws.append([None])  # a blank first row and column, as sheets often have
    ws.append([None, TITLE])
    ws.append([None] + HEADER)
    for row in ROWS:
        ws.append([None] + row)
    for cell in ("E8", "F8"):
        ws[cell].number_format = "0%"
    nursing = book.create_sheet("护理质量")  # no title row: its name heads it
    for row in NURSING:
        nursing.append(row)
    book.create_sheet("Sheet3")  # empty: left out
    hidden = book.create_sheet("草稿")
    hidden.append(["不应读出", "50%"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def xlsx():
    return _workbook()


@pytest.fixture(scope="module")
def xls(xlsx, tmp_path_factory):
    """The same workbook as Excel 97 (.xls), made by LibreOffice once."""
    if not OFFICE:
        pytest.skip("needs LibreOffice (.ci/run installs it) to make an .xls")
    tmp = tmp_path_factory.mktemp("xls")
    (tmp / "plan.xlsx").write_bytes(xlsx)
    subprocess.run([OFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "xls", "--outdir", str(tmp), str(tmp / "plan.xlsx")], capture_output=True, timeout=300, check=True)
    if not (tmp / "plan.xls").is_file():
        pytest.skip("LibreOffice wrote no .xls: needs libreoffice-calc (.ci/run installs it)")
    return (tmp / "plan.xls").read_bytes()


def targets(records):
    return [(t["metric"], t["comparator"], t["value"], t["unit"],
             t["baseline"] and (t["baseline"]["value"], t["baseline"]["unit"], t["baseline"]["year"]))
            for r in records for t in r["targets"]]


def test_each_sheet_is_a_tab_separated_table(xlsx):
    text = read_bytes(xlsx, path="plan.xlsx", fmt="xlsx").text
    assert text.split("\n") == [
        TITLE,
        "\t".join(HEADER),
        "1\t门诊病历书写合格率\t%\t90%\t95%\t医务科",  # the unit column's unit on bare numbers
        "2\t出院患者手术占比\t%\t30%\t35%\t医务科",
        "3\t护士离职率\t%\t6.8%\t≤5%\t护理部",
        "4\t抗菌药物使用强度\tDDDs\t42DDDs\t≤40DDDs\t药剂科",
        "5\t住院患者满意度\t\t92%\t95%\t院办",  # 0.92 under a percent format
        "",
        "护理质量",  # no title row: the sheet's name
        "指标\t上年完成（%）\t目标值（%）",
        "护理文书书写合格率\t94.1%\t96%",  # the header's unit
        "压力性损伤上报率\t100%\t100%",
    ]


def test_xlsx_targets_with_metric_value_unit_baseline(xlsx):
    """The rules read every row; the classifier, trained on prose plans,
    keeps most of them (it doubts 出院患者手术占比 alone in its row)."""
    records = extract_bytes(xlsx, path="plan.xlsx", models=False)
    assert len(records) == 1 and records[0]["source"]["format"] == "xlsx" and records[0]["year"] == 2026
    assert "不应读出" not in records[0]["text"]  # a hidden sheet
    assert targets(records) == EXPECTED + [("护理文书书写合格率", "=", 96, "%", (94.1, "%", None)),
                                           ("压力性损伤上报率", "=", 100, "%", (100, "%", None))]
    assert [t["owner"] for t in records[0]["targets"]] == [row[-1] for row in ROWS] + [None, None]
    kept = targets(extract_bytes(xlsx, path="plan.xlsx"))
    assert set(kept) <= set(targets(records)) and len(kept) >= 5


def test_xls_gives_the_records_of_the_xlsx(xlsx, xls):
    assert xls[:4] == b"\xd0\xcf\x11\xe0"  # a real BIFF workbook
    assert read_bytes(xls, path="plan.xls", fmt="xls").text == read_bytes(xlsx, path="plan.xlsx", fmt="xlsx").text
    records = extract_bytes(xls, path="plan.xls", models=False)
    assert records[0]["source"]["format"] == "xls"
    assert targets(records) == targets(extract_bytes(xlsx, path="plan.xlsx", models=False))
    assert len(targets(records)) == 7


@pytest.mark.parametrize("encoding,delimiter,detected", [("gb18030", ",", "gb18030"), ("utf-16", "\t", "utf-16"),
                                                        ("utf-8", ";", "utf-8")])
def test_csv_in_any_common_encoding(encoding, delimiter, detected):
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in ROWS[:4]:
        writer.writerow(row)
    records = extract_bytes(out.getvalue().encode(encoding), path="plan.csv", models=False)
    assert records[0]["source"]["format"] == "csv" and records[0]["source"]["encoding"] == detected
    assert targets(records) == EXPECTED[:4]
    assert "1\t门诊病历书写合格率\t%\t90%\t95%\t医务科" in records[0]["text"]


def _damaged_sheet() -> bytes:
    """A real workbook whose first sheet's XML is cut in half."""
    import zipfile

    src, out = zipfile.ZipFile(io.BytesIO(_workbook())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[:len(data) // 2] if name.endswith("sheet1.xml") else data)
    return out.getvalue()


@pytest.mark.parametrize("path,data,reason", [
    ("x.xlsx", b"PK\x03\x04 not really a zip", "corrupt .xlsx"),
    ("x.xlsx", _damaged_sheet(), "corrupt .xlsx: ParseError"),
    ("x.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "corrupt .xls"),
    ("x.xls", b"not a workbook at all", "corrupt .xls"),
], ids=["not-a-zip", "damaged-sheet", "empty-ole", "not-a-workbook"])  # not the bytes: a zip's time
# stamp differs between the two test workers when they collect a second apart
def test_broken_workbooks_give_a_clear_reason(path, data, reason):
    with pytest.raises(StageError) as info:
        extract_bytes(data, path=path)
    assert info.value.stage == "read" and reason in info.value.reason


@pytest.mark.parametrize("key", list(RULES.get("read", "sheet")))
def test_sheet_rule_examples(key):
    entry = RULES.get("read", "sheet", key)
    pattern = RULES.re("read", "sheet", key)
    examples = entry["examples"]
    for text in examples:
        m = pattern.search(text)
        assert m, text
        if isinstance(examples, dict):
            assert m.group("unit") == examples[text]
    for text in entry["not"]:
        assert not pattern.search(text), text


def test_owner_column_words():
    column = RULES.re("targets", "owner_column")
    for header in ("责任科室", "牵头单位", "责任单位（部门）", "负责人", "责任部门/责任人", "主要责任单位"):
        assert column.search(header), header
    for header in ("单位", "计量单位", "责任目标", "2026年目标值", "单位名称"):
        assert not column.search(header), header


def test_owner_from_a_word_table_too():
    """One pipeline: a .docx table's 责任科室 column gives the same owners."""
    import docx

    d = docx.Document()
    d.add_paragraph("2026年医院质量工作计划")
    rows = [HEADER] + [[str(v) if v is not None else "" for v in row] for row in ROWS[:3]]
    rows[1][3:5], rows[2][3:5], rows[3][3:5] = ["90%", "95%"], ["30%", "35%"], ["6.8%", "≤5%"]
    table = d.add_table(rows=len(rows), cols=len(HEADER))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    d.save(out)
    rec = extract_bytes(out.getvalue(), path="plan.docx", models=False)[0]
    assert [(t["metric"], t["owner"]) for t in rec["targets"]] == [("门诊病历书写合格率", "医务科"),
                                                                   ("出院患者手术占比", "医务科"),
                                                                   ("护士离职率", "护理部")]
    prose = extract_bytes("2026年计划\n门诊病历书写合格率达到95%，责任科室为医务科。".encode(), path="p.txt")[0]
    assert [t["owner"] for t in prose["targets"]] == [None]  # only a table column names an owner
