"""``GET /api/v1/search`` (items and bundles in one ranked list) and the words people type
on ``GET /api/v1/items?q=`` (synonyms, result names, several words, full-width input)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.catalog.services import bundle_search_terms_set, item_search_terms_set
from onewindow.catalog.tests.factories import make_bundle, make_certificate_type, make_item
from onewindow.catalog.tests.test_api import error_body, result_names
from onewindow.org.models import Zone

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"
ITEMS = "/api/v1/items"


@pytest.fixture
def catalog(zone, department):
    licence = make_certificate_type(name="营业执照")
    company = make_item(zone, department, name="企业设立登记", certificate_type=licence)
    social = make_item(zone, department, name="社会保险登记")
    make_item(zone, department, name="社会保险注销登记")
    make_item(zone, department, name="药品经营许可（零售）")
    work = make_item(zone, department, name="外国人来华工作许可")
    residence = make_item(zone, department, name="外国人居留许可")
    make_item(zone, department, name="开办企业草稿事项", publish=False)
    item_search_terms_set(item=company.item, terms="开公司、办执照", actor=None)
    item_search_terms_set(item=social.item, terms="社保", actor=None)
    item_search_terms_set(item=work.item, terms="work permit", actor=None)
    bundle = make_bundle(
        zone,
        department,
        items=[company.item, social.item],
        code="business-start",
        name="开办企业一件事",
        publish=True,
    )
    bundle_search_terms_set(bundle=bundle, terms="开公司", actor=None)
    make_bundle(
        zone,
        department,
        items=[work.item, residence.item],
        code="foreigner-work",
        name="外国人来华工作一件事",
        publish=True,
    )
    return {"company": company}


# -- GET /search ---------------------------------------------------------------------------------


def test_search_returns_items_and_bundles_ranked(client, catalog):
    response = client.get(SEARCH, {"q": "开公司"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "开办企业一件事".encode() in response.content  # UTF-8, not \u escapes
    body = response.json()
    code = catalog["company"].item.implementation_code
    assert body == {
        "count": 2,
        "page": 1,
        "page_size": 20,
        "results": [
            {
                "kind": "bundle",
                "code": "business-start",
                "name": "开办企业一件事",
                "url": "/bundles/business-start/",
                "matched_on": ["synonym"],
            },
            {
                "kind": "item",
                "code": code,
                "name": "企业设立登记",
                "url": f"/items/{code}/",
                "matched_on": ["synonym"],
            },
        ],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("营业执照", [("item", "企业设立登记", ["result"])]),
        ("社保", [("item", "社会保险登记", ["synonym"])]),
        ("Work Permit", [("item", "外国人来华工作许可", ["synonym"])]),
        ("药品经营许可(零售)", [("item", "药品经营许可（零售）", ["name"])]),
        ("ｙｐｊｙ", [("item", "药品经营许可（零售）", ["pinyin"])]),
        (
            "外国人 工作",
            [
                ("bundle", "外国人来华工作一件事", ["name"]),
                ("item", "外国人来华工作许可", ["name"]),
            ],
        ),
        ("社保 kbqy", []),
        ("开办 企业", [("bundle", "开办企业一件事", ["name"])]),
    ],
)
def test_search_by_the_words_people_type(client, catalog, query, expected):
    body = client.get(SEARCH, {"q": query}).json()
    assert [(row["kind"], row["name"], row["matched_on"]) for row in body["results"]] == expected
    assert body["count"] == len(expected)


def test_search_pages(client, catalog):
    every = client.get(SEARCH, {"q": "登记"}).json()
    assert every["count"] == 3
    first = client.get(SEARCH, {"q": "登记", "page": 1, "page_size": 2}).json()
    second = client.get(SEARCH, {"q": "登记", "page": 2, "page_size": 2}).json()
    assert [row["name"] for row in first["results"] + second["results"]] == [
        row["name"] for row in every["results"]
    ]
    past = client.get(SEARCH, {"q": "登记", "page": 5}).json()
    assert past["count"] == 3 and past["results"] == []


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({}, "required", "q"),
        ({"q": "  "}, "required", "q"),
        ({"q": "食" * 51}, "query_too_long", "q"),
        ({"q": "一 二 三 四 五 六 七 八 九"}, "too_many_words", "q"),
        ({"q": "食品\x00"}, "invalid", "q"),
        ({"q": "社保", "page": 0}, "invalid", "page"),
        ({"q": "社保", "page": "x"}, "invalid", "page"),
        ({"q": "社保", "page_size": 101}, "invalid", "page_size"),
    ],
)
def test_search_bad_input(client, catalog, params, code, field):
    body = error_body(client.get(SEARCH, params), 422, code, field)
    if code == "required":
        assert body["fields"]["q"] == ["请输入要查找的事项或一件事"]


def test_search_unknown_zone(client, catalog):
    error_body(client.get(SEARCH, {"q": "社保", "zone": "XYZ"}), 404, "zone_not_found", "zone")


def test_search_of_another_zone(client, catalog):
    Zone.objects.create(code="BQ", name="另一开发区", division_code="320193")
    assert client.get(SEARCH, {"q": "社保", "zone": "bq"}).json()["count"] == 0


def test_search_is_public_and_the_same_for_everyone(client, catalog, admin_user):
    anonymous = client.get(SEARCH, {"q": "社保"}).json()
    client.force_login(admin_user)
    assert client.get(SEARCH, {"q": "社保"}).json() == anonymous


def test_search_queries_do_not_grow_with_the_results(client, zone, department, catalog):
    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SEARCH, params).status_code == 200
        return len(captured)

    few = queries({"q": "登记"})
    for number in range(6):
        make_item(zone, department, name=f"测试登记{number}")
    assert queries({"q": "登记"}) == few


# -- GET /items?q= keeps its shape and gains the words -------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("营业执照", ["企业设立登记"]),
        ("办执照", ["企业设立登记"]),
        ("社保", ["社会保险登记"]),
        ("work permit", ["外国人来华工作许可"]),
        ("药品经营许可(零售)", ["药品经营许可（零售）"]),
        ("ｙｐｊｙ", ["药品经营许可（零售）"]),
        ("社会保险 注销", ["社会保险注销登记"]),
    ],
)
def test_item_list_finds_the_words_people_type(client, catalog, query, expected):
    response = client.get(ITEMS, {"q": query})
    assert result_names(response) == expected
    row = response.json()["results"][0]
    assert {"implementation_code", "basic_code", "department", "version"} <= set(row)
    assert "matched_on" not in row  # the shape is unchanged
