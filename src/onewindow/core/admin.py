"""Admin of core records, all read-only here.

Holiday notices are loaded with the management command (it validates the whole notice,
bumps the calendar revision and writes the audit chain); audit events are append-only
and protected from change (等保 level 3), so the admin only lists them; notifications are
written by ``core.notifications.notify`` and read by their recipients. Message templates
are the one record administrators edit here (validated and audited by the service).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import (
    AuditEvent,
    AuditLink,
    HolidayNotice,
    HolidayNoticeDay,
    Notification,
    NotificationTemplate,
)
from onewindow.core.notifications.kinds import template_kinds
from onewindow.core.notifications.templates import (
    notification_template_delete,
    notification_template_save,
)


class ReadOnlyAdminMixin:
    """Viewing only, even for superusers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HolidayNoticeDayInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HolidayNoticeDay
    fields = ["date", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "title", "document_number", "loaded_at", "loaded_by"]
    search_fields = ["title", "document_number"]
    fields = ["year", "title", "document_number", "loaded_at", "loaded_by"]
    readonly_fields = fields
    inlines = [HolidayNoticeDayInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "occurred_at", "actor", "action", "object_display"]
    list_display_links = ["id"]
    list_filter = ["action", "object_type"]
    search_fields = ["=id", "actor", "=actor_id", "=object_id"]
    ordering = ["-id"]
    # Counting a long chain on every page is slow; the pager does not need it.
    show_full_result_count = False
    fields = [
        "id",
        "occurred_at",
        "actor",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "ip_address",
        "data",
        "link_sequence",
        "link_previous_hash",
        "link_hash",
    ]
    readonly_fields = fields

    def _link(self, event: AuditEvent):
        return AuditLink.objects.filter(event=event).first()

    @admin.display(description=_("链序号"))
    def link_sequence(self, event: AuditEvent) -> str:
        link = self._link(event)
        return str(link.sequence) if link else _("尚未入链")

    @admin.display(description=_("前一哈希"))
    def link_previous_hash(self, event: AuditEvent) -> str:
        link = self._link(event)
        return link.previous_hash if link else "—"

    @admin.display(description=_("哈希"))
    def link_hash(self, event: AuditEvent) -> str:
        link = self._link(event)
        return link.hash if link else "—"

    @admin.display(description=_("对象"))
    def object_display(self, event: AuditEvent) -> str:
        if not event.object_type:
            return "—"
        return f"{event.object_type}:{event.object_id}"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "subject_type", "subject_id", "created_at", "read_at"]
    list_filter = ["kind", "subject_type"]
    search_fields = ["=subject_id", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False


def _kind_choices():
    return [(kind.name, f"{kind.name}：{kind.template.title}") for kind in template_kinds()]


class NotificationTemplateForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("消息类别"), choices=_kind_choices)

    class Meta:
        model = NotificationTemplate
        fields = ["kind", "language", "title", "body"]


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """消息模板: replaces a kind's built-in words for one language; the placeholders and
    the built-in words are shown beside the form."""

    form = NotificationTemplateForm
    list_display = ["kind", "language", "title", "updated_at", "updated_by"]
    list_filter = ["kind", "language"]
    fields = ["kind", "language", "title", "body", "placeholders_help", "updated_by"]
    readonly_fields = ["placeholders_help", "updated_by"]

    @admin.display(description=_("占位符与内置文字"))
    def placeholders_help(self, obj):
        rows = []
        for kind in template_kinds():
            names = format_html_join(
                "、",
                "<code>{{{}}}</code>（{}）",
                ((name, label) for name, label in kind.template.placeholders.items()),
            )
            rows.append(
                format_html(
                    "<p><strong>{}</strong>：{}<br>{}<br><small>{}</small></p>",
                    kind.name,
                    names,
                    kind.template.title,
                    kind.template.body,
                )
            )
        return format_html_join("", "{}", ((row,) for row in rows))

    def save_model(self, request, obj, form, change):
        notification_template_save(template=obj, actor=request.user)

    def delete_model(self, request, obj):
        notification_template_delete(template=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for template in queryset:
            notification_template_delete(template=template, actor=request.user)
