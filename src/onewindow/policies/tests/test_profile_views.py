"""The profile pages: the enterprise's own 企业画像 (declare, correct, size class shown) and
the staff page of one enterprise; success, bad input named next to its field, refused
roles (403 for those the page is not for, 404 for an enterprise out of sight)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from onewindow.core import registry
from onewindow.org.constants import Capacity
from onewindow.org.models import Representation
from onewindow.policies.models import EnterpriseFact, FactChange, FactSource
from onewindow.policies.services.profile import set_facts
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
PROFILE = reverse("policies:profile")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def staff_url(enterprise) -> str:
    return reverse("policies:enterprise_profile", args=[enterprise.uscc])


def values(enterprise):
    return {row.name: row for row in EnterpriseFact.objects.filter(enterprise=enterprise)}


def form_data(client, url, **changes):
    """The form as the page fills it, with ``changes`` typed in."""
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["as_of"] = "2026-02-28"
    data.update(changes)
    return data


def _held(pw):
    set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "C3919", "employees": 350, "revenue": "1500"},
        source=FactSource.DEPARTMENT,
        source_detail="统计局",
        as_of=dt.date(2026, 1, 31),
    )


# -- the enterprise's own page


def test_the_enterprise_sees_its_facts_with_source_day_and_size_class(pw):
    _held(pw)
    response = client_for(pw.representative).get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert pw.enterprise.name in html
    assert "小型" in html
    assert "350 人" in html
    assert "部门推送（统计局）" in html
    assert "2026-01-31" in html
    assert "企业规模" in html


def test_the_enterprise_declares_only_what_it_changed(pw):
    _held(pw)
    client = client_for(pw.representative)
    data = form_data(client, PROFILE, employees="１５", tags="总部企业、上市企业")
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    rows = values(pw.enterprise)
    assert rows["employees"].value == 15
    assert rows["employees"].source == FactSource.DECLARED
    assert rows["employees"].as_of == dt.date(2026, 2, 28)
    assert rows["tags"].value == ["总部企业", "上市企业"]
    assert rows["revenue"].source == FactSource.DEPARTMENT  # untouched, not re-declared
    assert rows["size_class"].value == "micro"  # 15 people < 20 in 工业
    page = client.get(response["Location"]).content.decode()
    assert "微型" in page and "申报" in page


def test_emptying_a_field_makes_the_fact_unknown(pw):
    _held(pw)
    client = client_for(pw.representative)
    client.post(PROFILE, form_data(client, PROFILE, employees=""))
    rows = values(pw.enterprise)
    assert "employees" not in rows and "size_class" not in rows
    assert FactChange.objects.filter(name="employees", new_value__isnull=True).exists()


@pytest.mark.parametrize(
    ("field", "typed", "words"),
    [
        ("employees", "很多", "从业人员"),
        ("revenue", "-5", "上年度营业收入"),
        ("industry_code", "C65", "国民经济行业代码"),
        ("registered_on", "2026-13-01", "成立日期"),
        ("rd_share", "120%", "比例"),
        ("as_of", "2026-03-09", "数据日期"),
        ("as_of", "", ""),
    ],
)
def test_a_wrong_value_is_shown_next_to_its_field_and_nothing_is_saved(pw, field, typed, words):
    client = client_for(pw.representative)
    data = form_data(client, PROFILE, **{"employees": "30", field: typed})
    response = client.post(PROFILE, data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors and words in errors[field][0]
    assert not EnterpriseFact.objects.exists()


def test_staff_and_people_without_an_enterprise_do_not_use_the_enterprise_page(pw):
    assert client_for(pw.officer).get(PROFILE).status_code == 403
    response = client_for(pw.stranger).get(PROFILE)
    assert response.status_code == 200 and "尚未关联任何企业" in response.content.decode()
    anonymous = client_for(None).get(PROFILE)
    assert anonymous.status_code == 302


def test_a_representative_of_two_picks_one_and_never_a_third(pw):
    Representation.objects.create(
        user=pw.representative,
        applicant=pw.other_enterprise,
        capacity=Capacity.LEGAL_REPRESENTATIVE,
    )
    client = client_for(pw.representative)
    page = client.get(PROFILE, {"uscc": pw.other_enterprise.uscc})
    assert page.context["enterprise"] == pw.other_enterprise
    assert client.get(PROFILE, {"uscc": "91110000MA00000000"}).status_code == 404


def test_another_enterprise_is_not_reachable_through_the_page(pw):
    client = client_for(pw.other_representative)
    assert client.get(PROFILE, {"uscc": pw.enterprise.uscc}).status_code == 404
    assert client.get(staff_url(pw.enterprise)).status_code == 404


def test_the_nav_entry_is_for_applicants():
    entry = next(e for e in registry.nav_entries() if e.url_name == "policies:profile")
    assert entry.applicant and not entry.roles
    assert str(entry.label) == "企业画像"


# -- the staff page


@pytest.mark.parametrize("who", ["officer", "administrator"])
def test_fact_writers_see_and_correct_with_a_source(pw, who):
    _held(pw)
    client = client_for(getattr(pw, who))
    url = staff_url(pw.enterprise)
    page = client.get(url)
    assert page.status_code == 200 and "小型" in page.content.decode()
    data = form_data(
        client, url, revenue="45000", employees="1200", source="certificate", source_detail="年报"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    rows = values(pw.enterprise)
    assert rows["revenue"].value == "45000"
    assert (rows["revenue"].source, rows["revenue"].source_detail) == ("certificate", "年报")
    assert rows["size_class"].value == "large"


@pytest.mark.parametrize("who", ["supervisor", "analyst"])
def test_readers_see_without_a_form_and_may_not_post(pw, who):
    _held(pw)
    client = client_for(getattr(pw, who))
    page = client.get(staff_url(pw.enterprise))
    assert page.status_code == 200 and page.context["form"] is None
    assert "350 人" in page.content.decode()
    response = client.post(staff_url(pw.enterprise), {"employees": "1", "as_of": "2026-03-01"})
    assert response.status_code == 403
    assert values(pw.enterprise)["employees"].value == 350


def test_staff_bad_input_and_a_wrong_source_are_named(pw):
    client = client_for(pw.officer)
    url = staff_url(pw.enterprise)
    response = client.post(url, form_data(client, url, employees="x", source="declared"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "source" in errors
    response = client.post(url, form_data(client, url, employees="x"))
    assert response.status_code == 422
    assert "从业人员" in response.context["form"].errors["employees"][0]
    assert not EnterpriseFact.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_those_who_may_not_see_it_get_404_like_an_unknown_enterprise(pw, who):
    client = client_for(getattr(pw, who))
    assert client.get(staff_url(pw.enterprise)).status_code == 404
    assert client.post(staff_url(pw.enterprise), {"employees": "1"}).status_code == 404
    unknown = reverse("policies:enterprise_profile", args=["91110000MA00000000"])
    assert client_for(pw.officer).get(unknown).status_code == 404


def test_the_representative_is_sent_to_the_enterprise_page(pw):
    response = client_for(pw.representative).get(staff_url(pw.enterprise))
    assert response.status_code == 302
    assert response["Location"].startswith(PROFILE)
