"""Drafts under concurrency (PostgreSQL): the same form posted twice at once (a double
click on 保存草稿 or 提交申请) makes one draft with every file, never an error; a draft
submitted twice at once makes one case."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.cases.models import ApplicationDraft, Case, DraftFile
from onewindow.cases.services import MaterialFile, case_apply, draft_keep
from onewindow.cases.tests.factories import pdf_upload
from onewindow.catalog.bundles import merge_materials
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.testing.races import race, split

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def keep(world, index: int):
    line = merge_materials([world.item])[index]

    def call():
        return draft_keep(
            actor=world.applicant_user,
            zone=world.zone,
            title=world.item.name,
            item=world.item.item,
            form_data={"contact": "张三"},
            files=[MaterialFile(merge_key=line.key, name=line.name, field="f", file=pdf_upload())],
        )

    return call


def test_two_saves_at_once_make_one_draft_with_both_files(world):
    done, errors = split(race(keep(world, 0), keep(world, 1)))

    assert len(done) == 2 and errors == []
    assert ApplicationDraft.objects.count() == 1
    assert DraftFile.objects.count() == 2
    assert audit_verify().ok


def test_a_draft_submitted_twice_at_once_makes_one_case(world):
    draft = keep(world, 0)()

    def submit(key):
        return lambda: case_apply(
            actor=world.applicant_user,
            applicant=world.applicant,
            item_version=world.item,
            form_data={"contact": "张三", "phone": "13800000000"},
            idempotency_key=key,
            draft=draft,
        )

    done, errors = split(race(submit("web:a"), submit("web:b")))

    assert len(done) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "draft_gone"
    assert Case.objects.count() == 1 and not ApplicationDraft.objects.exists()
    assert done[0].materials.get(name="申请表").state == "uploaded"
    assert audit_verify().ok
