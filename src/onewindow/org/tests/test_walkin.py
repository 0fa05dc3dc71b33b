"""A walk-in applicant registered by a window clerk (ADR 0026): validation as the admin's
form, no duplicates, the clerk's zone, audited, race-safe."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant, Zone
from onewindow.org.permissions import visible_applicants
from onewindow.org.services import applicant_register, applicant_register_walk_in
from onewindow.testing import worlds
from onewindow.testing.races import race, split

USCC = demo_uscc("91", 7101)
PERSON_ID = "11010519491231002X"
PASSPORT = "C4J7R9K2L"


@pytest.fixture
def zone_b(db) -> Zone:
    return Zone.objects.create(code="SZB", name="第二开发区", division_code="320193")


@pytest.fixture
def clerk_b(zone_b):
    return worlds.staff(zone_b, Role.WINDOW_CLERK, username="clerk_b")


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_new_enterprise_is_registered_in_the_clerks_zone_and_audited(clerk, clerk_b):
    # when: the USCC is typed full-width, in lower case, with blanks
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in USCC.lower())
    result = applicant_register_walk_in(
        actor=clerk,
        kind=ApplicantKind.ENTERPRISE,
        name="  示范科技（苏州）有限公司 ",
        uscc=" " + fullwidth[:9] + " " + fullwidth[9:],
        legal_representative="王 芳",
        phone="１３８００００００１１",
        ip_address="10.0.0.7",
    )
    # then
    applicant = result.applicant
    assert result.created is True
    assert applicant.uscc == USCC
    assert applicant.name == "示范科技（苏州）有限公司"  # a licence's brackets are full-width
    assert applicant.phone == "13800000011"
    assert list(visible_applicants(clerk).filter(pk=applicant.pk)) == [applicant]
    assert not visible_applicants(clerk_b).filter(pk=applicant.pk).exists()
    (event,) = _events(AuditAction.APPLICANT_ADDED)
    assert event.actor_id == str(clerk.pk) and event.object_id == str(applicant.pk)
    assert event.ip_address == "10.0.0.7"
    assert event.data["channel"] == "page" and event.data["zone"] == clerk.zone.code
    assert "uscc" in event.data["fields"] and USCC not in str(event.data)
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": ApplicantKind.ENTERPRISE, "uscc": USCC[:-1]}, "uscc", "统一社会信用代码应为18位"),
        (
            {
                "kind": ApplicantKind.ENTERPRISE,
                "uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1"),
            },
            "uscc",
            "统一社会信用代码校验位错误",
        ),
        (
            {"kind": ApplicantKind.PERSON, "id_number": "110105194912310021"},
            "id_number",
            "居民身份证号码校验位错误",
        ),
        ({"kind": ApplicantKind.PERSON, "id_number": ""}, "id_number", "居民身份证号码不能为空"),
        (
            {"kind": ApplicantKind.FOREIGNER, "passport_number": PASSPORT},
            "nationality",
            "国籍不能为空",
        ),
        (
            {"kind": ApplicantKind.FOREIGNER, "passport_number": PASSPORT, "nationality": "CN"},
            "nationality",
            "国籍应为 ISO 3166 两位国家代码",
        ),
        (
            {"kind": ApplicantKind.ENTERPRISE, "uscc": USCC, "name": "  "},
            "name",
            "名称或姓名不能为空",
        ),
        ({"kind": "robot", "uscc": USCC}, "kind", "申请人类型应为企业、个人或外国人"),
    ],
)
def test_bad_input_names_the_field_as_the_admin_form_does(clerk, fields, field, message):
    fields = {"name": "某申请人", **fields}
    with pytest.raises(ValidationFailed) as raised:
        applicant_register_walk_in(actor=clerk, **fields)
    assert list(raised.value.fields) == [field]
    assert message in raised.value.message
    # the admin's service says the same
    with pytest.raises(ValidationFailed) as admin:
        applicant_register(**fields)
    assert admin.value.message == raised.value.message
    assert not Applicant.objects.exists()
    assert not _events(AuditAction.APPLICANT_ADDED)


def test_an_existing_identifier_opens_that_applicant_instead_of_a_duplicate(clerk):
    first = applicant_register_walk_in(
        actor=clerk, kind=ApplicantKind.PERSON, name="张明", id_number=PERSON_ID
    ).applicant
    again = applicant_register_walk_in(
        actor=clerk, kind=ApplicantKind.PERSON, name="张三", id_number=PERSON_ID.lower()
    )
    assert again.created is False and again.applicant == first
    assert Applicant.objects.count() == 1
    assert Applicant.objects.get().name == "张明"  # nothing of the second form is written
    assert len(_events(AuditAction.APPLICANT_ADDED)) == 1
    # typing a person's full number found them: recorded as a search by number
    (lookup,) = _events(AuditAction.IDENTIFIER_LOOKED_UP)
    assert lookup.object_id == str(first.pk) and lookup.data["found"] is True


def test_a_foreigner_needs_the_same_passport_and_nationality_to_be_the_same_person(clerk):
    us = applicant_register_walk_in(
        actor=clerk,
        kind=ApplicantKind.FOREIGNER,
        name="John Smith",
        passport_number=PASSPORT,
        nationality="us",
    )
    gb = applicant_register_walk_in(
        actor=clerk,
        kind=ApplicantKind.FOREIGNER,
        name="John Smith",
        passport_number=PASSPORT,
        nationality="GB",
    )
    same = applicant_register_walk_in(
        actor=clerk,
        kind=ApplicantKind.FOREIGNER,
        name="John Smith",
        passport_number=PASSPORT,
        nationality="US",
    )
    assert us.created and gb.created and not same.created
    assert same.applicant == us.applicant != gb.applicant
    assert us.applicant.nationality.code == "US"


def test_another_zones_applicant_joins_this_zone_only_with_the_registered_name(clerk, clerk_b):
    # given: registered at zone B's window
    theirs = applicant_register_walk_in(
        actor=clerk_b, kind=ApplicantKind.ENTERPRISE, name="示范科技有限公司", uscc=USCC
    ).applicant
    # when: another name → refused, nothing of the record shown, the zone unchanged
    with pytest.raises(Conflict) as raised:
        applicant_register_walk_in(
            actor=clerk, kind=ApplicantKind.ENTERPRISE, name="别的公司", uscc=USCC
        )
    assert raised.value.code == "applicant_exists_elsewhere"
    assert list(raised.value.fields) == ["name"]
    assert "示范科技" not in raised.value.message
    assert not visible_applicants(clerk).filter(pk=theirs.pk).exists()
    # when: the registered name (full-width brackets and blanks folded) → opened, audited
    result = applicant_register_walk_in(
        actor=clerk, kind=ApplicantKind.ENTERPRISE, name=" 示范科技 有限公司", uscc=USCC
    )
    assert result.created is False and result.applicant == theirs
    assert visible_applicants(clerk).filter(pk=theirs.pk).exists()
    assert visible_applicants(clerk_b).filter(pk=theirs.pk).exists()
    (event,) = _events(AuditAction.APPLICANT_ZONE_LINKED)
    assert event.actor_id == str(clerk.pk) and event.data["zone"] == clerk.zone.code
    assert Applicant.objects.count() == 1


@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.ADMINISTRATOR, Role.SUPERVISOR])
def test_only_a_window_clerk_registers_walk_ins(zone, department, role):
    actor = (
        worlds.staff(zone, role, username=f"user_{role}", department=department)
        if role
        else worlds.applicant_user(zone, "walker")
    )
    with pytest.raises(Forbidden):
        applicant_register_walk_in(
            actor=actor, kind=ApplicantKind.ENTERPRISE, name="示范科技", uscc=USCC
        )
    assert not Applicant.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")
def test_two_clerks_registering_one_number_at_once_get_one_applicant(zone):
    # given: two clerks of the zone
    first = worlds.staff(zone, Role.WINDOW_CLERK, username="clerk_1")
    second = worlds.staff(zone, Role.WINDOW_CLERK, username="clerk_2")

    def register(actor):
        return lambda: applicant_register_walk_in(
            actor=actor, kind=ApplicantKind.ENTERPRISE, name="示范科技有限公司", uscc=USCC
        )

    # when: they press 登记 at the same moment, several times over
    for _round in range(3):
        Applicant.objects.all().delete()
        results, errors = split(race(register(first), register(second)))
        # then: one applicant; one of them created it, the other opened it
        assert errors == []
        assert Applicant.objects.count() == 1
        assert sorted(result.created for result in results) == [False, True]
        assert {result.applicant.pk for result in results} == {Applicant.objects.get().pk}
    assert connection.vendor == "postgresql"


def test_a_refused_look_up_of_another_zones_person_stays_recorded(clerk, clerk_b):
    theirs = applicant_register_walk_in(
        actor=clerk_b, kind=ApplicantKind.PERSON, name="张明", id_number=PERSON_ID
    ).applicant
    with pytest.raises(Conflict):
        applicant_register_walk_in(
            actor=clerk, kind=ApplicantKind.PERSON, name="李雷", id_number=PERSON_ID
        )
    (lookup,) = _events(AuditAction.IDENTIFIER_LOOKED_UP)
    assert lookup.actor_id == str(clerk.pk) and lookup.object_id == str(theirs.pk)
    assert not _events(AuditAction.APPLICANT_ZONE_LINKED)
    assert audit_verify().ok
