"""The CJK fonts of every PDF OneWindow writes (notices, e-certificates), ADR 0023.

reportlab embeds TrueType outlines only, and cannot read the CFF outlines of Noto CJK. The
body is set in a serif (明体/宋体 style) face as official documents are (GB/T 9704): AR PL
UMing from Debian's ``fonts-arphic-uming``; titles and the issuing organ's mark in a kai
(楷体) face, AR PL UKai from ``fonts-arphic-ukai``. Where a font is missing the next one
stands in (UKai → UMing → WenQuanYi Zen Hei from ``fonts-wqy-zenhei``, the sans the
platform used before) and a warning names the package to install; only when none is there
does a document fail, naming the packages. Each font is registered once per process,
lazily, on the first document.

    font = cjk_font()                # "ARPLUMingCN" (body)
    title = cjk_title_font()         # "ARPLUKaiCN"  (titles, the issuing organ)
    style = ParagraphStyle("body", fontName=font, wordWrap="CJK")
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import textsplit as rl_textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as rl_paragraph

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CjkFont:
    """A TrueType face: its registered name, the file (a collection), the face's index in
    it and the Debian package that installs it."""

    name: str
    path: Path
    index: int
    package: str


#: AR PL UMing CN: a Ming (宋体-like) serif, the body of notices and certificates.
SERIF = CjkFont("ARPLUMingCN", Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0,
                "fonts-arphic-uming")  # fmt: skip
#: AR PL UKai CN: a kai (楷体) face for titles and the issuing organ's mark.
KAI = CjkFont("ARPLUKaiCN", Path("/usr/share/fonts/truetype/arphic/ukai.ttc"), 0,
              "fonts-arphic-ukai")  # fmt: skip
#: WenQuanYi Zen Hei: the sans fallback (and the demo's sample materials).
SANS = CjkFont("WenQuanYiZenHei", Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0,
               "fonts-wqy-zenhei")  # fmt: skip

#: The faces tried, in order, for the body and for titles.
BODY_FONTS: tuple[CjkFont, ...] = (SERIF, SANS)
TITLE_FONTS: tuple[CjkFont, ...] = (KAI, SERIF, SANS)

# The sans face, kept importable for the demo's sample material (onewindow.demo).
FONT_NAME = SANS.name
FONT_PATH = SANS.path

#: Chinese punctuation that must not start a line (reportlab's CJK wrap knows only some of
#: it, e.g. not ，：；》” ): such a character hangs at the end of the line before instead.
CJK_CANNOT_START = "，。、；：？！）》」』】〕〉”’…％"

_lock = threading.Lock()
_chosen: dict[str, str] = {}


def _register(candidates: tuple[CjkFont, ...], role: str) -> str:
    """Register the first face of ``candidates`` whose file exists; return its name."""
    chosen = _chosen.get(role)
    if chosen is not None:
        return chosen
    with _lock:
        if role in _chosen:
            return _chosen[role]
        for position, font in enumerate(candidates):
            if not Path(font.path).is_file():
                continue
            if font.name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(font.name, str(font.path), subfontIndex=font.index))
            if position:
                missing = ", ".join(c.package for c in candidates[:position])
                logger.warning(
                    "PDF %s font: %s stands in; install %s for the intended face.",
                    role,
                    font.name,
                    missing,
                )
            teach_line_breaking()
            _chosen[role] = font.name
            return font.name
    packages = " ".join(font.package for font in candidates)
    paths = ", ".join(str(font.path) for font in candidates)
    raise RuntimeError(
        f"No CJK font for PDF documents is installed ({paths}): "
        f"install the Debian packages (apt-get install {packages})."
    )


def cjk_font() -> str:
    """The body font (UMing, else WenQuanYi Zen Hei), registered once; its name.

    Raises RuntimeError naming the Debian packages when no font file is there."""
    return _register(BODY_FONTS, "body")


def cjk_title_font() -> str:
    """The font of titles and the issuing organ's mark (UKai, else the body's)."""
    return _register(TITLE_FONTS, "title")


def reset_fonts() -> None:
    """Forget which faces were chosen (tests that remove a font file)."""
    with _lock:
        _chosen.clear()


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
