"""The policy officer's desk (政策管理) and the public policy pages (惠企政策).

Officer pages: signed in, with the 政策专员 role (else 403); a policy or item outside the
officer's departments is "not found" (404). Public pages need no login and show only the
items in force today.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.catalog.constants import VersionStatus
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.org.context_processors import zone as zone_context
from onewindow.org.models import Department
from onewindow.policies import selectors_catalogue as selectors
from onewindow.policies.constants import VERSION_TRANSITIONS
from onewindow.policies.forms_catalogue import (
    DraftForm,
    ItemForm,
    LeafFormSet,
    PolicyFilterForm,
    PolicyForm,
    draft_initial,
    leaf_value,
    parse_json_field,
)
from onewindow.policies.models import PolicyItem, PolicyItemVersion
from onewindow.policies.permissions import is_officer, officer_department_ids
from onewindow.policies.services import catalogue as services
from onewindow.policies.wording import describe_amount, describe_condition_safely

PAGE_SIZE = 20
#: The draft form's fields the service takes as they are.
DRAFT_FIELDS = (
    "name",
    "kind",
    "way",
    "beneficiary",
    "amount_text",
    "time_limit_days",
    "excludes",
    "stacking_note",
    "budget",
    "requires_publicity",
    "publicity_days",
    "catalog_item",
    "effective_from",
    "effective_until",
)


def _officer(request: HttpRequest) -> None:
    if not is_officer(request.user):
        raise PermissionDenied


def _or_404(read, *args):
    try:
        return read(*args)
    except NotFound as error:
        raise Http404(error.message) from None


# -- the desk --------------------------------------------------------------------------------


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """``policies/manage/``: the officer's policies, their items and each version's state."""
    _officer(request)
    return render(
        request,
        "policies/catalogue/manage.html",
        {"policies": selectors.officer_policies(request.user)},
    )


def _departments(user):
    return Department.objects.filter(
        zone_id=user.zone_id, pk__in=officer_department_ids(user)
    ).order_by("code")


def _policy_form(request: HttpRequest, policy) -> HttpResponse:
    user = request.user
    departments = _departments(user)
    if policy is not None:
        initial = {name: getattr(policy, name) for name in PolicyForm.base_fields}
    else:
        initial = {"department": departments.first() if departments.count() == 1 else None}
    form = PolicyForm(
        request.POST if request.method == "POST" else None,
        departments=departments,
        initial=initial,
    )
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            try:
                if policy is None:
                    saved = services.policy_create(actor=user, **form.cleaned_data)
                else:
                    saved = services.policy_update(actor=user, policy=policy, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                messages.success(request, _("已保存政策“%(title)s”。") % {"title": saved.title})
                return redirect("policies:manage")
    return render(
        request,
        "policies/catalogue/policy_form.html",
        {"form": form, "policy": policy},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    _officer(request)
    return _policy_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _officer(request)
    return _policy_form(request, _or_404(selectors.managed_policy, request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    """``policies/manage/<id>/items/new/``: a new item of the policy, then its first draft."""
    _officer(request)
    policy = _or_404(selectors.managed_policy, request.user, pk)
    form = ItemForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            try:
                item = services.item_create(
                    actor=request.user, policy=policy, code=form.cleaned_data["code"]
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                return redirect("policies:draft_edit", code=item.code)
    return render(
        request, "policies/catalogue/item_new.html", {"form": form, "policy": policy}, status=status
    )


def _version_rows(item: PolicyItem) -> list[dict]:
    today = timezone.localdate()
    rows = []
    for version in item.versions.order_by("-number"):
        actions = VERSION_TRANSITIONS.actions_from(version.status)
        rows.append(
            {
                "version": version,
                "actions": actions,
                "in_force": version.status == VersionStatus.PUBLISHED
                and version.effective_from <= today
                and (version.effective_until is None or today <= version.effective_until),
            }
        )
    return rows


@login_required
@require_GET
def item_manage(request: HttpRequest, code: str) -> HttpResponse:
    """``policies/manage/items/<code>/``: the item's versions and what can be done to each."""
    _officer(request)
    return _item_page(request, _or_404(selectors.managed_item, request.user, code))


def _item_page(request: HttpRequest, item: PolicyItem, status: int = 200) -> HttpResponse:
    rows = _version_rows(item)
    has_draft = any(row["version"].status == VersionStatus.DRAFT for row in rows)
    has_published = any(row["version"].status == VersionStatus.PUBLISHED for row in rows)
    return render(
        request,
        "policies/catalogue/item_manage.html",
        {
            "item": item,
            "rows": rows,
            "can_copy": has_published and not has_draft,
            "has_draft": has_draft,
        },
        status=status,
    )


def _condition_from(form: DraftForm, rows) -> object:
    """The condition JSON: the advanced text when filled, else the combinator over the rows."""
    text = (form.cleaned_data.get("condition") or "").strip()
    if text:
        return parse_json_field(text, "condition", _("申报条件（JSON）"))
    leaves = []
    for row in rows:
        if row.cleaned_data.get("DELETE") or row.is_blank():
            continue
        data = row.cleaned_data
        leaves.append(
            {
                "fact": data["fact"],
                "op": data["op"],
                "value": leaf_value(data["fact"], data["op"], data["value"]),
                "clause": " ".join(data["clause"].split()),
            }
        )
    return {form.cleaned_data["combinator"]: leaves}


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, code: str) -> HttpResponse:
    """``policies/manage/items/<code>/draft/``: the draft editor with its preview. "增加一行"
    (a submit) shows the form again with one more row and saves nothing."""
    _officer(request)
    item = _or_404(selectors.managed_item, request.user, code)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None and item.versions.filter(status=VersionStatus.PUBLISHED).exists():
        messages.info(request, _("该事项没有草稿：请从已发布的版本“新建修订草稿”。"))
        return redirect("policies:item_manage", code=item.code)
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        adding = "add_row" in data
        if adding:
            total = int(data.get("rows-TOTAL_FORMS") or 0)
            data["rows-TOTAL_FORMS"] = str(min(total + 1, 40))
        form = DraftForm(data, item=item)
        rows = LeafFormSet(data, prefix="rows")
        if not adding:
            status = 422
            if form.is_valid() and rows.is_valid():
                try:
                    saved = services.version_save_draft(
                        actor=request.user,
                        item=item,
                        condition=_condition_from(form, rows),
                        amount=form.amount_rule(),
                        materials=form.material_list(),
                        **{name: form.cleaned_data[name] for name in DRAFT_FIELDS},
                    )
                except ApplicationError as error:
                    add_service_error(form, error)
                    status = error.status
                else:
                    messages.success(
                        request, _("已保存第 %(number)s 版草稿。") % {"number": saved.number}
                    )
                    return redirect("policies:draft_edit", code=item.code)
    else:
        initial, leaf_rows = draft_initial(draft) if draft is not None else ({}, [])
        if draft is None:
            initial = {"effective_from": max(timezone.localdate(), item.policy.effective_from)}
            leaf_rows = [{}]
        form = DraftForm(initial=initial, item=item)
        rows = LeafFormSet(initial=leaf_rows, prefix="rows")
    preview, preview_error = describe_condition_safely(draft.condition) if draft else ([], "")
    return render(
        request,
        "policies/catalogue/draft_edit.html",
        {
            "item": item,
            "draft": draft,
            "form": form,
            "rows": rows,
            "preview": preview,
            "preview_error": preview_error,
            "amount_words": describe_amount(draft.amount) if draft else "",
        },
        status=status,
    )


@login_required
@require_POST
def version_action(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    """``policies/manage/items/<code>/versions/<number>/<action>/``: publish, retire (with an
    optional last day) or new_draft (a revision copied from this published version)."""
    _officer(request)
    item = _or_404(selectors.managed_item, request.user, code)
    version = PolicyItemVersion.objects.filter(item=item, number=number).first()
    if version is None:
        raise Http404(_("没有找到该版本"))
    try:
        if action == "publish":
            services.version_publish(actor=request.user, version=version)
            messages.success(request, _("已发布第 %(number)s 版。") % {"number": number})
        elif action == "retire":
            services.version_retire(
                actor=request.user,
                version=version,
                effective_until=request.POST.get("effective_until") or None,
            )
            messages.success(request, _("已停用第 %(number)s 版。") % {"number": number})
        elif action == "new_draft":
            if version.status != VersionStatus.PUBLISHED:
                raise Http404(_("只能从已发布的版本新建修订草稿"))
            services.version_new_draft(actor=request.user, item=item)
            return redirect("policies:draft_edit", code=item.code)
        else:
            raise Http404(_("没有这一操作"))
    except ApplicationError as error:
        for message in [m for ms in error.fields.values() for m in ms] or [error.message]:
            messages.error(request, message)
        return _item_page(request, item, error.status)
    return redirect("policies:item_manage", code=item.code)


# -- public ----------------------------------------------------------------------------------


def _site_zone(request: HttpRequest):
    zone = zone_context(request)["zone"]
    if zone is None:
        raise Http404("no zone")
    return zone


@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """``policies/``: the published items in force today, filtered by kind, way, department
    and words."""
    zone = _site_zone(request)
    departments = Department.objects.filter(zone=zone, policies__isnull=False).distinct()
    form = PolicyFilterForm(request.GET or None, departments=departments.order_by("code"))
    filters = form.cleaned_data if form.is_valid() else {}
    versions = selectors.public_versions(
        zone,
        timezone.localdate(),
        kind=filters.get("kind") or None,
        way=filters.get("way") or None,
        department=filters.get("department") or None,
        q=filters.get("q", ""),
    )
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if page.has_previous():
        page.previous_url = f"?{query.urlencode()}&page={page.previous_page_number()}"
    if page.has_next():
        page.next_url = f"?{query.urlencode()}&page={page.next_page_number()}"
    rows = [
        {"version": version, "amount": version.amount_text or describe_amount(version.amount)}
        for version in page
    ]
    return render(
        request,
        "policies/catalogue/list.html",
        {"form": form, "page": page, "rows": rows, "count": page.paginator.count},
        status=200 if not form.is_bound or form.is_valid() else 422,
    )


@require_GET
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    """``policies/<code>/``: the item in force today, its conditions in words, the policy."""
    found = _or_404(selectors.public_item, _site_zone(request), code, timezone.localdate())
    version = found.version
    lines, _error = describe_condition_safely(version.condition)
    return render(
        request,
        "policies/catalogue/detail.html",
        {
            "item": found.item,
            "version": version,
            "policy": found.item.policy,
            "history": found.history,
            "lines": lines,
            "amount_words": describe_amount(version.amount),
        },
    )
