"""Pages of appeals."""

from django.urls import path, re_path

from onewindow.appeals.views import handling as handling_views

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
    # -- handling: the department's queue, the centre's board, the staff order page
    path("appeals/department/", handling_views.department_queue, name="department_queue"),
    path("appeals/centre/", handling_views.centre_board, name="centre_board"),
    re_path(rf"^appeals/staff/{NUMBER}/$", handling_views.staff_order, name="staff_order"),
    re_path(
        rf"^appeals/staff/{NUMBER}/(?P<action>[a-z_]+)/$",
        handling_views.staff_action,
        name="staff_action",
    ),
]
