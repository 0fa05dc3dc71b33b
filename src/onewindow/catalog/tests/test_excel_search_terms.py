"""The 搜索别名 column of the implementation list: exported from the item, imported through
``item_search_terms_set`` without a new version, optional in older files."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from onewindow.catalog.excel import export_catalog, import_catalog
from onewindow.catalog.models import Item
from onewindow.catalog.search import search_items
from onewindow.catalog.services import item_search_terms_set
from onewindow.catalog.tests.test_excel import (  # noqa: F401  (fixtures)
    business_licence,
    catalog,
    cell,
    edit,
    exported,
    fresh_zone,
    licence,
    only_problems,
    row_of,
    second_window,
    versions_count,
)
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "搜索别名"


def first_item(zone) -> Item:
    return Item.objects.filter(zone=zone).order_by("implementation_code").first()


def drop_column(path: Path, header: str) -> None:
    workbook = load_workbook(path)
    sheet = workbook["事项"]
    headers = [value.value for value in sheet[1]]
    sheet.delete_cols(headers.index(header) + 1)
    workbook.save(path)


def test_the_terms_are_exported_one_per_line(catalog, zone, tmp_path):  # noqa: F811
    item = first_item(zone)
    item_search_terms_set(item=item, terms="开公司、办执照", actor=None)
    path = tmp_path / "catalog.xlsx"
    export_catalog(zone, path)
    assert cell(path, "事项", row_of(path, item.implementation_code), HEADER) == "开公司\n办执照"


def test_imported_terms_are_set_without_a_new_version(exported, zone):  # noqa: F811
    item = first_item(zone)
    count = versions_count()
    edit(exported, "事项", row_of(exported, item.implementation_code), HEADER, "社保，五险")
    report = import_catalog(zone, exported, actor=None)
    assert report.ok, report.problems
    assert report.new_versions == 0 and report.unchanged == 3
    assert versions_count() == count
    item.refresh_from_db()
    assert item.search_terms == "社保\n五险"
    assert [v.item_id for v in search_items(zone=zone, query="五险")] == [item.pk]
    assert AuditEvent.objects.filter(action="catalog.item_search_terms_changed").count() == 1


def test_a_fresh_zone_gets_the_terms_of_the_file(catalog, zone, fresh_zone, tmp_path):  # noqa: F811
    item_search_terms_set(item=first_item(zone), terms="work permit", actor=None)
    path = tmp_path / "catalog.xlsx"
    export_catalog(zone, path)
    report = import_catalog(fresh_zone, path, actor=None)
    assert report.ok, report.problems
    assert first_item(fresh_zone).search_terms == "work permit"


def test_a_file_without_the_column_keeps_the_terms(exported, zone):  # noqa: F811
    item = first_item(zone)
    item_search_terms_set(item=item, terms="社保", actor=None)
    drop_column(exported, HEADER)
    report = import_catalog(zone, exported, actor=None)
    assert report.ok, report.problems
    item.refresh_from_db()
    assert item.search_terms == "社保"


def test_an_empty_cell_clears_the_terms(exported, zone):  # noqa: F811
    item = first_item(zone)
    item_search_terms_set(item=item, terms="社保", actor=None)
    edit(exported, "事项", row_of(exported, item.implementation_code), HEADER, None)
    assert import_catalog(zone, exported, actor=None).ok
    item.refresh_from_db()
    assert item.search_terms == ""


def test_a_bad_term_is_reported_on_its_cell_and_nothing_is_written(exported, zone):  # noqa: F811
    item = first_item(zone)
    row = row_of(exported, item.implementation_code)
    edit(exported, "事项", row, HEADER, "社" * 51)
    report = import_catalog(zone, exported, actor=None)
    assert only_problems(report) == [
        ("事项", row, HEADER, "搜索别名“社社社社社社社社社社…”超过 50 个字")
    ]
    item.refresh_from_db()
    assert item.search_terms == ""
