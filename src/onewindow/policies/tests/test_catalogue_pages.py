"""The officer's desk and the public policy pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.constants import ItemKind, RedemptionWay
from onewindow.policies.models import Policy, PolicyItem, PolicyItemVersion
from onewindow.policies.tests.factories import make_policy, make_version
from onewindow.testing.clients import sign_in

pytestmark = pytest.mark.django_db


def login(client, user):
    sign_in(client, user)
    return client


def draft_post(**overrides):
    data = {
        "name": "研发投入奖励（示例）",
        "kind": ItemKind.AWARD,
        "way": RedemptionWay.AUTOMATIC,
        "beneficiary": "区内企业",
        "combinator": "all",
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "40",
        "rows-0-fact": "rd_share",
        "rows-0-op": ">=",
        "rows-0-value": "５%",
        "rows-0-clause": "第十一条(四)",
        "rows-1-fact": "credit_status",
        "rows-1-op": "not_in",
        "rows-1-value": "serious_bad",
        "rows-1-clause": "第五条",
        "condition": "",
        "amount_kind": "rate",
        "amount_of": "rd_expense",
        "amount_rate": "10",
        "amount_cap": "200",
        "materials": "研发费用专项审计报告｜上年度研发费用",
        "time_limit_days": "30",
        "publicity_days": "5",
        "effective_from": "2026-03-01",
    }
    data.update(overrides)
    return data


# -- who may enter ---------------------------------------------------------------------------


def test_desk_for_the_officer_only(client, pw):
    make_policy(pw)
    assert client.get(reverse("policies:manage")).status_code == 302  # to the login
    for user in (pw.administrator, pw.clerk, pw.supervisor, pw.representative):
        assert login(client, user).get(reverse("policies:manage")).status_code == 403
    response = login(client, pw.officer).get(reverse("policies:manage"))
    assert response.status_code == 200
    assert "示范区促进科技创新若干政策" in response.content.decode()


def test_other_departments_policy_is_not_found(client, pw):
    policy = make_policy(pw)
    version = make_version(pw, policy=policy)
    login(client, pw.other_officer)
    assert client.get(reverse("policies:policy_edit", args=[policy.pk])).status_code == 404
    assert client.get(reverse("policies:item_new", args=[policy.pk])).status_code == 404
    assert client.get(reverse("policies:item_manage", args=[version.item.code])).status_code == 404
    assert client.get(reverse("policies:draft_edit", args=[version.item.code])).status_code == 404
    url = reverse("policies:version_action", args=[version.item.code, 1, "retire"])
    assert client.post(url).status_code == 404
    # The other officer's own desk does not list it.
    assert "示范区促进科技创新" not in client.get(reverse("policies:manage")).content.decode()


def test_actions_refused_to_non_officers(client, pw):
    version = make_version(pw)
    url = reverse("policies:version_action", args=[version.item.code, 1, "retire"])
    assert client.post(url).status_code == 302
    for user in (pw.administrator, pw.clerk, pw.representative):
        assert login(client, user).post(url).status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


# -- policies and items ----------------------------------------------------------------------


def test_policy_new_and_edit(client, pw):
    login(client, pw.officer)
    assert client.get(reverse("policies:policy_new")).status_code == 200
    data = {
        "department": pw.department.pk,
        "title": "示范区人才政策（示例）",
        "doc_number": "示范人〔2026〕2号",
        "issuer": "示范区管委会",
        "level": "zone",
        "effective_from": "2026-01-01",
        "expires_on": "2025-01-01",
    }
    response = client.post(reverse("policies:policy_new"), data)
    assert response.status_code == 422
    assert "失效日期：不能早于生效日期" in response.content.decode()
    data["expires_on"] = ""
    response = client.post(reverse("policies:policy_new"), data)
    assert response.status_code == 302
    policy = Policy.objects.get(doc_number="示范人〔2026〕2号")
    data["title"] = "改名后的政策"
    response = client.post(reverse("policies:policy_edit", args=[policy.pk]), data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.title == "改名后的政策"


def test_policy_new_refuses_another_department(client, pw):
    login(client, pw.officer)
    response = client.post(
        reverse("policies:policy_new"),
        {
            "department": pw.other_department.pk,
            "title": "x",
            "doc_number": "y",
            "issuer": "z",
            "level": "zone",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 422  # not among the choices
    assert not Policy.objects.exists()


def test_item_new_then_first_draft(client, pw):
    policy = make_policy(pw)
    login(client, pw.officer)
    url = reverse("policies:item_new", args=[policy.pk])
    response = client.post(url, {"code": "bad code!"})
    assert response.status_code == 422 and "事项编码" in response.content.decode()
    response = client.post(url, {"code": "ｚｃ-2026-009"})
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:draft_edit", args=["ZC-2026-009"])
    response = client.get(response["Location"])
    assert response.status_code == 200


# -- the draft editor ------------------------------------------------------------------------


@pytest.fixture
def item(pw):
    return PolicyItem.objects.create(policy=make_policy(pw), zone=pw.zone, code="ZC-2026-001")


def test_draft_saved_from_rows(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    response = client.post(url, draft_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = PolicyItemVersion.objects.get(item=item)
    assert draft.condition == {
        "all": [
            {"fact": "rd_share", "op": ">=", "value": "0.05", "clause": "第十一条(四)"},
            {"fact": "credit_status", "op": "not_in", "value": ["serious_bad"], "clause": "第五条"},
        ]
    }
    assert draft.amount == {"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": "200"}
    assert draft.materials == [{"name": "研发费用专项审计报告", "fact": "rd_expense"}]
    page = client.get(url).content.decode()
    # The preview says the condition in words, with its clause; the rows come back.
    assert "上年度研发费用占营业收入比例 ≥ 5%" in page and "第十一条(四)" in page
    assert 'value="5%"' in page


def test_add_row_saves_nothing_and_shows_one_more_row(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    response = client.post(url, draft_post(add_row="1"))
    assert response.status_code == 200
    assert 'name="rows-2-fact"' in response.content.decode()
    assert not PolicyItemVersion.objects.exists()


def test_deleted_row_left_out(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    client.post(url, draft_post(**{"rows-1-DELETE": "on"}))
    assert PolicyItemVersion.objects.get(item=item).condition == {
        "all": [{"fact": "rd_share", "op": ">=", "value": "0.05", "clause": "第十一条(四)"}]
    }


def test_bad_row_error_names_the_clause(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    response = client.post(url, draft_post(**{"rows-0-op": "starts_with"}))
    assert response.status_code == 422
    page = response.content.decode()
    assert "申报条件" in page and "第十一条(四)" in page and "starts_with" in page
    assert not PolicyItemVersion.objects.exists()


def test_advanced_json_for_nested_trees(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    nested = {
        "any": [
            {"fact": "owns_core_ip", "op": "is", "value": True, "clause": "第三条"},
            {"not": {"fact": "employees", "op": "<", "value": 10, "clause": "第四条"}},
        ]
    }
    response = client.post(url, draft_post(condition=json.dumps(nested)))
    assert response.status_code == 302
    assert PolicyItemVersion.objects.get(item=item).condition == nested
    page = client.get(url).content.decode()
    assert "不满足以下条件" in page and "owns_core_ip" in page  # the JSON editor holds it
    response = client.post(url, draft_post(condition="{not json"))
    assert response.status_code == 422
    assert "申报条件（JSON）：不是有效的 JSON" in response.content.decode()


def test_bad_amount_and_missing_catalog_item(client, pw, item):
    login(client, pw.officer)
    url = reverse("policies:draft_edit", args=[item.code])
    response = client.post(url, draft_post(amount_kind="fixed", amount_value="很多"))
    assert response.status_code == 422 and "支持标准" in response.content.decode()
    response = client.post(url, draft_post(way=RedemptionWay.FAST))
    assert response.status_code == 422 and "对应办理事项" in response.content.decode()


# -- versions --------------------------------------------------------------------------------


def test_publish_retire_and_new_draft_from_the_item_page(
    client, pw, django_capture_on_commit_callbacks
):
    draft = make_version(pw, status=VersionStatus.DRAFT, effective_from=dt.date(2026, 1, 1))
    code = draft.item.code
    login(client, pw.officer)
    page = client.get(reverse("policies:item_manage", args=[code]))
    assert page.status_code == 200 and "发布" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("policies:version_action", args=[code, 1, "publish"]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    response = client.post(reverse("policies:version_action", args=[code, 1, "publish"]))
    assert response.status_code == 409
    response = client.post(reverse("policies:version_action", args=[code, 1, "new_draft"]))
    assert response.status_code == 302
    assert PolicyItemVersion.objects.filter(item=draft.item, number=2, status="draft").exists()
    response = client.post(
        reverse("policies:version_action", args=[code, 1, "retire"]),
        {"effective_until": "2025-01-01"},
    )
    assert response.status_code == 422 and "截止日期" in response.content.decode()
    response = client.post(
        reverse("policies:version_action", args=[code, 1, "retire"]),
        {"effective_until": "2026-12-31"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETIRED
    assert (
        client.post(reverse("policies:version_action", args=[code, 9, "publish"])).status_code
        == 404
    )


# -- public pages ----------------------------------------------------------------------------


def test_public_list_filters_and_marks_illustrative(client, pw):
    make_version(pw, code="ZC-A", name="研发投入奖励（示例）")
    make_version(
        pw,
        code="ZC-B",
        name="稳岗补贴",
        beneficiary="区内企业",
        kind=ItemKind.RELIEF,
        way=RedemptionWay.ON_APPLICATION,
        amount={"kind": "fixed", "amount": "5"},
        amount_text="",
    )
    make_version(pw, code="ZC-DRAFT", name="尚未发布的草稿", status=VersionStatus.DRAFT)
    page = client.get(reverse("policies:list")).content.decode()
    assert "研发投入奖励" in page and "稳岗补贴" in page and "尚未发布" not in page
    assert "示例" in page and "5万元" in page
    page = client.get(reverse("policies:list"), {"kind": ItemKind.RELIEF}).content.decode()
    assert "稳岗补贴" in page and "研发投入奖励" not in page
    page = client.get(reverse("policies:list"), {"q": "研发"}).content.decode()
    assert "研发投入奖励" in page and "稳岗补贴" not in page
    page = client.get(reverse("policies:list"), {"department": pw.department.code}).content.decode()
    assert "稳岗补贴" in page
    response = client.get(reverse("policies:list"), {"way": "by_pigeon"})
    assert response.status_code == 422


def test_public_detail_in_words_with_history(client, pw):
    today = timezone.localdate()
    make_version(
        pw,
        effective_from=dt.date(2026, 1, 1),
        effective_until=today - dt.timedelta(days=1),
        status=VersionStatus.RETIRED,
    )
    make_version(pw, number=2, effective_from=today, name="研发投入奖励（第二版）")
    response = client.get(reverse("policies:detail", args=["ZC-2026-001"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "研发投入奖励（第二版）" in page
    assert "上年度研发费用占营业收入比例 ≥ 5%" in page and "第十一条(四)" in page
    assert "信用状况不为严重失信" in page
    assert "第 1 版" in page and "第 2 版" in page
    assert "示范科〔2026〕1号" in page


def test_public_detail_unknown_or_unpublished_is_404(client, pw):
    make_version(pw, code="ZC-DRAFT", status=VersionStatus.DRAFT)
    assert client.get(reverse("policies:detail", args=["ZC-DRAFT"])).status_code == 404
    assert client.get(reverse("policies:detail", args=["ZC-NONE"])).status_code == 404
    assert client.get("/policies/zc-draft/").status_code == 404
