import codecs

import pytest

from plan_extract.core.errors import StageError
from plan_extract.stages.read import decode, read_file

SIMPLIFIED = ("2026年医务科将围绕医院质量强院的核心战略，以医疗质量安全为底线，以服务能力提升为重点，"
              "系统推进医疗管理精细化、规范化。一、加强医疗质量管理，门诊病历书写完整率达到98%以上。") * 3
TRADITIONAL = ("2026年本院將圍繞醫療質量與患者安全，進一步完善護理管理制度，加強專科護士培訓，"
               "提高危重患者搶救成功率。一、強化護理質量管理，護理文書書寫合格率達到95%以上。") * 3


@pytest.mark.parametrize("text,codec,name", [
    (SIMPLIFIED, "utf-8", "utf-8"),
    (SIMPLIFIED, "gb18030", "gb18030"),
    (SIMPLIFIED, "gbk", "gb18030"),
    (TRADITIONAL, "big5", "big5"),
    (TRADITIONAL, "utf-16", "utf-16"),
])
def test_decodes_common_encodings(text, codec, name):
    out, enc = decode(text.encode(codec))
    assert out == text
    assert enc == name


def test_utf8_bom_is_named_and_dropped():
    out, enc = decode(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    assert (out, enc) == (SIMPLIFIED, "utf-8-sig")


def test_gb18030_only_character_survives():
    text = SIMPLIFIED + "联系人：王䶮，地址：𠀾村卫生室。"
    out, enc = decode(text.encode("gb18030"))
    assert out == text and enc == "gb18030"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (bytes(range(256)) * 20, "binary"),
])
def test_bad_bytes_give_a_clear_error(data, reason):
    with pytest.raises(StageError) as info:
        decode(data)
    assert info.value.stage == "read"
    assert reason in info.value.reason


def test_unsupported_format_names_the_suffix(tmp_path):
    p = tmp_path / "plan.xyz"
    p.write_text("一、加强管理", encoding="utf-8")
    with pytest.raises(StageError, match="unsupported format '.xyz'"):
        read_file(p)


def test_a_big5_hkscs_file_keeps_hong_kongs_own_characters():
    """峯, 衞, 邨 are outside Big5: read as plain Big5 they turn into boxes."""
    text = "香港安老院舍2026-27年度服務計劃\n本院位於鰂泉邨泉峯樓，由衞生署巡查，院友跌倒事故率不高於0.5%。\n" * 3
    got, encoding = decode(text.encode("big5hkscs"))
    assert encoding == "big5" and got == text


def test_a_cp950_file_still_reads_as_big5():
    text = "臺灣醫院民國115年度工作計畫，門診服務人次達到54萬人次，病床佔床率85%以上。\n" * 3
    got, encoding = decode(text.encode("cp950"))
    assert encoding == "big5" and got == text
