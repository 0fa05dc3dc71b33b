"""Organisation services: registering applicants, creating staff; the Applicant constraints."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from stdnum.cn import ric

from conftest import PASSWORD
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.org.constants import ApplicantKind, Capacity, DepartmentKind, Role, UserKind
from onewindow.org.models import Applicant, Department, RoleAssignment, User, Window, Zone
from onewindow.org.services import applicant_register, staff_create

pytestmark = pytest.mark.django_db

HUAWEI = "914403001922038216"
ID_NUMBER = "11010519491231002X"


def an_id_number(body17: str = "32010219900307451") -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def enterprise(**overrides) -> Applicant:
    return applicant_register(
        **{"kind": ApplicantKind.ENTERPRISE, "name": "华为技术有限公司", "uscc": HUAWEI} | overrides
    )


def person(**overrides) -> Applicant:
    return applicant_register(
        **{"kind": ApplicantKind.PERSON, "name": "张明", "id_number": ID_NUMBER} | overrides
    )


def foreigner(**overrides) -> Applicant:
    return applicant_register(
        **{
            "kind": ApplicantKind.FOREIGNER,
            "name": "Anna Müller",
            "passport_number": "C4J7R9K2L",
            "nationality": "DE",
        }
        | overrides
    )


def refused(register, **arguments) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        register(**arguments)
    assert not Applicant.objects.exists()
    return caught.value


# --- applicant_register: success ------------------------------------------------


def test_register_enterprise(make_applicant_user):
    user = make_applicant_user("handler")

    applicant = enterprise(
        uscc=" 9144 0300 1922 0382 16 ",
        legal_representative=" 赵明 ",
        user=user,
        capacity=Capacity.HANDLER,
    )

    applicant.refresh_from_db()
    assert applicant.kind == ApplicantKind.ENTERPRISE
    assert applicant.uscc == HUAWEI
    assert (applicant.id_number, applicant.passport_number, applicant.nationality) == ("", "", "")
    assert applicant.legal_representative == "赵明"
    assert applicant.identifier == applicant.masked_identifier == HUAWEI
    representation = applicant.representations.get()
    assert (representation.user, representation.capacity) == (user, Capacity.HANDLER)


def test_register_person():
    applicant = person(id_number=ID_NUMBER.lower())

    applicant.refresh_from_db()
    assert applicant.id_number == ID_NUMBER
    assert applicant.uscc == applicant.passport_number == ""
    assert applicant.masked_identifier == "1101**********002X"
    assert not applicant.representations.exists()


def test_register_foreigner():
    applicant = foreigner(passport_number="c4j7 r9k2l", nationality=" de ")

    applicant.refresh_from_db()
    assert (applicant.passport_number, applicant.nationality.code) == ("C4J7R9K2L", "DE")
    assert applicant.uscc == applicant.id_number == ""
    assert applicant.masked_identifier == "DE C4*****2L"


def test_identifiers_of_other_kinds_are_not_stored():
    applicant = enterprise(id_number=ID_NUMBER, passport_number="C4J7R9K2L", nationality="DE")
    assert (applicant.id_number, applicant.passport_number, applicant.nationality) == ("", "", "")


# --- applicant_register: refusals -----------------------------------------------


@pytest.mark.parametrize(
    ("register", "arguments", "field", "message"),
    [
        (enterprise, {"uscc": "914403001922038217"}, "uscc", "统一社会信用代码校验位错误"),
        (enterprise, {"uscc": "91440300192203821"}, "uscc", "统一社会信用代码应为18位，现为17位"),
        (enterprise, {"uscc": ""}, "uscc", "统一社会信用代码不能为空"),
        (person, {"id_number": "110105194912310021"}, "id_number", "居民身份证号码校验位错误"),
        (person, {"id_number": "11010519491231"}, "id_number", "居民身份证号码应为18位，现为14位"),
        (person, {"id_number": ""}, "id_number", "居民身份证号码不能为空"),
        (foreigner, {"passport_number": "AB1"}, "passport_number", "护照号码应为5至20位字母或数字"),
        (foreigner, {"passport_number": ""}, "passport_number", "护照号码不能为空"),
        (foreigner, {"nationality": ""}, "nationality", "国籍不能为空"),
        (enterprise, {"name": "  "}, "name", "名称或姓名不能为空"),
    ],
)
def test_bad_input_is_refused_naming_the_field(register, arguments, field, message):
    error = refused(register, **arguments)
    assert error.fields == {field: [message]}
    assert error.message == message


@pytest.mark.parametrize("nationality", ["CN", "cn", "XX", "DEU"])
def test_foreigner_needs_a_foreign_iso_country(nationality):
    error = refused(foreigner, nationality=nationality)
    assert list(error.fields) == ["nationality"]
    assert "中国以外" in error.message


def test_unknown_kind_is_refused():
    error = refused(enterprise, kind="company")
    assert list(error.fields) == ["kind"]


@pytest.mark.parametrize(
    ("register", "again", "field"),
    [
        (enterprise, {"uscc": HUAWEI.lower(), "name": "另一家"}, "uscc"),
        (person, {"id_number": ID_NUMBER.lower(), "name": "另一人"}, "id_number"),
        (foreigner, {"passport_number": "c4j7r9k2l", "name": "Anna M."}, "passport_number"),
    ],
)
def test_duplicate_identifier_is_a_conflict(register, again, field):
    register()

    with pytest.raises(Conflict) as caught:
        register(**again)

    assert caught.value.code == "applicant_exists"
    assert list(caught.value.fields) == [field]
    assert Applicant.objects.count() == 1


def test_same_passport_number_of_another_country_is_another_person():
    foreigner()
    foreigner(nationality="FR", name="Anne Martin")
    assert Applicant.objects.count() == 2


def test_conflict_found_only_by_the_database_names_the_field(monkeypatch):
    # given a registration that slips past the service's check (a concurrent request)
    enterprise()
    monkeypatch.setattr(
        "onewindow.org.services.applicants.Applicant.objects.filter",
        lambda **kwargs: Applicant.objects.none(),
    )

    with pytest.raises(Conflict) as caught:
        enterprise(name="并发登记")

    assert list(caught.value.fields) == ["uscc"]


# --- staff_create ----------------------------------------------------------------


def make(zone: Zone, **overrides) -> User:
    arguments = {
        "zone": zone,
        "username": "staff1",
        "password": PASSWORD,
        "display_name": "李审查",
        "roles": [Role.WINDOW_CLERK],
    } | overrides
    return staff_create(**arguments)


def test_staff_create_with_department_roles(zone, department):
    user = make(zone, roles=[Role.REVIEWER, Role.DECIDER, Role.WINDOW_CLERK], department=department)

    user.refresh_from_db()
    assert (user.kind, user.zone, user.department) == (UserKind.STAFF, zone, department)
    assert not user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert dict(RoleAssignment.objects.values_list("role", "department")) == {
        Role.REVIEWER: department.pk,
        Role.DECIDER: department.pk,
        Role.WINDOW_CLERK: None,  # not a department-bound role
    }
    assert user.has_role(Role.REVIEWER)


def test_administrator_may_enter_the_admin_site(zone):
    assert make(zone, roles=[Role.ADMINISTRATOR]).is_staff


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DECIDER, Role.REGULATOR])
def test_department_bound_roles_need_a_department(zone, role):
    with pytest.raises(ValidationFailed) as caught:
        make(zone, roles=[Role.WINDOW_CLERK, role])

    assert list(caught.value.fields) == ["department"]
    assert str(role.label) in caught.value.message
    assert not User.objects.exists()


@pytest.mark.parametrize("role", [Role.WINDOW_CLERK, Role.SUPERVISOR, Role.ANALYST])
def test_other_roles_need_no_department(zone, role):
    user = make(zone, roles=[role])
    assert RoleAssignment.objects.get(user=user).department is None


def test_unknown_role_is_refused(zone, department):
    with pytest.raises(ValidationFailed) as caught:
        make(zone, roles=["superhero"], department=department)

    assert list(caught.value.fields) == ["roles"]
    assert "superhero" in caught.value.message
    assert not User.objects.exists()


@pytest.fixture
def other_zone(db) -> Zone:
    return Zone.objects.create(code="XQ", name="另一开发区", division_code="320100")


def test_department_of_another_zone_is_refused(zone, other_zone):
    foreign = Department.objects.create(
        zone=other_zone, code="SCJG", name="市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )

    with pytest.raises(ValidationFailed) as caught:
        make(zone, roles=[Role.REVIEWER], department=foreign)

    assert list(caught.value.fields) == ["department"]
    assert not User.objects.exists()


def test_window_of_another_zone_is_refused(zone, other_zone):
    foreign = Window.objects.create(
        zone=other_zone, code="A01", name="综合窗口", kind="comprehensive"
    )

    with pytest.raises(ValidationFailed) as caught:
        make(zone, window=foreign)

    assert list(caught.value.fields) == ["window"]
    assert not User.objects.exists()


def test_duplicate_username_is_a_conflict(zone):
    make(zone)

    with pytest.raises(Conflict) as caught:
        make(zone, display_name="另一人")

    assert list(caught.value.fields) == ["username"]
    assert User.objects.count() == 1


def test_empty_username_is_refused(zone):
    with pytest.raises(ValidationFailed) as caught:
        make(zone, username=" ")
    assert list(caught.value.fields) == ["username"]


# --- the Applicant table's own constraints ---------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        {"kind": ApplicantKind.ENTERPRISE},  # no identifier at all
        {"kind": ApplicantKind.ENTERPRISE, "id_number": ID_NUMBER},
        {"kind": ApplicantKind.ENTERPRISE, "uscc": HUAWEI, "id_number": ID_NUMBER},
        {"kind": ApplicantKind.PERSON, "uscc": HUAWEI},
        {"kind": ApplicantKind.PERSON, "id_number": ID_NUMBER, "passport_number": "C4J7R9K2L"},
        {"kind": ApplicantKind.FOREIGNER, "passport_number": "C4J7R9K2L"},  # no nationality
        {"kind": ApplicantKind.FOREIGNER, "nationality": "DE"},  # no passport
        {"kind": ApplicantKind.FOREIGNER, "id_number": ID_NUMBER, "nationality": "DE"},
        {"kind": "company", "uscc": HUAWEI},
    ],
)
def test_database_refuses_an_identifier_that_does_not_match_the_kind(columns):
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(name="绕过服务", **columns)


def test_database_accepts_one_identifier_per_kind():
    Applicant.objects.create(name="企业", kind=ApplicantKind.ENTERPRISE, uscc=HUAWEI)
    Applicant.objects.create(name="个人", kind=ApplicantKind.PERSON, id_number=ID_NUMBER)
    Applicant.objects.create(
        name="外国人", kind=ApplicantKind.FOREIGNER, passport_number="C4J7R9K2L", nationality="DE"
    )
    assert Applicant.objects.count() == 3


def test_database_refuses_duplicate_identifiers():
    person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(name="重复", kind=ApplicantKind.PERSON, id_number=ID_NUMBER)
    other = an_id_number()
    Applicant.objects.create(name="另一人", kind=ApplicantKind.PERSON, id_number=other)


def test_a_superuser_created_from_the_command_line_is_staff(db):
    from onewindow.org.constants import UserKind
    from onewindow.org.models import User

    user = User.objects.create_superuser("root", password="x-Long-password-2026")

    assert user.kind == UserKind.STAFF
    assert user.is_superuser and user.is_staff
