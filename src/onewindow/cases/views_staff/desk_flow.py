"""Working a desk queue case after case ("next case"): a case opened from a queue carries
the queue's query (``?from=queue%3Dpre_review…``); its action forms post it back; after an
action that finishes the clerk's part (accept, correction notice, refusal, on-the-spot
decision, delivery) the clerk lands on the next case of the same queue, with a line about
the case just handled and its notices to print, or back on the queue when it is empty."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onewindow.cases import notices
from onewindow.cases.forms_desk import DeskFilterForm
from onewindow.cases.models import Case
from onewindow.cases.permissions import access_case_by_number
from onewindow.cases.selectors import desk_queues
from onewindow.cases.selectors.desk_queues import QUEUES, DeskQuery
from onewindow.core.errors import NotFound
from onewindow.org.constants import Role
from onewindow.org.models import User

#: The actions after which the clerk is done with the case in the queue.
NEXT_CASE_ACTIONS = frozenset({"accept", "request_correction", "refuse", "on_the_spot", "deliver"})
#: The longest ``from`` read (a desk query is far shorter).
MAX_FROM = 500


def desk_query_from(user: User, raw: str) -> DeskQuery | None:
    """The desk query a case was opened from (its valid parts), or None: not a clerk, or
    no queue named."""
    if not raw or len(raw) > MAX_FROM or not user.has_role(Role.WINDOW_CLERK):
        return None
    data = QueryDict(raw)
    if data.get("queue") not in QUEUES:
        return None
    return DeskFilterForm(data, zone=user.zone).desk_query()


def _case_url(number: str, query: DeskQuery, **extra: str) -> str:
    params = {"from": urlencode(query.params()), **extra}
    return reverse("cases:case", args=[number]) + "?" + urlencode(params)


def desk_url(query: DeskQuery) -> str:
    return reverse("cases:desk") + "?" + urlencode(query.params()) + "#queue"


@dataclass(frozen=True)
class DeskPlace:
    """What the case page shows of the queue it was opened from."""

    query: DeskQuery
    #: The ``from`` value the action forms post back.
    value: str
    label: str
    desk_url: str
    next_url: str
    #: The case handled just before, with its notices, when the clerk came from it.
    done: Case | None
    done_notices: list[dict]


def desk_place(request: HttpRequest, case: Case) -> DeskPlace | None:
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    query = desk_query_from(user, source.get("from", ""))
    if query is None:
        return None
    following = desk_queues.next_case(user, query, after=case)
    done, done_notices = None, []
    number = request.GET.get("done", "")
    if number and number != case.number and len(number) <= 32:
        try:
            done = access_case_by_number(user, number)
        except NotFound:
            done = None
        if done is not None:
            done_notices = [
                {
                    "label": notices.NoticeKind(kind).label,
                    "url": reverse("cases:notice", args=[done.number, kind]),
                }
                for kind in notices.available_notices(done)
            ]
    return DeskPlace(
        query=query,
        value=urlencode(query.params()),
        label=str(QUEUES[query.queue].label),
        desk_url=desk_url(query),
        next_url=_case_url(following.number, query) if following is not None else "",
        done=done,
        done_notices=done_notices,
    )


def after_action(request: HttpRequest, case: Case, action: str) -> HttpResponse:
    """Where a successful action goes: the next case of the queue the case was opened
    from (or the queue when it is empty) after a finishing action; the case page again
    otherwise, the queue kept."""
    user = request.user
    query = desk_query_from(user, request.POST.get("from", ""))
    if query is None:
        return redirect("cases:case", number=case.number)
    if action not in NEXT_CASE_ACTIONS:
        return redirect(_case_url(case.number, query))
    following = desk_queues.next_case(user, query, after=case)
    if following is None:
        return redirect(desk_url(query))
    return redirect(_case_url(following.number, query, done=case.number))


def handled_message(case: Case, message: str, request: HttpRequest, action: str) -> str:
    """The success message, naming the case when the clerk moves on to another one."""
    if action in NEXT_CASE_ACTIONS and request.POST.get("from"):
        return _("{number}：{message}").format(number=case.number, message=message)
    return message
