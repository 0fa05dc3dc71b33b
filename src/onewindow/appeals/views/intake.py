"""Pages of intake: 我要反映 and its confirmation, 我的诉求 and the requester's order page, the
public query by number and query code, the hotline's 来电登记 with its confirmation, and
差评转诉求 (the centre or 电子监察 turn a bad rating into an appeal).

Each view parses, checks who may, calls one service or read and renders. An order one may
not see is "not found" (404); input errors are shown next to their field (422); the
query code of a new order is shown once, on the confirmation page (kept in the session
between the POST and the page, then forgotten).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.appeals import throttle
from onewindow.appeals.constants import OPEN_STATUSES, READER_ROLES, AppealStatus
from onewindow.appeals.duplicates import duplicate_candidates
from onewindow.appeals.forms import CallForm, QueryForm, RatingAppealForm, SubmitForm
from onewindow.appeals.models import Appeal, AppealAttachment, AppealCategory
from onewindow.appeals.permissions import holds_any, is_operator, visible_appeals
from onewindow.appeals.ratings import (
    appeal_of_rating,
    is_bad,
    may_turn_ratings,
    rating_to_turn,
)
from onewindow.appeals.readout import public_appeal, reply_of, steps_of
from onewindow.appeals.selectors import appeal_for, appeal_settings_for
from onewindow.appeals.services import intake
from onewindow.appeals.services.knowledge import knowledge_suggestions, published_version
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.core.identifiers import fold_code
from onewindow.org.models import Applicant
from onewindow.org.permissions import zone_applicants

PAGE_SIZE = 20
#: The most knowledge-base articles the hotline seat's lookup shows.
LOOKUP_ARTICLES = 5
#: The session keys of the order just filed or recorded (its confirmation shows them once).
SUBMITTED = "appeals.submitted"
RECORDED = "appeals.recorded"


def _applicant_user(request: HttpRequest) -> None:
    if not request.user.is_applicant:
        raise PermissionDenied


# -- 我要反映 -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """``appeals/new/``: an applicant's user files an appeal with the zone of the account."""
    _applicant_user(request)
    user = request.user
    applicants = Applicant.objects.filter(representations__user=user).order_by("name", "pk")
    form = SubmitForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        zone_id=user.zone_id,
        applicants=applicants,
    )
    status = 200
    if form.is_bound:
        status = 422
        if user.zone is None:
            form.add_error(None, _("您的账号没有所属开发区，请联系开发区政务服务中心。"))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                appeal = intake.appeal_submit(
                    actor=user,
                    zone=user.zone,
                    nature=data["nature"],
                    category=data["category"],
                    subject=data["subject"],
                    description=data["description"],
                    requester=applicants.filter(pk=data["requester"]).first()
                    if data["requester"]
                    else None,
                    anonymous=data["anonymous"],
                    confidential=data["confidential"],
                    linked_case=data["linked_case"],
                    linked_policy=data["linked_policy"],
                    attachments=data["attachments"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                request.session[SUBMITTED] = {
                    "number": appeal.number,
                    "code": appeal.query_code,
                    "anonymous": appeal.anonymous,
                }
                return redirect("appeals:submitted")
    return render(request, "appeals/intake/new.html", {"form": form}, status=status)


@never_cache
@login_required
@require_GET
def appeal_submitted(request: HttpRequest) -> HttpResponse:
    """``appeals/new/done/``: the number (and, once, the query code) of the order filed."""
    _applicant_user(request)
    done = request.session.pop(SUBMITTED, None)
    if not done:
        return redirect("appeals:mine")
    return render(request, "appeals/intake/submitted.html", {"done": done})


# -- 我的诉求 -------------------------------------------------------------------------------------


@login_required
@require_GET
def my_appeals(request: HttpRequest) -> HttpResponse:
    """``appeals/mine/``: the orders filed by the user or for the applicants it represents."""
    _applicant_user(request)
    rows = (
        visible_appeals(request.user)
        .select_related("category", "requester")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appeals/intake/mine.html", {"page": page})


@login_required
@require_GET
def my_appeal(request: HttpRequest, number: str) -> HttpResponse:
    """``appeals/my/<number>/``: the requester's order: its history, due date and reply."""
    _applicant_user(request)
    try:
        appeal = appeal_for(request.user, number)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {
        "appeal": appeal,
        "steps": steps_of(appeal, with_notes=False),
        "reply": reply_of(appeal),
        "attachments": AppealAttachment.objects.filter(appeal=appeal).order_by("pk"),
        "open": appeal.status in OPEN_STATUSES,
    }
    return render(request, "appeals/intake/my_appeal.html", context)


# -- the public query -------------------------------------------------------------------------


@never_cache
@require_GET
def appeal_query(request: HttpRequest) -> HttpResponse:
    """``appeals/query/``: anyone with the number and query code follows the order; a
    wrong code and a missing number get the same answer. Throttled with the API."""
    form = QueryForm(request.GET or None)
    context: dict = {"form": form}
    status = 200
    if form.is_bound:
        if not throttle.LOOKUP.allow(request):
            context["refusal"] = _("查询过于频繁，请 1 分钟后再试。")
            response = render(request, "appeals/intake/query.html", context, status=429)
            response["Retry-After"] = str(throttle.LOOKUP.retry_after())
            return response
        if form.is_valid():
            try:
                appeal = public_appeal(
                    number=form.cleaned_data["number"], code=form.cleaned_data["code"]
                )
            except NotFound as error:
                context["refusal"] = error.message
                status = 404
            else:
                context.update(
                    appeal=appeal,
                    steps=steps_of(appeal, with_notes=False),
                    reply=reply_of(appeal),
                )
        else:
            status = 422
    return render(request, "appeals/intake/query.html", context, status=status)


# -- 来电登记 -------------------------------------------------------------------------------------


def _operator(request: HttpRequest) -> None:
    if not is_operator(request.user) or request.user.zone_id is None:
        raise PermissionDenied


def _caller_applicant(form: CallForm, zone_id: int) -> tuple[bool, Applicant | None]:
    """The applicant the operator typed (a USCC or an ID number), or a form error."""
    typed = fold_code(form.cleaned_data["applicant"])
    if not typed:
        return True, None
    found = zone_applicants(zone_id).filter(uscc=typed).first() or (
        zone_applicants(zone_id).filter(id_number=typed).first()
    )
    if found is None:
        form.add_error("applicant", _("诉求人：本开发区没有登记该统一社会信用代码或身份证号码"))
        return False, None
    return True, found


def _call_lookup(form: CallForm, user) -> dict:
    """What the seat sees beside the call before saving it (查找知识库和相似诉求): the
    published articles that may answer it, the version already chosen, and the orders it
    may repeat among those the seat may see. A read: nothing is written, nothing audited."""
    zone = user.zone
    data = form.cleaned_data
    text = f"{data.get('subject', '')}\n{data.get('description', '')}"
    hits = knowledge_suggestions(zone=zone, text=text, limit=LOOKUP_ARTICLES)
    chosen = published_version(zone, data.get("knowledge_version"))
    offered = {hit.version.pk for hit in hits}
    _known, applicant = _caller_applicant(form, zone.pk)
    category = AppealCategory.objects.filter(zone=zone, code=data.get("category") or "").first()
    duplicates = duplicate_candidates(
        zone_id=zone.pk,
        requester_id=applicant.pk if applicant is not None else None,
        contact_phone="" if applicant is not None else data.get("caller_phone", ""),
        subject_uscc=applicant.uscc if applicant is not None and applicant.uscc else "",
        category_id=category.pk if category is not None else None,
        text=text,
        user=user,
    )
    return {
        "articles": hits,
        "chosen": chosen if chosen is not None and chosen.pk not in offered else None,
        "chosen_pk": chosen.pk if chosen is not None else None,
        "duplicates": [{"appeal": row, "score": score} for row, score in duplicates],
        "opens_orders": holds_any(user, READER_ROLES),
        "window_days": appeal_settings_for(zone.pk).duplicate_window_days,
        "searched": bool(text.strip()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def hotline_new(request: HttpRequest) -> HttpResponse:
    """``appeals/hotline/new/``: the hotline seat records a call with one of four outcomes.
    The second button (``lookup``) records nothing: it shows the form again, with the
    knowledge base's articles for the call (one may be cited) and the possible duplicates."""
    _operator(request)
    user = request.user
    form = CallForm(request.POST if request.method == "POST" else None, zone_id=user.zone_id)
    status = 200
    if form.is_bound and "lookup" in request.POST:
        form.is_valid()  # only parses: every field is optional, the service decides
        context = {"form": form, "lookup": _call_lookup(form, user)}
        return render(request, "appeals/intake/hotline_new.html", context)
    if form.is_bound:
        status = 422
        if form.is_valid():
            found, applicant = _caller_applicant(form, user.zone_id)
            if found:
                data = form.cleaned_data
                try:
                    appeal = intake.appeal_record_call(
                        actor=user,
                        outcome=data["outcome"],
                        nature=data["nature"],
                        urgency=data["urgency"],
                        category=data["category"],
                        subject=data["subject"],
                        description=data["description"],
                        caller_name=data["caller_name"],
                        caller_phone=data["caller_phone"],
                        applicant=applicant,
                        anonymous=data["anonymous"],
                        confidential=data["confidential"],
                        reply=data["reply"],
                        knowledge_version=data["knowledge_version"],
                        redirect_channel=data["redirect_channel"],
                        emergency_service=data["emergency_service"],
                    )
                except ApplicationError as error:
                    add_service_error(form, error)
                    status = error.status
                else:
                    request.session[RECORDED] = {"number": appeal.number, "code": appeal.query_code}
                    return redirect("appeals:hotline_done")
    return render(request, "appeals/intake/hotline_new.html", {"form": form}, status=status)


@never_cache
@login_required
@require_GET
def hotline_done(request: HttpRequest) -> HttpResponse:
    """``appeals/hotline/done/``: what was recorded and what to tell the caller (the number
    and the query code, shown once)."""
    _operator(request)
    done = request.session.pop(RECORDED, None)
    if not done:
        return redirect("appeals:hotline_new")
    try:
        appeal: Appeal = appeal_for(request.user, done["number"])
    except NotFound as error:
        raise Http404(error.message) from None
    context = {"appeal": appeal, "code": done["code"], "status": AppealStatus}
    return render(request, "appeals/intake/hotline_done.html", context)


# -- 差评转诉求 --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rating_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """``appeals/from-rating/<pk>/``: the rating, the category to file it under and
    "转为诉求"; success lands on the new order's staff page. A rating turned already shows
    its order; a good rating says it cannot be turned."""
    if not may_turn_ratings(request.user):
        raise PermissionDenied
    try:
        rating = rating_to_turn(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from None
    form = RatingAppealForm(
        request.POST if request.method == "POST" else None, zone_id=rating.zone_id
    )
    status = 200
    if request.method == "POST":
        try:
            appeal = intake.appeal_from_rating(
                actor=request.user, rating=rating, category=form.data.get("category", "")
            )
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(
                request, _("差评已转为诉求，工单编号 {number}").format(number=appeal.number)
            )
            return redirect("appeals:staff_order", number=appeal.number)
    context = {
        "rating": rating,
        "case": rating.case,
        "form": form,
        "turned": appeal_of_rating(rating),
        "bad": is_bad(rating),
    }
    return render(request, "appeals/intake/rating_appeal.html", context, status=status)
