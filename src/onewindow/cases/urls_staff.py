"""Staff pages of cases (and the case page every role that may see a case shares)."""

from django.urls import path, re_path

from onewindow.cases.views_staff import (
    actions,
    board,
    case_page,
    desk,
    files,
    inbox,
    lookup,
    walkin,
)

#: A case number: ``{zone code}-{year}-{sequence}`` (e.g. SFQ-2026-0000123).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-\d{4}-\d+)"

urlpatterns = [
    path("desk/", desk.desk, name="desk"),
    path("desk/new/", desk.desk_new, name="desk_new"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("board/", board.board, name="board"),
    path("cases/find/", lookup.case_lookup, name="case_lookup"),
    re_path(rf"^cases/{NUMBER}/$", case_page.case_page, name="case"),
    re_path(
        rf"^cases/{NUMBER}/do/(?P<action>[a-z_]+)/$",
        actions.case_action,
        name="case_action",
    ),
    re_path(
        rf"^cases/{NUMBER}/materials/(?P<pk>\d+)/file/$",
        files.material_file,
        name="material_file",
    ),
    re_path(
        rf"^cases/{NUMBER}/agent/authorisation/$",
        walkin.agent_authorisation,
        name="agent_authorisation",
    ),
    re_path(
        rf"^cases/{NUMBER}/notices/(?P<kind>[a-z_]+)\.pdf$",
        files.notice,
        name="notice",
    ),
]
