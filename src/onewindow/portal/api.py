"""我的消息 over HTTP: the signed-in user's own messages (staff and applicants alike),
newest first, and marking them read. Nobody reads or marks another's messages: an id of
someone else's message is not marked and not told apart from a missing one."""

from __future__ import annotations

from ninja import Query, Router

from onewindow.core.api_auth import session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.models import Notification
from onewindow.core.notifications import notifications_mark_read, unread_count
from onewindow.core.notifications.kinds import link_label
from onewindow.core.schemas import ERROR_RESPONSES, Error
from onewindow.portal.schemas import (
    MessagesPageOut,
    MessagesQuery,
    MessagesReadIn,
    MessagesReadOut,
)

router = Router(tags=["messages"], auth=session_auth)


def _row(message: Notification) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "title": message.title,
        "text": message.text,
        "link": message.link,
        "link_label": str(link_label(message.kind)),
        "subject_type": message.subject_type,
        "subject_id": message.subject_id,
        "created_at": message.created_at,
        "read_at": message.read_at,
    }


@router.get(
    "/messages",
    response={200: MessagesPageOut, 401: Error, **ERROR_RESPONSES},
    summary="我的消息（本人的消息，最新的在前，分页）",
)
def messages(request, query: Query[MessagesQuery]):
    user = request.auth
    mine = Notification.objects.filter(recipient=user)
    if query.unread:
        mine = mine.filter(read_at__isnull=True)
    page = mine.order_by("-created_at", "-pk")[query.offset : query.offset + query.limit]
    return {
        "count": mine.count(),
        "unread": unread_count(user),
        "limit": query.limit,
        "offset": query.offset,
        "results": [_row(message) for message in page],
    }


@router.post(
    "/messages/read",
    response={200: MessagesReadOut, 401: Error, 403: Error, **ERROR_RESPONSES},
    summary="将本人的消息标为已读（指定编号，或不填全部）",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": MessagesReadIn.model_json_schema()}},
        }
    },
)
def messages_read(request):
    user = request.auth
    body = validated(MessagesReadIn, json_object(request))
    marked = notifications_mark_read(user=user, ids=body.ids)
    return {"marked": marked, "unread": unread_count(user)}
