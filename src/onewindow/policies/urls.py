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
from onewindow.policies.views import redemption as redemption_views  # noqa: E402

urlpatterns += [
    path("policies/redemptions/", redemption_views.my_redemptions, name="my_redemptions"),
    path(
        "policies/redemptions/<str:number>/", redemption_views.my_redemption, name="my_redemption"
    ),
    path(
        "policies/redemptions/<str:number>/actions/<str:action>/",
        redemption_views.redemption_action,
        name="redemption_action",
    ),
    path("policies/manage/redemptions/", redemption_views.redemption_desk, name="redemption_desk"),
    path(
        "policies/manage/redemptions/<str:number>/",
        redemption_views.redemption_manage,
        name="redemption_manage",
    ),
    path("policies/publicity/", redemption_views.publicity_list, name="publicity_list"),
    path(
        "policies/publicity/<int:pk>/", redemption_views.publicity_detail, name="publicity_detail"
    ),
]

# -- applications and supervision
urlpatterns += []
