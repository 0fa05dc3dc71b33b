"""The facts import page: the template download, a clean upload with its summary and links, a
file with row errors shown as a table (nothing written), bad uploads named on the file field,
and the roles refused (anonymous to the login page, others the platform's 403)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from onewindow.catalog.tests.factories import uscc_for
from onewindow.org.constants import Role
from onewindow.org.models import Department
from onewindow.policies.models import EnterpriseFact, FactSource
from onewindow.testing import worlds
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
PAGE = reverse("policies:facts_import")
TEMPLATE = reverse("policies:facts_import_template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def upload(*rows, name="企业档案.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "数据截至日期", "从业人员（人）", "上年度营业收入（万元）"])
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return SimpleUploadedFile(name, stream.getvalue(), content_type=XLSX)


def post(user, file):
    return client_for(user).post(PAGE, {"file": file})


# -- the page and the template


def test_the_officer_sees_the_form_and_the_template_link(pw):
    response = client_for(pw.officer).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html
    assert TEMPLATE in html


def test_the_manage_page_links_to_the_import(pw):
    html = client_for(pw.officer).get(reverse("policies:manage")).content.decode()
    assert PAGE in html


def test_the_template_downloads_as_a_workbook(pw):
    response = client_for(pw.administrator).get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A1"].value == "统一社会信用代码"


# -- uploads


def test_a_clean_upload_shows_the_summary_and_links_to_the_profiles(pw):
    response = post(
        pw.officer,
        upload(
            [pw.enterprise.uscc, "2025-12-31", 350, 15000],
            [pw.other_enterprise.uscc, "2025-12-31", 12, None],
        ),
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok
    assert (report.rows, len(report.changed), report.facts_changed) == (2, 2, 3)
    html = response.content.decode()
    assert "导入完成" in html
    assert reverse("policies:enterprise_profile", args=[pw.enterprise.uscc]) in html
    assert reverse("policies:enterprise_profile", args=[pw.other_enterprise.uscc]) in html
    row = EnterpriseFact.objects.get(enterprise=pw.enterprise, name="employees")
    assert (row.value, row.source, row.source_detail) == (350, FactSource.IMPORTED, "企业档案.xlsx")


def test_row_errors_are_listed_with_row_and_column_and_nothing_is_written(pw):
    outsider = uscc_for(9301, registration="91")
    response = post(
        pw.officer,
        upload(
            [pw.enterprise.uscc, "2025-12-31", 350, 15000],
            [outsider, "2025-12-31", "很多", None],
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "文件有错误，未导入任何数据" in html
    assert "第 3 行" in html
    assert f"“{outsider}”不是本区的企业。" in html
    assert "从业人员（人）" in html
    assert not EnterpriseFact.objects.exists()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("档案.csv", b"a,b\n1,2"), "只能导入 .xlsx 格式的 Excel 文件"),
        (SimpleUploadedFile("档案.xlsx", b"not a workbook"), "不是有效的 .xlsx 文件"),
        (SimpleUploadedFile("档案.xlsx", b""), "文件是空的"),
        (None, "请选择要导入的 .xlsx 文件"),
    ],
)
def test_a_bad_upload_is_named_on_the_file_field(pw, file, message):
    response = client_for(pw.officer).post(PAGE, {"file": file} if file is not None else {})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in errors["file"][0]


def test_a_file_over_the_limit_is_refused(pw):
    big = SimpleUploadedFile("档案.xlsx", b"x" * (5 * 1024 * 1024 + 1))
    response = post(pw.administrator, big)
    assert response.status_code == 422
    assert "不能超过 5 MB" in response.context["form"].errors["file"][0]


# -- who may import


@pytest.mark.parametrize("url", [PAGE, TEMPLATE])
def test_anonymous_visitors_go_to_the_login_page(pw, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("who", ["representative", "stranger", "clerk", "supervisor", "analyst"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_roles_are_refused(pw, who, method):
    client = client_for(getattr(pw, who))
    if method == "post":
        response = client.post(PAGE, {"file": upload([pw.enterprise.uscc, "2025-12-31", 5])})
    else:
        response = client.get(PAGE)
    assert response.status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert not EnterpriseFact.objects.exists()


def test_an_officer_of_another_zone_cannot_reach_this_zones_enterprises(pw):
    elsewhere = worlds.department_elsewhere()
    officer = worlds.staff(
        elsewhere.zone,
        Role.POLICY_OFFICER,
        username="p_officer_elsewhere",
        department=Department.objects.get(pk=elsewhere.pk),
    )
    response = post(officer, upload([pw.enterprise.uscc, "2025-12-31", 5]))
    assert response.status_code == 422
    assert f"“{pw.enterprise.uscc}”不是本区的企业。" in response.content.decode()
    assert not EnterpriseFact.objects.exists()
