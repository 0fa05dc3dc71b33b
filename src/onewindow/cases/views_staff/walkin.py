"""Registering the walk-in applicant on the desk (``/desk/new/``, ADR 0026), and the
written authorisation of the agent (经办人) who brought a walk-in application.

The clerk never leaves the walk-in page: the registration is one more form on it. A new
applicant, or the registered one its number names, comes back chosen on the same page
(with the item already chosen, if it was), ready for the application form.
"""

from __future__ import annotations

import os
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases import services
from onewindow.cases.forms_walkin import ApplicantRegistrationForm
from onewindow.cases.views_staff.common import access_case
from onewindow.core.errors import ApplicationError
from onewindow.core.files import user_file_response
from onewindow.core.forms import add_service_error
from onewindow.core.throttle import request_address
from onewindow.org.services import IdentifierChannel, applicant_register_walk_in

#: The value of the ``step`` field that sends the registration form.
REGISTER_STEP = "register"


class Registration(NamedTuple):
    """The answer to the registration form: a redirect, or the form with its errors."""

    response: HttpResponse | None
    form: ApplicantRegistrationForm
    status: int


def register(request: HttpRequest, *, target: str) -> Registration:
    """Handle the registration form: a redirect back to the walk-in page with the
    applicant chosen (and ``target``, the chosen item or bundle, kept), or the bound form
    with its errors and the status to answer."""
    form = ApplicantRegistrationForm(request.POST)
    if not form.is_valid():
        return Registration(None, form, 422)
    try:
        result = applicant_register_walk_in(
            actor=request.user,
            channel=IdentifierChannel.PAGE,
            ip_address=request_address(request),
            **form.cleaned_data,
        )
    except ApplicationError as error:
        add_service_error(form, error)
        return Registration(None, form, error.status)
    applicant = result.applicant
    if result.created:
        messages.success(
            request, _("已登记申请人 {name}，请选择事项或一件事").format(name=applicant.name)
        )
    else:
        messages.info(
            request,
            _("该证件号码已登记，已打开申请人 {name}（未重复登记）").format(name=applicant.name),
        )
    query = {"applicant": applicant.pk}
    if target:
        query["target"] = target
    # to the next step: the item (its heading), the applicant chosen
    url = f"{reverse('cases:desk_new')}?{urlencode(query)}#what-title"
    return Registration(redirect(url), form, 302)


@login_required
@require_GET
def agent_authorisation(request: HttpRequest, number: str) -> FileResponse:
    """The 经办人's written authorisation, to those who may see the case; staff other
    than the clerk who filed it opening it is recorded, as for any material."""
    user = request.user
    case = access_case(user, number)
    agent = case.walk_in_agent
    if agent is None or not agent.authorisation:
        raise Http404(_("该办件没有经办人授权委托书"))
    try:
        handle = agent.authorisation.open("rb")
    except FileNotFoundError:
        raise Http404(_("该办件没有经办人授权委托书")) from None
    services.material_file_viewed(
        case=case,
        actor=user,
        filed_by_id=agent.recorded_by_id,
        data={"material": str(_("授权委托书")), "sha256": agent.sha256},
        ip_address=request_address(request),
    )
    name = agent.original_name or os.path.basename(agent.authorisation.name)
    return user_file_response(handle, content_type=agent.content_type, filename=name)
