"""Public progress over HTTP (办件进度查询): number and query code, throttled like the page."""

from __future__ import annotations

import dataclasses

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from onewindow.cases import throttle
from onewindow.cases.api.router import router
from onewindow.cases.schemas import TrackOut, TrackQuery
from onewindow.cases.selectors import public_progress
from onewindow.core.schemas import ERROR_RESPONSES, Error


@router.get(
    "/track/{number}",
    response={200: TrackOut, **ERROR_RESPONSES, 429: Error},
    summary="办件进度公开查询（办件编号 + 查询码；任一不符均答复 404；与查询页面共用限流）",
    auth=None,
)
def track(request, number: str, query: Query[TrackQuery], response: HttpResponse):
    if not throttle.TRACK.allow(request):
        response["Retry-After"] = str(throttle.TRACK.retry_after())
        message = _("查询过于频繁，请 1 分钟后再试。")
        return Status(429, {"message": message, "code": "throttled", "fields": {}})
    progress = public_progress(number=number, code=query.code)
    return {
        **dataclasses.asdict(progress),
        "status_label": str(progress.status_label),
        "steps": [{**step, "status": str(step["status"])} for step in progress.steps],
    }
