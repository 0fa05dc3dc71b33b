"""The one adapter from a service's refusal to a page's form (``core.forms``)."""

from __future__ import annotations

import pytest
from django import forms

from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.forms import add_service_error


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)


def _form() -> ReasonForm:
    form = ReasonForm(data={"reason": "x"})
    assert form.is_valid()
    return form


def test_a_message_goes_next_to_the_field_it_names():
    form = _form()
    add_service_error(form, ValidationFailed("first", fields={"reason": ["a", "b"]}))
    assert form.errors == {"reason": ["a", "b"]}


@pytest.mark.parametrize("others", ["above", "drop"])
def test_an_error_naming_no_field_shows_its_message_above_the_form(others):
    form = _form()
    add_service_error(form, Conflict("not now"), others=others)
    assert form.non_field_errors() == ["not now"]
    assert "reason" not in form.errors


def test_a_field_the_form_lacks_is_shown_above_the_form_by_default():
    form = _form()
    error = ValidationFailed("first", fields={"reason": ["a"], "items": ["b", "c"]})
    add_service_error(form, error)
    assert form.errors["reason"] == ["a"]
    assert form.non_field_errors() == ["b", "c"]


def test_a_field_the_form_lacks_can_be_left_out():
    form = _form()
    error = ValidationFailed("first", fields={"reason": ["a"], "items": ["b"]})
    add_service_error(form, error, others="drop")
    assert form.errors == {"reason": ["a"]}


def test_with_only_fields_the_form_lacks_left_out_the_message_goes_above():
    form = _form()
    add_service_error(form, ValidationFailed("whole", fields={"items": ["b"]}), others="drop")
    assert form.errors == {"__all__": ["whole"]}
