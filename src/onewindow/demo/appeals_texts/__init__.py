"""The words of the demo appeals (illustrative, not real cases): the category tree with its
dispatch catalogue, the knowledge base, and what enterprises and people ask about.

``{company}`` in a description is the enterprise the appeal is by or about; texts without
it read the same from a person or a caller.

The texts live in ``catalogue`` (the category tree and its dispatch catalogue),
``knowledge`` (the articles), ``topics`` (what is asked) and ``handling`` (the
notes and reasons of the moves); the names are re-exported here.
"""

from __future__ import annotations

from onewindow.demo.appeals_texts.catalogue import (
    CATEGORIES,
    DISPATCH,
    LEGAL_BASIS,
    MISROUTED,
)
from onewindow.demo.appeals_texts.handling import (
    CALLER_GIVEN,
    CALLER_SURNAMES,
    CENTRE_CLOSING,
    DESIGNATION_NOTES,
    EMERGENCIES,
    EXTENSION_APPROVALS,
    EXTENSION_REASONS,
    EXTENSION_REFUSALS,
    LATE_RETURN_REASONS,
    NOT_ACCEPTED,
    PART_REPLIES,
    REPLY_REJECTIONS,
    RETURN_REASONS,
    SUPERVISION_NOTES,
    SUPERVISION_RESPONSES,
    VISIT_NOTES,
)
from onewindow.demo.appeals_texts.knowledge import ARTICLES
from onewindow.demo.appeals_texts.topics import TOPICS

__all__ = [
    "ARTICLES",
    "CALLER_GIVEN",
    "CALLER_SURNAMES",
    "CATEGORIES",
    "CENTRE_CLOSING",
    "DESIGNATION_NOTES",
    "DISPATCH",
    "EMERGENCIES",
    "EXTENSION_APPROVALS",
    "EXTENSION_REASONS",
    "EXTENSION_REFUSALS",
    "LATE_RETURN_REASONS",
    "LEGAL_BASIS",
    "MISROUTED",
    "NOT_ACCEPTED",
    "PART_REPLIES",
    "REPLY_REJECTIONS",
    "RETURN_REASONS",
    "SUPERVISION_NOTES",
    "SUPERVISION_RESPONSES",
    "TOPICS",
    "VISIT_NOTES",
]
