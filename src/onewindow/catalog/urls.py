from django.urls import path

from onewindow.catalog import views

urlpatterns = [
    path("items/", views.item_search, name="item_search"),
    path("items/<str:code>/", views.item_guide, name="item_guide"),
    path(
        "items/<str:code>/materials/<int:position>/<str:kind>/",
        views.material_file,
        name="material_file",
    ),
    path("bundles/<slug:code>/", views.bundle_guide, name="bundle_guide"),
]
