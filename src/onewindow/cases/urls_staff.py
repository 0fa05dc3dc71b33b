"""Staff pages of cases (and the case page every role that may see a case shares)."""

from django.urls import path, re_path

from onewindow.cases import views_staff

#: A case number: ``{zone code}-{year}-{sequence}`` (e.g. SFQ-2026-0000123).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-\d{4}-\d+)"

urlpatterns = [
    path("desk/", views_staff.desk, name="desk"),
    path("desk/new/", views_staff.desk_new, name="desk_new"),
    path("inbox/", views_staff.inbox, name="inbox"),
    path("board/", views_staff.board, name="board"),
    re_path(rf"^cases/{NUMBER}/$", views_staff.case_page, name="case"),
    re_path(
        rf"^cases/{NUMBER}/do/(?P<action>[a-z_]+)/$",
        views_staff.case_action,
        name="case_action",
    ),
    re_path(
        rf"^cases/{NUMBER}/materials/(?P<pk>\d+)/file/$",
        views_staff.material_file,
        name="material_file",
    ),
    re_path(
        rf"^cases/{NUMBER}/notices/(?P<kind>[a-z_]+)\.pdf$",
        views_staff.notice,
        name="notice",
    ),
]
