from decimal import Decimal

import pytest

from onewindow.policies.facts import SizeClass
from onewindow.policies.sizes import derive_size_class, sector_of, sectors

L, M, S, XS = SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL, SizeClass.MICRO


def test_the_sixteen_sectors_of_the_document():
    assert [sector.name for sector in sectors()] == [
        "农林牧渔业",
        "工业",
        "建筑业",
        "批发业",
        "零售业",
        "交通运输业",
        "仓储业",
        "邮政业",
        "住宿业",
        "餐饮业",
        "信息传输业",
        "软件和信息技术服务业",
        "房地产开发经营",
        "物业管理",
        "租赁和商务服务业",
        "其他未列明行业",
    ]
    for sector in sectors():
        for bounds in sector.bounds.values():
            # a larger class has a higher lower bound
            assert bounds[L] > bounds[M] > bounds[S] > 0


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("A0111", "农林牧渔业"),
        ("A05", "其他未列明行业"),
        ("B0610", "工业"),
        ("B11", "其他未列明行业"),
        ("C3919", "工业"),
        ("3919", "工业"),
        ("C43", "其他未列明行业"),
        ("D4411", "工业"),
        ("E4710", "建筑业"),
        ("F5123", "批发业"),
        ("F5211", "零售业"),
        ("G5411", "交通运输业"),
        ("G5910", "交通运输业"),
        ("G5920", "仓储业"),
        ("G6010", "邮政业"),
        ("H6110", "住宿业"),
        ("H6210", "餐饮业"),
        ("I6311", "信息传输业"),
        ("I6421", "信息传输业"),
        ("I6513", "软件和信息技术服务业"),
        ("K7010", "房地产开发经营"),
        ("K7020", "物业管理"),
        ("K7030", "其他未列明行业"),
        ("L7211", "租赁和商务服务业"),
        ("M7320", "其他未列明行业"),
        ("M", "其他未列明行业"),
        ("Q8510", "其他未列明行业"),
        ("R8810", "其他未列明行业"),
    ],
)
def test_sector_of(code, sector):
    assert sector_of(code).name == sector


@pytest.mark.parametrize(
    "code",
    [None, "", "C", "G59", "K70", "K7040", "J6620", "P8310", "Q8411", "S92", "T97", "C65", "X"],
)
def test_no_sector_when_not_covered_too_coarse_or_invalid(code):
    assert sector_of(code) is None
    assert derive_size_class(code, 5, "10", "10") is None


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets", "size"),
    [
        # the examples
        ("C3919", 350, "1500", None, S),
        ("I6513", 8, "3000", None, XS),
        ("C3919", 1000, "40000", None, L),
        # 工业: edges of each bound (1000/40000, 300/2000, 20/300)
        ("C3919", 999, "40000", None, M),
        ("C3919", 1000, "39999.99", None, M),
        ("C3919", 300, "2000", None, M),
        ("C3919", 299, "2000", None, S),
        ("C3919", 300, "1999.99", None, S),
        ("C3919", 20, "300", None, S),
        ("C3919", 19, "300", None, XS),
        ("C3919", 20, "299.99", None, XS),
        ("C3919", 5000, "100", None, XS),  # 微型: one measure is enough
        # 软件和信息技术服务业 (300/10000, 100/1000, 10/50)
        ("I6513", 300, "10000", None, L),
        ("I6513", 299, "10000", None, M),
        ("I6513", 100, "1000", None, M),
        ("I6513", 100, "999", None, S),
        ("I6513", 10, "50", None, S),
        ("I6513", 9, "50", None, XS),
        ("I6513", 10, "49.99", None, XS),
        # 农林牧渔业: revenue only (20000, 500, 50)
        ("A0111", None, "20000", None, L),
        ("A0111", None, "500", None, M),
        ("A0111", None, "499.99", None, S),
        ("A0111", None, "50", None, S),
        ("A0111", None, "49", None, XS),
        # 建筑业: revenue and assets (80000/80000, 6000/5000, 300/300)
        ("E4710", None, "80000", "80000", L),
        ("E4710", None, "80000", "79999", M),
        ("E4710", None, "6000", "5000", M),
        ("E4710", None, "6000", "4999", S),
        ("E4710", None, "300", "300", S),
        ("E4710", None, "300", "299", XS),
        # 批发业 (200/40000, 20/5000, 5/1000)
        ("F5123", 200, "40000", None, L),
        ("F5123", 20, "5000", None, M),
        ("F5123", 5, "1000", None, S),
        ("F5123", 4, "1000", None, XS),
        # 零售业 (300/20000, 50/500, 10/100)
        ("F5211", 300, "20000", None, L),
        ("F5211", 50, "500", None, M),
        ("F5211", 10, "100", None, S),
        ("F5211", 10, "99", None, XS),
        # 交通运输业 (1000/30000, 300/3000, 20/200), 仓储业 (200/30000, 100/1000, 20/100)
        ("G5411", 1000, "30000", None, L),
        ("G5411", 300, "2999", None, S),
        ("G5920", 200, "30000", None, L),
        ("G5920", 100, "1000", None, M),
        ("G5920", 19, "1000", None, XS),
        # 邮政业 (1000/30000, 300/2000, 20/100)
        ("G6010", 300, "2000", None, M),
        ("G6010", 20, "100", None, S),
        # 住宿业, 餐饮业 (300/10000, 100/2000, 10/100)
        ("H6110", 300, "10000", None, L),
        ("H6210", 100, "2000", None, M),
        ("H6210", 99, "2000", None, S),
        # 信息传输业 (2000/100000, 100/1000, 10/100)
        ("I6311", 2000, "100000", None, L),
        ("I6311", 1999, "100000", None, M),
        ("I6311", 10, "100", None, S),
        # 房地产开发经营: revenue and assets (200000/10000, 1000/5000, 100/2000)
        ("K7010", None, "200000", "10000", L),
        ("K7010", None, "1000", "5000", M),
        ("K7010", None, "100", "2000", S),
        ("K7010", None, "100", "1999", XS),
        # 物业管理 (1000/5000, 300/1000, 100/500)
        ("K7020", 1000, "5000", None, L),
        ("K7020", 300, "1000", None, M),
        ("K7020", 100, "500", None, S),
        ("K7020", 99, "500", None, XS),
        # 租赁和商务服务业: people and assets (300/120000, 100/8000, 10/100)
        ("L7211", 300, None, "120000", L),
        ("L7211", 100, None, "8000", M),
        ("L7211", 10, None, "100", S),
        ("L7211", 10, None, "99", XS),
        # 其他未列明行业: people only (300, 100, 10)
        ("M7320", 300, None, None, L),
        ("M7320", 100, None, None, M),
        ("M7320", 10, None, None, S),
        ("M7320", 9, None, None, XS),
    ],
)
def test_derive_size_class(code, employees, revenue, assets, size):
    assert derive_size_class(code, employees, revenue, assets) == size


def test_measures_a_sector_does_not_list_are_ignored():
    # 工业 does not list 资产总额; 其他未列明行业 lists only 从业人员
    assert derive_size_class("C3919", 350, "1500", "999999") == S
    assert derive_size_class("M7320", 300, "1", "1") == L


def test_values_may_be_decimal_int_or_string():
    assert derive_size_class("C3919", 350, Decimal("1500"), None) == S
    assert derive_size_class("C3919", 350, 1500, None) == S


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets"),
    [
        ("C3919", None, "1500", None),  # 工业 needs 从业人员
        ("C3919", 350, None, None),  # and 营业收入
        ("C3919", None, None, None),
        ("C3919", 5000, None, None),  # could be 大, 中, 小 or 微
        ("E4710", None, "90000", None),  # 建筑业 needs 资产总额
        ("A0111", 10, None, "10"),  # 农林牧渔业 needs 营业收入
    ],
)
def test_unknown_when_a_needed_fact_is_missing(code, employees, revenue, assets):
    assert derive_size_class(code, employees, revenue, assets) is None


def test_micro_is_certain_with_one_measure_below_the_small_bound():
    # 微型 needs one measure only: the missing one cannot change it
    assert derive_size_class("C3919", 19, None, None) == XS
    assert derive_size_class("C3919", None, "299", None) == XS
    assert derive_size_class("E4710", None, None, "100") == XS
