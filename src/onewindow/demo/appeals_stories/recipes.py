"""The recipes of the stories the demo shows, and ``plan_orders``, which plans about as
many orders as asked, each story at least once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from onewindow.appeals.constants import (
    AppealAction,
    AppealEvent,
    AppealStatus,
    Channel,
    ClosingKind,
    Nature,
    SupervisionLevel,
    SupervisionTrigger,
    Urgency,
)
from onewindow.demo import appeals_texts as texts
from onewindow.demo.appeals_stories.plan import (
    MERGEABLE,
    SPAN_DAYS,
    Plan,
    Stop,
    Topic,
    Who,
)
from onewindow.demo.appeals_stories.planner import Planner
from onewindow.reviews.models import Rating

# --- recipes: (name, weight per 300 orders, channels, natures, needs a contact, own) ----------


def _recipes(p: Planner) -> list[tuple[str, int, Callable[[Plan], None], tuple, dict]]:
    """Each story: a name, its weight among 300 orders, its timeline (raising ``Stop`` when
    it does not fit), the receipt ages in days to try, and how to pick the order."""
    now = p.now
    S = AppealStatus

    def nothing(plan: Plan) -> None:
        return None

    def instant(plan: Plan) -> None:
        appeal = plan.appeal
        article = p.rng.choice(p.s.articles[appeal.category.code])
        version = article.current_version
        at = plan.last + dt.timedelta(minutes=p.rng.uniform(3, 9))
        reply = f"依据知识库《{version.title}》（第{version.number}版）当场答复：{version.body}"
        at = p.move(
            plan,
            AppealAction.ANSWER_NOW,
            at,
            actor=p.s.operator,
            event=AppealEvent.ANSWERED_NOW,
            note=f"引用知识库《{version.title}》第{version.number}版",
        )
        appeal.knowledge_version = version
        appeal.reply = reply[:4000]
        appeal.replied_at = appeal.answered_at = appeal.closed_at = at
        appeal.reopen_until = at + dt.timedelta(days=p.settings.reopen_window_days)
        appeal.closing_kind = ClosingKind.INSTANT

    def dispatched(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        if now >= plan.appeal.sign_due_at:
            raise Stop

    def late_to_sign(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        if now < plan.appeal.sign_due_at + dt.timedelta(minutes=30):
            raise Stop

    def redispatched(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at, other = p.send_back(plan, p.after(plan, plan.last, 0.2, 1.5))
        p.decide_return(plan, p.after(plan, at, 0.3, 2), other, designate=False)

    def return_pending(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at = p.sign(plan) if p.rng.random() < 0.5 else plan.last
        p.send_back(plan, p.after(plan, at, 0.2, 3))

    def designated(plan: Plan, *, close: bool) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at, other = p.send_back(plan, p.after(plan, plan.last, 0.2, 1.5))
        p.decide_return(plan, p.after(plan, at, 0.3, 2), other, designate=True)
        at = p.add_parts(plan, p.sign(plan))
        if close:
            p.closed_round(plan, at)

    def handling(plan: Plan, *, when: str) -> None:
        p.handled(plan, late_sign=p.rng.random() < 0.15)
        appeal = plan.appeal
        if p.rng.random() < 0.2 and appeal.status == S.HANDLING:
            p.late_return(plan, p.after(plan, appeal.return_until, 0.5, 8))
        if when == "green" and not now < appeal.warn_at:
            raise Stop
        if when == "warning" and not appeal.warn_at <= now < appeal.due_at:
            raise Stop
        if when == "overdue":
            if not appeal.due_at < now - dt.timedelta(hours=1):
                raise Stop
            p.watch(plan, now)
            overdue = plan.open_supervisions.get(SupervisionTrigger.OVERDUE)
            if overdue and p.rng.random() < 0.5:
                answer = p.after(plan, overdue.created_at, 1, 6)
                if answer < now - dt.timedelta(minutes=5):
                    p.answer_supervisions(plan, answer)

    def interview(plan: Plan) -> None:
        handling(plan, when="overdue")
        appeal = plan.appeal
        moment = p.office(appeal.due_at, 20)
        if moment > now - dt.timedelta(hours=1):
            raise Stop
        p.supervise(
            plan,
            moment,
            SupervisionTrigger.MANUAL,
            actor=p.s.supervisor,
            level=SupervisionLevel.INTERVIEW,
        )

    def extension(plan: Plan, *, decision: str) -> None:
        at = p.handled(plan)
        p.ask_extension(plan, p.after(plan, at, 2, 10))
        if decision != "pending":
            p.decide_extension(plan, p.after(plan, plan.last, 0.5, 4), approve=decision == "yes")
        appeal = plan.appeal
        if not now < appeal.due_at:
            raise Stop
        if decision == "yes" and p.rng.random() < 0.4:
            p.closed_round(plan, plan.last)

    def late_return(plan: Plan) -> None:
        p.handled(plan)
        p.late_return(plan, p.after(plan, plan.appeal.return_until, 0.5, 10))

    def reopened(plan: Plan, *, times: int, then_close: bool = False) -> None:
        at = p.handled(plan)
        for _ in range(times):
            at = p.answered(plan, at)
            at = p.visit(plan, p.after(plan, at, 3, 16), good=False)
        if then_close:
            p.closed_round(plan, at)

    def requester_reopen(plan: Plan) -> None:
        at = p.answered(plan, p.handled(plan))
        appeal = plan.appeal
        if p.rng.random() < 0.5:
            at = p.visit(plan, p.after(plan, at, 3, 12), good=True)
        moment = p.after(plan, at, 4, 40)
        if moment > appeal.reopen_until:
            raise Stop
        p.reopen(
            plan,
            moment,
            actor=appeal.requester_user,
            note="诉求人申请重办：问题仍未解决。",
        )

    def replied_only(plan: Plan) -> None:
        p.replied(plan, p.handled(plan))

    def rejected(plan: Plan) -> None:
        at = p.replied(plan, p.handled(plan))
        p.review_reply(plan, p.after(plan, at, 0.3, 3), approve=False)

    def answered_waiting(plan: Plan) -> None:
        p.answered(plan, p.handled(plan))
        if not now < plan.appeal.reopen_until:
            raise Stop

    def closed(plan: Plan) -> None:
        late = p.rng.random() < 0.15 and plan.appeal.urgency != Urgency.URGENT
        urgent = plan.appeal.urgency == Urgency.URGENT
        at = p.handled(plan, late_sign=not urgent and p.rng.random() < 0.1)
        p.closed_round(plan, at, late=late)

    def closed_by_centre(plan: Plan) -> None:
        at = p.answered(plan, p.handled(plan))
        p.close_by_centre(plan, p.after(plan, at, 8, 24))

    def not_accepted(plan: Plan) -> None:
        entry = plan.special
        appeal = plan.appeal
        at = p.move(
            plan,
            AppealAction.REFUSE,
            plan.last + dt.timedelta(minutes=p.rng.uniform(4, 10)),
            actor=p.s.operator,
            event=AppealEvent.REFUSED,
            reason=entry[4],
        )
        appeal.redirect_channel = entry[1]
        appeal.reply = entry[4]
        del at

    def transferred(plan: Plan) -> None:
        appeal = plan.appeal
        appeal.emergency_service = plan.special[1]
        appeal.due_at = appeal.warn_at = None
        appeal.due_provisional = False
        p.move(
            plan,
            AppealAction.TRANSFER,
            plan.last + dt.timedelta(minutes=p.rng.uniform(1, 3)),
            actor=p.s.operator,
            event=AppealEvent.TRANSFERRED,
            note=f"已转接{appeal.get_emergency_service_display()}，不计办理时限",
        )

    # (name, weight, timeline, (receipt ages in days), how to pick the order)
    return [
        ("received", 10, nothing, (0.01, 0.12), {}),
        ("instant", 30, instant, (0.1, 58), {"instant": True}),
        ("not_accepted", 10, not_accepted, (0.1, 58), {"special": texts.NOT_ACCEPTED}),
        ("transferred", 6, transferred, (0.1, 58), {"special": texts.EMERGENCIES}),
        ("dispatched", 10, dispatched, (0.01, 1.5), {}),
        ("late_to_sign", 6, late_to_sign, (0.2, 3), {}),
        ("redispatched", 4, redispatched, (0.2, 3), {}),
        ("return_pending", 7, return_pending, (0.05, 1), {}),
        ("designated", 6, lambda plan: designated(plan, close=False), (0.5, 6), {}),
        ("designated_closed", 3, lambda plan: designated(plan, close=True), (8, 58), {}),
        ("handling", 25, lambda plan: handling(plan, when="green"), (0.1, 3), {}),
        ("warning", 12, lambda plan: handling(plan, when="warning"), (3, 12), {}),
        ("overdue", 11, lambda plan: handling(plan, when="overdue"), (8, 25), {}),
        ("interview", 1, interview, (15, 30), {}),
        ("extension_pending", 5, lambda plan: extension(plan, decision="pending"), (1, 6), {}),
        ("extension_approved", 6, lambda plan: extension(plan, decision="yes"), (5, 18), {}),
        ("extension_refused", 4, lambda plan: extension(plan, decision="no"), (1, 6), {}),
        ("late_return", 4, late_return, (2, 6), {}),
        ("reopened", 6, lambda plan: reopened(plan, times=1), (5, 20), {"contact": True}),
        ("reopened_twice", 4, lambda plan: reopened(plan, times=2), (14, 40), {"contact": True}),
        ("requester_reopen", 3, requester_reopen, (5, 20), {"contact": True, "online": True}),
        ("replied", 12, replied_only, (0.5, 6), {}),
        ("reply_rejected", 3, rejected, (1, 6), {}),
        ("answered", 18, answered_waiting, (1, 8), {"contact": True, "own": 2}),
        ("closed", 71, closed, (2, 58), {"own": 2, "urgent": True}),
        ("closed_reopened", 8, lambda plan: reopened(plan, times=1, then_close=True), (12, 58),
         {"contact": True}),
        ("closed_centre", 5, closed_by_centre, (5, 58), {}),
        ("merged", 8, nothing, (0, 0), {"merge": True}),
        ("rating", 2, closed, (0, 0), {"rating": True}),
    ]  # fmt: skip


def plan_orders(planner: Planner, count: int) -> list[Plan]:
    """About ``count`` orders, each story at least once."""
    p = planner
    recipes = _recipes(p)
    total = sum(weight for _name, weight, *_rest in recipes)
    plans: list[Plan] = []
    mergers = []
    for name, weight, timeline, ages, how in recipes:
        wanted = max(1, round(weight * count / total))
        if how.get("merge"):
            mergers.append(wanted)
            continue
        if how.get("rating"):
            for rating in p.ratings[:wanted]:
                plan = _rated(p, rating, timeline)
                if plan is not None:
                    plans.append(plan)
            continue
        for index in range(wanted):
            plan = _one(p, name, timeline, ages, how, own=index < how.get("own", 0))
            if plan is not None:
                plans.append(plan)
    for wanted in mergers:
        plans += _merged(p, plans, wanted)
    return plans


def _one(p: Planner, name, timeline, ages, how, *, own: bool) -> Plan | None:
    special = None
    if how.get("instant"):
        topic = p.topic({Nature.CONSULT}, set(p.s.articles))
        channel = Channel.HOTLINE
    elif how.get("special"):
        special = p.rng.choice(how["special"])
        leaf, _kind, subject, description, *rest = special
        topic = Topic(leaf, Nature.COMPLAINT if rest else Nature.HELP, subject, description,
                      rest[0] if rest else "")  # fmt: skip
        channel = Channel.HOTLINE
    else:
        online = bool(how.get("online") or own)
        topic = p.topic(company=online)
        if online:
            channel = Channel.ONLINE
        else:
            channel = p.rng.choices(
                [Channel.ONLINE, Channel.HOTLINE, Channel.IMPORT], weights=[50, 40, 10]
            )[0]
    who = p.who(topic, channel, contact=how.get("contact", False), own=own)
    urgency = Urgency.NORMAL
    roll = p.rng.random()
    if special is None and not how.get("instant"):
        extended = name.startswith("extension") and roll < 0.5
        if extended or (name in ("closed", "closed_reopened", "designated_closed") and roll < 0.08):
            urgency = Urgency.DIFFICULT
        elif how.get("urgent") and roll > 0.9:
            urgency = Urgency.URGENT
    low, high = ages
    for attempt in range(120):
        # Told again and again further back: around weekends and long holidays (no office
        # hours for days) a story needs more room than on an ordinary Wednesday.
        stretch = 1 + attempt // 30
        received = p.receipt(low, min(high * stretch + attempt // 30, SPAN_DAYS - 1))
        try:
            plan = p.new(name, topic, who, channel=channel, received=received, urgency=urgency)
            plan.topic_reply = topic.reply
            plan.special = special
            if channel == Channel.IMPORT:
                serial = p.rng.randrange(10**5)
                plan.appeal.upstream_id = (
                    f"JS12345-{timezone.localtime(received):%Y%m%d}-{serial:05d}"
                )
            timeline(plan)
        except Stop:
            continue
        return p.finish(plan)
    return None


def _rated(p: Planner, rating: Rating, timeline) -> Plan | None:
    """A 差评 turned into an appeal by the centre (投诉, linked both ways)."""
    applicant = rating.case.applicant
    who = Who(
        requester=applicant,
        user=applicant.users.order_by("pk").first(),
        uscc=applicant.uscc,
        company=applicant.name,
    )
    leaf = "0103"
    description = f"好差评转办：{rating.get_level_display()}。" + (
        rating.comment or "评价人未填写具体意见。"
    )
    topic = Topic(
        leaf,
        Nature.COMPLAINT,
        f"差评转诉求：{rating.case.number}",
        description,
        "已联系评价人核实情况，对服务问题进行整改，并向评价人说明整改结果。",
    )
    start = max(rating.rated_at, p.now - dt.timedelta(days=SPAN_DAYS))
    for _attempt in range(60):
        received = p.office(start, p.rng.uniform(0.5, 6))
        try:
            plan = p.new("rating", topic, who, channel=Channel.RATING, received=received)
            plan.appeal.received_by = p.s.dispatcher
            plan.appeal.rating = rating
            plan.topic_reply = topic.reply
            timeline(plan)
        except Stop:
            continue
        return p.finish(plan)
    return None


def _merged(p: Planner, plans: list[Plan], wanted: int) -> list[Plan]:
    """Orders filed again by the same requester about the same thing while the first was
    still open: the centre merges them into it."""
    targets = [
        plan
        for plan in plans
        if plan.appeal.dispatched_at is not None
        and not plan.appeal.anonymous
        and plan.appeal.status not in (AppealStatus.MERGED,)
        and plan.story in ("handling", "warning", "overdue", "replied", "answered", "closed")
    ]
    p.rng.shuffle(targets)
    made: list[Plan] = []
    for target in targets:
        if len(made) >= wanted:
            break
        source = target.appeal
        first = source.created_at
        for _attempt in range(20):
            received = first + (p.now - first) * p.rng.uniform(0.05, 0.6)
            moment = p.office(received, p.rng.uniform(0.3, 2))
            if (
                moment > p.now - dt.timedelta(minutes=5)
                or target.status_at(moment) not in MERGEABLE
            ):
                continue
            channel = p.rng.choice([Channel.ONLINE, Channel.HOTLINE])
            who = Who(
                requester=source.requester,
                user=source.requester_user if channel == Channel.ONLINE else None,
                uscc=source.subject_uscc,
            )
            if channel == Channel.HOTLINE or who.user is None:
                who.user = None
                who.contact_name = source.contact_name or p.caller()[0]
                who.contact_phone = source.contact_phone or p.caller()[1]
            topic = Topic(
                source.category.code,
                source.nature,
                f"再次反映：{source.subject}"[:80],
                f"{source.description}之前已经反映过，至今还没有结果，请尽快处理。",
                "",
            )
            try:
                plan = p.new("merged", topic, who, channel=channel, received=received)
                p.move(
                    plan,
                    AppealAction.MERGE,
                    moment,
                    actor=p.s.dispatcher,
                    event=AppealEvent.MERGED,
                    note="与此前诉求内容相同，合并办理。",
                )
            except Stop:
                continue
            plan.merge_into = target
            made.append(p.finish(plan))
            break
    return made
