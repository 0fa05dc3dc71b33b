"""Pages of the catalog: the portal's search, the item guide (办事指南) and the bundle
guide (一件事指南). Each view parses input, calls one reader (``search``, ``selectors``,
``workflow``, ``bundles``) and renders; visibility (drafts never, retired versions only
when asked for) is the selectors' and the search's."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.catalog import selectors
from onewindow.catalog.constants import MaterialSource, VersionStatus
from onewindow.catalog.forms import ItemSearchForm
from onewindow.catalog.models import ItemVersion, Material, Step
from onewindow.catalog.search import result_page, search_bundles, search_items
from onewindow.catalog.workflow import StepSpec, workflow_structure
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.forms import add_service_error
from onewindow.org.context_processors import zone as zone_context
from onewindow.org.models import Zone


@dataclass(frozen=True)
class FlowStep:
    """A step as the flow drawing shows it: the row, the names of the steps before it,
    and whether it lies on the longest path (the one that sets the time limit)."""

    step: Step
    after: list[str]
    critical: bool
    show_after: bool  # the steps before it are not simply the whole previous column


@dataclass(frozen=True)
class Flow:
    levels: list[list[FlowStep]]  # steps that run in parallel, depth by depth
    longest_days: int
    steps: list[Step]  # in their listed order, for the text summary


def flow_of(steps: list[Step]) -> Flow | None:
    """The drawing of a version's steps from the workflow's plan (None without steps, or
    when the stored steps do not form a workflow: the page then lists them in order)."""
    if not steps:
        return None
    try:
        plan = workflow_structure([StepSpec.of(step) for step in steps])
    except ValidationFailed:
        return None
    rows = {step.key: step for step in steps}
    critical = set(plan.longest_path)
    levels = []
    previous: list[str] = []
    for level in plan.levels:
        levels.append(
            [
                FlowStep(
                    step=rows[key],
                    after=[rows[before].name for before in rows[key].after],
                    critical=key in critical,
                    show_after=sorted(rows[key].after) != sorted(previous),
                )
                for key in level
            ]
        )
        previous = level
    return Flow(levels=levels, longest_days=plan.longest_days, steps=steps)


#: Results per page of the search, and the last page number a URL may ask for.
PAGE_SIZE = 20
MAX_PAGE = 100_000

#: Zones whose catalog is illustrative (the demo zone built by ``onewindow demo``);
#: an installation may name its own with the ``ONEWINDOW_DEMO_ZONES`` setting.
DEFAULT_DEMO_ZONES = ("SFQ",)

MATERIAL_FILES = ("template", "sample")


def _site_zone(request: HttpRequest) -> Zone:
    """The zone this site serves; a site without one has no catalog to show."""
    zone = zone_context(request)["zone"]
    if zone is None:
        raise Http404("no zone")
    return zone


def is_demo_zone(zone: Zone) -> bool:
    return zone.code in getattr(settings, "ONEWINDOW_DEMO_ZONES", DEFAULT_DEMO_ZONES)


def _requested_version(request: HttpRequest) -> int | None:
    """``?version=N``: None when absent; a value that is not a version number is a page
    that does not exist."""
    value = request.GET.get("version")
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise Http404("bad version")
    return int(value)


def _guide_version(zone: Zone, code: str, version: int | None) -> ItemVersion:
    try:
        return selectors.item_guide(zone=zone, code=code, version=version)
    except NotFound as error:
        raise Http404(error.message) from None


# -- the search ----------------------------------------------------------------------------


def _with_flags(versions):
    """Add the 容缺 / 告知承诺 flags of each result inside the search's own query."""
    materials = Material.objects.filter(version=OuterRef("pk"))
    return versions.annotate(
        any_tolerable=Exists(materials.filter(tolerable=True)),
        any_commitment=Exists(materials.filter(commitment_allowed=True)),
    )


@dataclass(frozen=True)
class SearchPage:
    """One page of results, as the template shows it (``search.result_page`` fetched it)."""

    number: int
    size: int
    count: int
    object_list: list

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1


def _page_number(value: str | None) -> int:
    """``?page=N``; anything that is not a page number is the first page."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_PAGE:
        return int(value)
    return 1


def _search_page(versions, number: int) -> SearchPage:
    """Page ``number`` of the results; past the end, the last page."""
    found = result_page(versions, page=number, page_size=PAGE_SIZE)
    page = SearchPage(number, PAGE_SIZE, found.count, found.results)
    if not found.results and number > page.num_pages:
        return _search_page(versions, page.num_pages)
    return page


@require_GET
def item_search(request: HttpRequest) -> HttpResponse:
    """``/items/``: the catalog, narrowed by words or pinyin and the filters; the bundles
    (一件事) the words find come first, on the first page."""
    zone = _site_zone(request)
    form = ItemSearchForm(request.GET or None, zone=zone)
    context: dict = {"form": form, "is_demo": is_demo_zone(zone)}
    if form.is_bound and not form.is_valid():
        return render(request, "catalog/item_search.html", context)
    data = form.cleaned_data if form.is_bound else {}
    query = data.get("q", "")
    try:
        versions = search_items(
            zone=zone,
            query=query,
            department=data.get("department"),
            item_type=data.get("item_type") or None,
            fully_online=True if data.get("fully_online") else None,
            immediate=True if data.get("immediate") else None,
        )
        bundles = search_bundles(zone=zone, query=query)
    except ValidationFailed as error:
        add_service_error(form, error, others="drop")
        return render(request, "catalog/item_search.html", context)
    page = _search_page(_with_flags(versions), _page_number(request.GET.get("page")))
    show_bundles = page.number == 1 and not (form.is_bound and form.has_filters)
    context.update(
        page=page,
        query=query,
        searched=form.is_bound,
        bundles=list(bundles.annotate(item_count=Count("bundle_items"))) if show_bundles else [],
    )
    return render(request, "catalog/item_search.html", context)


# -- the item guide ---------------------------------------------------------------------------


@require_GET
def item_guide(request: HttpRequest, code: str) -> HttpResponse:
    """``/items/<实施编码>/``: the printable guide of the published version, or with
    ``?version=N`` of that version (a retired one says so)."""
    zone = _site_zone(request)
    version = _guide_version(zone, code, _requested_version(request))
    materials = list(version.materials.all())
    context = {
        "version": version,
        "item": version.item,
        "materials": materials,
        "flow": flow_of(list(version.steps.all())),
        "windows": list(version.windows.all()),
        "is_retired": version.status == VersionStatus.RETIRED,
        "is_demo": is_demo_zone(zone),
        "any_tolerable": any(material.tolerable for material in materials),
        "any_commitment": any(material.commitment_allowed for material in materials),
        "any_shared": any(material.source != MaterialSource.APPLICANT for material in materials),
    }
    return render(request, "catalog/item_guide.html", context)


@require_GET
def material_file(request: HttpRequest, code: str, position: int, kind: str) -> FileResponse:
    """A material's blank form or filled-in sample, of a version the public may read."""
    if kind not in MATERIAL_FILES:
        raise Http404("no such file")
    zone = _site_zone(request)
    version = _guide_version(zone, code, _requested_version(request))
    material = next((m for m in version.materials.all() if m.position == position), None)
    file = getattr(material, kind, None) if material is not None else None
    if not file:
        raise Http404("no such file")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("no such file") from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(file.name))


# -- the bundle guide ----------------------------------------------------------------------------


@require_GET
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    """``/bundles/<code>/``: a bundle (一件事), its items side by side, the materials asked
    once, and what it saves against doing the items one by one."""
    zone = _site_zone(request)
    try:
        guide = selectors.bundle_guide(zone=zone, code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {
        "guide": guide,
        "bundle": guide.bundle,
        "lanes": [(version, flow_of(list(version.steps.all()))) for version in guide.versions],
        "savings": guide.savings,
        "is_demo": is_demo_zone(zone),
    }
    return render(request, "catalog/bundle_guide.html", context)
