"""Intake (受理): online, the hotline's four outcomes, the upstream platform's pushes and bad
ratings turned into appeals. Each rule is one test that fails when the rule goes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from onewindow.appeals.constants import (
    AppealEvent,
    AppealStatus,
    CallOutcome,
    Channel,
    ClosingKind,
    LimitUnit,
    Nature,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealCategory,
    AppealStep,
    AppealTimeLimit,
    KnowledgeArticle,
    KnowledgeVersion,
)
from onewindow.appeals.services.intake import (
    appeal_from_rating,
    appeal_import,
    appeal_record_call,
    appeal_submit,
)
from onewindow.appeals.tests.factories import at, cases_beside
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from onewindow.reviews.models import Channel as RatingChannel
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

#: Mon 2 Mar 2026, 10:00 in Shanghai: an ordinary working week.
MONDAY = at(dt.date(2026, 3, 2), 10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(aw, zone, department, other_department, window):
    """The cases world beside the appeal world (their enterprises would share a USCC)."""
    return cases_beside(aw, worlds.Places(zone, department, other_department, window))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def submit(aw, **overrides) -> Appeal:
    fields = {
        "actor": aw.requester,
        "zone": aw.zone,
        "nature": Nature.COMPLAINT,
        "category": "0101",
        "subject": "营业执照迟迟未发",
        "description": "上周提交的设立登记至今没有消息。",
        "requester": aw.enterprise,
    }
    fields.update(overrides)
    return appeal_submit(**fields)


def call(aw, **overrides) -> Appeal:
    fields = {
        "actor": aw.operator,
        "outcome": CallOutcome.DISPATCH,
        "nature": Nature.HELP,
        "category": "0102",
        "subject": "施工许可咨询无人接听",
        "description": "多次拨打住建局电话无人接听。",
        "caller_name": "王五",
        "caller_phone": "13800000000",
    }
    fields.update(overrides)
    return appeal_record_call(**fields)


def published_version(aw, *, published: bool = True, zone=None) -> KnowledgeVersion:
    article = KnowledgeArticle.objects.create(
        zone=zone or aw.zone,
        department=aw.lead,
        category=aw.category,
        title="企业开办需要多长时间",
        is_published=published,
    )
    version = KnowledgeVersion.objects.create(
        article=article, number=1, title=article.title, body="全程网办1个工作日内办结。"
    )
    article.current_version = version
    article.save(update_fields=["current_version"])
    return version


# -- online --------------------------------------------------------------------------------------


def test_an_online_appeal_is_received_with_its_number_clock_words_and_step(aw):
    with time_machine.travel(MONDAY, tick=False):
        appeal = submit(aw)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.channel == Channel.ONLINE
    assert appeal.number == f"{aw.zone.code}-SQ2026-000001"
    assert len(appeal.query_code) == 8
    assert appeal.requester == aw.enterprise and appeal.requester_user == aw.requester
    assert appeal.subject_uscc == aw.enterprise.uscc
    # 一般: 5 working days from Mon 2 Mar (not counted): Tue 3 … Mon 9 Mar, due at 17:30.
    assert (appeal.limit_unit, appeal.limit_amount) == (LimitUnit.WORKING_DAYS, 5)
    assert appeal.due_at == at(dt.date(2026, 3, 9), 17, 30)
    assert appeal.clock_started_at == MONDAY
    assert "营业执照" in appeal.words.split()
    step = AppealStep.objects.get(appeal=appeal)
    assert (step.action, step.to_status, step.actor) == ("receive", "received", aw.requester)
    event = AuditEvent.objects.get(action=AppealEvent.RECEIVED)
    assert event.data["number"] == appeal.number and event.actor == aw.requester.username
    notice = Notification.objects.get(recipient=aw.requester)
    assert appeal.number in notice.text and notice.link.endswith(f"/appeals/my/{appeal.number}/")


def test_a_zone_time_limit_in_force_is_used(aw):
    AppealTimeLimit.objects.create(
        zone=aw.zone,
        nature=Nature.COMPLAINT,
        urgency=Urgency.NORMAL,
        unit=LimitUnit.WORKING_DAYS,
        amount=3,
        valid_from=dt.date(2026, 1, 1),
        legal_basis="示范区接诉即办办法第十条",
    )
    with time_machine.travel(MONDAY, tick=False):
        appeal = submit(aw)
    # 3 working days after Mon 2 Mar: Tue 3, Wed 4, Thu 5 Mar.
    assert appeal.limit_amount == 3
    assert appeal.due_at == at(dt.date(2026, 3, 5), 17, 30)


def test_full_width_input_is_folded(aw):
    appeal = submit(aw, category="０１０１", subject="ＡＢＣ　公司 执照")
    assert appeal.category == aw.category
    assert appeal.subject == "ABC 公司 执照"


@pytest.mark.parametrize("nature", [Nature.CONSULT, Nature.HELP, Nature.COMPLAINT])
def test_only_reports_and_suggestions_may_be_anonymous(aw, nature):
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, nature=nature, anonymous=True, requester=None)
    assert list(refused.value.fields) == ["anonymous"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("nature", [Nature.REPORT, Nature.SUGGESTION])
def test_an_anonymous_report_names_nobody_and_links_no_user(aw, nature):
    appeal = submit(aw, nature=nature, anonymous=True, requester=aw.enterprise)
    appeal.refresh_from_db()
    assert appeal.anonymous
    assert appeal.requester is None and appeal.requester_user is None
    assert appeal.contact_name == appeal.contact_phone == appeal.subject_uscc == ""
    assert appeal.query_code  # the only way back to it
    assert AppealStep.objects.get(appeal=appeal).actor is None
    assert AuditEvent.objects.get(action=AppealEvent.RECEIVED).actor == "system"
    assert not Notification.objects.filter(recipient=aw.requester).exists()


def test_an_anonymous_appeal_links_no_case(aw):
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, nature=Nature.REPORT, anonymous=True, linked_case="SFQ-2026-0000001")
    assert "匿名反映不能关联办件" in refused.value.fields["linked_case"][0]


def test_a_named_appeal_needs_an_applicant_the_user_represents(aw):
    with pytest.raises(ValidationFailed) as missing:
        submit(aw, requester=None)
    assert "requester" in missing.value.fields
    with pytest.raises(ValidationFailed) as foreign:
        submit(aw, actor=aw.stranger)
    assert "requester" in foreign.value.fields


@pytest.mark.parametrize(
    ("code", "active", "why"),
    [
        ("", True, "请选择"),
        ("9999", True, "没有启用"),
        ("01", True, "细分"),
        ("0103", False, "没有启用"),
    ],
)
def test_the_category_must_be_an_active_leaf_of_the_zone(aw, code, active, why):
    AppealCategory.objects.create(
        zone=aw.zone, parent=aw.root, code="0103", name="停用分类", is_active=active
    )
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, category=code or "")
    assert why in refused.value.fields["category"][0]


def test_another_zones_category_is_unknown(aw):
    elsewhere = worlds.zone("QTQ", "其他区")
    AppealCategory.objects.create(zone=elsewhere, code="0999", name="别处")
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, category="0999")
    assert "category" in refused.value.fields


def test_every_problem_is_named_at_once(aw):
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, nature="rumour", subject="", description="x" * 4001)
    assert set(refused.value.fields) == {"nature", "subject", "description"}


def test_a_linked_case_must_be_one_the_user_sees(aw, world):
    case = deliver_immediate(world, None)
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, linked_case=case.number)  # a case of another applicant
    assert list(refused.value.fields) == ["linked_case"]
    mine = submit(
        aw, actor=world.applicant_user, requester=world.applicant, linked_case=case.number
    )
    assert mine.linked_case == case


def test_a_linked_item_must_be_of_the_zone(aw, world):
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, linked_item="NO-SUCH-ITEM")
    assert list(refused.value.fields) == ["linked_item"]
    item = world.item.item
    assert submit(aw, linked_item=item.implementation_code).linked_item == item


def test_attachments_are_checked_by_content_and_stored_under_our_name(aw, media):
    good = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    appeal = submit(aw, attachments=[good])
    stored = AppealAttachment.objects.get(appeal=appeal)
    assert (stored.name, stored.content_type) == ("现场照片.png", "image/png")
    assert stored.file.name.endswith(".png") and "现场照片" not in stored.file.name
    assert stored.size == len(png_bytes())


def test_a_disguised_file_is_refused_naming_the_attachments(aw):
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as refused:
        submit(aw, attachments=[fake])
    message = refused.value.fields["attachments"][0]
    assert "报告.pdf" in message and "可执行程序" in message
    assert not Appeal.objects.exists() and not AppealAttachment.objects.exists()


def test_too_many_or_too_large_attachments_are_refused(aw, settings):
    files = [SimpleUploadedFile(f"{n}.png", png_bytes()) for n in range(6)]
    with pytest.raises(ValidationFailed) as many:
        submit(aw, attachments=files)
    assert "最多" in many.value.fields["attachments"][0]
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as large:
        submit(aw, attachments=[SimpleUploadedFile("a.png", png_bytes())])
    assert "过大" in large.value.fields["attachments"][0]


@pytest.mark.parametrize("who", ["operator", "dispatcher", "handler", "clerk"])
def test_staff_do_not_submit_online(aw, who):
    with pytest.raises(Forbidden):
        submit(aw, actor=getattr(aw, who))


# -- the hotline -----------------------------------------------------------------------------


def test_a_call_for_dispatch_is_received_with_the_caller(aw):
    with time_machine.travel(MONDAY, tick=False):
        appeal = call(aw, caller_phone="１３８ ０００ ０００００", confidential=True)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.channel) == (AppealStatus.RECEIVED, Channel.HOTLINE)
    assert (appeal.contact_name, appeal.contact_phone) == ("王五", "13800000000")
    assert appeal.confidential and appeal.received_by == aw.operator
    assert appeal.due_at == at(dt.date(2026, 3, 9), 17, 30)


def test_a_call_for_an_applicant_of_the_zone(aw):
    appeal = call(aw, applicant=aw.enterprise, caller_name="", caller_phone="")
    assert appeal.requester == aw.enterprise
    assert appeal.contact_phone == aw.enterprise.phone


def test_a_named_call_needs_a_name_and_a_valid_phone(aw):
    with pytest.raises(ValidationFailed) as missing:
        call(aw, caller_name="", caller_phone="")
    assert set(missing.value.fields) == {"caller_name", "caller_phone"}
    with pytest.raises(ValidationFailed) as bad:
        call(aw, caller_phone="请回电")
    assert list(bad.value.fields) == ["caller_phone"]


def test_an_urgent_call_runs_in_natural_hours(aw):
    with time_machine.travel(at(dt.date(2026, 3, 7), 22), tick=False):  # a Saturday night
        appeal = call(aw, urgency=Urgency.URGENT)
    # 紧急: 2 natural hours round the clock, weekend or not.
    assert appeal.limit_unit == LimitUnit.NATURAL_HOURS
    assert appeal.due_at == at(dt.date(2026, 3, 8), 0)


def test_the_hotline_does_not_set_difficult(aw):
    with pytest.raises(ValidationFailed) as refused:
        call(aw, urgency=Urgency.DIFFICULT)
    assert list(refused.value.fields) == ["urgency"]


def test_answered_at_once_from_the_knowledge_base(aw):
    version = published_version(aw)
    with time_machine.travel(MONDAY, tick=False):
        appeal = call(
            aw,
            outcome=CallOutcome.ANSWER_NOW,
            nature=Nature.CONSULT,
            category="0101",
            reply="全程网办1个工作日内办结。",
            knowledge_version=version.pk,
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.closing_kind == ClosingKind.INSTANT
    assert appeal.knowledge_version == version
    assert appeal.closed_at == appeal.replied_at == MONDAY
    assert list(appeal.steps.values_list("action", "to_status")) == [
        ("receive", "received"),
        ("answer_now", "closed"),
    ]
    moved = AuditEvent.objects.get(action=AppealEvent.ANSWERED_NOW)
    assert moved.data["from"] == "received" and moved.data["to"] == "closed"


@pytest.mark.parametrize(
    ("version", "why"),
    [(None, "请选择"), ("unpublished", "已发布"), ("elsewhere", "已发布"), ("abc", "已发布")],
)
def test_an_instant_answer_cites_a_published_article_of_the_zone(aw, version, why):
    if version == "unpublished":
        version = published_version(aw, published=False).pk
    elif version == "elsewhere":
        version = published_version(aw, zone=worlds.zone("QTQ", "其他区")).pk
    with pytest.raises(ValidationFailed) as refused:
        call(aw, outcome=CallOutcome.ANSWER_NOW, reply="答复", knowledge_version=version)
    assert why in refused.value.fields["knowledge_version"][0]


def test_an_instant_answer_needs_what_was_said(aw):
    version = published_version(aw)
    with pytest.raises(ValidationFailed) as refused:
        call(aw, outcome=CallOutcome.ANSWER_NOW, reply=" ", knowledge_version=version.pk)
    assert list(refused.value.fields) == ["reply"]


def test_not_accepted_tells_the_channel_and_is_never_overdue(aw):
    with time_machine.travel(MONDAY, tick=False):
        appeal = call(
            aw,
            outcome=CallOutcome.REFUSE,
            redirect_channel="litigation",
            reply="合同纠纷请向人民法院起诉。",
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.NOT_ACCEPTED
    assert appeal.redirect_channel == "litigation"
    assert appeal.reply == "合同纠纷请向人民法院起诉。"
    assert appeal.overdue is False and appeal.due_at is not None  # the clock kept, not counted
    assert AuditEvent.objects.filter(action=AppealEvent.REFUSED).count() == 1


def test_not_accepted_needs_a_channel_and_what_was_told(aw):
    with pytest.raises(ValidationFailed) as refused:
        call(aw, outcome=CallOutcome.REFUSE, redirect_channel="court", reply="")
    assert set(refused.value.fields) == {"redirect_channel", "reply"}


def test_an_emergency_is_transferred_with_no_clock(aw):
    with time_machine.travel(MONDAY, tick=False):
        appeal = call(
            aw,
            outcome=CallOutcome.EMERGENCY,
            emergency_service="119",
            caller_name="",
            caller_phone="",
            urgency=Urgency.URGENT,
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.TRANSFERRED
    assert appeal.emergency_service == "119"
    assert appeal.due_at is None and appeal.warn_at is None
    assert list(appeal.steps.values_list("action", "to_status")) == [("transfer", "transferred")]
    event = AuditEvent.objects.get(action=AppealEvent.TRANSFERRED)
    assert (event.data["from"], event.data["to"], event.data["service"]) == (
        "received",
        "transferred",
        "119",
    )
    assert not AuditEvent.objects.filter(action=AppealEvent.RECEIVED).exists()


def test_an_emergency_needs_its_service(aw):
    with pytest.raises(ValidationFailed) as refused:
        call(aw, outcome=CallOutcome.EMERGENCY, emergency_service="999")
    assert list(refused.value.fields) == ["emergency_service"]


def test_an_anonymous_call_is_only_for_reports(aw):
    with pytest.raises(ValidationFailed) as refused:
        call(aw, nature=Nature.HELP, anonymous=True)
    assert list(refused.value.fields) == ["anonymous"]
    appeal = call(aw, nature=Nature.REPORT, anonymous=True, caller_name="王五")
    assert appeal.anonymous and appeal.contact_name == ""


def test_an_unknown_outcome_is_named(aw):
    with pytest.raises(ValidationFailed) as refused:
        call(aw, outcome="hang_up")
    assert "outcome" in refused.value.fields


@pytest.mark.parametrize("who", ["dispatcher", "handler", "supervisor", "clerk", "requester"])
def test_only_the_hotline_records_calls(aw, who):
    with pytest.raises(Forbidden):
        call(aw, actor=getattr(aw, who))
    assert not Appeal.objects.exists()


# -- the upstream platform -------------------------------------------------------------------


def payload(**overrides) -> dict:
    data = {
        "upstream_id": "JS12345-20260302-0001",
        "category": "0101",
        "nature": Nature.COMPLAINT,
        "subject": "办照进度",
        "description": "一企来热线转来：设立登记进度。",
        "contact_name": "赵六",
        "contact_phone": "13700000000",
        "received_at": "2026-03-02T09:30:00+08:00",
    }
    data.update(overrides)
    return data


def test_an_imported_order_starts_its_clock_upstream(aw):
    with time_machine.travel(MONDAY, tick=False):
        appeal, created = appeal_import(actor=aw.dispatcher, zone=aw.zone, payload=payload())
    assert created
    appeal.refresh_from_db()
    assert (appeal.channel, appeal.upstream_id) == (Channel.IMPORT, "JS12345-20260302-0001")
    assert appeal.clock_started_at == at(dt.date(2026, 3, 2), 9, 30)
    assert appeal.due_at == at(dt.date(2026, 3, 9), 17, 30)


def test_the_same_upstream_id_again_returns_the_order_and_writes_nothing(aw):
    first, created = appeal_import(actor=aw.dispatcher, zone=aw.zone, payload=payload())
    events = AuditEvent.objects.count()
    again, created_again = appeal_import(
        actor=aw.dispatcher, zone=aw.zone, payload=payload(subject="改过的标题")
    )
    assert created and not created_again
    assert again.pk == first.pk and again.subject == "办照进度"
    assert Appeal.objects.count() == 1 and AuditEvent.objects.count() == events


def test_an_unknown_category_is_named_never_defaulted(aw):
    with pytest.raises(ValidationFailed) as refused:
        appeal_import(actor=aw.dispatcher, zone=aw.zone, payload=payload(category="X99"))
    assert "X99" in refused.value.fields["category"][0]
    assert not Appeal.objects.exists()


def test_bad_import_fields_are_named(aw):
    with pytest.raises(ValidationFailed) as refused:
        appeal_import(
            actor=aw.dispatcher,
            zone=aw.zone,
            payload=payload(upstream_id="", received_at="2026-03-02 09:30", nature="x"),
        )
    assert set(refused.value.fields) == {"upstream_id", "received_at", "nature"}


@pytest.mark.parametrize("who", ["operator", "handler", "supervisor", "requester"])
def test_only_the_centre_imports(aw, who):
    with pytest.raises(Forbidden):
        appeal_import(actor=getattr(aw, who), zone=aw.zone, payload=payload())


# -- bad ratings -----------------------------------------------------------------------------


def rated(world, level: int):
    case = deliver_immediate(world, None)
    return rating_submit(
        case=case,
        channel=RatingChannel.ONLINE,
        level=level,
        comment="窗口态度差" if level <= 2 else "",
        actor=world.applicant_user,
    )


@pytest.mark.parametrize("who", ["dispatcher", "supervisor"])
def test_a_bad_rating_becomes_a_complaint_linked_both_ways(aw, world, who):
    rating = rated(world, 1)
    appeal = appeal_from_rating(actor=getattr(aw, who), rating=rating, category="0101")
    appeal.refresh_from_db()
    assert (appeal.nature, appeal.channel) == (Nature.COMPLAINT, Channel.RATING)
    assert appeal.rating == rating and list(rating.appeals.all()) == [appeal]
    assert appeal.linked_case == rating.case
    assert appeal.requester == rating.case.applicant
    assert appeal.requester_user == world.applicant_user
    assert appeal.description == "窗口态度差"
    assert AuditEvent.objects.get(action=AppealEvent.RECEIVED).data["rating"] == rating.pk


def test_a_good_rating_is_refused(aw, world):
    with pytest.raises(ValidationFailed) as refused:
        appeal_from_rating(actor=aw.dispatcher, rating=rated(world, 4), category="0101")
    assert refused.value.code == "rating_not_bad"


def test_a_rating_is_turned_once(aw, world):
    rating = rated(world, 2)
    first = appeal_from_rating(actor=aw.dispatcher, rating=rating, category="0101")
    with pytest.raises(Conflict) as refused:
        appeal_from_rating(actor=aw.supervisor, rating=rating, category="0101")
    assert first.number in refused.value.message
    assert refused.value.code == "rating_already_turned"


@pytest.mark.parametrize("who", ["operator", "handler", "clerk", "requester"])
def test_only_the_centre_or_supervision_turns_ratings(aw, world, who):
    with pytest.raises(Forbidden):
        appeal_from_rating(actor=getattr(aw, who), rating=rated(world, 1), category="0101")
