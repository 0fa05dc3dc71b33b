"""Written notices of a case (补正、受理、不予受理、许可决定) as PDF, in the layout of
official documents (GB/T 9704, ADR 0023).

The Chinese text is the binding text: every notice is rendered in Chinese whatever the
reader's language, in AR PL UMing (body) and UKai (titles), TrueType faces reportlab can
embed (``core.pdf_fonts``). A notice is issued before it is rendered: it gets its document
number (文号), date and handler once (``services.notices.notice_issue``), so every
rendering prints the same. Documents are built with ``invariant=1``: same notice, same
bytes.

    notice_issue(case=case, kind=NoticeKind.ACCEPTANCE, actor=user)
    kinds = available_notices(case)              # ["correction", "acceptance", ...]
    pdf = render_notice(case, NoticeKind.ACCEPTANCE, receipt=True)  # with the 送达回证
    name = notice_filename(case, NoticeKind.ACCEPTANCE)  # "SFQ-2026-0000123-受理通知书.pdf"

``kinds``: which notices a case has; ``layout``: what every notice shares; ``documents``:
each kind's body and the PDF.
"""

# The CJK fonts live in core.pdf_fonts (certificates use them too); FONT_NAME and FONT_PATH
# (the sans face) stay importable from here for the demo's sample material.
from onewindow.cases.notices.documents import render_notice
from onewindow.cases.notices.kinds import (
    NoticeKind,
    available_notices,
    notice_filename,
    notice_title,
)
from onewindow.cases.notices.layout import format_date, format_datetime
from onewindow.core.pdf_fonts import FONT_NAME, FONT_PATH

__all__ = [
    "FONT_NAME",
    "FONT_PATH",
    "NoticeKind",
    "available_notices",
    "format_date",
    "format_datetime",
    "notice_filename",
    "notice_title",
    "render_notice",
]
