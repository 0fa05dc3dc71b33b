"""Pages of reviews: rating (applicants and signed links), the window QR code, the
rectification inbox and the supervisor's overview."""

from django.urls import path, re_path

from onewindow.reviews import views

app_name = "reviews"

#: A case number: ``{zone code}-{year}-{sequence}`` (as ``cases.urls_staff``).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-\d{4}-\d+)"
#: A signed link's token: ``<case id>.<channel>:<timestamp>:<signature>``.
TOKEN = r"(?P<token>[A-Za-z0-9_.:\-]{1,200})"

urlpatterns = [
    path("rate/thanks/", views.thanks, name="thanks"),
    re_path(rf"^rate/t/{TOKEN}/$", views.rate_link, name="rate_link"),
    re_path(rf"^rate/{NUMBER}/$", views.rate_case, name="rate"),
    re_path(rf"^reviews/cases/{NUMBER}/qr/$", views.rating_code, name="rating_code"),
    path("reviews/rectifications/", views.rectification_inbox, name="rectifications"),
    path("reviews/rectifications/<int:pk>/", views.rectification_page, name="rectification"),
    path(
        "reviews/rectifications/<int:pk>/<slug:action>/",
        views.rectification_action,
        name="rectification_action",
    ),
    path("reviews/supervision/", views.supervision, name="supervision"),
]
