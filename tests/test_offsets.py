import random

from plan_extract.core.offsets import TextBuilder, identity


def _random_edit(old: str, rng: random.Random):
    """Keep, delete, replace or insert before runs of ``old`` at random."""
    tb = TextBuilder(old)
    pos = 0
    while pos < len(old):
        end = min(len(old), pos + rng.randint(1, 4))
        r = rng.random()
        if r < 0.5:
            tb.keep(pos, end)
        elif r < 0.7:
            tb.put(pos, end, "")
        elif r < 0.9:
            tb.put(pos, end, "#" * rng.randint(1, 3))
        else:
            tb.put(pos, pos, "#")
            tb.keep(pos, end)
        pos = end
    return tb.result()


def test_copied_characters_map_to_themselves():
    rng = random.Random(7)
    for _ in range(200):
        old = "".join(rng.choice("甲乙丙丁abc") for _ in range(rng.randint(0, 40)))
        new, m = _random_edit(old, rng)
        assert m.new_len == len(new) and m.old_len == len(old)
        for i, ch in enumerate(new):
            if ch != "#":
                a, b = m.span(i, i + 1)
                assert old[a:b] == ch


def test_composition_equals_stepwise_mapping():
    rng = random.Random(11)
    for _ in range(200):
        old = "".join(rng.choice("甲乙丙丁abc") for _ in range(rng.randint(0, 30)))
        mid, m1 = _random_edit(old, rng)
        new, m2 = _random_edit(mid, rng)
        both = m1.then(m2)
        for i, ch in enumerate(new):
            if ch == "#":
                continue
            a, b = both.span(i, i + 1)
            assert old[a:b] == ch
            assert (a, b) == m1.span(*m2.span(i, i + 1))


def test_replacement_maps_to_whole_source_run():
    tb = TextBuilder("ab&amp;cd")
    tb.keep(0, 2)
    tb.put(2, 7, "&")
    tb.keep(7, 9)
    new, m = tb.result()
    assert new == "ab&cd"
    assert m.span(2, 3) == (2, 7)
    assert m.span(0, 5) == (0, 9)


def test_identity():
    m = identity(5)
    assert m.span(1, 3) == (1, 3)
    assert identity(0).span(0, 0) == (0, 0)


def test_look_behind_and_ahead_are_bounded():
    """Issue 22: a sentence with no stop (a lost line break, a scraped run of
    comma-joined targets) is measured within a bounded window, so every
    candidate's look-behind costs the same however long the text is."""
    from plan_extract.stages.deadlines.find import DOSAGE_REACH, _dosage_clause
    from plan_extract.rules import load_rules
    from plan_extract.text.spans import SENTENCE_REACH, sentence_start

    view = "合格率100%，" * 2000
    pos = len(view) - 3
    assert sentence_start(view, pos) == pos - SENTENCE_REACH
    assert sentence_start("一、加强管理。合格率100%", 10) == 7
    rules = load_rules()
    far = "每月" + "检查" * DOSAGE_REACH + "每次1片"
    assert not _dosage_clause(far, 0, rules) and _dosage_clause("每月检查，每次1片", 0, rules)
