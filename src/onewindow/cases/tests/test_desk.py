"""The window clerk's desk: five queues with their counts, filters and sortable columns
kept in the URL, paging without N+1, bad filters named, and the roles refused."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases.constants import AcceptanceMode, CaseChannel, CaseStatus
from onewindow.cases.models import Case
from onewindow.cases.selectors import desk_queues
from onewindow.cases.selectors.desk_queues import DeskQuery
from onewindow.cases.services import (
    case_accept,
    case_request_correction,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.cases.views_staff import desk as desk_view
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
EARLIER = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def desk(client, world, **params):
    client.force_login(world.clerk)
    return client.get(reverse("cases:desk"), params)


def numbers_in(response) -> list[str]:
    """The case numbers of the queue's table, in their order."""
    html = response.content.decode()
    table = html.split('class="table table--stack desk-table"', 1)[-1]
    return re.findall(r'class="identifier" href="/cases/([A-Z0-9-]+)/', table)


def tolerated(
    world, *, due: dt.date | None = None, decide: bool = False, at: dt.datetime = EARLIER
) -> Case:
    """A 容缺 case accepted at ``at`` (six weeks ago by default: its supplement overdue)."""
    with time_machine.travel(at, tick=False):
        case = world.submit(skip=("营业场所证明",))
        row = case.materials.get(name="营业场所证明")
        case_accept(
            case=case,
            actor=world.clerk,
            mode=AcceptanceMode.TOLERATED,
            tolerated=[row.pk],
            tolerance_due_on=due,
        )
    if decide:
        review = world.task(case, "review")
        task_claim(task=review, actor=world.reviewer)
        task_complete(task=review, actor=world.reviewer, comment="符合条件")
        task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def queues(world):
    """One or more cases in each queue."""
    with time_machine.travel(EARLIER, tick=False):
        old = world.submit()
    waiting = world.submit()
    correcting = world.submit()
    case_request_correction(case=correcting, actor=world.clerk, items=["申请表缺少签字"])
    overdue = tolerated(world)
    # accepted yesterday, due by Friday (never after the case's deadline), then approved:
    # its delivery waits for the supplement
    supplement = tolerated(world, due=dt.date(2026, 11, 27), decide=True, at=NOW - ONE_DAY)
    decided = world.decided()
    in_review = world.accepted()
    return {
        "old": old,
        "waiting": waiting,
        "correcting": correcting,
        "overdue": overdue,
        "supplement": supplement,
        "decided": decided,
        "in_review": in_review,
    }


def test_each_queue_lists_its_cases_and_the_tabs_count_them(client, world, queues):
    expected = {
        "pre_review": {queues["old"], queues["waiting"]},
        "correction": {queues["correcting"]},
        "tolerance_overdue": {queues["overdue"]},
        # decided, only the supplement missing (its delivery waits as well)
        "supplement": {queues["supplement"]},
        "delivery": {queues["decided"], queues["supplement"]},
    }
    for queue, cases in expected.items():
        response = desk(client, world, queue=queue)
        assert response.status_code == 200
        assert set(numbers_in(response)) == {case.number for case in cases}, queue
        assert queues["in_review"].number not in numbers_in(response)
    counts = desk_queues.desk_counts(world.clerk)
    assert counts == {queue: len(cases) for queue, cases in expected.items()}
    html = desk(client, world).content.decode()
    for label, count in (("待我预审", 2), ("待申请人补正", 1), ("容缺逾期", 1),
                         ("待补齐容缺材料", 1), ("待出件", 2)):  # fmt: skip
        assert re.search(rf"{label} <span class=\"count\">{count}</span>", html), label


def test_the_default_queue_is_pre_review_longest_waiting_first(client, world, queues):
    assert numbers_in(desk(client, world)) == [queues["old"].number, queues["waiting"].number]


def test_columns_sort_both_ways_and_links_keep_the_query(client, world, queues):
    response = desk(client, world, queue="pre_review", sort="-since")
    assert numbers_in(response) == [queues["waiting"].number, queues["old"].number]
    html = response.content.decode()
    # the heading of the sorted column says so and reverses it; the tabs keep the sort
    assert 'aria-sort="descending"' in html
    assert 'href="?queue=pre_review#queue"' in html  # "since" again: ascending (default)
    assert 'href="?queue=correction&amp;sort=-since"' in html
    # a row opens the case with the queue for "next case"
    assert f"/cases/{queues['old'].number}/?from=queue%3Dpre_review%26sort%3D-since" in html
    by_number = numbers_in(desk(client, world, sort="-number"))
    assert by_number == sorted(by_number, reverse=True)


def test_filters_by_item_channel_status_and_waiting_days(client, world, queues):
    walk_in = world.submit(world.other_item)
    Case.objects.filter(pk=walk_in.pk).update(channel=CaseChannel.WINDOW)
    item_id = world.item.item_id
    assert set(numbers_in(desk(client, world, item=f"i{item_id}"))) == {
        queues["old"].number,
        queues["waiting"].number,
    }
    assert numbers_in(desk(client, world, channel="window")) == [walk_in.number]
    assert numbers_in(desk(client, world, waiting="30")) == [queues["old"].number]
    assert numbers_in(desk(client, world, waiting="３０")) == [queues["old"].number]  # full-width
    assert numbers_in(desk(client, world, status=CaseStatus.CORRECTION_REQUESTED)) == []
    response = desk(client, world, queue="correction", status="correction_requested")
    assert numbers_in(response) == [queues["correcting"].number]
    # the filters stay in the form and in the pager's links
    html = desk(client, world, channel="online", waiting="1").content.decode()
    assert 'name="waiting" value="1"' in html
    assert re.search(r'<option value="online" selected>', html)


def test_bundles_are_filtered_by_their_own_value(client, world, queues):
    bundle_case = world.submit(bundle=world.bundle)
    response = desk(client, world, item=f"b{world.bundle.pk}")
    assert numbers_in(response) == [bundle_case.number]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"waiting": "abc"}, "已等待天数：请输入整数"),
        ({"waiting": "-1"}, "已等待天数：不能小于 0"),
        ({"waiting": "99999"}, "已等待天数：不能大于 3650"),
        ({"channel": "fax"}, "渠道：请从列表中选择"),
        ({"status": "lost"}, "状态：请从列表中选择"),
        ({"item": "i999999"}, "事项：请从列表中选择"),
        ({"queue": "secret"}, "队列：请从列表中选择"),
        ({"sort": "password"}, "排序：请点击列标题排序"),
    ],
)
def test_a_bad_filter_is_named_and_left_out(client, world, queues, params, message):
    response = desk(client, world, **params)
    assert response.status_code == 200
    assert message in response.content.decode()
    # the rest of the desk still works: the default queue in its default order
    assert numbers_in(response) == [queues["old"].number, queues["waiting"].number]


def test_another_zones_cases_never_show(client, world, queues):
    other = world.submit()
    Case.objects.filter(pk=other.pk).update(zone=worlds.zone(code="ELS", name="别处开发区"))
    assert other.number not in numbers_in(desk(client, world))
    assert desk_queues.desk_counts(world.clerk)["pre_review"] == 2


@pytest.mark.parametrize("role", ["reviewer", "decider", "supervisor", "applicant_user"])
def test_other_roles_are_refused(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(reverse("cases:desk"), {"queue": "delivery"}).status_code == 403


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(reverse("cases:desk"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_pages_keep_the_query(client, world, monkeypatch):
    monkeypatch.setattr(desk_view, "PAGE_SIZE", 2)
    for _ in range(3):
        world.submit()
    client.force_login(world.clerk)
    response = client.get(reverse("cases:desk"), {"queue": "pre_review", "sort": "-number"})
    html = response.content.decode()
    assert "?queue=pre_review&amp;sort=-number&amp;page=2" in html


@pytest.mark.parametrize("queue", list(desk_queues.QUEUES))
def test_queries_do_not_grow_with_rows(client, world, django_assert_num_queries, queue):
    def fill(count: int) -> None:
        for _ in range(count):
            world.submit()
            tolerated(world)
            tolerated(world, due=dt.date(2026, 11, 27), decide=True, at=NOW - ONE_DAY)

    fill(1)
    client.force_login(world.clerk)
    client.get(reverse("cases:desk"), {"queue": queue})  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("cases:desk"), {"queue": queue})
    fill(3)
    with django_assert_num_queries(len(small)):
        response = client.get(reverse("cases:desk"), {"queue": queue})
    assert len(numbers_in(response)) >= 4 or queue == "correction"


def test_next_case_follows_the_queue_order_and_wraps(world):
    cases = []
    for day in (1, 2, 3):
        with time_machine.travel(NOW - dt.timedelta(days=10 - day), tick=False):
            cases.append(world.submit())
    query = DeskQuery(queue="pre_review")
    first, second, third = cases
    assert desk_queues.next_case(world.clerk, query, after=first) == second
    assert desk_queues.next_case(world.clerk, query, after=third) == first  # wraps
    reverse_query = DeskQuery(queue="pre_review", sort="-since")
    assert desk_queues.next_case(world.clerk, reverse_query, after=second) == first
    # a case that has left the queue (just accepted): the one after it still comes next
    case_accept(case=second, actor=world.clerk)
    assert desk_queues.next_case(world.clerk, query, after=second) == third
    for case in (first, third):
        case_accept(case=case, actor=world.clerk)
    assert desk_queues.next_case(world.clerk, query, after=third) is None


# -- "next case" ---------------------------------------------------------------------------


def act(client, world, case: Case, action: str, data: dict, source: str = "queue=pre_review"):
    client.force_login(world.clerk)
    return client.post(
        reverse("cases:case_action", args=[case.number, action]), {**data, "from": source}
    )


def test_after_accepting_the_clerk_lands_on_the_next_case_of_the_queue(client, world):
    first, second = world.submit(), world.submit()
    client.force_login(world.clerk)
    opened = client.get(reverse("cases:case", args=[first.number]), {"from": "queue=pre_review"})
    html = opened.content.decode()
    assert 'name="from" value="queue=pre_review"' in html  # the action forms carry it
    assert "跳过，下一件" in html
    response = act(client, world, first, "accept", {"accept-mode": "normal"})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/cases/{second.number}/?from=queue%3Dpre_review&done={first.number}"
    )
    landed = client.get(response["Location"]).content.decode()
    assert f"{first.number}：已受理" in landed  # the message names the case handled
    assert f"上一件 {first.number}：审查中" in landed
    assert f"/cases/{first.number}/notices/acceptance.pdf" in landed  # print it from here
    assert Case.objects.get(pk=first.pk).status == CaseStatus.IN_REVIEW


def test_after_the_last_case_the_clerk_is_back_on_the_queue(client, world):
    only = world.submit()
    response = act(
        client,
        world,
        only,
        "request_correction",
        {"request_correction-items": "申请表缺少签字"},
        source="queue=pre_review&channel=online",
    )
    assert response["Location"] == "/desk/?queue=pre_review&channel=online#queue"


def test_a_material_action_stays_on_the_case_with_the_queue_kept(client, world):
    case = world.submit(skip=("营业场所证明",))
    row = case.materials.get(name="营业场所证明")
    response = act(client, world, case, "receive_paper", {"material": row.pk})
    assert response["Location"] == f"/cases/{case.number}/?from=queue%3Dpre_review"


def test_without_a_queue_or_with_a_forged_one_the_case_page_comes_back(client, world):
    first, _second = world.submit(), world.submit()
    response = act(client, world, first, "accept", {"accept-mode": "normal"}, source="")
    assert response["Location"] == f"/cases/{first.number}/"
    third = world.submit()
    response = act(
        client, world, third, "accept", {"accept-mode": "normal"}, source="queue=../../admin"
    )
    assert response["Location"] == f"/cases/{third.number}/"


def test_a_refused_action_keeps_the_queue_on_the_page(client, world):
    case = world.submit()
    response = act(client, world, case, "refuse", {"refuse-reason": "", "refuse-legal_basis": ""})
    assert response.status_code == 422
    assert 'name="from" value="queue=pre_review"' in response.content.decode()


def test_other_roles_get_no_queue_bar(client, world):
    case = world.accepted()
    client.force_login(world.reviewer)
    response = client.get(reverse("cases:case", args=[case.number]), {"from": "queue=delivery"})
    assert "返回队列" not in response.content.decode()
