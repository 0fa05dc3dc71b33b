"""Cases (办件): applications, their tasks, materials, suspensions and commitments.

A case is one application for one item version, or for a bundle (一件事): then it is a
parent case with one child case per item. Every status change goes through
``services._transition`` (the table in ``constants``) and appends an audit event.

``case``: the case, its tasks and suspensions; ``records``: its materials, commitments,
notices, walk-in agent and the applicants' drafts. Import from ``onewindow.cases.models``.
"""

from onewindow.cases.models.case import (
    Case,
    CaseNumberSequence,
    CaseQuerySet,
    Suspension,
    Task,
    TaskQuerySet,
    due_soon_condition,
    light_expression,
    overdue_condition,
)
from onewindow.cases.models.records import (
    ApplicationDraft,
    CaseAgent,
    CaseMaterial,
    Commitment,
    DraftFile,
    IssuedNotice,
    NoticeNumberSequence,
    agent_authorisation_path,
    draft_upload_path,
    material_storage,
    material_upload_path,
)

__all__ = [
    "ApplicationDraft",
    "Case",
    "CaseAgent",
    "CaseMaterial",
    "CaseNumberSequence",
    "CaseQuerySet",
    "Commitment",
    "DraftFile",
    "IssuedNotice",
    "NoticeNumberSequence",
    "Suspension",
    "Task",
    "TaskQuerySet",
    "agent_authorisation_path",
    "draft_upload_path",
    "due_soon_condition",
    "light_expression",
    "material_storage",
    "material_upload_path",
    "overdue_condition",
]
