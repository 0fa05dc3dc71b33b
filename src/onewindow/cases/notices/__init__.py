"""Written notices of a case (补正、受理、不予受理、许可决定) as PDF.

The Chinese text is the binding text: every notice is rendered in Chinese whatever the
reader's language, with the TrueType CJK font of Debian's ``fonts-wqy-zenhei`` embedded
(reportlab cannot read the CFF outlines of Noto CJK). Documents are built with
``invariant=1``, so the same case rendered on the same day gives the same bytes.

    kinds = available_notices(case)              # ["correction", "acceptance", ...]
    pdf = render_notice(case, NoticeKind.ACCEPTANCE)
    name = notice_filename(case, NoticeKind.ACCEPTANCE)  # "SFQ-2026-0000123-受理通知书.pdf"

``kinds``: which notices a case has; ``layout``: what every notice shares; ``documents``:
each kind's body and the PDF.
"""

# The CJK font lives in core.pdf_fonts (certificates use it too); FONT_NAME and FONT_PATH
# stay importable from here for the demo's sample material.
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
