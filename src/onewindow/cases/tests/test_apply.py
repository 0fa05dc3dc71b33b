"""case_apply: the online application created, given its files and submitted at once, or
not at all (no case, no file left behind)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.constants import CaseChannel, CaseStatus, MaterialState
from onewindow.cases.models import Case
from onewindow.cases.services import MaterialFile, application, case_apply
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.constants import MaterialSource
from onewindow.core.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def files_for(world: World, *, bad: str = "") -> list[MaterialFile]:
    """A PDF for every line the applicant brings (``bad``: that line's file is empty)."""
    lines = [
        line
        for line in merge_materials([world.item])
        if line.source not in (MaterialSource.DEPARTMENT, MaterialSource.NOT_NEEDED)
    ]
    return [
        MaterialFile(
            merge_key=line.key,
            name=line.name,
            field=f"material_{number}",
            file=SimpleUploadedFile("空.pdf", b"") if line.name == bad else pdf_upload(),
        )
        for number, line in enumerate(lines, start=1)
    ]


def apply(world: World, files, **overrides) -> Case:
    arguments = {
        "actor": world.applicant_user,
        "applicant": world.applicant,
        "item_version": world.item,
        "form_data": {"contact": "张三", "phone": "13800000000"},
        "files": files,
        "idempotency_key": "web:apply-1",
    }
    arguments.update(overrides)
    return case_apply(**arguments)


@pytest.fixture
def stored(monkeypatch) -> list[str]:
    """The names of the files the application wrote, whatever became of them."""
    names: list[str] = []
    real_upload = application.material_upload

    def recording_upload(**kwargs):
        row = real_upload(**kwargs)
        names.append(row.file.name)
        return row

    monkeypatch.setattr(application, "material_upload", recording_upload)
    return names


def left_behind(names: list[str]) -> list[str]:
    storage = application.material_storage()
    return [name for name in names if storage.exists(name)]


def test_the_application_is_created_with_its_files_and_submitted(world, stored):
    files = files_for(world)

    case = apply(world, files)

    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.channel == CaseChannel.ONLINE
    assert case.idempotency_key == "web:apply-1"
    given = {row.merge_key: row for row in case.materials.all()}
    for file in files:
        assert given[file.merge_key].state == MaterialState.UPLOADED
    assert len(stored) == len(files) and left_behind(stored) == stored


def test_a_refused_file_names_its_input_and_leaves_nothing(world, stored):
    lines = files_for(world)
    bad = lines[-1]

    with pytest.raises(ValidationFailed) as refused:
        apply(world, files_for(world, bad=bad.name))

    assert list(refused.value.fields) == [bad.field]
    assert refused.value.fields[bad.field][0].startswith(f"{bad.name}：")
    assert Case.objects.count() == 0
    assert len(stored) == len(lines) - 1  # the files before it were written…
    assert left_behind(stored) == []  # …and removed with the rolled-back rows


def test_a_file_for_a_line_the_case_does_not_have_is_refused(world, stored):
    unknown = MaterialFile(merge_key="no-such-line", name="旧材料", field="material_9", file=None)

    with pytest.raises(ValidationFailed) as refused:
        apply(world, [*files_for(world), unknown])

    assert refused.value.code == "material_list_changed"
    assert refused.value.fields == {"material_9": ["旧材料：材料清单已更新，请刷新页面后重新提交"]}
    assert Case.objects.count() == 0
    assert stored and left_behind(stored) == []


def test_a_failure_at_submission_leaves_no_case_and_no_file(world, stored, monkeypatch):
    def failing_submit(**kwargs):
        raise Conflict("模拟提交失败", code="simulated")

    monkeypatch.setattr(application, "case_submit", failing_submit)

    with pytest.raises(Conflict):
        apply(world, files_for(world))

    assert Case.objects.count() == 0
    assert stored and left_behind(stored) == []


def test_an_applicant_one_does_not_represent_is_not_found(world, stored):
    with pytest.raises(NotFound) as refused:
        apply(world, files_for(world), applicant=world.other_applicant)

    assert refused.value.code == "applicant_not_found"
    assert Case.objects.count() == 0 and stored == []
