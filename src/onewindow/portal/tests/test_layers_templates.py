"""No lower app names a higher app's URL, template tags or templates (docs/decisions/0022).

import-linter keeps Python imports in the layer order of pyproject.toml; this test does the
same for what import-linter cannot see: ``{% url 'ns:name' %}``, ``{% load library %}`` and
``{% include/extends "app/…" %}`` in every app's templates, and ``reverse("ns:name")``,
``reverse_lazy``, ``redirect`` and ``resolve_url`` with a literal name in every app's Python
code outside its tests. Each name is traced to the app that owns it (the URL conf that
defines the URL; the app label of an admin URL; the package of a template library; the
directory holding a template) and must not sit higher than the app that names it. The
project's own templates (``src/onewindow/templates``: ``base.html``, ``includes/``) count as
the portal's when they name something, and as nobody's when an app extends or includes
them (they are the shell every page sits in).

A higher app that wants to appear on a lower app's page registers a link or a fragment
with ``core.registry`` instead (``{% slot %}``, the navigation, the home panels).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.template import engines
from django.template.backends.django import get_installed_libraries
from django.urls import URLPattern, URLResolver, get_resolver

import onewindow

PACKAGE = Path(onewindow.__file__).resolve().parent
REPOSITORY = PACKAGE.parents[1]
PROJECT_TEMPLATES = PACKAGE / "templates"

URL_TAG = re.compile(r"""\{%\s*url\s+['"]([^'"]+)['"]""")
LOAD_TAG = re.compile(r"""\{%\s*load\s+([^%]+?)\s*%\}""")
TEMPLATE_TAG = re.compile(r"""\{%\s*(?:include|extends)\s+['"]([^'"]+)['"]""")
PYTHON_NAME = re.compile(
    r"""\b(?:reverse|reverse_lazy|redirect|resolve_url)\(\s*['"]([\w-]+(?::[\w-]+)*)['"]"""
)


def layer_order() -> list[str]:
    """The apps from the highest layer to the lowest (optional layers included)."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    contract = config["tool"]["importlinter"]["contracts"][0]
    assert contract["type"] == "layers"
    return [layer.strip("()") for layer in contract["layers"]]


LAYERS = layer_order()


def rank(app: str) -> int:
    """Higher apps rank higher."""
    return len(LAYERS) - LAYERS.index(app)


def app_of_module(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "onewindow" and parts[1] in LAYERS:
        return parts[1]
    return None


def _admin_owner(name: str) -> str | None:
    """``admin:<app label>_<model>_<action>`` belongs to the app of the label."""
    for config in apps.get_app_configs():
        if name.startswith(f"{config.label}_"):
            return app_of_module(config.name)
    return None


def url_owners() -> dict[str, str | None]:
    """Every URL name ("ns:name") → the app that owns it (None: Django's or the project's)."""
    owners: dict[str, str | None] = {}

    def walk(patterns, namespaces: list[str], urlconf: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = pattern.urlconf_name
                name = module if isinstance(module, str) else getattr(module, "__name__", "")
                inner = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, inner, name or urlconf)
            elif isinstance(pattern, URLPattern) and pattern.name:
                full = ":".join([*namespaces, pattern.name])
                if namespaces[:1] == ["admin"]:
                    owner = _admin_owner(pattern.name)
                else:
                    owner = app_of_module(urlconf) or app_of_module(
                        getattr(pattern.callback, "__module__", "")
                    )
                owners.setdefault(full, owner)

    walk(get_resolver().url_patterns, [], "onewindow.urls")
    return owners


def library_owners() -> dict[str, str | None]:
    libraries = {**get_installed_libraries(), **engines["django"].engine.libraries}
    return {name: app_of_module(module) for name, module in libraries.items()}


def template_roots() -> dict[str, Path]:
    """Each layer's template directory (the project's counts as the portal's)."""
    roots = {"portal (project)": PROJECT_TEMPLATES}
    for app in LAYERS:
        directory = PACKAGE / app / "templates"
        if directory.is_dir():
            roots[app] = directory
    return roots


def template_owner(name: str) -> str | None:
    """The app whose template directory holds ``name``; None for Django's and packages'
    templates and for the project's own (``base.html``, ``includes/``: the shell every
    page extends, which names no app)."""
    if (PROJECT_TEMPLATES / name).is_file():
        return None
    for app, root in template_roots().items():
        if root != PROJECT_TEMPLATES and (root / name).is_file():
            return app
    return None


def names_in_template(text: str) -> list[tuple[str, str]]:
    """("url" | "load" | "template", name) of every reference in a template's text."""
    found = [("url", name) for name in URL_TAG.findall(text)]
    for libraries in LOAD_TAG.findall(text):
        words = libraries.split()
        if "from" in words:  # {% load tag from library %}
            words = words[words.index("from") + 1 :]
        found += [("load", word) for word in words]
    found += [("template", name) for name in TEMPLATE_TAG.findall(text)]
    return found


def violations_of(app: str, where: str, references, owners) -> list[str]:
    """The references of ``app`` (at ``where``) that name a higher app or nothing known."""
    problems = []
    for kind, name in references:
        if name not in owners[kind]:
            problems.append(f"{where}: unknown {kind} {name!r}")
            continue
        owner = owners[kind][name]
        if owner is not None and rank(owner) > rank(app):
            problems.append(f"{where}: {app} names {kind} {name!r} of the higher app {owner}")
    return problems


@pytest.fixture(scope="module")
def owners() -> dict:
    return {"url": url_owners(), "load": library_owners(), "template": _TemplateOwners()}


class _TemplateOwners(dict):
    """Template name → owner, looked up on demand (Django's own templates are neutral)."""

    def __contains__(self, name) -> bool:
        return True

    def __getitem__(self, name):
        return template_owner(name)


def test_the_layers_list_the_portal_between_demo_and_insights():
    assert LAYERS.index("demo") < LAYERS.index("portal") < LAYERS.index("insights")


def test_no_template_names_a_higher_app(owners):
    problems = []
    for app, root in template_roots().items():
        layer = "portal" if root == PROJECT_TEMPLATES else app
        for path in sorted(root.rglob("*.html")):
            where = str(path.relative_to(PACKAGE))
            references = names_in_template(path.read_text(encoding="utf-8"))
            problems += violations_of(layer, where, references, owners)
    assert problems == []


def test_no_python_module_names_a_higher_app_s_url(owners):
    problems = []
    for app in LAYERS:
        directory = PACKAGE / app
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(directory)
            if relative.parts[0] in ("tests", "migrations"):
                continue
            references = [("url", name) for name in PYTHON_NAME.findall(path.read_text())]
            problems += violations_of(app, str(path.relative_to(PACKAGE)), references, owners)
    assert problems == []


# -- the checker itself --------------------------------------------------------------------


def test_the_owners_of_urls_libraries_and_templates(owners):
    assert owners["url"]["cases:desk"] == "cases"
    assert owners["url"]["home"] == "portal"
    assert owners["url"]["login"] == "org"
    assert owners["url"]["item_search"] == "catalog"
    assert owners["url"]["admin:org_user_changelist"] == "org"
    assert owners["url"]["admin:index"] is None
    assert owners["url"]["set_language"] is None
    assert owners["load"]["org_pages"] == "org"
    assert owners["load"]["slots"] == "core"
    assert owners["load"]["i18n"] is None
    assert owners["template"]["base.html"] is None
    assert owners["template"]["cases/_light.html"] == "cases"
    assert owners["template"]["admin/base_site.html"] is None


@pytest.mark.parametrize(
    ("app", "text", "broken"),
    [
        ("org", "<a href=\"{% url 'cases:desk' %}\">", True),
        ("catalog", "{% url 'cases:apply_item' item.code as apply %}", True),
        ("cases", "{% load i18n slots org_pages %}", False),
        ("certificates", '{% include "cases/_light.html" %}', True),
        ("reviews", "<a href=\"{% url 'cases:case' case.number %}\">", False),
        ("org", "{% url 'home' %}", True),
        ("org", "{% url 'no_such_page' %}", True),
    ],
)
def test_the_checker_finds_a_lower_app_naming_a_higher_one(owners, app, text, broken):
    problems = violations_of(app, "example.html", names_in_template(text), owners)
    assert bool(problems) == broken, problems


def test_python_names_are_found():
    source = "return redirect(\"cases:desk\")\nurl = reverse_lazy('home')\nreverse(name)\n"
    assert PYTHON_NAME.findall(source) == ["cases:desk", "home"]
