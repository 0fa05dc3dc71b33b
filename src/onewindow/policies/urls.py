from django.urls import path  # noqa: F401

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
urlpatterns += []
