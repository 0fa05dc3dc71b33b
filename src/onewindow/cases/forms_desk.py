"""The desk's filter form (窗口工作台): the queue, item or bundle, channel, status, waiting
days and the sort, all read from the URL. A bad value is named beside its field and left
out of the query; the rest still applies."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import CaseChannel, CaseStatus
from onewindow.cases.lookup import fold
from onewindow.cases.selectors.desk_queues import (
    DEFAULT_SORT,
    MAX_WAITING_DAYS,
    PRE_REVIEW,
    QUEUES,
    SORTS,
    DeskQuery,
)
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion

SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


def item_choices(zone) -> list[tuple[str, str]]:
    """The zone's published items (``i<item pk>``) and bundles (``b<bundle pk>``)."""
    items = (
        ItemVersion.objects.published()
        .filter(item__zone=zone)
        .order_by("name", "item_id")
        .values_list("item_id", "name")
    )
    bundles = (
        Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    choices = [(f"i{pk}", name) for pk, name in items]
    choices += [(f"b{pk}", _("一件事：{name}").format(name=name)) for pk, name in bundles]
    return [("", _("全部事项")), *choices]


class DeskFilterForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("队列"),
        required=False,
        choices=[(key, queue.label) for key, queue in QUEUES.items()],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("队列：请从列表中选择")},
    )
    item = forms.ChoiceField(
        label=_("事项"),
        required=False,
        error_messages={"invalid_choice": _("事项：请从列表中选择")},
    )
    channel = forms.ChoiceField(
        label=_("渠道"),
        required=False,
        choices=[("", _("全部渠道")), *CaseChannel.choices],
        error_messages={"invalid_choice": _("渠道：请从列表中选择")},
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *CaseStatus.choices],
        error_messages={"invalid_choice": _("状态：请从列表中选择")},
    )
    waiting = forms.IntegerField(
        label=_("已等待天数"),
        required=False,
        min_value=0,
        max_value=MAX_WAITING_DAYS,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 0, "placeholder": _("至少几天（自然日）")}
        ),
        error_messages={
            "invalid": _("已等待天数：请输入整数"),
            "min_value": _("已等待天数：不能小于 %(limit_value)s"),
            "max_value": _("已等待天数：不能大于 %(limit_value)s"),
        },
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=SORT_CHOICES,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("排序：请点击列标题排序")},
    )

    def __init__(self, data: QueryDict | None = None, *, zone, **kwargs):
        if data is not None:
            data = data.copy()
            for name in ("waiting", "item", "channel", "status", "queue", "sort"):
                if name in data:  # full-width digits and blanks typed or pasted
                    data[name] = fold(data[name])
        super().__init__(data, **kwargs)
        self.fields["item"].choices = item_choices(zone)

    def desk_query(self) -> DeskQuery:
        """The query of the valid fields (an invalid one is left out, and named)."""
        if not self.is_bound:
            return DeskQuery()
        self.is_valid()
        values = {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
        }
        return DeskQuery(
            queue=values.get("queue", PRE_REVIEW),
            item=values.get("item", ""),
            channel=values.get("channel", ""),
            status=values.get("status", ""),
            waiting=values.get("waiting"),
            sort=values.get("sort", DEFAULT_SORT),
        )
