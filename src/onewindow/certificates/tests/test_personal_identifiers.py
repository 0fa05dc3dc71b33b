"""A person's certificate and their number (ADR 0015): the holder's own PDF carries the full
number and the signed envelope; a staff copy is masked, without the envelope, unless the
one rule lets the user see the number, and every download is audited; the staff page and
the search by number follow the same rule."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from onewindow.certificates.models import Certificate, CertificateType
from onewindow.certificates.offline import ATTACHMENT_NAME, extract_envelope, verify_envelope
from onewindow.certificates.services import certificate_issue
from onewindow.certificates.tests.test_pdf import keys
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.org.constants import ApplicantKind, Capacity, Role
from onewindow.org.models import Representation
from onewindow.org.services import applicant_register

pytestmark = pytest.mark.django_db

ID_NUMBER = "320102199001011101"
MASKED = "3201**********1101"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder_user(make_applicant_user):
    return make_applicant_user("lisi")


@pytest.fixture
def person_certificate(issuing_department, signing_key, make_staff, holder_user) -> Certificate:
    card_type = CertificateType.objects.create(
        code="SCJG003",
        name="食品从业人员健康证明",
        issuing_department=issuing_department,
        fields=[
            {"key": "name", "label": "姓名", "type": "text"},
            {"key": "id_number", "label": "身份证号码", "type": "text"},
            {"key": "issued_on", "label": "发证日期", "type": "date"},
        ],
    )
    person = applicant_register(kind=ApplicantKind.PERSON, name="李四", id_number=ID_NUMBER)
    Representation.objects.create(user=holder_user, applicant=person, capacity=Capacity.SELF)
    decider = make_staff(Role.DECIDER, username="decider", dept=issuing_department)
    return certificate_issue(
        certificate_type=card_type, holder=person, actor=decider, facts={"id_number": ID_NUMBER}
    )


@pytest.fixture
def reviewer(make_staff, issuing_department):
    return make_staff(Role.REVIEWER, username="reviewer", dept=issuing_department)


def download(client, user, certificate) -> bytes:
    client.force_login(user)
    response = client.get(reverse("certificates:pdf", args=[certificate.identifier]))
    assert response.status_code == 200
    return response.content


def page_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def attachments(data: bytes) -> dict:
    return PdfReader(io.BytesIO(data)).attachments


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_holder_s_own_copy_carries_the_number_and_the_envelope(
    client, person_certificate, holder_user
):
    data = download(client, holder_user, person_certificate)
    assert ID_NUMBER in page_text(data)
    assert list(attachments(data)) == [ATTACHMENT_NAME]
    envelope = extract_envelope(data)
    assert json.loads(envelope["payload"])["holder"]["id"] == ID_NUMBER
    assert verify_envelope(envelope, keys()).valid
    assert not events(AuditAction.IDENTIFIER_VIEWED)  # the holder's own number
    [downloaded] = events("certificate.downloaded")
    assert downloaded.data == {"copy": "full", "holder": person_certificate.holder_id}


def test_a_reviewer_s_copy_is_masked_without_the_envelope(client, person_certificate, reviewer):
    data = download(client, reviewer, person_certificate)
    text = page_text(data)
    assert ID_NUMBER not in text and MASKED in text
    assert "工作人员副本" in text
    assert attachments(data) == {}
    with pytest.raises(ValueError):
        extract_envelope(data)
    assert not events(AuditAction.IDENTIFIER_VIEWED)
    [downloaded] = events("certificate.downloaded")
    assert (downloaded.actor, downloaded.data["copy"]) == ("reviewer", "masked")
    # what is signed has not changed: the holder's file still verifies
    assert json.loads(person_certificate.payload)["holder"]["id"] == ID_NUMBER


def test_a_clerk_s_full_copy_is_one_audited_view(client, person_certificate, clerk):
    data = download(client, clerk, person_certificate)
    assert ID_NUMBER in page_text(data)
    assert list(attachments(data)) == [ATTACHMENT_NAME]
    [viewed] = events(AuditAction.IDENTIFIER_VIEWED)
    assert (viewed.actor, viewed.object_id) == ("clerk", str(person_certificate.holder_id))
    assert viewed.data == {
        "channel": "pdf",
        "purpose": person_certificate.identifier,
        "kind": "person",
    }
    assert events("certificate.downloaded")[0].data["copy"] == "full"
    assert audit_verify().ok


def test_the_staff_page_follows_the_rule(client, person_certificate, clerk, reviewer):
    url = reverse("certificates:detail", args=[person_certificate.identifier])
    client.force_login(reviewer)
    html = client.get(url).content.decode()
    assert ID_NUMBER not in html and MASKED in html
    assert not events(AuditAction.IDENTIFIER_VIEWED)
    client.force_login(clerk)
    html = client.get(url).content.decode()
    assert ID_NUMBER in html
    [viewed] = events(AuditAction.IDENTIFIER_VIEWED)
    assert viewed.data["channel"] == "page"


def test_the_staff_list_finds_a_person_by_number_only_for_the_clerk(
    client, person_certificate, clerk, reviewer
):
    url = reverse("certificates:list")
    client.force_login(reviewer)
    html = client.get(url, {"q": ID_NUMBER}).content.decode()
    assert person_certificate.identifier not in html
    assert not events(AuditAction.IDENTIFIER_LOOKED_UP)
    client.force_login(clerk)
    html = client.get(url, {"q": ID_NUMBER}).content.decode()
    assert person_certificate.identifier in html
    [lookup] = events(AuditAction.IDENTIFIER_LOOKED_UP)
    assert (lookup.object_id, lookup.data) == (
        str(person_certificate.holder_id),
        {"channel": "page", "found": True},
    )
