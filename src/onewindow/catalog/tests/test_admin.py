"""The catalog's admin: every write through the services, their refusals shown next to the
field, published versions read-only, drafts made and published by actions."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import otp_login
from onewindow.catalog.constants import (
    HandlingKind,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.catalog.models import Bundle, BundleItem, Item, ItemVersion, Material, Step
from onewindow.catalog.tests.factories import (
    item_codes,
    make_bundle,
    make_certificate_type,
    make_item,
)
from onewindow.certificates.models import CertificateType
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role
from onewindow.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_staff) -> User:
    user = make_staff(Role.ADMINISTRATOR, username="root")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def admin_client(client, superuser):
    otp_login(client, superuser)
    return client


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def material_row(name: str, **fields) -> dict:
    return {
        "name": name,
        "required": "on",
        "originals": "1",
        "copies": "0",
        "medium": "both",
        "source": "applicant",
        "notes": "",
    } | fields


def step_row(key, name, kind, role, days, after="") -> dict:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "role": role,
        "limit_days": str(days),
        "after": after,
    }


STANDARD_STEPS = [
    step_row("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 1),
    step_row("review", "审查", StepKind.REVIEW, StepRole.REVIEWER, 2, "accept"),
    step_row("decide", "决定", StepKind.DECISION, StepRole.DECIDER, 1, "review"),
    step_row("deliver", "送达", StepKind.DELIVERY, StepRole.WINDOW_CLERK, 1, "decide"),
]


def element_data(department, **overrides) -> dict:
    return {
        "name": "食品经营许可",
        "item_type": "01",
        "department": str(department.pk),
        "handling_kind": HandlingKind.PROMISED,
        "legal_limit_days": "20",
        "promised_limit_days": "5",
        "required_visits": "1",
        "online_depth": OnlineDepth.ONE_VISIT,
        "legal_basis": "《中华人民共和国食品安全法》",
        "legal_citations": "《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》",
        "acceptance_conditions": "申请人具备与经营的食品品种、数量相适应的经营场所",
        "fee_free": "on",
        "fee_basis": "",
        "delegated_from_level": "",
        "delegated_from_organ": "",
        "delegation_status": "",
        "consultation_phone": "025-80000000",
        "complaint_phone": "12345",
        "result_name": "食品经营许可证",
        "change_note": "",
    } | overrides


def add_data(zone, department, materials=None, steps=None, **overrides) -> dict:
    implementation_code, basic_code = item_codes(department)
    data = {
        "zone": str(zone.pk),
        "implementation_code": implementation_code,
        "basic_code": basic_code,
        **element_data(department),
    }
    data |= formset("materials", materials if materials is not None else [material_row("申请书")])
    data |= formset("steps", steps if steps is not None else STANDARD_STEPS)
    return data | overrides


def change_data(version: ItemVersion, **overrides) -> dict:
    """The draft's change form as the admin shows it, with ``overrides``."""
    data = element_data(version.department, name=version.name)
    materials = [
        {"id": str(m.pk), **material_row(m.name)} for m in version.materials.order_by("position")
    ]
    steps = [
        {
            "id": str(s.pk),
            **step_row(s.key, s.name, s.kind, s.role, s.limit_days, ",".join(s.after)),
        }
        for s in version.steps.order_by("position")
    ]
    data |= formset("materials", materials, initial=len(materials))
    data |= formset("steps", steps, initial=len(steps))
    return data | overrides


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


# -- every model is registered and opens ---------------------------------------------------------


@pytest.mark.parametrize("model", [Item, ItemVersion, Bundle, CertificateType])
def test_changelist_and_add_pages_open(admin_client, model, zone, department):
    make_item(zone, department)
    assert model in site._registry
    opts = model._meta
    assert (
        admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        ).status_code
        == 200
    )
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert response.status_code in (200, 302)


def test_admin_index_names_the_catalog_in_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    for name in ["事项", "事项版本", "一件事", "证照类型"]:
        assert name in html


# -- permissions -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get(reverse("admin:catalog_itemversion_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_applicants_are_refused(client, make_applicant_user):
    client.force_login(make_applicant_user())
    for name in ["catalog_item", "catalog_itemversion", "catalog_bundle"]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_staff_need_the_model_permission(client, make_staff, zone, department):
    user = make_staff(Role.ADMINISTRATOR, username="catalog_admin")
    otp_login(client, user)
    assert user.is_staff
    assert client.get(reverse("admin:catalog_itemversion_changelist")).status_code == 403
    user.user_permissions.add(
        Permission.objects.get(codename="view_itemversion", content_type__app_label="catalog")
    )
    user = User.objects.get(pk=user.pk)  # forget the cached permissions
    otp_login(client, user)
    assert client.get(reverse("admin:catalog_itemversion_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_itemversion_add")).status_code == 403


# -- items -----------------------------------------------------------------------------------------


def test_item_list_shows_codes_and_the_published_name(
    admin_client, zone, department, django_assert_max_num_queries
):
    version = make_item(zone, department, name="食品经营许可")
    make_item(zone, department, name="草稿事项", publish=False)
    with django_assert_max_num_queries(9):  # 8, and the second factor's device
        response = admin_client.get(reverse("admin:catalog_item_changelist"))
    html = response.content.decode()
    assert version.item.implementation_code in html
    assert "食品经营许可" in html and "v1" in html
    assert "未发布" in html  # the item with only a draft


def test_item_add_goes_to_the_first_version(admin_client, db):
    response = admin_client.get(reverse("admin:catalog_item_add"))
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_itemversion_add")


def test_item_page_lists_its_versions_read_only(admin_client, zone, department):
    version = make_item(zone, department, name="食品经营许可")
    response = admin_client.get(reverse("admin:catalog_item_change", args=[version.item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "食品经营许可" in html and "已发布" in html
    assert reverse("admin:catalog_itemversion_change", args=[version.pk]) in html


def test_new_item_is_created_through_the_service(admin_client, zone, department, superuser):
    data = add_data(zone, department)
    response = admin_client.post(reverse("admin:catalog_itemversion_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    version = ItemVersion.objects.get(item__implementation_code=data["implementation_code"])
    assert version.status == VersionStatus.DRAFT and version.version == 1
    assert version.legal_citations == [
        "《中华人民共和国食品安全法》第三十五条",
        "《食品经营许可和备案管理办法》",
    ]
    assert version.name_initials == "spjyxk"  # the service derived the search keys
    assert [m.name for m in version.materials.all()] == ["申请书"]
    assert [s.key for s in version.steps.all()] == ["accept", "review", "decide", "deliver"]
    assert version.steps.get(key="review").after == ["accept"]
    event = AuditEvent.objects.get(action="catalog.item_created")
    assert event.actor == superuser.username
    assert response.url == reverse("admin:catalog_itemversion_changelist")


def test_bad_codes_are_shown_next_to_the_code_field(admin_client, zone, department):
    data = add_data(zone, department, implementation_code="123")
    response = admin_client.post(reverse("admin:catalog_itemversion_add"), data)
    assert response.status_code == 200
    assert errors_of(response)["implementation_code"] == ["实施编码应为31位，现为3位"]
    assert not Item.objects.exists()  # nothing written


def test_taken_code_is_refused_on_its_field(admin_client, zone, department):
    existing = make_item(zone, department)
    data = add_data(
        zone,
        department,
        implementation_code=existing.item.implementation_code,
        basic_code=existing.item.basic_code,
    )
    response = admin_client.post(reverse("admin:catalog_itemversion_add"), data)
    assert response.status_code == 200
    assert "本区已有实施编码为" in errors_of(response)["implementation_code"][0]


def test_element_rules_are_shown_next_to_their_fields(admin_client, zone, department):
    data = add_data(zone, department, promised_limit_days="30", legal_limit_days="20")
    response = admin_client.post(reverse("admin:catalog_itemversion_add"), data)
    assert response.status_code == 200
    assert errors_of(response)["promised_limit_days"] == [
        "承诺办结时限（30个工作日）不能超过法定办结时限（20个工作日）"
    ]
    html = response.content.decode()
    assert "承诺办结时限（30个工作日）不能超过法定办结时限（20个工作日）" in html
    assert not Item.objects.exists()


def test_material_errors_land_on_the_material_row(admin_client, zone, department):
    rows = [material_row("申请书"), material_row("营业执照", source="certificate")]
    response = admin_client.post(
        reverse("admin:catalog_itemversion_add"), add_data(zone, department, materials=rows)
    )
    assert response.status_code == 200
    material_formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.model is Material
    ).formset
    assert material_formset.forms[1].errors["certificate_type"] == [
        "第2项材料：“营业执照”来源为电子证照调取，应选择对应证照"
    ]
    assert not material_formset.forms[0].errors


def test_step_errors_are_shown_above_the_steps(admin_client, zone, department):
    steps = [*STANDARD_STEPS[:3], step_row("deliver", "送达", "delivery", "window_clerk", 1, "x")]
    response = admin_client.post(
        reverse("admin:catalog_itemversion_add"), add_data(zone, department, steps=steps)
    )
    assert response.status_code == 200
    step_formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.model is Step
    ).formset
    assert "环节“deliver”的前置环节“x”不存在" in step_formset.non_form_errors()
    assert "环节“deliver”的前置环节“x”不存在" in response.content.decode()


def test_draft_is_updated_through_the_service(admin_client, zone, department):
    draft = make_item(zone, department, name="旧名称", publish=False)
    data = change_data(draft, name="食品经营许可（仅销售预包装食品备案）")
    data["materials-1-DELETE"] = "on"
    response = admin_client.post(reverse("admin:catalog_itemversion_change", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.name == "食品经营许可（仅销售预包装食品备案）"
    assert draft.status == VersionStatus.DRAFT
    assert [m.name for m in draft.materials.all()] == ["申请表"]
    assert AuditEvent.objects.filter(action="catalog.item_draft_updated").count() == 1


def test_save_and_publish_shows_the_refusal_next_to_the_field(admin_client, zone, department):
    draft = make_item(zone, department, publish=False)
    data = change_data(draft, legal_basis="", _publish="保存并发布")
    response = admin_client.post(reverse("admin:catalog_itemversion_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert errors_of(response)["legal_basis"] == ["设定依据不能为空"]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.legal_basis  # the edit was rolled back with the refused publication


def test_save_and_publish(admin_client, zone, department):
    draft = make_item(zone, department, publish=False)
    url = reverse("admin:catalog_itemversion_change", args=[draft.pk])
    assert "保存并发布" in admin_client.get(url).content.decode()
    response = admin_client.post(url, change_data(draft, _publish="保存并发布"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_published_version_is_read_only(admin_client, zone, department):
    version = make_item(zone, department, name="食品经营许可")
    url = reverse("admin:catalog_itemversion_change", args=[version.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' not in html  # no input: shown as text
    assert "创建新草稿版本" in html and "保存并发布" not in html
    assert admin_client.post(url, change_data(version, name="改名")).status_code == 403
    version.refresh_from_db()
    assert version.name == "食品经营许可"


def test_create_draft_action_copies_the_published_version(admin_client, zone, department):
    version = make_item(zone, department, name="食品经营许可")
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "create_draft", "_selected_action": [str(version.pk)]},
        follow=True,
    )
    draft = ItemVersion.objects.get(item=version.item, status=VersionStatus.DRAFT)
    assert draft.version == 2 and draft.name == "食品经营许可"
    assert draft.materials.count() == version.materials.count()
    html = response.content.decode()
    assert "草稿版本已就绪" in html
    assert reverse("admin:catalog_itemversion_change", args=[draft.pk]) in html
    # asked again: the same draft, not a third version
    admin_client.post(
        reverse("admin:catalog_item_changelist"),
        {"action": "create_draft", "_selected_action": [str(version.item.pk)]},
    )
    assert version.item.versions.count() == 2


def test_publish_action_reports_every_problem(admin_client, zone, department):
    draft = make_item(zone, department, name="待发布事项", publish=False, materials=[])
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "publish", "_selected_action": [str(draft.pk)]},
        follow=True,
    )
    html = response.content.decode()
    assert "待发布事项（v1）：至少需要一项申请材料" in html
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publish_action_publishes_and_retires_the_previous_version(admin_client, zone, department):
    version = make_item(zone, department, name="食品经营许可")
    admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "create_draft", "_selected_action": [str(version.pk)]},
    )
    draft = ItemVersion.objects.get(item=version.item, status=VersionStatus.DRAFT)
    response = admin_client.post(
        reverse("admin:catalog_itemversion_changelist"),
        {"action": "publish", "_selected_action": [str(draft.pk)]},
        follow=True,
    )
    assert "已发布：食品经营许可（v2）" in response.content.decode()
    version.refresh_from_db()
    draft.refresh_from_db()
    assert (version.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)


def test_version_list_filters_and_search(admin_client, zone, department, other_department):
    make_item(zone, department, name="食品经营许可")
    make_item(zone, other_department, name="建筑工程施工许可")
    url = reverse("admin:catalog_itemversion_changelist")
    html = admin_client.get(url, {"q": "spjy"}).content.decode()
    assert "食品经营许可" in html and "建筑工程施工许可" not in html
    html = admin_client.get(url, {"department__id__exact": other_department.pk}).content.decode()
    assert "建筑工程施工许可" in html and "食品经营许可" not in html
    html = admin_client.get(url, {"status__exact": "draft"}).content.decode()
    assert "食品经营许可" not in html


def test_retire_action(admin_client, zone, department):
    version = make_item(zone, department, name="食品经营许可")
    admin_client.post(
        reverse("admin:catalog_item_changelist"),
        {"action": "retire", "_selected_action": [str(version.item.pk)]},
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.RETIRED


# -- bundles ---------------------------------------------------------------------------------


def bundle_data(zone, department, items, **overrides) -> dict:
    data = {
        "zone": str(zone.pk),
        "code": "foreigner-work",
        "name": "外国人来华工作一件事",
        "description": "",
        "lead_department": str(department.pk),
        "promised_limit_days": "4",
        "required_visits": "1",
        "form_fields": "[]",
    }
    rows = [{"position": str(n), "item": str(item.pk)} for n, item in enumerate(items, 1)]
    return data | formset("bundle_items", rows) | overrides


def test_bundle_is_saved_through_the_service(admin_client, zone, department):
    work = make_item(zone, department, name="外国人来华工作许可")
    residence = make_item(zone, department, name="外国人居留许可")
    response = admin_client.post(
        reverse("admin:catalog_bundle_add"),
        bundle_data(zone, department, [residence.item, work.item]),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    bundle = Bundle.objects.get(code="foreigner-work")
    assert [bi.item for bi in BundleItem.objects.filter(bundle=bundle)] == [
        residence.item,
        work.item,
    ]
    assert bundle.name_initials  # search keys come from the service
    assert AuditEvent.objects.filter(action="catalog.bundle_created").exists()


def test_bundle_refusal_is_shown_next_to_the_field(admin_client, zone, department):
    work = make_item(zone, department)
    response = admin_client.post(
        reverse("admin:catalog_bundle_add"),
        bundle_data(zone, department, [work.item], code="Foreigner-Work"),
    )
    assert response.status_code == 200
    assert errors_of(response)["code"] == [
        "一件事编码应以小写字母或数字开头，只含小写字母、数字、下划线或连字符，最长40位"
    ]
    assert not Bundle.objects.exists()


def test_bundle_publish_action_refused_then_published(admin_client, zone, department):
    work = make_item(zone, department, name="外国人来华工作许可")
    bundle = make_bundle(zone, department, items=[work.item])
    url = reverse("admin:catalog_bundle_changelist")
    response = admin_client.post(
        url, {"action": "publish", "_selected_action": [str(bundle.pk)]}, follow=True
    )
    assert "一件事至少需要包含两个事项" in response.content.decode()
    bundle.refresh_from_db()
    assert bundle.status == VersionStatus.DRAFT

    residence = make_item(zone, department, name="外国人居留许可")
    BundleItem.objects.create(bundle=bundle, item=residence.item, position=2)
    response = admin_client.post(
        url, {"action": "publish", "_selected_action": [str(bundle.pk)]}, follow=True
    )
    assert "已发布：测试一件事" in response.content.decode()
    bundle.refresh_from_db()
    assert bundle.status == VersionStatus.PUBLISHED
    # published: read-only until withdrawn
    change = reverse("admin:catalog_bundle_change", args=[bundle.pk])
    assert admin_client.post(change, bundle_data(zone, department, [])).status_code == 403


# -- certificate types -------------------------------------------------------------------------


def test_certificate_type_code_is_validated(admin_client, db):
    response = admin_client.post(
        reverse("admin:certificates_certificatetype_add"),
        {"code": "abc", "name": "营业执照", "validity": "permanent", "fields": "[]"},
    )
    assert response.status_code == 200
    assert errors_of(response)["code"] == ["证照类型代码应为发证机构代码加 3 位数字"]
    make_certificate_type()
    html = admin_client.get(reverse("admin:certificates_certificatetype_changelist")).content
    assert "营业执照" in html.decode()
