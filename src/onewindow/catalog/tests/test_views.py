"""The catalog's pages: the portal search, the item guide and the bundle guide."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.catalog.models import Material
from onewindow.catalog.services import item_draft, item_draft_update, item_publish
from onewindow.catalog.tests.factories import (
    make_bundle,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.org.constants import DepartmentKind
from onewindow.org.models import Department, Window

pytestmark = pytest.mark.django_db

H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def h1(response) -> str:
    return H1.search(response.content.decode()).group(1).strip()


def section(html: str, section_id: str) -> str:
    """The HTML of the ``<section id=…>`` (up to the next section)."""
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


def guide_url(item_version, **query) -> str:
    url = reverse("item_guide", args=[item_version.item.implementation_code])
    if query:
        url += "?" + urlencode(query)
    return url


PARALLEL_STEPS = [
    {"key": "accept", "name": "受理", "kind": StepKind.ACCEPTANCE,
     "role": StepRole.WINDOW_CLERK, "limit_days": 1},
    {"key": "review", "name": "材料审查", "kind": StepKind.REVIEW, "role": StepRole.REVIEWER,
     "limit_days": 2, "after": ["accept"]},
    {"key": "inspect", "name": "现场核查", "kind": StepKind.INSPECTION,
     "role": StepRole.REVIEWER, "limit_days": 3, "after": ["accept"]},
    {"key": "decide", "name": "审批决定", "kind": StepKind.DECISION, "role": StepRole.DECIDER,
     "limit_days": 1, "after": ["review", "inspect"]},
    {"key": "deliver", "name": "证照送达", "kind": StepKind.DELIVERY,
     "role": StepRole.WINDOW_CLERK, "limit_days": 1, "after": ["decide"]},
]  # fmt: skip


@pytest.fixture
def immigration(zone) -> Department:
    return Department.objects.create(
        zone=zone, code="GACRJ", name="公安分局出入境管理大队", short_name="公安出入境",
        kind=DepartmentKind.VERTICAL,
    )  # fmt: skip


@pytest.fixture
def science(zone) -> Department:
    return Department.objects.create(
        zone=zone, code="KJJ", name="科技局（外国人来华工作管理服务）", short_name="科技局",
        kind=DepartmentKind.FUNCTIONAL,
    )  # fmt: skip


@pytest.fixture
def food_licence(zone, department, window):
    window.location = "政务服务中心一楼 A 区"
    window.save()
    licence = make_certificate_type(code="11100000MB0000001A002", name="营业执照")
    return make_item(
        zone,
        department,
        name="食品经营许可",
        promised_limit_days=7,
        legal_limit_days=20,
        legal_basis="《中华人民共和国食品安全法》",
        legal_citations=[
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可和备案管理办法》第十条",
        ],
        result_name="食品经营许可证",
        certificate_type=licence,
        materials=[
            material("食品经营许可申请书", originals=1),
            material("营业执照", source="certificate", certificate_type=licence, originals=0),
            material("法定代表人身份证明", source="department", source_department=department,
                     originals=0),
            material("经营场所平面图", copies=2, tolerable=True, commitment_allowed=True),
            material("食品安全管理制度", required=False, notes="按模板填写"),
        ],
        steps=PARALLEL_STEPS,
        windows=[window],
    )  # fmt: skip


@pytest.fixture
def foreigner_bundle(zone, science, immigration):
    passport = make_certificate_type(code="11100000MB0000002B001", name="护照")
    work = make_item(
        zone,
        science,
        name="外国人来华工作许可",
        promised_limit_days=10,
        materials=[
            material("外国人来华工作许可申请表"),
            material("护照", source="certificate", certificate_type=passport, originals=0),
            material("最高学位证书", copies=1),
        ],
    )
    residence = make_item(
        zone,
        immigration,
        name="外国人居留许可",
        item_type="20",
        promised_limit_days=7,
        required_visits=2,
        online_depth=OnlineDepth.PRE_REVIEW,
        materials=[
            material("外国人居留许可申请表"),
            material("护照", source="certificate", certificate_type=passport, originals=0),
            material("照片", originals=1),
        ],
    )
    return make_bundle(
        zone,
        science,
        items=[work.item, residence.item],
        code="foreigner-work",
        name="外国人来华工作一件事",
        promised_limit_days=4,
        required_visits=1,
        publish=True,
    )


# -- the search --------------------------------------------------------------------------------


def test_navigation_and_portal_lead_to_the_search(client, zone):
    html = client.get(reverse("portal")).content.decode()
    assert f'href="{reverse("item_search")}"' in html and ">办事指南</a>" in html
    assert 'action="/items/"' in html and 'name="q"' in html
    response = client.get(reverse("item_search"))
    assert '<a href="/items/" aria-current="page">办事指南</a>' in response.content.decode()


def test_search_page_lists_the_published_catalog(client, zone, department, food_licence):
    make_item(zone, department, name="草稿中的事项", publish=False)
    response = client.get(reverse("item_search"))
    assert response.status_code == 200
    assert h1(response) == "办事指南"
    html = response.content.decode()
    items = section(html, "items")
    assert "食品经营许可" in items and "草稿中的事项" not in items
    assert guide_url(food_licence) in items
    assert "（共 1 项）" in items
    assert "承诺时限 7 个工作日 / 法定时限 20 个工作日" in items
    assert "市场监督管理局" in items and "行政许可" in items
    for badge in ["可容缺", "告知承诺"]:
        assert f">{badge}</li>" in items
    assert ">全程网办</li>" not in items and ">即办件</li>" not in items
    assert "演示数据仅供参考" in html  # the demo zone (SFQ)


def test_badges_for_fully_online_and_immediate_items(client, zone, department):
    make_item(
        zone,
        department,
        name="网上即办事项",
        handling_kind=HandlingKind.IMMEDIATE,
        required_visits=0,
        online_depth=OnlineDepth.FULLY_ONLINE,
    )
    items = section(client.get(reverse("item_search")).content.decode(), "items")
    assert ">全程网办</li>" in items and ">即办件</li>" in items
    assert ">可容缺</li>" not in items


def test_search_shows_matching_bundles_first(client, zone, food_licence, foreigner_bundle):
    response = client.get(reverse("item_search"), {"q": "外国人"})
    html = response.content.decode()
    bundles = section(html, "bundles")
    assert "外国人来华工作一件事" in bundles
    assert reverse("bundle_guide", args=["foreigner-work"]) in bundles
    assert "包含 2 个事项" in bundles and "承诺 4 个工作日办结" in bundles
    assert html.index('id="bundles"') < html.index('id="items"')
    items = section(html, "items")
    assert "外国人来华工作许可" in items and "外国人居留许可" in items
    assert "食品经营许可" not in items


def test_search_by_pinyin_initials(client, zone, food_licence, foreigner_bundle):
    html = client.get(reverse("item_search"), {"q": "spjy"}).content.decode()
    assert "食品经营许可" in section(html, "items")
    assert 'id="bundles"' not in html


@pytest.mark.parametrize(
    ("query", "found", "hidden"),
    [
        ({"department": "SCJG"}, "食品经营许可", "外国人居留许可"),
        ({"department": "GACRJ"}, "外国人居留许可", "食品经营许可"),
        ({"item_type": "20"}, "外国人居留许可", "食品经营许可"),
        ({"fully_online": "on"}, "网上即办事项", "食品经营许可"),
        ({"immediate": "on"}, "网上即办事项", "外国人居留许可"),
    ],
)
def test_filters(client, zone, department, food_licence, foreigner_bundle, query, found, hidden):
    make_item(
        zone,
        department,
        name="网上即办事项",
        handling_kind=HandlingKind.IMMEDIATE,
        required_visits=0,
        online_depth=OnlineDepth.FULLY_ONLINE,
    )
    response = client.get(reverse("item_search"), query)
    html = response.content.decode()
    items = section(html, "items")
    assert found in items and hidden not in items
    assert 'id="bundles"' not in html  # bundles have no departments or types to filter
    form = response.context["form"]
    for name, value in query.items():
        assert form[name].value() in (value, True)  # the filter stays selected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"department": "NOPE"}, "department", "实施部门：“NOPE”不是本区的部门，请从列表中选择"),
        (
            {"item_type": "99"},
            "item_type",
            "事项类型：“99”不是国家规定的事项类型，请从列表中选择",
        ),
        ({"q": "食" * 51}, "q", "事项名称或拼音：不能超过 50 个字符"),
    ],
)
def test_bad_filters_are_named_next_to_the_field(client, zone, food_licence, query, field, message):
    response = client.get(reverse("item_search"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in section(html, "search-title") or message in html
    assert response.context["form"].errors[field] == [message]
    assert 'id="items"' not in html  # no results under a refused filter


def test_a_department_of_another_zone_is_refused(client, zone, food_licence):
    from onewindow.org.models import Zone

    other = Zone.objects.create(code="OTH", name="另一个开发区")
    Department.objects.create(zone=other, code="FAR", name="外区部门", kind="functional")
    response = client.get(reverse("item_search"), {"department": "FAR"})
    assert "department" in response.context["form"].errors


def test_nothing_found_says_what_to_try(client, zone, food_licence):
    html = client.get(reverse("item_search"), {"q": "不存在的事项"}).content.decode()
    assert "没有找到与“不存在的事项”相符的事项" in html


def test_pagination(client, zone, department):
    for number in range(23):
        make_item(zone, department, name=f"分页事项{number:02d}", materials=["申请表"])
    first = client.get(reverse("item_search"), {"q": "分页"})
    html = first.content.decode()
    assert "（共 23 项）" in html and "第 1 页，共 2 页" in html
    assert len(first.context["page"].object_list) == 20
    assert 'href="?q=%E5%88%86%E9%A1%B5&amp;page=2#items"' in html
    second = client.get(reverse("item_search"), {"q": "分页", "page": "2"})
    assert len(second.context["page"].object_list) == 3
    assert 'start="21"' in second.content.decode()
    # a page that is not a number is the first one; past the end, the last one
    assert client.get(reverse("item_search"), {"page": "x"}).context["page"].number == 1
    assert client.get(reverse("item_search"), {"page": "99"}).context["page"].number == 2


def test_search_queries_do_not_grow_with_the_results(
    client, zone, department, foreigner_bundle, django_assert_num_queries
):
    make_item(zone, department, name="外国人事项一", materials=["申请表"])
    # zone, departments (filter list), bundles, count, one page of results with flags
    with django_assert_num_queries(5):
        client.get(reverse("item_search"), {"q": "外国人"})
    for number in range(8):
        make_item(zone, department, name=f"外国人事项{number}", materials=["申请表", "照片"])
    with django_assert_num_queries(5):
        response = client.get(reverse("item_search"), {"q": "外国人"})
    assert "外国人事项7" in response.content.decode()
    with django_assert_num_queries(4):  # a filter leaves the bundles out
        client.get(reverse("item_search"), {"q": "外国人", "department": "SCJG"})


def test_search_refuses_post(client, zone):
    assert client.post(reverse("item_search")).status_code == 405


def test_a_site_without_a_zone_has_no_catalog(client, db):
    assert client.get(reverse("item_search")).status_code == 404


# -- the item guide -----------------------------------------------------------------------------


def test_item_guide_has_every_element(client, zone, food_licence, time_machine):
    response = client.get(guide_url(food_licence))
    assert response.status_code == 200
    assert h1(response) == "食品经营许可"
    html = response.content.decode()
    effective = food_licence.effective_from
    assert f"自 {effective.year}年{effective.month}月{effective.day}日 起施行" in html
    assert "第 1 版" in html
    basic = section(html, "basic")
    for text in [
        food_licence.item.basic_code,
        food_licence.item.implementation_code,
        "行政许可",
        "市场监督管理局",
        "《中华人民共和国食品安全法》第三十五条",
        "《食品经营许可和备案管理办法》第十条",
        "承诺件",
        "20 个工作日",
        "7 个工作日",
        "1 次",
        "Ⅲ级（网上办理，最多跑一次）",
        "不收费",
        "食品经营许可证",
        "同步发放电子证照：营业执照",
    ]:
        assert text in basic, text
    assert "赋权情况" not in basic
    assert "申请人具备法定条件" in section(html, "conditions")
    where = section(html, "where")
    assert "综合受理窗口一" in where and "政务服务中心一楼 A 区" in where
    assert "025-80000000" in where and "12345" in where
    assert "演示数据仅供参考" in html


def test_material_table(client, zone, food_licence):
    materials = section(client.get(guide_url(food_licence)).content.decode(), "materials")
    rows = materials.split("<tr")[2:]  # after the header row
    assert len(rows) == 5
    assert "食品经营许可申请书" in rows[0] and "原件 1 份" in rows[0] and "申请人自备" in rows[0]
    assert "电子证照调取" in rows[1] and "营业执照" in rows[1]
    assert "部门共享" in rows[2] and "市场监督管理局" in rows[2]
    assert "复印件 2 份" in rows[3] and "可容缺" in rows[3] and "告知承诺" in rows[3]
    assert "非必要" in rows[4] and "按模板填写" in rows[4]
    assert "表格下载" in materials


def test_flow_is_drawn_by_depth_with_parallel_steps(client, zone, food_licence):
    flow = section(client.get(guide_url(food_licence)).content.decode(), "flow")
    stages = re.findall(r'<li class="flow__stage">(.*?)</ul>\s*</li>', flow, re.S)
    assert len(stages) == 4  # 受理 | 材料审查 + 现场核查 | 审批决定 | 证照送达
    assert "受理" in stages[0]
    assert "材料审查" in stages[1] and "现场核查" in stages[1]
    assert "2 个环节同时进行" in stages[1]
    assert "审批决定" in stages[2] and "证照送达" in stages[3]
    assert "（最长路径）" in stages[1].split("现场核查")[1]  # 3 days beats 2
    assert "各环节时限合计（按最长路径）6 个工作日" in flow
    assert '<ol class="flow" aria-label="食品经营许可的办理流程">' in flow


def test_delegated_item_says_where_its_power_comes_from(client, zone, department):
    version = make_item(
        zone,
        department,
        name="外国人来华工作许可",
        delegated_from_level=DelegationLevel.PROVINCE,
        delegated_from_organ="省科学技术厅",
        delegation_agreement_date=dt.date(2021, 1, 5),
        delegation_status=DelegationStatus.ACCEPTED,
    )
    basic = section(client.get(guide_url(version)).content.decode(), "basic")
    assert "由省级省科学技术厅赋权实施" in basic
    assert "赋权协议签订于 2021年1月5日" in basic and "已承接" in basic


def test_fees_and_basis(client, zone, department):
    version = make_item(
        zone, department, fee_free=False, fee_amount="300.00", fee_basis="发改价格〔2015〕1号"
    )
    basic = section(client.get(guide_url(version)).content.decode(), "basic")
    assert "300.00 元" in basic and "收费依据：发改价格〔2015〕1号" in basic


def test_immediate_item_is_done_on_the_spot(client, zone, department):
    version = make_item(zone, department, name="即办事项", handling_kind=HandlingKind.IMMEDIATE)
    html = client.get(guide_url(version)).content.decode()
    assert "当场办结" in section(html, "basic")
    assert "当场" in section(html, "flow")


def test_unknown_code_is_not_found(client, zone):
    assert client.get(reverse("item_guide", args=["X" * 31])).status_code == 404


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", "２", "99"])
def test_bad_version_is_not_found(client, zone, food_licence, version):
    assert client.get(guide_url(food_licence, version=version)).status_code == 404


def test_drafts_are_never_public(client, zone, department, food_licence):
    draft_only = make_item(zone, department, name="草稿事项", publish=False)
    assert client.get(guide_url(draft_only)).status_code == 404
    assert client.get(guide_url(draft_only, version=1)).status_code == 404
    draft = item_draft(item=food_licence.item, actor=None)
    item_draft_update(version=draft, elements={"name": "食品经营许可（修订中）"}, actor=None)
    assert client.get(guide_url(food_licence, version=2)).status_code == 404
    assert "修订中" not in client.get(guide_url(food_licence)).content.decode()


def test_retired_version_only_by_its_number_and_marked(client, zone, food_licence):
    draft = item_draft(item=food_licence.item, actor=None)
    item_draft_update(version=draft, elements={"name": "食品经营许可（新版）"}, actor=None)
    item_publish(version=draft, actor=None)

    current = client.get(guide_url(food_licence))
    assert h1(current) == "食品经营许可（新版）"
    assert "已停用" not in current.content.decode()

    retired = client.get(guide_url(food_licence, version=1))
    assert retired.status_code == 200
    html = retired.content.decode()
    assert h1(retired) == "食品经营许可"
    assert 'id="retired-notice"' in html and "已停用" in html
    assert f'href="{guide_url(food_licence)}">查看现行版本' in html


def test_item_guide_queries(client, zone, food_licence, django_assert_num_queries):
    # zone, version (item, department, certificate type), materials, steps, windows
    with django_assert_num_queries(5):
        client.get(guide_url(food_licence))


def test_demo_notice_only_for_the_demo_zone(client, zone, food_licence, settings):
    settings.ONEWINDOW_DEMO_ZONES = ["DEMO"]
    assert "演示数据仅供参考" not in client.get(guide_url(food_licence)).content.decode()


def test_guide_has_print_address_and_absolute_links(client, zone, food_licence, settings):
    # the printed address is the zone's public one, not the one the page was opened at
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    html = client.get(guide_url(food_licence)).content.decode()
    assert f"本指南网址：https://zwfw.example.gov.cn{guide_url(food_licence)}" in html
    assert "http://testserver" not in html
    assert 'class="guide__toc"' in html


# -- material files --------------------------------------------------------------------------------


def test_material_template_is_downloaded(client, zone, food_licence, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    draft = item_draft(item=food_licence.item, actor=None)
    application = draft.materials.get(position=1)
    application.template.save("shenqingshu.docx", ContentFile(b"blank form"), save=True)
    published = item_publish(version=draft, actor=None)
    url = reverse("material_file", args=[food_licence.item.implementation_code, 1, "template"])
    guide = client.get(guide_url(published)).content.decode()
    # on screen the link stays on the address the page was opened at; on paper it prints
    # the public one
    assert f'href="{url}?version=2"' in guide
    assert f'data-print-href="https://zwfw.example.gov.cn{url}?version=2"' in guide
    response = client.get(url, {"version": "2"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"blank form"
    assert "attachment" in response["Content-Disposition"]
    # no file, another kind, or a material that does not exist
    assert client.get(url.replace("template", "sample"), {"version": "2"}).status_code == 404
    assert client.get(url.replace("template", "other"), {"version": "2"}).status_code == 404
    assert client.get(url.replace("/1/", "/9/"), {"version": "2"}).status_code == 404


def test_material_file_of_a_draft_is_not_public(client, zone, department, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = make_item(zone, department, publish=False)
    Material.objects.filter(version=draft, position=1).get().template.save(
        "form.docx", ContentFile(b"x"), save=True
    )
    url = reverse("material_file", args=[draft.item.implementation_code, 1, "template"])
    assert client.get(url).status_code == 404
    assert client.get(url, {"version": "1"}).status_code == 404


# -- the bundle guide ------------------------------------------------------------------------


def test_bundle_guide(client, zone, foreigner_bundle):
    response = client.get(reverse("bundle_guide", args=["foreigner-work"]))
    assert response.status_code == 200
    assert h1(response) == "外国人来华工作一件事"
    html = response.content.decode()
    basic = section(html, "basic")
    assert "科技局（外国人来华工作管理服务）" in basic
    assert "4 个工作日" in basic and "1 次" in basic
    items = section(html, "items")
    for name in ["外国人来华工作许可", "外国人居留许可"]:
        assert name in items
    assert "演示数据仅供参考" in html


def test_bundle_material_list_asks_each_material_once(client, zone, foreigner_bundle):
    html = client.get(reverse("bundle_guide", args=["foreigner-work"])).content.decode()
    materials = section(html, "materials")
    rows = materials.split("<tr")[2:]
    assert len(rows) == 5  # 6 materials, the passport asked once
    passport = next(row for row in rows if "护照" in row)
    assert "只交一次" in passport
    assert "外国人来华工作许可" in passport and "外国人居留许可" in passport
    photo = next(row for row in rows if "照片" in row)
    assert "只交一次" not in photo and "外国人居留许可" in photo


def test_bundle_savings_are_computed(client, zone, foreigner_bundle):
    savings = section(
        client.get(reverse("bundle_guide", args=["foreigner-work"])).content.decode(), "savings"
    )
    # one by one: 1 + 2 visits, 3 + 3 materials, 10 + 7 days; the bundle: 1, 5, 4
    assert "分别办理 3 次" in savings and "少跑 2 次" in savings
    assert "分别办理 6 项" in savings and "少交 1 项" in savings
    assert "分别办理 17 个工作日" in savings and "节省 13 个工作日" in savings


def test_bundle_flow_has_a_lane_per_item(client, zone, foreigner_bundle):
    html = client.get(reverse("bundle_guide", args=["foreigner-work"])).content.decode()
    flow = html[html.index('id="flow"') : html.index("</article>")]
    lanes = re.findall(r'<section class="lane".*?</section>', flow, re.S)
    assert len(lanes) == 2
    assert "外国人来华工作许可" in lanes[0] and "科技局" in lanes[0]
    assert "外国人居留许可" in lanes[1] and "公安出入境" in lanes[1]
    for lane in lanes:
        assert 'class="flow flow--vertical"' in lane and "受理" in lane and "送达" in lane
    assert "统一出件：4 个工作日内办结全部事项" in flow


def test_bundle_with_a_retired_item_says_so(client, zone, foreigner_bundle):
    from onewindow.catalog.services import item_retire

    residence = foreigner_bundle.bundle_items.get(position=2).item
    item_retire(item=residence, actor=None)
    html = client.get(reverse("bundle_guide", args=["foreigner-work"])).content.decode()
    notice = html[html.index('id="unavailable-notice"') :]
    assert "本件事中有 1 个事项已停用" in notice and residence.implementation_code in notice
    assert len(re.findall(r'<section class="lane"', html)) == 1


def test_unknown_and_draft_bundles_are_not_found(client, zone, department, foreigner_bundle):
    assert client.get(reverse("bundle_guide", args=["nope"])).status_code == 404
    item = make_item(zone, department, name="某事项")
    make_bundle(zone, department, items=[item.item], code="draft-bundle")
    assert client.get(reverse("bundle_guide", args=["draft-bundle"])).status_code == 404


def test_bundle_guide_queries(client, zone, foreigner_bundle, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("bundle_guide", args=["foreigner-work"]))


def test_english_pages_open(client, zone, food_licence, foreigner_bundle):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get(reverse("item_search"), {"q": "外国人"}).status_code == 200
    assert client.get(guide_url(food_licence)).status_code == 200
    assert client.get(reverse("bundle_guide", args=["foreigner-work"])).status_code == 200


def test_window_of_the_item_is_listed_once(client, zone, department):
    window = Window.objects.create(zone=zone, code="B02", name="市场准入窗口", kind="specialized")
    version = make_item(zone, department, windows=[window])
    where = section(client.get(guide_url(version)).content.decode(), "where")
    assert where.count("市场准入窗口") == 1


def test_every_guide_of_the_demo_catalog_opens(client, db):
    from onewindow.catalog.models import Bundle, ItemVersion
    from onewindow.demo import catalog_data, org_data

    org_data.load()
    catalog_data.load()
    versions = ItemVersion.objects.published().select_related("item")
    assert versions.count() >= 60
    for version in versions:
        response = client.get(guide_url(version))
        assert response.status_code == 200, version.name
        assert 'class="flow' in response.content.decode(), version.name  # every flow is drawn
    for bundle in Bundle.objects.filter(status=VersionStatus.PUBLISHED):
        response = client.get(reverse("bundle_guide", args=[bundle.code]))
        assert response.status_code == 200, bundle.name
        assert 'id="unavailable-notice"' not in response.content.decode(), bundle.name
    html = client.get(reverse("item_search"), {"q": "外国人"}).content.decode()
    assert "外国人来华工作一件事" in section(html, "bundles")


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/items/", {"q": "食品\x00"}, 200),
        ("/items/", {"department": "\x00"}, 200),
        ("/items/", {"item_type": "\x00"}, 200),
        ("/items/", {"page": "\x00"}, 200),
        ("/items/A%00B/", {}, 404),
        ("/items/A%00B/materials/1/template/", {}, 404),
        ("/bundles/a%00/", {}, 404),
    ],
)
def test_null_characters_are_refused_not_crashed_on(
    client, zone, food_licence, path, query, status
):
    response = client.get(path, query)
    assert response.status_code == status
    if path == "/items/":
        assert 'id="items"' in response.content.decode() or response.context["form"].errors
