"""World builders: the zones, departments, people and items tests start from.

Small functions over the org services and the app factories (``catalog/tests/factories.py``,
``cases/tests/factories.py``), so every row passed the real checks::

    places = zone_world()                       # 示范经济技术开发区, two departments, a window
    clerk = staff(places.zone, Role.WINDOW_CLERK, username="clerk", window=places.window)
    holder = applicant_user(places.zone, "holder", represents=enterprise)
    foreign = department_elsewhere()            # a department of another zone
    world = case_world(places)                  # the cases World: every role, items, a bundle
    case = case_in(world, CaseStatus.IN_REVIEW) # an online application that far along

The root ``conftest.py`` builds its ``zone``, ``department``, ``other_department``,
``window``, ``make_staff`` and ``world`` fixtures with them; a module that builds its world
once (a permission walk) calls them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onewindow.org.constants import Capacity, DepartmentKind, UserKind
from onewindow.org.models import Applicant, Department, Representation, User, Window, Zone
from onewindow.org.services import staff_create

if TYPE_CHECKING:
    from onewindow.cases.models import Case
    from onewindow.cases.tests.factories import World

#: The password of every test user (the demo's own users have ``org_data.DEMO_PASSWORD``).
PASSWORD = "test-Password-2026"


# -- places ------------------------------------------------------------------------------------


def zone(
    code: str = "SFQ", name: str = "示范经济技术开发区", division_code: str = "320192"
) -> Zone:
    """A development zone (开发区): by default the one every test world lives in."""
    return Zone.objects.create(code=code, name=name, division_code=division_code)


def department(
    zone: Zone,
    code: str = "SCJG",
    name: str = "市场监督管理局",
    *,
    kind: str = DepartmentKind.FUNCTIONAL,
    **fields,
) -> Department:
    """A department of ``zone`` (by default 市场监督管理局); ``fields`` any other column."""
    return Department.objects.create(zone=zone, code=code, name=name, kind=kind, **fields)


def window(
    zone: Zone, code: str = "A01", name: str = "综合受理窗口一", kind: str = "comprehensive"
) -> Window:
    """A service window of ``zone`` (by default the comprehensive window A01)."""
    return Window.objects.create(zone=zone, code=code, name=name, kind=kind)


@dataclass(frozen=True)
class Places:
    """A zone with two functional departments and a comprehensive window."""

    zone: Zone
    department: Department
    other_department: Department
    window: Window


def zone_world() -> Places:
    """示范经济技术开发区 with 市场监督管理局, 住房和城乡建设局 and the window A01."""
    place = zone()
    return Places(
        zone=place,
        department=department(place),
        other_department=department(place, "ZJJ", "住房和城乡建设局"),
        window=window(place),
    )


def department_elsewhere(
    code: str = "X",
    name: str = "其他部门",
    *,
    zone_code: str = "QT",
    zone_name: str = "其他开发区",
    division_code: str = "320192",
    **fields,
) -> Department:
    """A department of another zone (created with it): what a zone must not reach."""
    return department(zone(zone_code, zone_name, division_code), code, name, **fields)


# -- people ------------------------------------------------------------------------------------


def staff(
    zone: Zone,
    *roles: str,
    username: str | None = None,
    department: Department | None = None,
    window: Window | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A staff member of ``zone`` with ``roles`` (through ``staff_create``); the username
    defaults to the roles joined by "_", the display name to the username."""
    username = username or "_".join(roles) or "staff"
    return staff_create(
        zone=zone,
        username=username,
        password=password,
        display_name=display_name or username,
        roles=list(roles),
        department=department,
        window=window,
    )


def applicant_user(
    zone: Zone,
    username: str = "applicant",
    *,
    represents: Applicant | None = None,
    capacity: str = Capacity.HANDLER,
    display_name: str = "",
    password: str = PASSWORD,
) -> User:
    """An applicant's user account in ``zone``, representing ``represents`` if given."""
    user = User(username=username, kind=UserKind.APPLICANT, zone=zone, display_name=display_name)
    user.set_password(password)
    user.save()
    if represents is not None:
        Representation.objects.create(user=user, applicant=represents, capacity=capacity)
    return user


# -- cases -------------------------------------------------------------------------------------


def case_world(places: Places | None = None) -> World:
    """The cases ``World`` (``cases/tests/factories.py``) in ``places`` (a new
    ``zone_world()`` if none): people of every role, items of each kind, a bundle."""
    from onewindow.cases.tests.factories import make_world

    places = places or zone_world()
    return make_world(places.zone, places.department, places.other_department, places.window)


def walk_people(world: World, administrator: User) -> dict[str, User | None]:
    """The people a permission walk over the cases world tries, by the walk's role name:
    anonymous, the applicant's representative, a stranger, each staff role of the zone and
    a reviewer of another department, and ``administrator``."""
    return {
        "anonymous": None,
        "applicant": world.applicant_user,
        "stranger": world.stranger,
        "clerk": world.clerk,
        "reviewer": world.reviewer,
        "other_reviewer": world.other_reviewer,
        "decider": world.decider,
        "supervisor": world.supervisor,
        "regulator": world.regulator,
        "analyst": world.analyst,
        "administrator": administrator,
    }


def case_in(world: World, status: str, item=None) -> Case:
    """An online application for ``item`` (the world's 承诺件 by default), taken to
    ``status``: submitted, in review (accepted), approved (reviewed and decided) or
    delivered."""
    from onewindow.cases.constants import CaseStatus
    from onewindow.cases.models import Case
    from onewindow.cases.services import task_deliver

    if status == CaseStatus.SUBMITTED:
        return world.submit(item)
    if status == CaseStatus.IN_REVIEW:
        return world.accepted(item)
    case = world.decided(item)
    if status == CaseStatus.APPROVED:
        return case
    if status == CaseStatus.DELIVERED:
        task_deliver(task=world.task(case, "deliver"), actor=world.clerk)
        return Case.objects.get(pk=case.pk)
    raise ValueError(f"no recipe for a case in {status!r}")
