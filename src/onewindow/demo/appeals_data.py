"""The demo zone's appeals (诉求工单, the 12345 一企来 line): the zone's rules and catalogues,
a knowledge base, and a few hundred orders of the last ``SPAN_DAYS`` days in every status.

Built in bulk, not through the services: each order's story (received → dispatched →
signed → … → visited, with returns, designations, extensions, reopenings, 督办 and merges
where its story says so) is planned in memory, every status change checked against the
one transition table (``APPEAL_TRANSITIONS``), and then all rows are written with
``bulk_create``. So every order is what the services would have left:

- the clock fields are those of ``appeals.clock`` over the zone calendar
  (``appeals.selectors.zone_calendar``) from the instant its clock started (its receipt,
  or its latest reopening); approved extensions add working days; ``sign_due_at`` is the
  sign limit in working hours after the latest dispatch; ``return_until`` the return
  window after it; ``overdue`` fixed at the reply; ``reopen_until`` = reply + the reopen
  window (natural days);
- one ``AppealStep`` per action, and the audit event the services append for it, each at
  the past moment it happened (``time_machine``), so the audit trail and the history agree;
- ``AppealAssignment`` rows current for the lead department (and its co-departments),
  ``AppealReturn`` / ``AppealExtension`` / ``AppealVisit`` / ``AppealSupervision`` rows as
  the story goes, and the counts on the order matching them: ``return_count`` (returns
  asked within the window), ``late_return_count`` (late ones, refused), ``extension_count``
  (approved extensions), ``reopen_count`` (reopenings);
- 督办 raised as the zone's ``SupervisionRule`` rows say: an order past its deadline (at
  the next office quarter-hour after it), a 不满意 return visit, a second reopening;
  plus a manual 约谈督办;
- numbers from the zone's counter (``format_appeal_number``, the counter row set to the
  last), ``words`` from ``appeals.similarity.words_of``.

A seeded ``random.Random`` chooses: the same orders each time, dated relative to the
moment the demo is loaded. Idempotent: the rules once per zone, the orders only when the
zone has none.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.db import models, transaction
from django.utils import timezone

from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    DEFAULT_LIMITS,
    AppealStatus,
    Nature,
    SupervisionLevel,
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
from onewindow.appeals.services.common import (
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    format_appeal_number,
)
from onewindow.appeals.services.queue_counts import queue_counts_rebuild
from onewindow.catalog.models import ItemVersion
from onewindow.catalog.search_keys import fold, name_search_keys
from onewindow.core.audit import audit_append
from onewindow.demo import appeals_texts as texts
from onewindow.demo.appeals_stories import SPAN_DAYS as SPAN_DAYS  # the period, in days
from onewindow.demo.appeals_stories import Plan, Planner, plan_orders
from onewindow.org.constants import Role
from onewindow.org.models import Department, RoleAssignment, User, Zone

SEED = 2026
DEFAULT_COUNT = 300
#: The stories are told up to the last quarter hour before the demo is loaded: the same
#: orders whatever the minute the loading reaches them.
ANCHOR_MINUTES = 15

#: The zone's 督办 triggers: (trigger, level, working days to answer).
SUPERVISION_RULES = [
    (SupervisionTrigger.OVERDUE, SupervisionLevel.DAILY, 2),
    (SupervisionTrigger.REOPENED_TWICE, SupervisionLevel.LISTED, 3),
    (SupervisionTrigger.BAD_VISIT, SupervisionLevel.DAILY, 2),
]


# --- the zone's rules, catalogues and knowledge base ----------------------------------------


@dataclass
class Setup:
    zone: Zone
    settings: AppealSettings
    categories: dict[str, AppealCategory]  # by code
    departments: dict[str, Department]  # by code
    leads: dict[str, Department]  # leaf code → lead department
    co: dict[str, list[Department]]  # leaf code → co-departments
    articles: dict[str, list[KnowledgeArticle]]  # leaf code → published articles
    handlers: dict[int, User]  # department id → its appeal handler
    operator: User | None
    dispatcher: User | None
    supervisor: User | None
    rules: dict[str, SupervisionRule]  # trigger → rule


@contextmanager
def _stamps_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """Write the ``auto_now`` / ``auto_now_add`` columns of these models as set on the
    rows (their past moments) instead of now, for the duration of a bulk insert."""
    saved = []
    for model in model_classes:
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                saved.append((model_field, model_field.auto_now, model_field.auto_now_add))
                model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def _first_holder(zone: Zone, role: str) -> User | None:
    assignment = (
        RoleAssignment.objects.filter(role=role, user__zone=zone, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return assignment.user if assignment else None


def _build_setup(zone: Zone, departments: dict[str, Department], handlers: dict[int, User]):
    today = timezone.localdate()
    AppealSettings.objects.create(zone=zone, legal_basis=texts.LEGAL_BASIS)
    valid_from = dt.date(today.year - 1, 1, 1)
    AppealTimeLimit.objects.bulk_create(
        AppealTimeLimit(
            zone=zone,
            nature=nature,
            urgency=urgency,
            unit=DEFAULT_LIMITS[urgency][0],
            amount=DEFAULT_LIMITS[urgency][1],
            valid_from=valid_from,
            legal_basis=texts.LEGAL_BASIS,
        )
        for nature in Nature
        for urgency in Urgency
    )
    roots = AppealCategory.objects.bulk_create(
        AppealCategory(zone=zone, code=code, name=name)
        for code, name, parent in texts.CATEGORIES
        if parent is None
    )
    by_code = {root.code: root for root in roots}
    leaves = AppealCategory.objects.bulk_create(
        AppealCategory(zone=zone, parent=by_code[parent], code=code, name=name)
        for code, name, parent in texts.CATEGORIES
        if parent is not None
    )
    by_code |= {leaf.code: leaf for leaf in leaves}
    rules = DispatchRule.objects.bulk_create(
        DispatchRule(zone=zone, category=by_code[leaf], lead_department=departments[lead])
        for leaf, (lead, _co) in texts.DISPATCH.items()
    )
    DispatchRule.co_departments.through.objects.bulk_create(
        DispatchRule.co_departments.through(dispatchrule_id=rule.pk, department_id=department.pk)
        for rule in rules
        for department in (departments[code] for code in texts.DISPATCH[rule.category.code][1])
    )
    SupervisionRule.objects.bulk_create(
        SupervisionRule(zone=zone, trigger=trigger, level=level, answer_within_days=days)
        for trigger, level, days in SUPERVISION_RULES
    )
    _build_knowledge(zone, by_code, departments, handlers, today)


def _build_knowledge(zone, categories, departments, handlers, today: dt.date) -> None:
    """A few dozen articles, each edited by its category's lead department; some with an
    earlier version (the rule changed), all published."""
    first = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=400), dt.time(10)))
    revised = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=90), dt.time(15)))
    articles, versions, plans = [], [], []
    for index, (leaf, title, body, earlier, _items) in enumerate(texts.ARTICLES):
        department = departments[texts.DISPATCH[leaf][0]]
        editor = handlers.get(department.pk)
        created = first + dt.timedelta(days=index)
        latest = revised + dt.timedelta(days=index) if earlier else created
        full, initials = name_search_keys(title)
        article = KnowledgeArticle(
            zone=zone,
            department=department,
            category=categories[leaf],
            title=title,
            is_published=True,
            search_folded=fold(f"{title}\n{body}"),
            search_initials=initials,
            search_pinyin=full,
            created_at=created,
            updated_at=latest,
        )
        articles.append(article)
        bodies = [(earlier, created), (body, latest)] if earlier else [(body, created)]
        own = [
            KnowledgeVersion(
                article=article,
                number=number,
                title=title,
                body=text,
                created_by=editor,
                created_at=moment,
            )
            for number, (text, moment) in enumerate(bodies, start=1)
        ]
        versions += own
        plans.append((article, own[-1]))
    with _stamps_as_given(KnowledgeArticle, KnowledgeVersion):
        KnowledgeArticle.objects.bulk_create(articles)
        KnowledgeVersion.objects.bulk_create(versions)
        for article, current in plans:
            article.current_version = current
        KnowledgeArticle.objects.bulk_update(articles, ["current_version"])
    names = {name for *_rest, items in texts.ARTICLES for name in items}
    item_ids = dict(
        ItemVersion.objects.published()
        .filter(item__zone=zone, name__in=names)
        .values_list("name", "item_id")
    )
    KnowledgeArticle.items.through.objects.bulk_create(
        KnowledgeArticle.items.through(knowledgearticle_id=article.pk, item_id=item_ids[name])
        for article, (*_rest, items) in zip(articles, texts.ARTICLES, strict=True)
        for name in items
        if name in item_ids
    )


def load_setup(zone: Zone) -> Setup:
    """The zone's appeal rules, limits, category tree, dispatch catalogue, 督办 rules and
    knowledge base (built the first time)."""
    departments = {d.code: d for d in Department.objects.filter(zone=zone)}
    handlers: dict[int, User] = {}
    for assignment in (
        RoleAssignment.objects.filter(role=Role.APPEAL_HANDLER, user__zone=zone)
        .select_related("user")
        .order_by("user_id")
    ):
        handlers.setdefault(assignment.department_id, assignment.user)
    with transaction.atomic():
        if not AppealSettings.objects.filter(zone=zone).exists():
            _build_setup(zone, departments, handlers)
    categories = {c.code: c for c in AppealCategory.objects.filter(zone=zone)}
    leads, co = {}, {}
    for rule in (
        DispatchRule.objects.filter(zone=zone)
        .select_related("category", "lead_department")
        .prefetch_related("co_departments")
    ):
        leads[rule.category.code] = rule.lead_department
        co[rule.category.code] = sorted(rule.co_departments.all(), key=lambda d: d.pk)
    articles: dict[str, list[KnowledgeArticle]] = {}
    for article in (
        KnowledgeArticle.objects.filter(zone=zone, is_published=True)
        .select_related("category", "current_version")
        .order_by("pk")
    ):
        if article.category is not None and article.current_version is not None:
            articles.setdefault(article.category.code, []).append(article)
    return Setup(
        zone=zone,
        settings=AppealSettings.objects.get(zone=zone),
        categories=categories,
        departments=departments,
        leads=leads,
        co=co,
        articles=articles,
        handlers=handlers,
        operator=_first_holder(zone, Role.HOTLINE_OPERATOR),
        dispatcher=_first_holder(zone, Role.DISPATCHER),
        supervisor=_first_holder(zone, Role.SUPERVISOR),
        rules={rule.trigger: rule for rule in SupervisionRule.objects.filter(zone=zone)},
    )


# --- writing -----------------------------------------------------------------------------------


@dataclass
class AppealsSummary:
    appeals: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    sample: tuple[str, str] | None = None  # (number, query code) of an anonymous 举报
    articles: int = 0
    categories: int = 0


def _write(p: Planner, plans: list[Plan]) -> None:
    zone = p.s.zone
    plans.sort(key=lambda plan: (plan.appeal.created_at, plan.story))
    last: Counter[int] = Counter()
    for plan in plans:
        appeal = plan.appeal
        year = timezone.localtime(appeal.created_at).year
        last[year] += 1
        appeal.number = format_appeal_number(zone.code, year, last[year])
        appeal.query_code = "".join(
            p.rng.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH)
        )
        appeal.updated_at = plan.last
    AppealNumberCounter.objects.bulk_create(
        AppealNumberCounter(zone=zone, year=year, last=count) for year, count in last.items()
    )
    with _stamps_as_given(
        Appeal,
        AppealAssignment,
        AppealStep,
        AppealReturn,
        AppealExtension,
        AppealVisit,
        AppealSupervision,
    ):
        Appeal.objects.bulk_create(plan.appeal for plan in plans if plan.merge_into is None)
        for plan in plans:
            if plan.merge_into is not None:
                plan.appeal.merged_into = plan.merge_into.appeal
        Appeal.objects.bulk_create(plan.appeal for plan in plans if plan.merge_into is not None)
        rows: dict[type[models.Model], list[models.Model]] = {}
        for plan in plans:
            for name in ("assignments", "returns", "extensions", "visits", "supervisions"):
                for row in getattr(plan, name):
                    row.appeal = plan.appeal
                    rows.setdefault(type(row), []).append(row)
        for model, objects in rows.items():
            model.objects.bulk_create(objects)
        steps = []
        for plan in plans:
            for at, step in plan.steps:
                step.appeal = plan.appeal
                steps.append((at, plan.appeal.number, step))
        steps.sort(key=lambda entry: (entry[0], entry[1]))
        AppealStep.objects.bulk_create(step for _at, _number, step in steps)
    events = [(event.at, plan.appeal, event) for plan in plans for event in plan.events]
    events.sort(key=lambda entry: (entry[0], entry[1].number))
    for at, appeal, event in events:
        with time_machine.travel(at, tick=False):
            audit_append(
                action=event.action,
                actor=event.actor.get_username() if event.actor else "system",
                actor_id=event.actor.pk if event.actor else "",
                object_type=APPEAL_OBJECT_TYPE,
                object_id=appeal.pk,
                data={**event.data, "number": appeal.number},
            )


def summary(zone: Zone) -> AppealsSummary:
    appeals = Appeal.objects.filter(zone=zone)
    counts = dict(Counter(appeals.values_list("status", flat=True)))
    sample = (
        appeals.filter(anonymous=True, nature=Nature.REPORT)
        .order_by("-created_at")
        .values_list("number", "query_code")
        .first()
    )
    return AppealsSummary(
        appeals=sum(counts.values()),
        by_status={status: counts[status] for status in AppealStatus.values if status in counts},
        sample=tuple(sample) if sample else None,
        articles=KnowledgeArticle.objects.filter(zone=zone).count(),
        categories=AppealCategory.objects.filter(zone=zone).count(),
    )


def anchor(now: dt.datetime) -> dt.datetime:
    """``now`` floored to the quarter hour (``ANCHOR_MINUTES``)."""
    local = timezone.localtime(now)
    return local.replace(
        minute=local.minute - local.minute % ANCHOR_MINUTES, second=0, microsecond=0
    )


def load_appeals(zone: Zone, *, count: int = DEFAULT_COUNT) -> AppealsSummary:
    """The zone's appeal rules and knowledge base, and about ``count`` orders (once: no
    orders are added when the zone has any)."""
    setup = load_setup(zone)
    if count > 0 and not Appeal.objects.filter(zone=zone).exists():
        import jieba  # its dictionary loads once here; the demo's output stays quiet

        jieba.setLogLevel(logging.WARNING)
        with transaction.atomic():
            planner = Planner(
                setup, now=anchor(timezone.now()), rng=random.Random(f"{SEED}:appeals")
            )
            _write(planner, plan_orders(planner, count))
            # Written in bulk, not through the services: count them into the queue roll-up.
            queue_counts_rebuild(zone)
    return summary(zone)
