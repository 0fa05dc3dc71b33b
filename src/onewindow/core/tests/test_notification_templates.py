"""core.NotificationTemplate: an administrator's wording replaces a kind's built-in words for
one language; only the kind's own placeholders are accepted (refused on save, naming the
field and the placeholder); saving and deleting are audited; a stored wording that no
longer fits falls back to the built-in words."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from onewindow.core.models import AuditEvent, Notification, NotificationTemplate
from onewindow.core.notifications import notify, register_template_kind
from onewindow.core.notifications.templates import (
    TEMPLATE_CHANGED,
    TEMPLATE_DELETED,
    notification_template_delete,
    notification_template_save,
)
from onewindow.testing.clients import otp_login

pytestmark = pytest.mark.django_db

KIND = "core_test_parcel"


def _values(context):
    return {"number": context["number"], "place": context["place"].upper()}


register_template_kind(
    KIND,
    title=gettext_lazy("包裹 {number}"),
    body=gettext_lazy("包裹 {number} 已到 {place}"),
    placeholders={"number": gettext_lazy("编号"), "place": gettext_lazy("地点")},
    values=_values,
)

CONTEXT = {"number": "P-1", "place": "hall", "language": "zh-hans"}


def test_without_a_template_the_built_in_words_are_used(make_staff):
    user = make_staff("window_clerk", username="parcel")
    row = notify(user, KIND, CONTEXT)
    assert (row.title, row.text) == ("包裹 P-1", "包裹 P-1 已到 HALL")


def test_a_template_of_the_recipients_language_replaces_them(make_staff):
    user = make_staff("window_clerk", username="parcel")
    NotificationTemplate.objects.create(
        kind=KIND, language="zh-hans", body="请到 {place} 取 {number}"
    )
    NotificationTemplate.objects.create(kind=KIND, language="en", title="Parcel {number}", body="x")

    chinese = notify(user, KIND, CONTEXT)
    english = notify(user, KIND, {**CONTEXT, "language": "en"})

    assert (chinese.title, chinese.text) == (
        "包裹 P-1",
        "请到 HALL 取 P-1",
    )  # blank title: built-in
    assert (english.title, english.text) == ("Parcel P-1", "x")


def test_a_stored_template_that_no_longer_fits_falls_back(make_staff, caplog):
    user = make_staff("window_clerk", username="parcel")
    NotificationTemplate.objects.bulk_create(  # written around the checks, as an old row would be
        [NotificationTemplate(kind=KIND, language="zh-hans", body="{gone} {number}")]
    )
    row = notify(user, KIND, CONTEXT)
    assert row.text == "包裹 P-1 已到 HALL"
    assert "no longer fits" in caplog.text


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("body", "到 {where} 取", "未知的占位符：{where}"),
        ("body", "{number.__class__}", "未知的占位符：{number.__class__}"),
        ("body", "{number!r}", "未知的占位符：{number!r}"),
        ("body", "{number:>20}", "未知的占位符：{number:>20}"),
        ("title", "{0}", "未知的占位符：{0}"),
        ("body", "{number", "花括号不成对"),
        ("body", "   ", "请填写消息正文"),
    ],
)
def test_a_bad_template_is_refused_naming_the_field(make_staff, field, text, words):
    admin_user = make_staff("administrator", username="admin1")
    template = NotificationTemplate(kind=KIND, language="zh-hans", title="", body="{number}")
    setattr(template, field, text)

    with pytest.raises(ValidationError) as refused:
        notification_template_save(template=template, actor=admin_user)

    messages = refused.value.message_dict[field]
    assert any(words in message for message in messages), messages
    if "未知" in words:
        assert "{number}、{place}" in messages[0]  # says what may be used
    assert not NotificationTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action=TEMPLATE_CHANGED).exists()


def test_an_unknown_kind_is_refused(make_staff):
    admin_user = make_staff("administrator", username="admin1")
    template = NotificationTemplate(
        kind="task_yellow", language="zh-hans", body="x"
    )  # not editable
    with pytest.raises(ValidationError) as refused:
        notification_template_save(template=template, actor=admin_user)
    assert "kind" in refused.value.message_dict


def test_braces_can_be_written_doubled(make_staff):
    admin_user = make_staff("administrator", username="admin1")
    template = NotificationTemplate(kind=KIND, language="zh-hans", body="{{注意}} {number}")
    notification_template_save(template=template, actor=admin_user)
    assert notify(admin_user, KIND, CONTEXT).text == "{注意} P-1"


def test_saving_and_deleting_are_audited(make_staff):
    admin_user = make_staff("administrator", username="admin1")
    template = NotificationTemplate(kind=KIND, language="en", body="{number} at {place}")

    notification_template_save(template=template, actor=admin_user)
    notification_template_delete(template=template, actor=admin_user)

    changed = AuditEvent.objects.get(action=TEMPLATE_CHANGED)
    assert changed.actor == "admin1" and changed.object_id == f"{KIND}:en"
    assert changed.data["body"] == "{number} at {place}"
    assert AuditEvent.objects.filter(action=TEMPLATE_DELETED, object_id=f"{KIND}:en").exists()
    assert not NotificationTemplate.objects.exists()


def test_one_template_per_kind_and_language(make_staff):
    admin_user = make_staff("administrator", username="admin1")
    notification_template_save(
        template=NotificationTemplate(kind=KIND, language="en", body="{number}"), actor=admin_user
    )
    with pytest.raises(ValidationError):
        notification_template_save(
            template=NotificationTemplate(kind=KIND, language="en", body="{place}"),
            actor=admin_user,
        )


def test_a_kind_with_a_placeholder_it_does_not_offer_is_refused_at_registration():
    with pytest.raises(ImproperlyConfigured):
        register_template_kind(
            "core_test_broken",
            title="x",
            body="{missing}",
            placeholders={"number": "编号"},
            values=_values,
        )


def test_the_admin_form_saves_through_the_service_and_shows_the_placeholders(client, make_staff):
    superuser = make_staff("administrator", username="root")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    otp_login(client, superuser)
    add = reverse("admin:core_notificationtemplate_add")

    page = client.get(add).content.decode()
    assert "{place}" in page and "包裹 {number} 已到 {place}" in page

    refused = client.post(add, {"kind": KIND, "language": "zh-hans", "title": "", "body": "{oops}"})
    assert refused.status_code == 200 and "未知的占位符：{oops}" in refused.content.decode()
    saved = client.post(
        add, {"kind": KIND, "language": "zh-hans", "title": "", "body": "到了 {number}"}
    )
    assert saved.status_code == 302
    row = NotificationTemplate.objects.get()
    assert row.updated_by == superuser
    assert AuditEvent.objects.filter(action=TEMPLATE_CHANGED, actor="root").exists()
    assert site.is_registered(NotificationTemplate)
    assert not Notification.objects.exists()
