"""Admin: a zone's 好差评 limits are edited (and the change recorded); ratings,
rectifications and invitations are read-only."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from conftest import otp_login
from onewindow.core.models import AuditEvent
from onewindow.org.models import User
from onewindow.reviews.constants import ReviewEventAction
from onewindow.reviews.models import Channel, Level, ReviewSettings
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import D, at, deliver_immediate

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(zone):
    return User.objects.create_superuser("root", "root@example.com", "test-Password-2026")


def test_settings_are_edited_with_their_legal_basis_and_recorded(client, superuser, zone):
    otp_login(client, superuser)
    response = client.post(
        reverse("admin:reviews_reviewsettings_add"),
        {
            "zone": zone.pk,
            "rating_window_days": 10,
            "rectification_days": 7,
            "return_visit_days": 3,
            "legal_basis": "《某省政务服务“好差评”实施办法》第十二条",
        },
    )
    assert response.status_code == 302, response.content.decode()
    settings = ReviewSettings.objects.get(zone=zone)
    assert (settings.rating_window_days, settings.rectification_days) == (10, 7)
    event = AuditEvent.objects.get(action=ReviewEventAction.SETTINGS_CHANGED)
    assert event.actor == "root"
    assert event.data["from"] is None
    assert event.data["to"]["legal_basis"] == "《某省政务服务“好差评”实施办法》第十二条"

    response = client.post(
        reverse("admin:reviews_reviewsettings_change", args=[settings.pk]),
        {
            "rating_window_days": 10,
            "rectification_days": 0,  # the database refuses a limit of 0
            "return_visit_days": 3,
            "legal_basis": "",
        },
    )
    assert response.status_code == 200  # the form, with its errors
    settings.refresh_from_db()
    assert settings.rectification_days == 7


def test_ratings_and_rectifications_are_read_only(client, superuser, world):
    case = deliver_immediate(world, D(2026, 9, 18))
    with time_machine.travel(at(D(2026, 9, 18), 15), tick=False):
        rating = rating_submit(
            case=case,
            channel=Channel.ONLINE,
            level=Level.DISSATISFIED,
            actor=world.applicant_user,
        )
    otp_login(client, superuser)
    for model, pk in (("rating", rating.pk), ("rectification", rating.rectification.pk)):
        assert client.get(reverse(f"admin:reviews_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:reviews_{model}_change", args=[pk])).status_code == 200
        assert client.get(reverse(f"admin:reviews_{model}_add")).status_code == 403
        assert client.post(reverse(f"admin:reviews_{model}_delete", args=[pk])).status_code == 403
    assert client.get(reverse("admin:reviews_ratinginvitation_changelist")).status_code == 200
