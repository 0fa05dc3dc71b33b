"""Pages of applicants and the public: apply online, the confirmation, my cases, material
supplements, the public progress lookup and the in-app messages.

Each view parses input, checks access (``permissions``), calls services or selectors and
renders. The case page itself (``cases:case``) and its actions are the staff pages'.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases import selectors, services, throttle
from onewindow.cases.constants import (
    CLOCK_STATUSES,
    DRAFT_KEEP_DAYS,
    INTAKE_STATUSES,
    CaseStatus,
    MaterialState,
)
from onewindow.cases.forms_applicant import (
    ApplyForm,
    MaterialUploadForm,
    TrackForm,
    size_limit_text,
)
from onewindow.cases.models import ApplicationDraft, Case, CaseMaterial
from onewindow.cases.permissions import (
    access_case_by_number,
    can_upload,
    can_view_query_code,
    visible_cases,
)
from onewindow.cases.rules import supplement_owed
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.bundles import MergedMaterial, merge_materials
from onewindow.catalog.constants import OnlineDepth
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.errors import ApplicationError, NotFound, ValidationFailed
from onewindow.core.files import user_file_response
from onewindow.core.forms import add_service_error
from onewindow.core.throttle import request_address
from onewindow.org import pages as org_pages
from onewindow.org.context_processors import zone as zone_context
from onewindow.org.models import User, Zone

#: Before acceptance: the clock has not started.
WAITING_STATUSES = frozenset({CaseStatus.DRAFT, *INTAKE_STATUSES})
#: Rows per page of "my cases" and of the messages.
PAGE_SIZE = 20


# -- helpers -------------------------------------------------------------------------------


def applicant_required(view: Callable) -> Callable:
    """Signed-in applicant users only: anonymous users go to the login page, staff get
    403 (their desks are elsewhere)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_applicant:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _site_zone(request: HttpRequest) -> Zone:
    zone = zone_context(request)["zone"]
    if zone is None:
        raise Http404("no zone")
    return zone


def _case_or_404(user: User, number: str) -> Case:
    try:
        return access_case_by_number(user, number)
    except NotFound as error:
        raise Http404(error.message) from None


def case_url(number: str) -> str:
    """The shared case page (the staff pages' view, which applicants see too)."""
    return reverse("cases:case", args=[number])


def allows_online_application(versions: Sequence[ItemVersion]) -> bool:
    """网办深度 Ⅱ (online pre-review) or deeper for every item: the application may be
    made online. A bundle with any item at Ⅰ (guide only) is applied for at the window."""
    return bool(versions) and all(
        version.online_depth >= OnlineDepth.PRE_REVIEW for version in versions
    )


def _page(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# -- apply online --------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_item(request: HttpRequest, code: str) -> HttpResponse:
    """``apply/items/<实施编码>/``: the online application for one item."""
    zone = _site_zone(request)
    try:
        version = catalog_selectors.item_guide(zone=zone, code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    guide_url = reverse("item_guide", args=[version.item.implementation_code])
    return _apply(
        request,
        zone=zone,
        title=version.name,
        guide_url=guide_url,
        versions=[version],
        materials=merge_materials([version]),
        item_version=version,
        bundle=None,
    )


def _draft_of(user: User, item_version: ItemVersion | None, bundle: Bundle | None):
    return services.draft_for(
        user=user, item=item_version.item if item_version is not None else None, bundle=bundle
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_bundle(request: HttpRequest, code: str) -> HttpResponse:
    """``apply/bundles/<code>/``: one form and one set of materials for a bundle (一件事)."""
    zone = _site_zone(request)
    try:
        guide = catalog_selectors.bundle_guide(zone=zone, code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    return _apply(
        request,
        zone=zone,
        title=guide.bundle.name,
        guide_url=reverse("bundle_guide", args=[guide.bundle.code]),
        versions=guide.versions,
        materials=guide.materials,
        item_version=None,
        bundle=guide.bundle,
        unavailable_items=guide.unavailable_items,
    )


def _apply(
    request: HttpRequest,
    *,
    zone: Zone,
    title: str,
    guide_url: str,
    versions: Sequence[ItemVersion],
    materials: Sequence[MergedMaterial],
    item_version: ItemVersion | None,
    bundle: Bundle | None,
    unavailable_items: Sequence = (),
) -> HttpResponse:
    user = request.user
    if user.zone_id != zone.pk:
        raise Http404("another zone")
    context = {
        "zone": zone,
        "title": title,
        "guide_url": guide_url,
        "versions": versions,
        "bundle": bundle,
        "item_version": item_version,
        "unavailable_items": unavailable_items,
        "promised_limit_days": (
            bundle.promised_limit_days if bundle is not None else item_version.promised_limit_days
        ),
        "size_limit": size_limit_text(settings.ONEWINDOW_UPLOAD_MAX_BYTES),
        "draft_keep_days": DRAFT_KEEP_DAYS,
        "commitment_text": services.commitment_text(),
    }
    if not allows_online_application(versions):
        # The guide shows no button then; an old link gets the reason and the way.
        return render(request, "cases/applicant/apply_unavailable.html", context, status=404)
    representations = org_pages.user_applicants(user)
    context["representations"] = representations
    if not representations:
        return render(request, "cases/applicant/apply.html", context)
    form_args = {
        "representations": representations,
        "materials": materials,
        "bundle": bundle,
        "wallet": selectors.wallet_materials(
            list(materials),
            applicants=[representation.applicant for representation in representations],
            versions=list(versions),
        ),
    }
    form_args["draft"] = _draft_of(user, item_version, bundle)
    form_args["user"] = user
    if request.method != "POST":
        context["form"] = ApplyForm(**form_args)
        return render(request, "cases/applicant/apply.html", context)
    return _apply_post(request, context, form_args, item_version=item_version, bundle=bundle)


#: The draft buttons of the apply form: keep everything and come back to the page.
SAVE_DRAFT = "save"
REMOVE_PREFIX = "remove:"


def _keep_draft(
    request: HttpRequest, form: ApplyForm, context: dict, *, item_version, bundle
) -> tuple[ApplicationDraft | None, bool]:
    """Keep the typed values and every valid file in the user's draft: (the draft or
    None, False when the service refused a file, whose error is then on the form). An
    empty form makes no draft."""
    files = list(form.valid_uploads())
    values = form.typed_values()
    if not files and not values and form.draft is None:
        return None, True
    try:
        draft = services.draft_keep(
            actor=request.user,
            zone=context["zone"],
            title=context["title"],
            item=item_version.item if item_version is not None else None,
            bundle=bundle,
            applicant_key=request.POST.get("applicant", ""),
            form_data=values,
            files=[
                services.MaterialFile(
                    merge_key=entry.line.key,
                    name=entry.line.name,
                    field=entry.field_name,
                    file=uploaded,
                )
                for entry, uploaded in files
            ],
        )
    except ApplicationError as error:
        add_service_error(form, error, others="above")
        return None, False
    return draft, True


def _draft_action(
    request: HttpRequest, form: ApplyForm, context: dict, *, action: str, item_version, bundle
) -> HttpResponse:
    """保存草稿 / 移除文件: keep what was given, then (移除) drop one kept file; back to
    the page (post/redirect/get), which shows the draft."""
    if action != SAVE_DRAFT and not action.startswith(REMOVE_PREFIX):
        raise Http404("no such draft action")
    form.is_valid()  # checks each file; the others' errors wait for the submission
    draft, kept = _keep_draft(request, form, context, item_version=item_version, bundle=bundle)
    refused_files = [
        entry.field_name for entry in form.materials if entry.field_name in form.errors
    ]
    if not kept or refused_files:
        # A refused file is said next to its material (the good ones are kept).
        form.set_draft(draft or _draft_of(request.user, item_version, bundle))
        for name in list(form.errors):
            if name not in refused_files and name != "__all__":
                del form.errors[name]
        return render(request, "cases/applicant/apply.html", context, status=422)
    if action.startswith(REMOVE_PREFIX):
        try:
            file_id = int(action.removeprefix(REMOVE_PREFIX))
            services.draft_file_remove(actor=request.user, file_id=file_id)
        except (ValueError, NotFound):
            raise Http404("no such draft file") from None
        messages.success(request, _("已移除该文件，其余内容已保存在草稿中。"))
    elif draft is None:
        messages.info(request, _("表单是空的，没有需要保存的内容。"))
    else:
        messages.success(
            request,
            _("草稿已保存，保留 {days} 天：可随时在“我的办件”中继续填写。").format(
                days=DRAFT_KEEP_DAYS
            ),
        )
    return redirect(request.path)


def _apply_post(
    request: HttpRequest,
    context: dict,
    form_args: dict,
    *,
    item_version: ItemVersion | None,
    bundle: Bundle | None,
) -> HttpResponse:
    """The submitted application: a resent form finds the first case; a valid one goes to
    ``case_apply``, whose refusal shows next to the field."""
    user = request.user
    form = ApplyForm(request.POST, request.FILES, **form_args)
    context["form"] = form
    key = request.POST.get("idempotency_key", "").strip()
    if key:
        # A second press of the button (or a resent POST) finds the first application.
        earlier = Case.objects.filter(submitted_by=user, idempotency_key=_key(key)).first()
        if earlier is not None:
            return redirect("cases:apply_done", number=earlier.number)
    action = request.POST.get("draft_action", "")
    if action:
        return _draft_action(
            request, form, context, action=action, item_version=item_version, bundle=bundle
        )
    if not form.is_valid():
        # Nothing given is lost: the valid files and the typed values go to the draft,
        # and the page shows the files kept instead of asking for them again.
        draft, _kept = _keep_draft(request, form, context, item_version=item_version, bundle=bundle)
        form.set_draft(draft or _draft_of(user, item_version, bundle))
        return render(request, "cases/applicant/apply.html", context, status=422)
    try:
        case = services.case_apply(
            actor=user,
            applicant=form.applicant,
            item_version=item_version,
            bundle=bundle,
            form_data=form.form_data(),
            files=[
                services.MaterialFile(
                    merge_key=entry.line.key,
                    name=entry.line.name,
                    field=entry.field_name,
                    file=uploaded,
                )
                for entry, uploaded in form.uploads()
            ],
            language=getattr(request, "LANGUAGE_CODE", "zh-hans"),
            idempotency_key=_key(key) if key else "",
            draft=form.draft,
            commitment=form.commitment(ip_address=request_address(request)),
        )
    except ApplicationError as error:
        if isinstance(error, NotFound) and error.code != "applicant_not_found":
            raise Http404(error.message) from None
        if isinstance(error, NotFound):
            error = ValidationFailed.for_field("applicant", _("申请人：您不能代表所选的申请人"))
        add_service_error(form, error, others="drop")
        if error.code != "draft_gone":  # keep what was given for the next try
            draft, _kept = _keep_draft(
                request, form, context, item_version=item_version, bundle=bundle
            )
            form.set_draft(draft or _draft_of(user, item_version, bundle))
        return render(request, "cases/applicant/apply.html", context, status=error.status)
    return redirect("cases:apply_done", number=case.number)


def _key(token: str) -> str:
    """The idempotency key stored for a web form's token (never mistaken for an API's)."""
    return "web:" + token[:64]


@login_required
@require_GET
def apply_done(request: HttpRequest, number: str) -> HttpResponse:
    """``apply/done/<number>/``: the confirmation with the case number and query code."""
    case = _case_or_404(request.user, number)
    if case.parent_id:
        return redirect("cases:apply_done", number=case.parent.number)
    missing = list(
        case.materials.filter(required=True, state=MaterialState.MISSING).order_by("position")
    )
    children = list(case.children.select_related("department").order_by("pk"))
    show_code = can_view_query_code(request.user, case)
    track_query = urlencode(
        {"number": case.number, "code": case.query_code} if show_code else {"number": case.number}
    )
    context = {
        "case": case,
        "show_code": show_code,
        "children": children,
        "missing": missing,
        "promised_limit_days": (
            case.bundle.promised_limit_days
            if case.is_bundle
            else case.item_version.promised_limit_days
        ),
        "immediate": (not case.is_bundle) and case.item_version.is_immediate,
        "case_url": case_url(case.number),
        "track_url": reverse("cases:track") + "?" + track_query,
    }
    return render(request, "cases/applicant/apply_done.html", context)


# -- my cases ------------------------------------------------------------------------------


@applicant_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    """``my/cases/``: the applicant's applications, newest first; a bundle's items under it."""
    today = timezone.localdate()
    tolerated = CaseMaterial.objects.filter(case=OuterRef("pk"), state=MaterialState.TOLERATED)
    cases = (
        visible_cases(request.user)
        .filter(parent__isnull=True)
        .with_light(today)
        .annotate(has_tolerated=Exists(tolerated))
        .select_related("zone", "applicant", "department")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=Case.objects.with_light(today).select_related("department").order_by("pk"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = _page(request, cases)
    rows = selectors.with_remaining(page.object_list, on=today)
    for case in rows:
        case.correction_needed = case.status == CaseStatus.CORRECTION_REQUESTED
        # The rule the reminders and the uploads follow: owed until supplied, also after
        # an approval's delivery (先出证后补), never after a denial.
        case.supplement_needed = case.has_tolerated and supplement_owed(case)
        case.clock_shown = case.status in CLOCK_STATUSES
        case.awaiting_acceptance = case.status in WAITING_STATUSES
        for child in case.children.all():
            child.clock_shown = child.status in CLOCK_STATUSES
    context = {
        "page": page,
        "rows": rows,
        "today": today,
        "drafts": _draft_rows(request.user),
        "draft_keep_days": DRAFT_KEEP_DAYS,
    }
    return render(request, "cases/applicant/my_cases.html", context)


# -- drafts (申请草稿) ----------------------------------------------------------------------


def _draft_rows(user: User) -> list[ApplicationDraft]:
    """The user's live drafts, newest first, each with its continue link."""
    drafts = list(
        ApplicationDraft.objects.filter(user=user, expires_at__gt=timezone.now())
        .select_related("item", "bundle")
        .annotate(file_count=Count("files"))
        .order_by("-updated_at", "-pk")
    )
    for draft in drafts:
        draft.continue_url = (
            reverse("cases:apply_bundle", args=[draft.bundle.code])
            if draft.bundle_id
            else reverse("cases:apply_item", args=[draft.item.implementation_code])
        )
    return drafts


@applicant_required
@require_GET
def draft_file(request: HttpRequest, pk: int) -> HttpResponse:
    """``my/drafts/files/<pk>/``: a file kept in one's own draft; "not found" for anyone
    else's and for a missing one alike."""
    try:
        row = services.draft_file_open(actor=request.user, file_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    handle = row.file.storage.open(row.file.name, "rb")
    return user_file_response(
        handle, content_type=row.content_type, filename=row.original_name or row.file.name
    )


@applicant_required
@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """``my/drafts/<pk>/discard/``: throw one's draft away, with its files."""
    try:
        services.draft_discard(actor=request.user, draft_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    messages.success(request, _("草稿已删除。"))
    return redirect("cases:my_cases")


# -- one material --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def material_upload(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """``cases/<number>/materials/<pk>/upload/``: one file for one material (a 容缺
    supplement, a re-upload during correction), by the applicant or a window clerk."""
    user = request.user
    case = _case_or_404(user, number)
    owner = case.parent if case.parent_id else case
    row = CaseMaterial.objects.filter(case=owner, pk=pk).first()
    if row is None:
        raise Http404("no such material")
    if not can_upload(user, case):
        raise PermissionDenied
    context = {
        "case": case,
        "material": row,
        "case_url": case_url(case.number),
        "size_limit": size_limit_text(settings.ONEWINDOW_UPLOAD_MAX_BYTES),
    }
    if request.method != "POST":
        context["form"] = MaterialUploadForm(material_name=row.name)
        return render(request, "cases/applicant/material_upload.html", context)
    form = MaterialUploadForm(request.POST, request.FILES, material_name=row.name)
    context["form"] = form
    if not form.is_valid():
        return render(request, "cases/applicant/material_upload.html", context, status=422)
    try:
        saved = services.material_upload(
            case=case, material_id=row.pk, uploaded=form.cleaned_data["file"], actor=user
        )
    except ApplicationError as error:
        form.add_service_error(error)
        return render(request, "cases/applicant/material_upload.html", context, status=error.status)
    if saved.supplemented_at is not None and saved.supplemented_at == saved.uploaded_at:
        messages.success(request, _("“{name}”已补齐").format(name=saved.name))
    else:
        messages.success(request, _("“{name}”已上传").format(name=saved.name))
    return redirect(case_url(case.number))


# -- public progress -----------------------------------------------------------------------


@never_cache
@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """``track/?number=…&code=…``: anyone with the number and query code sees the
    progress, nothing else (no names, identifiers, materials or comments)."""
    response = _track(request)
    response["X-Robots-Tag"] = "noindex"  # the address carries the query code
    return response


def _track(request: HttpRequest) -> HttpResponse:
    asked = "number" in request.GET or "code" in request.GET
    form = TrackForm(request.GET if asked else None)
    context: dict = {"form": form}
    if not asked:
        return render(request, "cases/applicant/track.html", context)
    if not throttle.TRACK.allow(request):
        context["error"] = _("查询过于频繁，请 1 分钟后再试。")
        response = render(request, "cases/applicant/track.html", context, status=429)
        response["Retry-After"] = str(throttle.TRACK.retry_after())
        return response
    if not form.is_valid():  # a field left empty: named, whatever the case
        return render(request, "cases/applicant/track.html", context, status=422)
    try:
        context["progress"] = selectors.public_progress(
            number=form.cleaned_data["number"], code=form.cleaned_data["code"]
        )
    except NotFound as error:
        context["error"] = error.message
        return render(request, "cases/applicant/track.html", context, status=404)
    return render(request, "cases/applicant/track.html", context)
