"""Rules added after the first pass through the spine: calendar changes reach running
cases, a bundle does not ask for its own results, online applications need an item that
is offered online, tolerated materials are still owed after delivery."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from onewindow.cases.constants import CaseEventAction, CaseStatus, MaterialState
from onewindow.cases.models import Case
from onewindow.cases.services import (
    case_accept,
    case_create,
    material_receive_paper,
    material_upload,
    recompute_deadlines,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import pdf_upload
from onewindow.catalog.tests.factories import (
    make_bundle,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.services import calendar_override_set

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


# -- calendar changes -------------------------------------------------------------------


def test_a_zone_closure_moves_running_deadlines(world, django_capture_on_commit_callbacks):
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        case = world.accepted()  # 10 working days from Mon 2 Nov: Mon 16 Nov
        assert Case.objects.get(pk=case.pk).deadline == D(2026, 11, 16)
        # given: the zone closes on Wed 11 Nov (a typhoon)
        with django_capture_on_commit_callbacks(execute=True):
            calendar_override_set(
                zone=world.zone,
                date=D(2026, 11, 11),
                kind=CalendarOverrideKind.CLOSED,
                reason="台风停止办公",
                actor=world.supervisor,
            )
        # then: the recomputation is handed to a worker, once the change is committed
        # (other apps may listen to the calendar too: insights enqueues its own job)
        job = DBTaskResult.objects.get(task_path__endswith="recompute_case_deadlines")
        assert job.args_kwargs["kwargs"] == {"zone_id": world.zone.pk}
        # when the worker runs it
        assert recompute_deadlines(zone_id=world.zone.pk) == 1

    moved = Case.objects.get(pk=case.pk)
    assert moved.deadline == D(2026, 11, 17)
    event = AuditEvent.objects.get(action=CaseEventAction.DEADLINE_RECOMPUTED)
    assert event.data == {"from": "2026-11-16", "to": "2026-11-17"}
    # a second run finds nothing to move
    with time_machine.travel(at(D(2026, 11, 3)), tick=False):
        assert recompute_deadlines(zone_id=world.zone.pk) == 0


def test_recomputing_leaves_finished_cases_alone(world):
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        case = world.decided()
        before = Case.objects.get(pk=case.pk).deadline
        calendar_override_set(
            zone=world.zone,
            date=D(2026, 11, 4),
            kind=CalendarOverrideKind.CLOSED,
            reason="停电",
            actor=world.supervisor,
        )
        assert recompute_deadlines(zone_id=world.zone.pk) == 0
    assert Case.objects.get(pk=case.pk).deadline == before


# -- bundles do not ask for their own results ----------------------------------------------


def test_a_bundle_does_not_ask_for_a_certificate_one_of_its_items_issues(
    zone, department, other_department, world
):
    permit = make_certificate_type(code="11100000MB0000009A001", name="外国人工作许可证")
    work = make_item(
        zone, department, name="工作许可", materials=["申请表"], certificate_type=permit
    )
    residence = make_item(
        zone,
        other_department,
        name="居留许可",
        materials=[
            "居留申请表",
            material("外国人工作许可证", source="certificate", certificate_type=permit),
        ],
    )
    bundle = make_bundle(
        zone, department, items=[work.item, residence.item], code="work-and-stay", publish=True
    )

    case = case_create(actor=world.applicant_user, applicant=world.applicant, bundle=bundle)

    row = case.materials.get(name="外国人工作许可证")
    assert row.state == MaterialState.SHARED
    assert row.reference == "本一件事内其他事项的办理结果"
    # the same certificate asked by a single item is the applicant's to bring
    alone = case_create(
        actor=world.applicant_user, applicant=world.applicant, item_version=residence
    )
    assert alone.materials.get(name="外国人工作许可证").state == MaterialState.MISSING


# -- online applications -----------------------------------------------------------------------


def test_an_item_offered_only_at_the_window_cannot_be_applied_for_online(zone, department, world):
    guide_only = make_item(zone, department, name="窗口专办事项", online_depth="1")

    with pytest.raises(ValidationFailed) as refused:
        case_create(actor=world.applicant_user, applicant=world.applicant, item_version=guide_only)

    assert refused.value.code == "not_online"
    assert "窗口专办事项" in refused.value.fields["item"][0]
    # the window takes it
    walk_in = case_create(
        actor=world.clerk,
        applicant=world.applicant,
        item_version=guide_only,
        channel="window",
        window=world.window,
    )
    assert walk_in.status == CaseStatus.SUBMITTED


# -- tolerated materials after delivery ------------------------------------------------------


def _delivered_with_tolerated(world) -> Case:
    """Delivered before the tolerated material is in: only an item marked 先出证后补 is."""
    version = make_item(
        world.zone,
        world.department,
        name="食品经营许可（先出证后补）",
        materials=[material("申请表"), material("营业场所证明", tolerable=True)],
        promised_limit_days=10,
        legal_limit_days=20,
        issue_before_supplement=True,
        issue_before_supplement_basis="《示范开发区容缺受理办法》第八条",
    )
    case = world.submit(version, skip=("营业场所证明",))
    row = case.materials.get(name="营业场所证明")
    case_accept(case=case, actor=world.clerk, mode="tolerated", tolerated=[row.pk])
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")
    task_deliver(task=world.task(case, "deliver"), actor=world.clerk)
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DELIVERED
    return case


def test_a_tolerated_material_can_be_supplemented_after_delivery(world):
    case = _delivered_with_tolerated(world)
    row = case.materials.get(name="营业场所证明")

    material_upload(
        case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.applicant_user
    )

    row.refresh_from_db()
    assert row.state == MaterialState.UPLOADED and row.supplemented_at is not None
    assert Case.objects.get(pk=case.pk).tolerance_due_on is None


def test_the_window_can_receive_it_on_paper_after_delivery(world):
    case = _delivered_with_tolerated(world)
    row = case.materials.get(name="营业场所证明")

    material_receive_paper(case=case, material_id=row.pk, actor=world.clerk)

    row.refresh_from_db()
    assert row.state == MaterialState.PAPER


# -- what is signed is the binding Chinese text ------------------------------------------


def test_the_commitment_offered_for_signature_is_chinese_on_an_english_page():
    from django.utils import translation

    from onewindow.cases.forms_staff import AcceptForm

    with translation.override("en"):
        text = AcceptForm()["commitment_text"].initial

    assert text.startswith("告知承诺书")
    assert "失信行为记入申请人信用记录" in text


# -- the main navigation leads to each user's desks -------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("clerk", ["窗口工作台", "待办任务"], ["红黄牌监察", "我的办件"]),
        ("reviewer", ["待办任务"], ["窗口工作台", "红黄牌监察"]),
        ("supervisor", ["红黄牌监察"], ["窗口工作台", "待办任务"]),
        ("analyst", [], ["窗口工作台", "待办任务", "红黄牌监察", "我的办件"]),
        ("applicant_user", ["我的办件"], ["窗口工作台", "待办任务"]),
    ],
)
def test_the_navigation_links_each_user_s_desks(client, world, who, shown, hidden):
    client.force_login(getattr(world, who))

    nav = client.get("/items/").content.decode().split('class="site-nav"')[1].split("</nav>")[0]

    for label in shown:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_anonymous_visitors_see_no_desks(client, world):
    nav = client.get("/items/").content.decode().split('class="site-nav"')[1].split("</nav>")[0]
    assert "待办任务" not in nav and "我的办件" not in nav
