"""The use-cases: input checked and folded, roles refused, the table's moves and refusals,
the audit events and the author's notification."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from suggestions.constants import ANSWERED_NOTIFICATION, SuggestionStatus
from suggestions.services import (
    fold_line,
    fold_text,
    suggestion_answer,
    suggestion_close,
    suggestion_submit,
)
from suggestions.tests.conftest import submit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)


# -- what people type (pure) -------------------------------------------------------------------


def test_a_line_is_folded_with_nfkc_and_its_blanks_collapsed():
    assert fold_line("  Ａ０１窗口\u3000排队  太久（一）\n") == "A01窗口 排队 太久(一)"


def test_a_text_keeps_chinese_punctuation_and_folds_wide_letters_and_digits():
    typed = " 窗口Ａ０１，排队（很久）：ｏｋ\r\n第二行\u3000完 "
    assert fold_text(typed) == "窗口A01，排队（很久）：ok\n第二行 完"


# -- submit ------------------------------------------------------------------------------------


def test_submit_keeps_the_folded_text_and_records_the_event(people):
    suggestion = submit(people, subject="Ａ０１窗口  排队太久", content="排队（很久）")
    suggestion.refresh_from_db()
    assert (suggestion.subject, suggestion.content) == ("A01窗口 排队太久", "排队（很久）")
    assert suggestion.status == SuggestionStatus.SUBMITTED
    assert suggestion.zone == people.zone and suggestion.author == people.author
    event = AuditEvent.objects.get(action="suggestion.submitted")
    assert event.object_id == str(suggestion.pk)
    assert event.data["zone"] == people.zone.code


def test_the_zone_code_is_folded_as_typed(people):
    suggestion = suggestion_submit(
        actor=people.author, zone_code=" ｓｆｑ ", subject="标题", content="内容"
    )
    assert suggestion.zone == people.zone


def test_submit_names_every_bad_field_in_chinese(people):
    with pytest.raises(ValidationFailed) as refused:
        suggestion_submit(
            actor=people.author, zone_code="NOPE", subject=" \u3000 ", content="字" * 1001
        )
    assert refused.value.fields == {
        "zone": ["开发区：请从列表中选择"],
        "subject": ["标题：请填写"],
        "content": ["内容：不能超过 1000 个字"],
    }
    assert not AuditEvent.objects.filter(action="suggestion.submitted").exists()


@pytest.mark.parametrize("who", ["clerk", "reviewer", "supervisor"])
def test_staff_do_not_submit(people, who):
    with pytest.raises(Forbidden):
        suggestion_submit(
            actor=getattr(people, who), zone_code=people.zone.code, subject="标题", content="内容"
        )


# -- answer ------------------------------------------------------------------------------------


def test_a_clerk_of_the_zone_answers_and_the_author_is_told(people):
    suggestion = submit(people)
    answered = suggestion_answer(suggestion=suggestion, actor=people.clerk, answer=" 已更换墨盒。 ")
    answered.refresh_from_db()
    assert answered.status == SuggestionStatus.ANSWERED
    assert (answered.answer, answered.answered_by) == ("已更换墨盒。", people.clerk)
    event = AuditEvent.objects.get(action="suggestion.answered")
    assert (event.data["from"], event.data["to"]) == ("submitted", "answered")
    message = Notification.objects.get(recipient=people.author)
    assert message.kind == ANSWERED_NOTIFICATION
    assert message.link == f"/suggestions/{suggestion.pk}/"
    assert "取号机打印不清楚" in message.text and people.zone.name in message.text


@pytest.mark.parametrize("who", ["author", "neighbour", "reviewer", "supervisor", "other_clerk"])
def test_only_a_window_clerk_of_the_zone_answers(people, who):
    suggestion = submit(people)
    with pytest.raises(Forbidden) as refused:
        suggestion_answer(suggestion=suggestion, actor=getattr(people, who), answer="答复")
    assert refused.value.code == "not_permitted"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED


def test_an_empty_answer_is_named(people):
    with pytest.raises(ValidationFailed) as refused:
        suggestion_answer(suggestion=submit(people), actor=people.clerk, answer="\u3000\n ")
    assert refused.value.fields == {"answer": ["答复：请填写"]}


def test_the_table_refuses_a_second_answer(people):
    suggestion = submit(people)
    suggestion_answer(suggestion=suggestion, actor=people.clerk, answer="第一次")
    with pytest.raises(Conflict) as refused:
        suggestion_answer(suggestion=suggestion, actor=people.clerk, answer="第二次")
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.message == "意见建议当前状态为“已答复”，不能执行“答复”"


# -- close -------------------------------------------------------------------------------------


def test_the_table_refuses_to_close_an_unanswered_suggestion(people):
    suggestion = submit(people)
    with pytest.raises(Conflict) as refused:
        suggestion_close(suggestion=suggestion, actor=people.author)
    assert refused.value.message == "意见建议当前状态为“待答复”，不能执行“办结”"
    assert not AuditEvent.objects.filter(action="suggestion.closed").exists()


def test_the_author_closes_by_accepting_the_answer(people):
    suggestion = submit(people)
    suggestion_answer(suggestion=suggestion, actor=people.clerk, answer="已更换墨盒。")
    closed = suggestion_close(suggestion=suggestion, actor=people.author)
    assert closed.status == SuggestionStatus.CLOSED and closed.closed_at is not None
    event = AuditEvent.objects.get(action="suggestion.closed")
    assert event.data == {"from": "answered", "to": "closed", "by_author": True}


def test_a_clerk_closes_only_seven_days_after_the_answer(people):
    with time_machine.travel(NOW, tick=False):
        suggestion = submit(people)
        suggestion_answer(suggestion=suggestion, actor=people.clerk, answer="已处理。")
    with time_machine.travel(NOW + dt.timedelta(days=6, hours=23), tick=False):
        with pytest.raises(Conflict) as refused:
            suggestion_close(suggestion=suggestion, actor=people.clerk)
        assert refused.value.code == "too_early"
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        closed = suggestion_close(suggestion=suggestion, actor=people.clerk)
        assert closed.closed_at == timezone.now()
    assert AuditEvent.objects.get(action="suggestion.closed").data["by_author"] is False


@pytest.mark.parametrize("who", ["neighbour", "reviewer", "supervisor", "other_clerk"])
def test_nobody_else_closes(people, who):
    suggestion = submit(people)
    suggestion_answer(suggestion=suggestion, actor=people.clerk, answer="已处理。")
    with pytest.raises(Forbidden):
        suggestion_close(suggestion=suggestion, actor=getattr(people, who))
