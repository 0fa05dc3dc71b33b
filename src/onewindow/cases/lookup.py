"""What a clerk types or scans into the case-number box, read as case numbers (pure: no
database).

The box takes a number as typed (``SFQ-2026-0000123``, ``sfq-2026-123``, full-width
``ＳＦＱ－２０２６－１２３``), the short forms a clerk uses at the counter (``2026-123`` and
``123`` in the clerk's zone; a bare sequence is this year's), and whatever a scanner reads
from the acceptance notice: a barcode of the number, or the QR code's address of the public
progress page (``…/track/?number=SFQ-2026-0000123&code=…``), or any text that carries the
number. The query code in such an address is ignored: the clerk's own access decides.
"""

from __future__ import annotations

import re
import unicodedata

#: ``{zone code}-{year}-{sequence}`` anywhere in the text (the case page's URL pattern).
FULL_NUMBER = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z0-9_]+)-(\d{4})-(\d{1,9})(?!\d)")
#: ``{year}-{sequence}`` or ``{sequence}`` alone: the clerk's zone (and this year).
SHORT_NUMBER = re.compile(r"(?:(\d{4})-)?(\d{1,9})")
#: Dashes a keyboard, an input method or a scanner may produce instead of ``-``.
DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣"), "-")
#: The longest input read; a scanner's payload (an address with a query code) fits.
MAX_INPUT = 500
SEQUENCE_DIGITS = 7


def fold(raw: str) -> str:
    """NFKC (full-width letters, digits and dashes to half-width), dashes unified,
    surrounding blanks and control characters a scanner adds removed."""
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_INPUT].translate(DASHES)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()


def _number(zone_code: str, year: str, sequence: str) -> str:
    return f"{zone_code}-{year}-{int(sequence):0{SEQUENCE_DIGITS}d}"


def candidate_numbers(raw: str, *, zone_code: str, year: int) -> list[str]:
    """The case numbers ``raw`` may mean, most literal first (empty: not a case number).

    ``zone_code``: the clerk's zone, for the short forms and for a zone code typed in
    lower case; ``year``: this year, for a bare sequence."""
    text = fold(raw)
    if not text:
        return []
    found = FULL_NUMBER.search(text)
    if found is not None:
        code, number_year, sequence = found.groups()
        candidates = [found.group(0), _number(code.upper(), number_year, sequence)]
        if code.upper() == zone_code.upper():
            candidates.append(_number(zone_code, number_year, sequence))
        return list(dict.fromkeys(candidates))
    short = SHORT_NUMBER.fullmatch(text)
    if short is None or not zone_code:
        return []
    short_year, sequence = short.groups()
    if int(sequence) == 0:
        return []
    return [_number(zone_code, short_year or str(year), sequence)]
