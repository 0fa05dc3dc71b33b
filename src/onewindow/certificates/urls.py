"""Certificate pages: public verification, the holder's wallet, staff lists and revocation."""

from django.urls import path, re_path

from onewindow.certificates import views

app_name = "certificates"

IDENTIFIER = r"(?P<identifier>[0-9A-Za-z.]{1,120})"

urlpatterns = [
    path(".well-known/onewindow-keys.json", views.public_keys, name="public_keys"),
    path("verify/", views.verify_form, name="verify_form"),
    re_path(rf"^verify/{IDENTIFIER}$", views.verify_page, name="verify"),
    path("my/certificates/", views.wallet, name="wallet"),
    re_path(rf"^my/certificates/{IDENTIFIER}/$", views.wallet_detail, name="wallet_detail"),
    path("certificates/", views.staff_list, name="list"),
    path("certificates/stats/", views.stats, name="stats"),
    re_path(rf"^certificates/{IDENTIFIER}/$", views.staff_detail, name="detail"),
    re_path(rf"^certificates/{IDENTIFIER}/revoke$", views.revoke, name="revoke"),
    re_path(rf"^certificates/{IDENTIFIER}/pdf$", views.pdf, name="pdf"),
]
