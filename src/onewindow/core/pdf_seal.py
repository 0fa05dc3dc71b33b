"""The electronic seal image of a PDF notice, drawn by the program (ADR 0023).

A round seal as an administrative organ's is: a red ring 42 mm across, a five-pointed star
in the middle, the organ's name along the upper arc, each character upright towards the
rim. It is an image of a seal, not an electronic signature: what makes a notice binding is
the case record it was printed from. On development and demo instances
(``settings.ONEWINDOW_DEMO_SEAL``) the seal says 演示专用章 / DEMO low in the ring, so a
printed demo notice cannot pass for a real one.

    draw_seal(canvas, x, y, name="示范经济技术开发区行政审批局", font=cjk_font(), demo=True)
"""

from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.lib.units import mm

SEAL_DIAMETER = 42 * mm
SEAL_RED = colors.Color(0.9, 0.0, 0.07)
RING_WIDTH = 1.2 * mm
#: The widest arc the name may take (degrees), centred on the top.
MAX_ARC = 250
#: The largest character of the name (a short name does not get huge letters).
MAX_CHAR = 6 * mm
DEMO_TEXT = "演示专用章"
DEMO_LATIN = "DEMO"


def _star(canvas, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382
    path = canvas.beginPath()
    for index in range(10):
        angle = math.radians(90 + index * 36)
        radius = outer if index % 2 == 0 else inner
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        if index == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def name_layout(name: str, radius: float) -> tuple[float, float, list[float]]:
    """The character size, the baseline radius and each character's angle (degrees, 90 is
    the top) of ``name`` on the arc of a seal of ``radius``."""
    count = max(len(name), 1)
    gap = RING_WIDTH + 1.2 * mm
    arc = math.radians(MAX_ARC)
    # count·size·1.1 ≤ (radius − gap − size)·arc, the characters kept apart by a tenth.
    size = min(MAX_CHAR, (radius - gap) * arc / (count * 1.1 + arc))
    baseline = radius - gap - size
    step = math.degrees(size * 1.15 / baseline)
    span = min(MAX_ARC, step * count)
    step = span / count
    angles = [90 + span / 2 - (index + 0.5) * step for index in range(count)]
    return size, baseline, angles


def draw_seal(
    canvas,
    cx: float,
    cy: float,
    *,
    name: str,
    font: str,
    demo: bool,
    diameter: float = SEAL_DIAMETER,
) -> None:
    """Draw the seal of ``name`` centred on (``cx``, ``cy``); slightly transparent, so the
    signature and date it presses stay legible."""
    radius = diameter / 2
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillAlpha(0.85)
    canvas.setStrokeAlpha(0.85)
    canvas.setLineWidth(RING_WIDTH)
    canvas.circle(cx, cy, radius - RING_WIDTH / 2, stroke=1, fill=0)
    _star(canvas, cx, cy + radius * 0.04, radius * 0.3)

    size, baseline, angles = name_layout(name, radius)
    for char, angle in zip(name, angles, strict=True):
        canvas.saveState()
        theta = math.radians(angle)
        canvas.translate(cx + baseline * math.cos(theta), cy + baseline * math.sin(theta))
        canvas.rotate(angle - 90)
        canvas.setFont(font, size)
        canvas.drawCentredString(0, 0, char)
        canvas.restoreState()

    if demo:
        # Low in the ring, under where the organ's name and the date are printed.
        canvas.setFont(font, radius * 0.16)
        canvas.drawCentredString(cx, cy - radius * 0.72, DEMO_TEXT)
        canvas.setFont(font, radius * 0.1)
        canvas.drawCentredString(cx, cy - radius * 0.86, DEMO_LATIN)
    canvas.restoreState()
