"""The example's demo data: a few suggestions in the demo zone, through the services (so
each passed the real checks and left its audit events). Idempotent: a zone that has
suggestions gets none. A real app calls its builder from ``onewindow/demo``
(``demo/<domain>_data.py``, run by ``onewindow demo``)."""

from __future__ import annotations

from onewindow.org.models import User, Zone
from suggestions import services
from suggestions.models import Suggestion

#: (subject, content, the clerk's answer or "" to leave it waiting)
SUGGESTIONS = (
    (
        "周六能否开放综合受理窗口",
        "上班族工作日请假不便，建议周六上午开放一个综合受理窗口。",
        "自下月起，每周六上午 9:00—12:00 开放 A01 综合受理窗口，办理企业开办等高频事项。",
    ),
    (
        "大厅取号机打印不清楚",
        "B 区取号机打印的号码很淡，看不清。",
        "",
    ),
)


def build(*, zone: Zone, applicant: User, clerk: User) -> list[Suggestion]:
    """The demo suggestions of ``zone``: left by ``applicant``, answered by ``clerk``."""
    if Suggestion.objects.filter(zone=zone).exists():
        return list(Suggestion.objects.filter(zone=zone).order_by("pk"))
    built = []
    for subject, content, answer in SUGGESTIONS:
        suggestion = services.suggestion_submit(
            actor=applicant, zone_code=zone.code, subject=subject, content=content
        )
        if answer:
            suggestion = services.suggestion_answer(
                suggestion=suggestion, actor=clerk, answer=answer
            )
        built.append(suggestion)
    return built
