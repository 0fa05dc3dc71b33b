"""Every write of cases: one use-case per function, each in a transaction.

Shape of each service: lock (case first, then tasks by primary key), guard, write with
``update_fields``, append an audit event, schedule side effects on commit. The status
moves only through ``common._transition``, which checks ``ALLOWED_TRANSITIONS``.

By use-case: ``intake`` (create, submit, correction, resubmission, refusal, withdrawal),
``application`` (the online application: create, attach the files, submit at once),
``agents`` (a walk-in application with the agent who brought it, 经办人),
``materials`` (uploads, paper, supplements, the certificate wallet),
``pre_review`` (the window's pass / fail of each material), ``acceptance``,
``workflow`` (the engine opening tasks), ``review`` (the tasks), ``clock`` (special
procedures, extension, recomputation), ``delivery`` (decision, certificate, delivery,
on-the-spot items); ``common`` and ``numbering`` hold what they share. Who may do what,
when, is asked of ``cases.rules`` (the guards). Callers import from
``onewindow.cases.services``.
"""

from onewindow.cases.rules import MATERIAL_OPEN_STATUSES, SUPPLEMENT_STATUSES
from onewindow.cases.services.acceptance import case_accept
from onewindow.cases.services.agents import AgentInput, case_create_at_window
from onewindow.cases.services.application import MaterialFile, case_apply
from onewindow.cases.services.clock import (
    case_extend,
    case_resume,
    case_suspend,
    recompute_deadlines,
)
from onewindow.cases.services.commitments import OnlineCommitment, commitment_text
from onewindow.cases.services.delivery import (
    DEFAULT_REMEDY_NOTICE,
    case_handle_on_the_spot,
    certificate_type_of,
    owed_supplements,
    task_decide,
    task_deliver,
)
from onewindow.cases.services.drafts import (
    draft_discard,
    draft_file_open,
    draft_file_remove,
    draft_for,
    draft_keep,
    drafts_expire,
)
from onewindow.cases.services.intake import (
    case_create,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_submit,
    case_withdraw,
)
from onewindow.cases.services.materials import (
    material_file_viewed,
    material_receive_paper,
    material_upload,
    wallet_material_lines,
)
from onewindow.cases.services.pre_review import case_pre_review, correction_items_from
from onewindow.cases.services.review import (
    task_claim,
    task_complete,
    task_request_co_review,
    task_return,
    task_transfer,
)

__all__ = [
    "DEFAULT_REMEDY_NOTICE",
    "MATERIAL_OPEN_STATUSES",
    "SUPPLEMENT_STATUSES",
    "AgentInput",
    "MaterialFile",
    "OnlineCommitment",
    "case_accept",
    "case_apply",
    "case_create",
    "case_create_at_window",
    "case_extend",
    "case_handle_on_the_spot",
    "case_pre_review",
    "case_refuse",
    "case_request_correction",
    "case_resubmit",
    "case_resume",
    "case_submit",
    "case_suspend",
    "case_withdraw",
    "certificate_type_of",
    "commitment_text",
    "correction_items_from",
    "draft_discard",
    "draft_file_open",
    "draft_file_remove",
    "draft_for",
    "draft_keep",
    "drafts_expire",
    "material_file_viewed",
    "material_receive_paper",
    "material_upload",
    "owed_supplements",
    "recompute_deadlines",
    "task_claim",
    "task_complete",
    "task_decide",
    "task_deliver",
    "task_request_co_review",
    "task_return",
    "task_transfer",
    "wallet_material_lines",
]
