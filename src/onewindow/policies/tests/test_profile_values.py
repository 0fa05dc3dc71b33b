"""Each fact kind: what is accepted, how it is stored, read and shown, and what is refused."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.core.errors import ValidationFailed
from onewindow.policies.profile_values import decode, display, encode


@pytest.mark.parametrize(
    ("name", "given", "stored"),
    [
        ("employees", 350, 350),
        ("employees", "1,500", 1500),
        ("employees", "１５００", 1500),  # full-width
        ("employees", "350.0", 350),
        ("revenue", "1500", "1500"),
        ("revenue", 1500, "1500"),
        ("revenue", Decimal("1500.50"), "1500.5"),
        ("revenue", 12.25, "12.25"),
        ("revenue", "０", "0"),
        ("rd_share", "0.046", "0.046"),
        ("rd_share", "4.6%", "0.046"),
        ("rd_share", "4.6％", "0.046"),
        ("rd_share", 1, "1"),
        ("registered_on", dt.date(2020, 5, 1), "2020-05-01"),
        ("registered_on", dt.datetime(2020, 5, 1, 10, 0), "2020-05-01"),
        ("registered_on", "2020/5/1", "2020-05-01"),
        ("registered_on", "2020年5月1日", "2020-05-01"),
        ("industry_code", "3919", {"code": "C3919", "edition": "GB/T 4754-2017"}),
        ("industry_code", "ｃ３９１９", {"code": "C3919", "edition": "GB/T 4754-2017"}),
        ("tax_credit_grade", "a", "A"),
        ("credit_status", "严重失信", "serious_bad"),
        ("credit_status", "normal", "normal"),
        ("owns_core_ip", True, True),
        ("owns_core_ip", "是", True),
        ("owns_core_ip", "否", False),
        ("owns_core_ip", "0", False),
        ("tags", ["总部企业", "总部企业", " 上市企业 "], ["总部企业", "上市企业"]),
        ("tags", "总部企业、上市企业，瞪羚企业", ["总部企业", "上市企业", "瞪羚企业"]),
        (
            "qualifications",
            [
                {
                    "code": "high_tech",
                    "number": "GR202332000123",
                    "valid_from": "2023-11-06",
                    "valid_until": "2026-11-05",
                }
            ],
            [
                {
                    "code": "high_tech",
                    "number": "GR202332000123",
                    "valid_from": "2023-11-06",
                    "valid_until": "2026-11-05",
                }
            ],
        ),
        (
            "qualifications",
            "高新技术企业|GR202332000123|2023/11/6|2026/11/5；科技型中小企业|2024-001|2024-01-01",
            [
                {
                    "code": "high_tech",
                    "number": "GR202332000123",
                    "valid_from": "2023-11-06",
                    "valid_until": "2026-11-05",
                },
                {
                    "code": "tech_sme",
                    "number": "2024-001",
                    "valid_from": "2024-01-01",
                    "valid_until": None,
                },
            ],
        ),
    ],
)
def test_accepted_values_and_their_stored_form(name, given, stored):
    assert encode(name, given) == stored


@pytest.mark.parametrize(
    ("name", "given", "words"),
    [
        ("employees", "三百", "从业人员：“三百”不是数字"),
        ("employees", -1, "从业人员：应在 0 至"),
        ("employees", "3.5", "从业人员：应为整数"),
        ("employees", True, "从业人员：应为数字"),
        ("employees", "", "从业人员：不能为空"),
        ("revenue", "-5", "上年度营业收入：不能为负数"),
        ("revenue", "NaN", "上年度营业收入：应为数字"),
        ("revenue", "1.1234567", "上年度营业收入：小数不能超过 6 位"),
        ("revenue", "1e20", "上年度营业收入：数额过大"),
        ("rd_share", "46", "比例应在 0 至 1 之间"),
        ("rd_share", "120%", "比例应在 0 至 1 之间"),
        ("registered_on", "2020-02-30", "成立日期：“2020-02-30”不是有效日期"),
        ("registered_on", "去年", "成立日期：“去年”不是有效日期"),
        ("industry_code", "C65", "国民经济行业代码“C65”不对"),
        ("industry_code", ["C39"], "国民经济行业代码：应为行业代码"),
        ("tax_credit_grade", "E", "纳税信用等级：“E”不在可选值"),
        ("credit_status", "良好", "信用状况：“良好”不在可选值"),
        ("owns_core_ip", "也许", "拥有核心自主知识产权：应为“是”或“否”"),
        ("qualifications", [{"code": "nobel"}], "资质“nobel”不在可选值"),
        ("qualifications", [{"code": "high_tech", "valid_from": "2023-01-01"}], "缺少证书编号"),
        ("qualifications", [{"code": "high_tech", "number": "1"}], "第 1 项的有效期起"),
        (
            "qualifications",
            [
                {
                    "code": "high_tech",
                    "number": "1",
                    "valid_from": "2023-01-01",
                    "valid_until": "2022-01-01",
                }
            ],
            "有效期止早于有效期起",
        ),
        ("qualifications", [{"code": "high_tech", "x": 1}], "多余的字段：x"),
        ("qualifications", {"code": "high_tech"}, "应为资质列表"),
        ("tags", [1], "每个标签应为文字"),
        ("tags", ["长" * 41], "超过 40 字"),
        ("size_class", "small", "企业规模：由其他事实推算得出"),
        ("no_such_fact", "1", "没有名为“no_such_fact”的企业档案事实"),
    ],
)
def test_refused_values_name_the_fact_in_chinese(name, given, words):
    with pytest.raises(ValidationFailed) as caught:
        encode(name, given)
    assert words in caught.value.message
    assert list(caught.value.fields) == [name]


def test_park_codes_of_the_zone():
    assert encode("park", "sip-a", park_codes={"SIP-A"}) == "SIP-A"
    with pytest.raises(ValidationFailed) as caught:
        encode("park", "OTHER", park_codes={"SIP-A"})
    assert "所在园区：园区代码“OTHER”不是本区的园区" in caught.value.message


def test_decode_gives_the_rule_engines_types():
    assert decode("employees", 350) == 350
    assert decode("revenue", "1500.5") == Decimal("1500.5")
    assert decode("rd_share", "0.046") == Decimal("0.046")
    assert decode("registered_on", "2020-05-01") == dt.date(2020, 5, 1)
    assert decode("industry_code", {"code": "C3919", "edition": "GB/T 4754-2017"}) == "C3919"
    assert decode("tags", ["总部企业"]) == ["总部企业"]
    assert decode("owns_core_ip", False) is False
    assert decode("revenue", None) is None


def test_display():
    assert display("employees", 1500) == "1,500 人"
    assert display("revenue", "1500.5") == "1,500.5 万元"
    assert display("rd_share", "0.046") == "4.6%"
    assert display("industry_code", {"code": "C3919", "edition": "GB/T 4754-2017"}) == (
        "C3919 计算机、通信和其他电子设备制造业（GB/T 4754-2017）"
    )
    assert display("size_class", "small") == "小型"
    assert display("owns_core_ip", True) == "是"
    assert display("tags", ["a", "b"]) == "a、b"
    assert (
        display(
            "qualifications",
            [
                {
                    "code": "high_tech",
                    "number": "GR1",
                    "valid_from": "2023-01-01",
                    "valid_until": None,
                }
            ],
        )
        == "高新技术企业（GR1，2023-01-01 至 长期）"
    )
