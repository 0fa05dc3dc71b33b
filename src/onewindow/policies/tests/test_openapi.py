"""The API document names each schema of the policies' operations once: a schema whose class
name another app's schema also uses would overwrite that one in ``/api/v1/openapi.json``."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from onewindow.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_policies_schema_shares_its_name_with_another_apps():
    document = api.get_openapi_schema()
    modules = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("onewindow."):
            modules[schema.__name__].add(schema.__module__)
    components = set(document["components"]["schemas"])
    clashes = {
        name: sorted(where)
        for name, where in modules.items()
        if name in components
        and any(module.startswith("onewindow.policies.") for module in where)
        and len(where) > 1
    }
    assert not clashes, clashes


def test_the_document_lists_the_policies_operations(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/enterprises/{uscc}/facts" in document["paths"]
    assert "/api/v1/redemptions/{number}/actions/confirm" in document["paths"]
    assert "ProfileFactOut" in document["components"]["schemas"]
    certificate_fact = document["components"]["schemas"]["FactOut"]
    assert "recorded_at" not in certificate_fact["properties"]
