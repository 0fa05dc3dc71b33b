"""A case's files: a material's stored file and the written notices as PDF."""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases import notices, services
from onewindow.cases.models import CaseMaterial
from onewindow.cases.services.notices import notice_issue
from onewindow.cases.views_staff.common import (
    access_case,
    materials_owner,
    not_found,
)
from onewindow.core.errors import NotFound
from onewindow.core.files import user_file_response
from onewindow.core.throttle import request_address
from onewindow.org.constants import UserKind


@login_required
@require_GET
def material_file(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A material's stored file, to those who may see the case; staff other than the
    uploader opening it is recorded in the audit trail."""
    user = request.user
    case = access_case(user, number)
    row = CaseMaterial.objects.filter(case=materials_owner(case), pk=pk).first()
    if row is None or not row.file:
        raise Http404(_("该材料没有文件"))
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("该材料没有文件")) from None
    services.material_file_viewed(
        case=case,
        actor=user,
        filed_by_id=row.uploaded_by_id,
        data={"material": row.name, "material_id": row.pk, "sha256": row.sha256},
        ip_address=request_address(request),
    )
    name = row.original_name or os.path.basename(row.file.name)
    return user_file_response(handle, content_type=row.content_type, filename=name)


@login_required
@require_GET
def notice(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """A written notice of the case as PDF (受理、补正、不予受理、决定), issued (numbered) on
    its first download; ``?receipt=1`` (staff) adds the 送达回证 for delivery on paper."""
    user = request.user
    case = access_case(user, number)
    receipt = request.GET.get("receipt", "") == "1"
    if receipt and user.kind != UserKind.STAFF:
        raise Http404(_("送达回证仅供工作人员打印"))
    try:
        notice_issue(case=case, kind=kind, actor=user)
        pdf = notices.render_notice(case, kind, receipt=receipt)
        filename = notices.notice_filename(case, kind, receipt=receipt)
    except NotFound as error:
        raise not_found(error) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
