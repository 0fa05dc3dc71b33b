"""Headers on every answer, no-store, the request-size bound (core/middleware.py, ADR 0014)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from onewindow.core.api_docs import SWAGGER_UI_DIR
from onewindow.core.files import user_file_response
from onewindow.core.middleware import (
    PERMISSIONS_POLICY,
    RequestSizeLimitMiddleware,
    SecurityHeadersMiddleware,
    size_text,
)

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-elem": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DEADLINE = "/api/v1/calendar/deadline?start=2026-03-02&days=5"


def policy(response) -> dict[str, str]:
    directives = (part.strip() for part in response["Content-Security-Policy"].split(";"))
    return dict(part.split(" ", 1) for part in directives if part)


def no_store(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives


# -- headers on pages and the API ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login/", "/verify/", DEADLINE])
def test_every_answer_carries_the_security_headers(client, zone, path):
    response = client.get(path)

    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert no_store(response)


def test_a_not_found_page_is_not_stored_either(client, zone):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert no_store(response)
    assert "Content-Security-Policy" in response


def test_hsts_on_https(client, zone):
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_on_plain_http(client, zone):
    assert "Strict-Transport-Security" not in client.get("/")


def test_the_api_documentation_page_has_the_site_policy_and_local_assets(client):
    docs = client.get("/api/v1/docs")

    assert docs.status_code == 200
    assert policy(docs) == EXPECTED_POLICY  # no CDN, no inline script (ADR 0016)
    html = docs.content.decode()
    assert f"/static/{SWAGGER_UI_DIR}/swagger-ui-bundle.js" in html
    assert f"/static/{SWAGGER_UI_DIR}/swagger-ui.css" in html
    assert "/static/onewindow/api-docs.js" in html
    assert "https://" not in html
    # Every <script> either loads a static file or is a JSON data block, never code.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def test_the_published_keys_stay_public_and_cacheable(client):
    response = client.get("/.well-known/onewindow-keys.json")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_view_that_says_no_store_keeps_its_own_words(client, db):
    response = client.get("/healthz")  # never_cache: "max-age=0, no-cache, no-store, …"

    assert "no-cache" in response["Cache-Control"]
    assert no_store(response)


def test_static_files_keep_their_caching():
    request = RequestFactory().get("/static/onewindow/site.css")
    middleware = SecurityHeadersMiddleware(
        lambda request: HttpResponse(headers={"Cache-Control": "max-age=315360000, public"})
    )

    response = middleware(request)

    assert response["Cache-Control"] == "max-age=315360000, public"


def test_a_view_s_public_cache_header_without_the_mark_is_replaced():
    request = RequestFactory().get("/catalog/")
    middleware = SecurityHeadersMiddleware(
        lambda request: HttpResponse(headers={"Cache-Control": "public, max-age=60"})
    )

    assert middleware(request)["Cache-Control"] == "private, no-store"


# -- uploaded files --------------------------------------------------------------------------


def test_an_uploaded_image_opens_only_in_a_sandbox():
    response = user_file_response(
        io.BytesIO(b"\x89PNG"), content_type="image/png", filename="照片.png"
    )

    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content_type", ["application/pdf", "application/ofd", "text/html", ""])
def test_other_uploaded_files_are_downloads(content_type):
    response = user_file_response(io.BytesIO(b"x"), content_type=content_type, filename="a.pdf")

    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


# -- the request-size bound ------------------------------------------------------------------


@override_settings(ONEWINDOW_REQUEST_MAX_BYTES=100, ONEWINDOW_MULTIPART_MAX_BYTES=1000)
def test_a_form_over_the_bound_is_refused_with_413(client, zone):
    response = client.post(
        "/login/", "username=a&password=" + "x" * 200, "application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "提交的内容过大：单次请求不能超过 100 B" in html
    assert no_store(response)


@override_settings(ONEWINDOW_REQUEST_MAX_BYTES=100)
def test_a_form_within_the_bound_goes_through(client, zone):
    response = client.post("/login/", "username=a&password=b", "application/x-www-form-urlencoded")

    assert response.status_code == 200  # the login form, with its error


@override_settings(ONEWINDOW_REQUEST_MAX_BYTES=100)
def test_an_api_body_over_the_bound_is_refused_with_json(client):
    response = client.post("/api/v1/cases", "{" + " " * 200 + "}", "application/json")

    assert response.status_code == 413
    assert response.json() == {
        "message": "提交的内容过大：单次请求不能超过 100 B",
        "code": "request_too_large",
        "fields": {},
    }


@override_settings(ONEWINDOW_REQUEST_MAX_BYTES=100, ONEWINDOW_MULTIPART_MAX_BYTES=2000)
def test_uploads_have_the_larger_bound(client, zone):
    upload = io.BytesIO(b"%PDF-" + b"x" * 500)
    upload.name = "a.pdf"

    within = client.post("/login/", {"username": "a", "file": upload})
    too_large = RequestSizeLimitMiddleware(lambda request: HttpResponse())(
        RequestFactory().post(
            "/apply/",
            data=b"x",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH="2001",
        )
    )

    assert within.status_code == 200
    assert too_large.status_code == 413


def test_the_default_bounds():
    from django.conf import settings

    assert settings.ONEWINDOW_REQUEST_MAX_BYTES == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.ONEWINDOW_MULTIPART_MAX_BYTES == (
        10 * settings.ONEWINDOW_UPLOAD_MAX_BYTES + 1024 * 1024
    )


@pytest.mark.parametrize("length", ["-1", "many", "1e9"])
def test_a_bad_content_length_is_refused(length):
    request = RequestFactory().post(
        "/api/v1/cases", data=b"{}", content_type="application/json", CONTENT_LENGTH=length
    )

    response = RequestSizeLimitMiddleware(lambda request: HttpResponse())(request)

    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "bad_length"


def test_a_body_without_a_length_is_refused():
    request = RequestFactory().post(
        "/api/v1/cases", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    request.META.pop("CONTENT_LENGTH", None)

    response = RequestSizeLimitMiddleware(lambda request: HttpResponse())(request)

    assert response.status_code == 411
    assert json.loads(response.content)["message"] == "请求缺少内容长度（Content-Length），无法处理"


def test_a_get_without_a_body_goes_through():
    response = RequestSizeLimitMiddleware(lambda request: HttpResponse("ok"))(
        RequestFactory().get("/")
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("size", "text"),
    [(20 * 1024 * 1024, "20 MB"), (5 * 1024 * 1024 + 512 * 1024, "5.5 MB"), (2048, "2 KB")],
)
def test_size_text(size, text):
    assert size_text(size) == text
