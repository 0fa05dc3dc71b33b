"""The staff case page says whom to call and what the applicant asked for; the
applicant's own page and other people's pages do not change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.org.models import Applicant

pytestmark = pytest.mark.django_db


def test_staff_see_contact_phone_address_and_description(client, world):
    case = world.submit()
    Case.objects.filter(pk=case.pk).update(
        form_data={"contact": "张三", "phone": "13800000000", "description": "新开一家门店\n请加急"}
    )
    Applicant.objects.filter(pk=world.applicant.pk).update(address="示范区创新路 1 号")
    for user in (world.clerk, world.supervisor):
        client.force_login(user)
        html = client.get(reverse("cases:case", args=[case.number])).content.decode()
        assert "<dt>联系人</dt><dd>张三</dd>" in html
        assert 'href="tel:13800000000"' in html
        assert 'href="tel:13900000000"' in html  # the applicant's own phone
        assert "示范区创新路 1 号" in html
        assert "新开一家门店<br>请加急" in html


def test_the_description_is_escaped(client, world):
    case = world.submit()
    Case.objects.filter(pk=case.pk).update(
        form_data={"contact": "<b>x</b>", "phone": "1", "description": "<script>x</script>"}
    )
    client.force_login(world.clerk)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_the_applicants_page_has_no_staff_contact_panel(client, world):
    case = world.submit()
    client.force_login(world.applicant_user)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "申请人地址" not in html


def test_a_case_without_contact_fields_shows_dashes(client, world):
    case = world.submit(bundle=world.bundle)
    Case.objects.filter(pk=case.pk).update(form_data={})
    client.force_login(world.clerk)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "<dt>联系人</dt><dd>李四</dd>" in html  # the legal representative instead
    assert "<dt>申请事项说明</dt>" in html
