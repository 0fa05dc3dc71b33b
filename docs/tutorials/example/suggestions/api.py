"""Suggestions over HTTP: ``/api/v1/suggestions``.

Each operation parses, finds the suggestion through the one chokepoint (404 for one the
user may not see, ADR 0018), calls one service and answers the schema. Refusals come from
the services as ``core.errors`` and are rendered by the API's shared handlers as
``{"message", "code", "fields"}``: 401 not signed in, 403 wrong role or CSRF, 404, 409 a
refused move, 422 bad input. A real app is mounted in ``onewindow/api.py``:
``api.add_router("/suggestions", suggestions_router)``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden
from onewindow.core.schemas import Error
from suggestions import services
from suggestions.constants import SuggestionStatus
from suggestions.models import Suggestion
from suggestions.permissions import is_author_kind, reads_zone
from suggestions.schemas import AnswerIn, SuggestionIn, SuggestionOut
from suggestions.selectors import suggestion_for, suggestions_visible_to

router = Router(tags=["suggestions"], auth=session_auth)

#: The most suggestions one list answer holds (the newest first).
LIST_LIMIT = 100


def suggestion_out(suggestion: Suggestion) -> dict:
    return {
        "id": suggestion.pk,
        "zone": suggestion.zone.code,
        "subject": suggestion.subject,
        "content": suggestion.content,
        "status": suggestion.status,
        "status_label": suggestion.get_status_display(),
        "answer": suggestion.answer,
        "answered_at": suggestion.answered_at,
        "closed_at": suggestion.closed_at,
        "created_at": suggestion.created_at,
    }


def _readers_only(request: HttpRequest) -> None:
    if not (is_author_kind(request.user) or reads_zone(request.user)):
        raise Forbidden(_("只有申请人和窗口、监察人员可以查看意见建议"), code="not_permitted")


@router.get(
    "",
    response={200: list[SuggestionOut], 401: Error, 403: Error, 422: Error},
    summary="意见建议：申请人看自己提出的，窗口和监察人员看本开发区的（最新的在前）",
)
def suggestion_list(request: HttpRequest, status: SuggestionStatus | None = None):
    _readers_only(request)
    rows = suggestions_visible_to(request.user, status=status)[:LIST_LIMIT]
    return [suggestion_out(row) for row in rows]


@router.post(
    "",
    response={201: SuggestionOut, 401: Error, 403: Error, 422: Error},
    summary="提出意见建议（申请人）",
)
def suggestion_create(request: HttpRequest, body: SuggestionIn):
    suggestion = services.suggestion_submit(
        actor=request.user, zone_code=body.zone, subject=body.subject, content=body.content
    )
    return Status(201, suggestion_out(suggestion))


@router.get(
    "/{int:pk}",
    response={200: SuggestionOut, 401: Error, 404: Error},
    summary="一条意见建议",
)
def suggestion_detail(request: HttpRequest, pk: int):
    return suggestion_out(suggestion_for(request.user, pk))


@router.post(
    "/{int:pk}/answer",
    response={200: SuggestionOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="答复意见建议（本开发区的综合窗口人员）",
)
def suggestion_answer(request: HttpRequest, pk: int, body: AnswerIn):
    suggestion = suggestion_for(request.user, pk)
    suggestion = services.suggestion_answer(
        suggestion=suggestion, actor=request.user, answer=body.answer
    )
    return suggestion_out(suggestion)


@router.post(
    "/{int:pk}/close",
    response={200: SuggestionOut, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="办结意见建议（提出人；或答复满 7 天后由窗口人员办结）",
)
def suggestion_close(request: HttpRequest, pk: int):
    suggestion = suggestion_for(request.user, pk)
    suggestion = services.suggestion_close(suggestion=suggestion, actor=request.user)
    return suggestion_out(suggestion)
