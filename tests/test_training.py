"""Training sees what a run sees: the rows a model is fitted on are built by
the run's own functions, on a PDF too (wrapped lines re-joined, running
headers and page numbers dropped before any line is classified)."""

from conftest import RAW
from formats_gen import to_pdf

from plan_extract import extract_file
from plan_extract.api import prepare
from plan_extract.models import load_models
from plan_extract.models.features import LINE_MODEL_MAX_LEN
from plan_extract.rules import load_rules
from plan_extract.stages.clean import clean
from plan_extract.stages.read import read_file
from plan_extract.training.examples import candidate_examples, line_examples
from plan_extract.training.gold import GoldDoc

RULES = load_rules()


class Recording:
    """A shipped model that also keeps every row the run asks it about."""

    def __init__(self, model):
        self.model, self.classes_, self.rows = model, model.classes_, []

    def predict_proba(self, rows):
        rows = list(rows)
        self.rows += rows
        return self.model.predict_proba(rows)


def test_training_rows_are_the_rows_a_run_builds_on_a_pdf(tmp_path):
    """Many short list items hide the hard wrapping from detection: only the
    PDF format tells the run to re-join lines and drop the running header,
    which training (before) did not know."""
    items = "\n".join(f"（{i}）第{i}项重点工作按季度检查并通报结果。" for i in range(1, 60))
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(to_pdf((RAW / "four_levels.txt").read_text(encoding="utf-8") + "\n" + items,
                           header="某县人民医院文件"))
    source = read_file(pdf)
    assert source.text.count("某县人民医院文件") >= 3
    assert "某县人民医院文件" in clean(source.text).text  # cleaning as if it were plain text keeps it
    assert "某县人民医院文件" not in prepare(source).text  # the run drops it, and joins wrapped lines

    shipped = load_models()
    lines, candidates = Recording(shipped["lines"]), Recording(shipped["candidates"])
    records = extract_file(pdf, models={"lines": lines, "candidates": candidates})
    assert not any(w["kind"] == "boilerplate" for r in records for w in r["warnings"])  # same plans either way

    gold = {"plans": [{"first": r["text"][:12], "last": r["text"][-12:], "not_in_text": [],
                       "targets": r["targets"]} for r in records]}
    doc = GoldDoc(pdf, gold, "raw/plan.pdf")
    line_rows, _ = line_examples(doc, RULES)
    judged = [row for row in line_rows if row["rule"] == "text" and row["length"] <= LINE_MODEL_MAX_LEN]
    assert lines.rows and judged == lines.rows
    candidate_rows, labels = candidate_examples(doc, RULES)
    assert len(candidates.rows) >= 20 and candidate_rows == candidates.rows
    assert labels.count("target") >= 10  # the gold (here: the run's own targets) is found among the rows
