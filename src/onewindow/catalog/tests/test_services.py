"""Catalog services: creating, versioning and publishing items; every element rule."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Item, ItemVersion, Material, Step
from onewindow.catalog.services import (
    item_create,
    item_draft,
    item_draft_update,
    item_publish,
    item_retire,
)
from onewindow.catalog.tests.factories import (
    ensure_uscc,
    item_codes,
    item_elements,
    make_certificate_type,
    make_item,
    material,
    standard_steps,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.models import Department, Zone

pytestmark = pytest.mark.django_db


def create(zone, department, *, materials=None, steps=None, codes=None, **elements):
    implementation_code, basic_code = codes or item_codes(
        department, elements.get("item_type", "01")
    )
    return item_create(
        zone=zone,
        implementation_code=implementation_code,
        basic_code=basic_code,
        elements=item_elements(department, **elements),
        materials=[material("申请表")] if materials is None else materials,
        steps=standard_steps() if steps is None else steps,
        actor=None,
    )


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value.fields


# --- create -------------------------------------------------------------------------------


def test_create_makes_item_and_draft_version_one(zone, department, window, administrator):
    ensure_uscc(department)
    code, basic = item_codes(department, "01", number=123)

    version = item_create(
        zone=zone,
        implementation_code=code.lower(),
        basic_code=f" {basic} ",
        elements=item_elements(department, name=" 食品经营许可 "),
        materials=[material("食品经营许可申请书"), {"name": "营业执照", "required": False}],
        steps=standard_steps(),
        windows=[window],
        actor=administrator,
    )

    version.refresh_from_db()
    assert version.item.implementation_code == code
    assert version.item.basic_code == basic == "320100123000"
    assert (version.version, version.status) == (1, VersionStatus.DRAFT)
    assert version.name == "食品经营许可"
    assert (version.name_pinyin, version.name_initials) == ("shipinjingyingxuke", "spjyxk")
    assert [m.name for m in version.materials.all()] == ["食品经营许可申请书", "营业执照"]
    assert [m.position for m in version.materials.all()] == [1, 2]
    assert [s.key for s in version.steps.all()] == ["accept", "review", "decide", "deliver"]
    assert list(version.windows.all()) == [window]
    assert version.created_by == administrator
    event = AuditEvent.objects.get(action="catalog.item_created")
    assert (event.actor, event.object_id) == ("admin", code)


def test_phones_default_from_the_zone(zone, department):
    zone.phone, zone.complaint_phone = "025-81234567", "12345"
    zone.save()

    version = create(zone, department, consultation_phone="", complaint_phone=" ")

    assert (version.consultation_phone, version.complaint_phone) == ("025-81234567", "12345")


def test_implementation_code_unique_in_zone(zone, department):
    codes = item_codes(department)
    create(zone, department, codes=codes)

    with pytest.raises(Conflict) as caught:
        create(zone, department, codes=codes)

    message = f"本区已有实施编码为“{codes[0]}”的事项"
    assert caught.value.message == message
    assert caught.value.fields == {"implementation_code": [message]}
    assert Item.objects.count() == 1


def test_same_code_in_another_zone_is_fine(zone, department):
    codes = item_codes(department)
    create(zone, department, codes=codes)
    other = Zone.objects.create(code="QT", name="其他开发区", division_code="320192")
    organ = Department.objects.create(
        zone=other, code="SCJG", name="市场监管", kind="functional", uscc=department.uscc
    )

    create(other, organ, codes=codes)

    assert Item.objects.filter(implementation_code=codes[0]).count() == 2


# --- versions ---------------------------------------------------------------------------


@time_machine.travel(
    dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC), tick=False
)  # 07:30, 3 March in Shanghai
def test_publish_sets_dates(zone, department):
    version = create(zone, department)

    published = item_publish(version=version, actor=None)

    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert published.effective_from == dt.date(2026, 3, 3)
    assert published.published_at == dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="catalog.item_published").count() == 1


def test_publish_with_an_effective_date(zone, department):
    version = create(zone, department)

    published = item_publish(version=version, actor=None, effective_from=dt.date(2026, 5, 1))

    assert published.effective_from == dt.date(2026, 5, 1)


def test_new_draft_copies_the_published_version(zone, department, window):
    certificate = make_certificate_type()
    v1 = make_item(
        zone,
        department,
        name="食品经营许可",
        materials=[
            material("营业执照", source="certificate", certificate_type=certificate),
            material("申请书", notes="法定代表人签字"),
        ],
        windows=[window],
        change_note="首次发布",
    )

    draft = item_draft(item=v1.item, actor=None)

    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.pk != v1.pk
    assert draft.name == "食品经营许可" and draft.change_note == ""
    assert [(m.name, m.certificate_type, m.notes) for m in draft.materials.all()] == [
        ("营业执照", certificate, ""),
        ("申请书", None, "法定代表人签字"),
    ]
    assert [(s.key, s.after) for s in draft.steps.all()] == [
        (s.key, s.after) for s in v1.steps.all()
    ]
    assert list(draft.windows.all()) == [window]
    assert item_draft(item=v1.item, actor=None) == draft  # the existing draft comes back


def test_publishing_a_new_version_retires_the_old_one(zone, department):
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)
    item_draft_update(
        version=draft, elements={"promised_limit_days": 4}, steps=standard_steps(4), actor=None
    )

    v2 = item_publish(version=draft, actor=None)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED and v1.retired_at is not None
    assert v2.status == VersionStatus.PUBLISHED
    assert list(ItemVersion.objects.published().filter(item=v1.item)) == [v2]


def test_a_case_facing_version_never_changes(zone, department):
    # given: version 1 is published (a case was accepted under it)
    v1 = make_item(zone, department, name="食品经营许可", promised_limit_days=5)
    before = ItemVersion.objects.values().get(pk=v1.pk)
    materials_before = list(Material.objects.filter(version=v1).values())
    steps_before = list(Step.objects.filter(version=v1).values())

    # when: a new version changes the elements, materials and steps and is published
    draft = item_draft(item=v1.item, actor=None)
    item_draft_update(
        version=draft,
        elements={"name": "食品经营许可（仅销售预包装食品）", "promised_limit_days": 3},
        materials=[material("承诺书")],
        steps=standard_steps(3),
        actor=None,
    )
    item_publish(version=draft, actor=None)

    # then: version 1 holds exactly what it held, but for its retirement
    after = ItemVersion.objects.values().get(pk=v1.pk)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"status", "retired_at", "updated_at"}
    assert list(Material.objects.filter(version=v1).values()) == materials_before
    assert list(Step.objects.filter(version=v1).values()) == steps_before


def test_published_version_cannot_be_updated(zone, department):
    v1 = make_item(zone, department)

    with pytest.raises(Conflict) as caught:
        item_draft_update(version=v1, elements={"name": "改名"}, actor=None)

    assert caught.value.message == "已发布的事项版本不可修改，请先创建新的草稿版本"
    v1.refresh_from_db()
    assert v1.name == "测试事项"


def test_published_version_cannot_be_published_again(zone, department):
    v1 = make_item(zone, department)

    with pytest.raises(Conflict) as caught:
        item_publish(version=v1, actor=None)

    assert caught.value.message == "只有草稿版本可以发布，该版本（v1）已发布"


def test_retire(zone, department):
    v1 = make_item(zone, department)

    item_retire(item=v1.item, actor=None)

    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    with pytest.raises(Conflict) as caught:
        item_retire(item=v1.item, actor=None)
    assert caught.value.message == "该事项没有已发布的版本"


def test_a_retired_item_gets_a_draft_from_its_newest_version(zone, department):
    v1 = make_item(zone, department, name="旧事项")
    item_retire(item=v1.item, actor=None)

    draft = item_draft(item=v1.item, actor=None)

    assert (draft.version, draft.name) == (2, "旧事项")


def test_database_allows_one_published_and_one_draft_per_item(zone, department):
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.PUBLISHED)
    fields = {f: getattr(draft, f) for f in ("name", "item_type", "department", "legal_basis")}
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=v1.item,
            version=3,
            status=VersionStatus.DRAFT,
            legal_limit_days=1,
            promised_limit_days=1,
            handling_kind="promised",
            online_depth="3",
            **fields,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.filter(pk=draft.pk).update(version=1)


# --- concurrency (PostgreSQL) ---------------------------------------------------------


def _race(count, work):
    start = threading.Barrier(count)
    results: list[object] = []

    def run(number):
        try:
            start.wait()
            results.append(work(number))
        except BaseException as error:  # reported in the test's thread
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishes_of_one_draft_publish_it_once(zone, department):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite database is not shared by threads")
    v1 = make_item(zone, department)
    draft = item_draft(item=v1.item, actor=None)

    results = _race(6, lambda n: item_publish(version=draft, actor=None))

    published = [r for r in results if isinstance(r, ItemVersion)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(published) == 1 and len(refused) == 5, results
    assert {r.message for r in refused} == {"只有草稿版本可以发布，该版本（v2）已发布"}
    assert list(ItemVersion.objects.filter(item=v1.item).values_list("version", "status")) == [
        (2, "published"),
        (1, "retired"),
    ]
    assert AuditEvent.objects.filter(action="catalog.item_published").count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_draft_and_publish_keep_one_of_each(zone, department):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite database is not shared by threads")
    v1 = make_item(zone, department, publish=False)

    def work(number):
        if number % 2:
            return item_draft(item=v1.item, actor=None)
        return item_publish(version=v1, actor=None)

    results = _race(6, work)

    errors = [r for r in results if not isinstance(r, ItemVersion | Conflict)]
    assert errors == []
    statuses = list(ItemVersion.objects.filter(item=v1.item).values_list("status", flat=True))
    assert statuses.count("published") == 1
    assert statuses.count("draft") <= 1
