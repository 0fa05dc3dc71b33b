from django.urls import path

app_name = "policies"

# Each part of the app adds its paths in its own section (literal paths before patterns).
urlpatterns: list = []

# -- profile
from onewindow.policies.views import profile as profile_views  # noqa: E402  # -- profile

urlpatterns += [  # -- profile
    path("policies/profile/", profile_views.profile, name="profile"),  # -- profile
    path(  # -- profile
        "policies/enterprises/<str:uscc>/",  # -- profile
        profile_views.enterprise_profile,  # -- profile
        name="enterprise_profile",  # -- profile
    ),  # -- profile
]  # -- profile

# -- officer
urlpatterns += []

# -- calculator
urlpatterns += []

# -- redemption
urlpatterns += []

# -- applications and supervision
urlpatterns += []
