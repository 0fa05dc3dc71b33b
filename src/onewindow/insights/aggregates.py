"""The median as a SQL aggregate, on PostgreSQL and on SQLite.

PostgreSQL has the ordered-set aggregate ``percentile_cont(0.5) WITHIN GROUP (ORDER BY
x)``: the middle value, or the mean of the two middle values when the count is even,
NULLs ignored, NULL for no values. SQLite has no median; :func:`register_sqlite_median`
adds an aggregate with exactly that meaning (``onewindow_median``) to every SQLite
connection Django opens (``InsightsConfig.ready`` connects it to
``connection_created``). :class:`Median` compiles to the one or the other.
"""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.models import Aggregate, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

SQLITE_MEDIAN = "onewindow_median"


class Median(Aggregate):
    """The median of an expression (``percentile_cont(0.5)``), NULLs ignored."""

    function = "PERCENTILE_CONT"
    name = "Median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function=SQLITE_MEDIAN,
            template="%(function)s(%(expressions)s)",
            **extra_context,
        )


class _SQLiteMedian:
    """``percentile_cont(0.5)`` for SQLite: collects the non-NULL values of a group."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return float(ordered[middle])
        return (ordered[middle - 1] + ordered[middle]) / 2


def register_sqlite_median(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: add ``onewindow_median`` to a SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SQLiteMedian)


def median_sql(column_sql: str, connection=None) -> str:
    """The SQL of :class:`Median` over a column of a hand-written query (no parameters)."""
    connection = connection or default_connection
    query = Query(None)
    compiler = query.get_compiler(connection=connection)
    expression = Median(RawSQL(column_sql, ())).resolve_expression(query)
    sql, params = compiler.compile(expression)
    if params:
        raise ValueError("median_sql takes a column without parameters")
    return sql
