"""The demo appeals (诉求工单): every status and story, each order consistent with the rules
it claims (the transition table, the clock, the counts, the history), built once.

The zone is loaded once for the module by ``onewindow demo`` (no cases: the appeals stand
on their own) inside a transaction rolled back at the end; each test runs in a savepoint on
top of it. The demo is looked at during office hours, as in ``test_demo_cases.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from onewindow.appeals.clock import Limit, due, working_hours_due
from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    APPEAL_TRANSITIONS,
    DEFAULT_LIMITS,
    AppealAction,
    AppealStatus,
    AssignmentRole,
    Channel,
    ClosingKind,
    ExtensionStatus,
    Nature,
    ReturnStatus,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealCategory,
    AppealExtension,
    AppealNumberCounter,
    AppealReturn,
    AppealSettings,
    AppealStep,
    AppealSupervision,
    AppealTimeLimit,
    AppealVisit,
    DispatchRule,
    KnowledgeArticle,
    KnowledgeVersion,
    SupervisionRule,
)
from onewindow.appeals.permissions import visible_appeals
from onewindow.appeals.selectors import zone_calendar
from onewindow.appeals.services.common import format_appeal_number
from onewindow.core.audit import audit_verify
from onewindow.core.models import AuditEvent
from onewindow.core.selectors import national_calendar
from onewindow.demo import appeals_data, appeals_stories
from onewindow.demo.org_data import DEMO_PASSWORD, ZONE_CODE
from onewindow.org.constants import Role
from onewindow.org.models import RoleAssignment, User, Zone

COUNT = 120
APPEAL_ROLES = (Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.APPEAL_HANDLER, Role.SUPERVISOR)
MOVES = set(AppealAction.values)


def _office_hours() -> dt.datetime:
    """15:00 of today or, before 15:00 or on a day off, of the latest working day before."""
    calendar = national_calendar()
    now = timezone.localtime()
    day = now.date() if now.hour >= 15 else now.date() - dt.timedelta(days=1)
    while not calendar.day(day, allow_provisional=True).is_working:
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15)))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        moment = _office_hours()
        with time_machine.travel(moment, tick=True), transaction.atomic():
            out = StringIO()
            call_command("demo", cases=0, appeals=COUNT, stdout=out)
            zone = Zone.objects.get(code=ZONE_CODE)
            yield zone, out.getvalue(), moment
            transaction.set_rollback(True)


@pytest.fixture
def zone(demo, db) -> Zone:
    return demo[0]


@pytest.fixture
def now(demo) -> dt.datetime:
    """The instant the stories were told up to (the quarter hour before loading)."""
    return appeals_data.anchor(demo[2])


@pytest.fixture
def appeals(zone):
    return Appeal.objects.filter(zone=zone)


# --- the zone's rules and catalogues -----------------------------------------------------------


def test_staff_for_every_appeal_role_with_the_demo_password(zone):
    for role in APPEAL_ROLES:
        assignment = RoleAssignment.objects.filter(role=role, user__zone=zone).first()
        assert assignment is not None, role
        assert assignment.user.check_password(DEMO_PASSWORD)


def test_every_lead_department_of_the_catalogue_has_a_handler(zone):
    handled = set(
        RoleAssignment.objects.filter(role=Role.APPEAL_HANDLER).values_list(
            "department_id", flat=True
        )
    )
    leads = set(DispatchRule.objects.filter(zone=zone).values_list("lead_department_id", flat=True))
    co = set(
        DispatchRule.co_departments.through.objects.filter(dispatchrule__zone=zone).values_list(
            "department_id", flat=True
        )
    )

    assert leads | co <= handled
    assert len(handled) >= 3


def test_settings_and_time_limits(zone):
    settings = AppealSettings.objects.get(zone=zone)
    limits = AppealTimeLimit.objects.filter(zone=zone)

    assert settings.legal_basis
    assert limits.count() == len(Nature) * len(Urgency)
    for limit in limits:
        assert (limit.unit, limit.amount) == DEFAULT_LIMITS[limit.urgency]
        assert limit.legal_basis
    assert set(limits.filter(urgency=Urgency.NORMAL).values_list("amount", flat=True)) == {5}
    assert set(limits.filter(urgency=Urgency.DIFFICULT).values_list("amount", flat=True)) == {15}
    assert set(limits.filter(urgency=Urgency.URGENT).values_list("unit", "amount")) == {
        ("natural_hours", 2)
    }


def test_a_category_tree_with_a_dispatch_rule_for_every_leaf(zone):
    categories = AppealCategory.objects.filter(zone=zone)
    leaves = categories.filter(parent__isnull=False)
    rules = DispatchRule.objects.filter(zone=zone)

    assert categories.count() >= 15
    assert set(categories.filter(parent__isnull=True).values_list("name", flat=True)) >= {
        "营商环境",
        "工程建设",
        "税费",
        "社保与用工",
        "知识产权",
        "环境保护",
        "政策兑现",
    }
    assert "企业开办" in set(leaves.values_list("name", flat=True))
    assert set(rules.values_list("category_id", flat=True)) == set(
        leaves.values_list("pk", flat=True)
    )
    with_co = rules.annotate(co=Count("co_departments")).filter(co__gt=0)
    assert 0 < with_co.count() < rules.count()


def test_supervision_rules(zone):
    rules = dict(SupervisionRule.objects.filter(zone=zone).values_list("trigger", "level"))

    assert rules == {
        SupervisionTrigger.OVERDUE: SupervisionLevel.DAILY,
        SupervisionTrigger.REOPENED_TWICE: SupervisionLevel.LISTED,
        SupervisionTrigger.BAD_VISIT: SupervisionLevel.DAILY,
    }


def test_a_knowledge_base_of_a_few_dozen_versioned_articles(zone):
    articles = KnowledgeArticle.objects.filter(zone=zone).annotate(
        count=Count("versions", distinct=True), linked=Count("items", distinct=True)
    )

    assert articles.count() >= 30
    assert articles.filter(count=2).count() >= 5
    assert articles.filter(linked__gt=0).count() >= 10
    for article in articles.select_related("current_version", "category"):
        latest = KnowledgeVersion.objects.filter(article=article).order_by("-number").first()
        assert article.current_version == latest
        assert article.category is not None and article.is_published
        assert article.search_folded and article.search_pinyin and article.search_initials
    older = KnowledgeVersion.objects.filter(
        article__zone=zone, number=1, article__in=articles.filter(count=2)
    )
    for version in older.select_related("article__current_version"):
        assert version.created_at < version.article.current_version.created_at
        assert version.body != version.article.current_version.body


# --- the orders: every status and story ---------------------------------------------------------


def test_about_count_orders_in_every_status(appeals, demo):
    statuses = set(appeals.values_list("status", flat=True))

    assert statuses == set(AppealStatus.values)
    assert COUNT * 0.9 <= appeals.count() <= COUNT * 1.1
    output = demo[1]
    assert f"共 {appeals.count()} 件" in output
    assert "诉求派单 http://" in output


def test_orders_spread_over_the_period(appeals, now):
    oldest = appeals.order_by("created_at").first().created_at
    newest = appeals.order_by("-created_at").first().created_at

    assert now - oldest <= dt.timedelta(days=appeals_data.SPAN_DAYS)
    assert now - oldest >= dt.timedelta(days=40)
    assert now - newest <= dt.timedelta(hours=6)
    assert newest < now


def test_every_story(appeals, now):
    # designated after a return (may not be returned again)
    assert appeals.filter(designated=True, returns__status=ReturnStatus.DESIGNATED).exists()
    assert appeals.filter(status=AppealStatus.DISPATCHED, returns__status=ReturnStatus.REDISPATCHED)
    assert appeals.filter(status=AppealStatus.RETURN_REQUESTED, returns__status="pending").exists()
    # a late return, refused and counted
    assert appeals.filter(late_return_count__gt=0, returns__status=ReturnStatus.LATE).exists()
    # extensions: approved (the clock moved), refused (with a reason), pending
    assert appeals.filter(extended_days__gt=0, extensions__status=ExtensionStatus.APPROVED)
    refused = AppealExtension.objects.filter(appeal__zone=appeals[0].zone, status="refused")
    assert refused.exists() and not refused.filter(decision_reason="").exists()
    assert appeals.filter(extensions__status=ExtensionStatus.PENDING).exists()
    # reopened once and twice; a reopened order since closed
    assert appeals.filter(reopen_count=1, status=AppealStatus.HANDLING).exists()
    assert appeals.filter(reopen_count__gte=2).exists()
    assert appeals.filter(reopen_count__gte=1, status=AppealStatus.CLOSED).exists()
    # merged into an order of the same requester
    merged = appeals.filter(status=AppealStatus.MERGED).select_related("merged_into")
    assert merged.exists()
    for order in merged:
        assert order.merged_into.status != AppealStatus.MERGED
        assert order.category_id == order.merged_into.category_id
        assert order.requester_id == order.merged_into.requester_id
    # not accepted with the channel told; emergencies without a clock
    refused_orders = appeals.filter(status=AppealStatus.NOT_ACCEPTED)
    assert not refused_orders.filter(redirect_channel="").exists()
    assert not refused_orders.filter(overdue=True).exists()
    transferred = appeals.filter(status=AppealStatus.TRANSFERRED)
    assert not transferred.exclude(emergency_service="").filter(due_at__isnull=False).exists()
    # instant answers citing the knowledge base
    instant = appeals.filter(closing_kind=ClosingKind.INSTANT)
    assert instant.exists() and not instant.filter(knowledge_version__isnull=True).exists()
    assert set(instant.values_list("channel", flat=True)) == {Channel.HOTLINE}
    assert appeals.filter(closing_kind=ClosingKind.VISITED).exists()
    assert appeals.filter(closing_kind=ClosingKind.CENTRE).exists()
    # anonymous 举报 with query codes, confidential requesters, hotline callers, imports
    anonymous = appeals.filter(anonymous=True)
    assert anonymous.filter(nature=Nature.REPORT).exists()
    assert set(anonymous.values_list("nature", flat=True)) <= {Nature.REPORT, Nature.SUGGESTION}
    assert not anonymous.filter(Q(requester__isnull=False) | ~Q(contact_name="")).exists()
    assert not appeals.filter(query_code="").exists()
    assert appeals.filter(confidential=True).exists()
    assert appeals.filter(channel=Channel.HOTLINE, requester__isnull=True).exclude(contact_phone="")
    assert not appeals.filter(channel=Channel.IMPORT, upstream_id__isnull=True).exists()
    # the lights today: late to sign, warning, overdue
    assert appeals.filter(status=AppealStatus.DISPATCHED, sign_due_at__lt=now).exists()
    assert appeals.filter(status=AppealStatus.DISPATCHED, sign_due_at__gt=now).exists()
    handling = appeals.filter(status=AppealStatus.HANDLING)
    assert handling.filter(warn_at__lte=now, due_at__gt=now).exists()
    assert handling.filter(due_at__lt=now).exists()
    assert handling.filter(warn_at__gt=now).exists()
    # fixed at the reply: some replies were late
    assert appeals.filter(status=AppealStatus.CLOSED, overdue=True).exists()
    assert appeals.filter(sign_overdue=True).exists()
    # co-departments added their part
    assert AppealAssignment.objects.filter(
        appeal__zone=appeals[0].zone, role=AssignmentRole.CO
    ).exclude(part_reply="")


def test_supervision_in_every_state_and_trigger(zone, now):
    supervisions = AppealSupervision.objects.filter(appeal__zone=zone)

    assert set(supervisions.values_list("status", flat=True)) == set(SupervisionStatus.values)
    assert set(supervisions.values_list("trigger", flat=True)) == {
        SupervisionTrigger.OVERDUE,
        SupervisionTrigger.BAD_VISIT,
        SupervisionTrigger.REOPENED_TWICE,
        SupervisionTrigger.MANUAL,
    }
    assert supervisions.filter(level=SupervisionLevel.INTERVIEW).exists()
    assert supervisions.filter(level=SupervisionLevel.LISTED).exists()
    # one 督办 not closed per order and trigger (the model's constraint holds)
    open_pairs = Counter(
        supervisions.exclude(status=SupervisionStatus.CLOSED).values_list("appeal_id", "trigger")
    )
    assert max(open_pairs.values()) == 1
    # every open order past its deadline held by a department is supervised
    late = Appeal.objects.filter(
        zone=zone,
        status__in=[AppealStatus.DISPATCHED, AppealStatus.HANDLING],
        due_at__lt=now - dt.timedelta(hours=1),
    )
    for order in late:
        assert order.supervisions.filter(trigger=SupervisionTrigger.OVERDUE).exists(), order
    for supervision in supervisions.select_related("appeal"):
        assert supervision.created_at < now
        assert supervision.due_at > supervision.created_at
        if supervision.status != SupervisionStatus.OPEN:
            assert supervision.response and supervision.answered_at
        if supervision.status == SupervisionStatus.CLOSED:
            assert supervision.closed_at >= supervision.answered_at


# --- each order consistent ---------------------------------------------------------------------


def test_counts_match_the_rows(appeals):
    for order in appeals.annotate(
        returns_in_time=Count(
            "returns", filter=~Q(returns__status=ReturnStatus.LATE), distinct=True
        ),
        late_returns=Count("returns", filter=Q(returns__status=ReturnStatus.LATE), distinct=True),
        approved=Count(
            "extensions", filter=Q(extensions__status=ExtensionStatus.APPROVED), distinct=True
        ),
        reopens=Count("steps", filter=Q(steps__action=AppealAction.REOPEN), distinct=True),
        visit_rows=Count("visits", distinct=True),
    ):
        assert order.return_count == order.returns_in_time, order
        assert order.late_return_count == order.late_returns, order
        assert order.extension_count == order.approved, order
        assert order.reopen_count == order.reopens, order
        this_round = order.extensions.filter(
            status=ExtensionStatus.APPROVED, decided_at__gte=order.clock_started_at
        ).aggregate(days=Sum("days"))["days"]
        assert order.extended_days == (this_round or 0), order
        if order.status == AppealStatus.CLOSED and order.closing_kind == ClosingKind.VISITED:
            latest = order.visits.order_by("-id").first()
            assert (order.satisfaction, order.resolved) == (latest.satisfaction, latest.resolved)
        assert (
            order.visit_rows
            >= order.reopen_count
            - order.steps.filter(
                action=AppealAction.REOPEN, actor=order.requester_user, actor__isnull=False
            ).count()
        )


def test_every_order_has_its_history_through_the_transition_table(appeals):
    steps = defaultdict(list)
    for step in AppealStep.objects.filter(appeal__in=appeals).order_by("id"):
        steps[step.appeal_id].append(step)

    for order in appeals:
        history = steps[order.pk]
        assert history and history[0].action == appeals_stories.RECEIVE, order
        status = AppealStatus.RECEIVED
        for step in history:
            assert step.created_at >= order.created_at
            if step.action in MOVES:
                assert step.from_status == status, (order, step.action)
                assert APPEAL_TRANSITIONS.target(status, step.action) == step.to_status
                status = step.to_status
            else:
                assert step.from_status == step.to_status == ""
        assert status == order.status, order
        times = [step.created_at for step in history]
        assert times == sorted(times), order
        assert order.updated_at == times[-1]


def test_every_step_has_its_audit_event_and_the_chain_verifies(zone, appeals):
    events = AuditEvent.objects.filter(object_type=APPEAL_OBJECT_TYPE)
    steps = AppealStep.objects.filter(appeal__zone=zone)

    assert events.count() == steps.count()
    by_order = Counter(events.values_list("object_id", flat=True))
    assert by_order == Counter(str(pk) for pk in steps.values_list("appeal_id", flat=True))
    moved = events.filter(data__has_key="from").first()
    assert moved.data["number"] == Appeal.objects.get(pk=moved.object_id).number
    assert audit_verify().ok


def test_the_clock_fields_are_what_the_clock_computes(zone, appeals):
    settings = AppealSettings.objects.get(zone=zone)
    calendar = zone_calendar(zone)

    for order in appeals.exclude(status=AppealStatus.TRANSFERRED):
        result = due(
            calendar,
            start=order.clock_started_at,
            limit=Limit(order.limit_unit, order.limit_amount, order.extended_days),
            workday_ends=settings.workday_ends,
            warn_percent=settings.warn_percent,
        )
        assert (order.due_at, order.warn_at, order.due_provisional) == (
            result.due_at,
            result.warn_at,
            result.provisional,
        ), order
        assert (order.limit_unit, order.limit_amount) == DEFAULT_LIMITS[order.urgency]
        if order.reopen_count == 0:
            assert order.clock_started_at == order.created_at
        if order.dispatched_at:
            assert order.sign_due_at == working_hours_due(
                calendar,
                start=order.dispatched_at,
                hours=settings.sign_within_working_hours,
                workday_starts=settings.workday_starts,
                workday_ends=settings.workday_ends,
            )
            assert order.return_until == order.dispatched_at + dt.timedelta(
                hours=settings.return_window_hours
            )
        if order.signed_at:
            assert order.sign_overdue == (order.signed_at > order.sign_due_at)
        if order.replied_at:
            assert order.overdue == (order.replied_at > order.due_at), order
            assert order.reopen_until == order.replied_at + dt.timedelta(
                days=settings.reopen_window_days
            )
        else:
            assert not order.overdue and order.reopen_until is None
    for order in appeals.filter(status=AppealStatus.TRANSFERRED):
        assert order.due_at is None and order.warn_at is None


def test_assignments_are_current_for_the_lead_department(appeals):
    for order in appeals.prefetch_related("assignments"):
        current = [a for a in order.assignments.all() if a.is_current]
        leads = [a for a in current if a.role == AssignmentRole.LEAD]
        if order.dispatched_at is None:
            assert not current and order.lead_department_id is None, order
            continue
        assert [a.department_id for a in leads] == [order.lead_department_id], order
        assert len({a.department_id for a in current}) == len(current)
        if order.signed_at:
            assert leads[0].signed_at == order.signed_at
    redispatched = appeals.filter(returns__status=ReturnStatus.REDISPATCHED).distinct()
    for order in redispatched:
        former = order.returns.get(status=ReturnStatus.REDISPATCHED).department_id
        assert order.lead_department_id != former
        assert not order.assignments.filter(department_id=former, is_current=True).exists()


def test_numbers_from_the_counter_and_words(zone, appeals):
    years = Counter(timezone.localtime(order.created_at).year for order in appeals)
    for year, count in years.items():
        assert AppealNumberCounter.objects.get(zone=zone, year=year).last == count
        numbers = sorted(
            order.number for order in appeals if timezone.localtime(order.created_at).year == year
        )
        assert numbers == [format_appeal_number(zone.code, year, n) for n in range(1, count + 1)]
    assert not appeals.filter(words="").exists()
    assert all(
        re.fullmatch(r"[2-9A-Z]{8}", code) for code in appeals.values_list("query_code", flat=True)
    )


def test_visits_and_returns_follow_the_story(zone, appeals):
    visited = appeals.filter(closing_kind=ClosingKind.VISITED)
    for order in visited:
        assert order.visits.exists() and order.satisfaction in ("satisfied", "basically")
    bad = AppealVisit.objects.filter(appeal__zone=zone, satisfaction="dissatisfied")
    assert bad.exists()
    for visit in bad.select_related("appeal"):
        assert visit.appeal.reopen_count >= 1
    for order in appeals.filter(designated=True):
        assert order.returns.filter(status=ReturnStatus.DESIGNATED).exists()
    assert (
        not AppealReturn.objects.filter(appeal__zone=zone, status=ReturnStatus.LATE)
        .filter(appeal__designated=True, appeal__return_count=0)
        .exists()
    )


# --- who sees them -------------------------------------------------------------------------------


def test_the_demo_logins_see_their_orders(zone):
    enterprise = User.objects.get(username="enterprise")
    handler = User.objects.get(username="handler")
    dispatcher = User.objects.get(username="dispatcher")

    mine = visible_appeals(enterprise)
    assert mine.count() >= 3
    assert set(mine.values_list("status", flat=True)) >= {
        AppealStatus.ANSWERED,
        AppealStatus.CLOSED,
    }
    queue = visible_appeals(handler)
    assert queue.filter(status=AppealStatus.HANDLING).exists()
    assert (
        queue.filter(status=AppealStatus.DISPATCHED).exists()
        or queue.filter(status=AppealStatus.RETURN_REQUESTED).exists()
    )
    assert visible_appeals(dispatcher).count() == Appeal.objects.filter(zone=zone).count()


def test_loading_again_changes_nothing(zone):
    tables = (Appeal, AppealStep, AppealSupervision, KnowledgeArticle, AppealCategory, AuditEvent)
    before = {model: model.objects.count() for model in tables}

    summary = appeals_data.load_appeals(zone, count=COUNT)

    assert {model: model.objects.count() for model in tables} == before
    assert summary.appeals == before[Appeal]
