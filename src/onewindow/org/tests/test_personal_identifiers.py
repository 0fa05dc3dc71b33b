"""Personal identifiers (ADR 0015): the one rule, every staff full view audited, applicants
scoped by zone, full-number search for the roles that may see numbers, admin edits audited.

Two zones throughout: ``zone`` (SFQ, from conftest) and a second one made here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import otp_login
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_uscc
from onewindow.org.constants import ApplicantKind, Capacity, DepartmentKind, Role
from onewindow.org.models import (
    Applicant,
    Department,
    Park,
    Representation,
    RoleAssignment,
    User,
    Zone,
)
from onewindow.org.permissions import (
    access_applicant,
    can_view_full_identifier,
    visible_applicants,
)
from onewindow.org.services import (
    IdentifierChannel,
    applicant_change,
    applicant_register,
    identifier_show,
    identifier_view_record,
    representation_add,
    representation_remove,
)
from onewindow.testing import worlds

COMPANY_USCC = demo_uscc("91", 1)
PERSON_ID = "11010519491231002X"
OTHER_ID = "110105194912310038"
FOREIGN_PASSPORT = "C4J7R9K2L"


@pytest.fixture
def zone_b(db) -> Zone:
    return Zone.objects.create(code="SZB", name="第二开发区", division_code="320193")


def _staff(zone: Zone, username: str, *roles: str) -> User:
    department = Department.objects.get_or_create(
        zone=zone,
        code="SCJG",
        defaults={"name": "市场监督管理局", "kind": DepartmentKind.FUNCTIONAL},
    )[0]
    return worlds.staff(zone, *roles, username=username, department=department)


@pytest.fixture
def person_a(zone) -> Applicant:
    """A person of zone A (represented by a user of zone A)."""
    return applicant_register(
        kind=ApplicantKind.PERSON,
        name="张明",
        id_number=PERSON_ID,
        phone="13800000002",
        user=worlds.applicant_user(zone, "zhangming"),
        capacity=Capacity.SELF,
    )


@pytest.fixture
def clerk_a(zone) -> User:
    return _staff(zone, "clerk_a", Role.WINDOW_CLERK)


@pytest.fixture
def clerk_b(zone_b) -> User:
    return _staff(zone_b, "clerk_b", Role.WINDOW_CLERK)


def _events(action: str):
    return AuditEvent.objects.filter(action=action).order_by("id")


# -- the rule --------------------------------------------------------------------------------


def test_the_rule_with_two_zones(person_a, clerk_a, clerk_b, zone):
    owner = person_a.representations.get().user
    reviewer_a = _staff(zone, "reviewer_a", Role.REVIEWER)
    administrator_a = _staff(zone, "admin_a", Role.ADMINISTRATOR)
    assert can_view_full_identifier(owner, person_a)
    assert can_view_full_identifier(clerk_a, person_a)
    assert not can_view_full_identifier(clerk_b, person_a)  # another zone's clerk
    assert not can_view_full_identifier(reviewer_a, person_a)
    assert not can_view_full_identifier(administrator_a, person_a)


def test_identifier_show_records_each_staff_full_view_once(person_a, clerk_a, zone):
    owner = person_a.representations.get().user
    reviewer = _staff(zone, "reviewer_a", Role.REVIEWER)
    # the owner: full, not recorded; a reviewer: masked, not recorded
    assert identifier_show(viewer=owner, applicant=person_a, channel="api").value == PERSON_ID
    masked = identifier_show(viewer=reviewer, applicant=person_a, channel="api")
    assert (masked.value, masked.full, masked.audited) == ("1101**********002X", False, False)
    assert not _events(AuditAction.IDENTIFIER_VIEWED).exists()
    # a clerk of the zone: full and recorded, with the channel, never the number
    shown = identifier_show(
        viewer=clerk_a, applicant=person_a, channel="pdf", purpose="X", ip_address="10.0.0.9"
    )
    assert (shown.value, shown.full, shown.audited) == (PERSON_ID, True, True)
    event = _events(AuditAction.IDENTIFIER_VIEWED).get()
    assert (event.actor, event.object_type, event.object_id, event.ip_address) == (
        "clerk_a",
        "applicant",
        str(person_a.pk),
        "10.0.0.9",
    )
    assert event.data == {"channel": "pdf", "purpose": "X", "kind": "person"}
    assert PERSON_ID not in str(event.data)
    assert audit_verify().ok


def test_an_enterprise_code_is_public_and_never_recorded(zone, clerk_a):
    company = applicant_register(
        kind=ApplicantKind.ENTERPRISE,
        name="示范公司",
        uscc=COMPANY_USCC,
        user=worlds.applicant_user(zone, "company"),
    )
    reviewer = _staff(zone, "reviewer_a", Role.REVIEWER)
    for viewer in (clerk_a, reviewer):
        shown = identifier_show(viewer=viewer, applicant=company, channel="page")
        assert (shown.value, shown.full, shown.audited) == (COMPANY_USCC, True, False)
    assert not _events(AuditAction.IDENTIFIER_VIEWED).exists()


def test_an_unknown_channel_is_refused(person_a, clerk_a):
    with pytest.raises(ValueError):
        identifier_view_record(actor=clerk_a, applicant=person_a, channel="email")
    assert set(IdentifierChannel.ALL) == {"page", "api", "pdf", "admin", "export"}


# -- zones -----------------------------------------------------------------------------------


def test_another_zones_applicant_is_not_found_like_a_missing_one(client, person_a, clerk_b):
    with pytest.raises(Exception) as out_of_zone:
        access_applicant(clerk_b, person_a.pk)
    with pytest.raises(Exception) as missing:
        access_applicant(clerk_b, 999999)
    assert out_of_zone.value.code == missing.value.code == "applicant_not_found"
    client.force_login(clerk_b)
    response = client.get(reverse("applicant_detail", args=[person_a.pk]))
    assert response.status_code == 404
    assert PERSON_ID not in response.content.decode() and "张明" not in response.content.decode()
    assert client.get(reverse("applicant_detail", args=[999999])).status_code == 404
    assert not _events(AuditAction.IDENTIFIER_VIEWED).exists()


def test_zone_ties_representation_park_and_unplaced(zone, zone_b, person_a, clerk_a, clerk_b):
    # given: one applicant in a park of zone B, one registered and never used
    park_b = Park.objects.create(zone=zone_b, code="P1", name="第二园区")
    in_park = applicant_register(
        kind=ApplicantKind.PERSON, name="李园", id_number=OTHER_ID, park=park_b
    )
    unplaced = applicant_register(
        kind=ApplicantKind.FOREIGNER,
        name="Anna Müller",
        passport_number=FOREIGN_PASSPORT,
        nationality="DE",
    )
    # then
    assert set(visible_applicants(clerk_a)) == {person_a, unplaced}
    assert set(visible_applicants(clerk_b)) == {in_park, unplaced}
    # when: a user of zone B comes to represent the zone A person, B sees them too
    representation_add(
        actor=clerk_b,
        applicant=person_a,
        user=worlds.applicant_user(zone_b, "agent_b"),
        capacity=Capacity.AGENT,
    )
    assert person_a in set(visible_applicants(User.objects.get(pk=clerk_b.pk)))


def test_search_is_scoped_by_zone(client, person_a, clerk_b, zone_b):
    applicant_register(
        kind=ApplicantKind.PERSON,
        name="张亮",
        id_number=OTHER_ID,
        user=worlds.applicant_user(zone_b, "zhangliang"),
    )
    client.force_login(clerk_b)
    by_name = client.get(reverse("applicant_search"), {"q": "张"}).content.decode()
    assert "张亮" in by_name and "张明" not in by_name
    by_number = client.get(reverse("applicant_search"), {"q": PERSON_ID}).content.decode()
    assert "张明" not in by_number and "没有找到" in by_number


# -- search by full number -------------------------------------------------------------------


def test_only_roles_that_see_numbers_search_by_them_and_the_lookup_is_audited(
    client, person_a, clerk_a, zone
):
    reviewer = _staff(zone, "reviewer_a", Role.REVIEWER)
    client.force_login(reviewer)
    html = client.get(reverse("applicant_search"), {"q": PERSON_ID}).content.decode()
    assert "张明" not in html and "没有找到" in html
    by_name = client.get(reverse("applicant_search"), {"q": "张明"}).content.decode()
    assert "张明" in by_name and PERSON_ID not in by_name and "1101**********002X" in by_name
    assert not _events(AuditAction.IDENTIFIER_LOOKED_UP).exists()

    client.force_login(clerk_a)
    # full-width digits are folded (NFKC) like everywhere people type
    typed = PERSON_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    html = client.get(reverse("applicant_search"), {"q": typed}).content.decode()
    assert "张明" in html and PERSON_ID not in html  # results are masked, even for a clerk
    event = _events(AuditAction.IDENTIFIER_LOOKED_UP).get()
    assert (event.actor, event.object_id, event.data) == (
        "clerk_a",
        str(person_a.pk),
        {"channel": "page", "found": True},
    )
    # a number that finds nobody is recorded too (a probe), without the number
    client.get(reverse("applicant_search"), {"q": OTHER_ID})
    probe = _events(AuditAction.IDENTIFIER_LOOKED_UP).last()
    assert (probe.object_id, probe.data) == ("", {"channel": "page", "found": False})
    assert OTHER_ID not in str(probe.data)
    # a search by name is not a lookup by number
    client.get(reverse("applicant_search"), {"q": "张明"})
    assert _events(AuditAction.IDENTIFIER_LOOKED_UP).count() == 2


# -- the applicant page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SUPERVISOR, Role.ANALYST])
def test_roles_that_may_not_see_numbers_get_the_masked_form_and_no_event(
    client, person_a, zone, role
):
    client.force_login(_staff(zone, "someone", role))
    response = client.get(reverse("applicant_detail", args=[person_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert PERSON_ID not in html and "1101**********002X" in html
    assert not _events(AuditAction.IDENTIFIER_VIEWED).exists()


def test_the_clerks_page_view_is_one_event(client, person_a, clerk_a):
    client.force_login(clerk_a)
    html = client.get(reverse("applicant_detail", args=[person_a.pk])).content.decode()
    assert PERSON_ID in html
    event = _events(AuditAction.IDENTIFIER_VIEWED).get()
    assert event.data["channel"] == "page" and event.object_id == str(person_a.pk)


# -- services: admin writes are audited -----------------------------------------------------


def test_applicant_change_names_the_fields_never_the_number(person_a, clerk_a):
    applicant_change(
        actor=clerk_a,
        applicant=person_a,
        changes={"id_number": OTHER_ID.lower(), "phone": "13900000000", "name": "张明"},
    )
    person_a.refresh_from_db()
    assert person_a.id_number == OTHER_ID and person_a.phone == "13900000000"
    event = _events(AuditAction.APPLICANT_CHANGED).get()
    assert event.data == {"fields": ["id_number", "phone"]}
    assert OTHER_ID not in str(event.data) and PERSON_ID not in str(event.data)


def test_applicant_change_validates_identifiers_like_registration(person_a, clerk_a):
    from onewindow.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        applicant_change(actor=clerk_a, applicant=person_a, changes={"id_number": "123"})
    assert not _events(AuditAction.APPLICANT_CHANGED).exists()


def test_representations_added_and_removed_are_audited(person_a, clerk_a, zone):
    user = worlds.applicant_user(zone, "handler")
    representation = representation_add(
        actor=clerk_a, applicant=person_a, user=user, capacity=Capacity.HANDLER
    )
    representation_remove(actor=clerk_a, representation=representation)
    added = _events(AuditAction.REPRESENTATION_ADDED).get()
    removed = _events(AuditAction.REPRESENTATION_REMOVED).get()
    for event in (added, removed):
        assert event.object_id == str(person_a.pk)
        assert event.data == {"user": "handler", "capacity": "handler"}


# -- the admin -------------------------------------------------------------------------------


@pytest.fixture
def site_admin(zone) -> User:
    user = _staff(zone, "root_a", Role.ADMINISTRATOR)
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    return User.objects.get(pk=user.pk)


def _admin_form(applicant: Applicant, **overrides) -> dict:
    data = {
        "kind": applicant.kind,
        "name": applicant.name,
        "park": "",
        "uscc": "",
        "id_number": "",
        "passport_number": "",
        "nationality": "",
        "legal_representative": "",
        "phone": applicant.phone,
        "address": "",
        "representations-TOTAL_FORMS": "0",
        "representations-INITIAL_FORMS": "0",
        "representations-MIN_NUM_FORMS": "0",
        "representations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_change_form_is_masked_for_an_administrator(client, person_a, site_admin):
    otp_login(client, site_admin)
    url = reverse("admin:org_applicant_change", args=[person_a.pk])
    html = client.get(url).content.decode()
    assert PERSON_ID not in html and "1101**********002X" in html
    assert not _events(AuditAction.IDENTIFIER_VIEWED).exists()
    # saving with the masked field left empty keeps the number and records the change
    response = client.post(url, _admin_form(person_a, phone="13911112222"))
    assert response.status_code == 302, response.content.decode()[:2000]
    person_a.refresh_from_db()
    assert person_a.id_number == PERSON_ID and person_a.phone == "13911112222"
    assert _events(AuditAction.APPLICANT_CHANGED).get().data == {"fields": ["phone"]}


def test_admin_full_view_by_a_clerk_is_audited(client, person_a, site_admin):
    RoleAssignment.objects.create(user=site_admin, role=Role.WINDOW_CLERK)
    otp_login(client, site_admin)
    html = client.get(reverse("admin:org_applicant_change", args=[person_a.pk])).content.decode()
    assert PERSON_ID in html
    event = _events(AuditAction.IDENTIFIER_VIEWED).get()
    assert event.data["channel"] == "admin" and event.object_id == str(person_a.pk)


def test_admin_list_is_scoped_by_zone(client, person_a, zone_b):
    root_b = _staff(zone_b, "root_b", Role.ADMINISTRATOR)
    User.objects.filter(pk=root_b.pk).update(is_superuser=True, is_staff=True)
    otp_login(client, User.objects.get(pk=root_b.pk))
    response = client.get(reverse("admin:org_applicant_changelist"))
    assert response.context["cl"].result_count == 0
    assert "张明" not in response.content.decode()
    change = client.get(reverse("admin:org_applicant_change", args=[person_a.pk]))
    assert change.status_code == 302  # Django's admin: "doesn't exist", back to the index
    assert PERSON_ID not in change.content.decode()


def test_admin_add_change_delete_go_through_the_services(client, site_admin, zone):
    otp_login(client, site_admin)
    user = worlds.applicant_user(zone, "self_user")
    blank = Applicant(kind=ApplicantKind.PERSON, name="王五", phone="")
    data = _admin_form(
        blank,
        id_number=OTHER_ID,
        **{
            "representations-TOTAL_FORMS": "1",
            "representations-0-user": str(user.pk),
            "representations-0-capacity": Capacity.SELF,
        },
    )
    response = client.post(reverse("admin:org_applicant_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    applicant = Applicant.objects.get(name="王五")
    assert _events(AuditAction.APPLICANT_ADDED).get().object_id == str(applicant.pk)
    assert _events(AuditAction.REPRESENTATION_ADDED).get().data == {
        "user": "self_user",
        "capacity": "self",
    }
    # the representation is removed through the inline
    representation = Representation.objects.get(applicant=applicant)
    data = _admin_form(
        applicant,
        **{
            "representations-TOTAL_FORMS": "1",
            "representations-INITIAL_FORMS": "1",
            "representations-0-id": str(representation.pk),
            "representations-0-applicant": str(applicant.pk),
            "representations-0-user": str(user.pk),
            "representations-0-capacity": Capacity.SELF,
            "representations-0-DELETE": "on",
        },
    )
    url = reverse("admin:org_applicant_change", args=[applicant.pk])
    assert client.post(url, data).status_code == 302
    assert not Representation.objects.filter(applicant=applicant).exists()
    assert _events(AuditAction.REPRESENTATION_REMOVED).count() == 1
    # and the applicant deleted
    delete = reverse("admin:org_applicant_delete", args=[applicant.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Applicant.objects.filter(pk=applicant.pk).exists()
    assert _events(AuditAction.APPLICANT_REMOVED).get().object_id == str(applicant.pk)
    for event in AuditEvent.objects.all():
        assert OTHER_ID not in str(event.data)
    assert audit_verify().ok


def test_representation_admin_goes_through_the_services(client, site_admin, person_a, zone):
    otp_login(client, site_admin)
    user = worlds.applicant_user(zone, "agent_user")
    response = client.post(
        reverse("admin:org_representation_add"),
        {"user": user.pk, "applicant": person_a.pk, "capacity": Capacity.AGENT},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    representation = Representation.objects.get(user=user)
    change = reverse("admin:org_representation_change", args=[representation.pk])
    assert client.post(change, {"capacity": Capacity.HANDLER}).status_code == 302
    delete = reverse("admin:org_representation_delete", args=[representation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="org.repr")] == [
        AuditAction.REPRESENTATION_ADDED,
        AuditAction.REPRESENTATION_CHANGED,
        AuditAction.REPRESENTATION_REMOVED,
    ]
