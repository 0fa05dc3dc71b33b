"""A small, hand-counted zone for the dashboard tests: March 2026 in two departments.

Built through the case services at explicit dates (time-machine). Ratings and
rectifications are written as rows with explicit dates and states (what the reviews
services write), so their states on the day of the test are known by hand.

Departments: A = ``department`` (市场监督管理局), B = ``other_department`` (住房和城乡建设局).
Items (``World``): 食品经营许可 (A, 10 working days), 施工许可 (B, 8), 个体工商户名称变更
(A, 即办件), and the bundle 食品经营许可 + 施工许可 (lead A, 15).

March 2026 has no holiday; Sat 28 Feb 2026 is a make-up working day (春节调休). Working
days counted "after acceptance": the acceptance day is not counted.

Each case: item (department), channel, acceptance (mode), decision, delivery, working days
from acceptance to decision / to delivery, on time, window visits:

- C1  食品 (A), online, Mon 2 Mar, decided Fri 6, delivered Mon 9 Mar: 4 / 5 wd, on time, 0.
- C2  食品 (A), window, Tue 3 Mar 容缺, decided Thu 12, delivered Fri 13: 7 / 8, on time,
  2 visits (the application on 3 Mar, the tolerated material on paper on 10 Mar).
- C3  食品 (A), online, Wed 4 Mar 告知承诺, decided Thu 5, delivered Tue 31 Mar: 1 / 19, on
  time, 0.
- C4  食品 (A), online, Mon 2 Mar (one material brought on paper that day), suspended Wed 4 →
  Tue 10 Mar (4 wd not counted: deadline Fri 20 Mar), decided Mon 23 Mar: 15 wd, late,
  1 visit; delivered on 1 Apr (22 wd).
- C5  施工 (B), online, Mon 9 Mar, decided Thu 19 (its deadline), delivered Fri 20: 8 / 9,
  on time, 0.
- C6  施工 (B), window, Mon 16 Mar, running: deadline Thu 26 Mar, red on 1 Apr.
- C7  食品 (A), online, Fri 20 Mar, running: deadline Fri 3 Apr, yellow from Wed 1 Apr.
- C8  食品 (A), online, Wed 25 Mar, running: deadline Thu 9 Apr, green on 1 Apr.
- C9  bundle (parent, lead A; never counted), online, Wed 11 Mar, delivered Wed 18 Mar:
  C9a 食品 (A) decided Fri 13: 2 / 5, on time, 0; C9b 施工 (B) decided Tue 17: 4 / 5, on
  time, 0.
- C10 名称变更 (A) 即办件, window, Tue 24 Mar, decided and delivered the same day: 0 / 0, on
  time, 1 visit.
- C11 食品 (A), online, Fri 27 Feb, decided Tue 3 Mar, delivered Wed 4 Mar: 3 / 4 (Sat 28
  Feb is a working day), on time, 0.
- C12 食品 (A), online, Thu 26 Mar, withdrawn Fri 27 Mar.
- C13 食品 (A), online, refused Thu 5 Mar (never accepted: never counted).
- C14 食品 (A), online, accepted Wed 1 Apr (today), running.

Ratings (rated on; level; rectification state on Wed 1 Apr):

| rating | case | dept / item | rated | level | rectification |
| --- | --- | --- | --- | --- | --- |
| R1 | C1 | A / 食品 | 10 Mar | 5 非常满意 (online) | — |
| R2 | C1 | A / 食品 | 10 Mar | 4 满意 (mobile) | — |
| R3 | C2 | A / 食品 | 16 Mar | 2 不满意 | open, due 7 Apr → open |
| R4 | C11 | A / 食品 | 5 Mar | 2 不满意 | open, due 26 Mar → overdue |
| R5 | C5 | B / 施工 | 20 Mar | 1 非常不满意 | rectified 31 Mar, visit due 8 Apr → rectified |
| R6 | C9 (bundle parent) | A / — | 19 Mar | 1 非常不满意 | closed |
| R7 | C10 | A / 名称变更 | 24 Mar | 3 基本满意 | — |
| R8 | C3 | A / 食品 | 1 Apr | 4 满意 | — (outside March) |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from onewindow.cases.constants import AcceptanceMode, CaseChannel, MaterialState, SuspensionKind
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_handle_on_the_spot,
    case_refuse,
    case_resume,
    case_suspend,
    case_withdraw,
    material_receive_paper,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.models import ItemVersion
from onewindow.org.models import User
from onewindow.reviews.models import (
    Channel,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date
#: The day the tests look from (Wednesday 1 April 2026).
TODAY = D(2026, 4, 1)
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("zone", "department", "item_version").get(pk=case.pk)


def _material(case: Case, name: str) -> CaseMaterial:
    owner = case.parent if case.parent_id else case
    return CaseMaterial.objects.get(case=owner, name=name)


def _window_case(world: World, item: ItemVersion, *, skip: tuple[str, ...] = ()) -> Case:
    """A walk-in application taken by the clerk, who scans the materials at the window."""
    case = case_create(
        actor=world.clerk,
        applicant=world.applicant,
        item_version=item,
        channel=CaseChannel.WINDOW,
        window=world.window,
        form_data={"contact": "张三"},
    )
    for row in case.materials.filter(state=MaterialState.MISSING):
        if row.name not in skip:
            material_upload(case=case, material_id=row.pk, uploaded=pdf_upload(), actor=world.clerk)
    return _fresh(case)


def _people(world: World, case: Case) -> tuple[User, User]:
    if case.department_id == world.department.pk:
        return world.reviewer, world.decider
    return world.other_reviewer, world.other_decider


def _decide(world: World, case: Case) -> None:
    reviewer, decider = _people(world, case)
    review = world.task(case, "review")
    if review.assignee_id is None:
        task_claim(task=review, actor=reviewer)
    task_complete(task=review, actor=reviewer, comment="材料齐全，符合条件")
    task_decide(task=world.task(case, "decide"), actor=decider, decision="approved")


def _deliver(world: World, case: Case) -> None:
    task = Task.objects.get(case=case, kind="delivery", status__in=("open", "claimed"))
    task_deliver(task=task, actor=world.clerk)


@dataclass
class March:
    cases: dict[str, Case]
    ratings: dict[str, Rating]


def _rating(case: Case, channel: str, level: int, day: dt.date, rater: User | None) -> Rating:
    return Rating.objects.create(
        zone_id=case.zone_id,
        case=case,
        department_id=case.department_id,
        item_id=case.item_version.item_id if case.item_version_id else None,
        channel=channel,
        level=level,
        rater=rater,
        real_name=rater is not None,
        rated_at=at(day, 15),
        rated_on=day,
    )


def _rectification(rating: Rating, *, opened: dt.date, due: dt.date, **fields) -> Rectification:
    return Rectification.objects.create(
        rating=rating,
        zone_id=rating.zone_id,
        department_id=rating.department_id,
        opened_on=opened,
        due_on=due,
        **fields,
    )


def build_march(world: World, *, today_too: bool = True) -> March:
    """The zone of the module docstring; with ``today_too``, also what happens on 1 Apr
    (C4 delivered, C14 accepted, R8) — done at 10:00 that day."""
    cases: dict[str, Case] = {}
    item, other, immediate = world.item, world.other_item, world.immediate

    def on(day: dt.date, hour: int = 10):
        return time_machine.travel(at(day, hour), tick=False)

    with on(D(2026, 2, 27)):
        cases["C11"] = world.accepted(item)
    with on(D(2026, 3, 2)):
        cases["C1"] = world.accepted(item)
        c4 = world.submit(item, skip=("营业场所证明",))
        material_receive_paper(
            case=c4, material_id=_material(c4, "营业场所证明").pk, actor=world.clerk
        )
        case_accept(case=c4, actor=world.clerk)
        cases["C4"] = _fresh(c4)
    with on(D(2026, 3, 3)):
        _decide(world, cases["C11"])
        c2 = _window_case(world, item, skip=("营业场所证明",))
        case_accept(
            case=c2,
            actor=world.clerk,
            mode=AcceptanceMode.TOLERATED,
            tolerated=[_material(c2, "营业场所证明").pk],
        )
        cases["C2"] = _fresh(c2)
    with on(D(2026, 3, 4)):
        _deliver(world, cases["C11"])
        c3 = world.submit(item, skip=("安全管理制度",))
        case_accept(
            case=c3,
            actor=world.clerk,
            mode=AcceptanceMode.COMMITMENT,
            committed=[_material(c3, "安全管理制度").pk],
            commitment_text="本单位承诺已建立食品安全管理制度。",
            commitment_signed_name="李四",
        )
        cases["C3"] = _fresh(c3)
        task_claim(task=world.task(cases["C4"], "review"), actor=world.reviewer)
        case_suspend(
            case=cases["C4"], actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检"
        )
    with on(D(2026, 3, 5)):
        _decide(world, cases["C3"])
        c13 = world.submit(item)
        case_refuse(
            case=c13,
            actor=world.clerk,
            reason="不属于本机关职权范围",
            legal_basis="行政许可法第三十二条",
        )
        cases["C13"] = _fresh(c13)
    with on(D(2026, 3, 6)):
        _decide(world, cases["C1"])
    with on(D(2026, 3, 9)):
        _deliver(world, cases["C1"])
        cases["C5"] = world.accepted(other)
    with on(D(2026, 3, 10)):
        case_resume(case=cases["C4"], actor=world.reviewer)
        material_receive_paper(
            case=cases["C2"],
            material_id=_material(cases["C2"], "营业场所证明").pk,
            actor=world.clerk,
        )
    with on(D(2026, 3, 11)):
        parent = world.submit(bundle=world.bundle)
        case_accept(case=parent, actor=world.clerk)
        children = {child.department_id: child for child in Case.objects.filter(parent=parent)}
        cases["C9"] = _fresh(parent)
        cases["C9a"] = _fresh(children[world.department.pk])
        cases["C9b"] = _fresh(children[world.other_department.pk])
    with on(D(2026, 3, 12)):
        _decide(world, cases["C2"])
    with on(D(2026, 3, 13)):
        _deliver(world, cases["C2"])
        _decide(world, cases["C9a"])
    with on(D(2026, 3, 16)):
        c6 = _window_case(world, other)
        case_accept(case=c6, actor=world.clerk)
        cases["C6"] = _fresh(c6)
    with on(D(2026, 3, 17)):
        _decide(world, cases["C9b"])
    with on(D(2026, 3, 18)):
        _deliver(world, cases["C9"])
    with on(D(2026, 3, 19)):
        _decide(world, cases["C5"])
    with on(D(2026, 3, 20)):
        _deliver(world, cases["C5"])
        cases["C7"] = world.accepted(item)
    with on(D(2026, 3, 23)):
        _decide(world, cases["C4"])
    with on(D(2026, 3, 24)):
        c10 = _window_case(world, immediate)
        case_handle_on_the_spot(case=c10, actor=world.clerk)
        cases["C10"] = _fresh(c10)
    with on(D(2026, 3, 25)):
        cases["C8"] = world.accepted(item)
    with on(D(2026, 3, 26)):
        cases["C12"] = world.accepted(item)
    with on(D(2026, 3, 27)):
        case_withdraw(case=cases["C12"], actor=world.applicant_user, reason="不再需要")
    with on(D(2026, 3, 31)):
        _deliver(world, cases["C3"])

    who, online, mobile = world.applicant_user, Channel.ONLINE, Channel.MOBILE
    ratings = {
        "R1": _rating(cases["C1"], online, Level.VERY_SATISFIED, D(2026, 3, 10), who),
        "R2": _rating(cases["C1"], mobile, Level.SATISFIED, D(2026, 3, 10), who),
        "R3": _rating(cases["C2"], online, Level.DISSATISFIED, D(2026, 3, 16), who),
        "R4": _rating(cases["C11"], online, Level.DISSATISFIED, D(2026, 3, 5), None),
        "R5": _rating(cases["C5"], online, Level.VERY_DISSATISFIED, D(2026, 3, 20), who),
        "R6": _rating(cases["C9"], online, Level.VERY_DISSATISFIED, D(2026, 3, 19), who),
        "R7": _rating(cases["C10"], online, Level.BASICALLY_SATISFIED, D(2026, 3, 24), who),
    }
    _rectification(ratings["R3"], opened=D(2026, 3, 16), due=D(2026, 4, 7))
    _rectification(ratings["R4"], opened=D(2026, 3, 5), due=D(2026, 3, 26))
    _rectification(
        ratings["R5"],
        opened=D(2026, 3, 20),
        due=D(2026, 4, 13),
        status=RectificationStatus.RECTIFIED,
        measures="加强审查培训",
        rectified_at=at(D(2026, 3, 31)),
        visit_due_on=D(2026, 4, 8),
    )
    _rectification(
        ratings["R6"],
        opened=D(2026, 3, 19),
        due=D(2026, 4, 10),
        status=RectificationStatus.CLOSED,
        measures="统一出件提速",
        rectified_at=at(D(2026, 3, 23)),
        visit_due_on=D(2026, 3, 30),
        visited_at=at(D(2026, 3, 25)),
        visit_outcome=ReturnVisitOutcome.SATISFIED,
        closed_at=at(D(2026, 3, 25)),
    )
    if today_too:
        build_today(world, cases, ratings)
    return March(cases=cases, ratings=ratings)


def build_today(world: World, cases: dict[str, Case], ratings: dict[str, Rating]) -> None:
    """What happens on Wed 1 Apr at 10:00: C4 delivered, C14 accepted, R8 given."""
    with time_machine.travel(at(TODAY, 10), tick=False):
        _deliver(world, cases["C4"])
        cases["C4"] = _fresh(cases["C4"])
        cases["C14"] = world.accepted(world.item)
        cases["C3"] = _fresh(cases["C3"])
    ratings["R8"] = _rating(
        cases["C3"], Channel.ONLINE, Level.SATISFIED, TODAY, world.applicant_user
    )
    for key in ("C1", "C2", "C5", "C6", "C7", "C8", "C9", "C9a", "C9b", "C10", "C11", "C12"):
        cases[key] = _fresh(cases[key])
