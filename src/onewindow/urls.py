from django.contrib import admin
from django.urls import include, path

from onewindow.api import api
from onewindow.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("onewindow.cases.urls")),
    path("", include("onewindow.catalog.urls")),
    path("", include("onewindow.portal.urls")),
    path("", include("onewindow.org.urls")),
    path("", include("onewindow.certificates.urls")),
    path("", include("onewindow.reviews.urls")),
    path("", include("onewindow.appeals.urls")),
    path("", include("onewindow.policies.urls")),
    path("", include("onewindow.insights.urls")),
]
