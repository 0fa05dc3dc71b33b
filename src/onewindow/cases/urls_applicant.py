"""Pages of applicants and the public (the staff desks are in ``urls_staff``)."""

from django.urls import path

from onewindow.cases import views_applicant as views

urlpatterns = [
    path("apply/items/<str:code>/", views.apply_item, name="apply_item"),
    path("apply/bundles/<slug:code>/", views.apply_bundle, name="apply_bundle"),
    path("apply/done/<str:number>/", views.apply_done, name="apply_done"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/drafts/files/<int:pk>/", views.draft_file, name="draft_file"),
    path("my/drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path(
        "cases/<str:number>/materials/<int:pk>/upload/",
        views.material_upload,
        name="material_upload",
    ),
    path("track/", views.track, name="track"),
]
