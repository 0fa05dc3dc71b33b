"""The HTTP API (django-ninja): ``/api/v1/``, documented at ``/api/v1/docs``.

Errors are rendered one way everywhere: ``{"message", "code", "fields"}`` where
``fields`` maps each input field to its messages, in the user's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from onewindow.core.api_docs import LocalSwagger
from onewindow.core.errors import ApplicationError, NotFound, ValidationFailed
from onewindow.core.inputs import check_parameters, parse_json


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese stays readable in responses (ninja escapes non-ASCII by default)."""

    json_dumps_params = {"ensure_ascii": False}


# --- input policy (ADR 0013): one JSON parser and one rule for text, for every endpoint ---


class InputPolicyParser(Parser):
    """Bodies and form or query parameters read by ninja go through
    :mod:`onewindow.core.inputs` (views that read a JSON body themselves call
    ``parse_json`` too), so a NUL, a lone surrogate or a nesting bomb is a 422 naming the
    field, never a 500."""

    def parse_body(self, request: HttpRequest) -> Any:
        return parse_json(request.body)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        check_parameters(
            (key, value)
            for key, values in data.lists()
            for value in values
            if isinstance(value, str)  # files are checked by their own content rules
        )
        return super().parse_querydict(data, list_fields, request)


def _check_parameters(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every operation, before its parameters are read: the path parameters and the
    whole query string (declared parameters or not) must be acceptable text. A path that
    is not names nothing (404, which every operation with a path parameter declares); a
    query parameter that is not is a 422 naming it."""

    @functools.wraps(run)
    def checked(request: HttpRequest, **path: Any) -> HttpResponse:
        try:
            try:
                check_parameters((name, str(value)) for name, value in path.items())
            except ValidationFailed as error:
                raise NotFound(error.message, fields=error.fields) from None
            check_parameters(
                (key, value) for key, values in request.GET.lists() for value in values
            )
        except ApplicationError as error:
            return api.on_exception(request, error)
        return run(request, **path)

    return checked


api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一窗通办平台接口。错误统一为 {message, code, fields}。",
    renderer=UnicodeJSONRenderer(),
    urls_namespace="api-v1",
    parser=InputPolicyParser(),
    docs=LocalSwagger(),  # vendored Swagger UI, no CDN (ADR 0016)
)
api.add_decorator(_check_parameters, mode="view")


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("必填")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("日期格式应为 YYYY-MM-DD")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("应为整数")
    if kind in {"bool_parsing", "bool_type"}:
        return _("应为 true 或 false")
    context = error.get("ctx") or {}
    if kind == "greater_than_equal":
        return _("应不小于 {limit}").format(limit=context.get("ge"))
    if kind == "less_than_equal":
        return _("应不大于 {limit}").format(limit=context.get("le"))
    if kind in {"string_too_long", "string_too_short"}:
        return _("长度不符合要求")
    return _("取值无效")


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in {"query", "path", "body"}
        ]
        name = ".".join(location) or "request"
        fields.setdefault(name, []).append(_field_message(error))
    # Punctuation is part of the language: "start：…；days：…" in Chinese, "start: …; days: …".
    message = _("；").join(
        _("{field}：{messages}").format(field=name, messages=_("，").join(msgs))
        for name, msgs in fields.items()
    )
    body = {"message": message or _("请求参数有误"), "code": "invalid", "fields": fields}
    return api.create_response(request, body, status=422)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"message": _("请先登录"), "code": "unauthenticated", "fields": {}}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever the parser raises in a 400 "Cannot parse request body": the
    # policy's own refusal (a 422 naming the field) is answered as itself.
    if isinstance(exc.__cause__, ApplicationError):
        return on_application_error(request, exc.__cause__)
    body = {"message": str(exc), "code": "http_error", "fields": {}}
    return api.create_response(request, body, status=exc.status_code)


def _register_routers() -> None:
    from onewindow.appeals.api import router as appeals_router
    from onewindow.cases.api import router as cases_router
    from onewindow.catalog.api import router as catalog_router
    from onewindow.certificates.api import router as certificates_router
    from onewindow.insights.api import router as insights_router
    from onewindow.org.api import router as calendar_router
    from onewindow.org.api_applicants import router as applicants_router
    from onewindow.policies.api import router as policies_router
    from onewindow.portal.api import router as messages_router
    from onewindow.reviews.api import router as reviews_router

    api.add_router("/calendar", calendar_router)
    api.add_router("/", catalog_router)
    api.add_router("/", cases_router)
    api.add_router("/", applicants_router)
    api.add_router("/", certificates_router)
    api.add_router("/reviews", reviews_router)
    api.add_router("/", appeals_router)
    api.add_router("/", policies_router)
    api.add_router("/insights", insights_router)
    api.add_router("/me", messages_router)


_register_routers()

__all__ = ["api"]
