"""The case-number box: what a clerk types or scans (``cases.lookup``), and the page that
opens the case or comes back with "未找到办件" (the same for missing and forbidden)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.lookup import candidate_numbers, fold

YEAR = 2026


def numbers(raw: str, zone_code: str = "SFQ") -> list[str]:
    return candidate_numbers(raw, zone_code=zone_code, year=YEAR)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SFQ-2026-0000123", "SFQ-2026-0000123"),
        ("  SFQ-2026-0000123\n", "SFQ-2026-0000123"),
        ("sfq-2026-123", "SFQ-2026-0000123"),
        ("ＳＦＱ－２０２６－０００１２３", "SFQ-2026-0000123"),
        ("SFQ—2026—123", "SFQ-2026-0000123"),
        ("2026-123", "SFQ-2026-0000123"),
        ("123", "SFQ-2026-0000123"),
        ("１２３", "SFQ-2026-0000123"),
        ("2025-9", "SFQ-2025-0000009"),
        # The acceptance notice's QR code: the progress page's address with the query code.
        (
            "https://zwfw.example.gov.cn/track/?number=SFQ-2026-0000123&code=AB23CD45",
            "SFQ-2026-0000123",
        ),
        ("http://127.0.0.1:8000/cases/SFQ-2026-0000123/", "SFQ-2026-0000123"),
        ("\x02SFQ-2026-0000123\x03", "SFQ-2026-0000123"),  # a scanner's frame characters
    ],
)
def test_what_a_clerk_types_or_scans_reads_as_the_number(raw, expected):
    assert expected in numbers(raw)


@pytest.mark.parametrize("raw", ["", "   ", "营业执照", "0", "SFQ-26-1", "abc-2026-x", "-1"])
def test_what_is_no_case_number_reads_as_nothing(raw):
    assert numbers(raw) == []


def test_another_zones_number_is_read_as_typed_not_as_ours():
    assert numbers("ABC-2026-0000123") == ["ABC-2026-0000123"]


def test_short_forms_need_the_clerks_zone():
    assert numbers("123", zone_code="") == []


def test_fold_keeps_the_text_a_clerk_typed_readable():
    assert fold("  ＳＦＱ－２０２６\t") == "SFQ-2026"


# -- the page ------------------------------------------------------------------------------


def lookup(client, user, number: str, next_url: str = "/desk/"):
    client.force_login(user)
    return client.get(reverse("cases:case_lookup"), {"number": number, "next": next_url})


@pytest.mark.django_db
def test_the_clerk_is_taken_to_the_case(client, world):
    case = world.submit()
    sequence = case.number.rsplit("-", 1)[1]
    for typed in (case.number, case.number.lower(), str(int(sequence)), f" {case.number} "):
        response = lookup(client, world.clerk, typed)
        assert response.status_code == 302, typed
        assert response["Location"] == reverse("cases:case", args=[case.number]), typed


@pytest.mark.django_db
def test_the_scanned_qr_code_of_the_acceptance_notice_opens_the_case(client, world):
    case = world.accepted()
    scanned = f"https://zwfw.example.gov.cn/track/?number={case.number}&code={case.query_code}"
    response = lookup(client, world.clerk, scanned)
    assert response["Location"] == reverse("cases:case", args=[case.number])


@pytest.mark.django_db
def test_missing_and_forbidden_cases_answer_alike(client, world):
    # given a case the reviewer of another department has no task in
    case = world.accepted()
    missing = case.number[:-3] + "999"
    # when the other department's reviewer looks up the existing and a missing number
    answers = []
    for number in (case.number, missing):
        response = lookup(client, world.other_reviewer, number, next_url="/inbox/")
        answers.append((response.status_code, response["Location"]))
        page = client.get(response["Location"])
        assert "未找到办件" in page.content.decode()
    # then both go back to the page they came from, with the same message
    assert answers == [(302, "/inbox/"), (302, "/inbox/")]


@pytest.mark.django_db
def test_the_reviewer_finds_a_case_of_their_department(client, world):
    case = world.accepted()
    response = lookup(client, world.reviewer, case.number)
    assert response["Location"] == reverse("cases:case", args=[case.number])


@pytest.mark.django_db
def test_empty_input_is_named_and_a_foreign_next_is_not_followed(client, world):
    response = lookup(client, world.clerk, "  ", next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "办件编号：请输入或扫描办件编号" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_applicants_and_anonymous_are_refused(client, world):
    case = world.submit()
    assert client.get(reverse("cases:case_lookup"), {"number": case.number}).status_code == 302
    response = lookup(client, world.applicant_user, case.number)
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_box_is_on_staff_pages_only(client, world):
    client.force_login(world.reviewer)
    assert 'name="number"' in client.get(reverse("cases:inbox")).content.decode()
    client.force_login(world.applicant_user)
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert reverse("cases:case_lookup") not in html
