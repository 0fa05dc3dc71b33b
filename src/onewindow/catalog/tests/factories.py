"""Catalog test data built through the services (so every row passed the real checks).

    version = make_item(zone, department, name="食品经营许可")          # published
    draft = make_item(zone, department, publish=False)                    # draft v1
    quick = make_item(zone, department, handling_kind="immediate")        # 即办件, one step
    bundle = make_bundle(zone, department, items=[a.item, b.item], publish=True)

Departments in the conftest fixtures have no USCC; :func:`ensure_uscc` gives them a valid
one (generated like ``demo.org_data.demo_uscc``) so implementation codes can be built.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from onewindow.catalog.constants import HandlingKind, OnlineDepth, StepKind, StepRole
from onewindow.catalog.models import Bundle, Item, ItemVersion
from onewindow.catalog.services import bundle_publish, bundle_save, item_create, item_publish
from onewindow.certificates.models import CertificateType
from onewindow.core.identifiers import organisation_code_check_character
from onewindow.org.models import Department, Zone

_serial = itertools.count(1)


def uscc_for(serial: int, division: str = "320192", registration: str = "11") -> str:
    """A valid 统一社会信用代码 (``11`` = an organ of state, 机关)."""
    org8 = f"MB{serial:06d}"
    body = f"{registration}{division}{org8}{organisation_code_check_character(org8)}"
    return body + stdnum_uscc.calc_check_digit(body)


def ensure_uscc(department: Department) -> str:
    """Give ``department`` a valid USCC if it has none; return it."""
    if not department.uscc:
        department.uscc = uscc_for(department.pk, department.zone.division_code or "320192")
        department.save(update_fields=["uscc"])
    return department.uscc


def item_codes(department: Department, item_type: str = "01", number: int | None = None):
    """(implementation code, basic code) for a new item of ``department``."""
    number = next(_serial) if number is None else number
    basic = f"32{item_type}{number:05d}000"
    return f"{ensure_uscc(department)}4{basic}", basic


def standard_steps(promised_limit_days: int = 5) -> list[dict]:
    """受理 → 审查 → 决定 → 送达, one working day each but review (fills the rest)."""
    review = max(promised_limit_days - 3, 0)
    return [
        {"key": "accept", "name": "受理", "kind": StepKind.ACCEPTANCE,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1},
        {"key": "review", "name": "审查", "kind": StepKind.REVIEW, "role": StepRole.REVIEWER,
         "limit_days": review, "after": ["accept"]},
        {"key": "decide", "name": "决定", "kind": StepKind.DECISION, "role": StepRole.DECIDER,
         "limit_days": 1, "after": ["review"]},
        {"key": "deliver", "name": "送达", "kind": StepKind.DELIVERY,
         "role": StepRole.WINDOW_CLERK, "limit_days": 1, "after": ["decide"]},
    ]  # fmt: skip


def immediate_steps() -> list[dict]:
    return [
        {"key": "decide", "name": "当场办结", "kind": StepKind.DECISION,
         "role": StepRole.WINDOW_CLERK, "limit_days": 0},
    ]  # fmt: skip


DEFAULT_MATERIALS = ["申请表", "法定代表人身份证明"]


def material(name: str, **fields: Any) -> dict:
    return {"name": name, "originals": 1, "copies": 0} | fields


def item_elements(department: Department, /, **overrides: Any) -> dict:
    """A complete, publishable set of elements (a 承诺件 of 5 working days)."""
    elements = {
        "name": "测试事项",
        "item_type": "01",
        "department": department,
        "legal_basis": "《中华人民共和国行政许可法》",
        "legal_citations": ["《中华人民共和国行政许可法》第四十二条"],
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "handling_kind": HandlingKind.PROMISED,
        "acceptance_conditions": "申请人具备法定条件",
        "required_visits": 1,
        "online_depth": OnlineDepth.ONE_VISIT,
        "consultation_phone": "025-80000000",
        "complaint_phone": "12345",
    }
    if overrides.get("handling_kind") == HandlingKind.IMMEDIATE:
        elements["promised_limit_days"] = 0
    return elements | overrides


def make_item(
    zone: Zone,
    department: Department,
    name: str = "测试事项",
    item_type: str = "01",
    materials: Sequence[dict | str] | None = None,
    steps: list[dict] | None = None,
    publish: bool = True,
    actor=None,
    implementation_code: str | None = None,
    basic_code: str | None = None,
    windows=(),
    **elements: Any,
) -> ItemVersion:
    """An item built through ``item_create`` (and ``item_publish`` unless publish=False).

    ``materials`` are dicts of Material fields or plain names; ``steps`` default to the
    standard four steps fitted to the promised limit (one step for a 即办件). Any other
    keyword is an element (``promised_limit_days=3``, ``handling_kind="immediate"``).
    """
    values = item_elements(department, name=name, item_type=item_type, **elements)
    if implementation_code is None or basic_code is None:
        implementation_code, basic_code = item_codes(department, item_type)
    if materials is None:
        materials = DEFAULT_MATERIALS
    rows = [material(entry) if isinstance(entry, str) else entry for entry in materials]
    if steps is None:
        steps = (
            immediate_steps()
            if values["handling_kind"] == HandlingKind.IMMEDIATE
            else standard_steps(values["promised_limit_days"])
        )
    version = item_create(
        zone=zone,
        implementation_code=implementation_code,
        basic_code=basic_code,
        elements=values,
        materials=rows,
        steps=steps,
        windows=list(windows),
        actor=actor,
    )
    if publish:
        version = item_publish(version=version, actor=actor)
    return version


def make_certificate_type(
    code: str = "11100000MB0000001A001", name: str = "营业执照", **fields: Any
) -> CertificateType:
    return CertificateType.objects.create(code=code, name=name, **fields)


def make_bundle(
    zone: Zone,
    department: Department,
    items: Sequence[Item],
    code: str = "test-bundle",
    name: str = "测试一件事",
    promised_limit_days: int = 4,
    required_visits: int = 1,
    form_fields: Sequence[dict] = (),
    publish: bool = False,
    actor=None,
) -> Bundle:
    bundle = bundle_save(
        zone=zone,
        code=code,
        name=name,
        lead_department=department,
        promised_limit_days=promised_limit_days,
        required_visits=required_visits,
        items=list(items),
        form_fields=list(form_fields),
        actor=actor,
    )
    if publish:
        bundle = bundle_publish(bundle=bundle, actor=actor)
    return bundle
