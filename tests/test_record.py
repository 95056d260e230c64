"""The record layout is written once (output/record.py): records, their parts
and the JSON Schema all follow its key tuples, in that order."""

from conftest import RAW, assert_valid_records

from plan_extract import extract_file
from plan_extract.output.record import (BASELINE_KEYS, DEADLINE_KEYS, RECORD_KEYS, SECTION_KEYS, SOURCE_KEYS,
                                        TARGET_KEYS)
from plan_extract.output.schema import record_schema


def test_records_follow_the_key_tuples_in_order():
    records = [r for f in sorted(RAW.iterdir()) for r in extract_file(f)]
    assert_valid_records(records)
    baselines = 0
    for r in records:
        assert tuple(r) == RECORD_KEYS and tuple(r["source"]) == SOURCE_KEYS
        assert all(tuple(s) == SECTION_KEYS for s in r["sections"])
        assert all(tuple(d) == DEADLINE_KEYS for d in r["deadlines"])
        for t in r["targets"]:
            assert tuple(t) == TARGET_KEYS
            if t["baseline"]:
                baselines += 1
                assert tuple(t["baseline"]) == BASELINE_KEYS
    assert baselines >= 1


def test_the_schema_requires_exactly_the_record_keys():
    schema = record_schema()
    props = schema["properties"]
    assert schema["required"] == list(RECORD_KEYS) == list(props)
    assert props["source"]["required"] == list(SOURCE_KEYS) == list(props["source"]["properties"])
    for key, keys in (("sections", SECTION_KEYS), ("targets", TARGET_KEYS), ("deadlines", DEADLINE_KEYS)):
        items = props[key]["items"]
        assert items["required"] == list(keys) and set(items["properties"]) == set(keys)
