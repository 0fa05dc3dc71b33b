"""The catalog API (/api/v1/items, /items/{code}, /bundles, /bundles/{code}): public
reads, errors as ``{"message", "code", "fields"}`` naming the input, Chinese as UTF-8."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    MaterialSource,
    OnlineDepth,
)
from onewindow.catalog.services import item_draft, item_draft_update, item_publish
from onewindow.catalog.tests.factories import make_bundle, make_certificate_type, make_item
from onewindow.org.models import Zone

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/items"
ITEM = "/api/v1/items/{}"
BUNDLES = "/api/v1/bundles"
BUNDLE = "/api/v1/bundles/{}"


def error_body(response, status: int, code: str, field: str | None) -> dict:
    """The error shape, with ``field`` (when given) the only one named in ``fields``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert list(body["fields"]) == [field]
    return body


@pytest.fixture
def catalog(zone, department, other_department):
    """Six published items, one draft, in two departments."""
    versions = {
        name: make_item(zone, department, name=name)
        for name in ["食品经营许可", "食品经营许可变更", "小餐饮食品经营许可", "药品经营许可"]
    }
    versions["建筑工程施工许可"] = make_item(
        zone,
        other_department,
        name="建筑工程施工许可",
        required_visits=0,
        online_depth=OnlineDepth.FULLY_ONLINE,
    )
    versions["竣工验收备案"] = make_item(
        zone,
        other_department,
        name="竣工验收备案",
        item_type="10",
        handling_kind=HandlingKind.IMMEDIATE,
    )
    make_item(zone, department, name="食品经营许可（草稿）", publish=False)
    return versions


def result_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# -- GET /items ---------------------------------------------------------------------------


def test_item_list(client, catalog, department):
    response = client.get(ITEMS, {"q": "食品经营许可"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 20)
    version = catalog["食品经营许可"]
    assert body["results"][0] == {
        "implementation_code": version.item.implementation_code,
        "basic_code": version.item.basic_code,
        "name": "食品经营许可",
        "item_type": "01",
        "item_type_label": "行政许可",
        "department": {"code": "SCJG", "name": "市场监督管理局"},
        "promised_limit_days": 5,
        "legal_limit_days": 20,
        "handling_kind": "promised",
        "required_visits": 1,
        "online_depth": "3",
        "version": 1,
    }
    assert result_names(response) == ["食品经营许可", "食品经营许可变更", "小餐饮食品经营许可"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("spjy", ["食品经营许可", "食品经营许可变更", "小餐饮食品经营许可"]),
        ("shipin", ["食品经营许可", "食品经营许可变更", "小餐饮食品经营许可"]),
        ("施工", ["建筑工程施工许可"]),
        ("外国人", []),
    ],
)
def test_item_list_search(client, catalog, query, expected):
    assert result_names(client.get(ITEMS, {"q": query})) == expected


def test_item_list_without_a_query_lists_every_published_item(client, catalog):
    body = client.get(ITEMS).json()
    assert body["count"] == 6
    assert "食品经营许可（草稿）" not in [row["name"] for row in body["results"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "ZJJ"}, ["建筑工程施工许可", "竣工验收备案"]),
        ({"department": "zjj", "q": "许可"}, ["建筑工程施工许可"]),
        ({"item_type": "10"}, ["竣工验收备案"]),
        ({"fully_online": "true"}, ["建筑工程施工许可"]),
        ({"immediate": "true"}, ["竣工验收备案"]),
        ({"immediate": "false", "department": "ZJJ"}, ["建筑工程施工许可"]),
    ],
)
def test_item_list_filters(client, catalog, params, expected):
    assert result_names(client.get(ITEMS, params)) == expected


def test_item_list_not_fully_online(client, catalog):
    names = result_names(client.get(ITEMS, {"fully_online": "false"}))
    assert len(names) == 5
    assert "建筑工程施工许可" not in names


def test_item_list_pages(client, catalog):
    every = result_names(client.get(ITEMS, {"page_size": 100}))
    pages = [client.get(ITEMS, {"page": n, "page_size": 4}).json() for n in (1, 2, 3)]
    assert [page["count"] for page in pages] == [6, 6, 6]
    assert [row["name"] for row in pages[0]["results"]] == every[:4]
    assert [row["name"] for row in pages[1]["results"]] == every[4:]
    assert pages[2]["results"] == []
    assert (pages[1]["page"], pages[1]["page_size"]) == (2, 4)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"page": 0}, "page", "应不小于 1"),
        ({"page": "二"}, "page", "应为整数"),
        ({"page": 100_001}, "page", "应不大于 100000"),
        ({"page_size": 0}, "page_size", "应不小于 1"),
        ({"page_size": 101}, "page_size", "应不大于 100"),
        ({"page_size": "1.5"}, "page_size", "应为整数"),
        ({"fully_online": "maybe"}, "fully_online", "应为 true 或 false"),
        ({"immediate": "2"}, "immediate", "应为 true 或 false"),
        ({"item_type": "99"}, "item_type", "取值无效"),
        ({"item_type": "行政许可"}, "item_type", "取值无效"),
    ],
)
def test_item_list_bad_input(client, catalog, params, field, message):
    body = error_body(client.get(ITEMS, params), 422, "invalid", field)
    assert body["fields"][field] == [message]


def test_item_list_query_too_long(client, catalog):
    body = error_body(client.get(ITEMS, {"q": "食" * 51}), 422, "query_too_long", "q")
    assert body["fields"]["q"] == ["搜索词最多 50 个字，现为 51 个字"]
    assert client.get(ITEMS, {"q": "食" * 50}).status_code == 200


def test_item_list_unknown_department(client, catalog):
    body = error_body(
        client.get(ITEMS, {"department": "NOPE"}), 422, "unknown_department", "department"
    )
    assert body["message"] == "部门“NOPE”不存在"


def test_item_list_unknown_zone(client, catalog):
    error_body(client.get(ITEMS, {"zone": "XYZ"}), 404, "zone_not_found", "zone")


def test_item_list_of_another_zone(client, catalog):
    Zone.objects.create(code="BQ", name="另一开发区", division_code="320193")
    body = client.get(ITEMS, {"zone": "bq"}).json()
    assert (body["count"], body["results"]) == (0, [])


def test_item_list_queries_do_not_grow_with_the_results(client, zone, department, catalog):
    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ITEMS, params).status_code == 200
        return len(captured)

    few = queries({"q": "许可", "department": "SCJG"})
    for n in range(12):
        make_item(zone, department, name=f"危险化学品经营许可{n}")
    assert queries({"q": "许可", "department": "SCJG"}) == few
    # the zone, the department, the ranked page with its count, the page's rows
    assert few == 4
    assert queries({"page_size": 100}) == 3


# -- GET /items/{code} --------------------------------------------------------------------


@pytest.fixture
def full_item(zone, department, other_department, window):
    licence = make_certificate_type(name="食品经营许可证")
    steps = [
        {"key": "accept", "name": "受理", "kind": "acceptance", "role": "window_clerk",
         "limit_days": 1},
        {"key": "review", "name": "审查", "kind": "review", "role": "reviewer",
         "limit_days": 2, "after": ["accept"], "department": other_department},
        {"key": "decide", "name": "决定", "kind": "decision", "role": "decider",
         "limit_days": 1, "after": ["review"]},
    ]  # fmt: skip
    return make_item(
        zone,
        department,
        name="食品经营许可",
        promised_limit_days=4,
        legal_citations=["《中华人民共和国食品安全法》第三十五条"],
        fee_free=False,
        fee_amount="128.5",
        fee_basis="测试收费依据",
        delegated_from_level=DelegationLevel.CITY,
        delegated_from_organ="市市场监督管理局",
        delegation_agreement_date=dt.date(2025, 3, 1),
        delegation_status=DelegationStatus.ACCEPTED,
        certificate_type=licence,
        result_name="食品经营许可证",
        materials=[
            {"name": "食品经营许可申请书", "originals": 1, "commitment_allowed": True},
            {
                "name": "营业执照",
                "source": MaterialSource.CERTIFICATE,
                "certificate_type": make_certificate_type(code="11100000MB0000001A002"),
            },
            {
                "name": "健康证明",
                "source": MaterialSource.DEPARTMENT,
                "source_department": other_department,
                "tolerable": True,
            },
        ],
        steps=steps,
        windows=[window],
    )


def test_item_guide(client, full_item):
    code = full_item.item.implementation_code
    response = client.get(ITEM.format(code))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["implementation_code"] == code
    assert (body["name"], body["version"], body["status"]) == ("食品经营许可", 1, "published")
    assert body["effective_from"] == full_item.effective_from.isoformat()
    assert body["legal_basis"] == "《中华人民共和国行政许可法》"
    assert body["legal_citations"] == ["《中华人民共和国食品安全法》第三十五条"]
    assert (body["legal_limit_days"], body["promised_limit_days"]) == (20, 4)
    assert (body["handling_kind"], body["handling_kind_label"]) == ("promised", "承诺件")
    assert body["acceptance_conditions"] == "申请人具备法定条件"
    assert body["fee"] == {"free": False, "amount": "128.50", "basis": "测试收费依据"}
    assert (body["required_visits"], body["fully_online"]) == (1, False)
    assert body["online_depth_label"] == "Ⅲ级（网上办理，最多跑一次）"
    assert body["delegation"] == {
        "from_level": "city",
        "from_level_label": "市级",
        "from_organ": "市市场监督管理局",
        "agreement_date": "2025-03-01",
        "status": "accepted",
        "status_label": "已承接",
    }
    assert body["windows"] == [{"code": "A01", "name": "综合受理窗口一", "location": ""}]
    assert (body["consultation_phone"], body["complaint_phone"]) == ("025-80000000", "12345")
    assert body["certificate_type"] == {"code": "11100000MB0000001A001", "name": "食品经营许可证"}
    assert body["result_name"] == "食品经营许可证"
    materials = body["materials"]
    assert [m["name"] for m in materials] == ["食品经营许可申请书", "营业执照", "健康证明"]
    assert materials[0] | {} == {
        "position": 1,
        "name": "食品经营许可申请书",
        "required": True,
        "originals": 1,
        "copies": 0,
        "medium": "both",
        "medium_label": "纸质或电子",
        "source": "applicant",
        "source_label": "申请人自备",
        "certificate_type": None,
        "source_department": None,
        "template_url": None,
        "sample_url": None,
        "notes": "",
        "tolerable": False,
        "commitment_allowed": True,
    }
    assert materials[1]["certificate_type"] == {"code": "11100000MB0000001A002", "name": "营业执照"}
    assert materials[2]["source_department"] == {"code": "ZJJ", "name": "住房和城乡建设局"}
    assert (materials[2]["source"], materials[2]["tolerable"]) == ("department", True)
    assert body["steps"] == [
        {"key": "accept", "name": "受理", "kind": "acceptance", "kind_label": "受理",
         "department": None, "role": "window_clerk", "role_label": "综合窗口人员",
         "limit_days": 1, "after": []},
        {"key": "review", "name": "审查", "kind": "review", "kind_label": "审查",
         "department": {"code": "ZJJ", "name": "住房和城乡建设局"}, "role": "reviewer",
         "role_label": "审批科室审查人员", "limit_days": 2, "after": ["accept"]},
        {"key": "decide", "name": "决定", "kind": "decision", "kind_label": "决定",
         "department": None, "role": "decider", "role_label": "审批决定人",
         "limit_days": 1, "after": ["review"]},
    ]  # fmt: skip


def test_item_guide_of_a_local_free_item(client, catalog):
    body = client.get(ITEM.format(catalog["竣工验收备案"].item.implementation_code)).json()
    assert body["fee"] == {"free": True, "amount": None, "basis": ""}
    assert body["delegation"] is None
    assert body["certificate_type"] is None
    assert (body["handling_kind"], body["item_type_label"]) == ("immediate", "其他行政权力")


def test_item_guide_versions(client, zone, full_item):
    code = full_item.item.implementation_code
    draft = item_draft(item=full_item.item, actor=None)
    item_draft_update(version=draft, elements={"change_note": "调整材料"}, actor=None)
    # while v2 is a draft, the public sees v1 and v2 does not exist for them
    assert client.get(ITEM.format(code)).json()["version"] == 1
    error_body(
        client.get(ITEM.format(code), {"version": 2}), 404, "item_version_not_found", "version"
    )
    item_publish(version=draft, actor=None)
    current = client.get(ITEM.format(code)).json()
    assert (current["version"], current["status"], current["change_note"]) == (
        2,
        "published",
        "调整材料",
    )
    old = client.get(ITEM.format(code), {"version": 1}).json()
    assert (old["version"], old["status"]) == (1, "retired")


@pytest.mark.parametrize(
    ("version", "message"),
    [("0", "应不小于 1"), ("-1", "应不小于 1"), ("v1", "应为整数"), ("1.5", "应为整数")],
)
def test_item_guide_bad_version(client, full_item, version, message):
    response = client.get(ITEM.format(full_item.item.implementation_code), {"version": version})
    body = error_body(response, 422, "invalid", "version")
    assert body["fields"]["version"] == [message]


def test_item_guide_unknown_version(client, full_item):
    code = full_item.item.implementation_code
    body = error_body(
        client.get(ITEM.format(code), {"version": 7}), 404, "item_version_not_found", "version"
    )
    assert body["message"] == f"事项 {code} 没有可公开的第 7 版"


@pytest.mark.parametrize("code", ["NOPE", "11320192MB00000" + "0" * 16])
def test_item_guide_unknown_code(client, full_item, code):
    body = error_body(client.get(ITEM.format(code)), 404, "item_not_found", "code")
    assert body["message"] == f"事项 {code} 不存在或未发布"


def test_item_guide_of_a_draft_is_not_found(client, zone, department):
    draft = make_item(zone, department, publish=False)
    error_body(
        client.get(ITEM.format(draft.item.implementation_code)), 404, "item_not_found", "code"
    )


def test_item_guide_unknown_zone(client, full_item):
    response = client.get(ITEM.format(full_item.item.implementation_code), {"zone": "XYZ"})
    error_body(response, 404, "zone_not_found", "zone")


def test_item_guide_in_a_fixed_number_of_queries(client, full_item, django_assert_num_queries):
    # the zone; the version with its item, department and certificate type; materials;
    # steps; windows
    with django_assert_num_queries(5):
        assert client.get(ITEM.format(full_item.item.implementation_code)).status_code == 200


# -- GET /bundles and /bundles/{code} -----------------------------------------------------


@pytest.fixture
def bundle(zone, department, other_department):
    licence = make_certificate_type(name="营业执照")
    shared = {"name": "营业执照", "source": MaterialSource.CERTIFICATE, "certificate_type": licence}
    permit = make_item(
        zone,
        department,
        name="食品经营许可",
        promised_limit_days=5,
        materials=["食品经营许可申请书", shared, "健康证明"],
    )
    fire = make_item(
        zone,
        other_department,
        name="公众聚集场所投入使用营业前消防安全检查",
        promised_limit_days=7,
        materials=["消防安全检查申报表", shared],
    )
    signage = make_item(zone, other_department, name="设置大型户外广告审批", materials=["申请表"])
    restaurant = make_bundle(
        zone,
        department,
        items=[permit.item, fire.item],
        code="restaurant",
        name="开餐馆一件事",
        promised_limit_days=7,
        required_visits=1,
        form_fields=[{"key": "shop_name", "label": "店名", "type": "text", "required": True}],
        publish=True,
    )
    make_bundle(
        zone,
        department,
        items=[signage.item, permit.item],
        code="signs",
        name="开店招牌一件事",
        publish=True,
    )
    make_bundle(zone, department, items=[signage.item, fire.item], code="draft", name="草稿一件事")
    return restaurant


def test_bundle_list(client, bundle):
    body = client.get(BUNDLES).json()
    assert (body["count"], body["page"], body["page_size"]) == (2, 1, 20)
    assert body["results"][0] == {
        "code": "signs",
        "name": "开店招牌一件事",
        "description": "",
        "lead_department": {"code": "SCJG", "name": "市场监督管理局"},
        "promised_limit_days": 4,
        "required_visits": 1,
    }
    assert [row["code"] for row in body["results"]] == ["signs", "restaurant"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("餐馆", ["restaurant"]), ("kcg", ["restaurant"]), ("yijianshi", ["signs", "restaurant"]),
     ("草稿", [])],
)  # fmt: skip
def test_bundle_list_search(client, bundle, query, expected):
    body = client.get(BUNDLES, {"q": query}).json()
    assert [row["code"] for row in body["results"]] == expected


def test_bundle_list_pages(client, bundle):
    second = client.get(BUNDLES, {"page": 2, "page_size": 1}).json()
    assert (second["count"], [row["code"] for row in second["results"]]) == (2, ["restaurant"])
    assert client.get(BUNDLES, {"page": 3, "page_size": 1}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"page": 0}, "page", "invalid"),
        ({"page_size": 101}, "page_size", "invalid"),
        ({"page_size": "all"}, "page_size", "invalid"),
        ({"q": "x" * 51}, "q", "query_too_long"),
    ],
)
def test_bundle_list_bad_input(client, bundle, params, field, code):
    error_body(client.get(BUNDLES, params), 422, code, field)


def test_bundle_list_unknown_zone(client, bundle):
    error_body(client.get(BUNDLES, {"zone": "XYZ"}), 404, "zone_not_found", "zone")


def test_bundle_guide(client, bundle):
    response = client.get(BUNDLE.format("restaurant"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bundle"]["code"] == "restaurant"
    assert body["bundle"]["name"] == "开餐馆一件事"
    assert body["bundle"]["form_fields"] == [
        {"key": "shop_name", "label": "店名", "type": "text", "required": True}
    ]
    assert [item["name"] for item in body["items"]] == [
        "食品经营许可",
        "公众聚集场所投入使用营业前消防安全检查",
    ]
    permit, fire = body["items"]
    assert (permit["promised_limit_days"], fire["promised_limit_days"]) == (5, 7)
    assert body["unavailable_items"] == []
    materials = body["materials"]
    assert [m["name"] for m in materials] == [
        "食品经营许可申请书",
        "营业执照",
        "健康证明",
        "消防安全检查申报表",
    ]
    licence = materials[1]
    assert licence["shared"] is True
    assert licence["source"] == "certificate"
    assert licence["certificate_type"]["name"] == "营业执照"
    assert [item["implementation_code"] for item in licence["items"]] == [
        permit["implementation_code"],
        fire["implementation_code"],
    ]
    assert materials[0]["shared"] is False
    assert [item["name"] for item in materials[0]["items"]] == ["食品经营许可"]
    assert body["savings"] == {
        "visits_separately": 2,
        "visits_bundle": 1,
        "visits_saved": 1,
        "materials_separately": 5,
        "materials_bundle": 4,
        "materials_saved": 1,
        "days_separately": 12,
        "days_bundle": 7,
        "days_saved": 5,
    }


@pytest.mark.parametrize("code", ["nope", "draft"])
def test_bundle_guide_not_found(client, bundle, code):
    body = error_body(client.get(BUNDLE.format(code)), 404, "bundle_not_found", "code")
    assert body["message"] == f"一件事 {code} 不存在或未发布"


def test_bundle_guide_unknown_zone(client, bundle):
    error_body(
        client.get(BUNDLE.format("restaurant"), {"zone": "XYZ"}), 404, "zone_not_found", "zone"
    )


def test_bundle_guide_in_a_fixed_number_of_queries(client, bundle, django_assert_num_queries):
    # the zone; the bundle; its items; their versions; materials; steps
    with django_assert_num_queries(6):
        assert client.get(BUNDLE.format("restaurant")).status_code == 200


# -- across endpoints ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "status", "field"),
    [
        (ITEMS, {"q": "食品\x00"}, 422, "q"),
        (ITEMS, {"department": "SCJG\x00"}, 422, "department"),
        (BUNDLES, {"q": "\x00"}, 422, "q"),
        (ITEM.format("A%00B"), {}, 404, "code"),
        (BUNDLE.format("restaurant%00"), {}, 404, "code"),
    ],
)
def test_a_nul_character_is_refused_not_a_server_error(
    client, catalog, bundle, url, params, status, field
):
    # PostgreSQL refuses NUL in a parameter; no name or code holds one
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize("url", [ITEMS, BUNDLES])
def test_chinese_is_not_escaped(client, catalog, bundle, url):
    raw = client.get(url).content
    assert "许可".encode() in raw or "一件事".encode() in raw
    assert b"\\u" not in raw


@pytest.mark.parametrize("url", [ITEMS, BUNDLES, BUNDLE.format("restaurant")])
def test_only_get_is_allowed(client, bundle, url):
    assert client.post(url).status_code == 405


def test_a_signed_in_user_gets_the_same_answers(client, catalog, clerk):
    anonymous = client.get(ITEMS, {"q": "食品"}).json()
    client.force_login(clerk)
    assert client.get(ITEMS, {"q": "食品"}).json() == anonymous


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        (
            "/api/v1/items",
            {"q", "department", "item_type", "fully_online", "immediate", "page", "page_size",
             "zone"},
        ),
        ("/api/v1/items/{code}", {"code", "version", "zone"}),
        ("/api/v1/bundles", {"q", "page", "page_size", "zone"}),
        ("/api/v1/bundles/{code}", {"code", "zone"}),
    ],
)  # fmt: skip
def test_openapi_documents_the_catalog(client, path, parameters):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][path]["get"]
    assert {p["name"] for p in operation["parameters"]} == parameters
    assert {"200", "404", "422"} <= set(operation["responses"])
    for status in ("404", "422"):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    assert "security" not in operation  # public


def test_openapi_documents_the_limits(client):
    document = client.get("/api/v1/openapi.json").json()
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/items"]["get"]["parameters"]
    }
    assert parameters["q"]["maxLength"] == 50
    assert parameters["page_size"]["maximum"] == 100
    assert document["components"]["schemas"]["ItemType"]["enum"] == [
        "01", "05", "07", "08", "09", "10", "20"
    ]  # fmt: skip
