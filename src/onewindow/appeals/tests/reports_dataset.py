"""A hand-counted week of appeals for the figures, the weekly report and the dashboard.

The week: Mon 2 Mar – Sun 8 Mar 2026 (no holiday); "now" is Mon 9 Mar 2026, 12:00.
``make_appeal`` dispatches one hour after receipt and signs two hours after it; the sign
limit is 2 working hours from dispatch, so an order received at 10:00 is due to be
signed at 13:00 and signed at 12:00 (in time) unless a test says otherwise.

| order | department | status | what matters |
| --- | --- | --- | --- |
| A1 | lead | closed | replied on time; visit 满意, resolved |
| A2 | lead | closed | replied late (overdue); visit 基本满意, not resolved |
| A3 | lead | handling | signed late (15:00); returned once; reopened once |
| A4 | lead | dispatched | not signed yet |
| A5 | lead | answered | replied on time, no visit yet |
| B1 | other | closed (by the centre) | replied on time; visit 不满意, not resolved |
| B2 | other | handling | urgent (2 natural hours): open and late now; a late return |
| C1 | — | received | not dispatched; in warning now |
| X1 | — | not_accepted | excluded |
| X2 | — | transferred | excluded (no clock) |
| X3 | lead | merged into A1 | excluded, although flagged overdue |
| O1 | lead | closed | received Mon 9 Mar: the next week |
| O2 | lead | closed | received Sun 1 Mar 23:59: the week before |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onewindow.appeals.constants import (
    AppealStatus,
    ClosingKind,
    EmergencyService,
    RedirectChannel,
    Satisfaction,
    Urgency,
)
from onewindow.appeals.models import Appeal
from onewindow.appeals.tests.factories import AppealWorld, at, make_appeal

WEEK_START = dt.date(2026, 3, 2)
WEEK_END = dt.date(2026, 3, 9)  # exclusive
NOW = at(dt.date(2026, 3, 9), 12)


def day(number: int) -> dt.date:
    return dt.date(2026, 3, number)


@dataclass
class Week:
    a1: Appeal
    a2: Appeal
    a3: Appeal
    a4: Appeal
    a5: Appeal
    b1: Appeal
    b2: Appeal
    c1: Appeal
    x1: Appeal
    x2: Appeal
    x3: Appeal
    o1: Appeal
    o2: Appeal


def build_week(aw: AppealWorld) -> Week:
    closed = AppealStatus.CLOSED
    a1 = make_appeal(
        aw,
        closed,
        received=at(day(2)),
        subject="执照办理进度",
        satisfaction=Satisfaction.SATISFIED,
        resolved=True,
        closing_kind=ClosingKind.VISITED,
    )
    a2 = make_appeal(
        aw,
        closed,
        received=at(day(3)),
        subject="税务登记迟迟未办",
        overdue=True,
        satisfaction=Satisfaction.BASICALLY,
        resolved=False,
        closing_kind=ClosingKind.VISITED,
    )
    a3 = make_appeal(
        aw,
        AppealStatus.HANDLING,
        received=at(day(5)),
        subject="厂房消防验收咨询",
        signed_at=at(day(5), 15),
        return_count=1,
        reopen_count=1,
    )
    a4 = make_appeal(aw, AppealStatus.DISPATCHED, received=at(day(6)), subject="用电报装")
    a5 = make_appeal(aw, AppealStatus.ANSWERED, received=at(day(4)), subject="公章刻制")
    b1 = make_appeal(
        aw,
        closed,
        received=at(day(3)),
        department=aw.other,
        category=aw.other_category,
        subject="施工许可材料",
        satisfaction=Satisfaction.DISSATISFIED,
        resolved=False,
        closing_kind=ClosingKind.CENTRE,
    )
    b2 = make_appeal(
        aw,
        AppealStatus.HANDLING,
        received=at(day(4)),
        urgency=Urgency.URGENT,
        department=aw.other,
        category=aw.other_category,
        subject="工地夜间施工扰民",
        late_return_count=1,
    )
    c1 = make_appeal(aw, AppealStatus.RECEIVED, received=at(day(2)), subject="园区班车")
    x1 = make_appeal(
        aw,
        AppealStatus.NOT_ACCEPTED,
        received=at(day(3)),
        redirect_channel=RedirectChannel.LITIGATION,
    )
    x2 = make_appeal(
        aw,
        AppealStatus.TRANSFERRED,
        received=at(day(4)),
        emergency_service=EmergencyService.FIRE,
        due_at=None,
        warn_at=None,
    )
    x3 = make_appeal(
        aw,
        AppealStatus.MERGED,
        received=at(day(2)),
        merged_into=a1,
        lead_department=aw.lead,
        dispatched_at=at(day(2), 11),
        overdue=True,
        replied_at=at(day(2), 12),
    )
    o1 = make_appeal(aw, closed, received=at(day(9), 9), overdue=True)
    o2 = make_appeal(aw, closed, received=at(day(1), 23, 59), overdue=True)
    return Week(a1, a2, a3, a4, a5, b1, b2, c1, x1, x2, x3, o1, o2)
