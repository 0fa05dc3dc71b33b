import pytest

from onewindow.core.errors import ValidationFailed
from onewindow.policies import industry
from onewindow.policies.industry import (
    EDITION,
    is_under,
    normalise_industry_code,
    section_of,
    validate,
)


def test_the_data_has_20_sections_and_97_divisions_in_order():
    sections = industry.sections()
    divisions = industry.divisions()
    assert list(sections) == list("ABCDEFGHIJKLMNOPQRST")
    assert len(divisions) == 97
    assert list(divisions) == [f"{n:02d}" for n in range(1, 98)]
    # every 大类 lies in its 门类's range
    for division in divisions.values():
        section = sections[division.letter]
        assert section.first <= division.code <= section.last


@pytest.mark.parametrize(
    ("code", "letter", "name"),
    [
        ("01", "A", "农业"),
        ("06", "B", "煤炭开采和洗选业"),
        ("13", "C", "农副食品加工业"),
        ("39", "C", "计算机、通信和其他电子设备制造业"),
        ("43", "C", "金属制品、机械和设备修理业"),
        ("44", "D", "电力、热力生产和供应业"),
        ("51", "F", "批发业"),
        ("59", "G", "装卸搬运和仓储业"),
        ("65", "I", "软件和信息技术服务业"),
        ("70", "K", "房地产业"),
        ("85", "Q", "社会工作"),
        ("96", "S", "基层群众自治组织及其他组织"),
        ("97", "T", "国际组织"),
    ],
)
def test_divisions_belong_to_their_letters(code, letter, name):
    division = industry.divisions()[code]
    assert (division.letter, division.name) == (letter, name)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("C3919", "C3919"),
        (" c3919 ", "C3919"),
        ("Ｃ３９１９", "C3919"),  # full-width
        ("3919", "C3919"),  # the letter from the 大类
        ("65", "I65"),
        ("6513", "I6513"),
        ("i 65 13", "I6513"),
        ("k", "K"),
        ("9919", "9919"),  # no 大类 99: left for validate to refuse
        ("", ""),
    ],
)
def test_normalise(typed, stored):
    assert normalise_industry_code(typed) == stored


@pytest.mark.parametrize("code", ["A", "C", "C39", "C391", "C3919", "3919", "I6513", "T97", "t"])
def test_valid_codes(code):
    assert validate(code) == normalise_industry_code(code)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "不能为空"),
        ("C65", "大类 65（软件和信息技术服务业）属于门类 I，不属于门类 C"),
        ("I39", "属于门类 C，不属于门类 I"),
        ("U01", "门类“U”不存在"),
        ("C99", "大类“99”不存在"),
        ("9919", "格式不对"),
        ("C3", "格式不对"),
        ("C39191", "格式不对"),
        ("CC39", "格式不对"),
        ("C-39", "格式不对"),
    ],
)
def test_invalid_codes_name_the_field_in_chinese(code, words):
    with pytest.raises(ValidationFailed) as caught:
        validate(code)
    assert words in caught.value.message
    assert "国民经济行业代码" in caught.value.message
    assert list(caught.value.fields) == ["industry_code"]


def test_the_field_name_can_be_given():
    with pytest.raises(ValidationFailed) as caught:
        validate("C65", field="row_3", label="行业代码")
    assert list(caught.value.fields) == ["row_3"]
    assert caught.value.message.startswith("行业代码")


def test_section_of():
    assert section_of("C3919").name == "制造业"
    assert section_of("6513").letter == "I"
    assert section_of("K").name == "房地产业"
    assert industry.division_of("C3919").name == "计算机、通信和其他电子设备制造业"
    assert industry.division_of("C") is None


@pytest.mark.parametrize(
    ("code", "prefix", "under"),
    [
        ("C3919", "C", True),
        ("C3919", "C39", True),
        ("C3919", "C391", True),
        ("C3919", "C3919", True),
        ("C3919", "39", True),
        ("3919", "C", True),
        ("I6513", "C", False),
        ("I6513", "I65", True),
        ("C3919", "C38", False),
        ("C39", "C3919", False),
        ("C3919", "C392", False),
    ],
)
def test_is_under(code, prefix, under):
    assert is_under(code, prefix) is under


def test_stored_carries_the_edition():
    assert industry.stored("3919") == {"code": "C3919", "edition": EDITION}
    assert EDITION == "GB/T 4754-2017"
    assert industry.describe("C3919") == "C3919 计算机、通信和其他电子设备制造业"
    assert industry.describe("C") == "C 制造业"
