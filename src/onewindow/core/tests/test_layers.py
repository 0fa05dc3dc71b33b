"""The app layering of DESIGN.md holds: import-linter's contracts in pyproject.toml are kept,
between apps and inside each app (interfaces > services > selectors > models; only URL
confs and the API router import views and API modules).

The contract lists apps not built yet as optional layers (in parentheses); it is
exhaustive, so a new app fails here until it is placed in the list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import onewindow

REPOSITORY = Path(__file__).resolve().parents[4]
PACKAGE = Path(onewindow.__file__).resolve().parent

LINT_IMPORTS = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())",
    "--no-cache",
]


def lint(directory: Path, source: Path) -> subprocess.CompletedProcess:
    """Run lint-imports with the pyproject.toml of ``directory`` over the package in ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(
        [*LINT_IMPORTS, "--config", str(directory / "pyproject.toml")],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layer_contract_is_kept():
    result = lint(REPOSITORY, PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project's Python files and pyproject.toml to break on purpose."""
    shutil.copy(REPOSITORY / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        PACKAGE,
        tmp_path / "src" / "onewindow",
        ignore=lambda directory, names: [
            name
            for name in names
            if not name.endswith(".py") and not (Path(directory) / name).is_dir()
        ],
    )
    return tmp_path


def add_module(project: Path, dotted: str, source: str) -> None:
    path = project / "src" / Path(*dotted.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(project / "src").parents:
        if parent != Path("."):
            (project / "src" / parent / "__init__.py").touch()
    path.write_text(source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("onewindow.core.leak", "from onewindow.org import models\n"),
        ("onewindow.org.leak", "import onewindow.demo.org_data\n"),
        ("onewindow.core.calendar_leak", "from onewindow.cases import models\n"),
    ],
)
def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(project_copy, module, source):
    if module.endswith("calendar_leak"):  # an optional layer counts once it exists
        add_module(project_copy, "onewindow.cases.models", "")
    add_module(project_copy, module, source)

    result = lint(project_copy, project_copy / "src")

    assert result.returncode != 0
    assert re.search(r"Contracts: \d+ kept, 1 broken", result.stdout)
    assert module in result.stdout


def test_tests_may_import_higher_layers(project_copy):
    add_module(project_copy, "onewindow.core.tests.test_fixture_leak", "import onewindow.demo\n")

    result = lint(project_copy, project_copy / "src")

    assert result.returncode == 0, result.stdout + result.stderr


def test_an_app_outside_the_layers_breaks_the_contract(project_copy):
    add_module(project_copy, "onewindow.newapp.models", "")

    result = lint(project_copy, project_copy / "src")

    assert result.returncode != 0
    assert "onewindow.newapp" in result.stdout


INTRA_APP = "Inside each app"
ENTRY_POINTS = "Only URL confs and the API router import a view or an API module"


def append_line(project: Path, dotted: str, line: str) -> None:
    path = project / "src" / Path(*dotted.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + "\n" + line + "\n")


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("onewindow.catalog.selectors", "import onewindow.catalog.services", INTRA_APP),
        ("onewindow.reviews.models", "from onewindow.reviews import services", INTRA_APP),
        ("onewindow.reviews.views", "from onewindow.reviews import api", INTRA_APP),
    ],
)
def test_inside_an_app_a_lower_layer_importing_a_higher_one_breaks_a_contract(
    project_copy, module, line, contract
):
    append_line(project_copy, module, line)

    result = lint(project_copy, project_copy / "src")

    assert result.returncode != 0
    assert contract in result.stdout.replace("\n", " ")
    assert module in result.stdout


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("onewindow.cases.leak", "from onewindow.cases import api\n"),
        ("onewindow.insights.leak", "import onewindow.reviews.views\n"),
        ("onewindow.demo.leak", "import onewindow.api\n"),
    ],
)
def test_only_url_confs_and_the_router_import_views_and_api_modules(project_copy, module, source):
    add_module(project_copy, module, source)

    result = lint(project_copy, project_copy / "src")

    assert result.returncode != 0
    assert re.search(r"Contracts: \d+ kept, 1 broken", result.stdout)
    assert ENTRY_POINTS in result.stdout and module in result.stdout
