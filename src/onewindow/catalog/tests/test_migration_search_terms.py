"""Upgrading (migration catalog 0003_search_terms) folds the names, results and
descriptions already stored, published versions included, so the catalog is searchable by
the new rules at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: tuple[str, str]):
    """Migrate to ``target`` alone (backwards unapplies what depends on it, forwards applies
    what it needs) and answer the models as the database then has them: every app at the
    last of its migrations still applied."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    executor.loader.build_graph()
    graph = executor.loader.graph
    applied = set(executor.loader.applied_migrations)
    leaves = [
        node
        for node in applied
        if node in graph.node_map
        and not any(child.key in applied for child in graph.node_map[node].children)
    ]
    return executor.loader.project_state(leaves).apps


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_their_folded_search_columns():
    old = migrate(("catalog", "0002_initial"))
    zone = old.get_model("org", "Zone").objects.create(
        code="SFQ", name="示范区", division_code="320192"
    )
    department = old.get_model("org", "Department").objects.create(
        zone=zone, code="SCJ", name="市场监督管理局", kind="functional"
    )
    licence = old.get_model("certificates", "CertificateType").objects.create(
        code="11100000MB0000001A001", name="药品经营许可证"
    )
    item = old.get_model("catalog", "Item").objects.create(
        zone=zone, implementation_code="X" * 31, basic_code="Y" * 12
    )
    old.get_model("catalog", "ItemVersion").objects.create(
        item=item,
        version=1,
        status="published",
        name="药品经营许可（零售）",
        item_type="01",
        department=department,
        legal_basis="《药品管理法》",
        legal_limit_days=20,
        promised_limit_days=10,
        handling_kind="promised",
        online_depth="2",
        certificate_type=licence,
        result_name="药品经营许可证（零售）",
    )
    old.get_model("catalog", "Bundle").objects.create(
        zone=zone,
        code="pharmacy",
        name="开药店一件事",
        description="ＧＳＰ认证与许可同步办理",
        lead_department=department,
        promised_limit_days=10,
    )

    new = migrate(("catalog", "0003_search_terms"))
    version = new.get_model("catalog", "ItemVersion").objects.get()
    assert version.name_folded == "药品经营许可(零售)"
    assert version.result_folded == "药品经营许可证(零售)\n药品经营许可证"
    bundle = new.get_model("catalog", "Bundle").objects.get()
    assert (bundle.name_folded, bundle.description_folded) == (
        "开药店一件事",
        "gsp认证与许可同步办理",
    )
    assert new.get_model("catalog", "Item").objects.get().search_terms == ""

    # back to the latest state for the tests that follow
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
