"""The pages: errors next to their field, refusals shown with their status, the forms
offered only to those the services accept, the navigation link and the home panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.testing.clients import client_for
from suggestions.models import Suggestion
from suggestions.services import suggestion_answer
from suggestions.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_the_form_shows_each_problem_next_to_its_field(people):
    client = client_for(people.author)
    page = client.post(reverse("suggestions:new"), {"zone": "SFQ", "subject": "", "content": ""})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="id_subject_error"' in html and "标题：请填写" in html
    assert 'id="id_content_error"' in html and "内容：请填写" in html
    assert not Suggestion.objects.exists()


def test_a_submitted_suggestion_goes_to_its_page(people):
    client = client_for(people.author)
    data = {"zone": people.zone.code, "subject": "饮水机", "content": "二楼没有热水。"}
    page = client.post(reverse("suggestions:new"), data, follow=True)
    suggestion = Suggestion.objects.get()
    assert page.redirect_chain == [(reverse("suggestions:detail", args=[suggestion.pk]), 302)]
    assert "已提交" in page.content.decode()


def test_the_clerk_answers_on_the_page_and_the_author_may_close(people):
    suggestion = submit(people)
    clerk = client_for(people.clerk)
    url = reverse("suggestions:detail", args=[suggestion.pk])
    assert 'name="answer"' in clerk.get(url).content.decode()
    empty = clerk.post(
        reverse("suggestions:action", args=[suggestion.pk, "answer"]), {"answer": ""}
    )
    assert empty.status_code == 422 and "答复：请填写" in empty.content.decode()
    done = clerk.post(
        reverse("suggestions:action", args=[suggestion.pk, "answer"]), {"answer": "好"}
    )
    assert done.status_code == 302
    author_page = client_for(people.author).get(url).content.decode()
    assert "认可答复并办结" in author_page and 'name="answer"' not in author_page


def test_a_refusal_is_shown_with_its_status(people):
    suggestion = submit(people)
    client = client_for(people.author)
    page = client.post(reverse("suggestions:action", args=[suggestion.pk, "close"]))
    assert page.status_code == 409
    assert "意见建议当前状态为“待答复”，不能执行“办结”" in page.content.decode()


def test_the_navigation_links_the_list_for_applicants_and_readers_only(people):
    link = f'href="{reverse("suggestions:list")}"'
    for user, shown in ((people.author, True), (people.clerk, True), (people.reviewer, False)):
        home = client_for(user).get(reverse("home"), follow=True)
        assert (link in home.content.decode()) is shown, user


def test_the_staff_home_shows_the_waiting_suggestions(people):
    submit(people)
    first = submit(people, subject="第二条")
    suggestion_answer(suggestion=first, actor=people.clerk, answer="已处理。")
    home = client_for(people.clerk).get(reverse("home")).content.decode()
    assert "1 条意见建议待答复" in home
    assert (
        "意见建议待答复" not in client_for(people.other_clerk).get(reverse("home")).content.decode()
    )
