"""Pages of appeals."""

from django.urls import path

# -- reports
from onewindow.appeals.views import reports

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
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
]
