"""The CJK font of every PDF OneWindow writes (notices, e-certificates).

reportlab embeds TrueType outlines only, and cannot read the CFF outlines of Noto CJK, so
documents use WenQuanYi Zen Hei from Debian's ``fonts-wqy-zenhei`` (its first face). The
font is registered once per process, lazily, on the first document; a missing font file
names the package to install.

    font = cjk_font()                                   # "WenQuanYiZenHei"
    style = ParagraphStyle("body", fontName=font, wordWrap="CJK")
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib import textsplit as rl_textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as rl_paragraph

FONT_NAME = "WenQuanYiZenHei"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT_PACKAGE = "fonts-wqy-zenhei"

#: Chinese punctuation that must not start a line (reportlab's CJK wrap knows only some of
#: it, e.g. not ，：；》” ): such a character hangs at the end of the line before instead.
CJK_CANNOT_START = "，。、；：？！）》」』】〕〉”’…％"

_lock = threading.Lock()
_registered = False


def cjk_font() -> str:
    """Register the CJK font once (lazily, on the first document); return its name.

    Raises RuntimeError naming the Debian package when the font file is missing."""
    global _registered
    if _registered:
        return FONT_NAME
    with _lock:
        if not _registered:
            path = Path(FONT_PATH)
            if not path.is_file():
                raise RuntimeError(
                    f"The CJK font for PDF documents is missing ({path}): "
                    f"install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})."
                )
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            teach_line_breaking()
            _registered = True
    return FONT_NAME


def teach_line_breaking() -> None:
    """Add the Chinese punctuation reportlab's CJK line breaking lacks (idempotent).

    Both CJK wrappers (``paragraph.cjkFragSplit`` for mixed markup, ``textsplit.dumbSplit``
    for plain text) read a module global ``ALL_CANNOT_START``; extending it only affects
    paragraphs with ``wordWrap="CJK"``.
    """
    for module in (rl_paragraph, rl_textsplit):
        known = module.ALL_CANNOT_START
        missing = "".join(char for char in CJK_CANNOT_START if char not in known)
        if missing:
            module.ALL_CANNOT_START = known + missing
