"""The department charts keep their labels apart: columns for a few departments, horizontal
bars (one row per department, values past the bar's end) for more."""

from __future__ import annotations

from types import SimpleNamespace

from onewindow.insights import charts
from onewindow.insights.selectors.figures import DepartmentRow, Figures


def _summary(departments: int):
    rows = [
        DepartmentRow(
            department=SimpleNamespace(pk=index, name=f"第{index}部门", short_name=""),
            figures=Figures(accepted=index, decided=index),
        )
        for index in range(1, departments + 1)
    ]
    return SimpleNamespace(departments=rows)


def test_a_few_departments_are_columns():
    volume, rates = charts._department_charts(_summary(charts.DEPARTMENT_COLUMNS))
    assert (volume.kind, rates.kind) == ("bar", "bar")


def test_many_departments_are_horizontal_bars_with_every_name():
    volume, rates = charts._department_charts(_summary(charts.DEPARTMENT_COLUMNS + 1))
    assert (volume.kind, rates.kind) == ("barh", "barh")
    assert volume.categories == [f"第{index}部门" for index in range(1, 8)]
    assert volume.as_json()["kind"] == "barh"
