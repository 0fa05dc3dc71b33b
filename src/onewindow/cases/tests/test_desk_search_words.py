"""The clerk's walk-in search (/desk/new/?item_q=) finds items and bundles by the words
people say at the window, through the catalog search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.catalog.services import bundle_search_terms_set, item_search_terms_set
from onewindow.testing.worlds import case_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = case_world()
    item_search_terms_set(item=world.item.item, terms="办执照", actor=None)
    bundle_search_terms_set(bundle=world.bundle, terms="开公司\n办执照", actor=None)
    return world


def found(client, world, query: str):
    client.force_login(world.clerk)
    response = client.get(reverse("cases:desk_new"), {"item_q": query})
    assert response.status_code == 200
    context = response.context
    return (
        [version.name for version in context.get("items", [])],
        [bundle.name for bundle in context.get("bundles", [])],
    )


def test_a_colloquial_name_finds_the_item_and_the_bundle(client, world):
    assert found(client, world, "办执照") == ([world.item.name], [world.bundle.name])
    assert found(client, world, "开公司") == ([], [world.bundle.name])


def test_full_width_and_several_words(client, world):
    name = world.item.name
    assert found(client, world, f"{name[:2]}\u3000{name[-2:]}")[0] == [name]
    assert found(client, world, "ＢＡＮＺＨＩＺＨＡＯ") == ([], [])  # pinyin of names, not terms


def test_a_query_the_search_refuses_is_an_empty_result(client, world):
    assert found(client, world, "一 二 三 四 五 六 七 八 九") == ([], [])
