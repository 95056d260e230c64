import copy
import json

import pytest

from conftest import ANNOTATED, CORPUS, ROOT
from plan_extract.training.validate import validate, validate_file

RAW = ROOT / "data" / "raw"


def test_all_gold_is_sound():
    assert validate(ANNOTATED, raw_dir=RAW, corpus_dir=CORPUS) == []


GOLD = json.loads((ANNOTATED / "corpus" / "003_1190d61079040859.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate,expected", [
    (lambda g: g["plans"][0]["targets"][0].update(text="不存在的指标100%"), "text not found"),
    (lambda g: g["plans"][0]["targets"][0].update(comparator="=>"), "comparator"),
    (lambda g: g["plans"][0]["targets"][0].update(value=None), "placeholder"),
    (lambda g: g["plans"][0]["deadlines"][0].update(kind="by", value="June"), "normalized form"),
    (lambda g: g["plans"][0]["sections"][1].update(parent=5), "parent"),
    (lambda g: g["plans"][0]["sections"][0].update(quote="一、不在文中的标题"), "quote not found"),
    (lambda g: g.update(encoding="gb18030"), "encoding"),
])
def test_validator_catches_broken_gold(mutate, expected):
    broken = copy.deepcopy(GOLD)
    mutate(broken)
    problems = validate_file(broken, CORPUS / "003_1190d61079040859.txt", "corpus/003")
    assert any(expected in p for p in problems), problems
