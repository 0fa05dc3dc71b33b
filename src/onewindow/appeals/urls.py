"""Pages of appeals."""

from django.urls import path, re_path

from onewindow.appeals.views import intake as intake_views

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
    # -- intake
    path("appeals/new/", intake_views.appeal_new, name="new"),
    path("appeals/new/done/", intake_views.appeal_submitted, name="submitted"),
    path("appeals/mine/", intake_views.my_appeals, name="mine"),
    re_path(rf"^appeals/my/{NUMBER}/$", intake_views.my_appeal, name="my_appeal"),
    path("appeals/query/", intake_views.appeal_query, name="query"),
    path("appeals/hotline/new/", intake_views.hotline_new, name="hotline_new"),
    path("appeals/hotline/done/", intake_views.hotline_done, name="hotline_done"),
]
