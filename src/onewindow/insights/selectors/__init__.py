"""The dashboard's figures (电子监察与统计), in SQL.

For a period [day_from, day_to] (local dates, inclusive) and optional lead department and
item filters, :func:`summary` returns the figures below, for the whole selection, per
department and per item. Every figure is defined once here and in docs/insights.md.

**Population.** Case figures count *item cases*: standalone cases and the children of
bundles (一件事). A bundle's parent case is never counted (its children are, each in its
own department and item), so nothing is counted twice. Only accepted cases count.

- ``accepted`` (受理件数): item cases accepted in the period (``accepted_on``);
  ``tolerated`` (容缺受理) and ``commitment`` (告知承诺) are those of them accepted in that
  mode.
- ``decided`` (办结件数): item cases decided in the period (``decided_on``; approved or
  denied). ``on_time`` (按时办结): those of them decided on or before their deadline
  (``Case.on_time``, fixed at the decision); on-time rate = on_time / decided.
- ``decision_days`` (受理至决定): working days in the zone calendar from acceptance to
  decision, the acceptance day not counted (the clock's rule), over the cases decided in
  the period: average (sum / count) and median (``percentile_cont(0.5)``: the mean of the
  two middle values for an even count). ``delivery_days`` (受理至送达): the same to
  delivery, over the cases delivered in the period (``delivered_on``).
- ``online`` (全程网办): cases decided in the period with no window visit (see
  ``window_visits`` in :mod:`onewindow.insights.facts`: applied online and no material
  received at the window); share = online / decided.
- ``one_visit`` (最多跑一次): cases decided in the period with at most one window visit;
  rate = one_visit / decided.
- ``yellow`` / ``red`` (黄灯 / 红灯, now): running item cases whose clock runs (accepted or
  in review; suspended ones are paused) and whose light is yellow / red today: the one
  definition shared with the supervision board (``CaseQuerySet.due_soon`` / ``.overdue``,
  ADR 0030). The period does not apply.
- ``ratings`` (评价数): ratings given in the period (``rated_on``) of the department
  (the rating's responsible department) and item (a bundle's rating has no item: it
  counts in the totals and its department, not in any item);
  ``satisfaction_rate`` (满意率) is the reviews formula
  (:func:`onewindow.reviews.rates.satisfaction_rate`: (非常满意 + 满意 + 基本满意) / all).
- ``bad`` (差评): those of the ratings that are 不满意 or 非常不满意, by the state of their
  rectification today: ``bad_overdue`` (逾期: open past its deadline, or rectified with
  the return visit past its deadline — the reviews rule), ``bad_open`` (整改中, not
  overdue), ``bad_rectified`` (已整改待回访, not overdue), ``bad_closed`` (已办结).

Medians are per item and for the whole selection (a department's row shows its
average; filter by the department for its median).

**Sources.** Each family of case figures — accepted, decided, delivered — counts the
cases whose date of that family falls in the period (:mod:`onewindow.insights.rows`).
For the days through the zone's ``rolled_through`` mark: counts and sums from the daily
roll-up (:class:`~onewindow.insights.models.DailyFigures`), medians from the facts
(:class:`~onewindow.insights.models.CaseFact`); for the days after it, everything from
the cases themselves, read with the same row definition
(:func:`onewindow.insights.facts.live_rows`). Ratings likewise: ``DailyRatings`` through
the mark, the ratings table after it. A period charted by month reads its whole closed
months from the month roll-up instead (``MonthlyFigures``, ``MonthlyRatings``, and
``MonthlyDurations`` for the medians; :func:`onewindow.insights.rows.stored_parts`).
The states of bad ratings and the lights are always read as they are today.

By question: ``period`` (the period and its checks), ``figures`` (the figures of a
selection, plain data), ``counts`` (the roll-up through the mark, the cases after it, the
lights now), ``medians``, ``ratings`` (ratings and the states of bad ones), ``summary``
(every figure for one question) and ``drill`` (the cases behind one figure). Callers import
from ``onewindow.insights.selectors``.
"""

from onewindow.insights.rows import Filters
from onewindow.insights.selectors.counts import calendar_ready
from onewindow.insights.selectors.drill import (
    DRILL_PAGE_SIZE,
    FIGURE_LABELS,
    FIGURES,
    LIGHT_FIGURES,
    RATING_FIGURES,
    ROW_FIGURES,
    DrillRow,
    figure_cases,
)
from onewindow.insights.selectors.figures import (
    DepartmentRow,
    Figures,
    ItemRow,
    Summary,
    TrendPoint,
)
from onewindow.insights.selectors.medians import median_of_counts
from onewindow.insights.selectors.period import (
    MAX_PERIOD_DAYS,
    check_period,
    default_period,
    public_period,
    today,
)
from onewindow.insights.selectors.ratings import bad_state
from onewindow.insights.selectors.summary import item_names, summary, zone_items

__all__ = [
    "DRILL_PAGE_SIZE",
    "FIGURES",
    "FIGURE_LABELS",
    "LIGHT_FIGURES",
    "MAX_PERIOD_DAYS",
    "RATING_FIGURES",
    "ROW_FIGURES",
    "DepartmentRow",
    "DrillRow",
    "Figures",
    "Filters",
    "ItemRow",
    "Summary",
    "TrendPoint",
    "bad_state",
    "calendar_ready",
    "check_period",
    "default_period",
    "figure_cases",
    "item_names",
    "median_of_counts",
    "public_period",
    "summary",
    "today",
    "zone_items",
]
