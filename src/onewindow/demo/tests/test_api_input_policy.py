"""One input policy for the whole API (ADR 0013), tested on every endpoint the OpenAPI
document lists, so a new endpoint is covered the day it is added.

Every JSON body field takes a NUL, a lone surrogate (the ``\\ud800`` escape in the JSON
text), a nesting 5,000 deep, and ``true`` or ``"1"`` where an integer is expected: each is a
422 ``{"message", "code", "fields"}`` naming the field, never a 500 and never accepted
(``"applicant": true`` was applicant 1). A NUL in a path or query parameter of any
operation is a 422 naming the parameter (a 404 naming it in the path: such a path names
nothing).

These tests live with the demo app because they use every app's endpoints; the world is
the cases test world (the root conftest's ``world``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.test import Client

from onewindow.appeals.constants import Nature
from onewindow.appeals.models import AppealCategory
from onewindow.appeals.services.intake import appeal_submit
from onewindow.org.constants import Role
from onewindow.policies.constants import PublicityStatus, RedemptionStatus, RedemptionWay
from onewindow.policies.models import Objection, Publicity, Redemption
from onewindow.policies.tests.factories import make_policy, make_version
from onewindow.testing.clients import client_for, send
from onewindow.testing.worlds import staff

API = "/api/v1"
ERROR_KEYS = {"message", "code", "fields"}
#: Operations only window clerks reach (registering a walk-in applicant).
CLERK_PATHS = {f"{API}/applicants"}
#: Appeal operations the centre (派单员) reaches; an applicant files (``POST /appeals``).
APPEAL_PREFIX = f"{API}/appeals"
APPLICANT_APPEAL_PATHS = {f"{API}/appeals"}
#: Policies' operations that look a redemption, a 公示 or an objection up before the body.
REDEMPTION_PREFIX = f"{API}/redemptions"
OBJECTION_PREFIX = f"{API}/objections"


def openapi() -> dict:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def body_variants(document: dict, operation: dict) -> Iterator[tuple[str | None, dict]]:
    """(title, object schema) of each body the operation takes: one, or one per ``anyOf``
    branch (the case actions: the branch's title is the action)."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return
    schema = _resolve(document, content["application/json"]["schema"])
    branches = schema.get("anyOf") or [schema]
    for branch in branches:
        branch = _resolve(document, branch)
        yield branch.get("title"), branch


def _types(document: dict, schema: dict) -> set[str]:
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        return set().union(*(_types(document, option) for option in schema["anyOf"]))
    if "enum" in schema:
        return {"enum"}
    return {schema.get("type", "any")}


def fields_of(document: dict, schema: dict, kind: str) -> Iterator[tuple[str, bool]]:
    """(name, is an array of it) of every property of ``kind`` ("string", "integer")."""
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(document, prop)
        if kind in _types(document, prop):
            yield name, False
        elif "array" in _types(document, prop) and kind in _types(document, prop.get("items", {})):
            yield name, True


def json_operations() -> list[tuple[str, str, str | None, dict]]:
    """(method, path, body title, body schema) of every operation that takes JSON."""
    document = openapi()
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for title, schema in body_variants(document, operation):
                found.append((method, path, title, schema))
    return found


def all_operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, path parameter names) of every operation."""
    found = []
    for path, methods in openapi()["paths"].items():
        for method, operation in methods.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((method, path, names))
    return found


def _policy_rows(world, department) -> dict:
    """The applicant's enterprise's redemption, on a 公示 with an objection against it."""
    officer = staff(world.zone, Role.POLICY_OFFICER, username="policy_probe", department=department)
    scene = SimpleNamespace(zone=world.zone, department=department, officer=officer)
    version = make_version(scene, policy=make_policy(scene), requires_publicity=True)
    redemption = Redemption.objects.create(
        number="SFQ-DX2026-900001",
        zone=world.zone,
        version=version,
        enterprise=world.applicant,
        way=RedemptionWay.AUTOMATIC,
        status=RedemptionStatus.PUBLICISING,
        result_hash="0" * 64,
        evaluated_on=dt.date(2026, 3, 2),
    )
    publicity = Publicity.objects.create(
        version=version,
        title="公示",
        status=PublicityStatus.OPEN,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2099, 3, 9),
        opened_by=officer,
    )
    publicity.redemptions.add(redemption)
    objection = Objection.objects.create(publicity=publicity, redemption=redemption, text="异议")
    return {"redemption": redemption, "publicity": publicity, "objection": objection}


@pytest.fixture
def target(world, department):
    """How to reach each operation past its authentication and object lookup, so the body
    is read: the applicant's session and a case of theirs (a window clerk's session for
    the clerks' endpoints)."""
    case = world.submit()
    AppealCategory.objects.create(zone=world.zone, code="01", name="企业开办")
    appeal = appeal_submit(
        actor=world.applicant_user,
        zone=world.zone,
        nature=Nature.COMPLAINT,
        category="01",
        subject="营业执照办理进度",
        description="设立登记提交后没有消息。",
        requester=world.applicant,
    )
    dispatcher = staff(world.zone, Role.DISPATCHER, username="policy_dispatcher")
    policies = _policy_rows(world, department)

    def url(path: str, title: str | None) -> str:
        number = appeal.number if path.startswith(APPEAL_PREFIX) else case.number
        if path.startswith(REDEMPTION_PREFIX):
            number = policies["redemption"].number
        pk = policies["objection" if path.startswith(OBJECTION_PREFIX) else "publicity"].pk
        values = {
            "number": number,
            "action": title or "withdraw",
            "uscc": world.applicant.uscc,
            "pk": pk,
            "code": policies["redemption"].version.item.code,
        }
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            assert name in values, f"no value for path parameter {name!r} of {path}: add one"
            path = path.replace("{" + name + "}", quote(str(values[name]), safe=""))
        return path

    applicant, clerk = client_for(world.applicant_user), client_for(world.clerk)
    centre = client_for(dispatcher)

    def client(path: str):
        """The applicant's session, a window clerk's for the clerks' endpoints, the
        centre's for the appeals' (each order is read before its body)."""
        if path in CLERK_PATHS:
            return clerk
        if path.startswith(APPEAL_PREFIX) and path not in APPLICANT_APPEAL_PATHS:
            return centre
        return applicant

    return client, url


def refused(response, field: str, *, code: str = "invalid", status: int = 422) -> str:
    assert response.status_code == status, (response.status_code, response.content.decode())
    body = json.loads(response.content)
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code, body
    assert field in body["fields"], body
    return body["fields"][field][0]


# -- the lists are not empty (a renamed document would make every test below vacuous) ------


def test_the_api_has_json_bodies_with_strings_and_integers():
    operations = json_operations()
    document = openapi()
    assert {(method, path) for method, path, _t, _s in operations} >= {
        ("post", f"{API}/cases"),
        ("post", f"{API}/cases/{{number}}/actions/{{action}}"),
        ("post", f"{API}/reviews"),
    }
    integers = [
        name
        for _m, _p, _t, schema in operations
        for name, _a in fields_of(document, schema, "integer")
    ]
    assert {"applicant", "task", "level", "days", "tolerated"} <= set(integers)


# -- JSON bodies ---------------------------------------------------------------------------


def test_a_nul_or_a_control_character_in_any_string_field_is_named(target):
    client, url = target
    document = openapi()
    probed = 0
    for method, path, title, schema in json_operations():
        for name, is_array in fields_of(document, schema, "string"):
            for value in ["a\u0000b", "a\u001bb"]:
                payload = {name: [value] if is_array else value}
                response = send(
                    client(path), method.upper(), url(path, title), body=json.dumps(payload)
                )
                field = f"{name}.0" if is_array else name
                assert "控制字符" in refused(response, field), (path, title, name)
                probed += 1
    assert probed > 20


def test_a_lone_surrogate_in_any_string_field_is_named(target):
    client, url = target
    document = openapi()
    for method, path, title, schema in json_operations():
        for name, is_array in fields_of(document, schema, "string"):
            value = '["\\ud800"]' if is_array else '"\\ud800"'
            response = send(
                client(path), method.upper(), url(path, title), body=f'{{"{name}": {value}}}'
            )
            field = f"{name}.0" if is_array else name
            assert "代理项" in refused(response, field), (path, title, name)


def test_a_nul_in_a_free_form_object_is_named_by_its_path(world):
    client = client_for(world.applicant_user)
    payload = {"item": world.item.item.implementation_code, "applicant": world.applicant.pk}
    payload["form"] = {"contact": "张三", "notes": ["ok", "a\u0000"]}

    response = send(client, "POST", f"{API}/cases", body=json.dumps(payload))

    refused(response, "form.notes.1")


def test_nesting_5000_deep_is_refused_on_every_body(target):
    client, url = target
    deep = '{"x": ' + "[" * 5_000 + "]" * 5_000 + "}"
    for method, path, title, _schema in json_operations():
        response = send(client(path), method.upper(), url(path, title), body=deep)
        assert "嵌套" in refused(response, "body"), path


@pytest.mark.parametrize("value", ["true", "false", '"1"', "1.0"])
def test_an_integer_field_takes_only_an_integer(target, value):
    client, url = target
    document = openapi()
    probed = 0
    for method, path, title, schema in json_operations():
        for name, is_array in fields_of(document, schema, "integer"):
            text = f'{{"{name}": {"[" + value + "]" if is_array else value}}}'
            response = send(client(path), method.upper(), url(path, title), body=text)
            field = f"{name}.0" if is_array else name
            assert refused(response, field) == "应为整数", (path, title, name)
            probed += 1
    assert probed >= 5


def test_applicant_true_is_not_applicant_1(world):
    client = client_for(world.clerk)
    payload = f'{{"item": "{world.item.item.implementation_code}", "applicant": true}}'

    refused(send(client, "POST", f"{API}/cases", body=payload), "applicant")


def test_an_anonymous_rating_with_a_nul_is_a_422(client):
    text = '{"case_number": "SFQ-2026-0000001\\u0000", "channel": "window", "level": 5}'

    refused(send(client, "POST", f"{API}/reviews", body=text), "case_number")


# -- path and query parameters --------------------------------------------------------------


def test_a_nul_in_a_query_parameter_of_any_operation_is_named(client):
    for method, path, names in all_operations():
        concrete = path
        for name in names:
            concrete = concrete.replace("{" + name + "}", "x")
        response = getattr(client, method)(f"{concrete}?code=a%00b")
        assert "控制字符" in refused(response, "code"), path


def test_a_nul_in_a_path_parameter_of_any_operation_is_named(client):
    probed = 0
    for method, path, names in all_operations():
        for name in names:
            concrete = path
            for other in names:
                concrete = concrete.replace("{" + other + "}", "a%00b" if other == name else "x")
            response = getattr(client, method)(concrete)
            # A path that is not acceptable text names nothing: 404, naming the parameter.
            assert "控制字符" in refused(response, name, code="not_found", status=404), path
            probed += 1
    assert probed >= 5


def test_bodies_ninja_reads_go_through_the_same_parser_and_keep_their_422(rf):
    # No endpoint declares a ninja Body today; one that does gets the same policy, and the
    # 400 ninja wraps a parser error in is answered as the policy's 422.
    from ninja.errors import HttpError

    from onewindow.api import api, on_http_error
    from onewindow.core.errors import ValidationFailed

    request = rf.post("/", data=b'{"a": ["\\u0000"]}', content_type="application/json")
    with pytest.raises(ValidationFailed) as caught:
        api.parser.parse_body(request)
    wrapped = HttpError(400, "Cannot parse request body")
    wrapped.__cause__ = caught.value

    refused(on_http_error(request, wrapped), "a.0")
