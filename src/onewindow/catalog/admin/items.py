"""Admin of items: the list with each item's versions, "create new draft" and "retire"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.admin.common import ServiceAdminMixin, refusal, report
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Item, ItemVersion
from onewindow.catalog.services import item_draft, item_retire, item_search_terms_set
from onewindow.core.errors import ApplicationError

# -- items ---------------------------------------------------------------------------------------


class VersionSummaryInline(admin.TabularInline):
    """An item's versions, newest first, read-only (a version is edited on its own page)."""

    model = ItemVersion
    fields = ["version", "status", "name", "effective_from", "published_at", "retired_at"]
    readonly_fields = fields
    ordering = ["-version"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("创建新草稿版本"), permissions=["change"])
def create_draft(modeladmin, request, queryset):
    """``item_draft`` for each selected item (or the items of the selected versions)."""
    items = (
        Item.objects.filter(pk__in=queryset.values("item"))
        if queryset.model is ItemVersion
        else queryset
    )
    drafts = [item_draft(item=item, actor=request.user) for item in items]
    if drafts:
        links = format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:catalog_itemversion_change", args=[draft.pk]), str(draft))
                for draft in drafts
            ),
        )
        modeladmin.message_user(
            request,
            format_html("{}{}", gettext("草稿版本已就绪，修改后发布："), links),
            messages.SUCCESS,
        )


@admin.register(Item)
class ItemAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Items by their codes, with the name of the version now published. An item is added
    as its first version (the add page is the version's). Its search terms (synonyms,
    colloquial and English names) are edited here at any time (``item_search_terms_set``)."""

    list_display = ["implementation_code", "published_name", "published_version", "basic_code"]
    list_filter = ["zone"]
    search_fields = ["implementation_code", "basic_code", "versions__name", "search_terms"]
    fields = ["zone", "implementation_code", "basic_code", "search_terms", "created_at"]
    readonly_fields = ["zone", "implementation_code", "basic_code", "created_at"]
    inlines = [VersionSummaryInline]
    actions = [create_draft, "retire"]

    def get_queryset(self, request):
        published = ItemVersion.objects.filter(item=OuterRef("pk"), status=VersionStatus.PUBLISHED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_name=Subquery(published.values("name")[:1]),
                published_number=Subquery(published.values("version")[:1]),
            )
        )

    @admin.display(description=_("现行版本名称"), ordering="published_name")
    def published_name(self, item: Item) -> str:
        return item.published_name or "—"

    @admin.display(description=_("现行版本"), ordering="published_number")
    def published_version(self, item: Item) -> str:
        return f"v{item.published_number}" if item.published_number else gettext("未发布")

    def save_with_service(self, request, form, formsets, change):
        return item_search_terms_set(
            item=form.instance,
            terms=form.cleaned_data.get("search_terms") or "",
            actor=request.user,
        )

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:catalog_itemversion_add"))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("停用所选事项（现行版本转为已停用）"), permissions=["change"])
    def retire(self, request, queryset):
        done, refused = [], []
        for item in queryset:
            try:
                item_retire(item=item, actor=request.user)
                done.append(item.published_name or item.implementation_code)
            except ApplicationError as error:
                refused.append(refusal(item.published_name or item.implementation_code, error))
        report(self, request, done, refused, gettext("已停用：{names}"))
