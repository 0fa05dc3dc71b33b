"""Pages of suggestions: the list (an applicant's own, a zone's for its staff), the form
to leave one, and a suggestion's page with the answer form and the close button.

Each view parses, checks access, calls one service or selector and renders: a suggestion
one may not see is "not found" (404, ADR 0018); a refusal of a service is shown on the
page in Chinese with its status (403, 409), input errors next to their field (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from suggestions import services
from suggestions.constants import SuggestionAction
from suggestions.forms import AnswerForm, FilterForm, SuggestionForm
from suggestions.models import Suggestion
from suggestions.permissions import is_author_kind, reads_zone, why_not_answer, why_not_close
from suggestions.selectors import suggestion_for, suggestions_visible_to

PAGE_SIZE = 25


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """``suggestions/``: the applicant's own suggestions, or the zone's for its staff."""
    user = request.user
    if not (is_author_kind(user) or reads_zone(user)):
        raise PermissionDenied
    form = FilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    rows = suggestions_visible_to(user, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": bool(status), "author": is_author_kind(user)}
    return render(request, "suggestions/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest) -> HttpResponse:
    """``suggestions/new/``: an applicant's user leaves a suggestion for a zone."""
    user = request.user
    if not is_author_kind(user):
        raise PermissionDenied
    initial = {"zone": user.zone.code} if user.zone_id else {}
    form = SuggestionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                suggestion = services.suggestion_submit(
                    actor=user,
                    zone_code=data["zone"],
                    subject=data["subject"],
                    content=data["content"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                messages.success(request, _("已提交。开发区答复后，我们会通知您。"))
                return redirect("suggestions:detail", pk=suggestion.pk)
    return render(request, "suggestions/new.html", {"form": form}, status=status)


def _access(request: HttpRequest, pk: int) -> Suggestion:
    try:
        return suggestion_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _detail(
    request: HttpRequest,
    suggestion: Suggestion,
    *,
    answer_form: AnswerForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """The suggestion's page: the forms are those the services would accept now."""
    user = request.user
    context = {
        "suggestion": suggestion,
        "refusal": refusal,
        "can_close": why_not_close(user, suggestion, now=timezone.now()) is None,
    }
    if why_not_answer(user, suggestion) is None:
        context["answer_form"] = answer_form or AnswerForm()
    return render(request, "suggestions/detail.html", context, status=status)


@login_required
@require_GET
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``suggestions/<pk>/``: the suggestion, its answer, what the user may do next."""
    return _detail(request, _access(request, pk))


#: The message after each action succeeded.
DONE = {
    SuggestionAction.ANSWER: gettext_lazy("已答复，并已通知提出人。"),
    SuggestionAction.CLOSE: gettext_lazy("意见建议已办结。"),
}


@login_required
@require_POST
def suggestion_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """``suggestions/<pk>/answer/`` and ``…/close/``: one POST per action; then back to
    the suggestion's page (post/redirect/get), or the page again with the refusal."""
    if action not in DONE:
        raise Http404("no such action")
    suggestion = _access(request, pk)
    form = AnswerForm(request.POST) if action == SuggestionAction.ANSWER else None
    if form is not None and not form.is_valid():
        return _detail(request, suggestion, answer_form=form, status=422)
    try:
        if form is not None:
            services.suggestion_answer(
                suggestion=suggestion, actor=request.user, answer=form.cleaned_data["answer"]
            )
        else:
            services.suggestion_close(suggestion=suggestion, actor=request.user)
    except ApplicationError as error:
        if form is not None:
            add_service_error(form, error, others="drop")
        refusal = "" if error.fields else error.message
        # Read again: a colleague may have moved it on since this page was opened.
        suggestion = _access(request, pk)
        return _detail(request, suggestion, answer_form=form, refusal=refusal, status=error.status)
    messages.success(request, DONE[action])
    return redirect("suggestions:detail", pk=pk)
