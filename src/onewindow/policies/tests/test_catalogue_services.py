"""The policy catalogue's writes: policies, items, drafts, publishing and retiring."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.tests.factories import make_item
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.models import Zone
from onewindow.policies.constants import Event, ItemKind, PolicyLevel, RedemptionWay
from onewindow.policies.models import Policy, PolicyItem, PolicyItemVersion
from onewindow.policies.services import catalogue as svc
from onewindow.policies.services.common import version_in_force
from onewindow.policies.signals_catalogue import version_published
from onewindow.policies.tests.factories import (
    NOT_SERIOUS_BAD_CREDIT,
    RD_SHARE_AT_LEAST_5,
    make_policy,
    make_version,
)

pytestmark = pytest.mark.django_db


def policy_values(pw, **overrides):
    values = {
        "department": pw.department,
        "title": "示范区支持研发投入办法（示例）",
        "doc_number": "示范科〔2026〕9号",
        "issuer": "示范区管委会",
        "level": PolicyLevel.ZONE,
        "effective_from": dt.date(2026, 1, 1),
        "expires_on": dt.date(2028, 12, 31),
        "interpretation_url": "https://example.gov.cn/jd/9",
        "summary": "研发投入奖励",
        "illustrative": True,
    }
    values.update(overrides)
    return values


def draft_values(**overrides):
    values = {
        "name": "研发投入奖励（示例）",
        "kind": ItemKind.AWARD,
        "way": RedemptionWay.AUTOMATIC,
        "beneficiary": "区内企业",
        "condition": {"all": [RD_SHARE_AT_LEAST_5, NOT_SERIOUS_BAD_CREDIT]},
        "amount": {"kind": "rate", "of": "rd_expense", "rate": "0.1", "cap": "200"},
        "amount_text": "",
        "materials": [{"name": "研发费用专项审计报告", "fact": "rd_expense"}],
        "time_limit_days": 30,
        "effective_from": dt.date(2026, 3, 1),
    }
    values.update(overrides)
    return values


def fields_of(error) -> dict:
    return error.value.fields


# -- policies --------------------------------------------------------------------------------


def test_policy_create_folds_input_and_audits(pw):
    policy = svc.policy_create(
        actor=pw.officer, **policy_values(pw, doc_number="示范科〔２０２６〕9号 ")
    )
    assert policy.doc_number == "示范科〔2026〕9号"
    assert policy.zone_id == pw.zone.pk and policy.created_by == pw.officer
    assert AuditEvent.objects.filter(action=Event.POLICY_CREATED, object_id=policy.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "", "政策名称"),
        ("doc_number", " ", "文号"),
        ("issuer", "", "发文机关"),
        ("level", "galactic", "政策层级"),
        ("effective_from", "2026-02-30", "生效日期"),
        ("interpretation_url", "ftp://x.example/a", "政策解读链接"),
        ("title", "a\x00b", "政策名称"),
    ],
)
def test_policy_create_names_the_bad_field(pw, field, value, words):
    with pytest.raises(ValidationFailed) as error:
        svc.policy_create(actor=pw.officer, **policy_values(pw, **{field: value}))
    assert field in fields_of(error)
    assert fields_of(error)[field][0].startswith(words)


def test_policy_expiry_not_before_effective(pw):
    with pytest.raises(ValidationFailed) as error:
        svc.policy_create(actor=pw.officer, **policy_values(pw, expires_on=dt.date(2025, 12, 31)))
    assert "失效日期" in fields_of(error)["expires_on"][0]


def test_doc_number_unique_in_the_zone_only(pw):
    make_policy(pw, doc_number="示范科〔2026〕9号")
    with pytest.raises(ValidationFailed) as error:
        svc.policy_create(actor=pw.officer, **policy_values(pw))
    assert "文号" in fields_of(error)["doc_number"][0]
    other_zone = Zone.objects.create(code="QTQ", name="其他开发区")
    Policy.objects.filter(doc_number="示范科〔2026〕9号").update(zone=other_zone)
    assert svc.policy_create(actor=pw.officer, **policy_values(pw)).pk


def test_policy_create_refuses_other_departments_and_roles(pw):
    with pytest.raises(Forbidden):
        svc.policy_create(actor=pw.officer, **policy_values(pw, department=pw.other_department))
    for user in (pw.administrator, pw.clerk, pw.supervisor, pw.representative):
        with pytest.raises(Forbidden):
            svc.policy_create(actor=user, **policy_values(pw))
    assert not Policy.objects.exists()


def test_policy_update_changes_and_audits(pw):
    policy = make_policy(pw)
    updated = svc.policy_update(
        actor=pw.officer,
        policy=policy,
        **policy_values(pw, title="新名称", doc_number=policy.doc_number),
    )
    assert updated.title == "新名称"
    event = AuditEvent.objects.get(action=Event.POLICY_CHANGED)
    assert "title" in event.data["changed"]


def test_policy_update_refuses_other_officer_and_moving_away(pw):
    policy = make_policy(pw)
    with pytest.raises(NotFound):
        svc.policy_update(actor=pw.other_officer, policy=policy, **policy_values(pw))
    with pytest.raises(Forbidden):
        svc.policy_update(
            actor=pw.officer, policy=policy, **policy_values(pw, department=pw.other_department)
        )
    policy.refresh_from_db()
    assert policy.department == pw.department


# -- items -----------------------------------------------------------------------------------


def test_item_create_normalises_code(pw):
    item = svc.item_create(actor=pw.officer, policy=make_policy(pw), code=" zc－２０２６－001 ")
    assert item.code == "ZC-2026-001"
    assert AuditEvent.objects.filter(action=Event.ITEM_CREATED, object_id=item.pk).exists()


@pytest.mark.parametrize("code", ["", "Z", "ZC_2026", "编码1", "-ZC"])
def test_item_code_refused(pw, code):
    with pytest.raises(ValidationFailed) as error:
        svc.item_create(actor=pw.officer, policy=make_policy(pw), code=code)
    assert fields_of(error)["code"][0].startswith("事项编码")


def test_item_code_unique_in_zone(pw):
    policy = make_policy(pw)
    svc.item_create(actor=pw.officer, policy=policy, code="ZC-1")
    with pytest.raises(ValidationFailed) as error:
        svc.item_create(actor=pw.officer, policy=policy, code="zc-1")
    assert "ZC-1" in fields_of(error)["code"][0]


def test_item_create_refused_outside_department(pw):
    with pytest.raises(NotFound):
        svc.item_create(actor=pw.other_officer, policy=make_policy(pw), code="ZC-1")
    with pytest.raises(NotFound):
        svc.item_create(actor=pw.administrator, policy=make_policy(pw, doc_number="x"), code="ZC-1")


# -- drafts ----------------------------------------------------------------------------------


@pytest.fixture
def item(pw):
    return svc.item_create(actor=pw.officer, policy=make_policy(pw), code="ZC-2026-001")


def test_save_draft_creates_then_updates_one_draft(pw, item):
    draft = svc.version_save_draft(actor=pw.officer, item=item, **draft_values())
    assert (draft.number, draft.status) == (1, VersionStatus.DRAFT)
    again = svc.version_save_draft(actor=pw.officer, item=item, **draft_values(name="改名"))
    assert again.pk == draft.pk and again.name == "改名"
    assert PolicyItemVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action=Event.VERSION_SAVED).count() == 2


def test_draft_condition_error_names_the_clause(pw, item):
    bad = {"all": [{**RD_SHARE_AT_LEAST_5, "op": "starts_with", "value": ["C"]}]}
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(condition=bad))
    message = fields_of(error)["condition"][0]
    assert message.startswith("申报条件") and "第十一条(四)" in message


def test_draft_leaf_without_clause_refused(pw, item):
    leaf = {key: value for key, value in RD_SHARE_AT_LEAST_5.items() if key != "clause"}
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(condition=leaf))
    assert "condition" in fields_of(error)


def test_draft_amount_error_on_amount_field(pw, item):
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(
            actor=pw.officer, item=item, **draft_values(amount={"kind": "rate", "of": "tags"})
        )
    assert fields_of(error)["amount"][0].startswith("支持标准")


def test_catalog_item_required_for_case_ways_refused_for_automatic(pw, item):
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(way=RedemptionWay.FAST))
    assert "对应办理事项" in fields_of(error)["catalog_item"][0]
    guide = make_item(pw.zone, pw.department, name="研发奖励申请")
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(catalog_item=guide.item))
    assert "免申即享" in fields_of(error)["catalog_item"][0]
    draft = svc.version_save_draft(
        actor=pw.officer,
        item=item,
        **draft_values(way=RedemptionWay.ON_APPLICATION, catalog_item=guide.item),
    )
    assert draft.catalog_item == guide.item


def test_excludes_only_items_of_the_zone_and_not_itself(pw, item):
    other = svc.item_create(actor=pw.officer, policy=item.policy, code="ZC-2026-002")
    draft = svc.version_save_draft(actor=pw.officer, item=item, **draft_values(excludes=[other]))
    assert list(draft.excludes.all()) == [other]
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(excludes=[item]))
    assert "本事项自身" in fields_of(error)["excludes"][0]
    foreign_zone = Zone.objects.create(code="QTQ", name="其他开发区")
    foreign = PolicyItem.objects.create(policy=item.policy, zone=foreign_zone, code="ZC-X")
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(excludes=[foreign]))
    assert "本开发区" in fields_of(error)["excludes"][0]


@pytest.mark.parametrize(
    ("materials", "words"),
    [
        ([{"name": "", "fact": None}], "第 1 项"),
        ([{"name": "审计报告", "fact": "no_such_fact"}], "no_such_fact"),
        ("审计报告", "列表"),
    ],
)
def test_materials_checked(pw, item, materials, words):
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(materials=materials))
    assert words in fields_of(error)["materials"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"beneficiary": ""}, "beneficiary"),
        ({"kind": "gift"}, "kind"),
        ({"way": "magic"}, "way"),
        ({"time_limit_days": 0}, "time_limit_days"),
        ({"publicity_days": "x"}, "publicity_days"),
        ({"budget": "-1"}, "budget"),
        ({"effective_from": None}, "effective_from"),
        ({"effective_from": dt.date(2025, 6, 1)}, "effective_from"),
        ({"effective_until": dt.date(2026, 2, 1)}, "effective_until"),
    ],
)
def test_draft_fields_named(pw, item, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        svc.version_save_draft(actor=pw.officer, item=item, **draft_values(**overrides))
    assert field in fields_of(error)


def test_draft_refused_for_others(pw, item):
    for user in (pw.other_officer, pw.administrator, pw.clerk, pw.representative):
        with pytest.raises(NotFound):
            svc.version_save_draft(actor=user, item=item, **draft_values())
    assert not PolicyItemVersion.objects.exists()


# -- publishing ------------------------------------------------------------------------------


def test_publish_sets_published_audits_and_signals_on_commit(
    pw, item, django_capture_on_commit_callbacks
):
    draft = svc.version_save_draft(actor=pw.officer, item=item, **draft_values())
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    version_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            version = svc.version_publish(actor=pw.officer, version=draft)
        assert received == []  # not inside the transaction
        for callback in callbacks:
            callback()
    finally:
        version_published.disconnect(receiver)
    assert version.status == VersionStatus.PUBLISHED and version.published_at
    assert received == [
        {
            "signal": version_published,
            "version_id": version.pk,
            "item_id": item.pk,
            "zone_id": pw.zone.pk,
            "way": RedemptionWay.AUTOMATIC,
            "effective_from": dt.date(2026, 3, 1),
        }
    ]
    event = AuditEvent.objects.get(action=Event.VERSION_PUBLISHED)
    assert event.data["key"] == "ZC-2026-001@1"


def test_publish_twice_refused(pw, item):
    draft = svc.version_save_draft(actor=pw.officer, item=item, **draft_values())
    svc.version_publish(actor=pw.officer, version=draft)
    with pytest.raises(Conflict):
        svc.version_publish(actor=pw.officer, version=draft)


def test_publish_same_effective_date_refused(pw):
    first = make_version(pw, effective_from=dt.date(2026, 3, 1))
    draft = make_version(
        pw, number=2, status=VersionStatus.DRAFT, effective_from=dt.date(2026, 3, 1)
    )
    with pytest.raises(ValidationFailed) as error:
        svc.version_publish(actor=pw.officer, version=draft)
    assert "第 1 版" in fields_of(error)["effective_from"][0]
    first.refresh_from_db()
    assert first.status == VersionStatus.PUBLISHED


def test_publish_refused_for_other_officer(pw):
    draft = make_version(pw, status=VersionStatus.DRAFT)
    with pytest.raises(NotFound):
        svc.version_publish(actor=pw.other_officer, version=draft)


def test_new_version_supersedes_from_its_date_old_stays_published(pw):
    v1 = make_version(pw, effective_from=dt.date(2026, 1, 1))
    draft = svc.version_new_draft(actor=pw.officer, item=v1.item)
    assert draft.number == 2 and draft.condition == v1.condition
    svc.version_save_draft(
        actor=pw.officer,
        item=v1.item,
        **draft_values(effective_from=dt.date(2026, 6, 1), name="研发投入奖励（第二版）"),
    )
    v2 = svc.version_publish(actor=pw.officer, version=draft)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED
    assert version_in_force(v1.item, dt.date(2026, 5, 31)) == v1
    assert version_in_force(v1.item, dt.date(2026, 6, 1)) == v2


def test_new_draft_refused_with_draft_or_nothing_published(pw):
    v1 = make_version(pw, status=VersionStatus.DRAFT)
    with pytest.raises(Conflict):
        svc.version_new_draft(actor=pw.officer, item=v1.item)
    empty = svc.item_create(actor=pw.officer, policy=v1.item.policy, code="ZC-EMPTY")
    with pytest.raises(Conflict):
        svc.version_new_draft(actor=pw.officer, item=empty)


def test_new_draft_copies_excludes_and_dates_after_the_source(pw):
    other = make_version(pw, code="ZC-OTHER")
    future = timezone.localdate() + dt.timedelta(days=40)
    v1 = make_version(pw, effective_from=future)
    v1.excludes.add(other.item)
    draft = svc.version_new_draft(actor=pw.officer, item=v1.item)
    assert draft.effective_from == future + dt.timedelta(days=1)
    assert list(draft.excludes.all()) == [other.item]


# -- retiring --------------------------------------------------------------------------------


def test_retire_defaults_to_yesterday(pw):
    version = make_version(pw, effective_from=dt.date(2026, 1, 1))
    retired = svc.version_retire(actor=pw.officer, version=version)
    today = timezone.localdate()
    assert retired.status == VersionStatus.RETIRED and retired.retired_at
    assert retired.effective_until == max(today - dt.timedelta(days=1), dt.date(2025, 12, 31))
    assert AuditEvent.objects.filter(action=Event.VERSION_RETIRED).exists()


def test_retire_on_a_given_day_and_bad_days(pw):
    version = make_version(pw, effective_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as error:
        svc.version_retire(actor=pw.officer, version=version, effective_until="2025-12-01")
    assert "截止日期" in fields_of(error)["effective_until"][0]
    with pytest.raises(ValidationFailed):
        svc.version_retire(actor=pw.officer, version=version, effective_until="soon")
    retired = svc.version_retire(actor=pw.officer, version=version, effective_until="2026-06-30")
    assert retired.effective_until == dt.date(2026, 6, 30)
    assert version_in_force(version.item, dt.date(2026, 6, 30)) == retired
    assert version_in_force(version.item, dt.date(2026, 7, 1)) is None


def test_retire_a_draft_refused_and_others_refused(pw):
    draft = make_version(pw, status=VersionStatus.DRAFT)
    with pytest.raises(Conflict):
        svc.version_retire(actor=pw.officer, version=draft)
    published = make_version(pw, code="ZC-2", number=1)
    with pytest.raises(NotFound):
        svc.version_retire(actor=pw.administrator, version=published)
