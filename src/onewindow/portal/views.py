"""The portal's pages: the public entrance (服务大厅), the signed-in user's home page and 我的消息,
whose panels the apps contribute through ``core.registry`` (the ``portal.home.staff`` and
``portal.home.applicant`` slots)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.catalog.search import search_bundles
from onewindow.core.models import Notification
from onewindow.core.notifications import notifications_mark_read, unread_count
from onewindow.org import pages
from onewindow.org.constants import Role, UserKind
from onewindow.org.home_panels import site_zone, staff_home
from onewindow.portal import selectors

#: Messages on one page of 我的消息.
MESSAGES_PAGE_SIZE = 20

#: The heading of a home page with exactly one staff role.
ROLE_HOME_TITLES = {
    Role.WINDOW_CLERK: gettext_lazy("综合窗口工作台"),
    Role.REVIEWER: gettext_lazy("审查工作台"),
    Role.DECIDER: gettext_lazy("审批决定工作台"),
    Role.SUPERVISOR: gettext_lazy("电子监察工作台"),
    Role.REGULATOR: gettext_lazy("监管工作台"),
    Role.ADMINISTRATOR: gettext_lazy("系统管理工作台"),
    Role.ANALYST: gettext_lazy("数据分析工作台"),
    Role.SECURITY_ADMIN: gettext_lazy("安全管理工作台"),
    Role.AUDIT_ADMIN: gettext_lazy("安全审计工作台"),
}


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    """``/``: the front page. It leads with what people come for (search, popular services,
    一件事, 办件查询, 好差评公示); the zone's parks, departments and windows follow."""
    zone = site_zone(request)
    if zone is None:
        return render(request, "portal/portal.html", {"directory": None})
    context = {
        "directory": pages.portal_directory(zone),
        "popular": selectors.popular_items(zone),
        "popular_days": selectors.POPULAR_DAYS,
        "bundles": list(search_bundles(zone=zone).annotate(item_count=Count("bundle_items"))),
        "ratings": selectors.rating_board(zone),
    }
    return render(request, "portal/portal.html", context)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: one panel per staff role, or the applicant's identities."""
    user = request.user
    if user.kind == UserKind.APPLICANT:
        return render(request, "portal/home_applicant.html", {"title": _("我的办事主页")})
    roles = staff_home(request)["roles"]  # read once; the panels share it
    title = ROLE_HOME_TITLES[next(iter(roles))] if len(roles) == 1 else _("我的工作台")
    return render(request, "portal/home.html", {"title": title})


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    """``notifications/`` (我的消息): the signed-in user's in-app messages from every app,
    newest first; POST marks them all read. Staff and applicants alike."""
    if request.method == "POST":
        # The user's own read flags: nothing changes for a case, nothing for the audit trail.
        count = notifications_mark_read(user=request.user)
        if count:
            messages.success(request, _("已将 {count} 条消息标为已读").format(count=count))
        return redirect("notifications")
    mine = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(mine, MESSAGES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": unread_count(request.user)}
    return render(request, "portal/messages.html", context)
