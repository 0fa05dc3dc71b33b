"""统一社会信用代码 (GB 32100-2015), 居民身份证号码 (GB 11643-1999), passports, masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import (
    USCC_ALPHABET,
    codes_match,
    fold_code,
    mask_identifier,
    mask_name,
    organisation_code_check_character,
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)

# Codes published by the enterprises themselves (site footers, licences). Each one is
# checked against python-stdnum below, so a typo here cannot pass unnoticed. The last two
# have letters after H in their organisation code, which GB 11714 values over the full
# Latin alphabet (J = 19 … Y = 34).
PUBLISHED_USCC = [
    "914403001922038216",  # 华为技术有限公司
    "91110000600037341L",  # the example in python-stdnum's documentation
    "91440300MA5H0HLK5U",
    "91133100MA0D8N1J7G",
]


def id_number(body17: str) -> str:
    """A 居民身份证号码 with its check character (stdnum wants a placeholder check)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def with_uscc_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def refusal(validator, value: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validator(value)
    return caught.value


# --- 统一社会信用代码 -------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_published_codes_are_valid(code):
    assert uscc.is_valid(code)  # the fixture itself is right
    assert validate_uscc(code) == code


def test_uscc_is_normalised():
    assert validate_uscc(" 9144 0300-1922 038216 ") == "914403001922038216"
    assert validate_uscc("91110000600037341l") == "91110000600037341L"


def test_uscc_typed_in_full_width_is_accepted():
    assert validate_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_uscc_empty(value):
    error = refusal(validate_uscc, value)
    assert error.message == "统一社会信用代码不能为空"
    assert error.fields == {"uscc": ["统一社会信用代码不能为空"]}


@pytest.mark.parametrize(
    ("value", "length"), [("91440300192203821", 17), ("9144030019220382160", 19)]
)
def test_uscc_wrong_length(value, length):
    error = refusal(validate_uscc, value)
    assert error.code == "uscc_length"
    assert error.message == f"统一社会信用代码应为18位，现为{length}位"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("9144030019220382I6", "I"),
        ("914403001922O38216", "O"),
        ("91440300Z922038216", "Z"),
        ("91440300S922038216", "S"),
        ("91440300V922038216", "V"),
        ("91440300IO22038Z16", "I、O、Z"),
    ],
)
def test_uscc_forbidden_letters_are_named(value, named):
    error = refusal(validate_uscc, value)
    assert error.code == "uscc_alphabet"
    assert error.message == (
        f"统一社会信用代码含有不允许的字符：{named}（只用数字和除 I、O、Z、S、V 以外的大写字母）"
    )


def test_uscc_bad_check_character():
    error = refusal(validate_uscc, "914403001922038217")
    assert error.code == "uscc_checksum"
    assert error.message == "统一社会信用代码校验位错误"
    assert error.fields == {"uscc": ["统一社会信用代码校验位错误"]}


def test_uscc_bad_organisation_code_check():
    # given Huawei's code with the organisation code's own check changed from 1 to 2,
    # and the final check recomputed so that only GB 11714's check fails
    code = with_uscc_check("91440300192203822")
    assert uscc.is_valid(code)
    # then
    error = refusal(validate_uscc, code)
    assert error.code == "uscc_organisation_code"
    assert error.message == "统一社会信用代码第9至17位的组织机构代码校验位错误"


@pytest.mark.parametrize("body", ["A1110000600037341", "9111000A600037341", "9A110000600037341"])
def test_uscc_first_eight_must_be_digits(body):
    error = refusal(validate_uscc, with_uscc_check(body))
    assert error.code == "uscc_format"
    assert "第1至8位" in error.message


def test_uscc_names_the_callers_field():
    error = refusal(lambda v: validate_uscc(v, field="organ_uscc"), "123")
    assert list(error.fields) == ["organ_uscc"]


def test_organisation_code_check_values_letters_over_the_full_alphabet():
    # MA5H0HLK → 5 and MA0D8N1J → 7 (published codes above); the USCC alphabet, which
    # skips I and O, would give 3 and 9.
    assert organisation_code_check_character("MA5H0HLK") == "5"
    assert organisation_code_check_character("MA0D8N1J") == "7"
    assert organisation_code_check_character("19220382") == "1"
    assert organisation_code_check_character("60003734") == "1"


uscc_body = st.tuples(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(uscc_body)
def test_property_computed_check_passes_iff_organisation_code_holds(body):
    code = with_uscc_check(body)
    organisation_code_holds = organisation_code_check_character(body[8:16]) == body[16]
    try:
        validate_uscc(code)
    except ValidationFailed as error:
        assert not organisation_code_holds
        assert error.code == "uscc_organisation_code"
    else:
        assert organisation_code_holds


@given(st.tuples(uscc_body, st.sampled_from(USCC_ALPHABET)))
def test_property_wrong_check_character_is_always_refused(args):
    body, check = args
    if check == uscc.calc_check_digit(body):
        return
    assert refusal(validate_uscc, body + check).code == "uscc_checksum"


# --- 居民身份证号码 ---------------------------------------------------------------


def test_id_number_valid():
    number = id_number("11010519491231002")
    assert number == "11010519491231002X"
    assert validate_id_number(number) == number
    assert validate_id_number(number.lower()) == number
    assert validate_id_number("32010219900307451X") == "32010219900307451X"


def test_id_number_typed_in_full_width_is_accepted():
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert validate_id_number(full_width) == "11010519491231002X"


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002X1"])
def test_id_number_wrong_length(value):
    error = refusal(validate_id_number, value)
    assert error.code == "id_number_length"
    assert error.message == f"居民身份证号码应为18位，现为{len(value)}位"
    assert list(error.fields) == ["id_number"]


@pytest.mark.parametrize(
    "value",
    ["X1010519491231002X", "11010519491231002Y", "1101051949123100٣1", "110105-9491231002X"],
)
def test_id_number_bad_format(value):
    error = refusal(validate_id_number, value)
    assert error.code == "id_number_format"
    assert error.message == "居民身份证号码前17位应为数字，最后一位为数字或 X"


def test_id_number_bad_checksum():
    error = refusal(validate_id_number, "110105194912310021")
    assert error.code == "id_number_checksum"
    assert error.message == "居民身份证号码校验位错误"
    assert error.fields == {"id_number": ["居民身份证号码校验位错误"]}


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000"])
def test_id_number_invalid_birth_date(birth):
    error = refusal(validate_id_number, id_number(f"110105{birth}002"))
    assert error.code == "id_number_component"
    assert "出生日期" in error.message


@pytest.mark.parametrize("address", ["999999", "000000", "110001"])
def test_id_number_unknown_address_code(address):
    error = refusal(validate_id_number, id_number(f"{address}19900307451"))
    assert error.code == "id_number_component"
    assert "地址码" in error.message


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_property_computed_id_check_never_fails_as_checksum(body):
    try:
        validate_id_number(id_number(body))
    except ValidationFailed as error:
        assert error.code == "id_number_component"  # the date or the place, never the check


# --- passports -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("C4J7R9K2L", "C4J7R9K2L"),
        (" e1234 5678 ", "E12345678"),
        ("Ｇ１２３４５６７８", "G12345678"),
    ],
)
def test_passport_valid(value, expected):
    assert validate_passport_number(value) == expected


@pytest.mark.parametrize("value", ["AB12", "E1234-5678", "护照123456", "A" * 21])
def test_passport_bad_format(value):
    error = refusal(validate_passport_number, value)
    assert error.code == "passport_format"
    assert error.message == "护照号码应为5至20位字母或数字"
    assert list(error.fields) == ["passport_number"]


def test_passport_empty():
    assert refusal(validate_passport_number, "").message == "护照号码不能为空"


# --- masking ---------------------------------------------------------------------


def test_mask_id_number_keeps_first_and_last_four():
    assert mask_identifier("320102199003071234") == "3201**********1234"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("", ""),
        ("A", "*"),
        ("ABCD", "****"),
        ("ABCDE", "AB*DE"),
        ("C4J7R9K2L", "C4*****2L"),
        ("ABCDEFGHIJK", "AB*******JK"),
        ("ABCDEFGHIJKL", "ABCD****IJKL"),
    ],
)
def test_mask_short_values(value, masked):
    assert mask_identifier(value) == masked


@given(st.text(max_size=40))
def test_property_mask_keeps_length_and_hides_the_middle(value):
    masked = mask_identifier(value)
    assert len(masked) == len(value)
    keep = 4 if len(value) >= 12 else 2
    if len(value) > 2 * keep:
        assert masked[:keep] == value[:keep]
        assert masked[-keep:] == value[-keep:]
        assert set(masked[keep:-keep]) == {"*"}
    else:
        assert set(masked) <= {"*"}


# -- codes people type, names on public pages ---------------------------------------------------


def test_fold_code_takes_full_width_lower_case_and_blanks():
    assert fold_code(" ａｂ１２　Ｃ ") == "AB12C"
    assert fold_code("😀é") == "😀É"
    assert fold_code("") == ""


@pytest.mark.parametrize(
    ("expected", "given", "match"),
    [
        ("AB12CD34", "AB12CD34", True),
        ("AB12CD34", "AB12CD35", False),
        ("AB12CD34", "", False),
        ("", "", False),
        ("AB12CD34", "Ａ", False),  # str with non-ASCII characters: compared as bytes
        ("AB12CD34", "😀" * 8, False),
        ("AB12CD34", "\ud800", False),  # a lone surrogate (JSON allows one)
    ],
)
def test_codes_match_compares_any_text_without_failing(expected, given, match):
    assert codes_match(expected, given) is match


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小明", "欧**明"),
        ("John Smith", "J*** S****"),
        ("Anna", "A***"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked
