# ruff: noqa: F811  (the admin fixtures are imported from test_admin)
"""Administrators keep the words people use (search terms) on an item's page, at any time,
and on a bundle's page with the rest of the draft; refusals are shown next to the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import otp_login
from onewindow.catalog.models import Bundle, Item
from onewindow.catalog.search import search_bundles, search_items
from onewindow.catalog.tests.factories import make_item
from onewindow.catalog.tests.test_admin import (  # noqa: F401  (fixtures)
    admin_client,
    bundle_data,
    errors_of,
    formset,
    superuser,
)
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db


def item_page_data(terms: str) -> dict:
    return {"search_terms": terms} | formset("versions", [], initial=0)


def test_item_page_shows_the_terms_field_with_its_help(admin_client, zone, department):
    version = make_item(zone, department, name="社会保险登记")
    response = admin_client.get(reverse("admin:catalog_item_change", args=[version.item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="search_terms"' in html
    assert "群众常用的叫法" in html and "work permit" in html


def test_terms_of_a_published_item_are_saved_through_the_service(
    admin_client,
    zone,
    department,
    superuser,
):
    version = make_item(zone, department, name="社会保险登记")
    url = reverse("admin:catalog_item_change", args=[version.item.pk])
    response = admin_client.post(url, item_page_data("社保\r\n社保开户、五险"))
    assert response.status_code == 302, response.context and errors_of(response)
    item = Item.objects.get(pk=version.item.pk)
    assert item.search_terms == "社保\n社保开户\n五险"
    assert [v.name for v in search_items(zone=zone, query="五险")] == ["社会保险登记"]
    event = AuditEvent.objects.get(action="catalog.item_search_terms_changed")
    assert event.actor == superuser.get_username()


def test_a_bad_term_is_shown_next_to_the_field(admin_client, zone, department):
    version = make_item(zone, department)
    url = reverse("admin:catalog_item_change", args=[version.item.pk])
    response = admin_client.post(url, item_page_data("社" * 51))
    assert response.status_code == 200
    assert errors_of(response)["search_terms"] == ["搜索别名“社社社社社社社社社社…”超过 50 个字"]
    assert Item.objects.get(pk=version.item.pk).search_terms == ""


def test_a_window_clerk_cannot_change_terms(client, make_staff, zone, department):
    version = make_item(zone, department)
    otp_login(client, make_staff(Role.WINDOW_CLERK, username="clerk"))
    url = reverse("admin:catalog_item_change", args=[version.item.pk])
    response = client.post(url, item_page_data("社保"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Item.objects.get(pk=version.item.pk).search_terms == ""


def test_bundle_terms_saved_with_the_draft(admin_client, zone, department):
    work = make_item(zone, department, name="外国人来华工作许可")
    residence = make_item(zone, department, name="外国人居留许可")
    data = bundle_data(zone, department, [work.item, residence.item], search_terms="work permit")
    response = admin_client.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 302, response.context and errors_of(response)
    assert Bundle.objects.get(code="foreigner-work").search_terms == "work permit"
    assert search_bundles(zone=zone, query="permit").count() == 0  # a draft is not public


def test_bundle_bad_terms_write_nothing(admin_client, zone, department):
    work = make_item(zone, department, name="外国人来华工作许可")
    residence = make_item(zone, department, name="外国人居留许可")
    terms = "\n".join(f"别名{n}" for n in range(31))
    data = bundle_data(zone, department, [work.item, residence.item], search_terms=terms)
    response = admin_client.post(reverse("admin:catalog_bundle_add"), data)
    assert response.status_code == 200
    assert errors_of(response)["search_terms"] == ["搜索别名最多 30 个，现为 31 个"]
    assert not Bundle.objects.exists()
