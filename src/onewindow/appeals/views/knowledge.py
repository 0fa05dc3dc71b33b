"""Pages of the knowledge base (诉求知识库): search and list, an article with its version
history and the orders that cited each version, and the editor (new, edit).

Readers are the zone's appeal staff (the hotline, the centre, departments' handlers,
电子监察); editors the centre and the handlers of the article's department
(``appeals.knowledge``). An article one may not read is "not found" (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.appeals import knowledge
from onewindow.appeals.forms_account import ArticleForm, KnowledgeSearchForm
from onewindow.appeals.models import KnowledgeArticle
from onewindow.appeals.permissions import handler_department_ids
from onewindow.appeals.services.knowledge import (
    MAX_SEARCH_LIMIT,
    article_for,
    article_items,
    article_save,
    article_versions,
    citing_orders,
    knowledge_search,
)
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.org.models import Department


def _reader(request: HttpRequest) -> None:
    if not knowledge.reads_knowledge(request.user):
        raise PermissionDenied


@login_required
@require_GET
def knowledge_list(request: HttpRequest) -> HttpResponse:
    """``appeals/knowledge/``: search the zone's published articles (empty: all by title)."""
    _reader(request)
    user = request.user
    form = KnowledgeSearchForm(request.GET or None, zone=user.zone)
    hits, status, query = [], 200, ""
    if form.is_valid():
        query = form.cleaned_data["q"]
    elif form.is_bound:
        status = 422  # an unknown category: the error is shown beside it
    try:
        hits = knowledge_search(
            zone=user.zone,
            q=query,
            category=form.category_object() if form.is_bound else None,
            limit=MAX_SEARCH_LIMIT,
        )
    except ApplicationError as error:
        add_service_error(form, error)
        status = error.status
    context = {
        "form": form,
        "hits": hits,
        "searched": bool(query) or bool(form.is_bound and form.data.get("category")),
        "can_edit": knowledge.is_editor(user),
    }
    return render(request, "appeals/knowledge/list.html", context, status=status)


def _article(request: HttpRequest, pk: int) -> KnowledgeArticle:
    try:
        return article_for(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
@require_GET
def knowledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """``appeals/knowledge/<pk>/``: the current text, every version, and the orders that
    cited each version (those the reader may see)."""
    _reader(request)
    article = _article(request, pk)
    user = request.user
    orders = citing_orders(user, article)
    by_version: dict[int, list] = {}
    for order in orders:
        by_version.setdefault(order.knowledge_version_id, []).append(order)
    versions = [(version, by_version.get(version.pk, [])) for version in article_versions(article)]
    context = {
        "article": article,
        "version": article.current_version,
        "versions": versions,
        "items": article_items(article),
        "cited_count": len(orders),
        "can_edit": knowledge.edits_for_department(user, article.zone_id, article.department_id),
    }
    return render(request, "appeals/knowledge/detail.html", context)


def _departments_for(user):
    """The departments ``user`` may write articles for: all of the zone for the centre,
    else the user's own."""
    departments = Department.objects.filter(zone_id=user.zone_id).order_by("code")
    if knowledge.edits_zone_articles(user, user.zone_id):
        return departments
    return departments.filter(pk__in=handler_department_ids(user))


def _edit(request: HttpRequest, article: KnowledgeArticle | None, initial: dict) -> HttpResponse:
    user = request.user
    form = ArticleForm(
        request.POST if request.method == "POST" else None,
        zone=user.zone,
        departments=_departments_for(user),
        initial=initial,
    )
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = article_save(
                    actor=user,
                    article=article,
                    zone=user.zone,
                    department=data["department"],
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    items=list(data["items"]),
                    policy_refs=data["policy_refs"],
                    is_published=data["is_published"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("已保存（现行版本 {number}）。").format(number=saved.current_version.number),
                )
                return redirect("appeals:knowledge_detail", pk=saved.pk)
    context = {"form": form, "article": article}
    return render(request, "appeals/knowledge/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_new(request: HttpRequest) -> HttpResponse:
    """``appeals/knowledge/new/``: an editor writes a new article."""
    _reader(request)
    if not knowledge.is_editor(request.user):
        raise PermissionDenied
    departments = list(_departments_for(request.user)[:2])
    initial = {"is_published": True}
    if len(departments) == 1:
        initial["department"] = departments[0]
    return _edit(request, None, initial)


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """``appeals/knowledge/<pk>/edit/``: an editor of the article changes it (a change of
    its text is a new version)."""
    _reader(request)
    article = _article(request, pk)
    if not knowledge.edits_for_department(request.user, article.zone_id, article.department_id):
        raise PermissionDenied
    version = article.current_version
    initial = {
        "department": article.department,
        "category": article.category,
        "title": version.title,
        "body": version.body,
        "items": list(article.items.all()),
        "policy_refs": article.policy_refs,
        "is_published": article.is_published,
    }
    return _edit(request, article, initial)
