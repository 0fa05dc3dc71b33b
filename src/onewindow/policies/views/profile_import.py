"""The import of enterprise facts from Excel (一企一档导入).

- ``facts_import`` (``/policies/manage/facts/import/``): the upload form; on a refused file
  the reason next to the field, on row errors the table of every bad row (row, column,
  message; nothing written), on success the counts and links to the changed profiles.
- ``facts_import_template`` (``…/template/``): the template workbook.

Policy officers and the zone's administrator only (others 403, anonymous visitors go to the
login page); the service decides the rest.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.core.errors import ApplicationError
from onewindow.core.forms import add_service_error
from onewindow.org.models import Park
from onewindow.policies import permissions
from onewindow.policies.forms_profile import FactsImportForm
from onewindow.policies.profile_workbook import template_workbook
from onewindow.policies.services import profile_import as service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "企业档案导入模板.xlsx"
#: Row errors shown on the page (the count of the rest is given).
SHOWN_ERRORS = 1000


def _require(request: HttpRequest) -> None:
    if not permissions.can_import_facts(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def facts_import(request: HttpRequest) -> HttpResponse:
    _require(request)
    posted = request.method == "POST"
    form = FactsImportForm(request.POST, request.FILES) if posted else FactsImportForm()
    report, status = None, 200
    if posted:
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = service.facts_import(
                    actor=request.user, file=upload, file_name=upload.name
                )
            except ApplicationError as error:
                if error.status == 403:
                    raise PermissionDenied(error.message) from None
                add_service_error(form, error)
            else:
                status = 200 if report.ok else 422
    errors = report.errors if report is not None else []
    return render(
        request,
        "policies/profile/import.html",
        {
            "form": form,
            "report": report,
            "errors": errors[:SHOWN_ERRORS],
            "hidden_errors": max(0, len(errors) - SHOWN_ERRORS),
            "max_rows": service.MAX_ROWS,
        },
        status=status,
    )


@login_required
@require_GET
def facts_import_template(request: HttpRequest) -> HttpResponse:
    _require(request)
    codes = Park.objects.filter(zone_id=request.user.zone_id).values_list("code", flat=True)
    response = HttpResponse(template_workbook(list(codes)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response
