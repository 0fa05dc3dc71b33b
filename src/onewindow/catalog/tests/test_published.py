"""catalog.published: a published version's parts, read once per process; a draft's,
every time; a newly published version, fresh."""

from __future__ import annotations

import pytest

from onewindow.catalog import published
from onewindow.catalog.models import ItemVersion
from onewindow.catalog.services import item_draft, item_draft_update, item_publish
from onewindow.catalog.tests.factories import make_item, material

pytestmark = pytest.mark.django_db


def test_a_published_version_is_read_once(zone, department, django_assert_num_queries):
    version = ItemVersion.objects.get(pk=make_item(zone, department, materials=["申请表"]).pk)
    with django_assert_num_queries(2):  # materials, steps
        parts = published.version_parts(version)
    with django_assert_num_queries(0):
        assert published.version_parts(version) is parts
        assert [m.name for m in published.version_materials(version)] == ["申请表"]
        assert published.version_plan(version) is published.version_plan(version)


def test_a_draft_is_read_every_time(zone, department, django_assert_num_queries):
    version = make_item(zone, department, materials=["申请表"], publish=False)
    with django_assert_num_queries(1):
        assert [m.name for m in published.version_materials(version)] == ["申请表"]
    version = item_draft_update(version=version, materials=[material("新表")], actor=None)
    with django_assert_num_queries(1):
        assert [m.name for m in published.version_materials(version)] == ["新表"]


def test_a_new_published_version_is_read_fresh(zone, department):
    first = ItemVersion.objects.get(pk=make_item(zone, department, materials=["申请表"]).pk)
    assert [m.name for m in published.version_materials(first)] == ["申请表"]
    draft = item_draft(item=first.item, actor=None)
    item_draft_update(version=draft, materials=[material("新表")], actor=None)
    second = ItemVersion.objects.get(pk=item_publish(version=draft, actor=None).pk)
    assert [m.name for m in published.version_materials(second)] == ["新表"]
    retired = ItemVersion.objects.get(pk=first.pk)
    assert [m.name for m in published.version_materials(retired)] == ["申请表"]


def test_the_cache_is_bounded(zone, department, monkeypatch):
    monkeypatch.setattr(published, "CACHE_SIZE", 2)
    versions = [
        ItemVersion.objects.get(pk=make_item(zone, department, name=f"事项{n}").pk)
        for n in range(3)
    ]
    for version in versions:
        published.version_parts(version)
    assert list(published._cache) == [versions[1].pk, versions[2].pk]
