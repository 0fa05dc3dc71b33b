from django.urls import path

from onewindow.policies.views import calculator as calculator_views  # -- calculator

app_name = "policies"

# Each part of the app adds its paths in its own section (literal paths before patterns).
urlpatterns: list = []

# -- profile
urlpatterns += []

# -- officer
urlpatterns += []

# -- calculator
urlpatterns += [
    path("policies/calculator/", calculator_views.calculator_page, name="calculator"),
    path("policies/try/", calculator_views.try_page, name="try"),
    path(
        "policies/calculator/subscription/",
        calculator_views.subscription_toggle,
        name="subscription",
    ),
]

# -- redemption
urlpatterns += []

# -- applications and supervision
urlpatterns += []
