"""Pages of suggestions. A real app is included in ``onewindow/urls.py``:
``path("", include("onewindow.suggestions.urls"))``; the example's tests use
``suggestions.site_urls`` instead, so the product's URL conf never names it."""

from django.urls import path

from suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("suggestions/", views.suggestion_list, name="list"),
    path("suggestions/new/", views.suggestion_new, name="new"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="detail"),
    path("suggestions/<int:pk>/<slug:action>/", views.suggestion_action, name="action"),
]
