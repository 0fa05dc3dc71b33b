"""The satisfaction rate (满意率): a pure formula, read by the dashboard and the reviews."""

from __future__ import annotations

from collections.abc import Mapping

from onewindow.reviews.models import (
    SATISFIED_LEVELS,
    Level,
)

# -- the satisfaction rate ---------------------------------------------------------------------


def satisfaction_rate(counts: Mapping[int, int]) -> float | None:
    """满意率 = (非常满意 + 满意 + 基本满意) / 全部评价数.

    Source: 《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》
    （国办发〔2019〕51号）, whose five levels are 非常满意, 满意, 基本满意, 不满意 and
    非常不满意; GLOSSARY.md "Ratings" takes the rate as the share of the first three
    among all ratings *(configurable)*.

    ``counts`` maps a level (5 … 1, :class:`~onewindow.reviews.models.Level`) to the
    number of ratings at that level; missing levels count 0. Returns the share as a
    number between 0 and 1, or ``None`` when there are no ratings (no rate, rather than
    0 % or 100 %).
    """
    total = 0
    satisfied = 0
    for level, count in counts.items():
        if int(level) not in Level.values:
            raise ValueError(f"not a rating level: {level!r}")
        if count < 0:
            raise ValueError(f"a negative count for level {level}: {count}")
        total += count
        if level in SATISFIED_LEVELS:
            satisfied += count
    if total == 0:
        return None
    return satisfied / total
