"""The desk's links that keep the query in the URL: a tab per queue (its filters kept,
status and page dropped) and a header per sortable column (clicking again reverses it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from onewindow.cases.selectors.desk_queues import DEFAULT_SORT, QUEUES, SORTS, DeskQuery

#: The sortable columns' headings, in the table's order.
COLUMN_LABELS = {
    "number": _("办件编号"),
    "applicant": _("申请人"),
    "item": _("事项"),
    "channel": _("渠道"),
    "status": _("状态"),
    "since": _("等待"),
}


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int
    url: str
    current: bool


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    url: str
    #: "ascending" / "descending" for the column the rows are sorted by, else "".
    sorted: str


def link(query: DeskQuery) -> str:
    params = query.params()
    return "?" + urlencode(params) if params else "?"


def desk_tabs(query: DeskQuery, counts: dict[str, int]) -> list[Tab]:
    return [
        Tab(
            key=key,
            label=str(queue.label),
            count=counts[key],
            url=link(
                DeskQuery(
                    queue=key,
                    item=query.item,
                    channel=query.channel,
                    waiting=query.waiting,
                    sort=query.sort,
                )
            ),
            current=key == query.queue,
        )
        for key, queue in QUEUES.items()
    ]


def sort_columns(query: DeskQuery) -> dict[str, Column]:
    current = query.sort.lstrip("-")
    if current not in SORTS:
        current = DEFAULT_SORT
    descending = query.sort.startswith("-")
    columns = {}
    for key, label in COLUMN_LABELS.items():
        sort = f"-{key}" if key == current and not descending else key
        state = ""
        if key == current:
            state = "descending" if descending else "ascending"
        columns[key] = Column(
            key=key,
            label=str(label),
            url=link(
                DeskQuery(
                    queue=query.queue,
                    item=query.item,
                    channel=query.channel,
                    status=query.status,
                    waiting=query.waiting,
                    sort=sort,
                )
            ),
            sorted=state,
        )
    return columns
