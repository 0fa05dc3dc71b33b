"""The figures' pages, their export and the API: exact figures, scopes and refused roles."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.core.models import AuditEvent
from onewindow.policies.constants import RedemptionStatus, RedemptionWay
from onewindow.policies.services.figures import FIGURES_EXPORTED
from onewindow.policies.tests.factories import make_policy, make_version
from onewindow.policies.tests.test_figures import PUBLISHED, _declare, _pay, _redemption
from onewindow.testing.clients import client_for

API = "/api/v1/policies/figures"


@pytest.fixture
def figures_world(pw):
    ours = make_version(pw, budget=Decimal("100"), published_at=PUBLISHED)
    theirs_policy = make_policy(
        pw, doc_number="示范住建〔2026〕2号", department=pw.other_department, title="住建政策"
    )
    theirs = make_version(
        pw, policy=theirs_policy, code="ZC-2026-009", way=RedemptionWay.FAST,
        published_at=PUBLISHED, name="住房补贴（示例）",
    )  # fmt: skip
    paid = _redemption(pw, ours, pw.enterprise, 1, RedemptionStatus.PAID, "20")
    _pay(pw, paid, "20", dt.date(2026, 3, 9))
    _redemption(pw, ours, pw.other_enterprise, 2, RedemptionStatus.DECLINED, "20")
    _redemption(pw, theirs, pw.enterprise, 3, RedemptionStatus.APPLIED, "7")
    _declare(pw.enterprise, rd_share="0.07", credit_status="normal")
    _declare(pw.other_enterprise, rd_share="0.08", credit_status="normal")
    return pw, ours, theirs


def test_the_zone_readers_see_every_item(client, figures_world):
    pw, _ours, _theirs = figures_world
    for reader in (pw.supervisor, pw.analyst, pw.administrator):
        client_for(reader, client=client)
        page = client.get(reverse("policies:figures")).content.decode()
        assert "ZC-2026-001" in page and "ZC-2026-009" in page
        data = client.get(API).json()
        assert [row["code"] for row in data["items"]] == ["ZC-2026-009", "ZC-2026-001"] or [
            row["code"] for row in data["items"]
        ] == ["ZC-2026-001", "ZC-2026-009"]
        assert data["totals"]["matched"] == 3 and data["totals"]["paid"] == 1


def test_an_officer_sees_only_the_departments_figures(client, figures_world):
    pw, _ours, _theirs = figures_world
    client_for(pw.officer, client=client)
    page = client.get(reverse("policies:figures")).content.decode()
    assert "ZC-2026-001" in page and "ZC-2026-009" not in page
    data = client.get(API).json()
    assert [row["code"] for row in data["items"]] == ["ZC-2026-001"]
    row = data["items"][0]
    assert (row["matched"], row["confirmed"], row["paid"], row["declined"]) == (2, 1, 1, 1)
    assert Decimal(row["amount_paid"]) == Decimal("20")
    assert Decimal(row["budget_used"]) == Decimal("20.00")
    assert row["median_days"] == 5.0 and row["p90_days"] == 5
    url = reverse("policies:figures_item", args=["ZC-2026-009"])
    assert client.get(url).status_code == 404
    assert client.get(API + "?item=ZC-2026-009").status_code == 404
    export = reverse("policies:figures_export", args=["ZC-2026-009"])
    assert client.get(export).status_code == 404
    client_for(pw.other_officer, client=client)
    assert [r["code"] for r in client.get(API).json()["items"]] == ["ZC-2026-009"]


def test_the_item_page_lists_those_who_did_not_redeem(client, figures_world):
    pw, _ours, theirs = figures_world
    client_for(pw.supervisor, client=client)
    page = client.get(reverse("policies:figures_item", args=["ZC-2026-001"])).content.decode()
    assert "示范软件有限公司" in page and "已放弃或逾期未确认" in page
    # 快申快享: the other enterprise is eligible by the calculator and has no redemption
    theirs.condition = {"all": [{"fact": "rd_share", "op": ">=", "value": "0.075",
                                 "clause": "第三条"}]}  # fmt: skip
    theirs.save()
    page = client.get(reverse("policies:figures_item", args=["zc-2026-009"])).content.decode()
    assert "示范软件有限公司" in page and "符合条件未申请" in page
    assert "示范智能制造有限公司" not in page  # applied
    assert client.get(reverse("policies:figures_item", args=["NOPE"])).status_code == 404
    assert client.get(API + "?item=NOPE").status_code == 404


def test_the_export_is_a_workbook_and_is_audited(client, figures_world):
    pw, ours, _theirs = figures_world
    client_for(pw.analyst, client=client)
    response = client.get(reverse("policies:figures_export", args=["ZC-2026-001"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["未兑现企业"].iter_rows(values_only=True))
    assert rows[1] == (pw.other_enterprise.uscc, "示范软件有限公司", "已放弃或逾期未确认")
    summary = list(book["兑现统计"].iter_rows(values_only=True))
    assert summary[1][:5] == ("ZC-2026-001", ours.name, 2, 1, 1)
    event = AuditEvent.objects.get(action=FIGURES_EXPORTED)
    assert event.actor == pw.analyst.username
    assert event.data["rows"] == 1 and event.data["version"] == ours.key


def test_refused_roles(client, figures_world):
    pw, _ours, _theirs = figures_world
    urls = [
        reverse("policies:figures"),
        reverse("policies:figures_item", args=["ZC-2026-001"]),
        reverse("policies:figures_export", args=["ZC-2026-001"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: the login page
    assert client.get(API).status_code == 401
    for person in (pw.clerk, pw.representative, pw.stranger):
        client_for(person, client=client)
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.get(API).status_code == 403
    assert not AuditEvent.objects.filter(action=FIGURES_EXPORTED).exists()
    client_for(pw.supervisor, client=client)
    assert client.post(reverse("policies:figures")).status_code == 405
