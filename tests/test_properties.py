"""Generated forms that cannot be tuned to: random numbers written in every
numeral system plans use, random dates in every date form, random
recurrences, each read back by the grammar to the value it was made from.

CI runs a bounded number of examples; a local run takes more:

    PLAN_EXTRACT_EXAMPLES=100000 python -m pytest tests/test_properties.py -q
"""

import calendar
import os

import cn2an
import opencc
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phrases import extract_phrase
from plan_extract.rules import load_rules
from plan_extract.text.numerals import to_number
from plan_extract.text.script import make_view

RULES = load_rules()
NUMBER = regex.compile(RULES.get("shared", "patterns", "number"))
S2T = opencc.OpenCC("s2t")
EXAMPLES = int(os.environ.get("PLAN_EXTRACT_EXAMPLES", "300"))
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

# integers from 0 to 10^12, with runs of zeros inside (10006, 500000006) as often as not
integers = st.one_of(
    st.integers(0, 10 ** 12),
    st.builds(lambda high, low, k: high * 10 ** k + low, st.integers(1, 999), st.integers(0, 99), st.integers(3, 9)),
)


def written(n: int) -> list[str]:
    """``n`` as plans write it: Arabic, grouped, full-width, Chinese, formal,
    traditional, digits around a myriad."""
    forms = [str(n), f"{n:,}", str(n).translate(FULL_WIDTH), cn2an.an2cn(n, "low"), cn2an.an2cn(n, "up")]
    forms += [S2T.convert(forms[3]), S2T.convert(forms[4])]
    if n >= 10 ** 4 and (n % 10 ** 4) >= 1000 and n < 10 ** 8:
        forms.append(f"{n // 10 ** 4}万{n % 10 ** 4}")  # 2万5000
    return forms


def read(form: str):
    """The grammar's reading of ``form`` as the pipeline sees it (its view):
    the whole form must be one number."""
    view = make_view(form, rules=RULES)
    m = NUMBER.fullmatch(view)
    assert m, f"{form!r} ({view!r}) is not one number"
    return to_number(m.group())


@BOUNDED
@given(integers)
def test_every_written_integer_reads_back(n):
    for form in written(n):
        assert read(form) == n, form


@BOUNDED
@given(st.integers(0, 10 ** 6), st.integers(1, 99))
def test_decimals_read_back(whole, hundredths):
    x = whole + hundredths / 100
    for form in (f"{x:.2f}", cn2an.an2cn(f"{x:.2f}", "low")):
        assert abs(read(form) - x) < 1e-6, form


@BOUNDED
@given(st.integers(10, 100))
def test_a_percentage_a_pdf_spaced_reads_back(n):
    """9 8 %: the digits a PDF text layer spaced, before a percent sign."""
    targets, _ = extract_phrase(f"门诊病历甲级率达到{' '.join(str(n))} %", 2026)
    assert [(t["value"], t["unit"]) for t in targets] == [(n, "%")]


@BOUNDED
@given(st.integers(1, 99), st.sampled_from(["百分之", "千分之"]))
def test_a_fraction_word_gives_value_and_unit(n, word):
    unit = {"百分之": "%", "千分之": "‰"}[word]
    for form in (f"{word}{n}", f"{word}{cn2an.an2cn(n, 'low')}"):
        targets, _ = extract_phrase(f"药品收入占比控制在{form}以内", 2026)
        assert [(t["value"], t["unit"]) for t in targets] == [(n, unit)], form


# dates from 2000 to 2099; the plan year is the date's own, so a form without
# a year (3月8号前) gets it from the plan
dates = st.integers(2000, 2099).flatmap(
    lambda y: st.integers(1, 12).flatmap(
        lambda m: st.tuples(st.just(y), st.just(m), st.integers(1, calendar.monthrange(y, m)[1]))))


def date_forms(y: int, m: int, d: int) -> list[str]:
    cn = lambda n: cn2an.an2cn(n, "low")  # noqa: E731
    cn_year = "".join("〇一二三四五六七八九"[int(ch)] for ch in str(y))
    return [f"{y}年{m}月{d}日前", f"{y}-{m:02d}-{d:02d}前", f"{y}/{m}/{d}前", f"{y}.{m}.{d}前",
            f"{m}月{d}号前", f"{cn_year}年{cn(m)}月{cn(d)}日前", f"{y % 100:02d}年{m}月{d}日前",
            f"民国{y - 1911}年{m}月{d}日前"]


@BOUNDED
@given(dates)
def test_every_written_date_reads_back(date):
    y, m, d = date
    for form in date_forms(y, m, d):
        if form.startswith(("0", "民国")) and not (y % 100 >= 10 and y - 1911 >= 100):
            continue  # a two-digit year reads as 20nn only from 10 on; ROC years of three digits only
        _, deadlines = extract_phrase(f"{form}完成全院设备巡检。", y)
        assert [(x["kind"], x["value"]) for x in deadlines] == [("by", f"{y:04d}-{m:02d}-{d:02d}")], form


@BOUNDED
@given(st.integers(2, 9), st.sampled_from([("天", "DAILY"), ("周", "WEEKLY"), ("月", "MONTHLY"), ("年", "YEARLY")]),
       st.booleans())
def test_a_recurrence_reads_back_as_its_rrule(n, period, chinese):
    word, freq = period
    count = cn2an.an2cn(n, "low") if chinese else str(n)
    _, deadlines = extract_phrase(f"每{count}{'个' if word == '月' else ''}{word}开展一次安全检查。", 2026)
    assert [x["recurrence"] for x in deadlines] == [f"FREQ={freq};INTERVAL={n}"]
