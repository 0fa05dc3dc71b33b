"""Forms of the intake pages (我要反映, 来电登记, the public query): input parsing only. The
rules (required, lengths, folding, who may be anonymous, what an outcome needs) are the
services'; a refusal is put next to the field it names, which is why the fields carry
the services' names. Other parts keep their forms in forms_staff.py, forms_applicant.py
and forms_account.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import (
    MAX_ATTACHMENTS,
    MAX_NAME_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    CallOutcome,
    EmergencyService,
    Nature,
    RedirectChannel,
    Urgency,
)
from onewindow.appeals.models import AppealCategory, KnowledgeArticle
from onewindow.core.inputs import MAX_REFERENCE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content by the service."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(given, initial) for given in data if given]
        return [single(data, initial)] if data else []


def _leaf_categories(zone_id: int | None) -> list[tuple[str, str]]:
    """The zone's active categories people can choose (those without active children),
    labelled with their parent: ``营商环境 · 企业开办``."""
    if zone_id is None:
        return []
    rows = list(
        AppealCategory.objects.filter(zone_id=zone_id, is_active=True)
        .select_related("parent")
        .order_by("code")
    )
    parents = {row.parent_id for row in rows if row.parent_id}
    return [
        (row.code, f"{row.parent.name} · {row.name}" if row.parent_id else row.name)
        for row in rows
        if row.pk not in parents
    ]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", _("请选择")), *choices]


class _Content(forms.Form):
    nature = forms.ChoiceField(label=_("诉求性质"), required=False)
    category = forms.CharField(label=_("诉求分类"), required=False, widget=forms.Select)
    subject = forms.CharField(
        label=_("标题"),
        required=False,  # the service names what is missing, with the API's words
        widget=forms.TextInput(attrs={"maxlength": MAX_SUBJECT_LENGTH}),
    )
    description = forms.CharField(
        label=_("诉求内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_TEXT_LENGTH}),
    )

    def __init__(self, *args, zone_id: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = _choices(Nature.choices)
        self.fields["category"].widget.choices = _choices(_leaf_categories(zone_id))


class SubmitForm(_Content):
    """我要反映 (an applicant's user)."""

    requester = forms.TypedChoiceField(
        label=_("以谁的名义反映"), required=False, coerce=int, empty_value=None
    )
    anonymous = forms.BooleanField(
        label=_("匿名反映（仅限举报、建议）"),
        required=False,
        help_text=_("匿名后不记录您的身份，只能凭工单编号和查询码查询进度；查询码只显示一次。"),
    )
    confidential = forms.BooleanField(
        label=_("对承办部门保密我的姓名和电话"),
        required=False,
        help_text=_("只有12345中心的工作人员能看到，承办部门看到的是部分隐去的信息。"),
    )
    linked_case = forms.CharField(
        label=_("关联办件编号（选填）"),
        required=False,
        help_text=_("与您的某件申请有关时填写，如 SFQ-2026-0000123。"),
        widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "off"}),
    )
    linked_policy = forms.CharField(
        label=_("相关政策（选填）"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 64}),
    )
    attachments = MultipleFileField(
        label=_("附件（选填）"),
        required=False,
        allow_empty_file=True,  # the service says "文件为空" in our words
        help_text=_("最多 {count} 个 PDF、JPEG、PNG 或 OFD 文件。").format(count=MAX_ATTACHMENTS),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.ofd"}),
    )

    field_order = [
        "nature",
        "category",
        "subject",
        "description",
        "requester",
        "anonymous",
        "confidential",
        "linked_case",
        "linked_policy",
        "attachments",
    ]

    def __init__(self, *args, zone_id: int | None, applicants, **kwargs) -> None:
        super().__init__(*args, zone_id=zone_id, **kwargs)
        self.fields["requester"].choices = [(row.pk, row.name) for row in applicants]
        if len(self.fields["requester"].choices) != 1:
            self.fields["requester"].choices = _choices(self.fields["requester"].choices)


class CitedVersionField(forms.TypedChoiceField):
    """The knowledge version an instant answer cites: offered as a choice (the zone's
    articles, or what the seat's lookup found), parsed as a number; whether the version
    may be cited (published, of the zone) is the service's rule, which names the field."""

    def valid_value(self, value) -> bool:
        return True

    def clean(self, value):
        version = super().clean(value)
        if version is not None and not 1 <= version <= MAX_REFERENCE:
            # Beyond the column's range: no version has it (the database would refuse it).
            raise forms.ValidationError(
                _("引用知识：不是本开发区已发布的知识库条目"), code="invalid_choice"
            )
        return version


class CallForm(_Content):
    """来电登记 (the hotline seat)."""

    outcome = forms.ChoiceField(
        label=_("处理方式"),
        required=False,
        choices=CallOutcome.choices,
        initial=CallOutcome.DISPATCH,
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        required=False,
        initial=Urgency.NORMAL,
        choices=[(Urgency.NORMAL, Urgency.NORMAL.label), (Urgency.URGENT, Urgency.URGENT.label)],
        help_text=_("紧急诉求按自然小时计时；疑难件由中心派单时审批。"),
    )
    applicant = forms.CharField(
        label=_("已登记的企业或个人（选填）"),
        required=False,
        help_text=_("填写统一社会信用代码或身份证号码；不填则登记来电人姓名和电话。"),
        widget=forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off"}),
    )
    caller_name = forms.CharField(
        label=_("来电人"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_NAME_LENGTH, "autocomplete": "off"}),
    )
    caller_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "maxlength": 24, "autocomplete": "off"}),
    )
    anonymous = forms.BooleanField(label=_("来电人要求匿名（仅限举报、建议）"), required=False)
    confidential = forms.BooleanField(label=_("来电人要求保密"), required=False)
    knowledge_version = CitedVersionField(
        label=_("引用的知识库条目（即时答复）"), required=False, coerce=int, empty_value=None
    )
    redirect_channel = forms.ChoiceField(
        label=_("告知的渠道（不予受理）"),
        required=False,
        choices=_choices(RedirectChannel.choices),
    )
    emergency_service = forms.ChoiceField(
        label=_("转接的紧急热线"),
        required=False,
        choices=_choices(EmergencyService.choices),
    )
    reply = forms.CharField(
        label=_("答复或告知来电人的内容（即时答复、不予受理）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT_LENGTH}),
    )

    field_order = [
        "outcome",
        "nature",
        "urgency",
        "category",
        "subject",
        "description",
        "applicant",
        "caller_name",
        "caller_phone",
        "anonymous",
        "confidential",
        "knowledge_version",
        "reply",
        "redirect_channel",
        "emergency_service",
    ]

    def __init__(self, *args, zone_id: int | None, **kwargs) -> None:
        super().__init__(*args, zone_id=zone_id, **kwargs)
        self.fields["knowledge_version"].choices = [("", _("请选择")), *_articles(zone_id)]


def _articles(zone_id: int | None) -> list:
    """The zone's published articles, grouped by category, valued by their current
    version (the version an instant answer cites)."""
    if zone_id is None:
        return []
    groups: dict[str, list] = {}
    rows = (
        KnowledgeArticle.objects.filter(
            zone_id=zone_id, is_published=True, current_version__isnull=False
        )
        .select_related("category")
        .order_by("category__code", "title", "pk")
    )
    for row in rows:
        group = str(row.category) if row.category_id else str(_("未分类"))
        groups.setdefault(group, []).append((row.current_version_id, row.title))
    return list(groups.items())


class QueryForm(forms.Form):
    """The public query (诉求查询): number and query code."""

    number = forms.CharField(
        label=_("工单编号"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "SFQ-SQ2026-000001"}),
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RatingAppealForm(forms.Form):
    """差评转诉求: the category the complaint is filed under (the rest comes from the rating)."""

    category = forms.CharField(label=_("诉求分类"), required=False, widget=forms.Select)

    def __init__(self, *args, zone_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _choices(_leaf_categories(zone_id))
