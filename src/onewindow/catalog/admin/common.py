"""What the catalog's admin pages share: a service's refusal shown on the form, the
report of a bulk action, model forms and inlines a service writes."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext

from onewindow.catalog.constants import VersionStatus
from onewindow.core.errors import ApplicationError

# -- a refusal of a service, shown on the form ------------------------------------------------


class ServiceRefused(Exception):
    """Raised from ``save_related`` when a service refuses: the transaction of the admin's
    change view rolls back, and the form is shown again with the errors on it."""

    def __init__(self, form, formsets) -> None:
        super().__init__("refused")
        self.form = form
        self.formsets = formsets


def add_form_error(form, field: str | None, message: str) -> None:
    """``form.add_error`` that keeps a message for a field the form does not show."""
    if field is not None and field not in form.fields:
        field = None
    # add_error drops the field from cleaned_data; the form is shown again, not saved.
    form.add_error(field, message)


def add_formset_error(formset, message: str) -> None:
    formset.non_form_errors().append(message)


class ServiceAdminMixin:
    """Saves with a service in ``save_related`` (where the inlines' data is at hand) and
    turns its refusal into errors on the form and the inlines."""

    def save_model(self, request, obj, form, change):
        """Nothing here: the service writes the object and its inlines together."""

    def save_related(self, request, form, formsets, change):
        try:
            saved = self.save_with_service(request, form, formsets, change)
        except ApplicationError as error:
            self.place_errors(error, form, formsets)
            raise ServiceRefused(form, formsets) from error
        # The object the admin logs and redirects to is the one the service wrote.
        form.instance.__dict__.update(
            {name: value for name, value in saved.__dict__.items() if name != "_state"}
        )
        form.instance._state.adding = False

    def save_with_service(self, request, form, formsets, change):  # pragma: no cover
        raise NotImplementedError

    def place_errors(self, error: ApplicationError, form, formsets) -> None:
        if not error.fields:
            add_form_error(form, None, error.message)
            return
        for field, field_messages in error.fields.items():
            for message in field_messages:
                add_form_error(form, field, message)

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": sorted(form.changed_data)}}]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            return self._render_refused(request, object_id, form_url, extra_context, refused)

    def _render_refused(self, request, object_id, form_url, extra_context, refused):
        """The change form again, bound to what was sent, with the service's errors (the
        same context ``ModelAdmin._changeform_view`` builds for an invalid form)."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        add = obj is None
        form, formsets = refused.form, refused.formsets
        fieldsets = self.get_fieldsets(request, obj)
        inline_instances = [
            inline for _formset, inline in self.get_formsets_with_inlines(request, obj)
        ]
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        media = self.media + admin_form.media
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = gettext("Add %s") if add else gettext("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )


def report(modeladmin, request, done: list[str], refused: list[str], done_message: str) -> None:
    if done:
        modeladmin.message_user(
            request, done_message.format(names="、".join(done)), messages.SUCCESS
        )
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


def refusal(name: str, error: ApplicationError) -> str:
    """One line naming the object and every problem the service found."""
    problems = [message for field_messages in error.fields.values() for message in field_messages]
    return gettext("{name}：{problems}").format(
        name=name, problems="；".join(problems) if problems else error.message
    )


class ServiceModelForm(forms.ModelForm):
    """A model form whose object a service writes: the model's uniqueness and constraints
    are not checked here, the service checks the same rules and names the field."""

    def _post_clean(self):
        self.instance.validate_constraints = lambda exclude=None: None
        super()._post_clean()

    def validate_unique(self):
        pass


class DraftOnlyInline(admin.TabularInline):
    """Rows of a version or bundle: editable while it is a draft, shown read-only after."""

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


def inline_rows(formset) -> list[tuple[forms.Form, dict]]:
    """The rows an inline keeps (not deleted, not left empty), in the order shown."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append((form, data))
    return rows
