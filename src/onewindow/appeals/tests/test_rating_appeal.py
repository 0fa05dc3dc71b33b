"""差评转诉求 over HTTP: the page (the rating, the category, "转为诉求", landing on the new
order), the API (``POST /api/v1/appeals/from-rating``), each bad input, each refused role,
a rating of another zone; the button on the staff's page of the rating and the appeal's
number on the rater's list of cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.appeals.constants import Channel, Nature
from onewindow.appeals.models import Appeal
from onewindow.appeals.services.intake import appeal_from_rating
from onewindow.appeals.tests.factories import cases_beside
from onewindow.reviews.models import Channel as RatingChannel
from onewindow.reviews.models import Rectification
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing import worlds
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

API = "/api/v1/appeals/from-rating"


@pytest.fixture
def world(aw, zone, department, other_department, window):
    return cases_beside(aw, worlds.Places(zone, department, other_department, window))


def rated(world, level: int = 1):
    return rating_submit(
        case=deliver_immediate(world, None),
        channel=RatingChannel.ONLINE,
        level=level,
        comment="窗口态度差" if level <= 2 else "",
        actor=world.applicant_user,
    )


def page(rating) -> str:
    return reverse("appeals:rating_appeal", args=[rating.pk])


def post_api(user, body):
    return send(client_for(user, csrf=True), "POST", API, json=body)


# -- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "supervisor"])
def test_the_centre_or_supervision_turn_a_bad_rating_and_land_on_the_order(aw, world, who):
    rating = rated(world)
    client = client_for(getattr(aw, who))
    shown = client.get(page(rating))
    assert shown.status_code == 200
    assert "转为诉求" in shown.content.decode() and "窗口态度差" in shown.content.decode()
    response = client.post(page(rating), {"category": "0101"})
    appeal = Appeal.objects.get(rating=rating)
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:staff_order", args=[appeal.number])
    assert (appeal.nature, appeal.channel) == (Nature.COMPLAINT, Channel.RATING)
    landed = client.get(response["Location"])
    assert landed.status_code == 200 and appeal.number in landed.content.decode()


def test_the_category_is_required_and_named(aw, world):
    rating = rated(world)
    response = client_for(aw.dispatcher).post(page(rating), {"category": ""})
    assert response.status_code == 422
    assert "诉求分类" in response.content.decode()
    assert not Appeal.objects.filter(rating=rating).exists()


def test_an_unknown_category_is_named(aw, world):
    rating = rated(world)
    response = client_for(aw.dispatcher).post(page(rating), {"category": "9999"})
    assert response.status_code == 422 and "诉求分类" in response.content.decode()


def test_a_good_rating_offers_no_button_and_is_refused(aw, world):
    rating = rated(world, 4)
    client = client_for(aw.dispatcher)
    shown = client.get(page(rating)).content.decode()
    assert "只有“不满意”“非常不满意”的差评可以转为诉求" in shown
    assert 'name="category"' not in shown
    assert client.post(page(rating), {"category": "0101"}).status_code == 422


def test_a_rating_turned_already_shows_its_order(aw, world):
    rating = rated(world)
    first = appeal_from_rating(actor=aw.dispatcher, rating=rating, category="0101")
    client = client_for(aw.supervisor)
    shown = client.get(page(rating)).content.decode()
    assert first.number in shown and 'name="category"' not in shown
    assert client.post(page(rating), {"category": "0101"}).status_code == 409
    assert Appeal.objects.filter(rating=rating).count() == 1


@pytest.mark.parametrize("who", ["operator", "handler", "clerk", "requester", "stranger"])
def test_other_roles_are_refused_the_page(aw, world, who):
    rating = rated(world)
    client = client_for(getattr(aw, who))
    assert client.get(page(rating)).status_code == 403
    assert client.post(page(rating), {"category": "0101"}).status_code == 403
    assert not Appeal.objects.filter(rating=rating).exists()


def test_a_rating_of_another_zone_is_not_found(aw, world):
    rating = rated(world)
    elsewhere = worlds.staff(
        worlds.zone("QTQ", "另一开发区", "320193"), "dispatcher", username="far"
    )
    assert client_for(elsewhere).get(page(rating)).status_code == 404
    assert (
        client_for(aw.dispatcher).get(reverse("appeals:rating_appeal", args=[0])).status_code == 404
    )


# -- the API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "supervisor"])
def test_the_api_turns_a_bad_rating(aw, world, who):
    rating = rated(world)
    response = post_api(getattr(aw, who), {"rating": rating.pk, "category": "0101"})
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == Appeal.objects.get(rating=rating).number
    assert body["channel"] == Channel.RATING and body["nature"] == Nature.COMPLAINT


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "0101"}, "rating"),
        ({"rating": "x", "category": "0101"}, "rating"),
        ({"category": ""}, "category"),
        ({"category": "9999"}, "category"),
        ({"category": "0101", "reason": "x"}, "reason"),
    ],
)
def test_the_api_names_each_bad_field(aw, world, body, field):
    rating = rated(world)
    # The rating to turn, where the row is not about it.
    if field != "rating":
        body = {**body, "rating": rating.pk}
    response = post_api(aw.dispatcher, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]


def test_the_api_refuses_a_good_rating_and_a_second_turn(aw, world):
    good = rated(world, 5)
    refused = post_api(aw.dispatcher, {"rating": good.pk, "category": "0101"})
    assert refused.status_code == 422 and "rating" in refused.json()["fields"]
    bad = rated(world)
    assert post_api(aw.dispatcher, {"rating": bad.pk, "category": "0101"}).status_code == 201
    again = post_api(aw.supervisor, {"rating": bad.pk, "category": "0101"})
    assert again.status_code == 409 and again.json()["code"] == "rating_already_turned"


@pytest.mark.parametrize("who", ["operator", "handler", "clerk", "requester", "stranger"])
def test_the_api_refuses_other_roles(aw, world, who):
    rating = rated(world)
    response = post_api(getattr(aw, who), {"rating": rating.pk, "category": "0101"})
    assert response.status_code == 403
    assert not Appeal.objects.filter(rating=rating).exists()


def test_the_api_answers_not_found_for_a_rating_of_another_zone_or_none(aw, world):
    rating = rated(world)
    elsewhere = worlds.staff(
        worlds.zone("QTQ", "另一开发区", "320193"), "dispatcher", username="far"
    )
    assert post_api(elsewhere, {"rating": rating.pk, "category": "0101"}).status_code == 404
    assert post_api(aw.dispatcher, {"rating": 0, "category": "0101"}).status_code == 404


def test_the_api_wants_a_session():
    assert (
        send(client_for(None), "POST", API, json={"rating": 1, "category": "0101"}).status_code
        == 401
    )


# -- where staff and the rater see it ------------------------------------------------------------


def test_the_supervisors_page_of_the_rating_offers_the_button_then_the_number(aw, world):
    rating = rated(world)
    rectification = Rectification.objects.get(rating=rating)
    url = reverse("reviews:rectification", args=[rectification.pk])
    client = client_for(aw.supervisor)
    before = client.get(url).content.decode()
    assert f'href="{page(rating)}"' in before and "转为诉求" in before
    appeal = appeal_from_rating(actor=aw.supervisor, rating=rating, category="0101")
    after = client.get(url).content.decode()
    assert f'href="{page(rating)}"' not in after
    assert reverse("appeals:staff_order", args=[appeal.number]) in after


def test_the_department_sees_no_button_on_its_rectification(aw, world):
    rating = rated(world)
    rectification = Rectification.objects.get(rating=rating)
    url = reverse("reviews:rectification", args=[rectification.pk])
    shown = client_for(world.reviewer).get(url)
    assert shown.status_code == 200 and f'href="{page(rating)}"' not in shown.content.decode()


def test_the_rater_sees_the_appeal_number_on_their_cases(aw, world):
    rating = rated(world)
    appeal = appeal_from_rating(actor=aw.dispatcher, rating=rating, category="0101")
    mine = client_for(world.applicant_user).get(reverse("cases:my_cases")).content.decode()
    assert appeal.number in mine
    assert reverse("appeals:my_appeal", args=[appeal.number]) in mine
    assert (
        client_for(world.applicant_user)
        .get(reverse("appeals:my_appeal", args=[appeal.number]))
        .status_code
        == 200
    )
