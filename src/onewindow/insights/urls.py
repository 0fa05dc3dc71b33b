"""Pages of insights: the dashboard, its drill-down, the export, the public summary."""

from django.urls import path

from onewindow.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/cases/", views.drill, name="cases"),
    path("insights/export.xlsx", views.export, name="export"),
    path("public/service-summary/", views.public_summary, name="public_summary"),
]
