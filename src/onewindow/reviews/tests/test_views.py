"""The reviews pages: rating (signed-in and by link), thanks, the window QR code, the
rectification inbox and page with its forms, the supervisor's overview; and the
"去评价" link on the applicant's case list.

Time is frozen on Mon 28 Sep 2026; the case was delivered on Fri 18 Sep (its window
closes on Thu 15 Oct, see test_rating.py).
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.core.errors import NotFound
from onewindow.org.constants import DepartmentKind, Role
from onewindow.org.models import Department, Window, Zone
from onewindow.org.services import staff_create
from onewindow.reviews import links
from onewindow.reviews.models import (
    Channel,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
)
from onewindow.reviews.permissions import access_rectification
from onewindow.reviews.services import rating_submit, rectification_record
from onewindow.reviews.tests.conftest import D, at, deliver_bundle, deliver_immediate
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

DELIVERED = D(2026, 9, 18)
TODAY = D(2026, 9, 28)
PASSWORD = "test-Password-2026"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield


@pytest.fixture
def case(world):
    return deliver_immediate(world, DELIVERED)


def rate_online(case, actor, level=Level.SATISFIED):
    return rating_submit(case=case, channel=Channel.ONLINE, level=level, actor=actor)


def rate_window(case, level=Level.DISSATISFIED):
    return rating_submit(
        case=case,
        channel=Channel.WINDOW,
        level=level,
        token=links.rating_token(case, Channel.WINDOW),
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- the permission walk is test_permission_walk.py --------------------------------------------


def test_writes_need_the_csrf_token(world, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant_user)
    response = client.post(reverse("reviews:rate", args=[case.number]), {"level": "4"})
    assert response.status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    token = links.rating_token(case, Channel.WINDOW)
    response = anonymous.post(reverse("reviews:rate_link", args=[token]), {"level": "4"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


# -- rating ---------------------------------------------------------------------------------


def test_the_rating_page_offers_five_labelled_levels(world, case):
    response = client_for(world.applicant_user).get(reverse("reviews:rate", args=[case.number]))
    assert response.status_code == 200
    page = text(response)
    labels = re.findall(r'<span class="rate__label">([^<]+)</span>', page)
    assert labels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert page.count('type="radio" name="level"') == 5
    for value in ("5", "4", "3", "2", "1"):
        assert f'value="{value}"' in page
    assert '<label for="id_comment">意见或建议（选填）</label>' in page
    assert 'maxlength="1000"' in page and "不超过 1000 字" in page
    assert "2026-10-15 前" in page  # the window
    assert "本评价为实名评价" in page
    assert case.number in page and case.department.name in page


def test_rating_online_then_thanks(world, case):
    client = client_for(world.applicant_user)
    response = client.post(
        reverse("reviews:rate", args=[case.number]), {"level": "5", "comment": "很好"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("reviews:thanks")
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.comment, rating.real_name) == (
        "online", 5, "很好", True,
    )  # fmt: skip

    thanks = text(client.get(response["Location"]))
    assert "感谢您的评价" in thanks and "非常满意" in thanks and case.number in thanks
    assert "转交" not in thanks
    assert reverse("cases:my_cases") in thanks


def test_a_bad_rating_is_told_where_it_went(world, case):
    client = client_for(world.applicant_user)
    client.post(reverse("reviews:rate", args=[case.number]), {"level": "1", "comment": "慢"})
    thanks = text(client.get(reverse("reviews:thanks")))
    assert f"您的意见已转交{case.department.name}核实整改，整改期限为 2026-10-23" in thanks


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "level", "评价等级：请选择一项"),
        ({"level": "9"}, "level", "评价等级：请从五个等级中选择一项"),
        ({"level": "x"}, "level", "评价等级：请从五个等级中选择一项"),
        ({"level": "3", "comment": "字" * 1001}, "comment", "意见或建议：不能超过 1000 个字"),
    ],
)
def test_bad_input_is_shown_next_to_its_field(world, case, data, field, message):
    response = client_for(world.applicant_user).post(
        reverse("reviews:rate", args=[case.number]), data
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert "评价未提交" in page
    assert not Rating.objects.exists()


def test_already_rated_is_said_before_and_after_posting(world, case):
    rate_online(case, world.applicant_user)
    client = client_for(world.applicant_user)
    url = reverse("reviews:rate", args=[case.number])

    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "暂不能评价" in page and "已通过“网上办事大厅”评价过" in page
    assert 'name="level"' not in page  # no form

    response = client.post(url, {"level": "1"})
    assert response.status_code == 409
    assert "同一渠道只能评价一次" in text(response)
    assert Rating.objects.count() == 1


def test_too_late_is_said_with_the_date(world):
    # delivered Tue 1 Sep: 15 working days are Sep 2–4, 7–11, 14–18, Sun 20 (调休), Mon 21
    old = deliver_immediate(world, D(2026, 9, 1))
    response = client_for(world.applicant_user).get(reverse("reviews:rate", args=[old.number]))
    assert response.status_code == 200
    assert "评价期限已过：本办件须在送达后 15 个工作日内（2026年09月21日前）评价" in text(response)


def test_not_delivered_is_said(world):
    case = world.decided()
    page = text(client_for(world.applicant_user).get(reverse("reviews:rate", args=[case.number])))
    assert "办件尚未办结送达（当前状态：准予许可），办结后才能评价" in page


def test_a_bundle_item_points_to_the_bundle(world):
    parent = deliver_bundle(world, DELIVERED)
    child = parent.children.first()
    page = text(client_for(world.applicant_user).get(reverse("reviews:rate", args=[child.number])))
    assert f"请对一件事办件 {parent.number} 评价" in page


def test_an_unknown_case_number_is_not_found(world):
    response = client_for(world.applicant_user).get(
        reverse("reviews:rate", args=["SFQ-2026-9999999"])
    )
    assert response.status_code == 404


def test_rating_by_the_window_link_without_login(world, case):
    client = Client()
    url = reverse("reviews:rate_link", args=[links.rating_token(case, Channel.WINDOW)])
    page = text(client.get(url))
    assert "窗口评价器或二维码" in page and "本评价为匿名评价" in page

    response = client.post(url, {"level": "2", "comment": "排队太久"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.real_name, rating.rater) == ("window", False, None)
    assert "转交" in text(client.get(reverse("reviews:thanks")))
    # the same link again
    response = client.post(url, {"level": "5"})
    assert response.status_code == 409


def test_a_bad_or_expired_link_says_so(world, case):
    client = Client()
    token = links.rating_token(case, Channel.WINDOW)
    response = client.get(reverse("reviews:rate_link", args=[token[:-3] + "abc"]))
    assert response.status_code == 404
    assert "评价链接无效" in text(response)
    with time_machine.travel(at(D(2027, 1, 1)), tick=False):
        response = client.get(reverse("reviews:rate_link", args=[token]))
    assert response.status_code == 404
    assert "评价链接已过期" in text(response)


def test_a_link_to_a_case_that_is_gone_is_invalid(world, case):
    token = links.rating_token(case, Channel.WINDOW).replace(f"{case.pk}.", "999999.", 1)
    # a forged id fails the signature before any lookup
    response = Client().get(reverse("reviews:rate_link", args=[token]))
    assert response.status_code == 404


#: What a page echoes of the request: the CSRF token and the address (language switch).
ECHOED = re.compile(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"')


def test_a_signed_link_to_a_missing_case_answers_as_a_forged_one(world, case):
    # given a link this installation signed for a case that does not exist, and a forgery
    signed = links._signer().sign(f"{case.pk + 1000}.window")
    forged = links.rating_token(case, Channel.WINDOW)[:-3] + "abc"
    answers = [
        Client().get(reverse("reviews:rate_link", args=[token])) for token in (signed, forged)
    ]
    # then one answer, to the byte
    assert [response.status_code for response in answers] == [404, 404]
    pages = [ECHOED.sub("", text(response)) for response in answers]
    assert pages[0] == pages[1]
    assert "评价链接无效" in pages[0]


@pytest.mark.parametrize("token", ["Ａ", "\u00e9", "😀", "码" * 50, "A" * 500])
def test_any_text_as_a_link_is_not_found_and_never_fails(token):
    response = Client().get(f"/rate/t/{token}/")
    assert response.status_code == 404


def test_thanks_without_a_rating_is_generic():
    page = text(Client().get(reverse("reviews:thanks")))
    assert "您的评价已记录。" in page


# -- the applicant's list ------------------------------------------------------------------------


def test_my_cases_links_the_cases_still_to_rate(world, case):
    waiting = world.submit()  # submitted, not delivered
    old = deliver_immediate(world, D(2026, 9, 1))  # window closed
    client = client_for(world.applicant_user)

    page = text(client.get(reverse("cases:my_cases")))
    assert page.count('href="/rate/') == 1
    assert f'aria-label="去评价：{case.title}">去评价</a>' in page
    assert f'href="{reverse("reviews:rate", args=[case.number])}"' in page
    assert reverse("reviews:rate", args=[waiting.number]) not in page
    assert reverse("reviews:rate", args=[old.number]) not in page

    rate_online(case, world.applicant_user)
    page = text(client.get(reverse("cases:my_cases")))
    assert "去评价" not in page and "已评价" in page


def test_my_cases_asks_a_fixed_number_of_queries_for_ratings(world):
    deliver_immediate(world, DELIVERED)
    client = client_for(world.applicant_user)
    client.get(reverse("cases:my_cases"))  # warm the calendar
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:my_cases"))
    for _n in range(4):
        deliver_immediate(world, DELIVERED)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("cases:my_cases"))
    assert len(more.captured_queries) == len(few.captured_queries)


# -- the window QR code ------------------------------------------------------------------------


def test_the_clerk_shows_the_qr_code_and_the_sms_link(world, case):
    response = client_for(world.clerk).get(reverse("reviews:rating_code", args=[case.number]))
    assert response.status_code == 200
    page = text(response)
    assert '<svg class="rating-code__image" role="img"' in page
    assert f"评价二维码：{case.number}" in page
    window_link = re.search(r'<a href="(http[^"]+/rate/t/[^"]+)"', page).group(1)
    token = window_link.rstrip("/").rsplit("/", 1)[1]
    assert links.read_rating_token(token).channel == Channel.WINDOW
    sms = re.search(r'rating-code__sms">(http[^<]+)<', page).group(1)
    assert links.read_rating_token(sms.rstrip("/").rsplit("/", 1)[1]).channel == Channel.SMS
    assert "2026-10-15 前有效" in page
    assert "暂无评价" in page


def test_the_qr_page_says_why_there_is_no_code(world, case):
    rate_window(case)
    page = text(client_for(world.clerk).get(reverse("reviews:rating_code", args=[case.number])))
    assert "<svg" not in page
    assert "已通过“窗口评价器或二维码”评价过" in page
    assert "窗口评价器或二维码：<strong>不满意</strong>" in page

    submitted = world.submit()
    page = text(
        client_for(world.clerk).get(reverse("reviews:rating_code", args=[submitted.number]))
    )
    assert "办结后才能评价" in page and "<svg" not in page


def test_the_qr_page_of_a_bundle_item_is_the_bundles(world):
    parent = deliver_bundle(world, DELIVERED)
    child = parent.children.first()
    response = client_for(world.clerk).get(reverse("reviews:rating_code", args=[child.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:rating_code", args=[parent.number])


def test_a_clerk_of_another_zone_does_not_find_the_case(world, case):
    zone = Zone.objects.create(code="QTQ", name="其他开发区", division_code="320100")
    window = Window.objects.create(zone=zone, code="A01", name="综合窗口", kind="comprehensive")
    clerk = staff_create(
        zone=zone,
        username="far_clerk",
        password=PASSWORD,
        display_name="外区窗口",
        roles=[Role.WINDOW_CLERK],
        window=window,
    )
    response = client_for(clerk).get(reverse("reviews:rating_code", args=[case.number]))
    assert response.status_code == 404


# -- rectifications -----------------------------------------------------------------------------


@pytest.fixture
def open_rectification(world, case):
    return rate_online(case, world.applicant_user, Level.VERY_DISSATISFIED).rectification


def test_the_inbox_lists_the_departments_bad_ratings_with_their_deadline(world, open_rectification):
    with time_machine.travel(at(D(2026, 10, 26), 10), tick=False):  # due Fri 23 Oct
        page = text(client_for(world.reviewer).get(reverse("reviews:rectifications")))
    assert open_rectification.rating.case.number in page
    assert "非常不满意" in page and "待整改" in page
    assert "整改 2026-10-23" in page
    assert "超期 1 个工作日" in page  # overdue said in words, not only in colour
    assert "责任部门" not in page  # one department: no column

    page = text(client_for(world.reviewer).get(reverse("reviews:rectifications")))
    assert "剩 15 个工作日" in page

    other = text(client_for(world.other_reviewer).get(reverse("reviews:rectifications")))
    assert open_rectification.rating.case.number not in other
    assert "没有待整改或待回访的差评" in other


def test_the_inbox_filters(world, open_rectification):
    client = client_for(world.reviewer)
    assert "没有符合条件" in text(client.get(reverse("reviews:rectifications"), {"overdue": "on"}))
    page = text(client.get(reverse("reviews:rectifications"), {"status": "closed"}))
    assert "没有符合条件" in page
    response = client.get(reverse("reviews:rectifications"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "状态：请从列表中选择" in text(response)


def test_the_rectification_page_and_its_forms(world, open_rectification):
    url = reverse("reviews:rectification", args=[open_rectification.pk])
    client = client_for(world.reviewer)
    page = text(client.get(url))
    assert "登记整改情况" in page and "登记回访结果" not in page
    assert "实名（须回访）" in page
    assert world.applicant.phone in page  # the department calls the applicant back

    action = reverse("reviews:rectification_action", args=[open_rectification.pk, "rectify"])
    response = client.post(action, {"verified_facts": "", "measures": ""})
    assert response.status_code == 422
    page = text(response)
    assert "核实情况：请填写" in page and "整改措施：请填写" in page

    response = client.post(action, {"verified_facts": "属实", "measures": "已培训"})
    assert response.status_code == 302 and response["Location"] == url
    page = text(client.get(url))
    assert "已登记整改情况" in page
    assert "登记回访结果" in page and "不回访办结" not in page  # real name: visit only
    assert "回访期限" in page

    visit = reverse("reviews:rectification_action", args=[open_rectification.pk, "visit"])
    response = client.post(visit, {"outcome": ReturnVisitOutcome.UNREACHABLE, "note": ""})
    assert response.status_code == 422
    assert "回访记录：请填写" in text(response)
    response = client.post(visit, {"outcome": ReturnVisitOutcome.SATISFIED, "note": "满意"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "已办结" in page
    for name in ("rectify", "visit", "close"):  # no form any more
        assert (
            reverse("reviews:rectification_action", args=[open_rectification.pk, name]) not in page
        )
    assert Rectification.objects.get().status == RectificationStatus.CLOSED
    closed = text(client.get(reverse("reviews:rectifications"), {"status": "closed"}))
    assert "回访：满意" in closed

    # closing a real-name one without a visit is refused even when posted directly
    again = client.post(
        reverse("reviews:rectification_action", args=[open_rectification.pk, "close"]),
        {"reason": "不回访"},
    )
    assert again.status_code == 409
    assert "整改事项当前状态为“已办结”，不能执行“不回访办结”" in text(again)


def test_an_anonymous_rectification_may_be_closed_without_a_visit(world, case):
    rectification = rate_window(case).rectification
    rectification_record(
        rectification=rectification, actor=world.reviewer, verified_facts="属实", measures="改进"
    )
    url = reverse("reviews:rectification", args=[rectification.pk])
    client = client_for(world.decider)
    page = text(client.get(url))
    assert "匿名" in page and "不回访办结（仅限匿名评价）" in page
    assert world.applicant.phone not in page  # anonymous: no contact details

    close = reverse("reviews:rectification_action", args=[rectification.pk, "close"])
    assert client.post(close, {"reason": ""}).status_code == 422
    response = client.post(close, {"reason": "匿名评价，无法确定评价人"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "未回访理由" in page and "匿名评价，无法确定评价人" in page
    closed = text(client.get(reverse("reviews:rectifications"), {"status": "all"}))
    assert "未回访（匿名评价）" in closed


def test_a_real_name_close_post_is_refused_with_the_reason(world, open_rectification):
    rectification_record(
        rectification=open_rectification,
        actor=world.reviewer,
        verified_facts="属实",
        measures="改进",
    )
    response = client_for(world.reviewer).post(
        reverse("reviews:rectification_action", args=[open_rectification.pk, "close"]),
        {"reason": "不想回访"},
    )
    assert response.status_code == 409
    assert "实名差评必须回访" in text(response)


def test_an_unknown_action_is_not_found(world, open_rectification):
    response = client_for(world.reviewer).post(
        reverse("reviews:rectification_action", args=[open_rectification.pk, "delete"])
    )
    assert response.status_code == 404


def test_the_supervisor_reads_but_does_not_act(world, open_rectification):
    page = text(
        client_for(world.supervisor).get(
            reverse("reviews:rectification", args=[open_rectification.pk])
        )
    )
    assert "非常不满意" in page
    assert "登记整改情况" not in page
    assert world.applicant.phone not in page


def test_the_supervision_page_counts_and_filters(world, open_rectification):
    with time_machine.travel(at(D(2026, 10, 26), 10), tick=False):
        response = client_for(world.supervisor).get(reverse("reviews:supervision"))
    assert response.status_code == 200
    page = text(response)
    assert re.search(r'stat__value">1</span> <span class="stat__label">整改已逾期', page)
    assert re.search(r'stat__value">1</span> <span class="stat__label">待整改', page)
    assert world.department.name in page
    assert open_rectification.rating.case.number in page

    empty_department = Department.objects.create(
        zone=world.zone, code="KJJ", name="科技局", kind=DepartmentKind.FUNCTIONAL
    )
    client = client_for(world.supervisor)
    page = text(client.get(reverse("reviews:supervision"), {"department": empty_department.pk}))
    assert "没有符合条件的整改事项" in page
    assert re.search(r'stat__value">0</span> <span class="stat__label">待整改', page)
    response = client.get(reverse("reviews:supervision"), {"department": "abc"})
    assert response.status_code == 200
    assert "部门：请从列表中选择" in text(response)


def test_access_rectification_is_not_found_for_outsiders(world, open_rectification):
    with pytest.raises(NotFound):
        access_rectification(world.other_decider, open_rectification.pk)
    with pytest.raises(NotFound):
        access_rectification(world.reviewer, 999999)
    assert access_rectification(world.decider, open_rectification.pk) == open_rectification


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("reviewer", ["差评整改"], ["差评监督"]),
        ("decider", ["差评整改"], ["差评监督"]),
        ("supervisor", ["差评监督"], ["差评整改"]),
        ("clerk", [], ["差评整改", "差评监督"]),
        ("applicant_user", [], ["差评整改", "差评监督"]),
    ],
)
def test_the_navigation_leads_to_the_rectification_desks(world, who, shown, hidden):
    page = client_for(getattr(world, who)).get("/items/").content.decode()
    nav = page.split('class="site-nav"')[1].split("</nav>")[0]
    for label in shown:
        assert label in nav
    for label in hidden:
        assert label not in nav
