"""The calculator's pages: the representative's enterprise, the public try."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.policies.tests.calculator_support import (  # noqa: F401
    GOOD_FACTS,
    give_facts_fixture,
    scene,
)
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

PAGE = "/policies/calculator/"
TRY = "/policies/try/"


def test_representative_sees_the_three_groups(pw, give_facts):
    scene(pw)
    give_facts(pw.enterprise, {"rd_share": "0.046", "credit_status": "normal"})
    response = client_for(pw.representative).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "接近符合" in text and "信息不全" in text and "可享受" in text
    assert "4.6%" in text and "第十一条(四)" in text
    assert "未知：缺少" in text


def test_choosing_another_enterprise_one_does_not_represent_is_404(pw, give_facts):
    response = client_for(pw.representative).get(PAGE, {"enterprise": pw.other_enterprise.uscc})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["officer", "clerk", "stranger"])
def test_others_are_refused(pw, who):
    assert client_for(getattr(pw, who)).get(PAGE).status_code == 403


def test_anonymous_is_sent_to_sign_in(pw):
    assert client_for(None).get(PAGE).status_code == 302


def test_public_try_folds_full_width_and_marks_results_indicative(pw):
    scene(pw)
    response = client_for(None).post(
        TRY, {"rd_share": "６%", "credit_status": "normal", "rd_expense": "３００"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "仅供参考" in text and "研发费用补助" in text and "30 万元" in text


def test_public_try_error_names_the_field(pw):
    response = client_for(None).post(TRY, {"employees": "很多"})
    assert response.status_code == 422
    assert "从业人员：应为数字" in response.content.decode()


def test_public_try_form_shows_units(pw):
    response = client_for(None).get(TRY)
    assert response.status_code == 200
    assert "万元" in response.content.decode()


def test_applicant_navigation_offers_the_calculator(pw):
    response = client_for(pw.representative).get(reverse("calendar"))
    assert 'href="/policies/calculator/"' in response.content.decode()
    staff = client_for(pw.officer).get(reverse("calendar")).content.decode()
    assert 'href="/policies/calculator/"' not in staff


def test_visitors_not_signed_in_find_the_public_try_in_the_header(pw):
    assert 'href="/policies/try/"' in client_for(None).get(reverse("calendar")).content.decode()
    signed_in = client_for(pw.officer).get(reverse("calendar")).content.decode()
    assert 'href="/policies/try/"' not in signed_in
