"""Pages of cases: the staff desks (window, inbox, board, case page) and the applicant's
pages (apply online, my cases, public progress)."""

from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("", include("onewindow.cases.urls_staff")),
    path("", include("onewindow.cases.urls_applicant")),
]
