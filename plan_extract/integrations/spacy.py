"""A spaCy component: ``nlp.add_pipe("plan_extract")``.

It runs the same pipeline as the command line on ``doc.text`` and copies the
results onto the Doc: ``doc.spans["sections"|"targets"|"deadlines"]`` (each
span's record fields in ``span._.plan_item``, its plan's id in
``span._.plan_id``) and the records in ``doc._.plan_records``.  Offsets are
traced back from each plan's cleaned text to ``doc.text`` through the
pipeline's offset maps.  Core modules never import spaCy; only this one does.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..api import extract_source
from ..output.record import to_record
from ..stages.read import read_text

for _cls, _name in ((Doc, "plan_records"), (Span, "plan_item"), (Span, "plan_id")):
    if not _cls.has_extension(_name):
        _cls.set_extension(_name, default=None)

KEYS = ("sections", "targets", "deadlines")


class PlanExtractComponent:
    def __init__(self, nlp: Language, name: str, rules_only: bool = False):
        self.name = name
        self.rules_only = rules_only

    def __call__(self, doc: Doc) -> Doc:
        source = read_text(doc.text, path=f"<spacy:{self.name}>")
        spans = {key: [] for key in KEYS}
        records = []
        for ex in extract_source(source, models=False if self.rules_only else None):
            record = to_record(ex)
            records.append(record)
            for key in KEYS:
                for item in record[key]:
                    start, end = ex.source_span(item["start"], item["end"])
                    span = doc.char_span(start, end, label=_label(key, item), alignment_mode="expand")
                    if span is None:
                        continue
                    span._.plan_item = item
                    span._.plan_id = record["id"]
                    spans[key].append(span)
        for key in KEYS:
            doc.spans[key] = spans[key]
        doc._.plan_records = records
        return doc


def _label(key: str, item: dict) -> str:
    if key == "sections":
        return f"L{item['level']} {item['style']}"
    if key == "targets":
        return f"{item['comparator']} {item['value'] if item['value'] is not None else 'xx'}{item['unit'] or ''}"
    return item["kind"]


@Language.factory("plan_extract", default_config={"rules_only": False})
def make_component(nlp: Language, name: str, rules_only: bool) -> PlanExtractComponent:
    return PlanExtractComponent(nlp, name, rules_only)
