"""申请草稿 (ADR 0027) and the application form's pre-fill: what the applicant gave is
kept server-side (checked files, typed values), shown again, removable, resumed from "my
cases", moved into the case at submission, served to its owner only, and expired."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from onewindow.cases.constants import DRAFT_KEEP_DAYS, DraftEventAction, MaterialState
from onewindow.cases.forms_applicant import ApplyForm, prefill
from onewindow.cases.models import ApplicationDraft, Case, DraftFile, material_storage
from onewindow.cases.services import (
    MaterialFile,
    case_apply,
    draft_discard,
    draft_file_remove,
    draft_keep,
    drafts_expire,
)
from onewindow.cases.tests.factories import World, make_bundle, pdf_upload
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.tests.factories import uscc_for
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind, Capacity
from onewindow.org.models import Applicant, Representation
from onewindow.org.services import applicant_register
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def lines(world: World):
    """食品经营许可's lines: 申请表, 营业场所证明, 安全管理制度, 情况说明."""
    return merge_materials([world.item])


def given(world: World, index: int, upload=None) -> MaterialFile:
    line = lines(world)[index]
    return MaterialFile(
        merge_key=line.key,
        name=line.name,
        field=f"material_{index + 1}",
        file=upload or pdf_upload(f"{line.name}.pdf"),
    )


def keep(world: World, *files: MaterialFile, **overrides) -> ApplicationDraft:
    arguments = {
        "actor": world.applicant_user,
        "zone": world.zone,
        "title": world.item.name,
        "item": world.item.item,
        "applicant_key": str(world.applicant.pk),
        "form_data": {"contact": "张三"},
        "files": files,
    }
    arguments.update(overrides)
    return draft_keep(**arguments)


def png_upload(name: str = "照片.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def apply_url(world: World) -> str:
    return reverse("cases:apply_item", args=[world.item.item.implementation_code])


# -- services -------------------------------------------------------------------------------


def test_a_draft_keeps_the_values_and_each_checked_file(world, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        draft = keep(world, given(world, 0), given(world, 2))

    assert draft.user == world.applicant_user and draft.form_data == {"contact": "张三"}
    assert draft.expires_at == NOW + dt.timedelta(days=DRAFT_KEEP_DAYS)
    kept = {row.name: row for row in draft.files.all()}
    assert sorted(kept) == ["安全管理制度", "申请表"]
    assert kept["申请表"].original_name == "申请表.pdf"
    assert kept["申请表"].content_type == "application/pdf" and kept["申请表"].size > 0
    assert material_storage().exists(kept["申请表"].file.name)
    assert kept["申请表"].file.name.startswith(f"drafts/{world.applicant_user.pk}/")
    actions = list(
        AuditEvent.objects.filter(object_type="application_draft").values_list("action", flat=True)
    )
    assert actions == [
        DraftEventAction.SAVED,
        DraftEventAction.FILE_KEPT,
        DraftEventAction.FILE_KEPT,
    ]

    # A second file for the same line replaces the first, whose stored file goes.
    old_name = kept["申请表"].file.name
    with django_capture_on_commit_callbacks(execute=True):
        again = keep(world, given(world, 0, png_upload("新申请表.png")), form_data={})
    assert again.pk == draft.pk and again.form_data == {}
    assert again.files.get(name="申请表").original_name == "新申请表.png"
    assert again.files.count() == 2
    assert not material_storage().exists(old_name)


def test_a_refused_file_names_its_material_and_keeps_nothing(world):
    bad = given(world, 1, SimpleUploadedFile("空.pdf", b""))

    with pytest.raises(ValidationFailed) as refused:
        keep(world, given(world, 0), bad)

    assert refused.value.fields["material_2"][0].startswith("营业场所证明：文件为空")
    assert not ApplicationDraft.objects.exists() and not DraftFile.objects.exists()


def test_staff_and_applicants_of_another_zone_keep_no_draft(world):
    with pytest.raises(NotFound):
        keep(world, actor=world.clerk)
    world.stranger.zone = None
    with pytest.raises(NotFound):
        keep(world, actor=world.stranger)
    assert not ApplicationDraft.objects.exists()


def test_only_the_owner_removes_a_kept_file(world, django_capture_on_commit_callbacks):
    draft = keep(world, given(world, 0))
    row = draft.files.get()

    with pytest.raises(NotFound):
        draft_file_remove(actor=world.stranger, file_id=row.pk)
    with pytest.raises(NotFound):
        draft_file_remove(actor=world.applicant_user, file_id=row.pk + 1000)
    assert DraftFile.objects.filter(pk=row.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        draft_file_remove(actor=world.applicant_user, file_id=row.pk)
    assert not DraftFile.objects.exists()
    assert not material_storage().exists(row.file.name)
    assert AuditEvent.objects.filter(action=DraftEventAction.FILE_REMOVED).count() == 1


def test_only_the_owner_discards_a_draft(world, django_capture_on_commit_callbacks):
    draft = keep(world, given(world, 0))
    stored = draft.files.get().file.name

    with pytest.raises(NotFound):
        draft_discard(actor=world.stranger, draft_id=draft.pk)
    with django_capture_on_commit_callbacks(execute=True):
        draft_discard(actor=world.applicant_user, draft_id=draft.pk)

    assert not ApplicationDraft.objects.exists()
    assert not material_storage().exists(stored)


def test_submission_moves_the_kept_files_into_the_case_and_deletes_the_draft(
    world, django_capture_on_commit_callbacks
):
    draft = keep(world, given(world, 0), given(world, 1))
    stored = list(draft.files.values_list("file", flat=True))

    # The 营业场所证明 given now wins over the kept one; 安全管理制度 is new.
    with django_capture_on_commit_callbacks(execute=True):
        case = case_apply(
            actor=world.applicant_user,
            applicant=world.applicant,
            item_version=world.item,
            form_data={"contact": "张三", "phone": "13800000000"},
            files=[given(world, 1, png_upload("场所-新.png")), given(world, 2)],
            draft=draft,
        )

    rows = {row.name: row for row in case.materials.all()}
    assert rows["申请表"].state == MaterialState.UPLOADED
    assert rows["申请表"].original_name == "申请表.pdf"
    assert rows["营业场所证明"].original_name == "场所-新.png"
    assert rows["安全管理制度"].state == MaterialState.UPLOADED
    assert rows["情况说明"].state == MaterialState.MISSING
    assert material_storage().exists(rows["申请表"].file.name)
    assert not ApplicationDraft.objects.exists()
    assert not any(material_storage().exists(name) for name in stored)
    submitted = AuditEvent.objects.get(action=DraftEventAction.SUBMITTED)
    assert submitted.data["case"] == case.number


def test_a_failed_submission_keeps_the_draft(world, monkeypatch):
    from onewindow.cases.services import application
    from onewindow.core.errors import Conflict

    draft = keep(world, given(world, 0))

    def failing_submit(**kwargs):
        raise Conflict("模拟提交失败", code="simulated")

    monkeypatch.setattr(application, "case_submit", failing_submit)
    with pytest.raises(Conflict):
        case_apply(
            actor=world.applicant_user,
            applicant=world.applicant,
            item_version=world.item,
            form_data={"contact": "张三", "phone": "13800000000"},
            draft=draft,
        )
    assert Case.objects.count() == 0
    kept = DraftFile.objects.get(draft=draft)
    assert material_storage().exists(kept.file.name)


def test_someone_elses_draft_cannot_be_submitted(world):
    draft = keep(world, given(world, 0))
    Representation.objects.create(
        user=world.stranger, applicant=world.other_applicant, capacity=Capacity.HANDLER
    )
    with pytest.raises(ValidationFailed) as refused:
        case_apply(
            actor=world.stranger,
            applicant=world.other_applicant,
            item_version=world.item,
            form_data={"contact": "王五", "phone": "13800000000"},
            draft=draft,
        )
    assert refused.value.code == "draft_not_found"
    assert Case.objects.count() == 0 and DraftFile.objects.filter(draft=draft).exists()


def test_drafts_expire_after_the_keeping_days_with_their_files(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        draft = keep(world, given(world, 0))
    stored = draft.files.get().file.name

    with time_machine.travel(NOW + dt.timedelta(days=DRAFT_KEEP_DAYS, seconds=-1), tick=False):
        assert drafts_expire() == 0
    assert ApplicationDraft.objects.exists()

    with (
        time_machine.travel(NOW + dt.timedelta(days=DRAFT_KEEP_DAYS), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        out = io.StringIO()
        call_command("expire_drafts", stdout=out)
    assert "已删除过期草稿 1 份" in out.getvalue()
    assert not ApplicationDraft.objects.exists()
    assert not material_storage().exists(stored)
    assert AuditEvent.objects.get(action=DraftEventAction.EXPIRED).actor == "system"


def test_saving_again_keeps_a_draft_longer(world):
    with time_machine.travel(NOW, tick=False):
        keep(world)
    with time_machine.travel(NOW + dt.timedelta(days=20), tick=False):
        keep(world)
    with time_machine.travel(NOW + dt.timedelta(days=DRAFT_KEEP_DAYS + 1), tick=False):
        assert drafts_expire() == 0
    assert ApplicationDraft.objects.count() == 1


# -- pages: the form keeps the files --------------------------------------------------------


def item_post(world: World, **overrides) -> dict:
    data = {
        "applicant": str(world.applicant.pk),
        "contact": "张三",
        "phone": "13800000000",
        "material_1": pdf_upload("申请表.pdf"),
        "material_2": png_upload("场所.png"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_refused_form_keeps_its_files_and_the_fixed_form_submits_them(client, world):
    client_for(world.applicant_user, client=client)

    # given: a form with two files and no phone
    refused = client.post(apply_url(world), item_post(world, phone=""))

    # then: refused, the phone named, both files shown as kept with a remove button
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "联系电话：此项为必填项" in html
    assert "申请表.pdf" in html and "场所.png" in html
    assert html.count('name="draft_action" value="remove:') == 2
    assert Case.objects.count() == 0

    # when: fixed, without choosing the files again
    done = client.post(
        apply_url(world), item_post(world, material_1=None, material_2=None, idempotency_key="k2")
    )

    # then: the case has both files; the draft is gone
    assert done.status_code == 302
    case = Case.objects.get()
    states = dict(case.materials.values_list("name", "state"))
    assert states["申请表"] == states["营业场所证明"] == MaterialState.UPLOADED
    assert not ApplicationDraft.objects.exists()


def test_save_draft_then_come_back_from_my_cases(client, world):
    client_for(world.applicant_user, client=client)
    saved = client.post(
        apply_url(world),
        item_post(world, phone="", description="新开门店", material_2=None, draft_action="save"),
    )
    assert saved.status_code == 302 and saved["Location"] == apply_url(world)

    mine = client.get(reverse("cases:my_cases")).content.decode()
    assert "我的草稿" in mine and world.item.name in mine
    assert apply_url(world) in mine and "已上传 1 个文件" in mine

    page = client.get(apply_url(world)).content.decode()
    assert "新开门店" in page and 'value="张三"' in page
    assert "申请表.pdf" in page and "保存的草稿" in page


def test_the_remove_button_drops_one_file_and_keeps_the_rest(client, world):
    client_for(world.applicant_user, client=client)
    client.post(apply_url(world), item_post(world, phone=""))
    draft = ApplicationDraft.objects.get()
    first = draft.files.get(name="申请表")

    response = client.post(
        apply_url(world),
        item_post(world, material_1=None, material_2=None, draft_action=f"remove:{first.pk}"),
    )

    assert response.status_code == 302
    assert list(draft.files.values_list("name", flat=True)) == ["营业场所证明"]
    # Someone else's file (or none) cannot be removed through one's own form.
    other = keep(world, given(world, 0), actor=world.applicant_user).files.get(name="申请表")
    client_for(world.stranger, client=client)
    Representation.objects.create(
        user=world.stranger, applicant=world.other_applicant, capacity=Capacity.HANDLER
    )
    response = client.post(
        apply_url(world),
        {"applicant": str(world.other_applicant.pk), "draft_action": f"remove:{other.pk}"},
    )
    assert response.status_code == 404
    assert DraftFile.objects.filter(pk=other.pk).exists()


def test_a_kept_file_is_served_to_its_owner_only(client, world):
    row = keep(world, given(world, 0)).files.get()
    url = reverse("cases:draft_file", args=[row.pk])

    owner = client_for(world.applicant_user, client=client).get(url)
    assert owner.status_code == 200
    assert b"".join(owner.streaming_content).startswith(b"%PDF")
    assert owner["X-Content-Type-Options"] == "nosniff"

    stranger = client_for(world.stranger, client=client)
    forbidden = stranger.get(url)
    missing = stranger.get(reverse("cases:draft_file", args=[row.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert client_for(world.clerk, client=client).get(url).status_code == 403


def test_discarding_a_draft_from_my_cases(client, world):
    draft = keep(world, given(world, 0))
    url = reverse("cases:draft_discard", args=[draft.pk])

    assert client_for(world.stranger, client=client).post(url).status_code == 404
    owner = client_for(world.applicant_user, client=client)
    assert owner.get(url).status_code == 405
    response = owner.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("cases:my_cases")
    assert not ApplicationDraft.objects.exists()


# -- pre-fill -------------------------------------------------------------------------------


def test_the_item_form_is_prefilled_from_the_account(client, world):
    world.applicant_user.display_name = "张经办"
    world.applicant_user.save(update_fields=["display_name"])

    html = client_for(world.applicant_user, client=client).get(apply_url(world)).content.decode()

    assert 'value="张经办"' in html  # the contact person is the user
    assert 'value="13900000000"' in html  # no phone of the user's own: the applicant's


def test_prefill_takes_the_users_phone_first_and_an_enterprises_facts():
    class Person:
        display_name, phone = "张经办", "13700000000"

    company = Applicant(
        kind=ApplicantKind.ENTERPRISE,
        name="示范科技有限公司",
        uscc="91320000MA00000000",
        legal_representative="李四",
        phone="02580000000",
    )
    person = Applicant(kind=ApplicantKind.PERSON, name="王五", phone="02580000001")

    assert prefill(Person(), company) == {
        "contact": "张经办",
        "contact_name": "张经办",
        "contact_person": "张经办",
        "phone": "13700000000",
        "contact_phone": "13700000000",
        "company_name": "示范科技有限公司",
        "employer_name": "示范科技有限公司",
        "enterprise_name": "示范科技有限公司",
        "uscc": "91320000MA00000000",
        "employer_uscc": "91320000MA00000000",
        "legal_representative": "李四",
    }
    assert "company_name" not in prefill(Person(), person)  # a person has no company
    assert prefill(None, person) == {"phone": "02580000001", "contact_phone": "02580000001"}


BUNDLE_FIELDS = [
    {"key": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"key": "uscc", "label": "统一社会信用代码", "type": "text", "required": True},
    {"key": "contact_name", "label": "联系人", "type": "text", "required": True},
    {"key": "contact_phone", "label": "联系电话", "type": "text", "required": True},
]


@pytest.fixture
def prefill_bundle(world):
    return make_bundle(
        world.zone,
        world.department,
        items=[world.item.item, world.other_item.item],
        code="prefill",
        name="预填一件事",
        form_fields=BUNDLE_FIELDS,
        publish=True,
    )


def bundle_form(world: World, bundle, data=None, *, draft=None) -> ApplyForm:
    args = (data,) if data is not None else ()
    return ApplyForm(
        *args,
        representations=list(world.applicant_user.representations.select_related("applicant")),
        materials=merge_materials([world.item, world.other_item]),
        bundle=bundle,
        user=world.applicant_user,
        draft=draft,
    )


def test_the_bundle_form_is_prefilled_and_never_overrides_what_was_typed(world, prefill_bundle):
    world.applicant_user.display_name, world.applicant_user.phone = "张经办", "13700000000"

    form = bundle_form(world, prefill_bundle)

    assert form["form_company_name"].value() == "示范科技有限公司"
    assert form["form_uscc"].value() == world.applicant.uscc
    assert form["form_contact_name"].value() == "张经办"
    assert form["form_contact_phone"].value() == "13700000000"

    typed = bundle_form(
        world,
        prefill_bundle,
        {"applicant": str(world.applicant.pk), "form_company_name": "新设公司", "form_uscc": ""},
    )
    assert typed["form_company_name"].value() == "新设公司"
    assert typed["form_uscc"].value() == ""  # cleared by the user: stays cleared


def test_with_several_applicants_the_company_is_not_guessed(world, prefill_bundle):
    world.applicant_user.display_name = "张经办"
    applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="第二有限公司",
        uscc=uscc_for(8109, registration="91"),
        user=world.applicant_user,
        capacity=Capacity.HANDLER,
    )

    form = bundle_form(world, prefill_bundle)

    assert not form["form_company_name"].value()
    assert not form["form_uscc"].value()
    assert form["form_contact_name"].value() == "张经办"  # the user is known, though


def test_a_resumed_draft_wins_over_the_prefill(world, prefill_bundle):
    draft = keep(
        world,
        item=None,
        bundle=prefill_bundle,
        form_data={"form_company_name": "草稿里的名称"},
    )

    form = bundle_form(world, prefill_bundle, draft=draft)

    assert form["form_company_name"].value() == "草稿里的名称"
    assert form["form_uscc"].value() == world.applicant.uscc  # not in the draft: pre-filled
    assert form["applicant"].value() == str(world.applicant.pk)


def test_an_empty_form_makes_no_draft(client, world):
    client_for(world.applicant_user, client=client)

    refused = client.post(apply_url(world), {})
    saved = client.post(apply_url(world), {"draft_action": "save"}, follow=True)

    assert refused.status_code == 422
    assert "表单是空的，没有需要保存的内容" in saved.content.decode()
    assert not ApplicationDraft.objects.exists()


def test_saving_with_a_refused_file_says_so_and_keeps_the_good_ones(client, world):
    client_for(world.applicant_user, client=client)
    empty = SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")

    response = client.post(
        apply_url(world), item_post(world, phone="", material_2=empty, draft_action="save")
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "营业场所证明：文件为空" in html
    assert "联系电话：此项为必填项" not in html  # saving checks the files only
    assert list(DraftFile.objects.values_list("name", flat=True)) == ["申请表"]


def test_an_unknown_draft_action_is_not_found(client, world):
    client_for(world.applicant_user, client=client)
    response = client.post(apply_url(world), item_post(world, draft_action="publish"))
    assert response.status_code == 404
    assert not ApplicationDraft.objects.exists()
