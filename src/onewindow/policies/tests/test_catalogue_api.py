"""GET /api/v1/policies and /api/v1/policies/{code}: public, in force only, the cut-over."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.constants import ItemKind, RedemptionWay
from onewindow.policies.services import catalogue as svc
from onewindow.policies.tests.factories import make_policy, make_version

pytestmark = pytest.mark.django_db

LIST = "/api/v1/policies"


def test_list_is_public_and_shows_only_published_in_force(client, pw):
    make_version(pw, code="ZC-A")
    make_version(pw, code="ZC-DRAFT", status=VersionStatus.DRAFT)
    make_version(pw, code="ZC-LATER", effective_from=dt.date(2099, 1, 1))
    response = client.get(LIST, {"on": "2026-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["on"] == "2026-06-01"
    [row] = body["results"]
    assert row["code"] == "ZC-A" and row["version"] == 1
    assert row["way_label"] == "免申即享" and row["illustrative"] is True
    assert row["amount_words"] == "一次性奖励20万元"
    assert row["policy"]["doc_number"] == "示范科〔2026〕1号"
    assert row["policy"]["department"]["code"] == pw.department.code


def test_list_filters_and_pages(client, pw):
    make_version(pw, code="ZC-A", name="研发投入奖励")
    make_version(
        pw,
        code="ZC-B",
        name="稳岗补贴",
        beneficiary="区内企业",
        kind=ItemKind.RELIEF,
        way=RedemptionWay.ON_APPLICATION,
    )
    on = {"on": "2026-06-01"}
    assert [r["code"] for r in client.get(LIST, {**on, "kind": "relief"}).json()["results"]] == [
        "ZC-B"
    ]
    assert [r["code"] for r in client.get(LIST, {**on, "way": "automatic"}).json()["results"]] == [
        "ZC-A"
    ]
    assert [r["code"] for r in client.get(LIST, {**on, "q": "稳岗"}).json()["results"]] == ["ZC-B"]
    body = client.get(LIST, {**on, "page_size": 1, "page": 2}).json()
    assert body["count"] == 2 and [r["code"] for r in body["results"]] == ["ZC-B"]
    assert client.get(LIST, {**on, "department": "NONE"}).json()["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "gift"},
        {"way": "pigeon"},
        {"page": 0},
        {"page_size": 101},
        {"on": "2026-02-30"},
        {"q": "长" * 51},
    ],
)
def test_list_bad_input_422(client, pw, params):
    response = client.get(LIST, params)
    assert response.status_code == 422


def test_list_unknown_zone_404(client, pw):
    response = client.get(LIST, {"zone": "NOPE"})
    assert response.status_code == 404


def test_detail_with_conditions_in_words_and_history(client, pw):
    make_version(pw)
    response = client.get("/api/v1/policies/zc-2026-001", {"on": "2026-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "ZC-2026-001"
    assert body["conditions"][0] == {
        "depth": 0,
        "text": "同时满足以下全部条件：",
        "clause": "",
        "heading": True,
    }
    assert body["conditions"][1]["text"] == "上年度研发费用占营业收入比例 ≥ 5%"
    assert body["conditions"][1]["clause"] == "第十一条(四)"
    assert [v["number"] for v in body["history"]] == [1]


def test_detail_unknown_or_unpublished_404(client, pw):
    make_version(pw, code="ZC-DRAFT", status=VersionStatus.DRAFT)
    assert client.get("/api/v1/policies/ZC-DRAFT").status_code == 404
    assert client.get("/api/v1/policies/ZC-NONE").status_code == 404
    retired = make_version(
        pw, code="ZC-OLD", status=VersionStatus.RETIRED, effective_until=dt.date(2026, 2, 1)
    )
    assert (
        client.get(f"/api/v1/policies/{retired.item.code}", {"on": "2026-03-01"}).status_code == 404
    )


def test_version_cut_over_at_its_effective_date(client, pw):
    """v1 from 1 January; v2 published for 1 July: the API shows v1 on 30 June and v2 from
    1 July, without anyone touching v1."""
    policy = make_policy(pw)
    v1 = make_version(pw, policy=policy, effective_from=dt.date(2026, 1, 1))
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        draft = svc.version_new_draft(actor=pw.officer, item=v1.item)
        svc.version_save_draft(
            actor=pw.officer,
            item=v1.item,
            name="研发投入奖励(2026年7月起)",
            kind=ItemKind.AWARD,
            way=RedemptionWay.AUTOMATIC,
            beneficiary="区内企业",
            condition=v1.condition,
            amount={"kind": "fixed", "amount": "30"},
            effective_from=dt.date(2026, 7, 1),
        )
        svc.version_publish(actor=pw.officer, version=draft)
    for moment, number, name in (
        (dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), 1, "研发投入奖励（示例）"),
        (dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), 2, "研发投入奖励(2026年7月起)"),
    ):
        with time_machine.travel(moment, tick=False):
            body = client.get("/api/v1/policies/ZC-2026-001").json()
            listed = client.get(LIST).json()["results"]
        assert (body["version"], body["name"]) == (number, name)
        assert [row["version"] for row in listed] == [number]
    assert [v["number"] for v in body["history"]] == [2, 1]
    assert body["amount_words"] == "30万元"
