"""cases.applicant_messages: every status change an applicant cares about writes exactly one
message to each account that may see the case as its applicant (and to no one else), in the
case's language, from the kind's template; a walk-in without an account is texted at its
registered phone; a change that is rolled back tells no one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import applicant_messages as am
from onewindow.cases.applicant_message_kinds import format_date
from onewindow.cases.constants import CaseChannel, CaseStatus, MaterialState
from onewindow.cases.models import Case
from onewindow.cases.reminders import remind_overdue_supplements, remind_supplements_due_soon
from onewindow.cases.selectors.clock import correction_due_on
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_extend,
    case_handle_on_the_spot,
    case_refuse,
    case_request_correction,
    case_resume,
    case_suspend,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World
from onewindow.catalog.tests.factories import make_item, uscc_for
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import CertificateType
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import Notification, NotificationTemplate
from onewindow.core.notifications import Notifier
from onewindow.org.constants import ApplicantKind, Capacity
from onewindow.org.models import Representation
from onewindow.testing.worlds import applicant_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
RECORDER = "onewindow.cases.tests.test_applicant_messages.Recorder"


class Recorder(Notifier):
    sent: list = []

    def send(self, message) -> None:
        Recorder.sent.append(message)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sent(settings):
    settings.ONEWINDOW_NOTIFIERS = [RECORDER]
    Recorder.sent = []
    return Recorder.sent


@pytest.fixture
def colleague(world: World):
    """A second account of the world's applicant (a handler): told as well."""
    return applicant_user(world.zone, "w_colleague", represents=world.applicant)


@pytest.fixture
def former(world: World):
    """A deactivated account of the applicant: told nothing."""
    user = applicant_user(world.zone, "w_former", represents=world.applicant)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def mine(user, kind: str | None = None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def kinds_told() -> Counter:
    """(recipient username, kind) → how many messages."""
    return Counter(Notification.objects.values_list("recipient__username", "kind").order_by("pk"))


def only(user, kind: str) -> Notification:
    rows = list(mine(user, kind))
    assert len(rows) == 1, f"{user.username} got {len(rows)} {kind} messages"
    return rows[0]


def review(world: World, case: Case) -> None:
    task = world.task(case, "review")
    task_claim(task=task, actor=world.reviewer)
    task_complete(task=task, actor=world.reviewer, comment="内部意见：材料齐全")


# --- each step, once, to exactly the applicant's accounts --------------------------------


def test_the_whole_way_tells_each_account_once_per_step_and_no_one_else(
    world: World, colleague, former
):
    # when: submitted, accepted, reviewed, suspended, resumed, extended, approved, delivered
    case = world.submit()
    case_accept(case=case, actor=world.clerk)
    suspension = case_suspend(case=case, actor=world.reviewer, kind="hearing", reason="需要听证")
    case_resume(case=case, actor=world.reviewer)
    case_extend(case=case, actor=world.decider, days=5, reason="情况复杂，需现场核查")
    review(world, case)
    task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")
    task_deliver(task=world.task(case, "deliver"), actor=world.clerk)

    # then
    steps = [
        am.SUBMITTED,
        am.ACCEPTED,
        am.SUSPENDED,
        am.RESUMED,
        am.EXTENDED,
        am.APPROVED,
        am.READY,
        am.DELIVERED,
    ]
    expected = Counter(
        {(user, kind): 1 for user in ("w_applicant", "w_colleague") for kind in steps}
    )
    assert kinds_told() == expected  # nobody else: no staff, no stranger, no former account
    assert not mine(former).exists()
    submitted = only(world.applicant_user, am.SUBMITTED)
    case.refresh_from_db()
    assert case.number in submitted.text and case.query_code in submitted.text
    assert submitted.link == reverse("cases:case", args=[case.number])
    assert (submitted.subject_type, submitted.subject_id) == ("case", case.number)
    suspended = only(world.applicant_user, am.SUSPENDED)
    assert "听证" in suspended.text and "需要听证" in suspended.text
    assert suspended.key == f"case:{case.pk}:{am.SUSPENDED}:{suspension.pk}"
    extended = only(world.applicant_user, am.EXTENDED)
    assert "5 个工作日" in extended.text and "情况复杂，需现场核查" in extended.text
    assert format_date(case.deadline) in extended.text
    for row in Notification.objects.all():
        assert "内部意见" not in row.text  # staff comments never reach the applicant


def test_acceptance_tells_the_deadline_and_the_tolerated_materials_with_their_due_date(
    world: World,
):
    case = world.submit(skip=("营业场所证明",))
    missing = case.materials.get(name="营业场所证明")
    due = dt.date(2026, 3, 9)

    case_accept(
        case=case, actor=world.clerk, mode="tolerated", tolerated=[missing.pk], tolerance_due_on=due
    )

    case.refresh_from_db()
    text = only(world.applicant_user, am.ACCEPTED).text
    assert "容缺受理" in text
    assert format_date(case.deadline) in text
    assert "营业场所证明" in text and "2026年03月09日" in text


def test_a_correction_request_tells_the_list_each_time_it_is_made(world: World):
    case = world.submit()

    case_request_correction(case=case, actor=world.clerk, items=["申请表未签字", "照片不清晰"])

    text = only(world.applicant_user, am.CORRECTION_REQUESTED).text
    assert "申请表未签字；照片不清晰" in text
    case.refresh_from_db()
    due_on = correction_due_on(case)
    assert due_on is not None and format_date(due_on) in text  # the notice's date
    assert "视为撤回申请" in text
    assert not mine(world.stranger).exists() and not mine(world.clerk).exists()


def test_a_refusal_tells_the_reasons_legal_basis_and_remedies(world: World):
    case = world.submit()

    case_refuse(
        case=case,
        actor=world.clerk,
        reason="不属于本机关职权范围",
        legal_basis="行政许可法第三十二条",
    )

    text = only(world.applicant_user, am.REFUSED).text
    assert "不属于本机关职权范围" in text and "行政许可法第三十二条" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_a_denial_tells_the_reasons_and_remedies(world: World):
    case = world.accepted()
    review(world, case)

    task_decide(
        task=world.task(case, "decide"),
        actor=world.decider,
        decision="denied",
        reason="场所不符合要求",
    )

    text = only(world.applicant_user, am.DENIED).text
    assert "不予许可" in text and "场所不符合要求" in text and "行政复议" in text
    assert not mine(world.applicant_user, am.APPROVED).exists()


def test_an_on_the_spot_item_tells_accepted_approved_and_delivered_once_each(world: World):
    case = world.submit(world.immediate)

    case_handle_on_the_spot(case=case, actor=world.clerk)

    assert Counter(mine(world.applicant_user).values_list("kind", flat=True)) == Counter(
        {am.SUBMITTED: 1, am.ACCEPTED: 1, am.APPROVED: 1, am.DELIVERED: 1}
    )


def test_a_bundle_is_told_through_its_parent_only(world: World):
    case = world.submit(bundle=world.bundle)

    case_accept(case=case, actor=world.clerk)

    rows = list(mine(world.applicant_user))
    assert Counter(row.kind for row in rows) == Counter({am.SUBMITTED: 1, am.ACCEPTED: 1})
    assert {row.subject_id for row in rows} == {case.number}


def test_an_issued_certificate_links_the_wallet_and_the_verification_page(world: World):
    key_generate(zone=world.zone)
    licence = CertificateType.objects.create(
        code=f"{world.department.uscc}001",
        name="营业执照",
        issuing_department=world.department,
        fields=[
            {"key": "holder_name", "label": "名称", "type": "text"},
            {"key": "holder_uscc", "label": "统一社会信用代码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )
    item = make_item(
        world.zone, world.department, name="营业执照办理", materials=["申请表"],
        certificate_type=licence, promised_limit_days=10,
    )  # fmt: skip
    case = world.accepted(item)
    review(world, case)

    task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")

    certificate = licence.certificates.get()
    message = only(world.applicant_user, am.CERTIFICATE_ISSUED)
    assert "营业执照" in message.title and certificate.identifier in message.text
    assert reverse("certificates:wallet_detail", args=[certificate.identifier]) in message.text
    assert reverse("certificates:verify", args=[certificate.identifier]) in message.text
    assert message.text.startswith("您申请的")


# --- nothing half-told -------------------------------------------------------------------


def test_a_decision_that_is_refused_tells_nothing(world: World):
    case = world.accepted()
    review(world, case)
    before = Notification.objects.count()

    with pytest.raises(ValidationFailed):
        task_decide(task=world.task(case, "decide"), actor=world.decider, decision="denied")

    assert Notification.objects.count() == before


def test_the_backends_hear_only_after_commit(
    world: World, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.submit()
    assert sent == []
    for callback in callbacks:
        callback()
    assert [(message.recipient, message.kind) for message in sent] == [
        (world.applicant_user, am.SUBMITTED)
    ]


# --- walk-ins and language -----------------------------------------------------------------


def test_a_walk_in_without_an_account_is_texted_at_its_phone(
    world: World, sent, django_capture_on_commit_callbacks
):
    from onewindow.org.services.applicants import applicant_register

    walk_in = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="路过商贸有限公司",
        uscc=uscc_for(8109, registration="91"),
        phone="13712345678",
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            actor=world.clerk,
            applicant=walk_in,
            item_version=world.immediate,
            channel=CaseChannel.WINDOW,
            window=world.window,
        )

    assert not Notification.objects.filter(subject_id=case.number).exists()  # no inbox
    assert [(m.recipient.phone, m.kind) for m in sent] == [("13712345678", am.SUBMITTED)]
    assert case.number in sent[0].text


def test_the_message_is_in_the_case_language_from_the_administrators_template(world: World):
    NotificationTemplate.objects.create(
        kind=am.SUBMITTED,
        language="en",
        title="Application {number} received",
        body="Your application for {item} is number {number}, query code {query_code}.",
    )
    english = case_create(
        actor=world.applicant_user, applicant=world.applicant, item_version=world.item,
        form_data={"contact": "张三", "phone": "13800000000"}, language="en",
    )  # fmt: skip
    chinese = world.submit()

    told = {row.subject_id: row for row in mine(world.applicant_user, am.SUBMITTED)}
    assert told[english.number].title == f"Application {english.number} received"
    assert told[english.number].text == (
        f"Your application for 食品经营许可 is number {english.number}, "
        f"query code {english.query_code}."
    )
    assert told[chinese.number].text.startswith("您申请的“食品经营许可”已提交")


def test_a_representation_added_later_is_told_the_next_steps(world: World):
    case = world.submit()
    later = applicant_user(world.zone, "w_later")
    Representation.objects.create(user=later, applicant=world.applicant, capacity=Capacity.HANDLER)

    case_accept(case=case, actor=world.clerk)

    assert list(mine(later).values_list("kind", flat=True)) == [am.ACCEPTED]


# --- the supplement reminders -------------------------------------------------------------


def _tolerated_case(world: World, due: dt.date) -> Case:
    case = world.submit(skip=("营业场所证明",))
    missing = case.materials.get(name="营业场所证明")
    case_accept(
        case=case, actor=world.clerk, mode="tolerated", tolerated=[missing.pk], tolerance_due_on=due
    )
    return Case.objects.get(pk=case.pk)


def test_a_supplement_due_soon_is_reminded_once_per_due_date(world: World):
    case = _tolerated_case(world, dt.date(2026, 3, 4))

    assert remind_supplements_due_soon(today=dt.date(2026, 2, 28)) == 0  # 4 days ahead
    assert remind_supplements_due_soon(today=dt.date(2026, 3, 2)) == 1
    assert remind_supplements_due_soon(today=dt.date(2026, 3, 3)) == 0  # once

    text = only(world.applicant_user, am.SUPPLEMENT_DUE_SOON).text
    assert "营业场所证明" in text and "2026年03月04日" in text
    case.materials.filter(state=MaterialState.TOLERATED).update(state=MaterialState.UPLOADED)
    assert remind_supplements_due_soon(today=dt.date(2026, 3, 3)) == 0


def test_an_overdue_supplement_tells_the_applicant_once(world: World):
    _tolerated_case(world, dt.date(2026, 3, 4))

    assert remind_overdue_supplements(today=dt.date(2026, 3, 5)) == 1
    assert remind_overdue_supplements(today=dt.date(2026, 3, 6)) == 0

    text = only(world.applicant_user, am.SUPPLEMENT_OVERDUE).text
    assert "营业场所证明" in text and "已记录逾期" in text


def test_a_withdrawn_case_is_not_reminded(world: World):
    from onewindow.cases.services import case_withdraw

    case = _tolerated_case(world, dt.date(2026, 3, 4))
    case_withdraw(case=case, actor=world.applicant_user)

    assert remind_supplements_due_soon(today=dt.date(2026, 3, 3)) == 0
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
