"""What the staff pages of cases share: the case access chokepoint as a page sees it
(404 for missing and forbidden alike), the role check, paging with the filters kept."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

from onewindow.cases import selectors
from onewindow.cases.constants import CaseEventAction
from onewindow.cases.models import Case
from onewindow.cases.permissions import access_case_by_number
from onewindow.core.errors import NotFound
from onewindow.org.models import User

PAGE_SIZE = selectors.PAGE_SIZE
#: Written when staff open a case material's file (等保: access to personal data is logged).
MATERIAL_VIEWED = CaseEventAction.MATERIAL_VIEWED

CASE_TEMPLATE = "cases/staff/case.html"


def not_found(error: NotFound) -> Http404:
    return Http404(error.message)


def access_case(user: User, number: str) -> Case:
    try:
        return access_case_by_number(user, number)
    except NotFound as error:
        raise not_found(error) from None


def require_role(user: User, *roles: str) -> None:
    if not any(user.has_role(role) for role in roles):
        raise PermissionDenied


def paginate(
    request: HttpRequest,
    queryset,
    param: str = "page",
    size: int = PAGE_SIZE,
    count: int | None = None,
) -> Page:
    """One page of ``queryset`` with the links to its neighbours (other filters kept).
    ``count``: the number of rows when the caller already counted them."""
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # a cached_property: no second COUNT(*)
    page = paginator.get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    return page


def materials_owner(case: Case) -> Case:
    """The case whose materials these are (a bundle's children share the parent's)."""
    return case.parent if case.is_child else case
