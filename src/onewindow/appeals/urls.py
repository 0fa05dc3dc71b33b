"""Pages of appeals."""

from django.urls import path  # noqa: F401

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
]
