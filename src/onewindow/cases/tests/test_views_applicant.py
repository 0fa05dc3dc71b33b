"""The applicant's and the public's pages: apply online, the confirmation, my cases,
material supplements, the public progress lookup and the in-app messages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from onewindow.cases import throttle, views_applicant
from onewindow.cases.constants import AcceptanceMode, CaseStatus, MaterialState
from onewindow.cases.models import Case, CaseMaterial, DraftFile
from onewindow.cases.services import case_accept, case_create, case_request_correction
from onewindow.cases.tests.factories import PDF_BYTES, World, pdf_upload
from onewindow.catalog.constants import OnlineDepth
from onewindow.catalog.tests.factories import (
    make_bundle,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.core.models import Notification
from onewindow.testing.calendar import reset_calendar_cache
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

BUNDLE_FIELDS = [
    {"key": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"key": "employees", "label": "从业人数", "type": "number", "required": True},
    {"key": "opening_date", "label": "拟开业日期", "type": "date", "required": False},
    {"key": "scale", "label": "经营规模", "type": "select", "required": False,
     "options": ["小型", "中型"]},
]  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_caches():
    """The throttle counts in Django's cache; calendars are cached by revision."""
    cache.clear()
    reset_calendar_cache()
    yield
    cache.clear()
    reset_calendar_cache()


def png_upload(name: str = "照片.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def exe_upload(name: str = "申请表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def apply_url(world: World) -> str:
    return reverse("cases:apply_item", args=[world.item.item.implementation_code])


def item_post(world: World, **overrides) -> dict:
    """A complete application for 食品经营许可 (materials 1–4: 申请表, 营业场所证明,
    安全管理制度, 情况说明)."""
    data = {
        "applicant": str(world.applicant.pk),
        "contact": "张三",
        "phone": "13800000000",
        "description": "新开门店",
        "material_1": pdf_upload("申请表.pdf"),
        "material_2": png_upload("场所.png"),
        "material_3": pdf_upload("制度.pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(html: str, field_id: str) -> str:
    """The error block rendered next to the input ``field_id``."""
    match = re.search(rf'id="{field_id}_error"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


# -- apply for an item ---------------------------------------------------------------------


def test_apply_form_lists_identity_fields_and_materials(client, world):
    response = client_for(world.applicant_user, client=client).get(apply_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    # The only identity is preselected.
    assert re.search(rf'value="{world.applicant.pk}"[^>]*checked', html)
    for name in ("contact", "phone", "description"):
        assert f'name="{name}"' in html
    for number in (1, 2, 3, 4):
        assert f'name="material_{number}"' in html
    assert "营业场所证明" in html and "可容缺" in html
    assert "PDF、JPEG、PNG、OFD" in html and "20 MB" in html
    assert 'enctype="multipart/form-data"' in html


def test_apply_item_creates_submits_and_stores_every_file(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:apply_done", args=[case.number])
    assert case.status == CaseStatus.SUBMITTED
    assert case.channel == "online" and case.submitted_by == world.applicant_user
    assert case.applicant == world.applicant and case.item_version == world.item
    assert case.form_data == {"contact": "张三", "phone": "13800000000", "description": "新开门店"}
    rows = {row.name: row for row in case.materials.all()}
    assert rows["申请表"].state == MaterialState.UPLOADED
    assert rows["申请表"].content_type == "application/pdf"
    assert rows["营业场所证明"].content_type == "image/png"
    assert rows["营业场所证明"].file.read().startswith(b"\x89PNG")
    assert rows["安全管理制度"].state == MaterialState.UPLOADED
    assert rows["情况说明"].state == MaterialState.MISSING  # optional, left empty


def test_apply_without_required_material_submits_and_done_page_warns(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, material_2=None))
    case = Case.objects.get()
    assert response.status_code == 302 and case.status == CaseStatus.SUBMITTED
    done = client.get(response["Location"]).content.decode()
    missing = done[done.index('id="missing-title"') :]
    assert "营业场所证明" in missing and "窗口预审时可能要求补正" in missing
    assert "情况说明" not in missing  # optional materials are no warning
    row = case.materials.get(name="营业场所证明")
    assert reverse("cases:material_upload", args=[case.number, row.pk]) in done


def test_shared_and_certificate_materials_are_explained(client, world):
    licence = make_certificate_type(code="11100000MB0000001A009", name="营业执照")
    version = make_item(
        world.zone,
        world.department,
        name="食品经营许可延续",
        materials=[
            material("申请表"),
            material("营业执照", source="certificate", certificate_type=licence, originals=0),
            material("卫生检验报告", source="department", source_department=world.other_department),
        ],
    )
    url = reverse("cases:apply_item", args=[version.item.implementation_code])
    client_for(world.applicant_user, client=client)
    html = client.get(url).content.decode()
    assert 'name="material_1"' in html and 'name="material_2"' in html
    assert 'name="material_3"' not in html  # shared: nothing to upload
    assert "您的电子证照库中没有该证照的有效电子证照，请上传" in html  # none in the wallet
    assert "部门共享：由窗口通过数据共享获取，无需上传" in html
    data = {"applicant": world.applicant.pk, "contact": "张三", "phone": "025-80000000"}
    response = client.post(url, data | {"material_1": pdf_upload()})
    assert response.status_code == 302
    states = dict(Case.objects.get().materials.values_list("name", "state"))
    assert states == {
        "申请表": MaterialState.UPLOADED,
        "营业执照": MaterialState.MISSING,
        "卫生检验报告": MaterialState.SHARED,
    }


def test_missing_contact_is_refused_next_to_the_field_and_creates_nothing(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, contact=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert "联系人：此项为必填项" in field_errors(html, "id_contact")
    assert 'value="13800000000"' in html  # the other fields keep their values
    assert Case.objects.count() == 0


def test_bad_phone_is_refused_next_to_the_field(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, phone="电话"))
    assert response.status_code == 422
    assert "联系电话：请填写有效的电话号码" in field_errors(response.content.decode(), "id_phone")
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (exe_upload(), "文件类型不允许（该文件是可执行程序）"),
        (SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"), "文件为空"),
    ],
    ids=["exe-renamed-pdf", "empty"],
)
def test_bad_upload_is_refused_next_to_its_material_and_the_good_ones_are_kept(
    client, world, upload, message
):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, material_3=upload))
    assert response.status_code == 422
    html = response.content.decode()
    errors = field_errors(html, "id_material_3")
    assert "安全管理制度：" in errors and message in errors
    assert field_errors(html, "id_material_1") == ""  # the good files are not blamed
    assert 'value="张三"' in html and "新开门店" in html
    # The two good files are kept in the draft and shown; the refused one is not.
    kept = DraftFile.objects.filter(draft__user=world.applicant_user)
    assert sorted(row.original_name for row in kept) == ["场所.png", "申请表.pdf"]
    assert "已上传的 2 个文件已保存在草稿中，无需重新选择" in html
    assert 'id="kept-material_1"' in html and 'id="kept-material_3"' not in html
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_too_large_upload_is_refused(client, world, settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, material_2=None, material_3=None))
    assert response.status_code == 422
    errors = field_errors(response.content.decode(), "id_material_1")
    assert "申请表：文件过大" in errors
    assert Case.objects.count() == 0


def test_a_failure_after_files_were_stored_leaves_no_case_and_no_file(client, world, monkeypatch):
    """Files written before a later step fails go with the rolled-back rows."""
    from onewindow.cases.services import application
    from onewindow.core.errors import Conflict

    stored = []
    real_upload = application.material_upload

    def recording_upload(**kwargs):
        row = real_upload(**kwargs)
        stored.append(row.file.name)
        return row

    def failing_submit(**kwargs):
        raise Conflict("模拟提交失败", code="simulated")

    monkeypatch.setattr(application, "material_upload", recording_upload)
    monkeypatch.setattr(application, "case_submit", failing_submit)
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world))
    assert response.status_code == 409
    assert "模拟提交失败" in response.content.decode()
    assert Case.objects.count() == 0
    assert len(stored) == 3
    storage = CaseMaterial._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in stored)


def test_applicant_not_represented_is_refused(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(
        apply_url(world), item_post(world, applicant=str(world.other_applicant.pk))
    )
    assert response.status_code == 422
    assert "申请人：您不能代表所选的申请人" in response.content.decode()
    assert Case.objects.count() == 0


def test_user_without_identity_is_told_how_to_proceed(client, world):
    client_for(world.stranger, client=client)
    page = client.get(apply_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "尚未关联申请人身份" in html and reverse("home") in html
    assert 'name="material_1"' not in html
    response = client.post(apply_url(world), item_post(world, applicant=str(world.applicant.pk)))
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_staff_are_refused_and_anonymous_users_sent_to_login(client, world):
    client_for(world.clerk, client=client)
    assert client.get(apply_url(world)).status_code == 403
    assert client.post(apply_url(world), item_post(world)).status_code == 403
    client.logout()
    response = client.get(apply_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert Case.objects.count() == 0


def test_unpublished_item_is_not_found(client, world):
    draft = make_item(world.zone, world.department, name="未发布事项", publish=False)
    client_for(world.applicant_user, client=client)
    url = reverse("cases:apply_item", args=[draft.item.implementation_code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"applicant": world.applicant.pk}).status_code == 404
    assert client.get(reverse("cases:apply_item", args=["NOPE"])).status_code == 404
    assert Case.objects.count() == 0


def test_item_only_guided_online_cannot_be_applied_for_online(client, world):
    guide_only = make_item(
        world.zone, world.department, name="仅网上咨询事项", online_depth=OnlineDepth.GUIDE
    )
    client_for(world.applicant_user, client=client)
    url = reverse("cases:apply_item", args=[guide_only.item.implementation_code])
    response = client.get(url)
    assert response.status_code == 404
    assert "暂不支持在线申请" in response.content.decode()
    assert client.post(url, {"applicant": world.applicant.pk}).status_code == 404
    assert Case.objects.count() == 0


def test_pressing_submit_twice_makes_one_application(client, world):
    client_for(world.applicant_user, client=client)
    first = client.post(apply_url(world), item_post(world, idempotency_key="tok-1"))
    second = client.post(apply_url(world), item_post(world, idempotency_key="tok-1"))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


# -- apply for a bundle --------------------------------------------------------------------


@pytest.fixture
def form_bundle(world):
    return make_bundle(
        world.zone,
        world.department,
        items=[world.item.item, world.other_item.item],
        code="food-and-build",
        name="开店一件事",
        promised_limit_days=12,
        form_fields=BUNDLE_FIELDS,
        publish=True,
    )


def bundle_post(world, **overrides) -> dict:
    """Merged materials: 申请表 (both items), 营业场所证明, 安全管理制度, 情况说明, 施工合同."""
    data = {
        "applicant": str(world.applicant.pk),
        "form_company_name": "示范科技有限公司",
        "form_employees": "25",
        "form_opening_date": "2026-06-01",
        "form_scale": "小型",
        "material_1": pdf_upload("申请表.pdf"),
        "material_2": pdf_upload("场所.pdf"),
        "material_3": png_upload("制度.png"),
        "material_5": pdf_upload("合同.pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_apply_bundle_form_shows_its_fields_and_merged_materials(client, world, form_bundle):
    client_for(world.applicant_user, client=client)
    html = client.get(reverse("cases:apply_bundle", args=[form_bundle.code])).content.decode()
    for name in ("form_company_name", "form_employees", "form_opening_date", "form_scale"):
        assert f'name="{name}"' in html
    assert 'name="contact"' not in html
    assert html.count('type="file"') == 5  # 申请表 asked once for both items
    assert "只交一次" in html


def test_apply_bundle_creates_parent_children_and_materials(client, world, form_bundle):
    client_for(world.applicant_user, client=client)
    response = client.post(
        reverse("cases:apply_bundle", args=[form_bundle.code]), bundle_post(world)
    )
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("cases:apply_done", args=[parent.number])
    assert parent.bundle == form_bundle and parent.status == CaseStatus.SUBMITTED
    assert parent.form_data == {
        "company_name": "示范科技有限公司",
        "employees": "25",
        "opening_date": "2026-06-01",
        "scale": "小型",
    }
    children = list(parent.children.order_by("pk"))
    assert [child.item_version for child in children] == [world.item, world.other_item]
    assert all(child.status == CaseStatus.SUBMITTED for child in children)
    states = dict(parent.materials.values_list("name", "state"))
    assert states == {
        "申请表": MaterialState.UPLOADED,
        "营业场所证明": MaterialState.UPLOADED,
        "安全管理制度": MaterialState.UPLOADED,
        "情况说明": MaterialState.MISSING,
        "施工合同": MaterialState.UPLOADED,
    }
    done = client.get(response["Location"]).content.decode()
    assert all(child.number in done for child in children)


def test_bundle_missing_required_field_is_refused(client, world, form_bundle):
    client_for(world.applicant_user, client=client)
    response = client.post(
        reverse("cases:apply_bundle", args=[form_bundle.code]),
        bundle_post(world, form_company_name="", form_employees="许多"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "企业名称：此项为必填项" in field_errors(html, "id_form_company_name")
    assert "从业人数：请填写数字" in field_errors(html, "id_form_employees")
    assert Case.objects.count() == 0


def test_bundle_bad_upload_creates_nothing(client, world, form_bundle):
    client_for(world.applicant_user, client=client)
    response = client.post(
        reverse("cases:apply_bundle", args=[form_bundle.code]),
        bundle_post(world, material_5=exe_upload("合同.pdf")),
    )
    assert response.status_code == 422
    assert "施工合同：" in field_errors(response.content.decode(), "id_material_5")
    assert Case.objects.count() == 0


def test_unpublished_bundle_is_not_found(client, world):
    draft = make_bundle(world.zone, world.department, items=[world.item.item], code="draft-one")
    client_for(world.applicant_user, client=client)
    assert client.get(reverse("cases:apply_bundle", args=[draft.code])).status_code == 404


# -- the confirmation ----------------------------------------------------------------------


def test_done_page_shows_number_query_code_and_links(client, world):
    case = world.submit()
    client_for(world.applicant_user, client=client)
    response = client.get(reverse("cases:apply_done", args=[case.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and case.query_code in html
    assert reverse("cases:case", args=[case.number]) in html
    assert f"{reverse('cases:track')}?number={case.number}&amp;code={case.query_code}" in html
    assert "10 个工作日内办结" in html
    assert "missing-title" not in html  # every required material was uploaded


def test_done_page_of_another_users_case_is_not_found(client, world):
    case = world.submit()
    client_for(world.stranger, client=client)
    assert client.get(reverse("cases:apply_done", args=[case.number])).status_code == 404
    client.logout()
    response = client.get(reverse("cases:apply_done", args=[case.number]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_done_page_of_a_child_goes_to_its_parent(client, world):
    parent = world.submit(bundle=world.bundle)
    child = parent.children.first()
    client_for(world.applicant_user, client=client)
    response = client.get(reverse("cases:apply_done", args=[child.number]))
    assert response["Location"] == reverse("cases:apply_done", args=[parent.number])


# -- my cases ------------------------------------------------------------------------------


def test_my_cases_lists_only_own_parent_cases_newest_first(client, world):
    older = world.submit()
    bundle_case = world.submit(bundle=world.bundle)
    others = case_create(
        actor=world.clerk,
        applicant=world.other_applicant,
        item_version=world.item,
        channel="window",
        form_data={},
    )
    client_for(world.applicant_user, client=client)
    response = client.get(reverse("cases:my_cases"))
    assert response.status_code == 200
    html = response.content.decode()
    assert others.number not in html
    assert html.index(bundle_case.number) < html.index(older.number)
    rows = re.findall(r'<tr class="[^"]*">', html)
    assert len(rows) == 2  # children are listed under their parent, not as rows
    for child in bundle_case.children.all():
        assert reverse("cases:case", args=[child.number]) in html  # under the parent
    assert "受理后开始计时" in html


def test_my_cases_marks_what_needs_the_applicant(client, world):
    correction = world.submit()
    case_request_correction(case=correction, actor=world.clerk, items=["申请表缺少签字"])
    tolerated_case = world.submit(skip=("营业场所证明",))
    row = tolerated_case.materials.get(name="营业场所证明")
    case_accept(
        case=tolerated_case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[row.pk]
    )
    client_for(world.applicant_user, client=client)
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert html.count("row--action") == 2
    assert "待补正" in html and "容缺待补" in html
    assert "signal--green" in html and "绿灯" in html


def test_my_cases_is_paginated(client, world, monkeypatch):
    monkeypatch.setattr(views_applicant, "PAGE_SIZE", 2)
    numbers = [world.submit(upload=False).number for _ in range(3)]
    client_for(world.applicant_user, client=client)
    first = client.get(reverse("cases:my_cases")).content.decode()
    second = client.get(reverse("cases:my_cases") + "?page=2").content.decode()
    assert numbers[2] in first and numbers[1] in first and numbers[0] not in first
    assert numbers[0] in second and "第 2 页，共 2 页" in second


def test_my_cases_query_count_does_not_grow_with_the_page(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:my_cases")).status_code == 200
        return len(captured)

    world.accepted()
    world.submit(bundle=world.bundle)
    client_for(world.applicant_user, client=client)
    few = queries()
    world.accepted()
    world.submit(bundle=world.bundle)
    world.submit(upload=False)
    assert queries() == few


def test_my_cases_refuses_staff(client, world):
    client_for(world.clerk, client=client)
    assert client.get(reverse("cases:my_cases")).status_code == 403


def test_my_cases_is_empty_for_a_user_without_identity(client, world):
    world.submit()
    client_for(world.stranger, client=client)
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert "您还没有提交过申请" in html


# -- one material --------------------------------------------------------------------------


def tolerated_case(world):
    case = world.submit(skip=("营业场所证明",))
    row = case.materials.get(name="营业场所证明")
    case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[row.pk])
    return Case.objects.get(pk=case.pk), row


def upload_url(case, row) -> str:
    return reverse("cases:material_upload", args=[case.number, row.pk])


def test_supplementing_a_tolerated_material_after_acceptance(client, world):
    case, row = tolerated_case(world)
    assert case.tolerance_due_on is not None
    client_for(world.applicant_user, client=client)
    page = client.get(upload_url(case, row))
    assert page.status_code == 200 and "容缺补齐期限" in page.content.decode()
    response = client.post(upload_url(case, row), {"file": png_upload()})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number])
    row.refresh_from_db()
    case.refresh_from_db()
    assert row.state == MaterialState.UPLOADED and row.supplemented_at is not None
    assert case.tolerance_due_on is None


def test_bad_supplement_is_refused_and_changes_nothing(client, world):
    case, row = tolerated_case(world)
    client_for(world.applicant_user, client=client)
    response = client.post(upload_url(case, row), {"file": exe_upload("场所.pdf")})
    assert response.status_code == 422
    errors = field_errors(response.content.decode(), "id_file")
    assert "营业场所证明：文件类型不允许" in errors
    row.refresh_from_db()
    assert row.state == MaterialState.TOLERATED and not row.file


def test_upload_without_a_file_is_refused(client, world):
    case, row = tolerated_case(world)
    client_for(world.applicant_user, client=client)
    response = client.post(upload_url(case, row), {})
    assert response.status_code == 422
    assert "营业场所证明：请选择要上传的文件" in field_errors(response.content.decode(), "id_file")


def test_upload_of_a_material_locked_after_acceptance_is_refused(client, world):
    case, _row = tolerated_case(world)
    uploaded = case.materials.get(name="申请表")
    client_for(world.applicant_user, client=client)
    response = client.post(upload_url(case, uploaded), {"file": pdf_upload()})
    assert response.status_code == 409
    assert "该材料不能再上传" in response.content.decode()


def test_upload_refused_for_a_case_one_cannot_see(client, world):
    case, row = tolerated_case(world)
    client_for(world.stranger, client=client)
    assert client.get(upload_url(case, row)).status_code == 404
    assert client.post(upload_url(case, row), {"file": pdf_upload()}).status_code == 404
    client_for(world.other_reviewer, client=client)
    assert client.post(upload_url(case, row), {"file": pdf_upload()}).status_code == 404
    row.refresh_from_db()
    assert row.state == MaterialState.TOLERATED


def test_upload_refused_for_a_reviewer_who_sees_the_case(client, world):
    case, row = tolerated_case(world)
    client_for(world.reviewer, client=client)
    assert client.get(upload_url(case, row)).status_code == 403
    assert client.post(upload_url(case, row), {"file": pdf_upload()}).status_code == 403


def test_upload_of_another_cases_material_is_not_found(client, world):
    _case, row = tolerated_case(world)
    other = world.submit()
    client_for(world.applicant_user, client=client)
    assert client.get(upload_url(other, row)).status_code == 404


def test_window_clerk_uploads_during_pre_review(client, world):
    case = world.submit(skip=("营业场所证明",))
    row = case.materials.get(name="营业场所证明")
    client_for(world.clerk, client=client)
    response = client.post(upload_url(case, row), {"file": pdf_upload()})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == MaterialState.UPLOADED and row.uploaded_by == world.clerk


def test_upload_for_a_child_case_goes_to_the_parents_material(client, world):
    parent = world.submit(bundle=world.bundle, skip=("施工合同",))
    child = parent.children.order_by("pk").last()
    row = parent.materials.get(name="施工合同")
    client_for(world.applicant_user, client=client)
    response = client.post(upload_url(child, row), {"file": pdf_upload()})
    assert response["Location"] == reverse("cases:case", args=[child.number])
    row.refresh_from_db()
    assert row.state == MaterialState.UPLOADED


# -- public progress -----------------------------------------------------------------------


def track(client, number, code):
    return client.get(reverse("cases:track"), {"number": number, "code": code})


def test_track_shows_progress_without_personal_data(client, world):
    case = world.accepted()
    response = track(client, case.number.lower(), case.query_code.lower())
    assert response.status_code == 200
    html = response.content.decode()
    assert "食品经营许可" in html and "审查中" in html
    steps = re.search(r'<ol class="track-steps">(.*?)</ol>', html, re.S).group(1)
    names = re.findall(r'track-steps__name">(.*?)</span>', steps)
    statuses = re.findall(r'track-steps__status">(.*?)</span>', steps)
    assert list(zip(names, statuses, strict=True)) == [("受理", "已完成"), ("审查", "待签收")]
    assert case.deadline.strftime("%Y-%m-%d") in html
    for private in (
        world.applicant.name,
        world.applicant.uscc,
        world.applicant.legal_representative,
        world.applicant.phone,
        "张三",
        "13800000000",
        "申请表",
        world.clerk.display_name,
    ):
        assert private not in html


def full_width(text: str) -> str:
    """What an input method in full-width mode types for ASCII letters and digits."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def without_echo(html: str) -> str:
    """The page without what it echoes of the input (the fields' values)."""
    return re.sub(r'value="[^"]*"', 'value=""', html)


#: The start of a minute: request limits count in windows aligned on the clock.
THROTTLE_MINUTE = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

#: Codes that are wrong for every case: nothing here may answer differently for an
#: existing number than for a missing one, or fail.
WRONG_CODES = [
    "ZZZZZZZZ",
    "Ａ",  # full-width mode of an input method
    "\u00e9",
    "😀",
    "码码码码",
    "A" * 5000,
    "\u0301",  # a combining mark alone
]


@pytest.mark.parametrize("code", WRONG_CODES)
def test_track_answers_a_wrong_code_exactly_as_a_missing_number(client, world, code):
    # given an existing case
    case = world.submit()
    # when the code is wrong, for the case's number and for numbers that exist nowhere
    answers = [
        track(client, case.number, code),
        track(client, "SFQ-2000-0000001", code),
        track(client, "不是编号", code),
        track(client, "Ｓ" * 300, code),
        track(client, "SFQ-2000-0000001", case.query_code),
    ]
    # then one answer: same status, same page apart from the echoed input
    expected = without_echo(answers[0].content.decode())
    for response in answers:
        assert response.status_code == 404
        html = response.content.decode()
        assert "办件编号或查询码不正确" in html
        assert "食品经营许可" not in html
        assert without_echo(html) == expected


def test_track_folds_full_width_input_of_the_right_code(client, world):
    case = world.accepted()
    response = track(client, full_width(case.number.lower()), full_width(case.query_code))
    assert response.status_code == 200
    assert "食品经营许可" in response.content.decode()


def test_track_without_query_shows_the_form_and_missing_fields_are_named(client, world):
    empty = client.get(reverse("cases:track"))
    assert empty.status_code == 200 and 'name="number"' in empty.content.decode()
    case = world.submit()
    # an empty code is named, and alike for an existing and a missing number
    answers = [
        client.get(reverse("cases:track"), {"number": number, "code": " "})
        for number in (case.number, "SFQ-2000-0000001")
    ]
    for response in answers:
        assert response.status_code == 422
        assert "查询码：请填写查询码" in field_errors(response.content.decode(), "id_code")
    assert without_echo(answers[0].content.decode()) == without_echo(answers[1].content.decode())


def test_track_is_throttled_per_address(client, world):
    case = world.submit()
    with time_machine.travel(THROTTLE_MINUTE, tick=False):
        for _ in range(throttle.TRACK.limit):
            assert track(client, case.number, "WRONG123").status_code == 404
        response = track(client, case.number, case.query_code)
        other = client.get(
            reverse("cases:track"),
            {"number": case.number, "code": case.query_code},
            REMOTE_ADDR="10.0.0.9",
        )
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert other.status_code == 200


def test_track_page_and_api_share_one_allowance(client, world):
    # given half the allowance used on the page and half through the API
    case = world.submit()
    half = throttle.TRACK.limit // 2
    with time_machine.travel(THROTTLE_MINUTE, tick=False):
        for _ in range(half):
            assert track(client, case.number, "WRONG123").status_code == 404
        for _ in range(throttle.TRACK.limit - half):
            api = client.get(f"/api/v1/track/{case.number}", {"code": "WRONG123"})
            assert api.status_code == 404
        # when either asks once more, then both are refused
        page = track(client, case.number, case.query_code)
        api = client.get(f"/api/v1/track/{case.number}", {"code": case.query_code})
    assert page.status_code == 429 and api.status_code == 429
    assert page["Retry-After"] == api["Retry-After"] == "60"
    assert api.json()["code"] == "throttled"


# -- links from the guides and the home page -----------------------------------------------


def test_item_guide_offers_online_application_only_when_the_depth_allows(client, world):
    guide = client.get(reverse("item_guide", args=[world.item.item.implementation_code]))
    assert reverse("cases:apply_item", args=[world.item.item.implementation_code]) in (
        guide.content.decode()
    )
    guide_only = make_item(
        world.zone, world.department, name="仅网上咨询事项", online_depth=OnlineDepth.GUIDE
    )
    page = client.get(reverse("item_guide", args=[guide_only.item.implementation_code]))
    assert "在线申请" not in page.content.decode()


def test_bundle_guide_offers_online_application(client, world):
    page = client.get(reverse("bundle_guide", args=[world.bundle.code])).content.decode()
    assert reverse("cases:apply_bundle", args=[world.bundle.code]) in page


def test_bundle_with_an_item_only_guided_online_is_applied_for_at_the_window(client, world):
    guide_only = make_item(
        world.zone, world.other_department, name="仅网上咨询事项", online_depth=OnlineDepth.GUIDE
    )
    bundle = make_bundle(
        world.zone,
        world.department,
        items=[world.item.item, guide_only.item],
        code="mixed",
        publish=True,
    )
    page = client.get(reverse("bundle_guide", args=[bundle.code])).content.decode()
    assert reverse("cases:apply_bundle", args=[bundle.code]) not in page
    client_for(world.applicant_user, client=client)
    response = client.get(reverse("cases:apply_bundle", args=[bundle.code]))
    assert response.status_code == 404
    assert "暂不支持在线申请" in response.content.decode()


def test_applicant_home_links_cases_and_messages(client, world):
    Notification.objects.create(
        recipient=world.applicant_user, kind="status", text="新消息", created_at=timezone.now()
    )
    client_for(world.applicant_user, client=client)
    html = client.get(reverse("home")).content.decode()
    assert reverse("cases:my_cases") in html and reverse("notifications") in html
