"""告知承诺 chosen online: only for the materials the catalog lets a commitment replace,
signed with a typed name and a ticked box, recorded as the window records it (the
commitment, the materials committed, an audited event with time and address), and the
case accepted on it at the window without signing again."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from onewindow.cases.constants import (
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    MaterialState,
)
from onewindow.cases.models import Case, CaseMaterial, Commitment, DraftFile
from onewindow.cases.services import (
    MaterialFile,
    OnlineCommitment,
    case_accept,
    case_apply,
    commitment_text,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.bundles import merge_materials
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.inspections.models import CommitmentVerification
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def key_of(world: World, name: str) -> str:
    return next(line.key for line in merge_materials([world.item]) if line.name == name)


def apply_url(world: World) -> str:
    return reverse("cases:apply_item", args=[world.item.item.implementation_code])


def post(world: World, **overrides) -> dict:
    """食品经营许可: 申请表 and 营业场所证明 given, 安全管理制度 (可告知承诺) committed."""
    data = {
        "applicant": str(world.applicant.pk),
        "contact": "张三",
        "phone": "13800000000",
        "material_1": pdf_upload("申请表.pdf"),
        "material_2": pdf_upload("场所.pdf"),
        "committed": [key_of(world, "安全管理制度")],
        "commitment_signed_name": "李四",
        "commitment_agreed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# -- the page -----------------------------------------------------------------------------


def test_the_form_offers_the_commitment_only_for_the_materials_that_allow_it(client, world):
    html = client_for(world.applicant_user, client=client).get(apply_url(world)).content.decode()

    assert "告知承诺（可选）" in html
    assert f'value="{key_of(world, "安全管理制度")}"' in html
    assert f'name="committed" value="{key_of(world, "申请表")}"' not in html
    assert "申请人郑重承诺" in html  # the text to read


def test_an_item_without_commitment_offers_none(client, world):
    url = reverse("cases:apply_item", args=[world.other_item.item.implementation_code])
    html = client_for(world.applicant_user, client=client).get(url).content.decode()
    assert "告知承诺（可选）" not in html


def test_signing_online_records_the_commitment_as_the_window_does(client, world):
    client_for(world.applicant_user, client=client)

    response = client.post(apply_url(world), post(world), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    case = Case.objects.get()
    commitment = Commitment.objects.get(case=case)
    assert commitment.signed_name == "李四"
    assert commitment.text == commitment_text()
    assert commitment.materials == ["安全管理制度"]
    row = case.materials.get(name="安全管理制度")
    assert row.state == MaterialState.COMMITTED
    event = AuditEvent.objects.get(action=CaseEventAction.COMMITMENT_SIGNED)
    assert event.object_id == case.number
    assert event.ip_address == "203.0.113.7"
    assert event.data["channel"] == "online" and event.data["sha256"] == commitment.text_sha256
    assert abs((event.occurred_at - commitment.signed_at).total_seconds()) < 5


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commitment_signed_name": ""}, "commitment_signed_name", "承诺人签名：请输入承诺人姓名"),
        ({"commitment_agreed": None}, "commitment_agreed", "同意承诺：请阅读承诺书全文并勾选同意"),
    ],
    ids=["no-name", "not-agreed"],
)
def test_a_commitment_without_signature_is_refused_by_field(
    client, world, overrides, field, message
):
    client_for(world.applicant_user, client=client)

    response = client.post(apply_url(world), post(world, **overrides))

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and f'id="id_{field}_error"' in html  # next to its field
    assert Case.objects.count() == 0 and Commitment.objects.count() == 0
    assert DraftFile.objects.count() == 2  # the files wait in the draft


def test_a_material_the_item_does_not_let_be_committed_is_refused_naming_the_field(client, world):
    client_for(world.applicant_user, client=client)

    response = client.post(
        apply_url(world), post(world, material_1=None, committed=[key_of(world, "申请表")])
    )

    assert response.status_code == 422
    assert "以告知承诺代替的材料：所选材料不适用告知承诺" in response.content.decode()
    assert Case.objects.count() == 0


def test_committing_a_material_whose_file_is_given_is_refused(client, world):
    client_for(world.applicant_user, client=client)

    response = client.post(apply_url(world), post(world, material_3=pdf_upload("制度.pdf")))

    assert response.status_code == 422
    assert "“安全管理制度”已上传文件：请移除文件或取消承诺" in response.content.decode()
    assert Case.objects.count() == 0


# -- the service (the window's rule) ------------------------------------------------------


def apply(world: World, commitment: OnlineCommitment, **overrides) -> Case:
    arguments = {
        "actor": world.applicant_user,
        "applicant": world.applicant,
        "item_version": world.item,
        "form_data": {"contact": "张三", "phone": "13800000000"},
        "commitment": commitment,
    }
    arguments.update(overrides)
    return case_apply(**arguments)


def test_the_service_refuses_what_the_catalog_does_not_allow(world):
    with pytest.raises(ValidationFailed) as refused:
        apply(
            world,
            OnlineCommitment(
                merge_keys=(key_of(world, "申请表"),), signed_name="李四", agreed=True
            ),
        )
    assert refused.value.fields == {"committed": ["以告知承诺代替的材料：“申请表”不适用告知承诺"]}
    assert Case.objects.count() == 0


def test_the_service_refuses_an_unsigned_or_unagreed_commitment(world):
    key = key_of(world, "安全管理制度")
    with pytest.raises(ValidationFailed) as refused:
        apply(world, OnlineCommitment(merge_keys=(key,), signed_name="  ", agreed=False))
    assert set(refused.value.fields) == {"commitment_signed_name", "commitment_agreed"}
    assert refused.value.fields["commitment_signed_name"] == ["承诺人签名：承诺人须签名"]
    assert Case.objects.count() == 0 and Commitment.objects.count() == 0


def test_the_signed_name_is_folded(world):
    key = key_of(world, "安全管理制度")
    case = apply(world, OnlineCommitment(merge_keys=(key,), signed_name=" 李　四 ", agreed=True))
    assert case.commitment.signed_name == "李 四"


# -- acceptance at the window --------------------------------------------------------------


def signed_case(world: World) -> Case:
    """Applied online with 申请表 and 营业场所证明, 安全管理制度 replaced by a commitment."""
    given = [
        line for line in merge_materials([world.item]) if line.name in ("申请表", "营业场所证明")
    ]
    return apply(
        world,
        OnlineCommitment(
            merge_keys=(key_of(world, "安全管理制度"),), signed_name="李四", agreed=True
        ),
        files=[
            MaterialFile(merge_key=line.key, name=line.name, field=line.name, file=pdf_upload())
            for line in given
        ],
    )


def test_the_clerk_accepts_on_the_online_commitment_without_a_second_signature(world):
    case = signed_case(world)
    row = CaseMaterial.objects.get(case=case, name="安全管理制度")

    accepted = case_accept(
        case=case, actor=world.clerk, mode=AcceptanceMode.COMMITMENT, committed=[row.pk]
    )

    assert accepted.status == CaseStatus.IN_REVIEW
    assert Commitment.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action=CaseEventAction.COMMITMENT_SIGNED).count() == 1
    verification = CommitmentVerification.objects.get(case_number=case.number)
    assert verification.commitment_sha256 == case.commitment.text_sha256


def test_the_clerk_cannot_accept_an_online_commitment_otherwise(world):
    case = signed_case(world)

    with pytest.raises(ValidationFailed) as refused:
        case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.NORMAL)
    assert list(refused.value.fields) == ["mode"]
    assert "申请人已在线签署告知承诺（安全管理制度）" in refused.value.message

    with pytest.raises(ValidationFailed) as changed:
        case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.COMMITMENT, committed=[])
    assert list(changed.value.fields) == ["committed"]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_the_accept_form_starts_from_the_online_commitment(client, world):
    case = signed_case(world)
    html = client_for(world.clerk, client=client).get(reverse("cases:case", args=[case.number]))
    page = html.content.decode()
    assert "申请人已于" in page and "在线签署" in page
