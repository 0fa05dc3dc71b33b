"""Pages of appeals."""

from django.urls import path, re_path

from onewindow.appeals.views import followup, knowledge, reports
from onewindow.appeals.views import handling as handling_views
from onewindow.appeals.views import intake as intake_views

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
    # -- follow-up and supervision
    re_path(
        rf"^appeals/staff/{NUMBER}/followup/(?P<action>visit|close|merge|supervise)/$",
        followup.staff_action,
        name="followup_staff_action",
    ),
    re_path(
        rf"^appeals/my/{NUMBER}/(?P<action>visit|reopen)/$",
        followup.requester_action,
        name="followup_requester_action",
    ),
    path("appeals/supervision/", followup.supervision_board, name="supervision_board"),
    path("appeals/supervision/<int:pk>/", followup.supervision_page, name="supervision"),
    re_path(
        r"^appeals/supervision/(?P<pk>\d+)/(?P<action>answer|close)/$",
        followup.supervision_action,
        name="supervision_action",
    ),
    # -- reports
    path("appeals/reports/weekly/", reports.weekly_report, name="weekly_report"),
    path("appeals/reports/weekly.pdf", reports.weekly_report_pdf, name="weekly_report_pdf"),
    path("appeals/reports/weekly.xlsx", reports.weekly_report_xlsx, name="weekly_report_xlsx"),
    path(
        "appeals/reports/departments/<int:pk>/",
        reports.department_report,
        name="report_department",
    ),
    path("appeals/stats/", reports.public_stats, name="public_stats"),
    # -- intake
    path("appeals/new/", intake_views.appeal_new, name="new"),
    path("appeals/new/done/", intake_views.appeal_submitted, name="submitted"),
    path("appeals/mine/", intake_views.my_appeals, name="mine"),
    re_path(rf"^appeals/my/{NUMBER}/$", intake_views.my_appeal, name="my_appeal"),
    path("appeals/query/", intake_views.appeal_query, name="query"),
    path("appeals/hotline/new/", intake_views.hotline_new, name="hotline_new"),
    path("appeals/hotline/done/", intake_views.hotline_done, name="hotline_done"),
    path("appeals/from-rating/<int:pk>/", intake_views.rating_appeal, name="rating_appeal"),
    # -- handling: the department's queue, the centre's board, the staff order page
    path("appeals/department/", handling_views.department_queue, name="department_queue"),
    path("appeals/centre/", handling_views.centre_board, name="centre_board"),
    re_path(rf"^appeals/staff/{NUMBER}/$", handling_views.staff_order, name="staff_order"),
    re_path(
        rf"^appeals/staff/{NUMBER}/(?P<action>[a-z_]+)/$",
        handling_views.staff_action,
        name="staff_action",
    ),
    # -- knowledge base and duplicates
    path("appeals/knowledge/", knowledge.knowledge_list, name="knowledge_list"),
    path("appeals/knowledge/new/", knowledge.knowledge_new, name="knowledge_new"),
    path("appeals/knowledge/<int:pk>/", knowledge.knowledge_detail, name="knowledge_detail"),
    path("appeals/knowledge/<int:pk>/edit/", knowledge.knowledge_edit, name="knowledge_edit"),
]
