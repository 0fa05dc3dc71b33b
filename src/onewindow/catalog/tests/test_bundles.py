import pytest

from onewindow.catalog.tests.factories import make_bundle, make_item

pytestmark = pytest.mark.django_db


def test_smoke(zone, department):
    a = make_item(zone, department, name="食品经营许可")
    b = make_item(zone, department, name="公共场所卫生许可", handling_kind="immediate")
    bundle = make_bundle(zone, department, items=[a.item, b.item], publish=True)
    assert bundle.status == "published"
