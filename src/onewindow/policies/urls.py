from django.urls import path

app_name = "policies"

# Each part of the app adds its paths in its own section (literal paths before patterns).
urlpatterns: list = []

# -- profile
urlpatterns += []

# -- officer
urlpatterns += []

# -- calculator
urlpatterns += []

# -- redemption
urlpatterns += []

# -- applications and supervision
from onewindow.policies.views import applications as application_views  # noqa: E402
from onewindow.policies.views import figures as figure_views  # noqa: E402

urlpatterns += [
    path("policies/apply/<int:pk>/", application_views.apply_start, name="apply_start"),
    path("policies/figures/", figure_views.figures, name="figures"),
    path("policies/figures/<str:code>/", figure_views.figures_item, name="figures_item"),
    path(
        "policies/figures/<str:code>/export/",
        figure_views.figures_export,
        name="figures_export",
    ),
]
