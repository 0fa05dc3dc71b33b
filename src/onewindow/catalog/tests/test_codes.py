"""Item codes (GLOSSARY.md, "Identifiers"): the basic code and the implementation code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.catalog.codes import validate_basic_code, validate_item_codes
from onewindow.catalog.constants import ItemType
from onewindow.catalog.tests.factories import uscc_for
from onewindow.core.errors import ValidationFailed

ORGAN = uscc_for(1)
OTHER_ORGAN = uscc_for(2)
BASIC = "320100123000"  # region 32, type 01 行政许可, main item 00123, sub-item 000


def refused(**arguments) -> dict[str, list[str]]:
    arguments = {"implementation_code": f"{ORGAN}4{BASIC}", "basic_code": BASIC} | arguments
    with pytest.raises(ValidationFailed) as caught:
        validate_item_codes(**arguments)
    assert caught.value.message == next(iter(caught.value.fields.values()))[0]
    return caught.value.fields


def test_generated_uscc_is_valid():
    from onewindow.core.identifiers import validate_uscc

    assert validate_uscc(ORGAN) == ORGAN and ORGAN.startswith("11320192")


def test_valid_codes_are_normalised():
    code, basic = validate_item_codes(
        implementation_code=f" {ORGAN.lower()}4{BASIC} ",
        basic_code=f" {BASIC}",
        item_type="01",
        organ_uscc=ORGAN,
    )

    assert (code, basic) == (f"{ORGAN}4{BASIC}", BASIC)


@pytest.mark.parametrize("item_type", ItemType.values)
def test_every_type_on_application_is_accepted(item_type):
    basic = f"32{item_type}00001000"

    assert validate_basic_code(basic, item_type=item_type) == basic


@pytest.mark.parametrize("level", "12345")
def test_every_level_digit(level):
    validate_item_codes(implementation_code=f"{ORGAN}{level}{BASIC}", basic_code=BASIC)


@pytest.mark.parametrize("value", ["32010012300", "3201001230000", "32010012300A", ""])
def test_basic_code_is_twelve_digits(value):
    assert refused(basic_code=value) == {"basic_code": [f"基本编码应为12位数字，收到“{value}”"]}


def test_basic_code_type_must_be_national():
    assert refused(basic_code="320000123000") == {
        "basic_code": ["基本编码第3至4位“00”不是国家规定的事项类型代码"]
    }


@pytest.mark.parametrize("type_code", ["02", "03", "04", "06"])
def test_basic_code_type_must_be_on_application(type_code):
    assert refused(basic_code=f"32{type_code}00123000") == {
        "basic_code": [
            f"基本编码第3至4位“{type_code}”不是依申请事项的类型"
            "（应为 01、05、07、08、09、10 或 20）"
        ]
    }


def test_basic_code_type_matches_the_item_type():
    assert refused(item_type="20") == {
        "basic_code": ["基本编码第3至4位“01”与事项类型“公共服务”（20）不一致"]
    }


def test_unknown_item_type_is_named_not_crashed_on():
    assert refused(item_type="02") == {
        "basic_code": ["基本编码第3至4位“01”与事项类型“02”（02）不一致"]
    }


@pytest.mark.parametrize("code", [f"{ORGAN}4{BASIC}0", f"{ORGAN}{BASIC}", ""])
def test_implementation_code_is_31_characters(code):
    assert refused(implementation_code=code) == {
        "implementation_code": [f"实施编码应为31位，现为{len(code)}位"]
    }


def test_implementation_code_starts_with_a_valid_uscc():
    broken = ORGAN[:17] + ("0" if ORGAN[17] != "0" else "1")

    assert refused(implementation_code=f"{broken}4{BASIC}") == {
        "implementation_code": [
            "实施编码前18位应为实施机关的统一社会信用代码：统一社会信用代码校验位错误"
        ]
    }


def test_implementation_code_alphabet():
    bad = "I" + ORGAN[1:]

    [message] = refused(implementation_code=f"{bad}4{BASIC}")["implementation_code"]
    assert message.startswith(
        "实施编码前18位应为实施机关的统一社会信用代码：统一社会信用代码含有不允许的字符：I"
    )


def test_implementation_code_is_the_organs():
    assert refused(organ_uscc=OTHER_ORGAN) == {
        "implementation_code": [
            f"实施编码前18位“{ORGAN}”不是实施机关的统一社会信用代码“{OTHER_ORGAN}”"
        ]
    }


@pytest.mark.parametrize("level", ["0", "6", "A"])
def test_level_digit(level):
    assert refused(implementation_code=f"{ORGAN}{level}{BASIC}") == {
        "implementation_code": ["实施编码第19位（实施层级）应为 1 至 5 的数字"]
    }


def test_implementation_code_ends_with_the_basic_code():
    assert refused(implementation_code=f"{ORGAN}4320100123001") == {
        "implementation_code": ["实施编码后12位应与基本编码“320100123000”一致"]
    }


@given(
    serial=st.integers(min_value=0, max_value=999_999),
    item_type=st.sampled_from(ItemType.values),
    main=st.integers(min_value=0, max_value=99_999),
    sub=st.integers(min_value=0, max_value=999),
    level=st.sampled_from("12345"),
)
def test_well_formed_codes_always_pass(serial, item_type, main, sub, level):
    organ = uscc_for(serial)
    basic = f"32{item_type}{main:05d}{sub:03d}"

    assert validate_item_codes(
        implementation_code=f"{organ}{level}{basic}",
        basic_code=basic,
        item_type=item_type,
        organ_uscc=organ,
    ) == (f"{organ}{level}{basic}", basic)
