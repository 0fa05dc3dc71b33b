"""QR codes drawn on pages: an inline, scalable, labelled SVG (the window's rating code,
the authenticator enrolment). PDFs draw theirs with reportlab."""

from __future__ import annotations

import re

import qrcode
from django.utils.html import escape
from qrcode.image.svg import SvgPathFillImage


def qr_svg(data: str, *, label: str, css_class: str) -> str:
    """An inline SVG QR code of ``data``: white background, no fixed size (the stylesheet
    sizes it through ``css_class``), announced to screen readers as ``label``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image(image_factory=SvgPathFillImage).to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r'\swidth="[^"]*"\sheight="[^"]*"', "", svg, count=1)
    return svg.replace(
        "<svg ", f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(label)}" ', 1
    )
