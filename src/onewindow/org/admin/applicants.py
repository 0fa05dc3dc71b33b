"""Admin of applicants and representations: the one identifier rule, every write through
the services (ADR 0015)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import validate_id_number, validate_passport_number, validate_uscc
from onewindow.core.throttle import request_address
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Representation
from onewindow.org.permissions import (
    can_search_by_identifier,
    can_view_full_identifier,
    is_personal,
    visible_applicants,
)
from onewindow.org.services import (
    APPLICANT_FIELDS,
    IdentifierChannel,
    applicant_add,
    applicant_change,
    applicant_remove,
    identifier_lookup_record,
    identifier_query,
    identifier_show,
    representation_add,
    representation_change,
    representation_remove,
)

# -- applicants -----------------------------------------------------------------------

#: The identifier column each kind of applicant uses, and its validator.
IDENTIFIER_FIELDS = {
    ApplicantKind.ENTERPRISE: ("uscc", validate_uscc),
    ApplicantKind.PERSON: ("id_number", validate_id_number),
    ApplicantKind.FOREIGNER: ("passport_number", validate_passport_number),
}


class ApplicantAdminForm(forms.ModelForm):
    """Identifiers go through the service layer's validators; errors land on their field.

    ``identifier_masked`` (set per request by the admin): the viewer may not see this
    person's number, so its field starts empty with the masked number beside it; left
    empty it keeps the stored number, filled in it replaces it."""

    identifier_masked = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if self.identifier_masked and instance.pk and instance.kind in IDENTIFIER_FIELDS:
            name = IDENTIFIER_FIELDS[instance.kind][0]
            self.initial[name] = ""
            self.fields[name].help_text = gettext(
                "已登记：{masked}（已脱敏）。留空则保持不变；填写则替换为新的号码。"
            ).format(masked=instance.masked_identifier)

    def _kept_identifier(self, field: str, value: str) -> str:
        """An empty masked field keeps the stored number of the same kind."""
        instance = self.instance
        if (
            self.identifier_masked
            and not (value or "").strip()
            and instance.pk
            and IDENTIFIER_FIELDS.get(instance.kind, ("",))[0] == field
        ):
            return getattr(Applicant.objects.get(pk=instance.pk), field)
        return value

    class Meta:
        model = Applicant
        fields = list(APPLICANT_FIELDS)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind not in IDENTIFIER_FIELDS:
            return cleaned
        field, validate = IDENTIFIER_FIELDS[kind]
        try:
            value = self._kept_identifier(field, cleaned.get(field, ""))
            cleaned[field] = validate(value, field=field)
        except ValidationFailed as error:
            for name, messages in (error.fields or {field: [error.message]}).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        for other, _validator in IDENTIFIER_FIELDS.values():
            if other != field and cleaned.get(other):
                self.add_error(
                    other,
                    gettext("{kind}申请人不填写此项").format(kind=ApplicantKind(kind).label),
                )
        nationality = cleaned.get("nationality")
        if kind == ApplicantKind.FOREIGNER:
            if not nationality:
                self.add_error("nationality", gettext("国籍不能为空"))
            elif str(nationality) == "CN":
                self.add_error("nationality", gettext("外国人申请人的国籍不能是中国"))
        elif nationality:
            self.add_error("nationality", gettext("只有外国人申请人填写国籍"))
        if field in cleaned and not self.has_error(field):
            self._check_unique(field, cleaned[field], nationality)
        return cleaned

    def _check_unique(self, field: str, value: str, nationality) -> None:
        duplicates = Applicant.objects.filter(**{field: value})
        if field == "passport_number":
            duplicates = duplicates.filter(nationality=nationality or "")
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            self.add_error(field, gettext("该证件号码已登记"))


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["user"]


def _admin_applicants(request, queryset):
    """The admin's applicants: those of the user's zone; every zone's for an installation
    account without a zone (``onewindow createsuperuser``), ADR 0015."""
    user = request.user
    if user.zone_id is None and user.is_superuser:
        return queryset
    return visible_applicants(user, queryset)


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    """Applicants of the user's zone. A personal number is shown by the one rule
    (``org.permissions``): masked for a role that may not see it (it may still be replaced
    by a new number), in full, and recorded, for one that may. Every add, change and
    removal, of the applicant or of its representations, goes through the services and
    into the audit chain."""

    form = ApplicantAdminForm
    list_display = ["name", "kind", "masked_identifier_display", "park", "legal_representative"]
    list_filter = ["kind", "park"]
    list_select_related = ["park"]
    # What the autocomplete of representations needs; each request gets its own search
    # fields from get_search_fields below (numbers only for the roles that may see them).
    search_fields = ["name", "=uscc"]
    inlines = [RepresentationInline]
    fieldsets = (
        (None, {"fields": ("kind", "name", "park")}),
        (
            _("证件"),
            {
                "fields": ("uscc", "id_number", "passport_number", "nationality"),
                "description": _(
                    "企业填写统一社会信用代码，个人填写居民身份证号码，"
                    "外国人填写护照号码和国籍；保存时校验。"
                ),
            },
        ),
        (_("联系信息"), {"fields": ("legal_representative", "phone", "address")}),
    )

    @admin.display(description=_("证件号码（脱敏）"))
    def masked_identifier_display(self, applicant: Applicant) -> str:
        return applicant.masked_identifier

    def get_queryset(self, request):
        return _admin_applicants(request, super().get_queryset(request))

    def get_search_fields(self, request):
        # Identifiers are searched by the complete number only, never by a fragment; a
        # person's number only by the roles that may see it.
        if can_search_by_identifier(request.user):
            return ["name", "=uscc", "=id_number", "=passport_number"]
        return ["name", "=uscc"]

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term and can_search_by_identifier(request.user):
            number = identifier_query(search_term)
            found = list(queryset.filter(Q(id_number=number) | Q(passport_number=number)))
            identifier_lookup_record(
                actor=request.user,
                query=number,
                found=found,
                channel=IdentifierChannel.ADMIN,
                ip_address=request_address(request),
            )
        return results, duplicates

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        masked = (
            obj is not None and is_personal(obj) and not can_view_full_identifier(request.user, obj)
        )
        return type(form.__name__, (form,), {"identifier_masked": masked})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # The one full view of this response (the form shows the number in full).
            identifier_show(
                viewer=request.user,
                applicant=obj,
                channel=IdentifierChannel.ADMIN,
                purpose="admin_change_form",
                ip_address=request_address(request),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {
                name: data[name]
                for name in form.changed_data
                if name in APPLICANT_FIELDS and name in data
            }
            saved = applicant_change(actor=request.user, applicant=obj, changes=changes)
        else:
            saved = applicant_add(
                actor=request.user,
                **{
                    name: data.get(name) or "" for name in APPLICANT_FIELDS if name not in ("park",)
                },
                park=data.get("park"),
            )
        obj.pk = saved.pk
        obj._state.adding = False
        obj.created_at = saved.created_at
        obj.updated_at = saved.updated_at

    def save_formset(self, request, form, formset, change):
        if formset.model is not Representation:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for representation in formset.deleted_objects:
            representation_remove(actor=request.user, representation=representation)
        for representation, changed in formset.changed_objects:
            if "user" in changed:
                old = Representation.objects.get(pk=representation.pk)
                representation_remove(actor=request.user, representation=old)
                representation_add(
                    actor=request.user,
                    applicant=form.instance,
                    user=representation.user,
                    capacity=representation.capacity,
                )
            else:
                old = Representation.objects.select_related("user").get(pk=representation.pk)
                representation_change(
                    actor=request.user, representation=old, capacity=representation.capacity
                )
        for representation in formset.new_objects:
            representation_add(
                actor=request.user,
                applicant=form.instance,
                user=representation.user,
                capacity=representation.capacity,
            )
        return None

    def delete_model(self, request, obj):
        applicant_remove(actor=request.user, applicant=obj)

    def delete_queryset(self, request, queryset):
        for applicant in queryset:
            applicant_remove(actor=request.user, applicant=applicant)


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin):
    """Who acts for which applicant: added, changed and removed through the services."""

    list_display = ["user", "applicant", "capacity", "created_at"]
    list_filter = ["capacity"]
    list_select_related = ["user", "applicant"]
    search_fields = ["user__username", "user__display_name", "applicant__name"]
    autocomplete_fields = ["user", "applicant"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(applicant__in=_admin_applicants(request, Applicant.objects.all()))

    def get_readonly_fields(self, request, obj=None):
        # Another user or applicant is another representation: remove this one, add that.
        return ["user", "applicant"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            old = Representation.objects.select_related("user").get(pk=obj.pk)
            saved = representation_change(
                actor=request.user, representation=old, capacity=obj.capacity
            )
        else:
            saved = representation_add(
                actor=request.user, applicant=obj.applicant, user=obj.user, capacity=obj.capacity
            )
        obj.pk = saved.pk
        obj._state.adding = False
        obj.created_at = saved.created_at

    def delete_model(self, request, obj):
        representation_remove(actor=request.user, representation=obj)

    def delete_queryset(self, request, queryset):
        for representation in queryset.select_related("user"):
            representation_remove(actor=request.user, representation=representation)
